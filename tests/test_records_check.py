"""Records and optional values in the checker: each mistake gets one positioned diagnostic, with a fix
where there is one."""

from __future__ import annotations

import re

import pytest

from specforge import ir
from specforge.frontend import load_text

BASE = "spec A\nenum C { red, blue }\ntype R = { c: C, n: int[0..3] }\n"  # lines 1-3
LITERAL = "state { r: R }\ninit { r := R { c: red, n: 0 } }\n"  # lines 4-5
# lines 4-9: a nested block of state fields, with a block inside it
BLOCK = "state {\n  b: {\n    on: bool\n    inner: { k: int }\n  }\n}\n"

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
    # a literal written without its type
    ("a literal nothing gives a type", "state { x: int }\ninit { x := 0 }\ninvariant I: { c: red, n: 1 }.n > 0\n",
     "SF220", 6, 14, "does not say its type, and nothing here expects one", "TYPE { FIELD: VALUE, ... }"),
    ("a literal without its type lacking a field", "state { r: R }\ninit { r := { c: red } }\n",
     "SF207", 5, 13, "gives no value for `n`", "`n: ...`"),
    ("a literal without its type with a field of the wrong type", "state { r: R }\ninit { r := { c: red, n: true } }\n",
     "SF203", 5, 26, "field `n` is int[0..3], but this value is bool", None),
    ("a block's literal lacking a field", BLOCK + "init { b := { on: true } }\n",
     "SF207", 10, 13, "`b := {...}` gives no value for `inner`", "`inner: ...`"),
    ("a block's literal with an unknown field", BLOCK + "init { b := { on: true, inner: { k: 0 }, of: 1 } }\n",
     "SF221", 10, 46, "`b` has no field `of`", "its fields are `on`, `inner`"),
    ("a block's literal with a field twice", BLOCK + "init { b := { on: true, on: false, inner: { k: 0 } } }\n",
     "SF202", 10, 29, "field `on` is given twice", None),
    ("a block's literal reading a field it assigned before", BLOCK + "init { b := { on: true, inner: { k: 0 } } }\n"
     "action f() {\n  b := { on: false, inner: { k: if b.on then 1 else 0 } }\n}\n",
     "SF214", 12, 28, "the value of `b.inner` reads `b.on`, which this literal assigns before it",
     "give `inner` before the fields it reads"),
    ("a block given another block", BLOCK + "init { b := { on: true, inner: { k: 0 } } }\n"
     "action f() {\n  b.inner := b\n}\n",
     "SF214", 12, 3, "a record is assigned field by field", None),
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


def meaning(text: str) -> object:
    """The checked spec of `text` without its source positions: what every back end reads."""
    loaded = load_text(text, "a.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not k.endswith("span")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node
    return strip(loaded.spec.model_dump(mode="json"))


TYPED = """\
spec A
enum C { red, blue }
type R = { c: C, n: int[0..3] }
type Pair = { left: R, right: R? }
const ZERO: R = R { c: red, n: 0 }
def small(r: R): bool = r.n < 2
state {
  m: map[0..2, R]
  p: Pair
  last: R?
}
init {
  m := {k: R { c: blue, n: k } for k in 0..2}
  p := Pair { left: ZERO, right: none }
  last := R { n: 1, c: red }
}
invariant I: forall k in 0..2: m[k] != R { c: red, n: 3 } or small(R { c: blue, n: 1 })
action put(k: int[0..2], x: int[0..3]) -> R {
  m[k] := if x > 1 then R { c: red, n: x } else R { n: 0, c: blue }
  p.right := R { c: blue, n: x }
  last := if x == 0 then ZERO else R { c: red, n: x }
  returns R { c: red, n: x }
  ensures result != R { c: blue, n: 3 }
}
"""


def test_a_literal_without_its_type_means_the_literal_with_it_wherever_a_record_type_is_expected():
    """In a constant, a map comprehension, another literal's field, an optional, a def's argument, both
    branches of an `if` and one of them, a comparison, `returns` and `ensures`: the same checked spec."""
    untyped = re.sub(r"(?<!-> )\bR \{", "{", TYPED).replace("Pair {", "{")
    assert untyped.count("R {") == 1 and "Pair {" not in untyped  # only the action's `-> R {`
    assert meaning(untyped) == meaning(TYPED)


FIELD_BY_FIELD = """\
spec A
set Book
state {
  desk: {
    open: bool
    queue: {
      length: nat
      served: nat
    }
    reserved: map[Book, bool]
  }
}
init {
  desk.open := true
  desk.queue.length := 0
  desk.queue.served := 0
  desk.reserved := {b: false for b in Book}
}
action serve() {
  desk.queue.served := desk.queue.served + 1
  desk.queue.length := desk.queue.length - 1
}
"""


def test_a_nested_block_given_a_literal_is_its_fields_assigned_in_the_order_written():
    whole = FIELD_BY_FIELD.replace("""  desk.open := true
  desk.queue.length := 0
  desk.queue.served := 0
  desk.reserved := {b: false for b in Book}""", "  desk := { open: true, queue: { length: 0, served: 0 },\n"
                                               "    reserved: {b: false for b in Book} }").replace(
        """  desk.queue.served := desk.queue.served + 1
  desk.queue.length := desk.queue.length - 1""",
        "  desk.queue := { served: desk.queue.served + 1, length: desk.queue.length - 1 }")
    assert "desk.open :=" not in whole and "desk.queue.length :=" not in whole
    assert meaning(whole) == meaning(FIELD_BY_FIELD)
