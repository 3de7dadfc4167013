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
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import ir
from .ir import BoolT, EnumT, IntT, MapT, QuantityT, RecordT, RefKind, SetT

Value = Any
"""A spec value: int, bool, str (enum member), a set element, or a `FrozenMap`."""


# ---- errors -------------------------------------------------------------------------------------


class InterpretError(Exception):
    """Base class of the errors this module raises."""


class EvaluationError(InterpretError):
    """An expression has no value: division by zero, a key outside a map's domain, ...

    `node` is the IR node being evaluated, for a positioned message.
    """

    def __init__(self, message: str, node: ir.Expr | None = None):
        if node is not None and getattr(node, "span", None) is not None:
            message = f"line {node.span.line}: {message}"
        super().__init__(message)
        self.node = node


class InvalidArguments(InterpretError):
    """An action was called with missing, unknown or ill-typed arguments."""


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


# ---- immutable values ----------------------------------------------------------------------------


class FrozenMap(Mapping):
    """An immutable, hashable mapping; equal to any Mapping with the same items.

    Used for map values and, as `State`, for whole states. `set` returns a
    copy with one entry replaced.
    """

    __slots__ = ("_items", "_hash")

    def __init__(self, items: Mapping | Iterable[tuple[Hashable, Value]] = ()):
        self._items = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __eq__(self, other) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def set(self, key, value) -> FrozenMap:
        """A copy with `key` mapped to `value` (the key must already be present)."""
        if key not in self._items:
            raise KeyError(key)
        items = dict(self._items)
        items[key] = value
        return type(self)(items)

    def thaw(self) -> dict:
        """A plain (mutable) dict copy, with nested maps thawed too."""
        return {k: (v.thaw() if isinstance(v, FrozenMap) else v) for k, v in self._items.items()}

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self._items.items()) + "}"


class State(FrozenMap):
    """A whole state: leaf path (`"balance"`, `"token.ttl"`) -> value, immutable and hashable.

    Its keys are the spec's state leaves, in declaration order.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "State(" + super().__repr__() + ")"


def freeze(value: Value) -> Value:
    """`value` with every dict (at any depth) turned into a `FrozenMap`."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap((k, freeze(v)) for k, v in value.items())
    return value


class Universe(Mapping):
    """The elements of each `set` of a spec: set name -> tuple of distinct, hashable values.

    `Universe({"Account": ("a", "b")})`, or `Universe.named(spec, 2)` for
    elements named like the prover's traces (`Account1`, `Account2`).
    """

    __slots__ = ("_sets",)

    def __init__(self, sets: Mapping[str, Iterable[Hashable]] | None = None, **more: Iterable[Hashable]):
        combined = {**(dict(sets) if sets else {}), **more}
        self._sets: dict[str, tuple] = {}
        for name, elements in combined.items():
            elements = tuple(elements)
            if len(set(elements)) != len(elements):
                raise ValueError(f"the elements of set `{name}` are not distinct: {elements!r}")
            self._sets[name] = elements

    @classmethod
    def named(cls, spec: ir.Spec, size: int | Mapping[str, int] = 2) -> Universe:
        """Every set of `spec` with `size` elements named `<Set><i>` from 1 (`Account1`, ...)."""
        sizes = size if isinstance(size, Mapping) else {s.name: size for s in spec.sets}
        return cls({s.name: tuple(f"{s.name}{i}" for i in range(1, sizes[s.name] + 1)) for s in spec.sets})

    def __getitem__(self, name: str) -> tuple:
        return self._sets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sets)

    def __len__(self) -> int:
        return len(self._sets)

    def __hash__(self) -> int:
        return hash(frozenset(self._sets.items()))

    def __repr__(self) -> str:
        return f"Universe({self._sets!r})"


# ---- the environment of an evaluation ---------------------------------------------------------------


