"""`specforge export-tla`: the module and model of every spec, deterministic, golden-tested and parsed.

Golden files: tests/golden/tla/<example>.tla and .cfg; the shipped copies in
tla/ are the same exports, named after their modules. Regenerate both with
SPECFORGE_REGEN=1 pytest, and review the diff.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from specforge import ir
from specforge.cli import main
from specforge.frontend import load
from specforge.lower import MAX_DEPTH
from specforge.tla import HANDLERS, BoundError, export_tla, parse_bound
from specforge.tla.expr import Env, Globals, Translator
from specforge.tla.model import DEFAULT_MAX_STEPS, DEFAULT_SET_SIZE, build_model
from specforge.tla.module import comment
from specforge.tla.names import Names

from .support import CONTEXT, GOLDEN, ROOT, check_expr, golden
from .test_tla_support import assert_parses, load_spec

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))


def export_file(path):
    loaded = load(str(path))
    assert loaded.ok
    return export_tla(loaded.spec)


# ---- every example: golden, shipped in tla/, parsed ------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_exports_as_its_golden_module_and_model(example):
    x = export_file(example)
    assert x.ok and not x.diagnostics
    golden(GOLDEN / "tla" / f"{example.stem}.tla", x.tla)
    golden(GOLDEN / "tla" / f"{example.stem}.cfg", x.cfg)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_tla_folder_holds_the_current_export_of_every_example(example):
    x = export_file(example)
    for name, text in x.files().items():
        golden(ROOT / "tla" / name, text)


def test_the_tla_folder_holds_nothing_stale():
    expected = {name for example in EXAMPLES for name in export_file(example).files()}
    shipped = {p.name for p in (ROOT / "tla").iterdir() if p.suffix in (".tla", ".cfg")}
    assert shipped == expected


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_exported_example_parses_as_tla(example):
    assert_parses(export_file(example).tla)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_export_is_deterministic(example):
    first, second = export_file(example), export_file(example)
    assert (first.tla, first.cfg) == (second.tla, second.cfg)


# ---- every IR node has a translation ------------------------------------------------------------------


def test_every_expression_node_has_a_translation_handler():
    assert set(HANDLERS) == set(ir.EXPR_CLASSES)


def translate(text: str) -> str:
    """The TLA+ of an expression of tests/support.py's CONTEXT, read in the current state."""
    spec = load_spec(CONTEXT + f"invariant E: {text}\n", "expr.sf")
    from specforge.tla.module import Exporter

    exp = Exporter(spec, build_model(spec))
    return exp.tr.expr(spec.invariants[-1].expr, Env(exp.pre_state(), exp.names.child())).text


