"""Every form of the language contract parses into the expected IR."""

from __future__ import annotations

import json

import pytest

from specforge import ir
from specforge.frontend import load, load_text

from .support import CONTEXT, GOLDEN, ROOT, check_expr, golden, sexpr

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))

# expression as written -> its IR, as an S-expression
EXPRESSIONS = [
    # comparisons, ASCII and Unicode
    ("x >= 0", "(>= x 0)"),
    ("x ≥ 0", "(>= x 0)"),
    ("x <= 0", "(<= x 0)"),
    ("x ≤ 0", "(<= x 0)"),
    ("x != y", "(!= x y)"),
    ("x ≠ y", "(!= x y)"),
    ("x == y", "(== x y)"),
    ("x = y", "(== x y)"),
    ("x < y", "(< x y)"),
    ("x > y", "(> x y)"),
    # chains as in Python
    ("0 <= x <= 10", "(and (<= 0 x) (<= x 10))"),
    ("0 < x < y <= LIMIT", "(and (and (< 0 x) (< x y)) (<= y LIMIT))"),
    ("(x == y) == p", "(== (== x y) p)"),
    # logic, ASCII and Unicode, and precedence
    ("p and q", "(and p q)"),
    ("p ∧ q", "(and p q)"),
    ("p or q", "(or p q)"),
    ("p ∨ q", "(or p q)"),
    ("not p", "(not p)"),
    ("¬p", "(not p)"),
    ("p implies q", "(implies p q)"),
    ("p => q", "(implies p q)"),
    ("p ⇒ q", "(implies p q)"),
    ("p → q", "(implies p q)"),
    ("p iff q", "(iff p q)"),
    ("p <=> q", "(iff p q)"),
    ("p ⇔ q", "(iff p q)"),
    ("p implies q implies r", "(implies p (implies q r))"),
    ("p or q and r", "(or p (and q r))"),
    ("not p and q", "(and (not p) q)"),
    ("not x == y", "(not (== x y))"),
    ("p iff q implies r", "(iff p (implies q r))"),
    ("p and q or r implies p iff q", "(iff (implies (or (and p q) r) p) q)"),
    # arithmetic and precedence
    ("x + y * 2 - 1 >= 0", "(>= (- (+ x (* y 2)) 1) 0)"),
    ("x / 2 % 3 == 1", "(== (% (/ x 2) 3) 1)"),
    ("-x + 1 == -(x - 1)", "(== (+ (- x) 1) (- (- x 1)))"),
    ("abs(x) >= 0", "(>= (abs x) 0)"),
    ("min(x, y) <= max(x, y, LIMIT)", "(<= (min x y) (max x y LIMIT))"),
    ("1_000_000 > x", "(> 1000000 x)"),
    # membership and ranges
    ("x in 0..10", "(in x 0..10)"),
    ("x ∈ 0..LIMIT - 1", "(in x 0..(- LIMIT 1))"),
    ("status in Status", "(in status Status)"),
    # sets as values: literals, `not in`, the set functions, quantifiers and aggregates over a set
    ("x in {1, 2, y}", "(in x {1 2 y})"),
    ("x not in {1}", "(not (in x {1}))"),
    ("x ∉ {}", "(not (in x {}))"),
    ("status in {paid, shipped}", "(in status {Status.paid Status.shipped})"),
    ("card(add({x}, y)) <= card(remove({x, y}, x)) + 1", "(<= (card (add {x} y)) (+ (card (remove {x y} x)) 1))"),
    ("union({x}, {}) == inter({x, y}, diff({x}, {y}))", "(== (union {x} {}) (inter {x y} (diff {x} {y})))"),
    ("subset({x}, {x, y})", "(subset {x} {x y})"),
    ("forall i in {x, y}: i >= 0", "(forall i {x y} (>= i 0))"),
    ("sum(i for i in {x, y} if i > 0) >= count(i in {x})", "(>= (sum i {x y} i if (> i 0)) (count i {x}))"),
    # if/then/else
    ("(if p then x else y) >= 0", "(>= (if p x y) 0)"),
    ("x == if p then 1 else 2 + 3", "(== x (if p 1 (+ 2 3)))"),
    # quantifiers reach as far right as they can
    ("forall a in Account: balances[a] >= 0", "(forall a Account (>= balances[a] 0))"),
    # aggregates: a sum with and without a condition, a count with and without one
    ("sum(balances[a] for a in Account) >= 0", "(>= (sum a Account balances[a]) 0)"),
    ("sum(balances[a] * 2 for a ∈ Account if balances[a] > 0) >= x",
     "(>= (sum a Account (* balances[a] 2) if (> balances[a] 0)) x)"),
    ("count(a in Account) >= count(s in Status if s != created)",
     "(>= (count a Account) (count s Status if (!= s Status.created)))"),
    ("sum(i for i in 0..9 if slots[i]) + count(i in 0..9) > 0",
     "(> (+ (sum i 0..9 i if slots[i]) (count i 0..9)) 0)"),
    ("sum(ttl for s in Status) <= 1 h", "(<= (sum s Status ttl) 3600000ms)"),
    ("∀ a ∈ Account: balances[a] ≥ 0", "(forall a Account (>= balances[a] 0))"),
    ("exists a in Account: balances[a] > 0 or p", "(exists a Account (or (> balances[a] 0) p))"),
    ("∃ a ∈ Account: balances[a] > 0", "(exists a Account (> balances[a] 0))"),
    ("p and forall a in Account: balances[a] >= 0", "(and p (forall a Account (>= balances[a] 0)))"),
    ("forall a, b in Account: balances[a] + balances[b] >= 0",
     "(forall a Account (forall b Account (>= (+ balances[a] balances[b]) 0)))"),
    ("forall a in Account, i in 0..9: balances[a] >= 0 or slots[i]",
     "(forall a Account (forall i 0..9 (or (>= balances[a] 0) slots[i])))"),
    ("forall a in Account: exists b in Account: balances[a] <= balances[b]",
     "(forall a Account (exists b Account (<= balances[a] balances[b])))"),
    # enums, records, maps
    ("status == paid", "(== status Status.paid)"),
    ("status == Status.shipped", "(== status Status.shipped)"),
    ("Door.open != Door.closed", "(!= Door.open Door.closed)"),
    ("token.valid implies token.ttl <= 15 min", "(implies token.valid (<= token.ttl 900000ms))"),
    ("slots[3] or not slots[LIMIT - 1]", "(or slots[3] (not slots[(- LIMIT 1)]))"),
    # units: exact base units, any spelling
    ("15 minutes == 900 s", "(== 900000ms 900000ms)"),
    ("ttl <= 15 min", "(<= ttl 900000ms)"),
    ("ttl <= 1.5 s + 250 ms", "(<= ttl (+ 1500ms 250ms))"),
    ("ttl < 2 h and ttl < 1 day and ttl < 3 d", "(and (and (< ttl 7200000ms) (< ttl 86400000ms)) (< ttl 259200000ms))"),
    ("ttl >= 1 sec + 2 seconds + 1 second + 1 minute + 1 hour + 2 hours + 2 days",
     "(>= ttl (+ (+ (+ (+ (+ (+ 1000ms 2000ms) 1000ms) 60000ms) 3600000ms) 7200000ms) 172800000ms))"),
    ("ttl >= 0", "(>= ttl 0ms)"),
    ("ttl * 2 <= 30 min and 2 * ttl <= 30 min", "(and (<= (* ttl 2) 1800000ms) (<= (* 2 ttl) 1800000ms))"),
    ("ttl / 15 s <= 4", "(<= (/ ttl 15000ms) 4)"),
    # strings
    ('words(summary) <= 60', "(<= (words summary) 60)"),
    ('len(subject) == 0 or subject != ""', "(or (== (len subject) 0) (!= subject ''))"),
    ('subject in {"low", "high"}', "(in subject {'low' 'high'})"),
    # records as values and optional values
    ("pair == Pair { b: p, a: x + 1 }", "(== pair (Pair a: (+ x 1) b: p))"),
    ("pair == { b: p, a: x + 1 }", "(== pair (Pair a: (+ x 1) b: p))"),
    ("(pair with { a: 2 }).a > x", "(> (pair with a: 2).a x)"),
    ("maybe == none or maybe == 3", "(or (== maybe none) (== maybe (some 3)))"),
    ("or_else(maybe, 0) >= 0", "(>= (or_else maybe 0) 0)"),
    ("maybe != none implies maybe > 2", "(implies (!= maybe none) (> (present maybe) 2))"),
    # line breaks inside brackets and after a binary operator continue the expression
    ("(x >= 0\n  and y >= 0)", "(and (>= x 0) (>= y 0))"),
    ("x >= 0 and\n  y >= 0", "(and (>= x 0) (>= y 0))"),
    ("x >= 0\n  and y >= 0", "(and (>= x 0) (>= y 0))"),
    ("forall a in Account:\n  balances[a] >= 0", "(forall a Account (>= balances[a] 0))"),
    ("if p then x > 0 else\n  x >= 0", "(if p (> x 0) (>= x 0))"),
    ("if p\n  then x > 0\n  else x >= 0", "(if p (> x 0) (>= x 0))"),
]


