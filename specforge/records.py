"""Records as values and optional values: the checker's part (docs/language.md 5.16).

- `type NAME = { FIELD: TYPE, ... }` declares a named record type (`ir.StructT`); its fields are
  bool, int types, quantities, enums, a set's elements, other record types or optionals (no maps, no
  `set[T]`: every back end then has a finite, flat picture of one record value);
- `NAME { FIELD: VALUE, ... }` builds one, every field given once (`ir.RecordLiteral`); written without
  its name (`{ FIELD: VALUE, ... }`) it takes the record type expected where it is used (`name_literal`),
  and check.py spreads one assigned to a nested block of state over the block's fields;
- `r.f` reads a field (`ir.RecordField`), `r with { f: v }` replaces fields (`ir.RecordWith`), and a
  field assignment `m[k].f := v` is checked as `m[k] := m[k] with { f: v }`;
- `T?` is a T or `none` (`ir.OptionT`); a T where a `T?` is expected is wrapped in `ir.Some`;
  `or_else(x, d)` is x's value, or d when x is `none`. An optional where a T is needed is a type
  error whose hint names `or_else` and `x != none`.

The functions here take the `Checker` (check.py) as `c`; check.py dispatches to them by node class.
"""

from __future__ import annotations

from . import ir
from .ir import MapT, OptionT, RecordT, SetOfT, StructT
from .nodes import make
from .source import Span

# The absent value's name. Not a keyword: a name the spec declares (an enum value `none`) means that
# instead, so that specs written before optionals existed keep their meaning.
NONE = "none"

# name -> (arguments, what it means in one line)
FUNCTIONS = {"or_else": (2, "`or_else(x, d)`: the value of the optional x, or d when x is none")}


def optional_hint(t: ir.Type | None, name: str = "x") -> str | None:
    """The fix for an optional used where its value is needed (`name`: how the optional is written)."""
    if isinstance(t, OptionT):
        return (f"it may be `none`: write `or_else({name}, DEFAULT)` for its value (a guard "
                f"`requires {name} != none` first where none is an error)")
    return None


# ---- declarations ---------------------------------------------------------------------------------


def declare_types(c, decls: list) -> None:
    """Names every record type first, so that a type may use one declared below it."""
    for d in decls:
        if c.declare(d.name, d.span, "record type"):
            c.record_decls[d.name] = d


def resolve(c, name: str, span: Span) -> ir.Type | None:
    """The StructT of a declared record type, resolving its fields on first use."""
    if name in c.structs:
        t = c.structs[name]
        if t is _RESOLVING:
            c.error("SF203", f"record type `{name}` contains itself", span,
                    "a record value is finite: make the inner one an optional field of another type, or drop it")
            c.structs[name] = None
            return None
        return t
    d = c.record_decls[name]
    c.structs[name] = _RESOLVING
    seen: dict[str, Span] = {}
    fields = []
    ok = True
    for f in d.fields:
        if f.name in seen:
            c.error("SF202", f"field `{f.name}` is declared twice in `{name}`", f.span,
                    f"the first is at line {seen[f.name].line}")
            continue
        seen[f.name] = f.span
        ref = c.resolve_type(f.type, allow_map=False, allow_set=False)
        if ref.resolved is None:
            ok = False
        fields.append((f.name, ref.resolved))
    t = make(StructT, name=name, fields=fields) if ok else None  # a field that failed is reported already
    c.structs[name] = t
    return t


_RESOLVING = object()


def resolve_option(c, t: ir.OptionTypeRef, allow_map: bool, allow_set: bool | None) -> ir.OptionTypeRef:
    inner = c.resolve_type(t.value, allow_map=False, allow_set=False)
    resolved = None
    if isinstance(inner.resolved, OptionT):
        c.error("SF203", "an optional of an optional has no meaning", t.span, f"write `{c.show(inner.resolved)}`")
    elif inner.resolved is not None:
        resolved = make(OptionT, value=inner.resolved)
    t.__dict__.update(value=inner, resolved=resolved)
    return t




# ---- expressions ----------------------------------------------------------------------------------


