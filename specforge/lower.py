"""Lark parse callbacks -> IR. Builds, never judges (that is check.py's work).

The handlers run inline while lark's LALR parser reduces (no intermediate
tree), with `keep_all_tokens=True` so every node's span runs from its first
token to its last. Problems found here (a malformed number, an unknown unit,
an expression nested too deep) are collected as diagnostics; the declaration
that holds one is dropped, and its name remembered so that the checker does
not report every later use of it as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from lark import Token, Transformer

from . import ir
from .diagnostics import Diagnostic
from .nodes import make
from .source import Span
from .units import DECIMAL, RATE, UNITS, UNRESOLVED, UnitError, rate_to_base, to_base, to_decimal

# Deeper expressions are rejected, so that every later stage may recurse and the
# IR's JSON (about four objects deeper than its deepest expression) stays within
# what JSON readers accept (pydantic's stops near 200 levels).
MAX_DEPTH = 150
MAX_DIGITS = 4000
MAX_RECORD_DEPTH = 32

_NUMBER_SHAPE = re.compile(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}

_BINOPS = {
    "+": ir.BinOp.ADD, "-": ir.BinOp.SUB, "*": ir.BinOp.MUL, "/": ir.BinOp.DIV, "%": ir.BinOp.MOD,
}
_CMPOPS = {
    "==": ir.CmpOp.EQ, "=": ir.CmpOp.EQ, "!=": ir.CmpOp.NE, "≠": ir.CmpOp.NE,
    "<": ir.CmpOp.LT, "<=": ir.CmpOp.LE, "≤": ir.CmpOp.LE,
    ">": ir.CmpOp.GT, ">=": ir.CmpOp.GE, "≥": ir.CmpOp.GE,
}
_MEMBERSHIP = {"in", "∈"}
_QUANTIFIERS = {"forall": "forall", "∀": "forall", "exists": "exists", "∃": "exists"}


# What to write for a record written inside a type (a map's value) instead of a named record type.
RECORD_IN_TYPE = ("a record in a map has a name: declare `type Line = { qty: int, price: int }` "
                  "(fields separated by commas), then write `map[Item, Line]`")


class Fatal(Exception):
    """Stops the parse of the current declaration (it cannot be built at all)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# Stands in a parse's unreadable names when an init block could not be read.
INIT_UNREADABLE = "<init>"


@dataclass
class SpecHeader:
    span: Span
    name: str
    description: str | None


@dataclass
class InitBlock:
    span: Span
    assignments: list[ir.Assign]


@dataclass
class StateBlock:
    span: Span
    fields: list[ir.StateField]


@dataclass
class FunctionDef:
    """`def NAME(PARAMS): TYPE = BODY`: a named predicate or function, inlined where it is called."""

    span: Span
    name: str
    params: list[ir.Param]
    type: ir.TypeRef
    body: ir.Expr


@dataclass
class RecordTypeDecl:
    """`type NAME = { FIELD: TYPE, ... }`: a named record type (see records.py)."""

    span: Span
    name: str
    fields: list[ir.StateField]


@dataclass
class UnitDecl:
    """`unit NAME` (a root unit: a dimension of its own) or `unit NAME = NUMBER UNIT`."""

    span: Span
    name: str
    size: Fraction | None  # how many `of` one NAME is
    of: str | None
    of_span: Span | None


@dataclass
class ConstraintDecl:
    """`constraint ID [LEVEL] ["why"]: MEASURE OP BOUND [under RATE]`, read by constraints.py."""

    span: Span
    id: str
    level: ir.Level
    description: str | None
    measure: ir.Expr
    under: ir.Expr | None


@dataclass
class _ResultType:
    """`-> T` after an action's parameters."""

    type: ir.TypeRef


@dataclass
class _Ensures:
    """`ensures COND`, before the action names it."""

    span: Span
    cond: ir.Expr


@dataclass
class Dropped:
    """A declaration that could not be built; `names` are what it declared."""

    names: list[str] = field(default_factory=list)


@dataclass
class _MultiIndex:
    """`map[K, V]` seen as a postfix expression; only a type may hold it."""

    span: Span
    base: object
    keys: list