@pytest.mark.parametrize("text,expected", EXPRESSIONS, ids=[t for t, _ in EXPRESSIONS])
def test_expression_parses_into_the_expected_ir(text, expected):
    assert sexpr(check_expr(text).expr) == expected


def _children(e) -> list:
    """The expressions directly inside `e`, found the slow way: every field's value tested against
    every node class."""
    return [v for value in e.__dict__.values() for v in (value if isinstance(value, list) else [value])
            if isinstance(v, ir.EXPR_CLASSES)]


def _table_roots() -> list:
    roots = [check_expr(text).expr for text, _ in EXPRESSIONS]
    # comprehensions appear in the context's init
    return roots + [a.value for a in load_text(CONTEXT, "ctx.sf").spec.init]


def test_every_expression_node_has_a_form_in_the_table():
    seen = set()

    def walk(e):
        seen.add(type(e))
        for v in _children(e):
            walk(v)

    for root in _table_roots():
        walk(root)
    assert seen == set(ir.EXPR_CLASSES)


def test_the_walk_reads_the_same_children_as_every_field_tested():
    """`ir.subexpressions` reads only the fields whose annotation names an expression: on every node of
    the form table and of the examples it finds exactly what testing every field finds, in order."""
    from specforge.structure import expressions

    roots = _table_roots() + [e for example in EXAMPLES for e in expressions(load(str(example)).spec)]
    nodes = [n for root in roots for n in ir.walk(root)]
    assert {type(n) for n in nodes} == set(ir.EXPR_CLASSES)
    for n in nodes:
        assert [id(c) for c in ir.subexpressions(n)] == [id(c) for c in _children(n)], type(n).__name__


