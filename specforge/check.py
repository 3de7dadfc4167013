"""Names, scopes, types, dimensions and init completeness.

`check` takes the declarations the parser read and returns the typed IR (the
same models with `type` filled on every expression and `ref` on every name)
together with every diagnostic it can find. It never stops at the first
error, and it does not report an error that follows from another: an
expression whose type could not be found has the type None, and nothing
built on it is reported again.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import constraints as envelope
from . import ir, records, setops, strings, userunits
from .diagnostics import Diagnostic
from .evaluate import Env, EvaluationError, evaluate
from .ir import (
    RESULT,
    BoolT,
    DomainT,
    EnumT,
    IntT,
    MapT,
    OptionT,
    QuantityT,
    RangeT,
    RecordT,
    RefKind,
    SetOfT,
    SetT,
    StructT,
)
from .lower import (
    INIT_UNREADABLE,
    MAX_DIGITS,
    ConstraintDecl,
    FunctionDef,
    InitBlock,
    RecordTypeDecl,
    SpecHeader,
    StateBlock,
    UnitDecl,
)
from .nodes import make
from .parse import ParseResult
from .source import Span
from .structure import field_leaves, within
from .units import DECIMAL, DECIMAL_SCALE, TYPE_DIMENSIONS, UNRESOLVED, describe, dimension

BOOL = make(BoolT)
INT = make(IntT)
RANGE = make(RangeT)
NAT = make(IntT, low=0)
BUILTIN_TYPES = {"bool": BOOL, "int": INT, "nat": make(IntT, low=0), "string": make(ir.StringT),
                 **{name: make(QuantityT, dimension=d.name) for name, d in TYPE_DIMENSIONS.items()}}
BUILTIN_FUNCTIONS = {"abs": (1, 1), "min": (2, None), "max": (2, None)}
# Types other languages have, by their lower-case name: what a spec writes instead.
_MONEY = ("money is an amount of a unit the spec declares: `unit USD` (or `unit EUR`, `unit cents = 0.01 USD`), "
          "then `price: USD`; amounts are exact. A plain number with a fractional part is a `decimal`")
_NUMBER = "a number with a fractional part is a `decimal` (exact to six places); a whole number is an `int` or a `nat`"
FOREIGN_TYPES = {
    **dict.fromkeys(("money", "currency", "price", "amount", "cost"), _MONEY),
    **dict.fromkeys(("float", "double", "real", "number", "numeric", "f64", "f32"), _NUMBER),
    **dict.fromkeys(("str", "text", "char"), "a text is a `string`"),
    **dict.fromkeys(("boolean",), "a truth value is a `bool`"),
    **dict.fromkeys(("integer", "long", "i64", "i32", "u32", "u64", "usize"), "a whole number is an `int`, or a `nat` (at least 0)"),
    **dict.fromkeys(("time", "timestamp", "datetime", "date", "instant", "timedelta", "interval"),
                    "a time is a `duration`: keep a clock (`now: duration`) and compare durations (`expires <= now + 15 min`)"),
    **dict.fromkeys(("list", "array", "vec", "vector", "seq", "sequence", "hashset"),
                    "a collection is a `set[T]` of the elements, or a `map[K, V]`: there are no lists"),
    **dict.fromkeys(("dict", "hashmap", "mapping", "object"), "a table is a `map[K, V]`, a record a `type NAME = { ... }`"),
}
# Names no declaration, parameter or bound variable may take.
RESERVED = {*BUILTIN_TYPES, "map", *BUILTIN_FUNCTIONS}


def show(t: ir.Type | None) -> str:
    """A type as a user would write it."""
    if t is None:
        return "unknown"
    if isinstance(t, BoolT):
        return "bool"
    if isinstance(t, ir.StringT):
        return "string"
    if isinstance(t, IntT):
        if t.low is None and t.high is None:
            return "int"
        if t.low == 0 and t.high is None:
            return "nat"
        return f"int[{'' if t.low is None else _number(t.low)}..{'' if t.high is None else _number(t.high)}]"
    if isinstance(t, QuantityT):
        return dimension(t.dimension).type_name
    if isinstance(t, (EnumT, SetT)):
        return t.name
    if isinstance(t, RangeT):
        return "range"
    if isinstance(t, DomainT):
        return f"the domain {show(t.element)}"
    if isinstance(t, MapT):
        return f"map[{show(t.key)}, {show(t.value)}]"
    if isinstance(t, SetOfT):
        return "the empty set" if t.element is None else f"set[{show(t.element)}]"
    if isinstance(t, RecordT):
        return "{" + ", ".join(f"{n}: {show(ft)}" for n, ft in t.fields) + "}"
    if isinstance(t, StructT):  # a literal written without its type shows its fields
        return t.name or "{" + ", ".join(f"{n}: {show(ft)}" for n, ft in t.fields) + "}"
    if isinstance(t, OptionT):
        return "none" if t.value is None else f"{show(t.value)}?"
    return t.kind


def _family(t: ir.Type | None) -> object:
    """Types that mix freely: every IntT is one family whatever its bounds."""
    if isinstance(t, IntT):
        return "int"
    if isinstance(t, SetOfT):
        return ("set", _family(t.element))
    if isinstance(t, OptionT):
        return ("option", _family(t.value))
    return t


@dataclass
class Symbol:
    kind: RefKind
    type: ir.Type | None
    span: Span | None = None
    enum: str | None = None


@dataclass
class Scope:
    names: dict[str, Symbol]
    parent: Scope | None = None

    def lookup(self, name: str) -> Symbol | None:
        scope: Scope | None = self
        while scope is not None:
            sym = scope.names.get(name)
            if sym is not None:
                return sym
            scope = scope.parent
        return None

    def all_names(self) -> list[str]:
        out: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            out.extend(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, Symbol]) -> Scope:
        return Scope(names, self)

    # An optional known to be present here reads as its value (`ir.Present`): after `requires x != none`,
    # on the right of `x != none and ...`, in the `then` of `if x != none`. A scope that narrows or
    # forgets names (an assignment's target, a variable assigned since the guard) holds no names itself.
    present: frozenset[str] = frozenset()
    forgotten: frozenset[str] = frozenset()

    def narrow(self, names: Iterable[str]) -> Scope:
        names = frozenset(names)
        return Scope({}, self, present=names) if names else self

    def forget(self, names: Iterable[str]) -> Scope:
        names = frozenset(names)
        return Scope({}, self, forgotten=names) if names else self

    def is_present(self, name: str) -> bool:
        """Whether `name` is narrowed to present where this scope reads it: the innermost scope that
        narrows, forgets or declares it decides (a quantifier's variable hides a narrowed outer name)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.forgotten or name in scope.names:
                return False
            if name in scope.present:
                return True
            scope = scope.parent
        return False


@dataclass
class CheckResult:
    spec: ir.Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class ConstError(Exception):
    """A constant expression has no value; `span` is where (None: the whole expression)."""

    def __init__(self, message: str, span: Span | None = None):
        super().__init__(message)
        self.span = span


def _with(node, **updates):
    """The node with its checked parts and type filled in.

    The checker annotates the tree the lowering has just built, which nothing
    else holds yet, so it fills the fields in place rather than copying every
    node (a third of its time on large specs). Nodes it creates itself, such as
    a bare `0` that becomes a quantity, are new objects.
    """
    node.__dict__.update(updates)
    return node


class Checker:
    def __init__(self, parsed: ParseResult):
        self.parsed = parsed
        self.file = parsed.source.path
        self.diagnostics: list[Diagnostic] = []
        self.unreadable = parsed.unreadable_names
        self.enums: dict[str, ir.EnumDecl] = {}
        self.sets: dict[str, ir.SetDecl] = {}
        self.member_enums: dict[str, list[str]] = {}
        self.const_values: dict[str, int | bool | str] = {}
        # constants are evaluated in this environment: the values so far, the enums' members
        self.const_env = Env({}, {}, self.const_values, {}, limit=_MAX_CONSTANT)
        self.globals = Scope({})
        self.declared: dict[str, Span] = {}
        # while checking constants: the state variables, not yet in scope
        self.pending_state: set[str] = set()
        # while checking init's values: the state paths init has assigned so far
        self.init_assigned: dict[str, Span] | None = None
        self.functions: dict[str, tuple[FunctionDef, ir.Expr]] = {}  # name -> (checked def, typed body)
        self.defining: str | None = None
        self.record_decls: dict[str, RecordTypeDecl] = {}  # named record types (records.py)
        self.units = userunits.Declared({})  # the spec's own units (userunits.py)
        self.structs: dict[str, object] = {}
        self.anonymous: list[ir.RecordLiteral] = []  # literals written without their type (records.py)
        self.spread_missing: set[str] = set()  # blocks whose literal lacked fields: reported once, there
        # what records.py needs of this module without importing it (it is imported here)
        self.show, self.compatible, self.did_you_mean, self.show_expr = show, _compatible, _did_you_mean, _show_expr
        self.with_ = _with

    # ---- reporting --------------------------------------------------------------

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.error(code, message, self.file, span, hint))

    def reserved(self, name: str, span: Span, what: str) -> bool:
        if name in RESERVED:
            kind = "function" if name in BUILTIN_FUNCTIONS else "type"
            self.error("SF202", f"{what} `{name}` has the name of a built-in {kind}", span, "choose another name")
            self.unreadable.add(name)  # its uses are not reported again
            return True
        return False

    def declare(self, name: str, span: Span, what: str) -> bool:
        if self.reserved(name, span, what):
            return False
        if name in self.member_enums:
            self.error("SF202", f"{what} `{name}` has the name of a value of enum {self.member_enums[name][0]}",
                       span, "rename one of them; a bare name must mean one thing")
            self.unreadable.add(name)
            return False
        first = self.declared.get(name)
        if first is not None:
            self.error("SF202", f"`{name}` is declared twice", span, f"the first declaration is at line {first.line}")
            return False
        self.declared[name] = span
        return True

    # ---- the whole spec --------------------------------------------------------------

    def run(self) -> CheckResult:
        items = self.parsed.items
        header = self._header(items)
        consts = [i for i in items if isinstance(i, ir.Const)]
        sets = [i for i in items if isinstance(i, ir.SetDecl)]
        enums = [i for i in items if isinstance(i, ir.EnumDecl)]
        state_blocks = [i for i in items if isinstance(i, StateBlock)]
        inits = [i for i in items if isinstance(i, InitBlock)]
        invariants = [i for i in items if isinstance(i, ir.Invariant)]
        actions = [i for i in items if isinstance(i, ir.Action)]

        for s in sets:
            if self.declare(s.name, s.span, "set"):
                self.sets[s.name] = s
                self.globals.names[s.name] = Symbol(RefKind.DOMAIN, make(DomainT, element=make(SetT, name=s.name)), s.span)
        for e in enums:
            self._enum(e)
        self.units = userunits.declare(self, [i for i in items if isinstance(i, UnitDecl)], items)
        records.declare_types(self, [i for i in items if isinstance(i, RecordTypeDecl)])
        for name, d in list(self.record_decls.items()):
            records.resolve(self, name, d.span)
        state = [f for block in state_blocks for f in block.fields]
        self.pending_state = {f.name for f in state}
        consts = [self._const(c) for c in consts]
        self.pending_state = set()
        state = self._state(state)
        for d in (i for i in items if isinstance(i, FunctionDef)):
            self._function(d)
        for a in actions:
            self.declare(a.name, a.span, "action")
        init = self._init(inits, state, header)
        invariants = self._invariants(invariants)
        actions = [self._action(a) for a in actions]
        constraints = self._constraints([i for i in items if isinstance(i, ConstraintDecl)], invariants, actions)
        records.unnamed(self)

        if header is None:
            return CheckResult(None, self.diagnostics)
        spec = make(
            ir.Spec, file=self.file, span=header.span, name=header.name, description=header.description,
            consts=consts, sets=sets, enums=enums, state=state, init=init, invariants=invariants, actions=actions,
            constraints=constraints,
        ) if not self.diagnostics else None
        return CheckResult(spec, self.diagnostics)

    def _header(self, items: list) -> SpecHeader | None:
        headers = [i for i in items if isinstance(i, SpecHeader)]
        if not headers:
            if self.parsed.diagnostics:
                return None  # the header may be what failed to parse
            span = items[0].span if items else Span.at(1, 1)
            what = "the file is empty" if not items else "the spec has no `spec` header"
            self.error("SF108", what, span, 'a spec file begins with `spec NAME "description"`')
            return None
        first = headers[0]
        if items[0] is not first:
            self.error("SF108", "the `spec` header must come before every other declaration", first.span,
                       "move this line to the top of the file (comments may stay above it)")
        for extra in headers[1:]:
            self.error("SF108", "a file holds one spec; this is a second `spec` header", extra.span,
                       f"the first is at line {first.span.line}")
        return first

    # ---- declarations -------------------------------------------------------------------

    def _enum(self, e: ir.EnumDecl) -> None:
        if not self.declare(e.name, e.span, "enum"):
            return
        if not e.members:
            self.error("SF202", f"enum `{e.name}` has no values", e.span, "list its values: `enum Color { red, green }`")
        seen: set[str] = set()
        for m in e.members:
            if m.name in seen:
                self.error("SF202", f"`{m.name}` appears twice in enum `{e.name}`", m.span)
                continue
            if self.reserved(m.name, m.span, "enum value"):
                continue
            if m.name in self.declared:
                self.error("SF202", f"enum value `{m.name}` has the name of another declaration", m.span,
                           f"that declaration is at line {self.declared[m.name].line}")
                self.unreadable.add(m.name)
                continue
            seen.add(m.name)
            self.member_enums.setdefault(m.name, []).append(e.name)
        self.enums[e.name] = e
        self.const_env.enums[e.name] = tuple(m.name for m in e.members)
        self.globals.names[e.name] = Symbol(RefKind.DOMAIN, make(DomainT, element=make(EnumT, name=e.name)), e.span)

    def _const(self, c: ir.Const) -> ir.Const:
        declared = self.declare(c.name, c.span, "constant")
        type_ref = self.resolve_type(c.type, allow_map=False)
        if isinstance(type_ref.resolved, OptionT):
            self.error("SF203", "a constant cannot be optional", c.type.span, "a constant always has its value: drop the `?`")
            type_ref = _with(type_ref, resolved=None)  # nothing more to say about its value
        value = self.expr(c.value, self.globals)
        evaluated = None
        before = len(self.diagnostics)
        if value.type is not None and type_ref.resolved is not None:
            value = self.assignable(type_ref.resolved, value, f"constant `{c.name}`")
        if value.type is not None and type_ref.resolved is not None and len(self.diagnostics) == before:
            try:
                evaluated = self.evaluate(value)
            except ConstError as e:
                self.error("SF216", f"the value of `{c.name}` cannot be computed: {e}", e.span or c.value.span,
                           "a constant's value may use literals, other constants and arithmetic")
            else:
                self._check_bounds(type_ref.resolved, evaluated, c.value.span)
        if declared:
            self.globals.names[c.name] = Symbol(RefKind.CONST, type_ref.resolved if evaluated is not None else None, c.span)
            if evaluated is not None:
                self.const_values[c.name] = evaluated
        stored = evaluated.thaw() if hasattr(evaluated, "thaw") else evaluated  # a record: a dict of its fields
        return _with(c, type=type_ref, value=value, evaluated=stored)

    def _check_bounds(self, t: ir.Type, value, span: Span) -> None:
        if isinstance(t, IntT) and type(value) is int and not within(t, value):
            self.error("SF222", f"{_number(value)} is outside {show(t)}", span)

    def _state(self, fields: list[ir.StateField]) -> list[ir.StateField]:
        out = []
        for f in fields:
            declared = self.declare(f.name, f.span, "state variable")
            f = self._field(f)
            if declared:
                self.globals.names[f.name] = Symbol(RefKind.VAR, f.type.resolved, f.span)
            out.append(f)
        return out

    def _field(self, f: ir.StateField) -> ir.StateField:
        if isinstance(f.type, ir.RecordTypeRef):
            seen: dict[str, Span] = {}
            fields = []
            for sub in f.type.fields:
                if sub.name in seen:
                    self.error("SF202", f"field `{sub.name}` is declared twice in `{f.name}`", sub.span,
                               f"the first is at line {seen[sub.name].line}")
                    continue
                seen[sub.name] = sub.span
                fields.append(self._field(sub))
            ok = all(s.type.resolved is not None for s in fields)
            resolved = make(RecordT, fields=[(s.name, s.type.resolved) for s in fields]) if ok else None
            return _with(f, type=_with(f.type, fields=fields, resolved=resolved))
        return _with(f, type=self.resolve_type(f.type, allow_map=True))

    def resolve_type(self, t: ir.TypeRef, allow_map: bool, key: bool = False,
                     allow_set: bool | None = None) -> ir.TypeRef:
        resolved: ir.Type | None = None
        if isinstance(t, ir.NamedTypeRef):
            if t.name in BUILTIN_TYPES:
                resolved = BUILTIN_TYPES[t.name]
            elif t.name in self.enums:
                resolved = make(EnumT, name=t.name)
            elif t.name in self.sets:
                resolved = make(SetT, name=t.name)
            elif t.name in self.record_decls:
                resolved = records.resolve(self, t.name, t.span)
            elif t.name in self.units.units:
                resolved = self.units.type_of(t.name)
            elif t.name == "map":
                self.error("SF109", "`map` needs a key and a value type", t.span, "write `map[Account, int]`")
            elif t.name not in self.unreadable:
                known = [*BUILTIN_TYPES, *self.enums, *self.sets, *self.units.units]
                self.error("SF220", f"unknown type `{t.name}`", t.span, FOREIGN_TYPES.get(t.name.lower())
                           or _did_you_mean(t.name, known)
                           or "declare it with `set NAME`, `enum NAME { ... }`, `type NAME = { ... }` or `unit NAME`")
            if key and resolved is not None and not isinstance(resolved, (EnumT, SetT, IntT)):
                self.error("SF203", f"a map's key and a set's element must be a set, an enum or a range, "
                           f"not {show(resolved)}", t.span)
                resolved = None
            elif key and isinstance(resolved, IntT) and (resolved.low is None or resolved.high is None):
                self.error("SF203", f"a map's key must be finite: `{t.name}` has no upper bound", t.span,
                           "use a range such as `0..9` or `int[0..9]`")
                resolved = None
            return _with(t, resolved=resolved)
        if isinstance(t, ir.RangeTypeRef):
            low, high = (self._const_int(e) for e in (t.low, t.high))
            if low is not None and high is not None:
                if t.base == "nat" and low < 0:
                    self.error("SF217", f"a nat range cannot start below 0 (it starts at {low})", t.low.span)
                elif low > high:
                    self.error("SF217", f"the range {_number(low)}..{_number(high)} is empty", t.span,
                               "write the smaller bound first")
                else:
                    resolved = make(IntT, low=low, high=high)
            return _with(t, low=self.expr(t.low, self.globals), high=self.expr(t.high, self.globals),
                         resolved=resolved)
        if key and isinstance(t, (ir.SetTypeRef, ir.MapTypeRef)):
            self.error("SF203", f"a {'set' if isinstance(t, ir.SetTypeRef) else 'map'} cannot be used here", t.span,
                       "a map's key and a set's element must be a set, an enum or a range")
            return t
        if isinstance(t, ir.MapTypeRef):
            if not allow_map:
                self.error("SF203", "a map cannot be used here", t.span, "maps may be state variables or map values")
            k = self.resolve_type(t.key, allow_map=False, key=True)
            v = self.resolve_type(t.value, allow_map=True)
            if k.resolved is not None and v.resolved is not None and allow_map:
                resolved = make(MapT, key=k.resolved, value=v.resolved)
            return _with(t, key=k, value=v, resolved=resolved)
        if isinstance(t, ir.SetTypeRef):
            return self._set_type(t, allow_map if allow_set is None else allow_set)
        if isinstance(t, ir.OptionTypeRef):
            return records.resolve_option(self, t, allow_map, allow_set)
        if isinstance(t, ir.RecordTypeRef):
            self.error("SF203", "a block of fields may only be a state variable", t.span,
                       "name a record type: `type R = { f: T, ... }`, then use `R` here")
            return t
        raise AssertionError(t)

    def _set_type(self, t: ir.SetTypeRef, allow: bool) -> ir.SetTypeRef:
        """`set[T]`: T is what a map may be keyed by (a set, an enum or a bounded range), so that every
        set value is finite and the prover, the tests and TLC can enumerate its possible members."""
        if not allow:
            self.error("SF203", "a set value cannot be used here", t.span,
                       "a set may be a state variable, a map's value, a parameter, or a def's result")
        element = self.resolve_type(t.element, allow_map=False, key=True)
        ok = allow and element.resolved is not None
        return _with(t, element=element, resolved=make(SetOfT, element=element.resolved) if ok else None)

    def _const_int(self, e: ir.Expr) -> int | None:
        checked = self.expr(e, self.globals)
        if checked.type is None:
            return None
        if not isinstance(checked.type, IntT):
            self.error("SF203", f"a range bound must be an int, not {show(checked.type)}", e.span)
            return None
        try:
            return self.evaluate(checked)
        except ConstError as err:
            self.error("SF216", f"a range bound must be a constant: {err}", err.span or e.span,
                       "use literals and constants, e.g. `0..MAX - 1`")
            return None

    # ---- init ---------------------------------------------------------------------------

    def _init(self, inits: list[InitBlock], state: list[ir.StateField], header) -> list[ir.Assign]:
        leaves = dict.fromkeys(leaf.path for leaf in field_leaves(state))
        if not inits:
            if state and header is not None and INIT_UNREADABLE not in self.unreadable:
                self.error("SF207", "the spec has state but no `init` block", header.span,
                           "add `init { ... }` giving every state variable its first value")
            return []
        for extra in inits[1:]:
            self.error("SF202", "a spec has one `init` block; this is a second", extra.span,
                       f"merge it into the first, at line {inits[0].span.line}")
        block = inits[0]
        assigned: dict[str, Span] = {}
        out = []
        for a in self._spread(block.assignments, self.globals):
            path = _target_path(a.target)
            self.init_assigned = assigned
            value = self.expr(a.value, self.globals)
            self.init_assigned = None
            target = self.expr(a.target, self.globals)
            if path is None or ir.root_name(a.target) not in {f.name for f in state}:
                if ir.root_name(a.target) in self.unreadable:
                    out.append(_with(a, target=target, value=value))
                    continue  # declared where a syntax error is: already reported
                if isinstance(a.target, ir.Index):
                    self.error("SF214", "init gives a map its whole value", a.target.span,
                               f"write `{ir.root_name(a.target)} := {{k: ... for k in ...}}`")
                elif target.type is not None or ir.root_name(a.target) in self.unreadable:
                    self._bad_target(a.target, self.globals)
                out.append(_with(a, target=target, value=value))
                continue
            if path not in leaves:
                if isinstance(target, ir.RecordField):
                    self.error("SF214", "init gives a record value its whole value", a.target.span,
                               f"write `{ir.root_name(a.target)} := TYPE {{ FIELD: VALUE, ... }}`")
                    assigned.setdefault(ir.root_name(a.target), a.span)  # reported here, not again as missing
                elif any(p.startswith(path + ".") for p in leaves):
                    self.error("SF214", f"`{path}` is a record; assign each of its fields", a.target.span,
                               "e.g. " + ", ".join(f"`{p} := ...`" for p in leaves if p.startswith(path + "."))[:200])
                out.append(_with(a, target=target, value=value))
                continue
            if path in assigned:
                self.error("SF208", f"init assigns `{path}` twice", a.span, f"the first is at line {assigned[path].line}")
            assigned[path] = a.span
            if target.type is not None and value.type is not None:
                value = self.assignable(target.type, value, f"`{path}`")
            out.append(_with(a, target=target, value=value))
        missing = [p for p in leaves if p not in assigned and p.split(".")[0] not in self.unreadable
                   and not any(p == q or p.startswith(q + ".") for q in self.spread_missing)]
        if missing:
            self.error("SF207", f"init does not assign {_list(missing)}", block.span,
                       "every state variable needs a first value, e.g. `" + missing[0] + " := ...`")
        return out

    def _spread(self, statements: list, scope: Scope) -> list:
        """`statements` with each `block := { f: v, ... }` (a nested block of state given a record literal
        written without its type) replaced by one assignment per field, in the literal's order, a block
        inside it spread in turn: `token := { ttl: 15 min, valid: false }` is `token.ttl := 15 min` then
        `token.valid := false`."""
        out = []
        for stmt in statements:
            out.extend(self._spread_one(stmt, scope) if isinstance(stmt, ir.Assign) else [stmt])
        return out

    def _spread_one(self, a: ir.Assign, scope: Scope) -> list[ir.Assign]:
        literal, path = a.value, _target_path(a.target)
        block = self._block(path, scope) if isinstance(literal, ir.RecordLiteral) and not literal.name else None
        if block is None:
            return [a]
        given, missing = records.fields_given(self, literal, literal.values, [n for n, _ in block.fields],
                                              f"`{path}`", f"{path} :=")
        self.spread_missing.update(f"{path}.{n}" for n in missing)
        out: list[ir.Assign] = []
        written: list[str] = []
        for name, value in given.items():
            for read in _paths_read(value):
                if any(read == w or read.startswith(w + ".") or w.startswith(read + ".") for w in written):
                    self.error("SF214", f"the value of `{path}.{name}` reads `{read}`, which this literal assigns "
                               "before it", value.span, f"the fields are assigned in the order written: give "
                               f"`{name}` before the fields it reads, or assign the fields one by one")
            field = make(ir.FieldAccess, span=a.target.span, base=a.target, field=name)
            out += self._spread_one(make(ir.Assign, span=a.span, target=field, value=value), scope)
            written.append(f"{path}.{name}")
        return out

    def _block(self, path: str | None, scope: Scope) -> RecordT | None:
        """The nested block of state fields at `path` (`token`, `desk.queue`), or None."""
        parts = path.split(".") if path else []
        sym = scope.lookup(parts[0]) if parts else None
        t = sym.type if sym is not None and sym.kind is RefKind.VAR else None
        for part in parts[1:]:
            t = dict(t.fields).get(part) if isinstance(t, RecordT) else None
        return t if isinstance(t, RecordT) else None

    def _bad_target(self, target_node: ir.Expr, scope: Scope) -> None:
        root = ir.root_name(target_node)
        sym = scope.lookup(root) if root else None
        if sym is not None and sym.kind is RefKind.CONST:
            self.error("SF209", f"`{root}` is a constant and cannot be assigned", target_node.span,
                       "declare it in `state` if it changes")
        elif sym is not None and sym.kind is RefKind.PARAM:
            self.error("SF214", f"`{root}` is a parameter and cannot be assigned", target_node.span)
        elif sym is None and root in self.member_enums:
            self.error("SF214", f"`{root}` is a value of enum {self.member_enums[root][0]} and cannot be assigned",
                       target_node.span)
        else:
            self.error("SF214", "only state variables, their fields and map entries can be assigned", target_node.span)

    # ---- invariants and actions ------------------------------------------------------------

    def _invariants(self, invariants: list[ir.Invariant]) -> list[ir.Invariant]:
        seen: dict[str, Span] = {}
        out = []
        for inv in invariants:
            if inv.id in seen:
                self.error("SF210", f"invariant ID `{inv.id}` is used twice", inv.span,
                           f"the first is at line {seen[inv.id].line}; IDs name invariants in every report")
            else:
                seen[inv.id] = inv.span
            expr = self.expect(self.expr(inv.expr, self.globals), BOOL, "an invariant")
            out.append(_with(inv, expr=expr))
        return out

    def _constraints(self, decls: list[ConstraintDecl], invariants: list[ir.Invariant],
                     actions: list[ir.Action]) -> list[ir.Constraint]:
        """The operating envelope (constraints.py); its IDs name verdicts beside the invariants'."""
        seen = {inv.id: inv.span for inv in invariants}
        out = []
        for d in decls:
            if d.id in seen:
                self.error("SF210", f"ID `{d.id}` is used twice", d.span,
                           f"the first is at line {seen[d.id].line}; IDs name invariants and constraints in every report")
            seen.setdefault(d.id, d.span)
            checked = envelope.check(self, d, [a.name for a in actions])
            if checked is not None:
                out.append(checked)
        return out

    def _action(self, a: ir.Action) -> ir.Action:
        params, names = self._params(a.params, "action", allow_set=True)
        scope = self.globals.child(names)
        t = None if a.result is None else self.resolve_type(a.result, allow_map=False, allow_set=True)
        if t is not None and RESULT in names:
            self.error("SF218", f"parameter `{RESULT}` has the name of the action's result", names[RESULT].span,
                       f"rename the parameter: `{RESULT}` names what `{a.name}` answers in its `ensures`")
        # the answer: its `ensures` read it, and so may its assignments when no `returns` gives it (ir.Action.answer)
        answered = scope if t is None else scope.child({RESULT: Symbol(RefKind.PARAM, t.resolved, a.result.span)})
        body = []
        assigned: set[str] = set()  # the roots assigned so far: what a guard showed present may have changed
        present: set[str] = set()  # the optionals the guards so far show present
        for stmt in self._spread(a.body, scope):
            if isinstance(stmt, ir.Requires):
                if assigned:
                    self.error("SF215", "`requires` must come before the action's assignments", stmt.span,
                               "guards are checked on the state before the action changes it")
                cond = self.expect(self.expr(stmt.cond, scope.narrow(present)), BOOL, "a guard")
                present |= present_if(cond, True)
                body.append(_with(stmt, cond=cond))
            else:
                here = (answered if a.returns is None else scope).narrow(present - assigned)
                body.append(self._assign(stmt, here))
                assigned.add(ir.root_name(stmt.target) or "")
        if t is None:
            return _with(a, params=params, body=body)
        after = present - assigned  # `returns` and `ensures` read the state after the action
        return _with(a, params=params, body=body, **self._result(a, t, scope.narrow(after), answered.narrow(after)))

    def _result(self, a: ir.Action, t: ir.TypeRef, scope: Scope, answered: Scope) -> dict:
        """`-> T`, `returns` and `ensures`: the result's type, its value in the state after the action, and
        the postconditions, which see the parameters, that state and `result`."""
        out: dict = {"result": t}
        if a.returns is not None:
            value = self.expr(a.returns.value, scope)
            if t.resolved is not None and value.type is not None:
                value = self.assignable(t.resolved, value, f"the result of `{a.name}`")
            out["returns"] = _with(a.returns, value=value)
        out["ensures"] = [_with(e, cond=self.expect(self.expr(e.cond, answered), BOOL, "a postcondition"))
                          for e in a.ensures]
        return out

    def _params(self, params: list[ir.Param], what: str,
                allow_set: bool = False) -> tuple[list[ir.Param], dict[str, Symbol]]:
        names: dict[str, Symbol] = {}
        out = []
        for p in params:
            t = self.resolve_type(p.type, allow_map=False, allow_set=allow_set)
            if self.reserved(p.name, p.span, "parameter"):
                pass
            elif p.name in names:
                self.error("SF202", f"parameter `{p.name}` is declared twice", p.span)
            elif self.globals.lookup(p.name) is not None or p.name in self.member_enums:
                self.error("SF218", f"parameter `{p.name}` has the name of a {self._what(p.name)}", p.span,
                           f"rename the {what}'s parameter")
            names[p.name] = Symbol(RefKind.PARAM, t.resolved, p.span)
            out.append(_with(p, type=t))
        return out, names

    def _function(self, d: FunctionDef) -> None:
        """A `def`: its body checked once, with its parameters; every call inlines it (see `_inline`)."""
        declared = self.declare(d.name, d.span, "function")
        params, names = self._params(d.params, "function", allow_set=True)
        result = self.resolve_type(d.type, allow_map=False, allow_set=True)
        self.defining = d.name
        before = len(self.diagnostics)
        body = self.expr(d.body, self.globals.child(names))
        self.defining = None
        if result.resolved is not None and body.type is not None:
            body = self.assignable(result.resolved, body, f"the result of `{d.name}`")
        ok = len(self.diagnostics) == before and result.resolved is not None and body.type is not None
        if declared and ok:
            self.functions[d.name] = (FunctionDef(d.span, d.name, params, result, body), body)
        elif declared:
            self.unreadable.add(d.name)  # its calls are not reported again

    def _what(self, name: str) -> str:
        if name in self.member_enums:
            return "value of enum " + self.member_enums[name][0]
        sym = self.globals.lookup(name)
        return {RefKind.VAR: "state variable", RefKind.CONST: "constant", RefKind.DOMAIN: "set or enum"}.get(
            sym.kind, "declaration") if sym else "declaration"

    def _assign(self, a: ir.Assign, scope: Scope) -> ir.Assign:
        root = ir.root_name(a.target)
        target = self.expr(a.target, scope.forget([root] if root else []))  # the variable itself, not its value
        value = self.expr(a.value, scope)
        sym = scope.lookup(root) if root else None
        if sym is None or sym.kind is not RefKind.VAR or _target_path(a.target, maps=True) is None:
            if target.type is not None:
                self._bad_target(a.target, scope)
            return _with(a, target=target, value=value)
        if isinstance(target.type, RecordT):
            self.error("SF214", "a record is assigned field by field", a.target.span)
        elif target.type is not None and value.type is not None:
            value = self.assignable(target.type, value, _named(a.target))
        target, value = records.desugar_assign(target, value)
        return _with(a, target=target, value=value)

    # ---- type compatibility ------------------------------------------------------------------

    def expect(self, e: ir.Expr, t: ir.Type, what: str) -> ir.Expr:
        if e.type is not None and _family(e.type) != _family(t):
            self.error("SF203", f"{what} must be {show(t)}, but this is {show(e.type)}", e.span)
        return e

    def assignable(self, target: ir.Type, value: ir.Expr, what: str) -> ir.Expr:
        """`value` converted to fit `target` (a bare 0 becomes a quantity), or reported."""
        value = self.coerce_zero(value, target)
        if value.type is None or _compatible(target, value.type):
            if isinstance(target, IntT) and (target.low is not None or target.high is not None):
                try:
                    self._check_bounds(target, self.evaluate(value), value.span)
                except ConstError:
                    pass  # not a constant: the prover checks it
            return value
        if isinstance(target, QuantityT) and isinstance(value.type, IntT):
            self._dimension_error(f"{what} is a {show(target)}, but this value has no unit", value, target)
        elif isinstance(value.type, QuantityT) and isinstance(target, IntT):
            self.error("SF204", f"{what} is {show(target)}, but this value is a {show(value.type)}", value.span,
                       "declare it `decimal`, or write a whole number" if value.type.dimension == DECIMAL.name
                       else f"drop the unit, or declare it `{dimension(value.type.dimension).type_name}`")
        elif isinstance(value.type, SetOfT) and isinstance(target, SetOfT):
            self.error("SF203", f"{what} is {show(target)}, but this value is {show(value.type)}", value.span,
                       f"its members may be outside {show(target.element)}: give them that type "
                       f"(a parameter `x: {show(target.element)}`, a bound variable over a range)")
        elif isinstance(value.type, SetOfT):
            self.error("SF203", f"{what} is {show(target)}, but this value is {show(value.type)}", value.span,
                       "if it holds several values, declare it `set[T]`")
        else:
            self.error("SF203", f"{what} is {show(target)}, but this value is {show(value.type)}", value.span,
                       _optional_hint(value))
        return value

    def coerce_zero(self, e: ir.Expr, want: ir.Type | None) -> ir.Expr:
        """A bare `0` fits any dimension (also as the value of a map comprehension); `none` and a T fit a `T?`."""
        e = records.name_literal(self, e, want) or e
        wrapped = records.coerce(self, e, want)
        if wrapped is not None:
            return wrapped
        if isinstance(want, QuantityT) and isinstance(e, ir.IntLit) and e.value == 0:
            return make(ir.QuantityLit, span=e.span, value=0, dimension=want.dimension, text="0", type=want)
        if isinstance(want, QuantityT) and want.dimension == DECIMAL.name and isinstance(e, ir.IntLit):
            # an integer literal is exact as a decimal: `confidence <= 1`
            return make(ir.QuantityLit, span=e.span, value=e.value * DECIMAL_SCALE, dimension=DECIMAL.name,
                        text=str(e.value), type=want)
        if isinstance(want, SetOfT) and want.element is not None and isinstance(e.type, SetOfT) \
                and e.type.element is None:
            return _with(e, type=want)  # `{}` takes its element type from where it is used
        if isinstance(want, MapT) and isinstance(e, ir.MapComprehension) and isinstance(e.type, MapT):
            value = self.coerce_zero(e.value, want.value)
            if value.type != e.type.value:
                return _with(e, value=value, type=make(MapT, key=e.type.key, value=value.type))
        return e

    def _dimension_error(self, message: str, bare: ir.Expr, quantity: QuantityT) -> None:
        dim = dimension(quantity.dimension)
        if dim is DECIMAL:
            hint = (f"`{_show_expr(bare)}` is an int; " if _named(bare) != "this expression" else "") + \
                "declare it `decimal`, or multiply it by `1.0` to make it one"
        elif isinstance(bare, ir.IntLit):
            hint = f"did you mean `{bare.value} {dim.example.split(' ', 1)[1]}`?"
        elif _named(bare) == "this expression":
            hint = "it has no unit; multiply it by one, e.g. `(...) * 1 s`"
        else:
            hint = f"`{_show_expr(bare)}` has no unit; multiply it by one, e.g. `{_show_expr(bare)} * 1 s`"
        self.error("SF204", message, bare.span, hint)

    def known_elements(self, e: ir.Expr) -> bool:
        """Whether a set's element type is known (`{}` alone has none); reports it when not."""
        if isinstance(e.type, SetOfT) and e.type.element is None:
            self.error("SF203", "the type of this empty set's members is not known here", e.span,
                       "compare its size instead: `card(s) == 0`, or give `{}` to a typed variable first")
            return False
        return True

    def check_init_read(self, path: str, span: Span) -> None:
        """While checking init's values: a state variable (leaf path) read before init assigns it."""
        if self.init_assigned is not None and path not in self.init_assigned:
            self.error("SF219", f"init reads `{path}` before assigning it", span,
                       "assign it earlier in init, or use a constant")

    # ---- constant evaluation -----------------------------------------------------------------

    def constant(self, e: ir.Expr) -> tuple[object, tuple[str, Span | None] | None]:
        """(the value of a constant expression, None), or (None, (why it is not one, where))."""
        try:
            return self.evaluate(e), None
        except ConstError as err:
            return None, (str(err), err.span)

    def evaluate(self, e: ir.Expr):
        """The value of a constant expression (ints, bools, quantities in base units, enum values),
        computed by the one evaluator (`specforge.evaluate`), so that a constant means what the same
        expression means in an invariant (`and`, `or`, `implies` look only at what they need).

        An expression that failed to check may reach here (its own error is already reported), so
        any failure is a ConstError, with the span of the node at fault where there is one.
        """
        fault = _not_constant(self, e)
        if fault is not None:
            raise ConstError(f"{_named(fault)} is not a constant", fault.span)
        try:
            value = evaluate(e, self.const_env)
        except EvaluationError as err:
            if err.node is not None and isinstance(err.node, ir.Binary) and err.node.op is ir.BinOp.MUL:
                raise ConstError(f"its value has more than {MAX_DIGITS} digits", err.node.span) from None
            raise ConstError(err.reason, getattr(err.node, "span", None)) from None
        except (TypeError, KeyError, ValueError, ArithmeticError, RecursionError):
            raise ConstError("its value cannot be computed") from None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MAX_CONSTANT:
            raise ConstError(f"its value has more than {MAX_DIGITS} digits")
        return value

    # ---- expressions --------------------------------------------------------------------------

    def expr(self, e: ir.Expr, scope: Scope) -> ir.Expr:
        return _CHECKERS[type(e)](self, e, scope)