@dataclass
class _SetOf:
    """`set[T]` seen as an expression; only a type may hold it."""

    span: Span
    element: object


@dataclass
class _Optional:
    """`T?` seen as an expression; only a type may hold it."""

    span: Span
    value: object


Item = SpecHeader | InitBlock | StateBlock | FunctionDef | RecordTypeDecl | UnitDecl | ConstraintDecl | ir.Const | ir.SetDecl | ir.EnumDecl | ir.Invariant | ir.Action | Dropped


def token_span(tok: Token) -> Span:
    return make(Span, line=tok.line, column=tok.column, end_line=tok.end_line, end_column=tok.end_column)


def span_of(children: list) -> Span:
    """From the start of the first child to the end of the last."""
    first = last = None
    for c in children:
        if c is not None and not (isinstance(c, Token) and c.type == "_NL"):
            first = c
            break
    for c in reversed(children):
        if c is not None and not (isinstance(c, Token) and c.type == "_NL"):
            last = c
            break
    a = token_span(first) if isinstance(first, Token) else first.span
    b = token_span(last) if isinstance(last, Token) else last.span
    if a is b:
        return a
    return make(Span, line=a.line, column=a.column, end_line=b.end_line, end_column=b.end_column)


def _tokens(children: list, type_: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == type_]


