"""A plain-Python interpreter of the typed IR: the executable meaning of a spec.

This module runs a checked spec (`ir.Spec`, as `specforge.frontend` returns
it) on concrete values. It is the reference the other back ends are compared
with: the differential test of the prover replays its traces here, and the
hypothesis bridge uses it as the oracle model of an implementation. Its
semantics are the prover's (`specforge.prove.encode`):

- `int`, `nat`, ranges and `duration` are Python ints (durations in
  milliseconds); `/` is floor division and `%` its remainder, as in Python;
  a division by zero raises `EvaluationError`;
- `bool` is a Python bool; an enum value is its member's name (`"paid"`);
- the elements of a `set` are whatever hashable values the caller puts in the
  `Universe` (one finite tuple per set of the spec);
- a map is a `FrozenMap`: an immutable, hashable `Mapping` with one entry per
  key of its key domain (the set's elements, the enum's members or the
  range's ints); it compares equal to a `dict` with the same entries;
- records are flattened: the `State` maps each leaf path (`"token.ttl"`) to
  its value, and is itself an immutable, hashable mapping;
- an action checks its guards in order over the state before it; the first
  false guard raises `GuardFailed` and nothing changes. Otherwise its
  assignments run in order, each seeing the ones before it, and a map entry
  assignment `m[k] := v` replaces that one entry.

Where the prover leaves a value unspecified, the interpreter raises
`EvaluationError` instead of picking one: division by zero, and a map lookup
or update at a key outside the map's domain (`m[10]` on a `map[0..9, V]`).
`and`, `or`, `implies` and `if` evaluate only the operands they need, so
`x != 0 implies 10 / x > 0` is fine when `x` is 0.

A set may have any number of elements, none included (as for the prover,
whose proofs hold for every size): with an empty `Item`, `exists a in Item:
...` is false, `forall` is true, a map over `Item` is empty and an action
with an `Item` parameter has no arguments to run with.

Typical use:

    loaded = load_text(text, "bank.sf")
    universe = Universe({"Account": ("alice", "bob")})
    state = initial_state(loaded.spec, universe)
    for args in arguments(loaded.spec, "deposit", universe, range(-3, 6)):
        if enabled(loaded.spec, "deposit", state, args, universe):
            after = step(loaded.spec, "deposit", state, args, universe)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping

from . import ir
from .evaluate import (
    Env,
    EvaluationError,
    Evaluator,
    InterpretError,
    compiled,
    composite_values,
    consts_of,
    domain_values,
    enums_of,
    evaluate,
)
from .ir import RESULT, BoolT, EnumT, IntT, QuantityT, SetT
from .structure import leaves, obligation_ids, type_path, within
from .values import State, Universe, Value, freeze

Setter = Callable[[Value, Env, dict], None]
"""An assignment's target compiled: `setter(value, env, current)` (see `Interpreter._setter`)."""


class InvalidArguments(InterpretError):
    """An action was called with missing, unknown or ill-typed arguments."""


class AnswerRefused(InterpretError):
    """The answer given for an action whose effect reads it is one its `ensures` do not allow there."""


class GuardFailed(InterpretError):
    """An action's guard is false: the action does not happen.

    `error` is the error the guard names (`requires C else E`), or None for a
    guard without `else` (an assumption the caller broke); `index` is the
    guard's position among the action's guards, from 0. The guards are
    checked in order and the first false one is reported.
    """

    def __init__(self, error: str | None, index: int, action: str | None = None):
        what = f"guard {index}" + (f" of `{action}`" if action else "")
        super().__init__(f"{what} is false" + (f": {error}" if error else " (an assumption)"))
        self.error = error
        self.index = index
        self.action = action


# ---- the interpreter of one spec -------------------------------------------------------------------


