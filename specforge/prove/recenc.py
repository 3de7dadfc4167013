"""Records as values and optional values in z3: algebraic datatypes.

- a named record type `R` -> a datatype with one constructor `R.mk` and one accessor per field, so
  that two records are equal exactly when their fields are (z3 decides datatype equality natively);
- `T?` -> a datatype with `none` and `some(value: T)`.

A datatype holds every combination of its fields' sorts; a record field's declared bounds
(`priority: int[1..5]`, an element of a `set`) are constraints, as for any other value
(`bounds`). Why datatypes and not one state variable per field: a map of records is then one array
(`Array(Email, Triage)`), so a map's entries, a parameter and a field update (`with`) stay single
terms, and every existing handler (map store and select, `if`, equality) works on them unchanged.
Each encoder names its datatypes apart (`R!3`), as it does its enum sorts: z3 keeps sort names global.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import z3

from .. import ir
from ..ir import OptionT, StructT

if TYPE_CHECKING:
    from .encode import Encoder, Env

_NAMES = itertools.count(1)


def sort(enc: Encoder, t: StructT | OptionT) -> z3.DatatypeSortRef:
    key = t.model_dump_json()
    table = enc.record_sorts  # one table per encoder, shared by its copies (diff.py's view of the old spec)
    if key in table:
        return table[key]
    n = next(_NAMES)
    if isinstance(t, StructT):
        d = z3.Datatype(f"{t.name}!{n}")
        d.declare(f"{t.name}!{n}.mk", *[(f"{t.name}!{n}.{f}", enc.sort(ft)) for f, ft in t.fields])
    else:
        d = z3.Datatype(f"Option!{n}")
        d.declare(f"none!{n}")
        d.declare(f"some!{n}", (f"value!{n}", enc.sort(t.value)))
    table[key] = d.create()
    return table[key]


def field(enc: Encoder, t: StructT, term: z3.ExprRef, name: str) -> z3.ExprRef:
    s = sort(enc, t)
    return s.accessor(0, [f for f, _ in t.fields].index(name))(term)


def make_record(enc: Encoder, t: StructT, values: dict[str, z3.ExprRef]) -> z3.ExprRef:
    return sort(enc, t).constructor(0)(*[values[f] for f, _ in t.fields])


def none(enc: Encoder, t: OptionT) -> z3.ExprRef:
    return sort(enc, t).constructor(0)()


def some(enc: Encoder, t: OptionT, value: z3.ExprRef) -> z3.ExprRef:
    return sort(enc, t).constructor(1)(value)


def is_some(enc: Encoder, t: OptionT, term: z3.ExprRef) -> z3.BoolRef:
    return sort(enc, t).recognizer(1)(term)


def value_of(enc: Encoder, t: OptionT, term: z3.ExprRef) -> z3.ExprRef:
    return sort(enc, t).accessor(1, 0)(term)


def bounds(enc: Encoder, t: StructT | OptionT, term: z3.ExprRef) -> z3.BoolRef | None:
    """A record's fields' bounds; an optional's value's bounds when it is present."""
    if isinstance(t, StructT):
        parts = [b for f, ft in t.fields if (b := enc.bounds(ft, field(enc, t, term, f))) is not None]
        return z3.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
    inner = enc.bounds(t.value, value_of(enc, t, term))
    return None if inner is None else z3.Implies(is_some(enc, t, term), inner)


# ---- expressions ----------------------------------------------------------------------------------


def literal(enc: Encoder, e: ir.RecordLiteral, env: Env) -> z3.ExprRef:
    return make_record(enc, e.type, {f: enc.expr(v, env) for f, v in zip(e.fields, e.values, strict=True)})


def with_(enc: Encoder, e: ir.RecordWith, env: Env) -> z3.ExprRef:
    base = enc.expr(e.base, env)
    values = {f: field(enc, e.type, base, f) for f, _ in e.type.fields}
    for f, v in zip(e.fields, e.values, strict=True):
        values[f] = enc.expr(v, env)
    return make_record(enc, e.type, values)


def read_field(enc: Encoder, e: ir.RecordField, env: Env) -> z3.ExprRef:
    return field(enc, e.base.type, enc.expr(e.base, env), e.field)


def none_literal(enc: Encoder, e: ir.NoneLit, env: Env) -> z3.ExprRef:
    return none(enc, e.type)


def some_value(enc: Encoder, e: ir.Some, env: Env) -> z3.ExprRef:
    return some(enc, e.type, enc.expr(e.value, env))


def or_else(enc: Encoder, e: ir.Call, env: Env) -> z3.ExprRef:
    x, d = e.args
    term = enc.expr(x, env)
    return z3.If(is_some(enc, x.type, term), value_of(enc, x.type, term), enc.expr(d, env))


def present(enc: Encoder, e: ir.Present, env: Env) -> z3.ExprRef:
    """An optional read as its value where the checker knows it present (`prove/defined.py` asks that it is)."""
    return value_of(enc, e.value.type, enc.expr(e.value, env))


HANDLERS = {
    ir.Present: present,
    ir.RecordLiteral: literal,
    ir.RecordWith: with_,
    ir.RecordField: read_field,
    ir.NoneLit: none_literal,
    ir.Some: some_value,
}


# ---- models -------------------------------------------------------------------------------------


def model_value(enc: Encoder, model: z3.ModelRef, v: z3.ExprRef, t: StructT | OptionT, read):
    """A record or optional of a z3 model as a spec value (`read(term, type)` reads the parts)."""
    if isinstance(t, OptionT):
        if z3.is_true(model.eval(is_some(enc, t, v), model_completion=True)):
            return read(value_of(enc, t, v), t.value)
        return None
    from ..values import FrozenMap

    return FrozenMap.adopt({f: read(field(enc, t, v, f), ft) for f, ft in t.fields})