# ---- one checker per expression node, found by table --------------------------------------


def _check_int(c: Checker, e: ir.IntLit, scope: Scope) -> ir.Expr:
    return _with(e, type=INT)


def _check_bool(c: Checker, e: ir.BoolLit, scope: Scope) -> ir.Expr:
    return _with(e, type=BOOL)


def _check_string(c: Checker, e: ir.StringLit, scope: Scope) -> ir.Expr:
    return _with(e, type=strings.STRING)


def _check_quantity(c: Checker, e: ir.QuantityLit, scope: Scope) -> ir.Expr:
    if e.dimension == UNRESOLVED:
        converted = userunits.convert(c, c.units, e)
        if converted is None:
            return _with(e, type=None)
        e = converted
    return _with(e, type=make(QuantityT, dimension=e.dimension))


def _check_name(c: Checker, e: ir.Name, scope: Scope) -> ir.Expr:
    sym = scope.lookup(e.name)
    if sym is not None and sym.kind is RefKind.VAR and not isinstance(sym.type, RecordT):
        c.check_init_read(e.name, e.span)
    if sym is not None:
        named = _with(e, type=sym.type, ref=sym.kind, enum=sym.enum)
        if isinstance(sym.type, OptionT) and sym.type.value is not None and scope.is_present(e.name):
            return make(ir.Present, span=e.span, value=named, type=sym.type.value)
        return named
    enums = c.member_enums.get(e.name)
    if enums and e.name in c.unreadable:
        return e  # a declaration of this name was refused (SF202): which one a use means is not guessed
    if enums:
        if len(enums) > 1:
            c.error("SF212", f"`{e.name}` is a value of several enums ({', '.join(enums)})", e.span,
                    "qualify it: " + " or ".join(f"`{name}.{e.name}`" for name in enums))
            return e
        return _with(e, type=make(EnumT, name=enums[0]), ref=RefKind.ENUM_VALUE, enum=enums[0])
    if e.name == records.NONE:  # not a keyword: a spec's own `none` (an enum value, say) comes first
        return records.check_none(c, make(ir.NoneLit, span=e.span), scope)
    if e.name not in c.unreadable:
        if e.name in c.pending_state:
            c.error("SF216", f"`{e.name}` is a state variable; a constant cannot depend on the state", e.span,
                    "use a literal or another constant")
        elif e.name in BUILTIN_TYPES:
            c.error("SF201", f"`{e.name}` is a type, not a value", e.span)
        elif e.name in BUILTIN_FUNCTIONS:
            c.error("SF201", f"`{e.name}` is a function", e.span, f"call it: `{e.name}(...)`")
        elif e.name in c.record_decls:
            c.error("SF201", f"`{e.name}` is a record type, not a value", e.span,
                    f"write a value of it as `{e.name} {{ FIELD: VALUE, ... }}`")
        elif e.name == RESULT:
            c.error("SF201", f"`{RESULT}` has no value here", e.span,
                    f"`{RESULT}` is an action's answer: its `ensures` read it, and so do the assignments of an "
                    "action with `-> T` and no `returns`; a guard is checked before the call answers, and in an "
                    "action with `returns` write the `returns` expression instead")
        else:
            hint = _did_you_mean(e.name, [*scope.all_names(), *c.member_enums])
            c.error("SF201", f"unknown name `{e.name}`", e.span, hint)
    return e


