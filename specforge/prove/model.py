"""z3 models as typed values: the runs of a spec (`specforge.run.Run`), never text.

Elements of a `set` are named after it (`Account1`, `Account2`, ...), in the
order the model lists them; enum values by member name; ints and durations
as Python ints (durations in milliseconds); a map as a `FrozenMap` with every
key of its domain (a set's elements in this model, an enum's members, a
range's ints).
"""

from __future__ import annotations

import z3

from .. import ir
from ..ir import BoolT, EnumT, IntT, MapT, QuantityT, SetOfT, SetT
from ..run import Run, Types
from ..values import FrozenMap, Value
from . import recenc
from .encode import Encoder

# The bound on deciding a closed formula z3's model left unevaluated (`holds`); such formulas take milliseconds.
HOLDS_TIMEOUT_MS = 5_000


def holds(model: z3.ModelRef, term: z3.BoolRef) -> bool:
    """Whether a formula is true in the model. z3 evaluates most to `True` or `False`; with arrays built
    from lambdas in the finite world (prove/sums.py) it can leave one as a closed formula over array
    operators (`default(K(User, K(Session, False))) == ...`) that it does not reduce. Such a formula
    has no free symbol left, so it is valid or its negation is: a solver says which (within a bound,
    so that showing a run can never hang)."""
    v = model.eval(term, model_completion=True)
    if z3.is_true(v) or z3.is_false(v):
        return z3.is_true(v)
    s = z3.Solver()
    s.set("timeout", HOLDS_TIMEOUT_MS)
    s.add(z3.Not(v))
    return s.check() == z3.unsat



class Renderer:
    def __init__(self, enc: Encoder):
        self.enc = enc
        self.types = Types.of(enc.spec)

    def members(self, model: z3.ModelRef, set_name: str) -> list[z3.ExprRef]:
        """The elements of a set in this model (its sort may hold more: they are not members)."""
        sort = self.enc.set_sorts[set_name]
        member = self.enc.set_members[set_name]
        return [e for e in (model.get_universe(sort) or []) if holds(model, member(e))]

    def _names(self, model: z3.ModelRef) -> dict[str, str]:
        names = {}
        for set_name in self.enc.set_sorts:
            for i, element in enumerate(self.members(model, set_name), start=1):
                names[str(element)] = f"{set_name}{i}"
        return names

    def sets(self, model: z3.ModelRef) -> dict[str, tuple[str, ...]]:
        """Each set's elements, by their names: the run's world."""
        names = self._names(model)
        return {s: tuple(names[str(e)] for e in self.members(model, s)) for s in self.enc.set_sorts}

    def value(self, model: z3.ModelRef, term: z3.ExprRef, t: ir.Type, names: dict[str, str]) -> Value:
        v = model.eval(term, model_completion=True)
        if isinstance(t, BoolT):
            return holds(model, term)
        if isinstance(t, ir.StringT):
            return v.as_string()
        if isinstance(t, (IntT, QuantityT)):
            return v.as_long()
        if isinstance(t, EnumT):
            return str(v)
        if isinstance(t, SetT):
            return names[str(v)]
        if isinstance(t, MapT):
            return FrozenMap((self.value(model, k, t.key, names), self.value(model, z3.Select(v, k), t.value, names))
                             for k in self.keys(model, t.key))
        if isinstance(t, SetOfT):
            return frozenset(self.value(model, k, t.element, names) for k in self.keys(model, t.element)
                             if holds(model, z3.IsMember(k, v)))
        if isinstance(t, (ir.StructT, ir.OptionT)):
            return recenc.model_value(self.enc, model, v, t, lambda term, ft: self.value(model, term, ft, names))
        raise AssertionError(f"no value of type {t.kind} in a run")

    def keys(self, model: z3.ModelRef, t: ir.Type) -> list[z3.ExprRef]:
        """Every key of a map's domain in this model (the language's map keys are finite domains)."""
        if isinstance(t, EnumT):
            return list(self.enc.enum_values[t.name].values())
        if isinstance(t, SetT):
            return self.members(model, t.name)
        if isinstance(t, IntT) and t.low is not None and t.high is not None:
            return [z3.IntVal(i) for i in range(t.low, t.high + 1)]
        if isinstance(t, BoolT):
            return [z3.BoolVal(False), z3.BoolVal(True)]
        raise AssertionError(f"a map keyed by {t.kind} has no finite domain")

    def state(self, model: z3.ModelRef, state: dict[str, z3.ExprRef], names: dict[str, str]) -> dict[str, Value]:
        return {leaf.path: self.value(model, state[leaf.path], leaf.type, names) for leaf in self.enc.leaves}

    def args(self, model: z3.ModelRef, action: ir.Action, params: dict[str, z3.ExprRef],
             names: dict[str, str]) -> dict[str, Value]:
        return {p.name: self.value(model, params[p.name], p.type.resolved, names) for p in action.choices}

    def _run(self, model: z3.ModelRef, states, calls, breaks: str) -> Run:
        return Run.of(self.enc.spec, self.sets(model), states, calls, breaks, self.types)

    def extend(self, run: Run, model: z3.ModelRef, action: ir.Action, params: dict[str, z3.ExprRef],
               post: dict[str, z3.ExprRef]) -> Run:
        """`run` with one more call: `action` with `params`, ending in `post` (terms of the same model)."""
        names = self._names(model)
        calls = [(c.action, dict(c.args)) for c in run.calls] + [(action.name, self.args(model, action, params, names))]
        return self._run(model, [*run.states, self.state(model, post, names)], calls, run.breaks)

    def initial(self, model: z3.ModelRef, init: dict[str, z3.ExprRef], breaks: str) -> Run:
        """The run of no steps: an initial state that breaks `breaks`."""
        return self._run(model, [self.state(model, init, self._names(model))], [], breaks)

    def trace(self, model: z3.ModelRef, states: list[dict[str, z3.ExprRef]], choices, breaks: str) -> Run:
        """The run the bounded search found: the chosen action and arguments at each depth."""
        names = self._names(model)
        calls = []
        for choice, options in choices:
            action, params = options[model.eval(choice, model_completion=True).as_long()]
            calls.append((action.name, self.args(model, action, params, names)))
        return self._run(model, [self.state(model, s, names) for s in states[:len(calls) + 1]], calls, breaks)

    def cti(self, model: z3.ModelRef, action: ir.Action, params: dict[str, z3.ExprRef],
            pre: dict[str, z3.ExprRef], post: dict[str, z3.ExprRef], breaks: str) -> Run:
        """A counterexample to induction, as a run of one call from a state that may be unreachable."""
        names = self._names(model)
        return self._run(model, [self.state(model, pre, names), self.state(model, post, names)],
                         [(action.name, self.args(model, action, params, names))], breaks)
