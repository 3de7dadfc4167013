"""z3 models shown in spec terms: states, traces and counterexamples to induction.

Elements of a `set` are named after it (`Account1`, `Account2`, ...), in the
order the model lists them; enum values by name; durations with a unit; a map
by its entries (`{Account1: 5, Account2: 0}`).
"""

from __future__ import annotations

import z3

from .. import ir
from ..ir import BoolT, EnumT, IntT, MapT, QuantityT, SetT
from ..units import describe
from .encode import Encoder
from .result import CounterexampleToInduction, Step

MAX_MAP_KEYS = 20


class Renderer:
    def __init__(self, enc: Encoder):
        self.enc = enc

    def members(self, model: z3.ModelRef, set_name: str) -> list[z3.ExprRef]:
        """The elements of a set in this model (its sort may hold more: they are not members)."""
        sort = self.enc.set_sorts[set_name]
        member = self.enc.set_members[set_name]
        return [e for e in (model.get_universe(sort) or [])
                if z3.is_true(model.eval(member(e), model_completion=True))]

    def _names(self, model: z3.ModelRef) -> dict[str, str]:
        names = {}
        for set_name in self.enc.set_sorts:
            for i, element in enumerate(self.members(model, set_name), start=1):
                names[str(element)] = f"{set_name}{i}"
        return names

    def sets(self, model: z3.ModelRef) -> dict[str, list[str]]:
        """Each set's elements, by their shown names: the run's world."""
        names = self._names(model)
        return {s: [names[str(e)] for e in self.members(model, s)] for s in self.enc.set_sorts}

    def value(self, model: z3.ModelRef, term: z3.ExprRef, t: ir.Type, names: dict[str, str]) -> str:
        v = model.eval(term, model_completion=True)
        if isinstance(t, BoolT):
            return "true" if z3.is_true(v) else "false"
        if isinstance(t, QuantityT):
            return describe(v.as_long(), t.dimension) if z3.is_int_value(v) else str(v)
        if isinstance(t, IntT):
            return str(v.as_long()) if z3.is_int_value(v) else str(v)
        if isinstance(t, EnumT):
            return str(v)
        if isinstance(t, SetT):
            return names.get(str(v), str(v))
        if isinstance(t, MapT):
            keys = self.keys(model, t.key)
            if keys is None:
                return "{…}"
            shown = [f"{self.value(model, k, t.key, names)}: {self.value(model, z3.Select(v, k), t.value, names)}"
                     for k in keys[:MAX_MAP_KEYS]]
            more = ", …" if len(keys) > MAX_MAP_KEYS else ""
            return "{" + ", ".join(shown) + more + "}"
        return str(v)

    def keys(self, model: z3.ModelRef, t: ir.Type) -> list[z3.ExprRef] | None:
        if isinstance(t, EnumT):
            return list(self.enc.enum_values[t.name].values())
        if isinstance(t, SetT):
            return self.members(model, t.name)
        if isinstance(t, IntT) and t.low is not None and t.high is not None:
            return [z3.IntVal(i) for i in range(t.low, min(t.high, t.low + MAX_MAP_KEYS) + 1)]
        if isinstance(t, BoolT):
            return [z3.BoolVal(False), z3.BoolVal(True)]
        return None

    def state(self, model: z3.ModelRef, state: dict[str, z3.ExprRef], names: dict[str, str]) -> dict[str, str]:
        return {leaf.path: self.value(model, state[leaf.path], leaf.type, names) for leaf in self.enc.leaves}

    def args(self, model: z3.ModelRef, action: ir.Action, params: dict[str, z3.ExprRef],
             names: dict[str, str]) -> dict[str, str]:
        return {p.name: self.value(model, params[p.name], p.type.resolved, names) for p in action.params}

    def initial_step(self, model: z3.ModelRef, init: dict[str, z3.ExprRef]) -> Step:
        return Step(0, None, {}, self.state(model, init, self._names(model)))

    def trace(self, model: z3.ModelRef, states: list[dict[str, z3.ExprRef]], choices, init) -> list[Step]:
        names = self._names(model)
        steps = [Step(0, None, {}, self.state(model, states[0], names))]
        for k, (choice, options) in enumerate(choices, start=1):
            index = model.eval(choice, model_completion=True).as_long()
            action, params = options[index]
            steps.append(Step(k, action.name, self.args(model, action, params, names),
                              self.state(model, states[k], names)))
        return steps

    def cti(self, model: z3.ModelRef, action: ir.Action, params: dict[str, z3.ExprRef],
            pre: dict[str, z3.ExprRef], post: dict[str, z3.ExprRef]) -> CounterexampleToInduction:
        names = self._names(model)
        return CounterexampleToInduction(action.name, self.args(model, action, params, names),
                                         self.state(model, pre, names), self.state(model, post, names),
                                         self.sets(model))