def _check_field(c: Checker, e: ir.FieldAccess, scope: Scope) -> ir.Expr:
    if isinstance(e.base, ir.Name) and e.base.name in c.enums and scope.lookup(e.base.name) is not None \
            and scope.lookup(e.base.name).kind is RefKind.DOMAIN:
        enum = c.enums[e.base.name]
        if e.field not in {m.name for m in enum.members}:
            c.error("SF212", f"enum `{enum.name}` has no value `{e.field}`", e.span,
                    _did_you_mean(e.field, [m.name for m in enum.members]))
            return e
        return make(ir.Name, span=e.span, name=e.field, ref=RefKind.ENUM_VALUE, enum=enum.name,
                    type=make(EnumT, name=enum.name))
    base = c.expr(e.base, scope)
    if base.type is None:
        return _with(e, base=base)
    field = records.field_of(c, e, base)
    if field is not None:
        return field
    if not isinstance(base.type, RecordT):
        c.error("SF221", f"{_named(e.base)} is {show(base.type)} and has no fields", e.span)
        return _with(e, base=base)
    fields = dict(base.type.fields)
    if e.field not in fields:
        c.error("SF221", f"{_named(e.base)} has no field `{e.field}`", e.span,
                _did_you_mean(e.field, list(fields)) or f"its fields are {_list(list(fields))}")
        return _with(e, base=base)
    path = _target_path(e)
    if path is not None and not isinstance(fields[e.field], RecordT):
        c.check_init_read(path, e.span)
    return _with(e, base=base, type=fields[e.field])