def check_literal(c, e: ir.RecordLiteral, scope) -> ir.Expr:
    values = [c.expr(v, scope) for v in e.values]
    if not e.name:  # `{ a: 1 }`: the type is where it is used (`name_literal`); unnamed at the end, an error
        c.anonymous.append(e)
        known = all(v.type is not None for v in values)
        return _fill(e, values=values, type=make(StructT, name="", fields=[
            (n, v.type) for n, v in zip(e.fields, values, strict=True)]) if known else None)
    if e.name not in c.record_decls:
        if e.name not in c.unreadable:
            c.error("SF220", f"unknown record type `{e.name}`", e.span,
                    c.did_you_mean(e.name, list(c.record_decls)) or "declare it: `type NAME = { FIELD: TYPE, ... }`")
        return _fill(e, values=values)
    t = resolve(c, e.name, e.span)
    if t is None:
        return _fill(e, values=values)
    return _given(c, e, t, values)


def _given(c, e: ir.RecordLiteral, t: StructT, values: list[ir.Expr]) -> ir.Expr:
    """The literal `e` of record type `t` with its checked `values`: every field once, each of its type."""
    declared = dict(t.fields)
    given, missing = fields_given(c, e, values, list(declared), f"record type `{e.name}`", e.name)
    checked = {n: c.assignable(declared[n], v, f"field `{n}`") if v.type is not None else v
               for n, v in given.items()}
    if missing or len(given) != len(e.fields):
        return _fill(e, values=values, type=None)
    # fields in declaration order, so that equal literals are equal IR whatever order they were written in
    order = [n for n, _ in t.fields]
    return _fill(e, fields=order, values=[checked[n] for n in order], type=t)


def fields_given(c, e: ir.RecordLiteral, values: list[ir.Expr], declared: list[str], owner: str,
                 written: str) -> tuple[dict[str, ir.Expr], list[str]]:
    """The value the literal `e` gives each field, a field it does not know or gives twice reported, and
    the `declared` fields it leaves out, reported (`owner` has the fields: "record type `R`", "`token`";
    `written` is how the literal begins: `R`, `token :=`)."""
    given: dict[str, ir.Expr] = {}
    for name, v in zip(e.fields, values, strict=True):
        if name not in declared:
            c.error("SF221", f"{owner} has no field `{name}`", v.span, _fields_hint(c, declared, name))
        elif name in given:
            c.error("SF202", f"field `{name}` is given twice", v.span)
        else:
            given[name] = v
    missing = [n for n in declared if n not in given]
    if missing:
        c.error("SF207", f"`{written} {{...}}` gives no value for {', '.join(f'`{m}`' for m in missing)}", e.span,
                "a record literal gives every field: " + ", ".join(f"`{n}: ...`" for n in missing))
    return given, missing


def anonymous(t: ir.Type | None) -> bool:
    """Whether `t` is the type of a record literal written without its type's name."""
    return isinstance(t, StructT) and not t.name


def name_literal(c, e: ir.Expr, want: ir.Type | None) -> ir.Expr | None:
    """A record literal written without its type (or an `if` between such literals) where a value of the
    record type `want` (or `want?`) is expected: checked as that type's literal. None when it is not one."""
    t = want.value if isinstance(want, OptionT) else want
    if not isinstance(t, StructT) or not t.name or not anonymous(e.type):
        return None
    if isinstance(e, ir.IfThenElse):
        then, else_ = name_literal(c, e.then, t) or e.then, name_literal(c, e.else_, t) or e.else_
        ok = then.type is not None and else_.type is not None
        return _fill(e, then=then, else_=else_, type=t if ok else None)
    if not isinstance(e, ir.RecordLiteral):
        return None
    return _given(c, _fill(e, name=t.name), t, e.values)


def unnamed(c) -> None:
    """Reports each record literal written without its type that no use gave one."""
    for e in c.anonymous:
        if not e.name and e.type is not None and not any(_within(e.span, d.span) for d in c.diagnostics):
            c.error("SF220", "this record literal does not say its type, and nothing here expects one", e.span,
                    "write the type before the brace: `TYPE { FIELD: VALUE, ... }` (without it, a literal is "
                    "read where a record type is expected: a variable, map value or field of that type, or a "
                    "comparison with one)")


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) \
        and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def check_with(c, e: ir.RecordWith, scope) -> ir.Expr:
    base = c.expr(e.base, scope)
    values = [c.expr(v, scope) for v in e.values]
    if base.type is None:
        return _fill(e, base=base, values=values)
    if not isinstance(base.type, StructT):
        c.error("SF221", f"`with` replaces fields of a record value, but this is {c.show(base.type)}", base.span,
                optional_hint(base.type))
        return _fill(e, base=base, values=values)
    declared = dict(base.type.fields)
    out, seen = [], set()
    for name, v in zip(e.fields, values, strict=True):
        if name not in declared:
            c.error("SF221", f"record type `{base.type.name}` has no field `{name}`", v.span,
                    _fields_hint(c, [n for n, _ in base.type.fields], name))
            return _fill(e, base=base, values=values)
        if name in seen:
            c.error("SF202", f"field `{name}` is given twice", v.span)
            return _fill(e, base=base, values=values)
        seen.add(name)
        out.append(c.assignable(declared[name], v, f"field `{name}`") if v.type is not None else v)
    return _fill(e, base=base, values=out, type=base.type)