# One row per IR node (and the operators of the nodes with several): the expression, its TLA+.
TRANSLATIONS = [
    ("x == 1_000", "x = 1000"),  # IntLit
    ("p == true", "p = TRUE"),  # BoolLit
    ("ttl == 15 min", "ttl = 900000"),  # QuantityLit, in ms
    ('subject in {"low", "a \\"b\\"\\n"}', 'subject \\in {"low", "a \\"b\\"\\n"}'),  # StringLit, escaped
    ("len(subject) <= 3", "Len(subject) <= 3"),
    ("x > LIMIT", "x > LIMIT"),  # Name: state variable, constant
    ("token.valid", "token.valid"),  # FieldAccess
    ("status == Status.paid", 'status = "paid"'),  # FieldAccess naming an enum value; enums are strings
    ("not p", "~p"),  # Unary
    ("-x < 0", "-x < 0"),
    ("x + y * 2 - 1 > 0", "(x + y * 2) - 1 > 0"),  # Binary: TLA+'s `-` binds tighter than `+`
    ("(x - y) - 1 > 0", "x - y - 1 > 0"),
    ("x - (y - 1) > 0", "x - (y - 1) > 0"),
    ("(x + y) * 2 > 0", "(x + y) * 2 > 0"),
    ("x - -1 == 0", "x - (-1) = 0"),
    ("x / 2 == x % 3", "FloorDiv(x, 2) = FloorMod(x, 3)"),
    ("p and q or r", "(p /\\ q) \\/ r"),
    ("p implies q implies r", "p => (q => r)"),
    ("(p implies q) implies r", "(p => q) => r"),
    ("p iff q", "p <=> q"),
    ("x != y", "x /= y"),  # Compare
    ("0 <= x <= 10", "0 <= x /\\ x <= 10"),
    ("(x == y) == p", "(x = y) = p"),
    ("x in 0..10", "x \\in 0..10"),  # Member, Range
    ("x in LIMIT - 1..LIMIT + 1", "x \\in LIMIT - 1..LIMIT + 1"),
    ("status in Status", "status \\in Status"),
    ("abs(x) <= max(x, y, 3)", "AbsVal(x) <= MaxVal(MaxVal(x, y), 3)"),  # Call
    ("min(x, y) == 0", "MinVal(x, y) = 0"),
    ("(if p then x else y) > 0", "(IF p THEN x ELSE y) > 0"),  # IfThenElse
    ("forall a in Account: balances[a] >= 0", "\\A a \\in Account : balances[a] >= 0"),  # Quantifier, Index
    ("sum(balances[a] for a in Account) >= 0", "SumOf([a \\in Account |-> balances[a]]) >= 0"),  # Aggregate
    ("count(i in 0..9 if slots[i]) < 3", "SumOf([i \\in 0..9 |-> IF slots[i] THEN 1 ELSE 0]) < 3"),
    ("exists i in 0..9: slots[i]", "\\E i \\in 0..9 : slots[i]"),
    ("p or (forall a in Account: balances[a] > x)", "p \\/ (\\A a \\in Account : balances[a] > x)"),
    # sets as values: SetLiteral, the set functions (FiniteSets' Cardinality for card)
    ("x in {1, y}", "x \\in {1, y}"),
    ("x not in {}", "~(x \\in {})"),
    ("card(add({x}, y)) > card(remove({x}, y))", "Cardinality(({x} \\cup {y})) > Cardinality(({x} \\ {y}))"),
    ("union({x}, {y}) == inter({x}, diff({y}, {x}))", "({x} \\cup {y}) = ({x} \\cap ({y} \\ {x}))"),
    ("subset({x}, {x, y})", "({x} \\subseteq {x, y})"),
    ("forall i in {x, y}: i > 0", "\\A i \\in {x, y} : i > 0"),
    # records are TLA+ records; an optional is a set of at most one value ({} is none)
    ("pair == Pair { a: x, b: p }", "pair = [a |-> x, b |-> p]"),
    ("(pair with { a: 1 }).a > 0", "[pair EXCEPT !.a = 1].a > 0"),
    ("maybe == none or maybe == 3", "maybe = {} \\/ maybe = {3}"),
    ("or_else(maybe, 0) >= 0", "(IF maybe = {} THEN 0 ELSE CHOOSE v \\in maybe : TRUE) >= 0"),
    ("maybe != none implies maybe > 2", "maybe /= {} => (CHOOSE v \\in maybe : TRUE) > 2"),
    ("maybe == (if p then 3 else none)", "maybe = (IF p THEN {3} ELSE {})"),
]

@pytest.mark.parametrize(("expression", "expected"), TRANSLATIONS, ids=[t[0] for t in TRANSLATIONS])
def test_an_expression_translates_to_this_tla(expression, expected):
    assert translate(expression) == expected


def test_the_translation_table_reaches_every_node():
    seen: set[type] = set()

    def walk(e):
        seen.add(type(e))
        for v in e.__dict__.values():
            if isinstance(v, ir._Expr):
                walk(v)
            elif isinstance(v, list):
                for x in v:
                    if isinstance(x, ir._Expr):
                        walk(x)

    for expression, _ in TRANSLATIONS:
        walk(check_expr(expression).expr)
    assert seen | {ir.MapComprehension} == set(ir.EXPR_CLASSES)  # a map value is only assigned: below