@dataclass(slots=True)
class Env:
    """What names mean while evaluating: the state, an action's parameters, bound variables.

    `consts` holds every constant's value, `enums` every enum's members in
    order, and `universe` every set's elements. `Env.of(spec, universe, ...)`
    fills those from a spec.
    """

    state: Mapping[str, Value]
    universe: Mapping[str, tuple]
    consts: Mapping[str, Value] = field(default_factory=dict)
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    params: Mapping[str, Value] = field(default_factory=dict)
    bound: dict[str, Value] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: ir.Spec, universe: Mapping[str, tuple], state: Mapping[str, Value] | None = None,
           params: Mapping[str, Value] | None = None) -> Env:
        return cls(state if state is not None else {}, universe, _consts(spec), _enums(spec), params or {})

    def with_state(self, state: Mapping[str, Value], params: Mapping[str, Value] | None = None) -> Env:
        return Env(state, self.universe, self.consts, self.enums,
                   self.params if params is None else params, {})

    def child(self) -> Env:
        """A copy whose bound variables can be changed without touching this one."""
        return Env(self.state, self.universe, self.consts, self.enums, self.params, dict(self.bound))


def _consts(spec: ir.Spec) -> dict[str, Value]:
    return {c.name: c.evaluated for c in spec.consts}


def _enums(spec: ir.Spec) -> dict[str, tuple[str, ...]]:
    return {e.name: tuple(m.name for m in e.members) for e in spec.enums}


# ---- expressions ---------------------------------------------------------------------------------


def evaluate(expr: ir.Expr, env: Env) -> Value:
    """The value of a typed IR expression in `env`.

    A `Range` evaluates to a Python `range` and the name of a set or an enum to
    the tuple of its values: neither is a spec value, they only serve as the
    domain of a quantifier or comprehension and the right side of `in`.
    """
    return compiled(expr)(env)


Evaluator = Callable[[Env], Value]
"""An expression compiled: `evaluator(env) -> value`."""

_COMPILED: dict[int, tuple[ir.Expr, Evaluator]] = {}
_COMPILED_MAX = 20_000  # nodes kept compiled (about 36 MB at most, the specs they keep alive included); then it starts again


def compiled(expr: ir.Expr) -> Evaluator:
    """`expr` as a Python function of the environment, built once per node and kept: evaluating it
    is then one call per node, without looking up how. Built from the IR nodes with closures only;
    no spec text is ever turned into code. The whole tree is compiled at once, branches that may never
    run included, so a node no handler knows fails here even under `false and ...` (a checked spec
    has none: every IR class has a handler)."""
    entry = _COMPILED.get(id(expr))
    if entry is not None and entry[0] is expr:
        return entry[1]
    handler = HANDLERS.get(type(expr))
    if handler is None:
        raise EvaluationError(f"cannot evaluate a {type(expr).__name__}", expr)
    fn = handler(expr)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[id(expr)] = (expr, fn)  # the node is kept with it, so that its id is not reused
    return fn


def _constant(value: Value) -> Evaluator:
    return lambda env: value


def _literal(e: ir.IntLit | ir.BoolLit | ir.QuantityLit) -> Evaluator:
    return _constant(e.value)


def _name(e: ir.Name) -> Evaluator:
    ref, name = e.ref, e.name
    if ref is RefKind.ENUM_VALUE:
        return _constant(name)
    if ref is RefKind.DOMAIN:
        element = e.type.element
        if isinstance(element, SetT):
            set_name = element.name

            def elements(env: Env) -> tuple:
                try:
                    return env.universe[set_name]
                except KeyError:
                    raise EvaluationError(f"the universe gives no elements for set `{set_name}`", e) from None
            return elements
        if isinstance(element, EnumT):
            enum_name = element.name
            return lambda env: env.enums[enum_name]
        return lambda env: _domain_values(element, env, e)
    if ref not in (RefKind.BOUND, RefKind.PARAM, RefKind.VAR, RefKind.CONST):
        def not_a_value(env: Env) -> Value:
            raise EvaluationError(f"`{name}` is not a value (was the spec checked?)", e)
        return not_a_value
    record = ref is RefKind.VAR and isinstance(e.type, RecordT)

    def missing() -> EvaluationError:
        if record:
            return EvaluationError(f"`{name}` is a record; name one of its fields", e)
        return EvaluationError(f"`{name}` has no value here", e)

    values = operator.attrgetter({RefKind.BOUND: "bound", RefKind.PARAM: "params", RefKind.VAR: "state",
                                  RefKind.CONST: "consts"}[ref])  # where in the environment the name is

    def read(env: Env) -> Value:
        try:
            return values(env)[name]
        except KeyError:
            raise missing() from None
    return read


def _field(e: ir.FieldAccess) -> Evaluator:
    path = ir.state_path(e)

    def read(env: Env) -> Value:
        if path is None or path not in env.state:
            raise EvaluationError("only state records have fields", e)
        return env.state[path]
    return read