def _check_index(c: Checker, e: ir.Index, scope: Scope) -> ir.Expr:
    base = c.expr(e.base, scope)
    key = c.expr(e.key, scope)
    if base.type is None:
        return _with(e, base=base, key=key)
    if not isinstance(base.type, MapT):
        c.error("SF203", f"{_named(e.base)} is {show(base.type)}, not a map", e.base.span)
        return _with(e, base=base, key=key)
    if key.type is not None and not _compatible(base.type.key, key.type):
        c.error("SF211", f"{_named(e.base)} is keyed by {show(base.type.key)}, but this key is {show(key.type)}",
                key.span)
    k, kt = _literal_int(key), base.type.key
    if k is not None and isinstance(kt, IntT) and kt.low is not None and kt.high is not None and not kt.low <= k <= kt.high:
        c.error("SF223", f"the key {k} is outside {_named(e.base)}'s keys {kt.low}..{kt.high}: "
                "this lookup has no meaning in any state", key.span, f"use a key in {kt.low}..{kt.high}")
    return _with(e, base=base, key=key, type=base.type.value)


def _literal_int(e: ir.Expr) -> int | None:
    """The value of an integer literal (or a negated one), else None."""
    if isinstance(e, ir.IntLit):
        return e.value
    if isinstance(e, ir.Unary) and e.op is ir.UnOp.NEG and isinstance(e.operand, ir.IntLit):
        return -e.operand.value
    return None