class Lowering(Transformer):
    """One instance serves every parse; `reset` before each."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.reset("<spec>")

    def reset(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._depth: dict[int, tuple[int, object]] = {}
        self._chains: dict[int, tuple[list, list]] = {}
        self._mark = 0

    # ---- helpers ---------------------------------------------------------------

    def _error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.error(code, message, self.file, span, hint))

    def _node(self, cls, children_exprs, **fields):
        """Build an expression node, tracking its depth."""
        depth = 1
        table = self._depth
        for c in children_exprs:
            entry = table.get(id(c))
            if entry is not None and entry[0] >= depth:
                depth = entry[0] + 1
        if depth > MAX_DEPTH:
            raise Fatal(Diagnostic.error(
                "SF105", f"expression nested more than {MAX_DEPTH} levels deep", self.file, fields["span"],
                "split it into smaller invariants or guards"))
        node = make(cls, **fields)
        table[id(node)] = (depth, node)  # leaves are not recorded: their depth is 0
        return node

    def _expr(self, value):
        if isinstance(value, _SetOf):
            raise Fatal(Diagnostic.error(
                "SF102", "`set[T]` is a type, not a value", self.file, value.span,
                "write a set's value as `{a, b}`, or `{}` for the empty set"))
        if isinstance(value, _Optional):
            raise Fatal(Diagnostic.error(
                "SF102", "`T?` is a type, not a value", self.file, value.span,
                "the absent value is written `none`"))
        if isinstance(value, _MultiIndex):
            raise Fatal(Diagnostic.error(
                "SF102", "a map lookup takes exactly one key", self.file, value.span,
                "write `m[k]`; `map[K, V]` is a type and belongs in a declaration"))
        return value

    def _decl(self, item, names: list[str]):
        """Drop a declaration whose parts produced diagnostics."""
        poisoned = len(self.diagnostics) > self._mark
        self._mark = len(self.diagnostics)
        self._depth.clear()
        self._chains.clear()
        return Dropped(names) if poisoned else item

    def _string(self, tok: Token | None) -> str | None:
        if tok is None:
            return None
        raw = tok.value[1:-1]
        if "\\" not in raw:
            return raw
        out = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\":
                nxt = raw[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                else:
                    col = tok.column + 1 + i
                    self._error("SF112", f"unknown escape `\\{nxt}` in a string",
                                Span.at(tok.line, col, tok.line, col + 2), 'the escapes are \\" \\\\ \\n \\t')
                    out.append(nxt)
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    # ---- declarations -------------------------------------------------------------

    def start(self, children):
        return [c for c in children if not isinstance(c, Token) and c is not None]

    def spec_header(self, children):
        name = children[1]
        item = SpecHeader(span_of(children), name.value, self._string(children[2]))
        return self._decl(item, [])

    def const_decl(self, children):
        _, name, _, type_, _, value = children
        item = make(ir.Const, span=span_of(children), name=name.value, type=type_, value=self._expr(value))
        return self._decl(item, [name.value])

    def set_decl(self, children):
        return self._decl(make(ir.SetDecl, span=span_of(children), name=children[1].value), [children[1].value])

    def enum_decl(self, children):
        names = _tokens(children, "NAME")
        members = [make(ir.EnumMember, span=token_span(t), name=t.value) for t in names[1:]]
        item = make(ir.EnumDecl, span=span_of(children), name=names[0].value, members=members)
        return self._decl(item, [t.value for t in names])

    def state_decl(self, children):
        fields = [c for c in children if isinstance(c, ir.StateField)]
        return self._decl(StateBlock(span_of(children), fields), _field_names(fields))

    def field(self, children):
        name, _, type_ = children
        return make(ir.StateField, span=span_of(children), name=name.value, type=type_)

    def record(self, children):
        fields = [c for c in children if isinstance(c, ir.StateField)]
        depth = 1 + max((self._depth.get(id(f.type), (0,))[0] for f in fields), default=0)
        span = span_of(children)
        if depth > MAX_RECORD_DEPTH:
            raise Fatal(Diagnostic.error("SF109", f"records nested more than {MAX_RECORD_DEPTH} levels deep",
                                         self.file, span, "flatten the state into fewer levels"))
        node = make(ir.RecordTypeRef, span=span, fields=fields)
        self._depth[id(node)] = (depth, node)
        return node

    def init_decl(self, children):
        assigns = [c for c in children if isinstance(c, ir.Assign)]
        return self._decl(InitBlock(span_of(children), assigns), [INIT_UNREADABLE])

    def invariant_decl(self, children):
        id_tok, level, description, expr = children[1], children[2], children[3], children[-1]
        item = make(ir.Invariant, span=span_of(children[:2]) if False else span_of(children), id=id_tok.value,
                    level=ir.Level(level.value) if level is not None else ir.Level.MUST,
                    description=self._string(description), expr=self._expr(expr))
        return self._decl(item, [])

    def constraint_decl(self, children):
        id_tok, level, description = children[1], children[2], children[3]
        exprs = [self._expr(c) for c in children[5:] if c is not None and not isinstance(c, Token)]
        item = ConstraintDecl(span_of(children), id_tok.value, ir.Level(level.value) if level is not None else ir.Level.MUST,
                              self._string(description), exprs[0], exprs[1] if len(exprs) > 1 else None)
        return self._decl(item, [])

    def invariant_id(self, children):
        # Written without spaces: BAL-1, SEC.AUTH-3.
        for a, b in zip(children, children[1:], strict=False):
            if (a.end_line, a.end_column) != (b.line, b.column):
                raise Fatal(Diagnostic.error(
                    "SF102", "an invariant ID is written without spaces", self.file, token_span(b),
                    f"write `{''.join(t.value for t in children)}`"))
        first = children[0]
        return Token("INVARIANT_ID", "".join(t.value for t in children), first.start_pos, first.line, first.column,
                     children[-1].end_line, children[-1].end_column, children[-1].end_pos)

    def level(self, children):
        return children[0]

    def action_decl(self, children):
        name = children[1]
        params = [c for c in children if isinstance(c, ir.Param)]
        body = [c for c in children if isinstance(c, (ir.Requires, ir.Assign, ir.Returns, _Ensures))]
        result = next((c.type for c in children if isinstance(c, _ResultType)), None)
        ensures = [make(ir.Ensures, span=e.span, id=f"{name.value}.ensures.{k}", cond=e.cond)
                   for k, e in enumerate((c for c in body if isinstance(c, _Ensures)), 1)]
        returns = [c for c in body if isinstance(c, ir.Returns)]
        for extra in returns[1:]:
            self._error("SF240", "an action has one `returns`", extra.span, "keep the one that gives the result")
        after = body[body.index(returns[0]) + 1:] if returns else []
        if any(isinstance(c, (ir.Requires, ir.Assign)) for c in after):
            self._error("SF240", "`returns` ends the action: it comes after the guards and assignments",
                        returns[0].span, "move it after the last assignment (the result is read in the state after them)")
        if result is None:
            for c in [*returns, *(c for c in body if isinstance(c, _Ensures))][:1]:
                word = "returns" if isinstance(c, ir.Returns) else "ensures"
                self._error("SF240", f"`{word}` in an action that declares no result", c.span,
                            f"declare the result's type after the parameters: `action {name.value}(...) -> T {{`")
        item = make(ir.Action, span=span_of(children), name=name.value, params=params,
                    body=[c for c in body if isinstance(c, (ir.Requires, ir.Assign))], result=result,
                    returns=returns[0] if returns else None, ensures=ensures)
        return self._decl(item, [name.value])

    def result_type(self, children):
        return _ResultType(self._type(children[-1]))

    def returns(self, children):
        return make(ir.Returns, span=span_of(children), value=self._expr(children[1]))

    def ensures(self, children):
        return _Ensures(span_of(children), self._expr(children[1]))

    def def_decl(self, children):
        name = children[1]
        params = [c for c in children if isinstance(c, ir.Param)]
        type_ = next(c for c in children if isinstance(c, (ir.NamedTypeRef, ir.RangeTypeRef, ir.MapTypeRef,
                                                            ir.SetTypeRef, ir.OptionTypeRef)))
        item = FunctionDef(span_of(children), name.value, params, type_, self._expr(children[-1]))
        return self._decl(item, [name.value])

    def type_decl(self, children):
        name = children[1]
        fields = [c for c in children if isinstance(c, ir.StateField)]
        return self._decl(RecordTypeDecl(span_of(children), name.value, fields), [name.value])

    type_field = field

    def unit_decl(self, children):
        name, number, of = children[1], children[3], children[4]
        size = self._magnitude(number) if number is not None else None
        if number is not None and size is not None and size <= 0:
            self._error("SF114", f"unit `{name.value}` must be a positive amount of `{of.value}`",
                        token_span(number), f"write e.g. `unit {name.value} = 0.01 {of.value}`")
        item = UnitDecl(span_of(children), name.value, size, of.value if of is not None else None,
                        token_span(of) if of is not None else None)
        return self._decl(item, [name.value])

    def param(self, children):
        name, _, type_ = children
        return make(ir.Param, span=span_of(children), name=name.value, type=type_)

    def requires(self, children):
        cond = self._expr(children[1])
        error = children[3] if len(children) > 3 else None
        return make(ir.Requires, span=span_of(children), cond=cond,
                    error=error.value if error is not None else None,
                    error_span=token_span(error) if error is not None else None)

    def assign(self, children):
        target, _, value = children
        return make(ir.Assign, span=span_of(children), target=self._expr(target), value=self._expr(value))

    # ---- types ------------------------------------------------------------------

    def type(self, children):
        return self._type(children[0])

    def _type(self, node, depth: int = 0):
        if depth > MAX_RECORD_DEPTH:
            raise Fatal(Diagnostic.error("SF109", f"types nested more than {MAX_RECORD_DEPTH} levels deep",
                                         self.file, node.span))
        span = node.span
        if isinstance(node, ir.Name):
            return make(ir.NamedTypeRef, span=span, name=node.name)
        if isinstance(node, _Optional):
            return make(ir.OptionTypeRef, span=span, value=self._type(node.value, depth + 1))
        if isinstance(node, _SetOf):
            return make(ir.SetTypeRef, span=span, element=self._type(node.element, depth + 1))
        if isinstance(node, ir.Range):
            return make(ir.RangeTypeRef, span=span, base="int", low=node.low, high=node.high)
        if isinstance(node, ir.Index) and isinstance(node.base, ir.Name) and isinstance(node.key, ir.Range):
            if node.base.name in ("int", "nat"):
                return make(ir.RangeTypeRef, span=span, base=node.base.name, low=node.key.low, high=node.key.high)
        if isinstance(node, (_MultiIndex, ir.Index)) and isinstance(node.base, ir.Name) and node.base.name == "map":
            keys = node.keys if isinstance(node, _MultiIndex) else [node.key]
            if len(keys) != 2:
                raise Fatal(Diagnostic.error("SF109", f"`map` takes two types, a key and a value; found {len(keys)}",
                                             self.file, span, "write `map[Account, int]`"))
            return make(ir.MapTypeRef, span=span, key=self._type(keys[0], depth + 1),
                        value=self._type(keys[1], depth + 1))
        if isinstance(node, ir.RecordLiteral) and not node.name:  # `map[Item, { qty: int }]`
            raise Fatal(Diagnostic.error("SF109", "a record inside a type needs a name", self.file, span,
                                         RECORD_IN_TYPE))
        raise Fatal(Diagnostic.error(
            "SF109", "this is not a type", self.file, span,
            "a type is bool, int, nat, int[LOW..HIGH], duration, map[K, V], set[T], or the name of an enum or set"))

    # ---- expressions ---------------------------------------------------------------

    def _binary(self, op, children):
        left, right = self._expr(children[0]), self._expr(children[-1])
        return self._node(ir.Binary, (left, right), span=span_of(children), op=op, left=left, right=right)

    def iff(self, children):
        return self._binary(ir.BinOp.IFF, children)

    def implies(self, children):
        return self._binary(ir.BinOp.IMPLIES, children)

    def or_(self, children):
        return self._binary(ir.BinOp.OR, children)

    def and_(self, children):
        return self._binary(ir.BinOp.AND, children)

    def arith(self, children):
        return self._binary(_BINOPS[children[1].value], children)

    def not_(self, children):
        operand = self._expr(children[1])
        return self._node(ir.Unary, (operand,), span=span_of(children), op=ir.UnOp.NOT, operand=operand)

    def negate(self, children):
        operand = self._expr(children[1])
        return self._node(ir.Unary, (operand,), span=span_of(children), op=ir.UnOp.NEG, operand=operand)

    def cmp_op(self, children):
        if len(children) == 2:  # `not in`, one operator
            a, b = children
            return Token("NOT_IN", "∉", a.start_pos, a.line, a.column, b.end_line, b.end_column, b.end_pos)
        return children[0]

    def add_op(self, children):
        return children[0]

    mul_op = quantifier_kw = add_op

    def compare(self, children):
        left, op, right = self._expr(children[0]), children[1], self._expr(children[2])
        chain = self._chains.get(id(left))
        operands, ops = ([*chain[0], right], [*chain[1], op]) if chain else ([left, right], [op])
        links = []
        for a, o, b in zip(operands, ops, operands[1:], strict=False):
            span = make(Span, line=a.span.line, column=a.span.column, end_line=b.span.end_line,
                        end_column=b.span.end_column)
            if o.value in _MEMBERSHIP:
                links.append(self._node(ir.Member, (a, b), span=span, element=a, collection=b))
            elif o.value == "∉":
                member = self._node(ir.Member, (a, b), span=span, element=a, collection=b)
                links.append(self._node(ir.Unary, (member,), span=span, op=ir.UnOp.NOT, operand=member))
            else:
                links.append(self._node(ir.Compare, (a, b), span=span, op=_CMPOPS[o.value], left=a, right=b))
        node = links[0]
        for link in links[1:]:
            node = self._node(ir.Binary, (node, link), span=make(Span, line=node.span.line, column=node.span.column,
                              end_line=link.span.end_line, end_column=link.span.end_column),
                              op=ir.BinOp.AND, left=node, right=link)
        self._chains[id(node)] = (operands, ops)
        self._depth.setdefault(id(node), (1, node))
        return node

    def range(self, children):
        low, high = self._expr(children[0]), self._expr(children[2])
        return self._node(ir.Range, (low, high), span=span_of(children), low=low, high=high)

    def quantifier(self, children):
        kind = _QUANTIFIERS[children[0].value]
        body = self._expr(children[-1])
        binders = [c for c in children if isinstance(c, list)]
        span = span_of(children)
        for names, domain in reversed(binders):
            for name in reversed(names):
                body = self._node(ir.Quantifier, (domain, body), span=span, quantifier=kind, var=name.value,
                                  var_span=token_span(name), domain=domain, body=body)
        return body

    def binder(self, children):
        return [_tokens(children, "NAME"), self._expr(children[-1])]

    def if_then_else(self, children):
        cond, then, else_ = (self._expr(children[i]) for i in (1, 3, 5))
        return self._node(ir.IfThenElse, (cond, then, else_), span=span_of(children), cond=cond, then=then,
                          else_=else_)

    def field_access(self, children):
        base = self._expr(children[0])
        return self._node(ir.FieldAccess, (base,), span=span_of(children), base=base, field=children[2].value)

    def index(self, children):
        base = self._expr(children[0])
        keys = [c for c in children[1:] if not isinstance(c, Token)]
        span = span_of(children)
        if len(keys) != 1:
            return _MultiIndex(span, base, keys)
        key = self._expr(keys[0])
        return self._node(ir.Index, (base, key), span=span, base=base, key=key)

    def _magnitude(self, tok: Token) -> Fraction | None:
        """A number token's exact value, or None after reporting why it is malformed."""
        text = tok.value
        if not _NUMBER_SHAPE.fullmatch(text):
            self._error("SF107", f"malformed number `{text}`", token_span(tok), "`_` may only stand between digits")
            return None
        digits = text.replace("_", "")
        if len(digits) > MAX_DIGITS:
            self._error("SF106", f"number literal has {len(digits)} digits; the limit is {MAX_DIGITS}",
                        token_span(tok), "name a smaller constant")
            return None
        return Fraction(digits)

    def number(self, children):
        tok, unit = children
        text = tok.value
        span = token_span(tok) if unit is None else span_of(children)
        magnitude = self._magnitude(tok)
        if magnitude is None:
            return make(ir.IntLit, span=span, value=0)
        if unit is None:
            if "." in text:
                try:
                    value = to_decimal(magnitude, text)
                except UnitError as e:
                    self._error("SF107", str(e), token_span(tok), e.hint)
                    return make(ir.IntLit, span=span, value=0)
                return make(ir.QuantityLit, span=span, value=value, dimension=DECIMAL.name, text=text)
            return make(ir.IntLit, span=span, value=int(magnitude))
        if unit.value not in UNITS:
            # a unit of the spec's own, declared anywhere in the file: the checker converts it
            return make(ir.QuantityLit, span=span, value=0, dimension=UNRESOLVED, text=f"{text} {unit.value}")
        try:
            value, dimension = to_base(magnitude, unit.value, text)
        except UnitError as e:
            self._error("SF107", str(e), span, e.hint)
            return make(ir.IntLit, span=span, value=0)
        return make(ir.QuantityLit, span=span, value=value, dimension=dimension.name, text=f"{text} {unit.value}")

    def rate(self, children):
        tok, unit = children[0], children[2]
        span = span_of(children)
        magnitude = self._magnitude(tok)
        if magnitude is None:
            return make(ir.IntLit, span=span, value=0)
        try:
            value = rate_to_base(magnitude, unit.value, tok.value)
        except UnitError as e:
            self._error("SF110" if e.code == "unknown" else "SF107", str(e),
                        token_span(unit) if e.code == "unknown" else span, e.hint)
            return make(ir.IntLit, span=span, value=0)
        return make(ir.QuantityLit, span=span, value=value, dimension=RATE.name, text=f"{tok.value} per {unit.value}")

    def string_literal(self, children):
        tok = children[0]
        return make(ir.StringLit, span=token_span(tok), value=self._string(tok))

    def true(self, children):
        return make(ir.BoolLit, span=token_span(children[0]), value=True)

    def false(self, children):
        return make(ir.BoolLit, span=token_span(children[0]), value=False)

    def name(self, children):
        return make(ir.Name, span=token_span(children[0]), name=children[0].value)

    def call(self, children):
        args = [self._expr(c) for c in children[2:-1] if c is not None and not isinstance(c, Token)]
        if children[0].value == "count" and len(args) == 1 and isinstance(args[0], ir.Member) \
                and isinstance(args[0].element, ir.Name):
            return self._count(children, args[0], None)
        return self._node(ir.Call, args, span=span_of(children), func=children[0].value, args=args)

    def aggregate(self, children):
        # NAME ( value for var in domain [if cond] )
        func, value, var, domain, cond = children[0], children[2], children[4], children[6], children[8]
        if func.value != "sum":
            hint = ("write `count(x in S if CONDITION)`" if func.value == "count"
                    else "the aggregates are `sum(EXPR for x in S)` and `count(x in S)`")
            raise Fatal(Diagnostic.error("SF206", f"`{func.value}(... for ...)` is not an aggregate", self.file,
                                         token_span(func), hint))
        return self._aggregate("sum", children, var, self._expr(domain), self._expr(value), cond)

    def count_if(self, children):
        # NAME ( var in domain if cond )
        return self._count(children, children[2], children[4])

    def _count(self, children, member, cond):
        func = children[0]
        member = self._expr(member)
        if func.value != "count" or not isinstance(member, ir.Member) or not isinstance(member.element, ir.Name):
            hint = ("write `count(x in S if CONDITION)`" if func.value == "count"
                    else "the aggregates are `sum(EXPR for x in S if CONDITION)` and `count(x in S if CONDITION)`")
            raise Fatal(Diagnostic.error("SF206", "this is not an aggregate", self.file, span_of(children), hint))
        var = member.element
        return self._aggregate("count", children, var, member.collection, None, cond)

    def _aggregate(self, op, children, var, domain, value, cond):
        cond = self._expr(cond) if cond is not None else None
        parts = [p for p in (domain, value, cond) if p is not None]
        var_span = token_span(var) if isinstance(var, Token) else var.span
        name = var.value if isinstance(var, Token) else var.name
        return self._node(ir.Aggregate, parts, span=span_of(children), op=op, var=name, var_span=var_span,
                          domain=domain, value=value, cond=cond)

    def paren(self, children):
        inner = self._expr(children[1])
        # A copy, with the parentheses in its span: it is no longer part of a comparison chain.
        node = make(type(inner), **{**inner.__dict__, "span": span_of(children)})
        entry = self._depth.get(id(inner))
        if entry is not None:
            self._depth[id(node)] = (entry[0], node)
        return node

    def set_literal(self, children):
        items = [self._expr(c) for c in children[1:-1] if c is not None and not isinstance(c, Token)]
        return self._node(ir.SetLiteral, items, span=span_of(children), items=items)

    def record_entry(self, children):
        return (children[0], self._expr(children[2]))

    def record_literal(self, children):
        entries = [c for c in children if isinstance(c, tuple)]
        values = [v for _, v in entries]
        return self._node(ir.RecordLiteral, values, span=span_of(children), name=children[0].value,
                          fields=[t.value for t, _ in entries], values=values)

    def anonymous_record(self, children):
        """`{ ttl: 15 min, valid: false }`: a record literal whose type the checker takes from where it is
        used (a nested block of state, or a place that expects a named record type); named "" until then."""
        entries = [c for c in children if isinstance(c, tuple)]
        values = [v for _, v in entries]
        return self._node(ir.RecordLiteral, values, span=span_of(children), name="",
                          fields=[t.value for t, _ in entries], values=values)

    def record_with(self, children):
        base = self._expr(children[0])
        entries = [c for c in children if isinstance(c, tuple)]
        values = [v for _, v in entries]
        return self._node(ir.RecordWith, [base, *values], span=span_of(children), base=base,
                          fields=[t.value for t, _ in entries], values=values)

    def optional_type(self, children):
        return _Optional(span_of(children), children[0])

    def set_type(self, children):
        return _SetOf(span_of(children), children[2])

    def map_comprehension(self, children):
        key, value, var, domain = children[1], self._expr(children[3]), children[5], self._expr(children[-2])
        if key.value != var.value:
            self._error("SF111", f"the key `{key.value}` must be the comprehension's variable `{var.value}`",
                        token_span(key), f"write `{{{var.value}: ... for {var.value} in ...}}`")
        return self._node(ir.MapComprehension, (domain, value), span=span_of(children), var=var.value,
                          var_span=token_span(var), domain=domain, value=value)


def _field_names(fields: list[ir.StateField]) -> list[str]:
    return [f.name for f in fields]