class Interpreter:
    """A spec with a universe, ready to run. The module-level functions build one per call;
    build one yourself to run many steps (an exploration, a test) without redoing the set-up."""

    def __init__(self, spec: ir.Spec, universe: Mapping[str, Iterable[Hashable]] | None = None):
        self.spec = spec
        self.universe = universe if isinstance(universe, Universe) else Universe(universe or {})
        missing = [s.name for s in spec.sets if s.name not in self.universe]
        if missing:
            raise InterpretError(f"the universe gives no elements for: {', '.join(missing)}")
        self.env = Env(State(), self.universe, consts_of(spec), enums_of(spec))
        self.leaves = leaves(spec)
        self.leaf_types = dict(self.leaves)
        self.actions = {a.name: a for a in spec.actions}
        self.invariants = {inv.id: inv for inv in spec.invariants}
        self._compiled: dict[str, tuple] = {}  # action name -> (action, its guards, its assignments), compiled
        self._string_sample: tuple[str, ...] | None = None  # see `_strings`
        self._groups: dict[tuple, list[list[Value]]] = {}  # see `_answer_groups`

    def _parts(self, act: ir.Action) -> tuple[list[tuple[Evaluator, ir.Requires]], list[tuple[Setter, Evaluator]]]:
        """An action's guards and assignments, each compiled once (see `compiled` and `_setter`)."""
        entry = self._compiled.get(act.name)
        if entry is None or entry[0] is not act:
            entry = self._compiled[act.name] = (act, [(compiled(g.cond), g) for g in act.guards],
                                                [(self._setter(a.target), compiled(a.value))
                                                 for a in act.assignments])
        return entry[1], entry[2]

    def _setter(self, target: ir.Expr) -> Setter:
        """`target := value` compiled: `setter(value, env, current)` writes it into `current` (which
        `env.state` reads); a map entry replaces that one entry."""
        path = ir.state_path(target)
        if path is not None and path in self.leaf_types:
            def set_leaf(value: Value, env: Env, current: dict) -> None:
                current[path] = freeze(value)
            return set_leaf
        if path is None and isinstance(target, ir.Index):
            base, key, outer = compiled(target.base), compiled(target.key), self._setter(target.base)

            def set_entry(value: Value, env: Env, current: dict) -> None:
                b, k = base(env), key(env)
                if k not in b:
                    raise EvaluationError(f"the key {k!r} is outside the map's domain", target)
                outer(b.set(k, freeze(value)), env, current)
            return set_entry
        message = f"`{path}` is not a state leaf" if path is not None else "this cannot be assigned"

        def cannot(value: Value, env: Env, current: dict) -> None:
            raise EvaluationError(message, target)
        return cannot

    # -- lookups

    def action(self, action: ir.Action | str) -> ir.Action:
        if isinstance(action, ir.Action):
            return action
        try:
            return self.actions[action]
        except KeyError:
            raise InterpretError(f"the spec has no action `{action}`") from None

    def values(self, t: ir.Type) -> tuple:
        """Every value of a finite type in this universe."""
        return domain_values(t, (self.universe, self.env.enums))

    # -- expressions and states

    def evaluate(self, expr: ir.Expr, state: Mapping[str, Value] | None = None,
                 params: Mapping[str, Value] | None = None) -> Value:
        return evaluate(expr, self.env.with_state(state if state is not None else State(), params or {}))

    def initial_state(self) -> State:
        """The state `init` builds, its assignments run in order."""
        current: dict[str, Value] = {}
        env = self.env.with_state(current)
        for a in self.spec.init:
            self._assign(a.target, evaluate(a.value, env), env, current)
        missing = [p for p, _ in self.leaves if p not in current]
        if missing:
            raise InterpretError(f"init leaves {', '.join(missing)} without a value")
        return State((p, current[p]) for p, _ in self.leaves)

    def _assign(self, target: ir.Expr, value: Value, env: Env, current: dict[str, Value]) -> None:
        """target := value in `current` (which `env.state` reads); a map entry replaces that one entry."""
        self._setter(target)(value, env, current)

    def check_args(self, action: ir.Action | str, args: Mapping[str, Value]) -> ir.Action:
        """The action, after checking that `args` gives each parameter a value of its type."""
        act = self.action(action)
        names = [p.name for p in act.params]
        answer = act.answer  # the answer an effect reads may come with the arguments (`step` needs it)
        extra = set(args) - set(names) - ({RESULT} if answer is not None else set())
        missing = [n for n in names if n not in args]
        if extra or missing:
            raise InvalidArguments(f"`{act.name}` takes ({', '.join(names)}); "
                                   f"missing {missing or 'none'}, unknown {sorted(extra) or 'none'}")
        for p in act.params if answer is None or RESULT not in args else [*act.params, answer]:
            t, v = p.type.resolved, args[p.name]
            if not self._fits(t, v):
                raise InvalidArguments(f"{v!r} is not a valid `{p.name}` for `{act.name}`")
        return act

    def _fits(self, t: ir.Type, v: Value) -> bool:
        """Whether `v` is a value of type `t` (a record: a mapping of exactly its fields; none: None)."""
        if isinstance(t, BoolT):
            return isinstance(v, bool)
        if isinstance(t, ir.StringT):
            return isinstance(v, str)
        if isinstance(t, (IntT, QuantityT)):
            return isinstance(v, int) and not isinstance(v, bool) and within(t, v)
        if isinstance(t, (EnumT, SetT)):
            return v in self.values(t)
        if isinstance(t, ir.SetOfT):
            return isinstance(v, frozenset) and all(x in self.values(t.element) for x in v)
        if isinstance(t, ir.StructT):
            return isinstance(v, Mapping) and set(v) == {f for f, _ in t.fields} \
                and all(self._fits(ft, v[f]) for f, ft in t.fields)
        if isinstance(t, ir.OptionT):
            return v is None or self._fits(t.value, v)
        return False

    def failed_guard(self, action: ir.Action | str, state: Mapping[str, Value],
                     args: Mapping[str, Value]) -> GuardFailed | None:
        """The first false guard as a `GuardFailed` (not raised), or None when all pass."""
        act = self.check_args(action, args)
        env = self.env.with_state(state, args)
        for i, (cond, g) in enumerate(self._parts(act)[0]):
            if not cond(env):
                return GuardFailed(g.error, i, act.name)
        return None

    def enabled(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value]) -> bool:
        """Whether every guard of the action holds in `state` with `args`; and, when `args` holds the answer
        the action's effect reads (`ir.Action.answer`), whether its `ensures` allow it after the call."""
        act = self.action(action)
        if self.failed_guard(act, state, args) is not None:
            return False
        return act.answer is None or RESULT not in args or not self.refused_answer(act, state, args)

    def step(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value]) -> State:
        """The state after the action; raises `GuardFailed` for the first false guard. An action whose
        effect reads its answer takes it in `args` (as `result`), and an answer its `ensures` do not allow
        after the call raises `AnswerRefused`."""
        act = self.action(action)
        failed = self.failed_guard(act, state, args)
        if failed is not None:
            raise failed
        if act.answer is not None:
            if RESULT not in args:
                raise InvalidArguments(f"the effect of `{act.name}` reads its answer: give it as `{RESULT}`")
            broken = self.refused_answer(act, state, args)
            if broken:
                raise AnswerRefused(f"`{act.name}` cannot answer {args[RESULT]!r} here: it breaks {broken[0].id}")
        return self.effect(act, state, args)

    def outcomes(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value],
                 int_values: Iterable[int]) -> list[tuple[dict[str, Value], State]]:
        """Where a call with `args` whose guards pass leads from `state`: each as the arguments (with the
        answer, when the effect reads one) and the state after. Without an answer there is one. With one,
        the candidate answers (as `arguments` takes them) are grouped by what the effect reads of them
        (`ir.Action.answer_fields`), and each group some answer of which meets the `ensures` there leads
        to one state, given with that answer."""
        act = self.action(action)
        if act.answer is None:
            return [(dict(args), self.effect(act, state, args))]
        out = []
        for group in self._answer_groups(act, tuple(dict.fromkeys(int_values))):
            after = self.effect(act, state, {**args, RESULT: group[0]})
            allowed = next((r for r in group if not self.broken_postconditions(act, after, args, r)), None)
            if allowed is not None:
                out.append(({**args, RESULT: allowed}, after))
        return out

    def _answer_groups(self, act: ir.Action, ints: tuple[int, ...]) -> list[list[Value]]:
        key = (act.name, ints)
        if key not in self._groups:
            self._groups[key] = list(answer_groups(act, self._candidates(act.result.resolved, ints)).values())
        return self._groups[key]

    def refused_answer(self, action: ir.Action, state: Mapping[str, Value],
                       args: Mapping[str, Value]) -> list[ir.Ensures]:
        """The `ensures` that the answer in `args` breaks in the state the call makes from `state`."""
        return self.broken_postconditions(action, self.effect(action, state, args), args, args[RESULT])

    def effect(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value]) -> State:
        """The state after the action's assignments, run in order, guards not consulted (`step` checks
        them first; a caller that already has checked them, or wants the effect regardless, calls this)."""
        act = self.action(action)
        current = state.copy() if isinstance(state, State) else dict(state)
        env = self.env.with_state(current, args)
        for setter, value in self._parts(act)[1]:
            setter(value(env), env, current)
        if isinstance(state, State) and len(current) == len(self.leaves):
            return State.adopt(current)  # the keys of `state`, in its (declaration) order
        return State((p, current[p]) for p, _ in self.leaves)

    def result(self, action: ir.Action | str, after: Mapping[str, Value], args: Mapping[str, Value]) -> Value:
        """What a successful call answers by its `returns`, read in the state after it (None: no `returns`)."""
        act = self.action(action)
        if act.returns is None:
            return None
        return evaluate(act.returns.value, self.env.with_state(after, args))

    def broken_postconditions(self, action: ir.Action | str, after: Mapping[str, Value],
                              args: Mapping[str, Value], result: Value) -> list[ir.Ensures]:
        """The action's `ensures` that a call answering `result` breaks, in the state after it."""
        act = self.action(action)
        env = self.env.with_state(after, {**args, RESULT: result})
        return [e for e in act.ensures if not evaluate(e.cond, env)]

    def fits(self, t: ir.Type, v: Value) -> bool:
        """Whether `v` is a value of type `t` in this universe."""
        return self._fits(t, v)

    def holds(self, invariant: ir.Invariant | str, state: Mapping[str, Value]) -> bool:
        """Whether an invariant (or an id, including a type obligation `type:<path>`) holds in `state`."""
        if isinstance(invariant, str):
            path = type_path(invariant)
            if path is not None and invariant not in self.invariants:
                if path not in self.leaf_types:
                    raise InterpretError(f"no state leaf `{path}`")
                return within(self.leaf_types[path], state[path])
            try:
                invariant = self.invariants[invariant]
            except KeyError:
                raise InterpretError(f"the spec has no invariant `{invariant}`") from None
        return bool(compiled(invariant.expr)(self.env.with_state(state)))

    def violations(self, state: Mapping[str, Value]) -> list[str]:
        """The ids of every invariant and type obligation that `state` breaks."""
        return [i for i in obligation_ids(self.spec) if not self.holds(i, state)]

    def _strings(self) -> tuple[str, ...]:
        """The search's sample of strings, computed once (it walks the spec's expressions)."""
        if self._string_sample is None:
            from . import finite

            self._string_sample = finite.search_strings(self.spec)
        return self._string_sample

    def arguments(self, action: ir.Action | str, int_values: Iterable[int],
                  answer: bool = False) -> list[dict[str, Value]]:
        """Every argument tuple of the action, as dicts param -> value, over finite candidates.

        Ints (also nat, ranges and durations, in milliseconds) come from
        `int_values`, filtered by the parameter's declared bounds; bools,
        enum members and set elements are all taken, strings from the search
        pool. Guards are not looked at: use `enabled` for that. With `answer`,
        an action whose effect reads its answer takes every candidate answer
        too, as `result` (what `step` needs).
        """
        act = self.action(action)
        ints = tuple(dict.fromkeys(int_values))
        params = act.choices if answer else act.params
        choices = [self._candidates(p.type.resolved, ints) for p in params]
        names = [p.name for p in params]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]

    def _candidates(self, t: ir.Type, ints: tuple[int, ...]) -> list:
        """The values `arguments` takes for a parameter of type `t`."""
        if isinstance(t, (IntT, QuantityT)):
            return [v for v in ints if within(t, v)]
        if isinstance(t, ir.StringT):  # a sample, as the searches take it (finite.string_pool)
            return list(self._strings())
        if isinstance(t, (ir.StructT, ir.OptionT)):  # a record's fields draw as parameters do
            return list(composite_values(t, lambda ft: self._candidates(ft, ints)))
        return list(self.values(t))


