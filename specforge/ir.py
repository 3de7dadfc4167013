"""The typed intermediate representation every back end reads.

Frozen pydantic models. Expressions form a closed union discriminated by
`kind`; every node carries its source span. The lowering builds these nodes
with `type` left empty; the checker returns the same tree with `type` filled
on every expression (and `ref` on every name), which is the "typed IR".

Quantities are stored as exact integers in their dimension's base unit
(milliseconds for time), so `15 min` and `900 s` are the same value.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .source import Span

IR_VERSION = 1


class _Model(BaseModel):
    # defer_build: pydantic builds a model's schema when it first validates or
    # serialises one. The front end builds nodes with `make` and never
    # validates, so `specforge check` does not pay for ~30 schemas at start-up.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


# ---- semantic types (filled in by the checker) ---------------------------------


class BoolT(_Model):
    kind: Literal["bool"] = "bool"


class StringT(_Model):
    """`string`: a finite sequence of Unicode characters."""

    kind: Literal["string"] = "string"


class IntT(_Model):
    """An integer; `low`/`high` are inclusive bounds when the type has them (nat: low 0)."""

    kind: Literal["int"] = "int"
    low: int | None = None
    high: int | None = None


class QuantityT(_Model):
    """A quantity of one dimension, in that dimension's base unit."""

    kind: Literal["quantity"] = "quantity"
    dimension: str


class EnumT(_Model):
    kind: Literal["enum"] = "enum"
    name: str


class SetT(_Model):
    """An element of a declared `set` (an uninterpreted domain)."""

    kind: Literal["set"] = "set"
    name: str


class RangeT(_Model):
    """The type of a range expression `a..b`: a finite domain of ints."""

    kind: Literal["range"] = "range"


class DomainT(_Model):
    """The type of a set's or an enum's own name used as a domain (`a in Account`)."""

    kind: Literal["domain"] = "domain"
    element: Type


class SetOfT(_Model):
    """`set[T]`: a finite set of values of T (a set's elements, an enum's values, a range's ints).

    `element` is None only on the empty literal `{}` before its context gives it one."""

    kind: Literal["set_of"] = "set_of"
    element: Type | None = None


class MapT(_Model):
    kind: Literal["map"] = "map"
    key: Type
    value: Type


class RecordT(_Model):
    kind: Literal["record"] = "record"
    fields: list[tuple[str, Type]]


class StructT(_Model):
    """A named record type (`type Triage = { ... }`): a value with one value per field, in declaration
    order. Unlike `RecordT` (a block of state fields, flattened into leaves) it is a value: it may be a
    map's value, a parameter, a constant, and it is compared and assigned whole."""

    kind: Literal["struct"] = "struct"
    name: str
    fields: list[tuple[str, Type]]


class OptionT(_Model):
    """`T?`: a value of T, or `none`. `value` is None only on a bare `none` before its context types it."""

    kind: Literal["option"] = "option"
    value: Type | None = None


Type = Annotated[
    BoolT | IntT | QuantityT | EnumT | SetT | RangeT | DomainT | SetOfT | MapT | RecordT | StructT | OptionT
    | StringT,
    Field(discriminator="kind"),
]


# ---- expressions --------------------------------------------------------------


class RefKind(str, enum.Enum):
    """What a name refers to, once the checker has resolved it."""

    VAR = "var"  # a state variable (or the root of a record)
    CONST = "const"
    PARAM = "param"  # an action parameter
    BOUND = "bound"  # a quantifier's or comprehension's variable
    ENUM_VALUE = "enum_value"
    DOMAIN = "domain"  # the name of a set or an enum