def test_a_map_comprehension_translates_to_a_function_constructor():
    x = export_tla(load_spec(CONTEXT))
    assert "/\\ balances = [a \\in Account |-> 0]" in x.tla
    assert "/\\ slots = [i \\in 0..9 |-> FALSE]" in x.tla
    assert "/\\ token = [ttl |-> 900000, valid |-> FALSE]" in x.tla
    assert_parses(x.tla)


def test_a_node_without_a_translation_is_a_positioned_diagnostic_not_a_crash():
    spec = load_spec(CONTEXT + "invariant E: x > 0\n")
    from specforge.tla.expr import CannotExpress
    from specforge.tla.module import Exporter

    exp = Exporter(spec, build_model(spec))
    record = ir.Name(span=spec.invariants[0].expr.span, name="token", ref=ir.RefKind.VAR,
                     type=spec.state[-1].type.resolved)
    with pytest.raises(CannotExpress) as err:
        exp.tr.expr(record, Env(exp.pre_state(), exp.names.child()))
    assert err.value.node is record
    text = exp.expr(record, Env(exp.pre_state(), exp.names.child()), "invariant E")
    assert text.text == "FALSE"
    (d,) = exp.diagnostics
    assert d.code == "SF320" and d.span.line == spec.invariants[0].expr.span.line and "record" in d.message


def test_an_unknown_node_class_is_reported_as_cannot_express():
    from specforge.tla.expr import CannotExpress

    class Strange:
        span = None

    tr = Translator(Globals({}, {}, {}))
    with pytest.raises(CannotExpress, match="no TLA\\+ translation for Strange"):
        tr.expr(Strange(), Env({}, Names()))


# ---- actions: sequential assignments as one simultaneous step --------------------------------------------


SEQUENTIAL = """\
spec Seq
set Account
state {
  x: int
  y: int
  m: map[Account, int]
  token: {
    ttl: duration
    valid: bool
  }
}
init {
  x := 0
  y := 0
  m := {a: 0 for a in Account}
  token.ttl := 0
  token.valid := false
}
action go(a: Account, b: Account) {
  x := x + 1
  y := x * 2
  x := y + x
  m[a] := m[a] + 1
  m[b] := m[a] + m[b]
  token.ttl := token.ttl + 1 s
}
action stay() {
  requires x > 0
}
"""


def test_sequential_assignments_become_the_final_values_computed_from_the_state_before():
    x = export_tla(load_spec(SEQUENTIAL))
    assert_parses(x.tla)
    go = x.tla[x.tla.index("go(a, b) =="):x.tla.index("\\* action stay")]
    assert "LET x_1 == x + 1" in go
    assert "y_1 == x_1 * 2" in go
    assert "m_1 == [m EXCEPT ![a] = m[a] + 1]" in go
    assert "/\\ x' = y_1 + x_1" in go
    assert "/\\ y' = y_1" in go
    assert "/\\ m' = [m_1 EXCEPT ![b] = m_1[a] + m_1[b]]" in go
    assert "/\\ token' = [token EXCEPT !.ttl = token.ttl + 1000]" in go
    assert "UNCHANGED" not in go
    stay = x.tla[x.tla.index("stay =="):x.tla.index("Next ==")]
    assert "UNCHANGED <<x, y, m, token>>" in stay


def test_an_action_leaves_every_untouched_variable_unchanged():
    x = export_file(ROOT / "examples" / "bank.sf")
    assert "start_new_day ==\n    /\\ withdrawn_today' = 0\n    /\\ UNCHANGED <<balance, frozen>>" in x.tla


def test_a_parameter_with_declared_bounds_is_bounded_in_its_action():
    x = export_file(ROOT / "examples" / "leader_election.sf")
    assert "/\\ new_term >= 0  \\* the declared type of new_term" in x.tla


# ---- names --------------------------------------------------------------------------------------------------