def _index(e: ir.Index) -> Evaluator:
    base, key = compiled(e.base), compiled(e.key)

    def read(env: Env) -> Value:
        b, k = base(env), key(env)
        try:
            return b[k]
        except KeyError:
            raise EvaluationError(f"the key {k!r} is outside the map's domain", e) from None
    return read


def _unary(e: ir.Unary) -> Evaluator:
    operand = compiled(e.operand)
    if e.op is ir.UnOp.NOT:
        return lambda env: not operand(env)
    return lambda env: -operand(env)


def _div(a: int, b: int, node: ir.Expr) -> int:
    if b == 0:
        raise EvaluationError("division by zero", node)
    return a // b


def _mod(a: int, b: int, node: ir.Expr) -> int:
    if b == 0:
        raise EvaluationError("division by zero (in `%`)", node)
    return a % b


def _binary(e: ir.Binary) -> Evaluator:
    op, left, right = e.op, compiled(e.left), compiled(e.right)
    # the logical operators evaluate their right side only when it matters
    if op is ir.BinOp.AND:
        return lambda env: bool(left(env)) and bool(right(env))
    if op is ir.BinOp.OR:
        return lambda env: bool(left(env)) or bool(right(env))
    if op is ir.BinOp.IMPLIES:
        return lambda env: (not left(env)) or bool(right(env))
    if op is ir.BinOp.ADD:
        return lambda env: left(env) + right(env)
    if op is ir.BinOp.SUB:
        return lambda env: left(env) - right(env)
    if op is ir.BinOp.MUL:
        return lambda env: left(env) * right(env)
    if op is ir.BinOp.DIV:
        return lambda env: _div(left(env), right(env), e)
    if op is ir.BinOp.MOD:
        return lambda env: _mod(left(env), right(env), e)
    if op is ir.BinOp.IFF:
        return lambda env: bool(left(env)) == bool(right(env))

    def unknown(env: Env) -> Value:
        left(env)
        right(env)
        raise EvaluationError(f"unknown operator {op}", e)
    return unknown


def _compare(e: ir.Compare) -> Evaluator:
    test, left, right = ir.COMPARISONS[e.op], compiled(e.left), compiled(e.right)
    return lambda env: test(left(env), right(env))


def _member(e: ir.Member) -> Evaluator:
    element, collection = compiled(e.element), compiled(e.collection)
    return lambda env: element(env) in collection(env)


def _range(e: ir.Range) -> Evaluator:
    low, high = compiled(e.low), compiled(e.high)
    return lambda env: range(low(env), high(env) + 1)


def _call(e: ir.Call) -> Evaluator:
    args = [compiled(a) for a in e.args]
    func = e.func

    def call(env: Env) -> Value:
        values = [a(env) for a in args]
        if func == "abs":
            (x,) = values
            return abs(x)
        if func == "min":
            return min(values)
        if func == "max":
            return max(values)
        raise EvaluationError(f"unknown function `{func}`", e)
    return call


def _if(e: ir.IfThenElse) -> Evaluator:
    cond, then, else_ = compiled(e.cond), compiled(e.then), compiled(e.else_)
    return lambda env: then(env) if cond(env) else else_(env)


def _quantifier(e: ir.Quantifier) -> Evaluator:
    domain, body, var = compiled(e.domain), compiled(e.body), e.var
    decisive = e.quantifier != "forall"  # the body's value that settles it: a false one for forall, a true one for exists

    def quantify(env: Env) -> bool:
        values = domain(env)
        inner = env.child()
        bound = inner.bound
        for v in values:
            bound[var] = v
            if bool(body(inner)) is decisive:
                return decisive
        return not decisive
    return quantify


def _comprehension(e: ir.MapComprehension) -> Evaluator:
    domain, value, var = compiled(e.domain), compiled(e.value), e.var

    def build(env: Env) -> FrozenMap:
        values = domain(env)
        inner = env.child()
        items = {}
        for v in values:
            inner.bound[var] = v
            items[v] = value(inner)
        return FrozenMap(items)
    return build