class BinOp(str, enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    AND = "and"
    OR = "or"
    IMPLIES = "implies"
    IFF = "iff"


class CmpOp(str, enum.Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


# What each comparison means; the operator functions work alike on Python values
# (the checker, the interpreter) and on z3 terms (the prover).
COMPARISONS: dict[CmpOp, Callable] = {
    CmpOp.EQ: operator.eq,
    CmpOp.NE: operator.ne,
    CmpOp.LT: operator.lt,
    CmpOp.LE: operator.le,
    CmpOp.GT: operator.gt,
    CmpOp.GE: operator.ge,
}


class UnOp(str, enum.Enum):
    NEG = "-"
    NOT = "not"


class _Expr(_Model):
    span: Span
    type: Type | None = None


class IntLit(_Expr):
    kind: Literal["int"] = "int"
    value: int


class BoolLit(_Expr):
    kind: Literal["bool"] = "bool"
    value: bool


class StringLit(_Expr):
    """`"high"`: the characters themselves (escapes decoded)."""

    kind: Literal["string"] = "string"
    value: str


class QuantityLit(_Expr):
    """`15 min`: `value` is exact, in the base unit of `dimension`; `text` is as written."""

    kind: Literal["quantity"] = "quantity"
    value: int
    dimension: str
    text: str


class Name(_Expr):
    kind: Literal["name"] = "name"
    name: str
    ref: RefKind | None = None
    enum: str | None = None  # for an enum value: the enum it belongs to


class FieldAccess(_Expr):
    """`token.ttl` on a record, or `Status.paid` naming an enum value."""

    kind: Literal["field"] = "field"
    base: Expr
    field: str


class Index(_Expr):
    """A map lookup `balances[a]`."""

    kind: Literal["index"] = "index"
    base: Expr
    key: Expr


class Unary(_Expr):
    kind: Literal["unary"] = "unary"
    op: UnOp
    operand: Expr


class Binary(_Expr):
    kind: Literal["binary"] = "binary"
    op: BinOp
    left: Expr
    right: Expr


class Compare(_Expr):
    """One comparison. A chain `a < b <= c` is lowered to `a < b and b <= c`."""

    kind: Literal["compare"] = "compare"
    op: CmpOp
    left: Expr
    right: Expr


class Member(_Expr):
    """`x in 0..10`, `a in Account`, `s in Status`."""

    kind: Literal["member"] = "member"
    element: Expr
    collection: Expr


class Range(_Expr):
    """`low..high`, both ends inclusive."""

    kind: Literal["range"] = "range"
    low: Expr
    high: Expr


class SetLiteral(_Expr):
    """`{a, b, c}`, or `{}` (its element type from its context)."""

    kind: Literal["set_literal"] = "set_literal"
    items: list[Expr]


class Call(_Expr):
    kind: Literal["call"] = "call"
    func: str
    args: list[Expr]


class IfThenElse(_Expr):
    kind: Literal["if"] = "if"
    cond: Expr
    then: Expr
    else_: Expr = Field(alias="else")


class Quantifier(_Expr):
    """`forall var in domain: body` (several binders are nested quantifiers)."""

    kind: Literal["quantifier"] = "quantifier"
    quantifier: Literal["forall", "exists"]
    var: str
    var_span: Span
    domain: Expr
    body: Expr


class MapComprehension(_Expr):
    """`{var: value for var in domain}`: a whole map value."""

    kind: Literal["map_comprehension"] = "map_comprehension"
    var: str
    var_span: Span
    domain: Expr
    value: Expr


class Aggregate(_Expr):
    """`sum(value for var in domain if cond)` or `count(var in domain if cond)` (`value` None).

    Over the members of a set, an enum or a range; `cond` None counts every member. The sum of
    no values is 0.
    """

    kind: Literal["aggregate"] = "aggregate"
    op: Literal["sum", "count"]
    var: str
    var_span: Span
    domain: Expr
    value: Expr | None = None
    cond: Expr | None = None


class RecordLiteral(_Expr):
    """`Triage { category: spam, priority: 1 }`: a value of a named record type, every field given. Written
    without its type (`{ category: spam, ... }`), the checker names it from where it is used; a checked
    spec never holds a literal whose `name` is empty."""

    kind: Literal["record_literal"] = "record_literal"
    name: str
    fields: list[str]
    values: list[Expr]


class RecordWith(_Expr):
    """`t with { priority: 2 }`: the record `base` with the named fields replaced. The checker also
    builds one for a field assignment: `m[k].priority := 2` is `m[k] := m[k] with { priority: 2 }`."""

    kind: Literal["record_with"] = "record_with"
    base: Expr
    fields: list[str]
    values: list[Expr]


class RecordField(_Expr):
    """`t.priority`, a field of a record value (the checker turns a `FieldAccess` into one when its base
    has a named record type; `FieldAccess` stays for the fields of a record in `state`)."""

    kind: Literal["record_field"] = "record_field"
    base: Expr
    field: str


class NoneLit(_Expr):
    """`none`: the absent value of an optional type `T?`."""

    kind: Literal["none"] = "none"


class Some(_Expr):
    """A value of T where a `T?` is expected (built by the checker, never written): present, equal to `value`."""

    kind: Literal["some"] = "some"
    value: Expr


class Present(_Expr):
    """The value of an optional where it is known to be present (built by the checker, never written):
    `current` in `current.priority` after `requires current != none`, or on the right of
    `current != none and ...`. Where the optional is `none` it has no meaning (an `EvaluationError`, a
    definedness obligation), so narrowing the checker got wrong cannot go unnoticed."""

    kind: Literal["present"] = "present"
    value: Expr


Expr = Annotated[
    IntLit | BoolLit | QuantityLit | Name | FieldAccess | Index | Unary | Binary | Compare | Member | Range | Call
    | SetLiteral | IfThenElse | Quantifier | MapComprehension | Aggregate
    | RecordLiteral | RecordWith | RecordField | NoneLit | Some | Present | StringLit,
    Field(discriminator="kind"),
]

EXPR_CLASSES: tuple[type[_Expr], ...] = (
    IntLit,
    BoolLit,
    QuantityLit,
    Name,
    FieldAccess,
    Index,
    Unary,
    Binary,
    Compare,
    Member,
    Range,
    Call,
    SetLiteral,
    IfThenElse,
    Quantifier,
    MapComprehension,
    Aggregate,
    RecordLiteral,
    RecordWith,
    RecordField,
    NoneLit,
    Some,
    Present,
    StringLit,
)


_EXPR_FIELDS: dict[type, tuple[str, ...]] = {}


def expr_fields(cls: type[_Expr]) -> tuple[str, ...]:
    """The fields of a node class that hold an expression or a list of them, in declaration order (read
    from the annotations once per class: walking the IR is most of what the front end and the prover's
    set-up do, and testing every field's value against every node class was most of that)."""
    names = _EXPR_FIELDS.get(cls)
    if names is None:
        names = _EXPR_FIELDS[cls] = tuple(
            name for name, f in cls.model_fields.items()
            if f.annotation in EXPR_CLASSES or re.search(r"\bExpr\b", str(f.annotation)))
    return names


def subexpressions(e: _Expr) -> Iterator[_Expr]:
    """The expressions directly inside `e`, in field order (a call's arguments in order)."""
    values = e.__dict__
    for name in expr_fields(type(e)):
        value = values[name]
        if type(value) is list:
            yield from value
        elif value is not None:
            yield value


def _is_result(e: _Expr) -> bool:
    return isinstance(e, Name) and e.name == RESULT and e.ref is RefKind.PARAM


def root_name(e: _Expr) -> str | None:
    """The variable at the root of a target or an access (`reserved` for `reserved[c][i]`, `token`
    for `token.ttl`), or None when the root is not a name."""
    while isinstance(e, (FieldAccess, Index)):
        e = e.base
    return e.name if isinstance(e, Name) else None


def walk(e: _Expr) -> Iterator[_Expr]:
    """`e` and every expression inside it, each before the ones inside it."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(subexpressions(node))))


# ---- types as written -----------------------------------------------------------


class NamedTypeRef(_Model):
    """`int`, `nat`, `bool`, `duration`, or the name of an enum or a set."""

    kind: Literal["named"] = "named"
    span: Span
    name: str
    resolved: Type | None = None


class RangeTypeRef(_Model):
    """`int[0..100]` (also written `0..100` as a map's key)."""

    kind: Literal["range"] = "range"
    span: Span
    base: str
    low: Expr
    high: Expr
    resolved: Type | None = None


class MapTypeRef(_Model):
    kind: Literal["map"] = "map"
    span: Span
    key: TypeRef
    value: TypeRef
    resolved: Type | None = None


class SetTypeRef(_Model):
    """`set[T]`."""

    kind: Literal["set_of"] = "set_of"
    span: Span
    element: TypeRef
    resolved: Type | None = None


class RecordTypeRef(_Model):
    """A nested block of fields in `state`."""

    kind: Literal["record"] = "record"
    span: Span
    fields: list[StateField]
    resolved: Type | None = None


class OptionTypeRef(_Model):
    """`T?`."""

    kind: Literal["option"] = "option"
    span: Span
    value: TypeRef
    resolved: Type | None = None


TypeRef = Annotated[NamedTypeRef | RangeTypeRef | MapTypeRef | SetTypeRef | RecordTypeRef | OptionTypeRef,
                    Field(discriminator="kind")]


# ---- declarations and statements -------------------------------------------------


class StateField(_Model):
    span: Span
    name: str
    type: TypeRef


class Const(_Model):
    span: Span
    name: str
    type: TypeRef
    value: Expr
    # filled by the checker (enum values as names, a record as a dict of its fields)
    evaluated: int | bool | str | dict | None = None


class SetDecl(_Model):
    span: Span
    name: str


class EnumMember(_Model):
    span: Span
    name: str


class EnumDecl(_Model):
    span: Span
    name: str
    members: list[EnumMember]


class Assign(_Model):
    """`target := value`; the target is a name, a record field or a map entry."""

    kind: Literal["assign"] = "assign"
    span: Span
    target: Expr
    value: Expr


class Requires(_Model):
    """A guard; `error` names the failure mode, or is None for an assumption."""

    kind: Literal["requires"] = "requires"
    span: Span
    cond: Expr
    error: str | None = None
    error_span: Span | None = None


Statement = Annotated[Requires | Assign, Field(discriminator="kind")]


class Returns(_Model):
    """`returns EXPR`: the action's result when it succeeds, read in the state after it."""

    span: Span
    value: Expr


RESULT = "result"  # the name of an action's result in its `ensures`


class Ensures(_Model):
    """`ensures COND`: a postcondition over `result`, the parameters and the state after the action.
    `id` names it in reports: `<action>.ensures.<n>`, counting from 1 in the action."""

    span: Span
    id: str
    cond: Expr


class Param(_Model):
    span: Span
    name: str
    type: TypeRef


class Action(_Model):
    span: Span
    name: str
    params: list[Param]
    body: list[Statement]
    # `-> T`: what the action answers when it succeeds, with what it must answer
    result: TypeRef | None = None
    returns: Returns | None = None
    ensures: list[Ensures] = []

    @property
    def guards(self) -> list[Requires]:
        return [s for s in self.body if isinstance(s, Requires)]

    @property
    def assignments(self) -> list[Assign]:
        return [s for s in self.body if isinstance(s, Assign)]

    @property
    def answer(self) -> Param | None:
        """`result` as one more argument of the call, when the action's effect reads it
        (`queued := queued + (if result.route == human then 1 else 0)` in an action with `ensures` and no
        `returns`): the implementation chooses it among the answers its `ensures` allow in the state
        after the call, so every back end takes it as an argument limited by those `ensures`."""
        if self.result is None or self.returns is not None:
            return None
        for a in self.assignments:
            for root in (a.target, a.value):
                if any(_is_result(n) for n in walk(root)):
                    return Param(span=self.result.span, name=RESULT, type=self.result)
        return None

    @property
    def answer_fields(self) -> list[str] | None:
        """The fields of a record answer that the effect reads, when it reads nothing else of the answer
        (`result.route`); None when it reads more (the whole answer, or an answer that is not a record).
        Two answers that agree on these fields lead to the same state: the back ends that enumerate
        answers choose among these parts, and look for a whole answer its `ensures` allow."""
        if not isinstance(self.result.resolved, StructT):
            return None
        roots = [x for a in self.assignments for x in (a.target, a.value)]
        fields, whole = set(), False
        for n in (n for root in roots for n in walk(root)):
            if isinstance(n, RecordField):
                if _is_result(n.base):
                    fields.add(n.field)
            elif any(_is_result(x) for x in subexpressions(n)):
                whole = True
        if whole or any(_is_result(root) for root in roots):
            return None
        return [f for f, _ in self.result.resolved.fields if f in fields]

    @property
    def choices(self) -> list[Param]:
        """The values one firing of the action chooses: its parameters, then its `answer` if it has one."""
        answer = self.answer
        return self.params if answer is None else [*self.params, answer]


class Level(str, enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class Invariant(_Model):
    span: Span
    id: str
    level: Level = Level.MUST
    description: str | None = None
    expr: Expr


class Constraint(_Model):
    """`constraint ID LEVEL "why": p99(latency(status)) <= 250 ms under 10_000 per min`: the operating
    envelope, judged by `specforge load` on a running implementation (never by `prove`)."""

    kind: Literal["constraint"] = "constraint"
    span: Span
    id: str
    level: Level = Level.MUST
    description: str | None = None
    metric: Literal["latency", "cost", "error_rate", "throughput"]
    stat: str | None = None  # latency and cost: "p50" ... "p99.9" (nearest-rank) or "max"
    action: str | None = None  # latency and cost: one action's calls, or None for every call
    op: CmpOp
    bound: Expr  # a constant: a duration, a cost's amount, a decimal, a frequency
    bound_value: int  # in the base unit of the bound's dimension
    under: Expr | None = None  # the offered rate the constraint is stated under (a frequency)
    under_value: int | None = None  # events per day


class Spec(_Model):
    """One `.sf` file."""

    ir_version: int = IR_VERSION
    file: str
    span: Span
    name: str
    description: str | None = None
    consts: list[Const] = []
    sets: list[SetDecl] = []
    enums: list[EnumDecl] = []
    state: list[StateField] = []
    init: list[Assign] = []
    invariants: list[Invariant] = []
    actions: list[Action] = []
    constraints: list[Constraint] = []


def state_path(e) -> str | None:
    """The flattened state variable a checked expression names (`balance`, `token.ttl`), or None."""
    if isinstance(e, Name) and e.ref is RefKind.VAR:
        return e.name
    if isinstance(e, FieldAccess):
        base = state_path(e.base)
        return None if base is None else f"{base}.{e.field}"
    return None