TRICKY = """\
spec Init "Tricky (* names *) \\\\* and *) ünïcödé ≤ ∀ 🚀\\nsecond line\\there\u2028"
set Next
enum CASE { EXCEPT, LET, DOMAIN }
const vars: int = 3
const Len: int = 2
state {
  Spec: int
  TypeOK: bool
  WF_x: map[Next, CASE]
  _1: int
  UNCHANGED: {
    ELSE: int
    Nat: bool
  }
}
init {
  Spec := vars
  TypeOK := false
  WF_x := {n: EXCEPT for n in Next}
  _1 := 0
  UNCHANGED.ELSE := 0
  UNCHANGED.Nat := true
}
invariant A-1.b MUST "ends a comment *) here (* opens one \\\\* and\\nbreaks a line": Spec >= 0
invariant A.1-b SHOULD "the same ID once sanitised": _1 <= Len
invariant Inv_A_1_b MAY "the sanitised name of the first": UNCHANGED.ELSE >= 0
invariant SEC.AUTH-3 "": TypeOK or not TypeOK
action IndInv(Init: int, k: Next) {
  requires Init in 0..vars else Nope
  _1 := _1 + Init
  WF_x[k] := LET
  UNCHANGED.ELSE := _1
}
"""


def test_names_that_tla_reserves_or_the_module_defines_are_renamed_deterministically():
    x = export_tla(load_spec(TRICKY))
    assert x.module == "Init_1"
    assert "MODULE Init_1" in x.tla
    for declaration in ("Next_1,", "CASE_1 == {\"EXCEPT\", \"LET\", \"DOMAIN\"}", "vars_1 == 3", "Len_1 == 2",
                        "Spec_1,", "TypeOK_1,", "xWF_x,", "v_1,", "    UNCHANGED_1\n",
                        "IndInv_1(Init_2, k) ==", "UNCHANGED_1 \\in [ELSE_1: Int, Nat_1: BOOLEAN]"):
        assert declaration in x.tla, declaration
    assert "\\*   state variable Spec is Spec_1" in x.tla
    assert_parses(x.tla)
    assert export_tla(load_spec(TRICKY)).tla == x.tla


def test_invariant_ids_with_dashes_and_dots_get_distinct_operator_names():
    x = export_tla(load_spec(TRICKY))
    assert "Inv_A_1_b == Spec_1 >= 0" in x.tla
    assert "Inv_A_1_b_1 == v_1 <= Len_1" in x.tla
    assert "Inv_Inv_A_1_b == UNCHANGED_1.ELSE_1 >= 0" in x.tla
    assert "Inv_SEC_AUTH_3 ==" in x.tla
    assert "\\* A-1.b (MUST):" in x.tla and "\\* A.1-b (SHOULD):" in x.tla


def test_a_hostile_description_cannot_end_a_comment_or_break_a_line():
    x = export_tla(load_spec(TRICKY))
    for line in x.tla.splitlines():
        if "\\*" in line:
            assert "*)" not in line and "(*" not in line, line
    assert "ends a comment * ) here ( * opens one \\* and breaks a line" in x.tla
    assert "ünïcödé ≤ ∀ 🚀 second line here" in x.tla
    assert "\u2028" not in x.tla and "\t" not in x.tla
    assert all(line.startswith(("\\*", "    \\*")) or "breaks a line" not in line for line in x.tla.splitlines())


@pytest.mark.parametrize(("text", "expected"), [
    ("a *) b", "a * ) b"), ("(* x", "( * x"), ("a (*) b", "a ( * ) b"), ("**))", "** ))"),
    ("line\nbreak\r\x00nul\u2029", "line break nul"), ("\u202eevil\u202c", "evil"),
])
def test_comment_text_is_neutralised(text, expected):
    assert comment(text) == expected


def test_a_bound_variable_never_reuses_a_global_name():
    spec = load_spec("spec S\nset A\nstate { x: int }\ninit { x := 0 }\n"
                     "invariant I: forall Init in A: exists vars in A: Init == vars\n")
    x = export_tla(spec)
    assert "Inv_I == \\A Init_1 \\in A : \\E vars_1 \\in A : Init_1 = vars_1" in x.tla
    assert_parses(x.tla)