def _check_unary(c: Checker, e: ir.Unary, scope: Scope) -> ir.Expr:
    operand = c.expr(e.operand, scope)
    t = operand.type
    if t is None:
        return _with(e, operand=operand)
    if e.op is ir.UnOp.NOT:
        c.expect(operand, BOOL, "the operand of `not`")
        return _with(e, operand=operand, type=BOOL)
    if not isinstance(t, (IntT, QuantityT)):
        c.error("SF203", f"`-` needs a number, but this is {show(t)}", operand.span)
        return _with(e, operand=operand)
    return _with(e, operand=operand, type=INT if isinstance(t, IntT) else t)


_LOGIC = {ir.BinOp.AND, ir.BinOp.OR, ir.BinOp.IMPLIES, ir.BinOp.IFF}
_VERBS = {ir.BinOp.ADD: "add", ir.BinOp.SUB: "subtract", ir.BinOp.MUL: "multiply", ir.BinOp.DIV: "divide",
          ir.BinOp.MOD: "take the remainder of"}


def _check_binary(c: Checker, e: ir.Binary, scope: Scope) -> ir.Expr:
    left = c.expr(e.left, scope)
    if e.op in (ir.BinOp.AND, ir.BinOp.IMPLIES):  # the right side is read where the left one holds
        scope = scope.narrow(present_if(left, True))
    elif e.op is ir.BinOp.OR:  # and here where it does not
        scope = scope.narrow(present_if(left, False))
    right = c.expr(e.right, scope)
    lt, rt = left.type, right.type
    if e.op in _LOGIC:
        c.expect(left, BOOL, f"the left side of `{e.op.value}`")
        c.expect(right, BOOL, f"the right side of `{e.op.value}`")
        return _with(e, left=left, right=right, type=BOOL)
    if lt is None or rt is None:
        return _with(e, left=left, right=right)
    if e.op in (ir.BinOp.DIV, ir.BinOp.MOD) and _literal_int(right) == 0:
        c.error("SF224", f"{'division' if e.op is ir.BinOp.DIV else 'the remainder'} by zero has no meaning in any state",
                right.span, "divide by a value that is never 0, or guard the division")
    for side, t in ((left, lt), (right, rt)):
        if not isinstance(t, (IntT, QuantityT)):
            c.error("SF203", f"cannot {_VERBS[e.op]} {show(t)}; arithmetic needs numbers", side.span,
                    _optional_hint(side))
            return _with(e, left=left, right=right)
    if e.op in (ir.BinOp.ADD, ir.BinOp.SUB, ir.BinOp.MOD):
        left, right = c.coerce_zero(left, rt), c.coerce_zero(right, lt)
        lt, rt = left.type, right.type
        if _family(lt) != _family(rt):
            _mix_error(c, e, left, right)
            return _with(e, left=left, right=right)
        return _with(e, left=left, right=right, type=INT if isinstance(lt, IntT) else lt)
    if e.op is ir.BinOp.MUL:
        if isinstance(lt, QuantityT) and isinstance(rt, QuantityT):
            c.error("SF204", f"cannot multiply two {show(lt)}s", e.span,
                    "scale it by an int; a product of decimals would need rounding" if lt.dimension == DECIMAL.name
                    else "scale a quantity by an int")
            return _with(e, left=left, right=right)
        q = lt if isinstance(lt, QuantityT) else rt
        return _with(e, left=left, right=right, type=q if isinstance(q, QuantityT) else INT)
    # division
    if isinstance(lt, IntT) and isinstance(rt, QuantityT):
        c.error("SF204", f"cannot divide an int by a {show(rt)}", e.span)
        return _with(e, left=left, right=right)
    if isinstance(lt, QuantityT) and isinstance(rt, QuantityT):
        if lt != rt:
            _mix_error(c, e, left, right)
            return _with(e, left=left, right=right)
        return _with(e, left=left, right=right, type=INT)  # a ratio
    return _with(e, left=left, right=right, type=lt if isinstance(lt, QuantityT) else INT)


