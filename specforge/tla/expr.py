"""The typed IR's expressions as TLA+ text: one handler per node, found by table.

The meaning is the prover's (`specforge.prove.encode`) and the interpreter's:
- ints, nats, ranges and durations are TLA+ integers (durations in
  milliseconds); `/` and `%` are floor division and its remainder, through
  the module's `FloorDiv` and `FloorMod` (TLC's `\\div` and `%` differ from
  Python's for negative divisors, and `%` rejects them);
- an enum value is a string (`"paid"`), a set element a TLC model value;
- a map is a TLA+ function, a comprehension `[a \\in Account |-> 0]`;
- `abs`, `min` and `max` are the module's `AbsVal`, `MinVal` and `MaxVal`;
- a `set[T]` value is a TLA+ set (`SUBSET T`); `add`, `remove`, `union`, `inter`, `diff` and
  `subset` are `\\cup {x}`, `\\ {x}`, `\\cup`, `\\cap`, `\\` and `\\subseteq`, `card` is
  FiniteSets' `Cardinality`;
- `sum` and `count` are the module's recursive `SumOf` over a function
  built from the aggregate (written into the module only when used).

An operand is parenthesised unless it binds tighter than its operator under
TLA+'s precedence (`PRECEDENCE`), so the text means what the IR means, also
for TLA+'s non-associative `=>` and comparisons. State variables are read
through `Env.state`, which maps each leaf (`balance`, `token.ttl`) to the
text of its current value: that is how an action's sequential assignments
see the values assigned before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import ir
from ..ir import RecordT, RefKind
from .names import Names

# TLC's integers are 32-bit: a literal outside this range stops TLC (Apalache has no limit).
TLC_MAX_INT = 2**31 - 1


class CannotExpress(Exception):
    """A node this back end cannot translate; carries the node for a positioned diagnostic."""

    def __init__(self, message: str, node=None, hint: str | None = None):
        super().__init__(message)
        self.node = node
        self.hint = hint


# TLA+'s precedence levels (higher binds tighter); IF and quantifiers reach as far right as they
# can, so they are parenthesised everywhere but at the top.
PRECEDENCE = {
    "IF": 0, "Q": 0, "=>": 1, "<=>": 2, "/\\": 3, "\\/": 3, "~": 4,
    "=": 5, "/=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "\\in": 5,
    "..": 9, "+": 10, "-": 11, "neg": 12, "*": 13,
}
ATOMIC = 100


@dataclass(frozen=True)
class Text:
    """TLA+ text and its outermost operator (None: atomic, safe as any operand)."""

    text: str
    op: str | None = None

    @property
    def precedence(self) -> int:
        return ATOMIC if self.op is None else PRECEDENCE[self.op]

    def operand(self, context: int = ATOMIC - 1) -> str:
        """The text as an operand of an operator of precedence `context`: parenthesised unless it
        binds tighter."""
        return self.text if self.precedence > context else f"({self.text})"


def atom(text: str) -> Text:
    return Text(text, None)


@dataclass
class Globals:
    """The module-level names the translation refers to."""

    consts: dict[str, str]  # spec constant -> operator name
    domains: dict[str, str]  # set or enum -> the TLA+ name of its set of values
    helpers: dict[str, str]  # "div", "mod", "abs", "min", "max" -> operator name
    big_literals: list = field(default_factory=list)  # IntLit/QuantityLit nodes outside TLC's range


@dataclass
class Env:
    """What names mean at one point of the translation."""

    state: dict[str, Text | None]  # leaf path -> current value (None: not yet assigned in init)
    names: Names  # allocates bound variables
    params: dict[str, str] = field(default_factory=dict)
    bound: dict[str, str] = field(default_factory=dict)

    def bind(self, var: str) -> tuple[str, Env]:
        names = self.names.child()
        name = names.claim(var)
        return name, Env(self.state, names, self.params, {**self.bound, var: name})


class Translator:
    def __init__(self, globals_: Globals):
        self.g = globals_

    def expr(self, e: ir.Expr, env: Env) -> Text:
        handler = HANDLERS.get(type(e))
        if handler is None:
            raise CannotExpress(f"no TLA+ translation for {type(e).__name__}", e)
        return handler(self, e, env)

    def text(self, e: ir.Expr, env: Env) -> str:
        return self.expr(e, env).text

    def leaf(self, path: str, e, env: Env) -> Text:
        if path not in env.state:
            raise CannotExpress(f"`{path}` is a record; TLA+ export reads records field by field", e,
                                "name one of its fields")
        value = env.state[path]
        if value is None:
            raise CannotExpress(f"`{path}` is read before init assigns it", e)
        return value

    def literal(self, e, value: int) -> Text:
        if abs(value) > TLC_MAX_INT:
            self.g.big_literals.append(e)
        return atom(str(value))


def _name(t: Translator, e: ir.Name, env: Env) -> Text:
    ref = e.ref
    if ref is RefKind.BOUND:
        return atom(env.bound[e.name])
    if ref is RefKind.PARAM:
        return atom(env.params[e.name])
    if ref is RefKind.VAR:
        if isinstance(e.type, RecordT):
            raise CannotExpress(f"`{e.name}` is a record; TLA+ export reads records field by field", e,
                                "name one of its fields")
        return t.leaf(e.name, e, env)
    if ref is RefKind.CONST:
        return atom(t.g.consts[e.name])
    if ref is RefKind.ENUM_VALUE:
        return atom(f'"{e.name}"')
    if ref is RefKind.DOMAIN:
        return atom(t.g.domains[e.name])
    raise CannotExpress(f"`{e.name}` is not a value (was the spec checked?)", e)


def _field(t: Translator, e: ir.FieldAccess, env: Env) -> Text:
    path = ir.state_path(e)
    if path is None:
        raise CannotExpress("only state records have fields", e)
    if isinstance(e.type, RecordT):
        raise CannotExpress(f"`{path}` is a record; TLA+ export reads records field by field", e,
                            "name one of its fields")
    return t.leaf(path, e, env)


def _index(t: Translator, e: ir.Index, env: Env) -> Text:
    return atom(f"{t.expr(e.base, env).operand()}[{t.text(e.key, env)}]")


def _unary(t: Translator, e: ir.Unary, env: Env) -> Text:
    operand = t.expr(e.operand, env).operand()
    return Text(f"~{operand}", "~") if e.op is ir.UnOp.NOT else Text(f"-{operand}", "neg")


_INFIX = {
    ir.BinOp.ADD: "+", ir.BinOp.SUB: "-", ir.BinOp.MUL: "*",
    ir.BinOp.AND: "/\\", ir.BinOp.OR: "\\/", ir.BinOp.IMPLIES: "=>", ir.BinOp.IFF: "<=>",
}
# a left operand with the same operator needs no parentheses: these are left-associative in TLA+
_LEFT_ASSOCIATIVE = {"+", "-", "*", "/\\", "\\/"}
_HELPER_OPS = {ir.BinOp.DIV: "div", ir.BinOp.MOD: "mod"}


def _binary(t: Translator, e: ir.Binary, env: Env) -> Text:
    left, right = t.expr(e.left, env), t.expr(e.right, env)
    helper = _HELPER_OPS.get(e.op)
    if helper is not None:
        return atom(f"{t.g.helpers[helper]}({left.text}, {right.text})")
    op = _INFIX[e.op]
    # `a + b + c` and `a - b - c` stay flat
    p = PRECEDENCE[op]
    lhs = left.text if (op in _LEFT_ASSOCIATIVE and left.op == op) else left.operand(p)
    rhs = right.operand(p) if right.op != "neg" else f"({right.text})"  # `a - (-b)`, never `a - -b`
    return Text(f"{lhs} {op} {rhs}", op)


_COMPARE = {
    ir.CmpOp.EQ: "=", ir.CmpOp.NE: "/=", ir.CmpOp.LT: "<",
    ir.CmpOp.LE: "<=", ir.CmpOp.GT: ">", ir.CmpOp.GE: ">=",
}


def _compare(t: Translator, e: ir.Compare, env: Env) -> Text:
    op = _COMPARE[e.op]
    p = PRECEDENCE[op]
    return Text(f"{t.expr(e.left, env).operand(p)} {op} {t.expr(e.right, env).operand(p)}", op)


def _collection(t: Translator, e: ir.Expr, env: Env) -> str:
    """A domain after `\\in`: a range needs no parentheses there (`..` binds tighter)."""
    return t.expr(e, env).operand(PRECEDENCE["\\in"])


def _member(t: Translator, e: ir.Member, env: Env) -> Text:
    element = t.expr(e.element, env).operand(PRECEDENCE["\\in"])
    return Text(f"{element} \\in {_collection(t, e.collection, env)}", "\\in")


def _range(t: Translator, e: ir.Range, env: Env) -> Text:
    p = PRECEDENCE[".."]
    return Text(f"{t.expr(e.low, env).operand(p)}..{t.expr(e.high, env).operand(p)}", "..")


# The spec's set functions (setops.FUNCTIONS) as TLA+ set operators; card is FiniteSets' Cardinality.
_SET_CALLS = {
    "add": "({0} \\cup {{{1}}})", "remove": "({0} \\ {{{1}}})", "union": "({0} \\cup {1})",
    "inter": "({0} \\cap {1})", "diff": "({0} \\ {1})", "subset": "({0} \\subseteq {1})",
    "card": "Cardinality({0})",
}


# calls other modules translate (tla/strings.py): func -> handler(argument texts, node)
CALLS: dict[str, Callable[[Translator, list[str], ir.Call], Text]] = {}


def _call(t: Translator, e: ir.Call, env: Env) -> Text:
    args = [t.text(a, env) for a in e.args]
    if e.func in CALLS:
        return CALLS[e.func](t, args, e)
    if e.func in _SET_CALLS:
        return atom(_SET_CALLS[e.func].format(*args))
    if e.func == "or_else":  # an optional is a set of at most one value (tla/records.py)
        name, _ = env.bind("v")
        x = t.expr(e.args[0], env).operand(PRECEDENCE["="])
        return Text(f"IF {x} = {{}} THEN {args[1]} ELSE CHOOSE {name} \\in {x} : TRUE", "IF")
    if e.func == "abs":
        return atom(f"{t.g.helpers['abs']}({args[0]})")
    if e.func not in ("min", "max"):
        raise CannotExpress(f"unknown function `{e.func}`", e)
    helper = t.g.helpers[e.func]
    result = args[0]
    for a in args[1:]:
        result = f"{helper}({result}, {a})"
    return atom(result)


def _set_literal(t: Translator, e: ir.SetLiteral, env: Env) -> Text:
    return atom("{" + ", ".join(t.text(i, env) for i in e.items) + "}")


def _if(t: Translator, e: ir.IfThenElse, env: Env) -> Text:
    return Text(f"IF {t.text(e.cond, env)} THEN {t.text(e.then, env)} ELSE {t.text(e.else_, env)}", "IF")


def _quantifier(t: Translator, e: ir.Quantifier, env: Env) -> Text:
    domain = _collection(t, e.domain, env)
    name, inner = env.bind(e.var)
    q = "\\A" if e.quantifier == "forall" else "\\E"
    return Text(f"{q} {name} \\in {domain} : {t.text(e.body, inner)}", "Q")


def _comprehension(t: Translator, e: ir.MapComprehension, env: Env) -> Text:
    domain = _collection(t, e.domain, env)
    name, inner = env.bind(e.var)
    return atom(f"[{name} \\in {domain} |-> {t.text(e.value, inner)}]")


def _aggregate(t: Translator, e: ir.Aggregate, env: Env) -> Text:
    """`SumOf([x \\in S |-> IF cond THEN value ELSE 0])`: the module's recursive SumOf adds up a
    function's values (a count adds 1 per member)."""
    domain = _collection(t, e.domain, env)
    name, inner = env.bind(e.var)
    value = t.text(e.value, inner) if e.value is not None else "1"
    if e.cond is not None:
        value = f"IF {t.text(e.cond, inner)} THEN {value} ELSE 0"
    return atom(f"{t.g.helpers['sum']}([{name} \\in {domain} |-> {value}])")


HANDLERS: dict[type, Callable[[Translator, ir.Expr, Env], Text]] = {
    ir.IntLit: lambda t, e, env: t.literal(e, e.value),
    ir.BoolLit: lambda t, e, env: atom("TRUE" if e.value else "FALSE"),
    ir.QuantityLit: lambda t, e, env: t.literal(e, e.value),
    ir.Name: _name,
    ir.FieldAccess: _field,
    ir.Index: _index,
    ir.Unary: _unary,
    ir.Binary: _binary,
    ir.Compare: _compare,
    ir.Member: _member,
    ir.Range: _range,  # as a domain, or on the right of `in`: a TLA+ set of ints
    ir.Call: _call,
    ir.SetLiteral: _set_literal,
    ir.IfThenElse: _if,
    ir.Quantifier: _quantifier,
    ir.MapComprehension: _comprehension,
    ir.Aggregate: _aggregate,
}
"""One handler per IR expression class: `handler(translator, node, env) -> Text`."""