# ---- deep nesting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["arith", "logic", "if"])
def test_an_expression_nested_as_deep_as_the_front_end_allows_translates_and_parses(shape):
    depth = MAX_DEPTH - 5
    if shape == "arith":
        expr = "(" * depth + "x" + "".join(f" - {i})" for i in range(depth)) + " <= 0"
    elif shape == "logic":
        expr = "not (" * depth + "p" + ")" * depth
    else:
        expr = "(if p then " * depth + "x" + " else 0)" * depth + " >= 0"
    spec = load_spec("spec Deep\nstate {\n  x: int\n  p: bool\n}\ninit {\n  x := 0\n  p := true\n}\n"
                     f"invariant D: {expr}\n")
    x = export_tla(spec)
    assert x.ok
    assert_parses(x.tla)
    line = next(line for line in x.tla.splitlines() if line.startswith("Inv_D =="))
    assert line.count("(") == line.count(")")


# ---- semantics the other back ends share ----------------------------------------------------------------


def test_durations_are_milliseconds_and_enums_strings():
    x = export_file(ROOT / "examples" / "auth_token.sf")
    assert "MAX_TTL == 900000  \\* 15 minutes, in ms" in x.tla
    assert "REFRESH_COOLDOWN == 250  \\* 250 ms, in ms" in x.tla
    x = export_file(ROOT / "examples" / "order.sf")
    assert 'Status == {"created", "paid", "shipped", "delivered", "cancelled"}' in x.tla


def test_floor_division_is_defined_by_helpers_in_the_module():
    x = export_file(ROOT / "examples" / "rate_limiter.sf")
    assert "FloorDiv(a, b) == IF b > 0 THEN a \\div b ELSE (-a) \\div (-b)" in x.tla
    assert "tokens' = FloorDiv(tokens, 2)" in x.tla


def test_declared_bounds_are_invariants_named_after_the_provers_type_obligations():
    x = export_file(ROOT / "examples" / "rate_limiter.sf")
    assert "\\* type:tokens (MUST)" in x.tla
    assert "Type_tokens == tokens \\in 0..100" in x.tla
    assert "Type_granted == granted >= 0" in x.tla
    x = export_file(ROOT / "examples" / "order.sf")
    assert "Type_price == \\A k \\in DOMAIN price : price[k] >= 0" in x.tla
    assert "    Type_price  \\* type:price" in x.cfg


def test_the_module_has_every_part_the_tools_need():
    x = export_file(ROOT / "examples" / "ledger.sf")
    for part in ("EXTENDS Integers, TLC", "CONSTANTS", "\\* @type: Set(ACCOUNT);", "\\* @type: ACCOUNT -> Int;",
                 "vars == <<balances, is_open>>", "TypeOK ==", "Init ==", "Next ==", "Spec == Init /\\ [][Next]_vars",
                 "IndInv ==", "apalache-mc typecheck Ledger.tla",
                 "apalache-mc check --cinit=ConstInit --init=IndInv --inv=IndInv --length=1 Ledger.tla",
                 "apalache-mc check --cinit=ConstInit --inv=IndInv --length=10 Ledger.tla",
                 "\\E src \\in Account, dst \\in Account, amount \\in Dom_transfer_amount : transfer(src, dst, amount)",
                 "java -cp tla2tools.jar tlc2.TLC -config Ledger.cfg Ledger.tla",
                 "\\* LED-1 (MUST): No account is ever overdrawn", "Inv_LED_1 =="):
        assert part in x.tla, part
    for part in ("Account = {Account1, Account2}", "INIT Init", "NEXT ModelNext", "CONSTRAINT StateConstraint",
                 "    Inv_LED_3  \\* LED-3 (SHOULD)"):
        assert part in x.cfg, part


def test_a_spec_without_state_actions_or_invariants_still_exports_a_module_that_parses():
    x = export_tla(load_spec("spec Empty\n"))
    assert x.ok
    assert "Next == FALSE" in x.tla and "TypeOK == TRUE" in x.tla
    assert_parses(x.tla)


def test_a_literal_beyond_tlcs_integers_is_a_positioned_warning():
    spec = load_spec("spec Big\nstate { x: int }\ninit { x := 0 }\ninvariant B: x < 3_000_000_000\n")
    x = export_tla(spec)
    (d,) = x.diagnostics
    assert d.code == "SF321" and d.severity.value == "warning" and d.span.line == 4
    assert x.ok