def answer_groups(action: ir.Action, answers: list) -> dict:
    """The answers grouped by what the action's effect reads of them (`ir.Action.answer_fields`): the part
    -> the answers with it, in their order. Answers of one group lead to the same state."""
    fields = action.answer_fields
    groups: dict = {}
    for r in answers:
        groups.setdefault(r if fields is None else tuple(r[f] for f in fields), []).append(r)
    return groups


# ---- the module-level API ------------------------------------------------------------------------------


def initial_state(spec: ir.Spec, universe: Mapping[str, Iterable[Hashable]]) -> State:
    """The state `init` builds, for the given elements of each set."""
    return Interpreter(spec, universe).initial_state()


def enabled(spec: ir.Spec, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value],
            universe: Mapping[str, Iterable[Hashable]]) -> bool:
    """Whether every guard of `action` holds in `state` with `args`."""
    return Interpreter(spec, universe).enabled(action, state, args)


def step(spec: ir.Spec, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value],
         universe: Mapping[str, Iterable[Hashable]]) -> State:
    """The state after `action`, or `GuardFailed(error, index)` raised for its first false guard."""
    return Interpreter(spec, universe).step(action, state, args)


def holds(spec: ir.Spec, invariant: ir.Invariant | str, state: Mapping[str, Value],
          universe: Mapping[str, Iterable[Hashable]]) -> bool:
    """Whether an invariant (an `ir.Invariant`, an id, or `type:<path>`) holds in `state`."""
    return Interpreter(spec, universe).holds(invariant, state)


def arguments(spec: ir.Spec, action: ir.Action | str, universe: Mapping[str, Iterable[Hashable]],
              int_values: Iterable[int]) -> list[dict[str, Value]]:
    """Every argument tuple of `action` over the universe, the enums and the int candidates."""
    return Interpreter(spec, universe).arguments(action, int_values)