def _mix_error(c: Checker, e: ir.Expr, left: ir.Expr, right: ir.Expr) -> None:
    lt, rt = left.type, right.type
    message = f"{_named(left)} is {_a(show(lt))} and {_named(right)} is {_a(show(rt))}: they cannot be mixed"
    if isinstance(lt, QuantityT) and isinstance(rt, IntT):
        c._dimension_error(message, right, lt)
    elif isinstance(rt, QuantityT) and isinstance(lt, IntT):
        c._dimension_error(message, left, rt)
    else:
        c.error("SF204", message, e.span)


def _check_compare(c: Checker, e: ir.Compare, scope: Scope) -> ir.Expr:
    left, right = c.expr(e.left, scope), c.expr(e.right, scope)
    if e.op in (ir.CmpOp.EQ, ir.CmpOp.NE):  # `x == none`, `x == v`: the optional itself, as written
        left, right = (side.value if isinstance(side, ir.Present) else side for side in (left, right))
    if left.type is None or right.type is None:
        return _with(e, left=left, right=right, type=BOOL)
    left, right = c.coerce_zero(left, right.type), c.coerce_zero(right, left.type)
    lt, rt = left.type, right.type
    if lt is None or rt is None:  # a record literal that does not fit the other side: reported
        return _with(e, left=left, right=right, type=BOOL)
    if _family(lt) != _family(rt):
        if {type(lt), type(rt)} == {IntT, QuantityT}:
            _mix_error(c, e, left, right)
        else:
            c.error("SF203", f"cannot compare {show(lt)} with {show(rt)}", e.span,
                    _optional_hint(left) or _optional_hint(right))
    elif isinstance(lt, OptionT) and lt.value is None:
        c.error("SF203", "the type of `none` is not known here", e.span, "compare an optional value with `none`")
    elif e.op not in (ir.CmpOp.EQ, ir.CmpOp.NE) and not isinstance(lt, (IntT, QuantityT)):
        c.error("SF203", f"`{e.op.value}` orders numbers; {show(lt)} values are only equal or not", e.span,
                _optional_hint(left))
    elif isinstance(lt, (MapT, RecordT, DomainT, RangeT)):
        c.error("SF203", f"{show(lt)} values cannot be compared", e.span)
    else:
        c.known_elements(left)
    return _with(e, left=left, right=right, type=BOOL)


def _is_none(e: ir.Expr) -> bool:
    return isinstance(e.type, OptionT) and e.type.value is None


def present_if(e: ir.Expr, holds: bool) -> set[str]:
    """The optional names that a checked condition `e` shows present when it is true (`holds`) or false:
    `x != none` and `not (x == none)` when true, `x == none` when false, through `and`, `or`, `not`
    and `implies`."""
    if isinstance(e, ir.Compare) and e.op is (ir.CmpOp.NE if holds else ir.CmpOp.EQ):
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if isinstance(side, ir.Name) and isinstance(side.type, OptionT) and isinstance(other, ir.NoneLit):
                return {side.name}
        return set()
    if isinstance(e, ir.Unary) and e.op is ir.UnOp.NOT:
        return present_if(e.operand, not holds)
    if isinstance(e, ir.Binary):
        if e.op is ir.BinOp.AND and holds or e.op is ir.BinOp.OR and not holds:
            return present_if(e.left, holds) | present_if(e.right, holds)
        if e.op is ir.BinOp.IMPLIES and not holds:  # false: the left side holds and the right does not
            return present_if(e.left, True) | present_if(e.right, False)
    return set()


def _check_member(c: Checker, e: ir.Member, scope: Scope) -> ir.Expr:
    element, collection = c.expr(e.element, scope), c.expr(e.collection, scope)
    et, ct = element.type, collection.type
    if et is not None and ct is not None:
        if isinstance(ct, RangeT):
            if not isinstance(et, IntT):
                c.error("SF203", f"only an int can be in a range; this is {show(et)}", element.span)
        elif isinstance(ct, DomainT):
            if et != ct.element:
                c.error("SF203", f"{show(et)} can never be in {show(ct.element)}", e.span)
        elif isinstance(ct, SetOfT):
            if ct.element is None:
                collection = _with(collection, type=make(SetOfT, element=et))
            elif _family(et) != _family(ct.element):
                c.error("SF203", f"{show(et)} can never be in {show(ct)}", e.span)
        else:
            c.error("SF203", f"`in` needs a range, a set or an enum on its right, not {show(ct)}", collection.span,
                    "a set of values is written `{a, b}`; declare a set variable as `set[T]`")
    return _with(e, element=element, collection=collection, type=BOOL)


def _check_range(c: Checker, e: ir.Range, scope: Scope) -> ir.Expr:
    low, high = c.expr(e.low, scope), c.expr(e.high, scope)
    for side in (low, high):
        if side.type is not None and not isinstance(side.type, IntT):
            c.error("SF203", f"a range bound must be an int, not {show(side.type)}", side.span)
    return _with(e, low=low, high=high, type=RANGE)


