"""Bad input: every case gets a positioned diagnostic with the exact code, line and column."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from specforge.frontend import load, load_text
from specforge.lower import MAX_DEPTH
from specforge.parse import MAX_FILE_BYTES

BASE = """\
spec T
set Account
enum Status { created, paid }
enum Door { open, closed }
enum Valve { open, shut }
const LIMIT: int = 10
state {
  x: int
  ttl: duration
  status: Status
  balances: map[Account, int]
}
init {
  x := 0
  ttl := 0
  status := created
  balances := {a: 0 for a in Account}
}
"""
N = BASE.count("\n")  # lines in BASE; a case's first line is N + 1


def after_base(text: str) -> str:
    return BASE + text


# (id, spec text, code, line, column)
CASES = [
    # ---- syntax
    ("unexpected character", after_base("invariant A: x >= 0 && x < 5\n"), "SF101", N + 1, 21),
    ("unexpected non-ASCII character", after_base("invariant A: x ⊆ 0\n"), "SF101", N + 1, 16),
    ("assignment with =", after_base("action f() {\n  x = 1\n}\n"), "SF102", N + 2, 5),
    ("lower-case level", after_base("invariant A must: x >= 0\n"), "SF102", N + 1, 13),
    ("misspelt else", after_base("action f() {\n  requires x > 0 els Bad\n}\n"), "SF102", N + 2, 22),
    ("keyword as a name", after_base("action f(set: int) {\n}\n"), "SF102", N + 1, 10),
    ("two statements on a line", after_base("action f() {\n  x := 1 x := 2\n}\n"), "SF102", N + 2, 12),
    ("line starting with minus", after_base("invariant A: x >=\n  0\n  - 1 >= x\n"), "SF102", N + 3, 3),
    ("missing closing brace", "spec T\nstate {\n  x: int\ninit { x := 0 }\n", "SF102", 4, 1),
    ("unclosed parenthesis at end", after_base("invariant A: (x >= 0\n"), "SF103", N + 2, 1),
    ("mismatched bracket", after_base("invariant A: (x >= 0]\n"), "SF102", N + 1, 21),
    ("unterminated string", 'spec T "no end\n', "SF104", 1, 8),
    ("string across lines", 'spec T "one\ntwo"\n', "SF104", 1, 8),
    ("unknown escape", 'spec T "a \\q b"\n', "SF112", 1, 11),
    ("thousands of nested parentheses around a sum",
     after_base("invariant A: " + "(x + " * 3000 + "0" + ")" * 3000 + " >= 0\n"), "SF105", N + 1, 15 + 5 * (3000 - MAX_DEPTH - 1)),
    ("a sum of thousands of terms", after_base("invariant A: " + " + ".join(["x"] * 5000) + " >= 0\n"),
     "SF105", N + 1, 14),
    ("thousands of negations", after_base("invariant A: " + "not " * 3000 + "true\n"), "SF105", N + 1, 14 + 4 * (3000 - MAX_DEPTH - 1)),
    ("integer literal thousands of digits long", after_base("invariant A: x < " + "9" * 5000 + "\n"),
     "SF106", N + 1, 18),
    ("underscore not between digits", after_base("invariant A: x < 1__000\n"), "SF107", N + 1, 18),
    ("an int beside a decimal", after_base("invariant A: x < 1.5\n"), "SF204", N + 1, 14),
    ("a decimal with seven places", after_base("invariant A: x < 1.1234567\n"), "SF107", N + 1, 18),
    ("duration finer than a millisecond", after_base("invariant A: ttl < 0.0001 s\n"), "SF107", N + 1, 20),
    ("no spec header", "state {\n  x: int\n}\ninit { x := 0 }\n", "SF108", 1, 1),
    ("empty file", "", "SF108", 1, 1),
    ("only comments", "# nothing here\n\n", "SF108", 1, 1),
    ("header not first", "set Account\nspec T\n", "SF108", 2, 1),
    ("two headers", "spec T\nspec U\n", "SF108", 2, 1),
    ("not a type", after_base("action f(a: 3) {\n}\n"), "SF109", N + 1, 13),
    ("map with one type", "spec T\nset A\nstate {\n  m: map[A]\n}\n", "SF109", 4, 6),
    ("records nested too deep",
     "spec T\nstate {\n" + "".join(f"f{i}: {{\n" for i in range(40)) + "x: int\n" + "}\n" * 40 + "}\n",
     "SF109", 10, 5),
    ("unknown unit", after_base("invariant A: ttl < 3 fortnights\n"), "SF110", N + 1, 22),
    ("misspelt unit", after_base("invariant A: ttl < 3 minuts\n"), "SF110", N + 1, 22),
    ("unit defined by itself", after_base("unit a = 2 b\nunit b = 3 a\n"), "SF114", N + 1, 1),
    ("comprehension key is not its variable", after_base("invariant A: x == 0\naction f() {\n"
                                                          "  balances := {b: 0 for a in Account}\n}\n"),
     "SF111", N + 3, 16),
    ("invariant ID with a space", after_base("invariant BAL - 1: x >= 0\n"), "SF102", N + 1, 15),
    ("too many syntax errors", "spec T\n" + "invariant A: x >= &\n" * 80, "SF113", 52, 1),
    # ---- names and scopes
    ("unknown name", after_base("invariant A: balance >= 0\n"), "SF201", N + 1, 14),
    ("misspelt domain", after_base("invariant A: forall a in Acount: balances[a] >= 0\n"), "SF201", N + 1, 26),
    ("a type used as a value", after_base("invariant A: int > 0\n"), "SF201", N + 1, 14),
    ("parameter used in an invariant", after_base("invariant A: amount > 0\n"), "SF201", N + 1, 14),
    ("duplicate state variable", "spec T\nstate {\n  x: int\n  x: bool\n}\ninit { x := 0 }\n", "SF202", 4, 3),
    ("const and state share a name", "spec T\nconst x: int = 1\nstate {\n  x: int\n}\ninit { x := 0 }\n",
     "SF202", 4, 3),
    ("action and state share a name", after_base("action x() {\n}\n"), "SF202", N + 1, 1),
    ("duplicate enum value", "spec T\nenum E { a, b, a }\n", "SF202", 2, 16),
    ("declaring a built-in type", "spec T\nset int\n", "SF202", 2, 1),
    ("duplicate parameter", after_base("action f(a: int, a: int) {\n}\n"), "SF202", N + 1, 18),
    ("second init block", after_base("init {\n  x := 1\n}\n"), "SF202", N + 1, 1),
    # ---- types and units
    ("invariant is not a bool", after_base("invariant A: x + 1\n"), "SF203", N + 1, 14),
    ("bool in arithmetic", after_base("invariant A: x + true > 0\n"), "SF203", N + 1, 18),
    ("ordering enums", after_base("invariant A: status < paid\n"), "SF203", N + 1, 14),
    ("comparing an int with an enum", after_base("invariant A: x == paid\n"), "SF203", N + 1, 14),
    ("an int can never be in a set", after_base("invariant A: x in Account\n"), "SF203", N + 1, 14),
    ("guard is not a bool", after_base("action f() {\n  requires x else Bad\n}\n"), "SF203", N + 2, 12),
    ("assigning a bool to an int", after_base("action f() {\n  x := true\n}\n"), "SF203", N + 2, 8),
    ("duration compared with a bare number", after_base("invariant A: ttl <= 15\n"), "SF204", N + 1, 21),
    ("adding minutes to an int", after_base("invariant A: x + 5 min > 0\n"), "SF204", N + 1, 14),
    ("duration assigned a bare number", after_base("action f() {\n  ttl := 15\n}\n"), "SF204", N + 2, 10),
    ("multiplying two durations", after_base("invariant A: ttl * ttl > 0\n"), "SF204", N + 1, 14),
    ("int assigned a duration", after_base("action f() {\n  x := 5 s\n}\n"), "SF204", N + 2, 8),
    ("min of mixed dimensions", after_base("invariant A: min(ttl, x) >= 0\n"), "SF204", N + 1, 23),
    ("abs with two arguments", after_base("invariant A: abs(x, x) >= 0\n"), "SF205", N + 1, 14),
    ("max with one argument", after_base("invariant A: max(x) >= 0\n"), "SF205", N + 1, 14),
    ("unknown function", after_base("invariant A: mn(x, 1) >= 0\n"), "SF206", N + 1, 14),
    # ---- init
    ("init misses a variable", "spec T\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := 0\n}\n", "SF207", 6, 1),
    ("init misses a record field",
     "spec T\nstate {\n  t: {\n    a: int\n    b: bool\n  }\n}\ninit {\n  t.a := 0\n}\n", "SF207", 8, 1),
    ("no init block", "spec T\nstate {\n  x: int\n}\n", "SF207", 1, 1),
    ("init assigns twice", "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n  x := 1\n}\n", "SF208", 7, 3),
    ("init reads before assigning", "spec T\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := y\n  y := 0\n}\n",
     "SF219", 7, 8),
    ("init assigns a map entry", "spec T\nenum E { a, b }\nstate {\n  m: map[E, int]\n}\ninit {\n  m[a] := 0\n}\n",
     "SF214", 7, 3),
    # ---- assignments
    ("assigning a constant", after_base("action f() {\n  LIMIT := 3\n}\n"), "SF209", N + 2, 3),
    ("assigning a parameter", after_base("action f(a: int) {\n  a := 3\n}\n"), "SF214", N + 2, 3),
    ("assigning a whole record", "spec T\nstate {\n  t: {\n    a: int\n  }\n}\ninit {\n  t := 0\n}\n",
     "SF214", 8, 3),
    ("requires after an assignment", after_base("action f() {\n  x := 1\n  requires x > 0\n}\n"), "SF215", N + 3, 3),
    ("constraint on an unknown metric", after_base("constraint C-1: speed < 1 s\n"), "SF241", N + 1, 17),
    ("returns in an action without a result", after_base("action f() {\n  returns x\n}\n"), "SF240", N + 2, 3),
    ("returns before an assignment", after_base("action f() -> int {\n  returns x\n  x := 1\n}\n"), "SF240",
     N + 2, 3),
    ("assigning an enum value", after_base("action f() {\n  paid := created\n}\n"), "SF214", N + 2, 3),
    ("init reads a record field before assigning it",
     "spec T\nstate {\n  r: {\n    p: int\n    q: int\n  }\n}\ninit {\n  r.q := 1\n  r.p := r.p + r.q\n}\n",
     "SF219", 10, 10),
    ("state variable named like an enum value", "spec T\nenum Mode { off, on }\nstate {\n  off: bool\n}\n",
     "SF202", 4, 3),
    ("constant named map", "spec T\nconst map: int = 1\n", "SF202", 2, 1),
    ("parameter named like a type", after_base("action f(int: int) {\n}\n"), "SF202", N + 1, 10),
    ("bound variable named like a function", after_base("invariant A: forall min in 0..3: min >= 0\n"),
     "SF202", N + 1, 21),
    # ---- invariants
    ("duplicate invariant ID", after_base("invariant A: x >= 0\ninvariant A: x <= 9\n"), "SF210", N + 2, 1),
    # ---- maps, enums, domains
    ("map key of the wrong type", after_base("invariant A: balances[x] >= 0\n"), "SF211", N + 1, 23),
    ("unknown enum value", after_base("invariant A: status == Status.shipped\n"), "SF212", N + 1, 24),
    ("ambiguous enum value", after_base("invariant A: open == open\n"), "SF212", N + 1, 14),
    ("quantifier over an int", after_base("invariant A: forall a in x: true\n"), "SF213", N + 1, 26),
    ("bound variable shadows state", after_base("invariant A: forall x in Account: true\n"), "SF218", N + 1, 21),
    ("parameter shadows state", after_base("action f(x: int) {\n}\n"), "SF218", N + 1, 10),
    ("map keyed by an unbounded int", "spec T\nstate {\n  m: map[int, bool]\n}\n", "SF203", 3, 10),
    ("map as a parameter", after_base("action f(m: map[Account, int]) {\n}\n"), "SF203", N + 1, 13),
    # ---- constants and ranges
    ("constant divides by zero", "spec T\nconst A: int = 1 / 0\n", "SF216", 2, 16),
    ("constant reads state", "spec T\nstate {\n  x: int\n}\ninit { x := 0 }\nconst A: int = x\n", "SF216", 6, 16),
    ("range bound is not constant", "spec T\nstate {\n  x: int\n  y: int[0..x]\n}\n", "SF216", 4, 13),
    ("empty range", "spec T\nstate {\n  x: int[5..1]\n}\n", "SF217", 3, 6),
    ("unknown type", "spec T\nstate {\n  x: integer\n}\n", "SF220", 3, 6),
    ("unknown field", "spec T\nstate {\n  t: {\n    a: int\n  }\n}\ninit {\n  t.a := 0\n}\ninvariant A: t.b > 0\n",
     "SF221", 10, 14),
    ("a literal key outside a range-keyed map",
     "spec T\nstate {\n  m: map[0..3, int]\n}\ninit {\n  m := {i: 0 for i in 0..3}\n}\ninvariant K: m[7] == 0\n",
     "SF223", 8, 16),
    ("a division by a literal zero", "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant Z: x % 0 == 0\n",
     "SF224", 8, 18),
    ("constant outside its range", "spec T\nconst A: int[0..5] = 9\n", "SF222", 2, 22),
    ("literal outside a variable's range", "spec T\nstate {\n  x: int[0..5]\n}\ninit {\n  x := 9\n}\n",
     "SF222", 6, 8),
]


@pytest.mark.parametrize("name,text,code,line,column", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_the_exact_diagnostic(name, text, code, line, column):
    loaded = load_text(text, "bad.sf")
    assert not loaded.ok
    found = [(d.code, d.span.line, d.span.column) for d in loaded.diagnostics if d.span is not None]
    assert (code, line, column) in found, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)


@pytest.mark.parametrize("name,text,code,line,column", CASES, ids=[c[0] for c in CASES])
def test_every_diagnostic_is_rendered_with_a_caret(name, text, code, line, column):
    loaded = load_text(text, "bad.sf")
    for d in loaded.diagnostics:
        rendered = d.render(loaded.source)
        assert rendered.startswith(f"bad.sf:{d.span.line}:{d.span.column}: {d.severity.value}[{d.code}]: ")
        assert "^" in rendered


def test_every_error_in_a_file_is_reported_not_just_the_first():
    text = after_base(
        "invariant A: x >= 0 &&\n"          # syntax error
        "invariant B: balance >= 0\n"       # unknown name
        "invariant C: ttl <= 15\n"          # dimension
        "action f() {\n  x = 1\n}\n"        # syntax error
        "action g() {\n  LIMIT := 1\n}\n"   # constant assigned
    )
    loaded = load_text(text, "many.sf")
    assert [d.code for d in loaded.diagnostics] == ["SF101", "SF201", "SF204", "SF102", "SF209"]


def test_a_declaration_that_fails_to_parse_does_not_cascade_into_unknown_names():
    text = "spec T\nconst MAX: int = 10 +\nstate {\n  x: int\n}\ninit { x := 0 }\ninvariant A: x <= MAX\n"
    loaded = load_text(text.replace("10 +\n", "10 + )\n"), "cascade.sf")
    assert [d.code for d in loaded.diagnostics] == ["SF102"]


def test_a_state_variable_named_like_an_enum_value_is_one_error_not_a_cascade():
    """`paid` is refused as a state variable (SF202); its uses are then not read as the enum value
    (which gave `paid` is Status, but this value is map[Order, int] at every assignment)."""
    text = ("spec T\nset Order\nenum Status { open, paid }\nstate {\n  status: map[Order, Status]\n"
            "  paid: map[Order, nat]\n}\ninit {\n  status := {o: open for o in Order}\n"
            "  paid := {o: 0 for o in Order}\n}\ninvariant P: forall o in Order: paid[o] >= 0\n"
            "action pay(o: Order) {\n  status[o] := paid\n  paid[o] := 1\n}\n")
    loaded = load_text(text, "clash.sf")
    assert [(d.code, d.span.line) for d in loaded.diagnostics] == [("SF202", 6)]


# Inputs the grammar fuzzer found crashing the checker: each must give diagnostics, not an exception.
CRASHERS = [
    ("an enum value in constant arithmetic", "spec S\nenum E { m }\nconst C: bool = 0 < m / 2\n", "SF203"),
    ("an unknown function in a constant", "spec S\nconst C: bool = 0 < sqrt(1)\n", "SF206"),
    ("a wrong arity in a constant", "spec S\nconst C: bool = abs(1, 2) and true\n", "SF205"),
    ("an if over an enum in a range bound", "spec S\nenum E { m }\nstate {\n  x: int[0..(if m < 1 then 1 else 2)]\n}\n",
     "SF203"),
    ("a constant squared past the digit limit",
     "spec S\nconst A: int = 1" + "0" * 3000 + "\nconst B: int[0..1] = A * A\n", "SF216"),
    ("repeated squaring", "spec S\nconst A: int = 1" + "0" * 3999 + "\n"
     + "".join(f"const A{i}: int = {'A' if i == 0 else f'A{i - 1}'} * {'A' if i == 0 else f'A{i - 1}'}\n"
               for i in range(30)), "SF216"),
]


@pytest.mark.parametrize("name,text,code", CRASHERS, ids=[c[0] for c in CRASHERS])
def test_inputs_that_once_crashed_the_checker_give_diagnostics(name, text, code):
    loaded = load_text(text, "crash.sf")
    assert code in [d.code for d in loaded.diagnostics]
    for d in loaded.diagnostics:
        d.render(loaded.source)


def test_the_deepest_expression_allowed_survives_a_json_round_trip():
    from specforge import ir

    loaded = load_text("spec S\ninvariant I: " + "not " * (MAX_DEPTH - 1) + "true\n", "deep.sf")
    assert loaded.ok
    again = ir.Spec.model_validate_json(loaded.spec.model_dump_json(by_alias=True))
    assert again == loaded.spec
    loaded = load_text("spec S\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction a() {\n  requires "
                       + "not " * (MAX_DEPTH - 2) + "true\n}\n", "deep2.sf")
    assert loaded.ok
    assert ir.Spec.model_validate_json(loaded.spec.model_dump_json(by_alias=True)) == loaded.spec


@pytest.mark.parametrize("text,codes", [
    # a set and an enum value of one name, in either order
    ("spec T\nset open\nenum Door { open, closed }\n", ["SF202"]),
    ("spec T\nenum Door { open, closed }\nset open\n", ["SF202"]),
    # a rejected name is not reported again where it is used
    ("spec T\nstate {\n  nat: int\n}\ninit {\n  nat := 0\n}\n", ["SF202"]),
])
def test_a_name_clash_is_one_error_whatever_the_order(text, codes):
    assert [d.code for d in load_text(text, "clash.sf").diagnostics] == codes


def test_a_bound_variable_shadowing_a_parameter_is_named_as_such():
    loaded = load_text(after_base("action f(k: int) {\n  requires forall k in 0..3: k >= 0\n}\n"), "p.sf")
    assert "`k` already names a parameter" in loaded.diagnostics[0].message


def test_a_broken_init_block_is_not_also_reported_missing():
    loaded = load_text("spec T\nstate {\n  x: int\n}\ninit {\n  x := 5 parsecs\n}\n", "init.sf")
    assert [d.code for d in loaded.diagnostics] == ["SF110"]


def test_decimals_are_echoed_as_written():
    loaded = load_text(after_base("invariant A: ttl < 0.0000001 s\n"), "dec.sf")
    assert "`0.0000001 s` is not a whole number of ms" in loaded.diagnostics[0].message


def test_an_ambiguous_enum_value_suggests_every_qualification():
    loaded = load_text(after_base("invariant A: open == open\n"), "amb.sf")
    assert loaded.diagnostics[0].hint == "qualify it: `Door.open` or `Valve.open`"


def test_too_many_syntax_errors_stop_with_a_note():
    text = "spec T\n" + "invariant A: x >= &\n" * 80
    loaded = load_text(text, "noisy.sf")
    codes = [d.code for d in loaded.diagnostics]
    assert codes.count("SF101") == 50 and codes[-1] == "SF113"


# ---- files that cannot be read


def missing(tmp_path: Path) -> Path:
    return tmp_path / "nope.sf"


def directory(tmp_path: Path) -> Path:
    return tmp_path


def too_large(tmp_path: Path) -> Path:
    path = tmp_path / "huge.sf"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, the size is what is checked
    return path


def holding(data: bytes) -> Callable[[Path], Path]:
    def write(tmp_path: Path) -> Path:
        path = tmp_path / "input.sf"
        path.write_bytes(data)
        return path
    return write


# (id, the file, code, line, column); no line and column: the problem is the whole file
FILE_CASES = [
    ("missing file", missing, "SF001", None, None),
    ("directory", directory, "SF002", None, None),
    ("invalid UTF-8 is located", holding(b"spec T\n# caf\xe9\n"), "SF003", 2, 6),
    ("binary garbage", holding(bytes(range(256)) * 16), "SF004", 1, 1),
    ("a file over the size limit", too_large, "SF005", None, None),
]


@pytest.mark.parametrize("name,make,code,line,column", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_a_file_that_cannot_be_read_gets_one_diagnostic(name, make, code, line, column, tmp_path):
    loaded = load(str(make(tmp_path)))
    (d,) = loaded.diagnostics
    assert loaded.unreadable and d.code == code
    assert (d.span.line, d.span.column) == (line, column) if line else d.span is None


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.sf"
    path.write_bytes("\ufeffspec T\n".encode())
    assert load(str(path)).ok


def test_windows_line_endings_are_accepted():
    assert load_text("spec T\r\nstate {\r\n  x: int\r\n}\r\ninit {\r\n  x := 0\r\n}\r\n").ok


def test_twenty_thousand_invariants_check():
    invariants = "".join(f'invariant INV-{i} MUST "number {i}": x >= -{i}\n' for i in range(20_000))
    loaded = load_text(after_base(invariants), "big.sf")
    assert loaded.ok and len(loaded.spec.invariants) == 20_000


# What users try first, each answered with the diagnostic alone: (id, spec text, hint, number of errors)
FIRST_TRIES = [
    ("no error name after else", "spec A\nstate { x: int }\ninit { x := 0 }\naction a() {\n"
     "  requires x > 0 else\n  x := 1\n}\n", "`else` needs the error's name on the same line", 1),
    ("a record as a map's value", "spec A\nset Item\nstate { m: map[Item, { a: int }] }\n"
     "init { m := {i: 0 for i in Item} }\n", "declare `type Line = { qty: int, price: int }`", 1),
    ("a set given to an int", "spec A\nstate { x: int }\ninit { x := {} }\n", "declare it `set[T]`", 1),
    ("an empty set compared with itself", "spec A\nstate { x: int }\ninit { x := 0 }\ninvariant I: {} == {}\n",
     "card(s) == 0", 1),
    ("a set of maps", "spec A\nset Item\nstate { s: set[map[Item, int]] }\ninit { s := {} }\n",
     "a set's element must be a set, an enum or a range", 1),
    ("an optional used as its value", "spec A\nstate { x: int? }\ninit { x := 0 }\ninvariant I: x + 1 > 0\n",
     "write `or_else(x, DEFAULT)`", 1),
    ("an optional written as a value", "spec A\nstate { x: int? }\ninit { x := int? }\n", "written `none`", 1),
    ("a record type with its fields on lines of their own", "spec A\ntype R = {\n  a: int\n  b: bool\n}\n",
     "separate a record type's fields with commas", 1),
    ("a record value where nothing says its type", "spec A\ntype R = { a: int }\nstate { x: int }\n"
     "init { x := 0 }\ninvariant I: { a: 1 } != R { a: 2 } and { a: 1 } == { a: 1 }\n",
     "write the type before the brace", 2),
    ("a def's type written as an action's answer", "spec A\nstate { n: int }\ninit { n := 0 }\n"
     "def big() -> bool = n > 9\n", "a def's type follows a colon", 1),
    ("a record type without its `=`", "spec A\ntype R { a: int, b: bool }\n",
     "a record type is declared with `=`", 1),
    ("init written for int", "spec A\nstate { x: init }\ninit { x := 0 }\n", "did you mean `int`?", 1),
    ("a keyword as a variable", "spec A\nstate {\n  init: int\n  y: int\n}\ninit { y := 0 }\n",
     "`init` is a keyword; rename the variable", 1),
    ("a keyword as a variable on the line of the brace", "spec A\nstate { init: int }\n",
     "`init` is a keyword; rename the variable", 1),
    ("a keyword as a parameter", "spec A\nstate { n: int }\ninit { n := 0 }\naction f(x: int, state: int) {\n"
     "  n := x\n}\n", "`state` is a keyword; rename the parameter", 1),
    ("a rate given to an int", "spec A\nconst R: int = 10_000 per min\n", "declare it `frequency`", 1),
    ("a data size given to an int", "spec A\nconst S: int = 5 MB\n", "declare it `datasize`", 1),
    ("money given to an int", "spec A\nunit USD\nunit cents = 0.01 USD\nconst C: int = 3 cents\n",
     "declare it `USD`", 1),
    ("money as a type", "spec A\nstate { price: money }\ninit { price := 0 }\n", "`unit USD`", 1),
    ("a float", "spec A\nstate { ratio: float }\ninit { ratio := 0 }\n", "is a `decimal`", 1),
    ("a timestamp", "spec A\nstate { at: timestamp }\ninit { at := 0 }\n", "a time is a `duration`", 1),
    ("a list", "spec A\nstate { queue: list }\ninit { queue := 0 }\n", "there are no lists", 1),
    ("an unknown type with no near name", "spec A\nstate { q: Widget }\ninit { q := 0 }\n", "`type NAME = { ... }`", 1),
    ("the size of a set as card", "spec A\nset Node\nstate { v: map[Node, bool] }\ninit { v := {n: false for n in Node} }\n"
     "invariant M: 2 * count(n in Node if v[n]) <= card(Node)\n", "`count(x in Node)`", 1),
    ("an optional wrapped as in other languages", "spec A\nset Node\nstate { o: Node? }\ninit { o := none }\n"
     "action f(n: Node) {\n  o := some(n)\n}\n", "write `x := v`", 1),
    ("a syntax error inside state", "spec A\nstate {\n  x: int\n  y: int +\n  z: bool\n}\n"
     "init {\n  x := 0\n  y := 0\n  z := true\n}\ninvariant I: x >= 0 and z\n", None, 1),
]


@pytest.mark.parametrize("name,text,hint,errors", FIRST_TRIES, ids=[c[0] for c in FIRST_TRIES])
def test_what_users_try_first_gets_one_error_with_a_hint_that_says_what_to_write(name, text, hint, errors):
    loaded = load_text(text, "first.sf")
    assert len(loaded.diagnostics) == errors, [d.render(loaded.source) for d in loaded.diagnostics]
    if hint is not None:
        assert hint in (loaded.diagnostics[0].hint or ""), loaded.diagnostics[0]
    # a type name before the fault is not taken for a misspelt keyword (`int` is not `init`)
    assert not any("instead of `int`" in (d.hint or "") for d in loaded.diagnostics)


# ---- the back ends: every code the prover's and the exporter's commands print

DIAGNOSTIC = re.compile(r"^\S+?(?::(\d+):(\d+))?: (?:error|warning|note)\[(SF\d{3})\]", re.M)
TINY = "spec Tiny\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant P: x >= 0\n"


def printed(tmp_path: Path, text: str, *args: str) -> list[tuple[str, int | None, int | None]]:
    """(code, line, column) of each diagnostic the command prints for a spec holding `text`."""
    from click.testing import CliRunner

    from specforge.cli import main

    path = tmp_path / "spec.sf"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [args[0], str(path), *args[1:]])
    assert "Traceback" not in result.output
    return [(code, int(line) if line else None, int(column) if column else None)
            for line, column, code in DIAGNOSTIC.findall(result.output)]


def prover_failing_with(monkeypatch, error: Callable[[object], Exception]) -> None:
    """The prover raises `error(spec)`: what only a construct it lacks, or a bug in it, would do."""
    import specforge.prove

    def prove(spec, *args, **kwargs):
        raise error(spec)

    monkeypatch.setattr(specforge.prove, "prove", prove)


def unsupported(tmp_path, monkeypatch):
    from specforge.prove.encode import Unsupported

    prover_failing_with(monkeypatch, lambda spec: Unsupported("no z3 encoding for this", spec.invariants[0].expr))
    return printed(tmp_path, TINY, "prove", "--no-cache")


def internal_error(tmp_path, monkeypatch):
    prover_failing_with(monkeypatch, lambda spec: RuntimeError("a bug"))
    return printed(tmp_path, TINY, "prove", "--no-cache")


def beyond_tlc(tmp_path, monkeypatch):
    return printed(tmp_path, TINY.replace("x >= 0", "x < 3_000_000_000"), "export-tla", "-o", str(tmp_path))


def trace_of_a_proved_invariant(tmp_path, monkeypatch):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"spec": "Tiny", "invariants": [{"id": "P", "verdict": "proved"}]}),
                      encoding="utf-8")
    return printed(tmp_path, TINY, "export-tla", "-o", str(tmp_path), "--trace", str(report), "--invariant", "P")


def too_many_arguments(tmp_path, monkeypatch):
    action = "action f(a: int, b: int, c: int, d: int, e: int, g: int, h: int) {\n  x := a + b + c + d + e + g + h\n}\n"
    return printed(tmp_path, TINY + action, "export-tla", "-o", str(tmp_path))


# (id, how to provoke it, code, line, column); no line and column: the problem is in the report, not the spec
BACKEND_CASES = [
    ("a construct the prover cannot express", unsupported, "SF301", 8, 14),
    ("an internal error in the prover", internal_error, "SF399", None, None),
    ("an integer beyond TLC's", beyond_tlc, "SF321", 8, 18),
    ("a trace of an invariant the report proves", trace_of_a_proved_invariant, "SF322", None, None),
    ("an action with too many argument combinations for TLC", too_many_arguments, "SF325", 9, 1),
]


@pytest.mark.parametrize("name,provoke,code,line,column", BACKEND_CASES, ids=[c[0] for c in BACKEND_CASES])
def test_a_back_end_problem_gets_the_exact_diagnostic(name, provoke, code, line, column, tmp_path, monkeypatch):
    assert (code, line, column) in provoke(tmp_path, monkeypatch)


# Codes with no case above, each with the test that covers it and why it is not here.
ELSEWHERE = {
    "SF320": ("test_tla.py", "test_a_node_without_a_translation_is_a_positioned_diagnostic_not_a_crash",
              "the checker rejects every construct the exporter lacks: only a hand-built IR node reaches it"),
}


def test_every_diagnostic_code_has_a_bad_input_case():
    from specforge.diagnostics import CODE_TABLE

    covered = {c[2] for c in CASES} | {c[2] for c in FILE_CASES} | {c[2] for c in BACKEND_CASES}
    missing = set(CODE_TABLE) - covered - set(ELSEWHERE)
    assert not missing, f"add a case to CASES, FILE_CASES or BACKEND_CASES for {sorted(missing)}"
    assert covered | set(ELSEWHERE) <= set(CODE_TABLE)
    for file, test, _ in ELSEWHERE.values():
        assert f"def {test}(" in (Path(__file__).parent / file).read_text(encoding="utf-8")
