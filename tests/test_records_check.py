"""Records and optional values in the checker: each mistake gets one positioned diagnostic, with a fix
where there is one."""

from __future__ import annotations

import pytest

from specforge import ir
from specforge.frontend import load_text

BASE = "spec A\nenum C { red, blue }\ntype R = { c: C, n: int[0..3] }\n"  # lines 1-3
LITERAL = "state { r: R }\ninit { r := R { c: red, n: 0 } }\n"  # lines 4-5

# (id, text after BASE, code, line, column, words of the message, words of the hint or None)
MISTAKES = [
    ("a literal with an unknown field", "state { r: R }\ninit { r := R { c: red, m: 1, n: 0 } }\n",
     "SF221", 5, 28, "has no field `m`", "its fields are `c`, `n`"),
    ("a literal without a field", "state { r: R }\ninit { r := R { c: red } }\n",
     "SF207", 5, 13, "gives no value for `n`", "`n: ...`"),
    ("a literal with a field twice", "state { r: R }\ninit { r := R { c: red, n: 0, c: blue } }\n",
     "SF202", 5, 34, "field `c` is given twice", None),
    ("a literal of an unknown type", "state { r: R }\ninit { r := Q { c: red, n: 0 } }\n",
     "SF220", 5, 13, "unknown record type `Q`", "type NAME = {"),
    ("a field of the wrong type", "state { r: R }\ninit { r := R { c: 1, n: 0 } }\n",
     "SF203", 5, 20, "field `c` is C, but this value is int", None),
    ("a field literal outside its range", "state { r: R }\ninit { r := R { c: red, n: 7 } }\n",
     "SF222", 5, 28, "7 is outside int[0..3]", None),
    ("a read of an unknown field", LITERAL + "invariant I: r.x > 0\n",
     "SF221", 6, 14, "has no field `x`", "its fields are `c`, `n`"),
    ("with on an int", "state { x: int }\ninit { x := 0 }\ninvariant I: (x with { n: 1 }) == x\n",
     "SF221", 6, 15, "`with` replaces fields of a record value, but this is int", None),
    ("with an unknown field", LITERAL + "invariant I: (r with { z: 1 }) == r\n",
     "SF221", 6, 27, "has no field `z`", None),
    ("a record type that contains itself", "type S = { s: S }\n",
     "SF203", 4, 15, "record type `S` contains itself", "optional field"),
    ("init assigning one field of a record value", "state { r: R }\ninit { r.n := 1 }\n",
     "SF214", 5, 8, "init gives a record value its whole value", "r := TYPE {"),
    ("records ordered", LITERAL + "invariant I: r < r\n",
     "SF203", 6, 14, "R values are only equal or not", None),
    ("a record as a map's key", "state { m: map[R, int] }\ninit { m := {} }\n",
     "SF203", 4, 16, "a map's key and a set's element must be a set, an enum or a range, not R", None),
    ("a map as a record's field", "type M = { m: map[C, int] }\n",
     "SF203", 4, 15, "a map cannot be used here", None),
    ("an optional constant", "const K: int? = none\n",
     "SF203", 4, 10, "a constant cannot be optional", "drop the `?`"),
    ("an optional of an optional", "state { x: int?? }\ninit { x := none }\n",
     "SF203", 4, 12, "an optional of an optional has no meaning", "write `int?`"),
    ("none compared with none", "state { x: int }\ninit { x := 0 }\ninvariant I: none == none\n",
     "SF203", 6, 14, "the type of `none` is not known here", None),
    ("an optional assigned to an int", "state { x: int; y: int? }\ninit { y := none; x := y }\n",
     "SF203", 5, 24, "`x` is int, but this value is int?", "or_else(y, DEFAULT)"),
    ("an optional added to", "state { y: int? }\ninit { y := none }\ninvariant I: y + 1 > 0\n",
     "SF203", 6, 14, "cannot add int?", "or_else(y, DEFAULT)"),
    ("an optional compared with an order", "state { y: int? }\ninit { y := none }\ninvariant I: y > 1\n",
     "SF203", 6, 14, "`>` orders numbers; int? values are only equal or not", "requires y != none"),
    ("a field of an optional record", "state { r: R? }\ninit { r := none }\ninvariant I: r.n > 0\n",
     "SF221", 6, 14, "this is R?, which may be `none`, and has no fields", "or_else(r, DEFAULT)"),
    ("a record type used as a value", "state { r: R }\ninit { r := R }\n",
     "SF201", 5, 13, "`R` is a record type, not a value", "R { FIELD: VALUE, ... }"),
    ("or_else of a value that is never none", "state { x: int }\ninit { x := 0 }\ninvariant I: or_else(x, 1) > 0\n",
     "SF203", 6, 22, "`or_else` needs an optional first", "drop `or_else`"),
]


@pytest.mark.parametrize("name,text,code,line,column,message,hint", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_with_records_or_optionals_gets_one_positioned_diagnostic(name, text, code, line, column,
                                                                            message, hint):
    loaded = load_text(BASE + text, "a.sf")
    (d,) = loaded.diagnostics
    assert (d.code, d.span.line, d.span.column) == (code, line, column), d
    assert message in d.message
    assert hint is None or hint in (d.hint or ""), d.hint


def test_a_literal_keeps_its_fields_in_declaration_order_whatever_order_they_are_written_in():
    a = load_text(BASE + "const K: R = R { n: 1, c: blue }\n", "a.sf").spec.consts[0]
    assert a.value.fields == ["c", "n"] and a.evaluated == {"c": "blue", "n": 1}


def test_a_field_assignment_is_the_record_with_that_field_replaced():
    spec = load_text(BASE + LITERAL + "action f() {\n  r.n := r.n + 1\n}\n", "a.sf").spec
    (a,) = spec.actions[0].assignments
    assert isinstance(a.target, ir.Name) and a.target.name == "r"
    assert isinstance(a.value, ir.RecordWith) and a.value.fields == ["n"]


def test_a_spec_that_declares_its_own_none_means_that_one():
    text = "spec A\nenum Fine { none, small }\nstate { f: Fine }\ninit { f := none }\n"
    spec = load_text(text, "a.sf").spec
    assert isinstance(spec.init[0].value, ir.Name) and spec.init[0].value.enum == "Fine"