HANDLERS: dict[type, Callable[[Any], Evaluator]] = {
    ir.IntLit: _literal,
    ir.BoolLit: _literal,
    ir.QuantityLit: _literal,
    ir.Name: _name,
    ir.FieldAccess: _field,
    ir.Index: _index,
    ir.Unary: _unary,
    ir.Binary: _binary,
    ir.Compare: _compare,
    ir.Member: _member,
    ir.Range: _range,  # only as a domain or on the right of `in`
    ir.Call: _call,
    ir.IfThenElse: _if,
    ir.Quantifier: _quantifier,
    ir.MapComprehension: _comprehension,
}
"""One handler per IR expression class: `handler(node) -> evaluator`, the node compiled (see `compiled`)."""


# ---- types and domains ---------------------------------------------------------------------------


def _domain_values(t: ir.Type, env_or_universe, node: ir.Expr | None = None) -> tuple:
    """Every value of a finite type: a set's elements, an enum's members, a bounded range's ints."""
    if isinstance(env_or_universe, Env):
        universe, enums = env_or_universe.universe, env_or_universe.enums
    else:
        universe, enums = env_or_universe
    if isinstance(t, SetT):
        if t.name not in universe:
            raise EvaluationError(f"the universe gives no elements for set `{t.name}`", node)
        return universe[t.name]
    if isinstance(t, EnumT):
        return enums[t.name]
    if isinstance(t, IntT) and t.low is not None and t.high is not None:
        return tuple(range(t.low, t.high + 1))
    if isinstance(t, BoolT):
        return (False, True)
    raise EvaluationError(f"the type {t.kind} is not a finite domain", node)


def within(t: ir.Type, value: Value) -> bool:
    """Whether `value` satisfies the bounds of `t` beyond its kind (nat >= 0, int[a..b], also inside maps)."""
    if isinstance(t, IntT):
        return (t.low is None or value >= t.low) and (t.high is None or value <= t.high)
    if isinstance(t, MapT):
        return all(within(t.value, v) for v in value.values())
    return True


def has_bounds(t: ir.Type) -> bool:
    """Whether `t` restricts values beyond their kind, so that a state leaf of it has a type obligation."""
    if isinstance(t, IntT):
        return t.low is not None or t.high is not None
    if isinstance(t, MapT):
        return has_bounds(t.value)
    return False


def leaves(spec: ir.Spec) -> list[tuple[str, ir.Type]]:
    """The state's leaves in declaration order: (path, type), records flattened (`token.ttl`)."""
    out: list[tuple[str, ir.Type]] = []

    def flatten(path: str, t: ir.Type) -> None:
        if isinstance(t, RecordT):
            for name, ft in t.fields:
                flatten(f"{path}.{name}", ft)
        else:
            out.append((path, t))

    for f in spec.state:
        flatten(f.name, f.type.resolved)
    return out


def type_obligations(spec: ir.Spec) -> list[str]:
    """The ids of the state's type obligations, `type:<path>`, as the prover names them."""
    return [f"type:{path}" for path, t in leaves(spec) if has_bounds(t)]


def obligations(spec: ir.Spec) -> list[str]:
    """Every id the prover reports on: the invariants, then the type obligations."""
    return [inv.id for inv in spec.invariants] + type_obligations(spec)