# ---- the model's bounds ------------------------------------------------------------------------------------------


def test_the_default_model_uses_the_specs_boundary_values_and_a_small_range():
    spec = load(str(ROOT / "examples" / "bank.sf")).spec
    m = build_model(spec)
    assert m.domains[("deposit", "amount")] == [-2, -1, 0, 1, 2, 3, 2499, 2500, 2501, 4999, 5000, 5001,
                                                 999999, 1000000, 1000001]
    assert m.max_steps == DEFAULT_MAX_STEPS
    assert m.state_range == (-2000002, 2000002)


def test_a_parameter_keeps_to_its_declared_type_and_a_small_range_type_is_taken_whole():
    spec = load_spec("spec P\nstate { x: int }\ninit { x := 0 }\n"
                     "action a(n: nat, r: int[3..7], d: duration) { x := n + r }\n")
    m = build_model(spec)
    assert m.domains[("a", "n")] == [0, 1, 2, 3, 4, 6, 7, 8]
    assert m.domains[("a", "r")] == [3, 4, 5, 6, 7]
    assert m.domains[("a", "d")] == [-2, -1, 0, 1, 2, 3]


def test_sets_get_model_values_by_default():
    m = build_model(load(str(ROOT / "examples" / "ledger.sf")).spec)
    assert m.sets == {"Account": DEFAULT_SET_SIZE}


@pytest.mark.parametrize(("bound", "field", "expected"), [
    ("Account=3", "sets", {"Account": 3}),
    ("Account=0", "sets", {"Account": 0}),
    ("Account={alice, bob}", "sets", {"Account": ["alice", "bob"]}),
    ("amount=0..3", "domains", [0, 1, 2, 3]),
    ("amount={9, -1, 5}", "domains", [-1, 5, 9]),
    ("transfer.amount=7", "domains", [7]),
    ("MaxSteps=8", "max_steps", 8),
    ("StateRange=-5..5", "state_range", (-5, 5)),
])
def test_a_bound_overrides_its_default(bound, field, expected):
    m = build_model(load(str(ROOT / "examples" / "ledger.sf")).spec, [parse_bound(bound)])
    value = getattr(m, field)
    if field == "domains":
        key = ("transfer", "amount")
        value = value[key]
        if "." not in bound:
            assert m.domains[("deposit", "amount")] == expected
    assert value == expected


@pytest.mark.parametrize(("bound", "message"), [
    ("nope=3", "not a set, an integer parameter or a model bound"),
    ("amount", "not NAME=VALUES"),
    ("amount=5..1", "the range is empty"),
    ("amount={a, b}", "takes integers"),
    ("Account=1..3", "takes a number of elements"),
    ("Account={a, a}", "not distinct"),
    ("Account={Init}", "already a name in the module"),
    ("MaxSteps=-1", "takes a number of steps"),
    ("StateRange=4", "takes a range"),
    ("deposit.nope=1", "has no parameter"),
    ("open_account.a=1", "only integer and duration parameters"),
    ("amount=0..99999999999", "more than"),
    ("amount=99999999999", "outside TLC's integers"),
])
def test_a_bad_bound_is_refused_with_the_reason(bound, message):
    spec = load(str(ROOT / "examples" / "ledger.sf")).spec
    with pytest.raises(BoundError, match=re.escape(message)):
        export_tla(spec, [parse_bound(bound)])


def test_overridden_bounds_reach_the_module_and_the_cfg():
    spec = load(str(ROOT / "examples" / "ledger.sf")).spec
    x = export_tla(spec, [parse_bound(b) for b in ("Account=3", "amount={1, 5}", "MaxSteps=7", "StateRange=-9..9")])
    assert "Account = {Account1, Account2, Account3}" in x.cfg
    assert "Dom_deposit_amount_Values == {1, 5}" in x.tla
    assert "MaxSteps = 7" in x.cfg and "StateRange_Values == -9..9" in x.tla
    assert "(--bound)" in x.cfg
    x = export_tla(spec, [parse_bound("Account=0")])
    assert "Account = {}" in x.cfg
    assert_parses(x.tla)


