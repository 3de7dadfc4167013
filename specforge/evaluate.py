"""The evaluator of typed IR expressions: the one executable meaning of every expression.

Every consumer that needs the value of an expression (the checker's constants, the
interpreter, the explicit-state engine, the property tests) goes through `compiled`.
Semantics (the prover's, `specforge.prove.encode`): `/` is floor division and `%` its
remainder, as in Python; a division by zero and a map lookup outside the map's domain
raise `EvaluationError`; `and`, `or`, `implies` and `if` evaluate only the operands they
need, so `x != 0 implies 10 / x > 0` is fine when `x` is 0.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import ir, setops, strings
from .ir import BoolT, EnumT, IntT, RecordT, RefKind, SetT
from .values import FrozenMap, Value, freeze

# ---- errors -------------------------------------------------------------------------------------


class InterpretError(Exception):
    """Base class of the errors this module raises."""


class EvaluationError(InterpretError):
    """An expression has no value: division by zero, a key outside a map's domain, ...

    `node` is the IR node being evaluated, for a positioned message; `reason` is the
    message without its line, for a caller that positions it itself (the checker).
    """

    def __init__(self, message: str, node: ir.Expr | None = None):
        self.reason = message
        if node is not None and getattr(node, "span", None) is not None:
            message = f"line {node.span.line}: {message}"
        super().__init__(message)
        self.node = node


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
    # A product at or above this magnitude has no value: the checker's digit cap on constants, applied
    # at every product so that `A * A * ... * A` cannot take minutes before the cap is seen.
    limit: int | None = None

    @classmethod
    def of(cls, spec: ir.Spec, universe: Mapping[str, tuple], state: Mapping[str, Value] | None = None,
           params: Mapping[str, Value] | None = None) -> Env:
        return cls(state if state is not None else {}, universe, consts_of(spec), enums_of(spec), params or {})

    def with_state(self, state: Mapping[str, Value], params: Mapping[str, Value] | None = None) -> Env:
        return Env(state, self.universe, self.consts, self.enums,
                   self.params if params is None else params, {}, self.limit)

    def child(self) -> Env:
        """A copy whose bound variables can be changed without touching this one."""
        return Env(self.state, self.universe, self.consts, self.enums, self.params, dict(self.bound), self.limit)


def consts_of(spec: ir.Spec) -> dict[str, Value]:
    return {c.name: freeze(c.evaluated) for c in spec.consts}  # a record constant is stored as a dict


def enums_of(spec: ir.Spec) -> dict[str, tuple[str, ...]]:
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


def _literal(e: ir.IntLit | ir.BoolLit | ir.QuantityLit | ir.StringLit) -> Evaluator:
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
        return lambda env: domain_values(element, env, e)
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


def _mul(a: int, b: int, env: Env, node: ir.Expr) -> int:
    product = a * b
    if env.limit is not None and abs(product) >= env.limit:
        raise EvaluationError("a product is past the limit on a value's size", node)
    return product


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
        return lambda env: _mul(left(env), right(env), env, e)
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
    if func in setops.APPLY:
        apply = setops.APPLY[func]
        return lambda env: apply(*[a(env) for a in args])
    if func in strings.FUNCTIONS:
        (s,) = args
        return lambda env: strings.apply(func, s(env))
    if func == "or_else":
        value, default = args
        return lambda env: default(env) if (v := value(env)) is None else v

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


def _set_literal(e: ir.SetLiteral) -> Evaluator:
    items = [compiled(i) for i in e.items]
    return lambda env: frozenset(i(env) for i in items)


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


def _aggregate(e: ir.Aggregate) -> Evaluator:
    domain, var = compiled(e.domain), e.var
    value = compiled(e.value) if e.value is not None else _constant(1)
    cond = compiled(e.cond) if e.cond is not None else _constant(True)

    def total(env: Env) -> int:
        values = domain(env)
        inner = env.child()
        bound = inner.bound
        result = 0
        for v in values:
            bound[var] = v
            if cond(inner):
                result += value(inner)
        return result
    return total


def _record_literal(e: ir.RecordLiteral) -> Evaluator:
    fields, values = e.fields, [compiled(v) for v in e.values]
    return lambda env: FrozenMap.adopt({f: v(env) for f, v in zip(fields, values, strict=True)})


def _record_with(e: ir.RecordWith) -> Evaluator:
    base, fields, values = compiled(e.base), e.fields, [compiled(v) for v in e.values]

    def replace(env: Env) -> FrozenMap:
        items = base(env).copy()
        for f, v in zip(fields, values, strict=True):
            items[f] = v(env)
        return FrozenMap.adopt(items)
    return replace


def _record_field(e: ir.RecordField) -> Evaluator:
    base, name = compiled(e.base), e.field
    return lambda env: base(env)[name]


def _present(e: ir.Present) -> Evaluator:
    value = compiled(e.value)

    def read(env: Env) -> Value:
        v = value(env)
        if v is None:
            raise EvaluationError(f"line {e.span.line}: an optional read as present is none here")
        return v
    return read


HANDLERS: dict[type, Callable[[Any], Evaluator]] = {
    ir.IntLit: _literal,
    ir.BoolLit: _literal,
    ir.QuantityLit: _literal,
    ir.StringLit: _literal,
    ir.Name: _name,
    ir.FieldAccess: _field,
    ir.Index: _index,
    ir.Unary: _unary,
    ir.Binary: _binary,
    ir.Compare: _compare,
    ir.Member: _member,
    ir.Range: _range,  # only as a domain or on the right of `in`
    ir.Call: _call,
    ir.SetLiteral: _set_literal,
    ir.IfThenElse: _if,
    ir.Quantifier: _quantifier,
    ir.MapComprehension: _comprehension,
    ir.Aggregate: _aggregate,
    # a record value is a FrozenMap field -> value; `none` is Python's None, a present `T?` the T itself
    ir.RecordLiteral: _record_literal,
    ir.RecordWith: _record_with,
    ir.RecordField: _record_field,
    ir.NoneLit: lambda e: _constant(None),
    ir.Some: lambda e: compiled(e.value),
    ir.Present: _present,
}
"""One handler per IR expression class: `handler(node) -> evaluator`, the node compiled (see `compiled`)."""


# ---- types and domains ---------------------------------------------------------------------------


def domain_values(t: ir.Type, env_or_universe, node: ir.Expr | None = None) -> tuple:
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
    if isinstance(t, ir.SetOfT):
        return subsets(domain_values(t.element, env_or_universe, node))
    if isinstance(t, (ir.StructT, ir.OptionT)):
        return composite_values(t, lambda leaf: domain_values(leaf, env_or_universe, node))
    raise EvaluationError(f"the type {t.kind} is not a finite domain", node)


def composite_values(t: ir.Type, leaf_values: Callable[[ir.Type], tuple]) -> tuple:
    """Every value of a record or optional type, its other types' values from `leaf_values`: a record's
    values are every combination of its fields' values, a `T?`'s are `none` then T's."""
    import itertools

    if isinstance(t, ir.OptionT):
        return (None, *composite_values(t.value, leaf_values))
    if isinstance(t, ir.StructT):
        names = [n for n, _ in t.fields]
        choices = [composite_values(ft, leaf_values) for _, ft in t.fields]
        return tuple(FrozenMap.adopt(dict(zip(names, combo, strict=True))) for combo in itertools.product(*choices))
    return tuple(leaf_values(t))