def _check_call(c: Checker, e: ir.Call, scope: Scope) -> ir.Expr:
    args = [c.expr(a, scope) for a in e.args]
    if e.func in c.functions:
        return _inline(c, e, args)
    if e.func in records.FUNCTIONS:
        return records.check_or_else(c, e, args)
    if e.func in setops.FUNCTIONS:
        return _check_set_call(c, e, args)
    if e.func in strings.FUNCTIONS:
        return strings.check_call(c, e, args)
    arity = BUILTIN_FUNCTIONS.get(e.func)
    if arity is None:
        if e.func in c.unreadable:
            return _with(e, args=args)
        if e.func == c.defining:
            c.error("SF206", f"`{e.func}` calls itself", e.span, "a def may call only the defs above it")
            return _with(e, args=args)
        wrapping = e.func.lower() in ("some", "just", "optional") and len(args) == 1
        c.error("SF206", f"unknown function `{e.func}`", e.span,
                "a value of T is already a present `T?`: write `x := v` and `x == v` (and `none` for absent)"
                if wrapping else _did_you_mean(e.func, [*BUILTIN_FUNCTIONS, *setops.FUNCTIONS, *strings.FUNCTIONS, *c.functions])
                or "the functions are abs, min, max, len, words, the set functions "
                f"({', '.join(setops.FUNCTIONS)}) and the spec's own `def`s above this line")
        return _with(e, args=args)
    low, high = arity
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if low == high else f"at least {low}"
        c.error("SF205", f"`{e.func}` takes {want} argument{'s' if low != 1 else ''}, not {len(args)}", e.span)
        return _with(e, args=args)
    if any(a.type is None for a in args):
        return _with(e, args=args)
    quantity = next((a.type for a in args if isinstance(a.type, QuantityT)), None)
    if quantity is not None:
        args = [c.coerce_zero(a, quantity) for a in args]
    for a in args:
        if not isinstance(a.type, (IntT, QuantityT)):
            c.error("SF203", f"`{e.func}` needs numbers, but this is {show(a.type)}", a.span)
            return _with(e, args=args)
    if len({_family(a.type) for a in args}) > 1:
        _mix_error(c, e, args[0], next(a for a in args if _family(a.type) != _family(args[0].type)))
        return _with(e, args=args)
    return _with(e, args=args, type=quantity or INT)


def _check_set_call(c: Checker, e: ir.Call, args: list[ir.Expr]) -> ir.Expr:
    """`add(s, x)`, `remove(s, x)`, `card(s)`, `union`, `inter`, `diff`, `subset` (setops.FUNCTIONS)."""
    arity = setops.FUNCTIONS[e.func][0]
    if len(args) != arity:
        c.error("SF205", f"`{e.func}` takes {arity} argument{'s' if arity != 1 else ''}, not {len(args)}", e.span,
                setops.FUNCTIONS[e.func][1])
        return _with(e, args=args)
    if any(a.type is None for a in args):
        return _with(e, args=args)
    first = args[0]
    if not isinstance(first.type, SetOfT):
        hint = setops.FUNCTIONS[e.func][1]
        if e.func == "card" and isinstance(first.type, ir.DomainT) and isinstance(first, ir.Name):
            # the size of a declared set, as a majority needs it
            hint = (f"the number of members of {first.name} is `count(x in {first.name})`; `card(s)` counts the "
                    "members of a set value")
        c.error("SF203", f"`{e.func}` needs a set, but this is {show(first.type)}", first.span, hint)
        return _with(e, args=args)
    if e.func in setops.ELEMENT_SECOND:
        x = args[1]
        if first.type.element is None:
            first = _with(first, type=make(SetOfT, element=_member_type(x)))
        elif _family(x.type) != _family(first.type.element):
            c.error("SF203", f"`{e.func}` puts {show(x.type)} in {show(first.type)}", x.span)
            return _with(e, args=args)
        args = [first, x]
        if e.func == "add":  # the result may hold x: a set of a range widens to hold x's range
            return _with(e, args=args, type=make(SetOfT, element=_join(first.type.element, _member_type(x))))
    elif arity == 2:
        second = c.coerce_zero(args[1], first.type)
        first = c.coerce_zero(first, second.type)
        if not isinstance(second.type, SetOfT) or _family(first.type) != _family(second.type):
            c.error("SF203", f"`{e.func}` combines two sets of one type, not {show(first.type)} and "
                    f"{show(second.type)}", e.span)
            return _with(e, args=args)
        args = [first, second]
        if e.func == "union":
            return _with(e, args=args, type=make(SetOfT, element=_join(first.type.element, second.type.element)))
    if not c.known_elements(args[0]):
        return _with(e, args=args)
    return _with(e, args=args, type=NAT if e.func == "card" else BOOL if e.func == "subset" else args[0].type)


def _check_set_literal(c: Checker, e: ir.SetLiteral, scope: Scope) -> ir.Expr:
    items = [c.expr(i, scope) for i in e.items]
    if any(i.type is None for i in items):
        return _with(e, items=items)
    if not items:
        return _with(e, items=items, type=make(SetOfT))
    first = items[0].type
    for i in items[1:]:
        if _family(i.type) != _family(first):
            c.error("SF203", f"the members of a set are of one type: {show(first)} and {show(i.type)}", i.span)
            return _with(e, items=items)
    if isinstance(first, (MapT, RecordT, DomainT, RangeT, SetOfT)):
        c.error("SF203", f"a set's members are values that are only equal or not, not {show(first)}", items[0].span)
        return _with(e, items=items)
    element = _member_type(items[0])
    for i in items[1:]:
        element = _join(element, _member_type(i))
    return _with(e, items=items, type=make(SetOfT, element=element))


def _member_type(e: ir.Expr) -> ir.Type:
    """The type a member adds to a set: an int literal is the range of itself (`{0, 2}` fits a
    `set[0..3]`), any other expression its own type."""
    v = _literal_int(e)
    return make(IntT, low=v, high=v) if v is not None else e.type


def _join(a: ir.Type | None, b: ir.Type | None) -> ir.Type | None:
    """The smallest member type that holds both: the hull of two int ranges, else the first."""
    if isinstance(a, IntT) and isinstance(b, IntT):
        low = None if a.low is None or b.low is None else min(a.low, b.low)
        high = None if a.high is None or b.high is None else max(a.high, b.high)
        return make(IntT, low=low, high=high)
    return a if a is not None else b


def _inline(c: Checker, e: ir.Call, args: list[ir.Expr]) -> ir.Expr:
    """A call of a `def`: its typed body with the arguments in place of the parameters."""
    d, body = c.functions[e.func]
    if len(args) != len(d.params):
        c.error("SF205", f"`{d.name}` takes {len(d.params)} argument{'s' if len(d.params) != 1 else ''}, "
                f"not {len(args)}", e.span, f"it is declared at line {d.span.line}")
        return _with(e, args=args)
    values: dict[str, ir.Expr] = {}
    for p, a in zip(d.params, args, strict=True):
        if a.type is None or p.type.resolved is None:
            return _with(e, args=args)
        before = len(c.diagnostics)
        values[p.name] = c.assignable(p.type.resolved, a, f"parameter `{p.name}` of `{d.name}`")
        if len(c.diagnostics) > before:
            return _with(e, args=args)
    taken = {n.name for a in values.values() for n in ir.walk(a) if isinstance(n, ir.Name)}
    renames: dict[str, str] = {}
    for n in ir.walk(body):
        var = getattr(n, "var", None)
        if var is not None and var in taken:
            fresh = next(f"{var}_{i}" for i in itertools.count(1) if f"{var}_{i}" not in taken)
            taken.add(fresh)
            renames[var] = fresh
    inlined = _substitute(body, values, renames)
    read = {ir.state_path(n) for n in ir.walk(body) if not isinstance(n.type, RecordT)} - {None}
    for path in sorted(read):
        c.check_init_read(path, e.span)  # in init, the body may read only what init has assigned
    return make(type(inlined), **{**inlined.__dict__, "span": e.span})


def _substitute(e: ir.Expr, values: dict[str, ir.Expr], renames: dict[str, str]) -> ir.Expr:
    """`e` with each parameter replaced by its value and the bound variables in `renames` renamed (a
    value that mentions a variable of the caller's is not captured by a quantifier of the body)."""
    if isinstance(e, ir.Name):
        if e.ref is RefKind.PARAM and e.name in values:
            return values[e.name]
        if e.ref is RefKind.BOUND and e.name in renames:
            return make(ir.Name, **{**e.__dict__, "name": renames[e.name]})
        return e
    fields = dict(e.__dict__)
    for k, v in e.__dict__.items():
        if isinstance(v, ir.EXPR_CLASSES):
            fields[k] = _substitute(v, values, renames)
        elif isinstance(v, list) and any(isinstance(x, ir.EXPR_CLASSES) for x in v):
            fields[k] = [_substitute(x, values, renames) for x in v]
    if fields.get("var") in renames:
        fields["var"] = renames[fields["var"]]
    return make(type(e), **fields)


def _check_if(c: Checker, e: ir.IfThenElse, scope: Scope) -> ir.Expr:
    cond = c.expect(c.expr(e.cond, scope), BOOL, "the condition of `if`")
    then = c.expr(e.then, scope.narrow(present_if(cond, True)))
    else_ = c.expr(e.else_, scope.narrow(present_if(cond, False)))
    then = c.coerce_zero(then, else_.type)
    else_ = c.coerce_zero(else_, then.type)  # after `then`: `if p then 3 else none` is an int?
    t = then.type
    if records.anonymous(then.type) and records.anonymous(else_.type):  # typed where it is used (name_literal)
        return _with(e, cond=cond, then=then, else_=else_, type=t)
    if then.type is not None and else_.type is not None and _family(then.type) != _family(else_.type):
        if {type(then.type), type(else_.type)} == {IntT, QuantityT}:
            _mix_error(c, e, then, else_)
        else:
            c.error("SF203", f"the branches of `if` differ: {show(then.type)} and {show(else_.type)}", e.span)
        t = None
    elif isinstance(t, IntT):
        t = INT
    elif isinstance(t, SetOfT) and isinstance(else_.type, SetOfT):
        t = make(SetOfT, element=_join(t.element, else_.type.element))
    return _with(e, cond=cond, then=then, else_=else_, type=t)