# ---- the command ---------------------------------------------------------------------------------------------


def test_the_command_writes_the_module_and_the_model(tmp_path):
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "bank.sf"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "BankAccount.tla").read_text(encoding="utf-8") == \
        (ROOT / "tla" / "BankAccount.tla").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "BankAccount.cfg").is_file()
    assert "wrote" in result.output


def test_the_command_takes_bounds(tmp_path):
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "ledger.sf"), "-o", str(tmp_path),
                                       "--bound", "Account=3", "--bound", "amount=0..5"])
    assert result.exit_code == 0, result.output
    assert "Account = {Account1, Account2, Account3}" in (tmp_path / "Ledger.cfg").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--bound", "nope=1"], 2, "not a set"),
    (["--invariant", "LED-1"], 2, "goes with --trace"),
    (["--from-prove"], 2, "need --invariant"),
])
def test_the_command_refuses_bad_usage(tmp_path, args, code, message):
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "ledger.sf"), "-o", str(tmp_path), *args])
    assert result.exit_code == code
    assert message in result.output


def test_the_command_reports_spec_errors_with_exit_code_1(tmp_path):
    bad = tmp_path / "bad.sf"
    bad.write_text("spec Bad\nstate { x: int }\ninit { x := y }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "SF201" in result.output


def test_the_command_is_listed_in_the_help():
    result = CliRunner().invoke(main, ["--help"])
    assert "export-tla" in result.output
    result = CliRunner().invoke(main, ["export-tla", "--help"])
    assert result.exit_code == 0 and "--bound" in result.output and "tlc2.TLC" in result.output


def test_the_trace_reader_reads_one_report_or_several_in_the_current_version():
    # the trace export reads `prove --format json`: one report, or {"version": 2, "specs": [...]}
    from specforge.prove import prove
    from specforge.report import to_json
    from specforge.tla import find_result

    spec = load(str(ROOT / "examples" / "bank.sf")).spec
    never = spec.invariants[0].model_copy(update={"id": "NEVER", "expr": ir.BoolLit(
        span=spec.span, type=ir.BoolT(), value=False)})
    buggy = spec.model_copy(update={"invariants": [*spec.invariants, never]})
    report = prove(buggy)
    one, several = json.loads(to_json([report])), json.loads(to_json([report, report]))
    assert find_result(one, buggy, "NEVER") == find_result(several, buggy, "NEVER")
    assert find_result(one, buggy, "NEVER").steps == 0


# ---- the documentation ----------------------------------------------------------------------------------


def test_the_docs_give_the_tlc_command_and_the_defaults_the_code_uses():
    from specforge.finite import FULL_RANGE_LIMIT, MIN_STATE_BOUND, SMALL_RANGE

    doc = (ROOT / "docs" / "tla.md").read_text(encoding="utf-8")
    assert "java -cp tla2tools.jar tlc2.TLC -config BankAccount.cfg BankAccount.tla" in doc
    assert f"{DEFAULT_SET_SIZE} model values" in doc
    assert f"| {DEFAULT_MAX_STEPS} actions |" in doc
    assert f"{SMALL_RANGE.start}..{SMALL_RANGE.stop - 1}".replace("-", "−") in doc
    assert f"at most {FULL_RANGE_LIMIT} values" in doc and f"at least {MIN_STATE_BOUND}" in doc
    for code in ("SF320", "SF321", "SF322"):
        assert code in doc


def test_the_docs_mapping_table_covers_every_expression_node():
    doc = (ROOT / "docs" / "tla.md").read_text(encoding="utf-8")
    table = doc[doc.index("## 3. From the spec language to TLA+"):doc.index("## 4. Names")]
    for tla in ("FloorDiv", "AbsVal", "MinVal", "IF c THEN a ELSE b", "\\in 0..10", "\\A a \\in Account",
                "[a \\in Account |-> 0]", "`token.ttl`", "`m[k]`", "900000", "BOOLEAN",
                "[t EXCEPT !.priority = 2]", "`{}` is `none`", "IF x = {} THEN d ELSE CHOOSE"):
        assert tla in table, tla