def field_of(c, e: ir.FieldAccess, base: ir.Expr) -> ir.Expr | None:
    """`r.f` on a record value, as an `ir.RecordField`; None when `base` is no record value."""
    t = base.type
    if isinstance(t, OptionT):
        name = c.show_expr(base)
        c.error("SF221", f"this is {c.show(t)}, which may be `none`, and has no fields", e.span,
                optional_hint(t, name if name != "this expression" else "x"))
        return e
    if not isinstance(t, StructT):
        return None
    fields = dict(t.fields)
    if e.field not in fields:
        c.error("SF221", f"record type `{t.name}` has no field `{e.field}`", e.span, _fields_hint(c, [n for n, _ in t.fields], e.field))
        return e
    return make(ir.RecordField, span=e.span, base=base, field=e.field, type=fields[e.field])


def check_none(c, e: ir.NoneLit, scope) -> ir.Expr:
    return _fill(e, type=make(OptionT))


def check_some(c, e: ir.Some, scope) -> ir.Expr:
    value = c.expr(e.value, scope)
    return _fill(e, value=value, type=make(OptionT, value=value.type) if value.type is not None else None)


def check_or_else(c, e: ir.Call, args: list[ir.Expr]) -> ir.Expr:
    """`or_else(x, d)`: x is a `T?`, d a T; the result is a T."""
    if len(args) != 2:
        c.error("SF205", f"`or_else` takes 2 arguments, not {len(args)}", e.span, FUNCTIONS["or_else"][1])
        return _fill(e, args=args)
    x, d = args
    if isinstance(x, ir.Present):  # known present here: `or_else` reads the optional as written
        x = x.value
    if x.type is None or d.type is None:
        return _fill(e, args=args)
    if not isinstance(x.type, OptionT) or x.type.value is None:
        c.error("SF203", f"`or_else` needs an optional first, but this is {c.show(x.type)}", x.span,
                "drop `or_else`: the value is never none")
        return _fill(e, args=args)
    d = c.assignable(x.type.value, d, "the default of `or_else`")
    return _fill(e, args=[x, d], type=x.type.value)


def coerce(c, e: ir.Expr, want: ir.Type | None) -> ir.Expr | None:
    """`e` made to fit an optional `want` (`none` takes its type, a T becomes a present `T?`), or None."""
    if not isinstance(want, OptionT) or e.type is None:
        return None
    if isinstance(e.type, OptionT) and e.type.value is None:  # `none`, or an `if` whose branches are
        if want.value is None:
            return None
        if isinstance(e, ir.IfThenElse):
            return _fill(e, then=coerce(c, e.then, want) or e.then, else_=coerce(c, e.else_, want) or e.else_,
                         type=want)
        return _fill(e, type=want)
    if isinstance(e.type, OptionT):
        return None
    if want.value is None or c.compatible(want.value, e.type):
        return make(ir.Some, span=e.span, value=e, type=make(OptionT, value=e.type))
    return None


def desugar_assign(target: ir.Expr, value: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
    """`r.f := v` as `r := r with { f: v }`, from the innermost field out (`t.a.b := v`)."""
    while isinstance(target, ir.RecordField):
        base = target.base
        value = make(ir.RecordWith, span=value.span, base=base, fields=[target.field], values=[value],
                     type=base.type)
        target = base
    return target, value


def value_type(t: ir.Type | None) -> bool:
    """Whether a value of `t` can be a record's field (no maps, sets or state records inside)."""
    return not isinstance(t, (MapT, SetOfT, RecordT))


def _fields_hint(c, names: list[str], name: str) -> str:
    return c.did_you_mean(name, names) or "its fields are " + ", ".join(f"`{n}`" for n in names)


def _fill(node, **updates):
    node.__dict__.update(updates)
    return node