def _binder(c: Checker, var: str, var_span: Span, domain: ir.Expr, scope: Scope) -> tuple[ir.Expr, Scope]:
    domain = c.expr(domain, scope)
    element: ir.Type | None = None
    if isinstance(domain.type, RangeT):
        element = INT
        if isinstance(domain, ir.Range):
            try:
                element = make(IntT, low=c.evaluate(domain.low), high=c.evaluate(domain.high))
            except ConstError:
                pass
    elif isinstance(domain.type, DomainT):
        element = domain.type.element
    elif isinstance(domain.type, SetOfT) and c.known_elements(domain):
        element = domain.type.element
    elif domain.type is not None and not isinstance(domain.type, SetOfT):
        c.error("SF213", f"`{var}` ranges over {show(domain.type)}; a domain is a set, an enum or a range",
                domain.span, "e.g. `forall a in Account: ...` or `forall i in 0..9: ...`")
    if c.reserved(var, var_span, "bound variable"):
        pass
    elif scope.lookup(var) is not None or var in c.member_enums:
        sym = scope.lookup(var)
        if sym is not None and sym.kind is RefKind.PARAM:
            what = "parameter"
        elif sym is not None and sym.kind is RefKind.BOUND:
            what = "bound variable"
        else:
            what = c._what(var)
        c.error("SF218", f"`{var}` already names a {what}", var_span, "choose another name for the bound variable")
    return domain, scope.child({var: Symbol(RefKind.BOUND, element, var_span)})


def _check_quantifier(c: Checker, e: ir.Quantifier, scope: Scope) -> ir.Expr:
    domain, inner = _binder(c, e.var, e.var_span, e.domain, scope)
    body = c.expect(c.expr(e.body, inner), BOOL, f"the body of `{e.quantifier}`")
    return _with(e, domain=domain, body=body, type=BOOL)


def _check_comprehension(c: Checker, e: ir.MapComprehension, scope: Scope) -> ir.Expr:
    domain, inner = _binder(c, e.var, e.var_span, e.domain, scope)
    value = c.expr(e.value, inner)
    key = inner.names[e.var].type
    t = make(MapT, key=key, value=value.type) if key is not None and value.type is not None else None
    return _with(e, domain=domain, value=value, type=t)


def _check_aggregate(c: Checker, e: ir.Aggregate, scope: Scope) -> ir.Expr:
    domain, inner = _binder(c, e.var, e.var_span, e.domain, scope)
    cond = c.expect(c.expr(e.cond, inner), BOOL, f"the condition of `{e.op}`") if e.cond is not None else None
    if e.op == "count":
        return _with(e, domain=domain, cond=cond, type=NAT)
    value = c.expr(e.value, inner)
    t = value.type
    if t is not None and not isinstance(t, (IntT, QuantityT)):
        c.error("SF203", f"`sum` adds numbers, but this is {show(t)}", value.span,
                "to count the members that satisfy a condition, write `count(x in S if CONDITION)`")
        t = None
    return _with(e, domain=domain, value=value, cond=cond, type=INT if isinstance(t, IntT) else t)


_CHECKERS: dict[type, Callable[[Checker, ir.Expr, Scope], ir.Expr]] = {
    ir.IntLit: _check_int,
    ir.BoolLit: _check_bool,
    ir.QuantityLit: _check_quantity,
    ir.StringLit: _check_string,
    ir.Name: _check_name,
    ir.FieldAccess: _check_field,
    ir.Index: _check_index,
    ir.Unary: _check_unary,
    ir.Binary: _check_binary,
    ir.Compare: _check_compare,
    ir.Member: _check_member,
    ir.Range: _check_range,
    ir.Call: _check_call,
    ir.SetLiteral: _check_set_literal,
    ir.IfThenElse: _check_if,
    ir.Quantifier: _check_quantifier,
    ir.MapComprehension: _check_comprehension,
    ir.Aggregate: _check_aggregate,
    ir.RecordLiteral: records.check_literal,
    ir.RecordWith: records.check_with,
    ir.NoneLit: records.check_none,
    ir.Some: records.check_some,
}


# ---- what a constant may use ------------------------------------------------------------------

# Constants stay below this: their values print, serialise and compute quickly.
_MAX_CONSTANT = 10**MAX_DIGITS

# The expressions a constant's value is made of (docs/language.md, `const`): a quantifier or a
# comprehension is left out, since its domain can be any size and the checker must not hang.
_CONSTANT_NODES = (ir.IntLit, ir.BoolLit, ir.QuantityLit, ir.StringLit, ir.Name, ir.Unary, ir.Binary, ir.Compare, ir.Member,
                   ir.Range, ir.IfThenElse, ir.Call, ir.SetLiteral, ir.RecordLiteral, ir.RecordWith, ir.RecordField,
                   ir.Some)


def _not_constant(c: Checker, e: ir.Expr) -> ir.Expr | None:
    """The first node of `e` a constant cannot use, or None."""
    for node in ir.walk(e):
        if not isinstance(node, _CONSTANT_NODES):
            return node
        if isinstance(node, ir.Name) and not (
                node.ref is RefKind.ENUM_VALUE
                or (node.ref is RefKind.CONST and node.name in c.const_values)
                or (node.ref is RefKind.DOMAIN and node.name in c.const_env.enums)):
            return node
    return None


# ---- small helpers ---------------------------------------------------------------------------------


def _compatible(target: ir.Type, value: ir.Type) -> bool:
    if isinstance(target, IntT) and isinstance(value, IntT):
        return True
    if isinstance(target, SetOfT) and isinstance(value, SetOfT):
        # a set of ints fits a set of a range only when its members' type lies in that range, so that
        # every value of set[int[a..b]] has its members in a..b (the prover counts them over a..b)
        if value.element is None or _family(target.element) != _family(value.element):
            return value.element is None
        t, v = target.element, value.element
        return not isinstance(t, IntT) or ((t.low is None or (v.low is not None and v.low >= t.low))
                                           and (t.high is None or (v.high is not None and v.high <= t.high)))
    if isinstance(target, OptionT) and isinstance(value, OptionT):
        return value.value is None or (target.value is not None and _compatible(target.value, value.value))
    if isinstance(target, MapT) and isinstance(value, MapT):
        same_key = _family(target.key) == _family(value.key) and (
            not isinstance(target.key, IntT) or target.key == value.key)
        return same_key and _compatible(target.value, value.value)
    return target == value


def _target_path(e: ir.Expr, maps: bool = False) -> str | None:
    """`token.ttl` for a field target; with maps=True, `m[k]` targets are allowed too."""
    if isinstance(e, ir.Name):
        return e.name
    if isinstance(e, ir.FieldAccess):
        base = _target_path(e.base, maps)
        return None if base is None else f"{base}.{e.field}"
    if isinstance(e, ir.Index) and maps:
        return _target_path(e.base, maps)
    return None


def _paths_read(e: ir.Expr) -> list[str]:
    """The state paths an unchecked expression reads, longest only (`token.ttl`, not also `token`)."""
    paths = {p for node in ir.walk(e) if isinstance(node, (ir.Name, ir.FieldAccess))
             for p in [_target_path(node)] if p is not None}
    return sorted(p for p in paths if not any(q.startswith(p + ".") for q in paths))


def _show_expr(e: ir.Expr) -> str:
    """A short rendering of an expression for messages."""
    if isinstance(e, ir.Name):
        return e.name
    if isinstance(e, ir.IntLit):
        return str(e.value)
    if isinstance(e, ir.QuantityLit):
        return e.text if e.text != "0" else describe(e.value, e.dimension)
    if isinstance(e, ir.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, ir.FieldAccess):
        return f"{_show_expr(e.base)}.{e.field}"
    if isinstance(e, ir.Index):
        return f"{_show_expr(e.base)}[{_show_expr(e.key)}]"
    if isinstance(e, ir.Binary):
        return f"{_show_expr(e.left)} {e.op.value} {_show_expr(e.right)}"
    if isinstance(e, ir.Unary):
        return f"{e.op.value}{' ' if e.op is ir.UnOp.NOT else ''}{_show_expr(e.operand)}"
    if isinstance(e, ir.Call):
        return f"{e.func}({', '.join(_show_expr(a) for a in e.args)})"
    return "this expression"


def _optional_hint(e: ir.Expr) -> str | None:
    shown = _show_expr(e)
    return records.optional_hint(e.type, shown if shown != "this expression" else "x")


def _number(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:10]}…{text[-10:]} ({len(text.lstrip('-'))} digits)"


def _named(e: ir.Expr) -> str:
    """`ttl` in backticks, or "this expression" when it has no short form."""
    shown = _show_expr(e)
    return "this expression" if shown == "this expression" else f"`{shown}`"


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _list(items: list[str]) -> str:
    shown = [f"`{i}`" for i in items[:6]]
    more = f" and {len(items) - 6} more" if len(items) > 6 else ""
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + (" and " + shown[-1] if not more else ", " + shown[-1] + more)


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
    return f"did you mean `{close[0]}`?" if close else None


def check(parsed: ParseResult) -> CheckResult:
    return Checker(parsed).run()
