"""The plain-Python interpreter of the typed IR (specforge.interpret), table by table.

Expressions are checked in a context spec and evaluated in a fixed state;
actions run on small specs. A last test walks every example a few steps and
finds no broken invariant (the prover proves them all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from specforge import ir
from specforge.evaluate import HANDLERS, Env, EvaluationError, compiled, evaluate
from specforge.frontend import load_text
from specforge.interpret import (
    GuardFailed,
    Interpreter,
    InvalidArguments,
    arguments,
    enabled,
    holds,
    initial_state,
    step,
)
from specforge.structure import obligation_ids, obligations, type_violations
from specforge.values import FrozenMap, State, Universe

from .support import reachable

ROOT = Path(__file__).resolve().parent.parent


def load(text: str) -> ir.Spec:
    loaded = load_text(text, "t.sf")
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec


# ---- expressions -----------------------------------------------------------------------------------

CONTEXT = """\
spec Ctx
set Account
enum Status { created, paid, shipped }
enum Door { open, closed }
enum Valve { open, shut }
type Pair = { a: int, b: bool }
const LIMIT: int = 10
const P: Pair = Pair { a: 1, b: true }
const GRACE: duration = 15 min
const START: Status = paid
const ON: bool = true
state {
  x: int
  y: int
  n: nat
  p: bool
  q: bool
  ttl: duration
  status: Status
  balances: map[Account, int]
  slots: map[0..3, bool]
  grid: map[Account, map[Status, int]]
  held: set[Account]
  maybe: int?
  token: {
    ttl: duration
    valid: bool
  }
}
init {
  x := 7; y := -2; n := 3; p := true; q := false; ttl := 900 s; status := paid
  balances := {a: 0 for a in Account}
  slots := {i: false for i in 0..3}
  grid := {a: {s: 0 for s in Status} for a in Account}
  held := {}
  maybe := 4
  token.ttl := 1 min
  token.valid := true
}
"""

UNIVERSE = Universe({"Account": ("alice", "bob")})
STATE = State({
    "x": 7, "y": -2, "n": 3, "p": True, "q": False, "ttl": 900_000, "status": "paid",
    "balances": FrozenMap({"alice": 5, "bob": -1}),
    "slots": FrozenMap({0: False, 1: True, 2: False, 3: True}),
    "grid": FrozenMap({"alice": FrozenMap({"created": 1, "paid": 2, "shipped": 3}),
                       "bob": FrozenMap({"created": 0, "paid": 0, "shipped": 9})}),
    "held": frozenset({"bob"}),
    "maybe": 4,
    "token.ttl": 60_000, "token.valid": True,
})

_SPEC_CACHE: dict[str, ir.Spec] = {}


def typed(text: str) -> ir.Expr:
    """`text` checked in CONTEXT: the typed IR of the expression (any type but map and record)."""
    spec = _SPEC_CACHE.get(text)
    if spec is None:
        spec = load(CONTEXT + f"invariant E: ({text}) == ({text})\n")
        _SPEC_CACHE[text] = spec
    return spec.invariants[-1].expr.left


def value(text: str):
    if "" not in _SPEC_CACHE:
        _SPEC_CACHE[""] = load(CONTEXT)
    return evaluate(typed(text), Env.of(_SPEC_CACHE[""], UNIVERSE, STATE))


EXPRESSIONS = [
    # literals
    ("42", 42),
    ("true", True),
    ("false", False),
    ("15 min", 900_000),
    ('words("  two  words ") + len("abc")', 5),  # strings: words are runs of non-whitespace
    ('"a" in {"a", "b"} and "" != "a"', True),
    ("1.5 s", 1_500),
    # names: state, record fields, constants, enum values
    ("x", 7),
    ("token.ttl", 60_000),
    ("token.valid", True),
    ("LIMIT", 10),
    ("GRACE", 900_000),
    ("START", "paid"),
    ("ON", True),
    ("shipped", "shipped"),
    ("Status.created", "created"),
    ("Door.open", "open"),
    ("Valve.open", "open"),
    # maps
    ("slots[1]", True),
    ("slots[x - 5]", False),
    ("{i: i * 2 for i in 0..3}[2]", 4),
    ("{s: s == paid for s in Status}[status]", True),
    # unary
    ("-x", -7),
    ("- -y", -2),
    ("not p", False),
    ("-ttl", -900_000),
    # arithmetic: floor division and Python's remainder
    ("x + y", 5),
    ("x - y", 9),
    ("x * y", -14),
    ("7 / 2", 3),
    ("-7 / 2", -4),
    ("7 / -2", -4),
    ("-7 / -2", 3),
    ("-(7 / 2)", -3),
    ("-7 % 2", 1),
    ("7 % -2", -1),
    ("-7 % -2", -1),
    ("x / y", -4),
    ("x % y", -1),
    ("y / x", -1),
    ("y % x", 5),
    ("ttl / 1 min", 15),
    ("ttl / 7", 128_571),
    ("ttl % 7 min", 60_000),
    ("ttl * 2", 1_800_000),
    ("2 + 3 * 4", 14),
    # logic
    ("p and q", False),
    ("p or q", True),
    ("p implies q", False),
    ("q implies p", True),
    ("q implies x / (y - y) == 1", True),  # the right side is not needed (y - y: a literal 0 is SF224)
    ("p iff q", False),
    ("q iff q", True),
    ("p ∧ ¬q", True),
    # comparisons (a chain is a conjunction)
    ("x == 7", True),
    ("x != 7", False),
    ("x < y", False),
    ("y <= x", True),
    ("x > 7", False),
    ("x >= 7", True),
    ("0 <= n <= 3", True),
    ("y < 0 < x < LIMIT", True),
    ("status == paid", True),
    ("ttl == 15 minutes", True),
    ("(x < y) == (y > x)", True),
    # membership
    ("x in 0..10", True),
    ("x in 0..6", False),
    ("y in y..y", True),
    ("x in y..n", False),
    ("status in Status", True),
    # calls
    ("abs(y)", 2),
    ("abs(x)", 7),
    ("min(x, y, n)", -2),
    ("max(x, y, n)", 7),
    ("max(0, ttl)", 900_000),
    ("min(ttl, 2 s, 1 h)", 2_000),
    # if then else
    ("if p then x else y", 7),
    ("if q then x else y", -2),
    ("if q then 1 / (x - x) else 5", 5),
    ("if x > 5 then shipped else created", "shipped"),
    # quantifiers over sets, enums and ranges
    ("forall a in Account: balances[a] <= 5", True),
    ("forall a in Account: balances[a] >= 0", False),
    ("exists a in Account: balances[a] < 0", True),
    ("exists a in Account: balances[a] > 5", False),
    ("forall a, b in Account: balances[a] == balances[b] implies a == b", True),
    ("exists a, b in Account: a != b", True),
    ("exists s in Status: s == status", True),
    ("forall s in Status: s != created", False),
    ("forall i in 0..3: slots[i] == (i % 2 == 1)", True),
    ("exists i in 0..3: slots[i] and i > 2", True),
    ("forall i in 0..n: i <= 3", True),
    ("exists i in n..x: i * i == 36", True),
    ("forall i in 5..4: false", True),  # an empty range
    ("exists i in 5..4: true", False),
    ("forall a in Account, s in Status: grid[a][s] < 10", True),
    ("exists a in Account: exists s in Status: grid[a][s] == 9 and s == shipped", True),
    # map lookups with a bound variable as the key
    ("exists a in Account: balances[a] == 5", True),
    ("forall a in Account: grid[a][status] == balances[a] + 3 or grid[a][status] == 2", False),
    ("forall a in Account: grid[a][status] == 2 or balances[a] < 0", True),
    ("exists a in Account: grid[a][shipped] == 9 and balances[a] == -1", True),
    # aggregates: over a set, an enum and a range; an empty domain sums to 0
    ("sum(balances[a] for a in Account)", 4),
    ("sum(balances[a] for a in Account if balances[a] > 0)", 5),
    ("count(a in Account)", 2),
    ("count(a in Account if balances[a] < 0)", 1),
    ("count(s in Status)", 3),
    ("sum(i * i for i in 0..3 if slots[i])", 10),
    ("sum(i for i in 5..4)", 0),
    ("count(i in 5..4)", 0),
    ("sum(ttl for i in 1..3)", 2_700_000),
    ("sum(sum(grid[a][s] for s in Status) for a in Account)", 15),
    # sets as values: literals, membership, the set functions, quantifiers and aggregates over a set
    ("x in {1, 7}", True),
    ("x not in {1, 7}", False),
    ("status ∉ {created, shipped}", True),
    ("exists a in Account: a in held and balances[a] < 0", True),
    ("exists a in Account: a in held and balances[a] > 0", False),
    ("card({1, 2, 2})", 2),
    ("card(held)", 1),
    ("sum(card(add(held, a)) for a in Account)", 3),
    ("remove({1, 7}, x) == {1}", True),
    ("count(a in Account if remove(held, a) == {})", 1),
    ("union({1}, {x}) == {7, 1}", True),
    ("inter({1, 2}, {2, 3}) == {2}", True),
    ("diff({1, 2}, {2}) == {1}", True),
    ("subset({1}, {1, 2})", True),
    ("subset(held, {})", False),
    ("card(add({}, x))", 1),
    ("forall a in held: balances[a] < 0", True),
    ("exists a in held: balances[a] == 5", False),
    ("sum(i for i in {1, 2, x})", 10),
    ("count(i in {1, 2, 3} if i > 1)", 2),
    ("sum(sum(balances[a] for a in add(held, b)) for b in Account)", 3),
    # records as values and optional values
    ("P.a + 1", 2),
    ("P == Pair { b: true, a: x - 6 }", True),
    ("(P with { a: 5 }).a", 5),
    ("(P with { a: 5 }) != P", True),
    ("maybe == 4 and maybe != none", True),
    ("or_else(maybe, 0) + or_else(if p then none else maybe, -1)", 3),
    ("or_else(if p then 3 else none, 0) + or_else(if q then 5 else none, 0)", 3),
    ("(if p then none else none) == maybe", False),
    ("maybe != none and maybe > 3", True),
]


@pytest.mark.parametrize("text,expected", EXPRESSIONS, ids=[t for t, _ in EXPRESSIONS])
def test_expression(text, expected):
    got = value(text)
    assert got == expected and type(got) is type(expected), (got, expected)


def _node_classes(e, out: set) -> set:
    out.add(type(e))
    for name in type(e).model_fields:
        child = getattr(e, name)
        if isinstance(child, ir.EXPR_CLASSES):
            _node_classes(child, out)
        elif isinstance(child, list):
            for c in child:
                if isinstance(c, ir.EXPR_CLASSES):
                    _node_classes(c, out)
    return out


def test_every_node_class_has_a_handler_and_is_exercised():
    assert set(HANDLERS) == set(ir.EXPR_CLASSES)
    seen: set = set()
    for text, _ in EXPRESSIONS:
        _node_classes(typed(text), seen)
    _node_classes(typed("{i: i * 2 for i in 0..3}[2]"), seen)
    assert seen == set(ir.EXPR_CLASSES), set(ir.EXPR_CLASSES) - seen


def test_an_expression_is_compiled_once_and_the_table_of_compiled_ones_stays_bounded(monkeypatch):
    import specforge.evaluate as evaluate_module

    e = typed("x + 1 > y")
    assert compiled(e) is compiled(e)
    monkeypatch.setattr(evaluate_module, "_COMPILED_MAX", 5)
    monkeypatch.setattr(evaluate_module, "_COMPILED", {})
    env = Env.of(load(CONTEXT), UNIVERSE, STATE)
    nodes = [typed(f"x * {i} - y") for i in range(12)]
    assert [evaluate(n, env) for n in nodes] == [7 * i + 2 for i in range(12)]
    assert 0 < len(evaluate_module._COMPILED) <= 5
    assert [evaluate(n, env) for n in nodes] == [7 * i + 2 for i in range(12)]  # compiled again where forgotten


def test_a_parameter_is_read_from_the_env():
    spec = load(CONTEXT + "action f(k: int, s: Status, a: Account) {\n  requires k + x > 0 and s == status\n"
                "  x := k\n}\n")
    guard = spec.actions[0].guards[0].cond
    env = Env.of(spec, UNIVERSE, STATE, {"k": -6, "s": "paid", "a": "bob"})
    assert evaluate(guard, env) is True
    env = Env.of(spec, UNIVERSE, STATE, {"k": -7, "s": "paid", "a": "bob"})
    assert evaluate(guard, env) is False


@pytest.mark.parametrize("text", ["x / (y - y)", "x % (y + 2)", "ttl / (ttl - ttl)", "ttl % 0 s"])
def test_division_by_zero_is_an_evaluation_error(text):
    with pytest.raises(EvaluationError, match="division by zero"):
        value(text)


def test_a_lookup_outside_the_domain_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="outside the map's domain"):
        value("slots[x]")


def test_a_range_and_a_domain_name_evaluate_to_their_values():
    spec = load(CONTEXT + "invariant R: x in y..n\ninvariant D: status in Status\ninvariant A: exists a in Account: true\n")
    env = Env.of(spec, UNIVERSE, STATE)
    assert list(evaluate(spec.invariants[0].expr.collection, env)) == [-2, -1, 0, 1, 2, 3]
    assert evaluate(spec.invariants[1].expr.collection, env) == ("created", "paid", "shipped")
    assert evaluate(spec.invariants[2].expr.domain, env) == ("alice", "bob")


def test_an_empty_set_makes_exists_false_and_forall_true():
    spec = load(CONTEXT + "invariant A: exists a in Account: true\ninvariant B: forall a in Account: false\n")
    empty = Universe({"Account": ()})
    state = State({**STATE, "balances": FrozenMap(), "grid": FrozenMap()})
    assert not holds(spec, "A", state, empty)
    assert holds(spec, "B", state, empty)


# ---- init and actions -------------------------------------------------------------------------------------

BANK = """\
spec Bank
set Account
enum Mode { open, frozen }
const CAP: int = 5
state {
  bal: map[Account, int]
  seen: map[Account, map[Account, bool]]
  total: int
  previous: int
  count: nat
  level: int[0..3]
  mode: Mode
  clock: duration
  rec: {
    last: int
    inner: { hits: nat; flag: bool }
  }
}
init {
  total := 0
  previous := total + 1
  bal := {a: total for a in Account}
  seen := {a: {b: a == b for b in Account} for a in Account}
  count := 0
  level := 0
  mode := open
  clock := 0
  rec.last := previous * 10
  rec.inner.hits := 0
  rec.inner.flag := false
}
action deposit(a: Account, n: int) {
  requires mode == open else Frozen
  requires n > 0 else NotPositive
  requires n <= CAP
  bal[a] := bal[a] + n
  total := total + n
  count := count + 1
}
action transfer(s: Account, d: Account, n: int) {
  requires bal[s] >= n else Insufficient
  bal[s] := bal[s] - n
  bal[d] := bal[d] + n
}
action set_twice(a: Account, b: Account) {
  bal[a] := 1
  bal[b] := 2
}
action swap() {
  previous := total
  total := previous + 1
}
action broken_swap() {
  previous := total
  total := previous
}
action read_updated(a: Account) {
  bal[a] := 7
  total := bal[a] + total
}
action see(a: Account, b: Account) {
  seen[a][b] := not seen[a][b]
}
action reset() {
  bal := {a: if bal[a] > 0 then bal[a] else 0 for a in Account}
}
action record(k: nat) {
  rec.last := k
  rec.inner.hits := rec.inner.hits + 1
  rec.inner.flag := rec.last > 2
}
action set_level(l: int[1..2], m: Mode, on: bool) {
  requires on
  level := l + (if m == frozen then 2 else 0)
  mode := m
}
action lower() {
  count := count - 1
  level := level - 1
}
action tick(dt: duration) {
  requires dt >= 0
  clock := clock + dt
}
action noop() {}
invariant NONNEG: forall a in Account: bal[a] >= 0
invariant TOTAL: total >= 0
"""
U2 = Universe({"Account": ("a", "b")})


@pytest.fixture(scope="module")
def bank() -> Interpreter:
    return Interpreter(load(BANK), U2)


def test_init_runs_in_order_and_builds_every_leaf(bank):
    s = bank.initial_state()
    assert list(s) == ["bal", "seen", "total", "previous", "count", "level", "mode", "clock", "rec.last",
                       "rec.inner.hits", "rec.inner.flag"]
    assert s["previous"] == 1 and s["rec.last"] == 10
    assert s["bal"] == {"a": 0, "b": 0}
    assert s["seen"] == {"a": {"a": True, "b": False}, "b": {"a": False, "b": True}}
    assert s == initial_state(bank.spec, U2)
    assert hash(s) == hash(initial_state(bank.spec, U2))


def test_a_state_is_immutable_and_hashable(bank):
    s = bank.initial_state()
    with pytest.raises(TypeError):
        s["total"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        s["bal"]["a"] = 1  # type: ignore[index]
    assert len({s, bank.initial_state(), State(dict(s))}) == 1
    assert s["bal"] == {"a": 0, "b": 0} and {"a": 0, "b": 0} == s["bal"]
    assert s.thaw()["seen"] == {"a": {"a": True, "b": False}, "b": {"a": False, "b": True}}


# (action, args, expected changes from the initial state) -- the rest of the state stays as it was
STEPS = [
    ("deposit", {"a": "a", "n": 3}, {"bal": {"a": 3, "b": 0}, "total": 3, "count": 1}),
    ("transfer", {"s": "a", "d": "b", "n": 0}, {}),
    ("transfer", {"s": "a", "d": "a", "n": -4}, {}),  # the same account: -(-4) then +(-4)
    ("transfer", {"s": "a", "d": "b", "n": -4}, {"bal": {"a": 4, "b": -4}}),
    ("set_twice", {"a": "a", "b": "b"}, {"bal": {"a": 1, "b": 2}}),
    ("set_twice", {"a": "b", "b": "b"}, {"bal": {"a": 0, "b": 2}}),  # the later assignment wins
    ("swap", {}, {"previous": 0, "total": 1}),
    ("broken_swap", {}, {"previous": 0, "total": 0}),  # reads the new `previous`
    ("read_updated", {"a": "b"}, {"bal": {"a": 0, "b": 7}, "total": 7}),  # reads the new entry
    ("see", {"a": "a", "b": "b"}, {"seen": {"a": {"a": True, "b": True}, "b": {"a": False, "b": True}}}),
    ("see", {"a": "b", "b": "b"}, {"seen": {"a": {"a": True, "b": False}, "b": {"a": False, "b": False}}}),
    ("reset", {}, {}),
    ("record", {"k": 3}, {"rec.last": 3, "rec.inner.hits": 1, "rec.inner.flag": True}),
    ("record", {"k": 2}, {"rec.last": 2, "rec.inner.hits": 1, "rec.inner.flag": False}),
    ("set_level", {"l": 2, "m": "frozen", "on": True}, {"level": 4, "mode": "frozen"}),
    ("lower", {}, {"count": -1, "level": -1}),
    ("tick", {"dt": 1500}, {"clock": 1500}),
    ("noop", {}, {}),
]


@pytest.mark.parametrize("action,args,changes", STEPS, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(STEPS)])
def test_step(bank, action, args, changes):
    before = bank.initial_state()
    after = bank.step(action, before, args)
    assert isinstance(after, State)
    assert after == {**before, **changes}
    assert bank.enabled(action, before, args)
    assert after == step(bank.spec, action, before, args, U2)
    assert before == bank.initial_state()  # the old state is untouched


# (action, args, state changes before the call, the error, the guard's index)
GUARDS = [
    ("deposit", {"a": "a", "n": 3}, {"mode": "frozen"}, "Frozen", 0),
    ("deposit", {"a": "a", "n": 0}, {"mode": "frozen"}, "Frozen", 0),  # the first false guard decides
    ("deposit", {"a": "a", "n": 0}, {}, "NotPositive", 1),
    ("deposit", {"a": "a", "n": 6}, {}, None, 2),  # a guard without `else`
    ("transfer", {"s": "b", "d": "a", "n": 1}, {}, "Insufficient", 0),
    ("set_level", {"l": 1, "m": "open", "on": False}, {}, None, 0),
    ("tick", {"dt": -1}, {}, None, 0),
]


@pytest.mark.parametrize("action,args,changes,error,index", GUARDS)
def test_a_false_guard_stops_the_action(bank, action, args, changes, error, index):
    state = State({**bank.initial_state(), **changes})
    with pytest.raises(GuardFailed) as info:
        bank.step(action, state, args)
    assert (info.value.error, info.value.index, info.value.action) == (error, index, action)
    assert not bank.enabled(action, state, args)
    assert not enabled(bank.spec, action, state, args, U2)
    failed = bank.failed_guard(action, state, args)
    assert (failed.error, failed.index) == (error, index)


@pytest.mark.parametrize("action,args", [
    ("deposit", {"a": "a"}),  # missing
    ("deposit", {"a": "a", "n": 1, "z": 0}),  # unknown
    ("deposit", {"a": "carol", "n": 1}),  # not an element
    ("deposit", {"a": "a", "n": True}),  # a bool is not an int
    ("record", {"k": -1}),  # nat
    ("set_level", {"l": 3, "m": "open", "on": True}),  # int[1..2]
    ("set_level", {"l": 1, "m": "closed", "on": True}),  # not a member
    ("set_level", {"l": 1, "m": "open", "on": 1}),  # not a bool
])
def test_ill_typed_arguments_are_refused(bank, action, args):
    with pytest.raises(InvalidArguments):
        bank.step(action, bank.initial_state(), args)


ARGUMENTS = [
    ("deposit", [-1, 0, 2], [{"a": a, "n": n} for a in "ab" for n in (-1, 0, 2)]),
    ("record", [-1, 0, 2, 2], [{"k": 0}, {"k": 2}]),  # nat; duplicates dropped
    ("set_level", [0, 1, 2, 3], [{"l": level, "m": m, "on": on} for level in (1, 2) for m in ("open", "frozen")
                                 for on in (False, True)]),
    ("tick", [-5, 7], [{"dt": -5}, {"dt": 7}]),  # a duration, in ms
    ("swap", [1, 2], [{}]),
    ("see", [], [{"a": a, "b": b} for a in "ab" for b in "ab"]),
    ("deposit", [], []),
]


@pytest.mark.parametrize("action,ints,expected", ARGUMENTS)
def test_arguments(bank, action, ints, expected):
    assert bank.arguments(action, ints) == expected
    assert arguments(bank.spec, action, U2, ints) == expected


def test_type_bounds_are_checked_like_the_provers_obligations(bank):
    assert obligation_ids(bank.spec) == ["NONNEG", "TOTAL", "type:count", "type:level", "type:rec.inner.hits"]
    s = bank.initial_state()
    assert type_violations(bank.spec, s) == [] and bank.violations(s) == []
    low = bank.step("lower", s, {})
    assert type_violations(bank.spec, low) == ["type:count", "type:level"]
    assert not bank.holds("type:count", low) and bank.holds("type:rec.inner.hits", low)
    high = bank.step("set_level", s, {"l": 2, "m": "frozen", "on": True})
    assert type_violations(bank.spec, high) == ["type:level"]
    neg = bank.step("transfer", s, {"s": "a", "d": "b", "n": -4})
    assert bank.violations(neg) == ["NONNEG"]
    assert not holds(bank.spec, bank.spec.invariants[0], neg, U2)


def test_map_value_bounds_are_type_obligations_too():
    spec = load("spec T\nset K\nstate {\n  m: map[K, nat]\n  r: map[0..2, int[-1..1]]\n  u: map[K, int]\n}\n"
                "init {\n  m := {k: 0 for k in K}\n  r := {i: 0 for i in 0..2}\n  u := {k: 0 for k in K}\n}\n"
                "action dec(k: K, i: int[0..2]) {\n  m[k] := m[k] - 1\n  r[i] := r[i] + 2\n}\n")
    it = Interpreter(spec, {"K": (1, 2)})
    assert obligation_ids(spec) == ["type:m", "type:r"]
    s = it.step("dec", it.initial_state(), {"k": 2, "i": 1})
    assert s["m"] == {1: 0, 2: -1} and s["r"] == {0: 0, 1: 2, 2: 0}
    assert type_violations(spec, s) == ["type:m", "type:r"]


def test_an_update_outside_a_maps_domain_is_an_evaluation_error():
    spec = load("spec T\nstate {\n  r: map[0..2, int]\n}\ninit {\n  r := {i: 0 for i in 0..2}\n}\n"
                "action put(i: int) {\n  r[i] := 1\n}\n")
    it = Interpreter(spec)
    assert it.step("put", it.initial_state(), {"i": 2})["r"] == {0: 0, 1: 0, 2: 1}
    with pytest.raises(EvaluationError, match="outside the map's domain"):
        it.step("put", it.initial_state(), {"i": 3})


def test_a_universe_needs_distinct_elements_and_every_set():
    with pytest.raises(ValueError, match="not distinct"):
        Universe({"Account": ("a", "a")})
    with pytest.raises(Exception, match="Account"):
        Interpreter(load(BANK), {})
    assert Universe.named(load(BANK), 3)["Account"] == ("Account1", "Account2", "Account3")


# ---- the examples: the prover proves them, so no short run breaks them ----------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.sf")), ids=lambda p: p.name)
def test_no_short_run_of_an_example_breaks_an_invariant(path):
    spec = load(path.read_text(encoding="utf-8"))
    it = Interpreter(spec, Universe.named(spec, 2))
    for s in reachable(it, [-1, 0, 1, 5, 60_000], depth=3, limit=3000):
        assert it.violations(s) == [], (path.name, s)


def test_an_obligation_carries_its_id_kind_and_line(bank):
    listed = [(o.id, o.kind, o.level, o.line) for o in obligations(bank.spec)]
    lines = {f.name: f.span.line for f in bank.spec.state}
    invariants = [(inv.id, "invariant", inv.level.value, inv.span.line) for inv in bank.spec.invariants]
    assert listed == invariants + [("type:count", "type", "MUST", lines["count"]),
                                   ("type:level", "type", "MUST", lines["level"]),
                                   ("type:rec.inner.hits", "type", "MUST", lines["rec"])]


def test_a_sets_members_are_an_obligation_for_the_prover_only():
    spec = load("spec T\nset K\nstate {\n  votes: map[K, K]\n  n: nat\n}\n"
                "init {\n  votes := {k: k for k in K}\n  n := 0\n}\n")
    assert obligation_ids(spec) == ["type:n"]
    assert [o.id for o in obligations(spec, members=True)] == ["type:votes", "type:n"]