def type_violations(spec: ir.Spec, state: Mapping[str, Value]) -> list[str]:
    """The `type:<path>` ids of the leaves whose value is outside their declared bounds."""
    return [f"type:{path}" for path, t in leaves(spec) if has_bounds(t) and not within(t, state[path])]


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
        self.env = Env(State(), self.universe, _consts(spec), _enums(spec))
        self.leaves = leaves(spec)
        self.leaf_types = dict(self.leaves)
        self.actions = {a.name: a for a in spec.actions}
        self.invariants = {inv.id: inv for inv in spec.invariants}
        self._compiled: dict[str, tuple] = {}  # action name -> (action, its guards, its assignments), compiled

    def _parts(self, act: ir.Action) -> tuple[list[tuple[Evaluator, ir.Requires]], list[tuple[ir.Expr, Evaluator]]]:
        """An action's guards and assignments, each with its expression compiled (see `compiled`)."""
        entry = self._compiled.get(act.name)
        if entry is None or entry[0] is not act:
            entry = self._compiled[act.name] = (act, [(compiled(g.cond), g) for g in act.guards],
                                                [(a.target, compiled(a.value)) for a in act.assignments])
        return entry[1], entry[2]

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
        return _domain_values(t, (self.universe, self.env.enums))

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
        path = ir.state_path(target)
        if path is not None:
            if path not in self.leaf_types:
                raise EvaluationError(f"`{path}` is not a state leaf", target)
            current[path] = freeze(value)
            return
        if isinstance(target, ir.Index):
            base = evaluate(target.base, env)
            key = evaluate(target.key, env)
            if key not in base:
                raise EvaluationError(f"the key {key!r} is outside the map's domain", target)
            self._assign(target.base, base.set(key, freeze(value)), env, current)
            return
        raise EvaluationError("this cannot be assigned", target)

    def check_args(self, action: ir.Action | str, args: Mapping[str, Value]) -> ir.Action:
        """The action, after checking that `args` gives each parameter a value of its type."""
        act = self.action(action)
        names = [p.name for p in act.params]
        extra = set(args) - set(names)
        missing = [n for n in names if n not in args]
        if extra or missing:
            raise InvalidArguments(f"`{act.name}` takes ({', '.join(names)}); "
                                   f"missing {missing or 'none'}, unknown {sorted(extra) or 'none'}")
        for p in act.params:
            t, v = p.type.resolved, args[p.name]
            ok = (isinstance(v, bool) if isinstance(t, BoolT)
                  else isinstance(v, int) and not isinstance(v, bool) and within(t, v)
                  if isinstance(t, (IntT, QuantityT))
                  else v in self.values(t) if isinstance(t, (EnumT, SetT))
                  else False)
            if not ok:
                raise InvalidArguments(f"{v!r} is not a valid `{p.name}` for `{act.name}`")
        return act

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
        """Whether every guard of the action holds in `state` with `args`."""
        return self.failed_guard(action, state, args) is None

    def step(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value]) -> State:
        """The state after the action; raises `GuardFailed` for the first false guard."""
        act = self.action(action)
        failed = self.failed_guard(act, state, args)
        if failed is not None:
            raise failed
        return self.effect(act, state, args)

    def effect(self, action: ir.Action | str, state: Mapping[str, Value], args: Mapping[str, Value]) -> State:
        """The state after the action's assignments, run in order, guards not consulted (`step` checks
        them first; a caller that already has checked them, or wants the effect regardless, calls this)."""
        act = self.action(action)
        current = dict(state)
        env = self.env.with_state(current, args)
        for target, value in self._parts(act)[1]:
            self._assign(target, value(env), env, current)
        return State((p, current[p]) for p, _ in self.leaves)

    def holds(self, invariant: ir.Invariant | str, state: Mapping[str, Value]) -> bool:
        """Whether an invariant (or an id, including a type obligation `type:<path>`) holds in `state`."""
        if isinstance(invariant, str):
            if invariant.startswith("type:") and invariant not in self.invariants:
                path = invariant[len("type:"):]
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
        return [i for i in obligations(self.spec) if not self.holds(i, state)]

    def arguments(self, action: ir.Action | str, int_values: Iterable[int]) -> list[dict[str, Value]]:
        """Every argument tuple of the action, as dicts param -> value, over finite candidates.

        Ints (also nat, ranges and durations, in milliseconds) come from
        `int_values`, filtered by the parameter's declared bounds; bools,
        enum members and set elements are all taken. Guards are not looked
        at: use `enabled` for that.
        """
        act = self.action(action)
        ints = tuple(dict.fromkeys(int_values))
        choices = []
        for p in act.params:
            t = p.type.resolved
            if isinstance(t, (IntT, QuantityT)):
                choices.append([v for v in ints if within(t, v)])
            else:
                choices.append(list(self.values(t)))
        names = [p.name for p in act.params]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


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


__all__ = [
    "HANDLERS",
    "Env",
    "EvaluationError",
    "FrozenMap",
    "GuardFailed",
    "InterpretError",
    "Interpreter",
    "InvalidArguments",
    "State",
    "Universe",
    "Value",
    "Evaluator",
    "arguments",
    "compiled",
    "enabled",
    "evaluate",
    "freeze",
    "has_bounds",
    "holds",
    "initial_state",
    "leaves",
    "obligations",
    "step",
    "type_obligations",
    "type_violations",
    "within",
]


def split_entries(body: str) -> list[str]:
    """The comma-separated parts of a printed map's body (between its braces), nested maps kept whole:
    the inverse of how the prover's trace renderer joins entries, for the readers of printed traces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    if body.strip():
        parts.append(body[start:].strip())
    return parts