# The language contract, kept in the repository so that these tests run in any clone; the
# project's shared copy sits beside the checkout, where there is one.
CONTRACT = ROOT / "tests" / "data" / "spec-language.md"
SHARED_CONTRACT = ROOT.parent / "shared" / "spec-language.md"


def test_the_kept_copy_of_the_language_contract_is_the_shared_one():
    if not SHARED_CONTRACT.exists():
        pytest.skip("the shared language contract is not beside this checkout")
    assert CONTRACT.read_text(encoding="utf-8") == SHARED_CONTRACT.read_text(encoding="utf-8"), \
        f"copy {SHARED_CONTRACT} to {CONTRACT}"


def test_the_contract_example_checks_and_reads_as_written():
    example = CONTRACT.read_text(encoding="utf-8").split("```")[1]
    loaded = load_text(example, "contract.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    spec = loaded.spec
    assert spec.name == "Bank"
    assert [c.name for c in spec.consts] == ["MAX_WITHDRAWAL"]
    assert spec.consts[0].evaluated == 10_000
    assert [(i.id, i.level.value) for i in spec.invariants] == [("BAL-1", "MUST"), ("BAL-2", "SHOULD")]
    assert spec.invariants[0].description == "The balance never drops below zero"
    withdraw = next(a for a in spec.actions if a.name == "withdraw")
    assert [(p.name, p.type.resolved.kind) for p in withdraw.params] == [("amount", "int")]
    assert [g.error for g in withdraw.guards] == ["InvalidAmount", "LimitExceeded", "InsufficientFunds"]
    assert [sexpr(a.value) for a in withdraw.assignments] == ["(- balance amount)"]


DECLARATIONS = """\
# comments may come before the header
spec Forms "every declaration form"   # and after code
set Account
enum Color { red, green, blue }
enum Shape {
  circle
  square,
  triangle,
}
const MAX: int = 10_000
const HALF: int = MAX / 2
const TTL: duration = 15 minutes
const FAVOURITE: Color = green
const ON: bool = MAX > HALF
state {
  balance: int
  count: nat
  pct: int[0..100]
  small: int[0..MAX - 1]
  ttl: duration
  color: Color
  owner: Account
  balances: map[Account, int]
  by_slot: map[0..9, nat]
  by_pct: map[int[0..3], bool]
  grid: map[Color, map[0..2, int]]
  token: {
    issued_at: duration
    limits: {
      ttl: duration
    }
  }
}
init {
  balance := 0; count := 0
  pct := 100
  small := MAX - 1
  ttl := TTL
  color := FAVOURITE
  owner := owner_seed
  balances := {a: 0 for a in Account}
  by_slot := {i: i for i in 0..9}
  by_pct := {i: false for i in 0..3}
  grid := {c: {i: 0 for i in 0..2} for c in Color}
  token.issued_at := 0
  token.limits.ttl := ttl
}
invariant A MUST "described": balance >= 0
invariant B-2 SHOULD: count >= 0
invariant SEC.AUTH-3 MAY "dots and dashes": token.limits.ttl <= 15 min
invariant plain: pct <= 100
action pay(a: Account, amount: nat, c: Color,) {
  requires amount > 0 else InvalidAmount
  requires c != red
  balances[a] := balances[a] + amount
  grid[c][1] := grid[c][1] + 1
  token.limits.ttl := 5 min
  count := count + 1
}
action noop() {
}
"""


def test_constants_may_use_membership_and_a_bare_zero_fits_a_duration_map():
    loaded = load_text("spec T\nenum Mode { off, heat }\nconst W: bool = 5 in 0..9\n"
                       "state {\n  g: map[Mode, duration]\n}\ninit {\n  g := {m: 0 for m in Mode}\n}\n", "t.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    assert loaded.spec.consts[0].evaluated is True
    assert loaded.spec.init[0].value.value.type == ir.QuantityT(dimension="time")


def test_a_bare_zero_fits_a_duration_map_nested_in_a_map():
    loaded = load_text("spec T\nenum Mode { a, b }\nenum Car { x, y }\nstate {\n  g: map[Car, map[Mode, duration]]\n}\n"
                       "init {\n  g := {c: {m: 0 for m in Mode} for c in Car}\n}\n", "t.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]


def test_every_declaration_form_checks():
    text = DECLARATIONS.replace("owner := owner_seed", "owner := owner")  # see below
    loaded = load_text(text, "forms.sf")
    # `owner := owner` reads owner before init assigns it: the one error this text has
    assert [d.code for d in loaded.diagnostics] == ["SF219"]
    fixed = DECLARATIONS.replace("  owner: Account\n", "").replace("  owner := owner_seed\n", "")
    loaded = load_text(fixed, "forms.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    spec = loaded.spec
    assert spec.description == "every declaration form"
    assert [e.name for e in spec.enums] == ["Color", "Shape"]
    assert [m.name for m in spec.enums[1].members] == ["circle", "square", "triangle"]
    assert {c.name: c.evaluated for c in spec.consts} == {
        "MAX": 10_000, "HALF": 5_000, "TTL": 900_000, "FAVOURITE": "green", "ON": True}
    types = {f.name: f.type.resolved for f in spec.state}
    assert types["count"] == ir.IntT(low=0)
    assert types["pct"] == ir.IntT(low=0, high=100)
    assert types["small"] == ir.IntT(low=0, high=9_999)
    assert types["by_slot"] == ir.MapT(key=ir.IntT(low=0, high=9), value=ir.IntT(low=0))
    assert types["by_pct"] == ir.MapT(key=ir.IntT(low=0, high=3), value=ir.BoolT())
    assert types["grid"] == ir.MapT(key=ir.EnumT(name="Color"), value=ir.MapT(key=ir.IntT(low=0, high=2), value=ir.IntT()))
    assert isinstance(types["token"], ir.RecordT)
    assert [i.id for i in spec.invariants] == ["A", "B-2", "SEC.AUTH-3", "plain"]
    assert [i.level.value for i in spec.invariants] == ["MUST", "SHOULD", "MAY", "MUST"]
    assert spec.invariants[1].description is None
    pay = spec.actions[0]
    assert [p.name for p in pay.params] == ["a", "amount", "c"]
    assert [g.error for g in pay.guards] == ["InvalidAmount", None]
    assert [sexpr(a.target) for a in pay.assignments] == ["balances[a]", "grid[c][1]", "token.limits.ttl", "count"]
    assert spec.actions[1].body == []


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_checks_clean_and_matches_its_golden_ir(example):
    loaded = load(str(example))
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    dumped = loaded.spec.model_dump(mode="json", by_alias=True)
    dumped["file"] = f"examples/{example.name}"
    golden(GOLDEN / "ir" / f"{example.stem}.json", json.dumps(dumped, indent=1, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_lowered_ir_is_exactly_what_validation_would_build(example):
    # ir.make skips validation for speed; re-validating must change nothing.
    spec = load(str(example)).spec
    again = ir.Spec.model_validate_json(spec.model_dump_json(by_alias=True))
    assert again == spec