def thinned_composite_values(t: ir.Type, leaf_values: Callable[[ir.Type], tuple], cap: int) -> tuple[tuple, bool]:
    """`composite_values` kept to about `cap` values: while the product of the leaves' values is larger,
    the int leaf with the most values keeps only its smallest, middle and largest. Also says whether any
    leaf was thinned (then the values are a sample of the type's, not all of them)."""
    import math

    leaves: list[ir.Type] = []

    def collect(x: ir.Type) -> None:
        if isinstance(x, ir.StructT):
            for _, ft in x.fields:
                collect(ft)
        elif isinstance(x, ir.OptionT):
            collect(x.value)
        else:
            leaves.append(x)
    collect(t)
    pools = [sorted(leaf_values(x)) if isinstance(x, (IntT, ir.QuantityT)) else list(leaf_values(x)) for x in leaves]
    thinned = False
    while math.prod(len(p) for p in pools) > cap:
        widest = max((i for i, x in enumerate(leaves) if isinstance(x, (IntT, ir.QuantityT)) and len(pools[i]) > 3),
                     key=lambda i: len(pools[i]), default=None)
        if widest is None:
            break
        p = pools[widest]
        pools[widest] = [p[0], p[len(p) // 2], p[-1]]
        thinned = True
    order = iter(pools)  # composite_values asks for each leaf once, in the order collect() found them
    return composite_values(t, lambda x: next(order)), thinned


def subsets(members: tuple) -> tuple:
    """Every subset of `members` as a frozenset, the smaller ones first (the values of a `set[T]`)."""
    import itertools

    return tuple(frozenset(c) for n in range(len(members) + 1) for c in itertools.combinations(members, n))
