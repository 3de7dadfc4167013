"""`sum` and `count` in the prover, checked against brute force on the interpreter.

Each case is a small spec with its expected verdicts. Brute force explores every
state reachable within a few steps, with every set of 0 to 3 elements and small
int arguments; the prover reasons about every size of every set. For every
obligation: never `proved` when brute force reaches a violation, and `violated`
only when brute force reaches one too (its runs use at most 3 elements of a
summed-over set, as no case compares a count with 3 or more: brute force sees
them all).
"""

from __future__ import annotations

import itertools

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.values import Universe

from .support import reachable

SIZES = (0, 1, 2, 3)
INTS = (1, 2)
DEPTH = 4

SHOP = """\
spec Shop
set Cart
set Item
state {
  stock: map[Item, nat]
  reserved: map[Cart, map[Item, nat]]
  sold: map[Item, nat]
  received: map[Item, nat]
}
init {
  stock := {i: 0 for i in Item}
  reserved := {c: {i: 0 for i in Item} for c in Cart}
  sold := {i: 0 for i in Item}
  received := {i: 0 for i in Item}
}
invariant CONS: forall i in Item: stock[i] + sum(reserved[c][i] for c in Cart) + sold[i] == received[i]
invariant HELD: forall i in Item: sum(reserved[c][i] for c in Cart) <= received[i]
action receive(i: Item, n: int) {
  requires 0 < n and received[i] < 2
  stock[i] := stock[i] + n
  received[i] := received[i] + n
}
action reserve(c: Cart, i: Item, n: int) {
  requires n > 0 else Bad
  requires n <= stock[i] else OutOfStock
  reserved[c][i] := reserved[c][i] + n
  stock[i] := stock[i] - n
}
action release(c: Cart, i: Item) {
  stock[i] := stock[i] + reserved[c][i]
  reserved[c][i] := 0
}
action checkout(c: Cart) {
  sold := {i: sold[i] + reserved[c][i] for i in Item}
  reserved[c] := {i: 0 for i in Item}
}
"""

SEATS = """\
spec Seats
set Guest
enum Tier { basic, plus }
state {
  seated: map[Guest, bool]
  taken: nat
  by_tier: map[Tier, nat]
  rows: map[0..2, nat]
}
init {
  seated := {g: false for g in Guest}
  taken := 0
  by_tier := {t: 0 for t in Tier}
  rows := {r: 0 for r in 0..2}
}
invariant COUNT: count(g in Guest if seated[g]) == taken
invariant TIERS: sum(by_tier[t] for t in Tier) == taken
invariant ROWS: sum(rows[r] for r in 0..2) == taken
invariant FEW: count(g in Guest) >= 0
action seat(g: Guest, t: Tier, r: int[0..2]) {
  requires not seated[g] else AlreadySeated
  seated[g] := true
  taken := taken + 1
  by_tier[t] := by_tier[t] + 1
  rows[r] := rows[r] + 1
}
action leave(g: Guest, t: Tier, r: int[0..2]) {
  requires seated[g] else NotSeated
  requires by_tier[t] > 0 and rows[r] > 0
  seated[g] := false
  taken := taken - 1
  by_tier[t] := by_tier[t] - 1
  rows[r] := rows[r] - 1
}
"""

TRANSFER = """\
spec Transfers
set Account
state {
  balances: map[Account, int]
  reserve: int
}
init {
  balances := {a: 0 for a in Account}
  reserve := 2
}
invariant CONS: sum(balances[a] for a in Account) + reserve == 2
action grant(a: Account, n: int) {
  requires n > 0 else Bad
  requires reserve >= n else Empty
  reserve := reserve - n
  balances[a] := balances[a] + n
}
action transfer(src: Account, dst: Account, n: int) {
  requires n > 0 else Bad
  requires balances[src] >= n else Insufficient
  balances[src] := balances[src] - n
  balances[dst] := balances[dst] + n
}
"""

# a reader-writer lock with its supports written out: a reader the goal names (`b`) counts in the
# count that `readers == 0` makes empty (Encoder.negated_goal)
RWLOCK = """\
spec RW
set Thread
enum Phase { idle, reading, writing }
state {
  readers: nat
  writer: bool
  phase: map[Thread, Phase]
}
init {
  readers := 0
  writer := false
  phase := {t: idle for t in Thread}
}
invariant EXCL: forall a, b in Thread: phase[a] == writing implies phase[b] != reading
invariant COUNTED: count(t in Thread if phase[t] == reading) == readers
invariant FLAG: forall t in Thread: phase[t] == writing implies writer
invariant ONE: forall a, b in Thread: phase[a] == writing and phase[b] == writing implies a == b
action start_read(t: Thread) {
  requires phase[t] == idle else Busy
  requires not writer else Locked
  readers := readers + 1
  phase[t] := reading
}
action end_read(t: Thread) {
  requires phase[t] == reading else NotReading
  readers := readers - 1
  phase[t] := idle
}
action start_write(t: Thread) {
  requires phase[t] == idle else Busy
  requires not writer else Locked
  requires readers == 0 else ReadersInside
  writer := true
  phase[t] := writing
}
action end_write(t: Thread) {
  requires phase[t] == writing else NotWriting
  writer := false
  phase[t] := idle
}
"""

CASES = {
    "a reader-writer lock's count of readers": (
        RWLOCK, {"EXCL": "proved", "COUNTED": "proved", "FLAG": "proved", "ONE": "proved"}),
    "a writer that does not wait for the readers": (
        RWLOCK.replace("  requires readers == 0 else ReadersInside\n", ""), {"EXCL": "violated"}),
    "a reader that leaves without being counted out": (
        RWLOCK.replace("  readers := readers - 1\n", ""), {"COUNTED": "violated"}),
    # two writes to the summed map in one action: the sum moves point by point through the state
    # between them (Encoder.waypoint_hints); src == dst included
    "a transfer between two entries of a summed map": (TRANSFER, {"CONS": "proved"}),
    "a transfer that credits the receiver from the sender's balance": (
        TRANSFER.replace("balances[dst] := balances[dst] + n", "balances[dst] := balances[src] + n"),
        {"CONS": "violated"}),
    "a conservation law over two sets": (SHOP, {"CONS": "proved", "HELD": "proved"}),
    "a reservation that forgets the stock": (
        SHOP.replace("  stock[i] := stock[i] - n\n", ""), {"CONS": "violated", "HELD": "violated"}),
    "a release that keeps the cart's units": (
        SHOP.replace("  reserved[c][i] := 0\n", ""), {"CONS": "violated"}),
    "counts and sums over a set, an enum and a range": (
        SEATS, {"COUNT": "proved", "TIERS": "proved", "ROWS": "proved", "FEW": "proved"}),
    "a seat taken twice": (
        SEATS.replace("  requires not seated[g] else AlreadySeated\n", ""), {"COUNT": "violated"}),
    "a count that claims a guest exists": (
        SEATS + "invariant SOME: count(g in Guest) >= 1\n", {"SOME": "violated"}),
    "a bound on a sum that grows": (
        SEATS + "invariant CAP: count(g in Guest if seated[g]) <= 1\n", {"CAP": "violated"}),
}


def brute_force(spec) -> set[str]:
    """The obligations some reachable state breaks, over every universe of 0..3 elements per set."""
    broken: set[str] = set()
    names = [s.name for s in spec.sets]
    for sizes in itertools.product(SIZES, repeat=len(names)):
        universe = Universe({n: tuple(f"{n}{i}" for i in range(1, k + 1)) for n, k in zip(names, sizes, strict=True)})
        it = Interpreter(spec, universe)
        for state in reachable(it, INTS, DEPTH):
            broken.update(inv.id for inv in spec.invariants if not it.holds(inv, state))
    return broken


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_the_prover_agrees_with_brute_force_on_sums_and_counts(case):
    text, expected = CASES[case]
    loaded = load_text(text, "case.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    report = prove(loaded.spec, depth=DEPTH, timeout=10.0)
    verdicts = {r.id: r.verdict for r in report.invariants}
    broken = brute_force(loaded.spec)
    for inv_id, verdict in verdicts.items():
        if inv_id in broken:
            assert verdict is not Verdict.PROVED, f"{inv_id} proved, but brute force breaks it"
        elif verdict is Verdict.VIOLATED:
            pytest.fail(f"{inv_id} violated, but no state within {DEPTH} steps breaks it")
    assert {k: verdicts[k].value for k in expected} == expected


def test_a_sum_the_axioms_cannot_relate_is_unknown_never_proved_or_violated():
    # true (the positive entries add up to at least the whole), but the axioms relate no two
    # differently filtered sums: the honest answer is unknown
    text = SEATS.replace("  taken: nat\n", "  taken: nat\n  v: map[Guest, int]\n").replace(
        "  taken := 0\n", "  taken := 0\n  v := {g: 0 for g in Guest}\n") + (
        "action set_v(g: Guest, n: int) {\n  v[g] := n\n}\n"
        "invariant POS: sum(v[g] for g in Guest if v[g] > 0) >= sum(v[g] for g in Guest)\n")
    loaded = load_text(text, "case.sf")
    report = prove(loaded.spec, depth=2, timeout=5.0)
    assert {r.id: r.verdict for r in report.invariants}["POS"] is Verdict.UNKNOWN


def test_an_element_a_goal_names_counts_in_the_sums_without_inference():
    """The goal's own variables are named (Encoder.negated_goal) so that the sums' (entry) axiom reaches
    them: without that, z3's witness of the broken goal counted in no sum and EXCL was unknown."""
    report = prove(load_text(RWLOCK, "rw.sf").spec, infer_budget=0, explore_size=-1)
    assert {r.id: r.verdict for r in report.invariants} == {
        "EXCL": Verdict.PROVED, "COUNTED": Verdict.PROVED, "FLAG": Verdict.PROVED, "ONE": Verdict.PROVED,
        "type:readers": Verdict.PROVED}


def test_a_violation_of_a_sum_names_the_elements_of_its_run():
    text, _ = CASES["a reservation that forgets the stock"]
    report = prove(load_text(text, "case.sf").spec, depth=DEPTH)
    cons = next(r for r in report.invariants if r.id == "CONS")
    assert dict(cons.run.sets) == {"Cart": ("Cart1",), "Item": ("Item1",)}
    assert [c.action for c in cons.run.calls] == ["receive", "reserve"]


def test_a_range_with_bounds_the_prover_cannot_fix_is_reported_at_its_position():
    from specforge.prove.encode import Encoder, Unsupported

    text = SEATS + "invariant VAR: sum(r for r in 0..taken) >= 0\n"
    spec = load_text(text, "case.sf").spec
    enc = Encoder(spec)
    with pytest.raises(Unsupported) as e:
        enc.invariant(spec.invariants[-1], enc.state("s"))
    assert e.value.node.span.line == spec.invariants[-1].span.line


def test_a_sum_is_defined_only_where_each_value_it_adds_is():
    text = ("spec Q\nset C\nstate { v: map[C, int] }\ninit { v := {c: 1 for c in C} }\n"
            "invariant OK: sum(10 / v[c] for c in C if v[c] != 0) >= 0 or true\n"
            "invariant BAD: sum(10 / v[c] for c in C) >= 0 or true\n"
            "action z(c: C) {\n  v[c] := 0\n}\n")
    verdicts = {r.id: r.verdict for r in prove(load_text(text, "q.sf").spec, depth=3).invariants}
    assert verdicts["defined:OK"] is Verdict.PROVED  # the condition guards the division
    assert verdicts["defined:BAD"] is Verdict.VIOLATED


def test_the_state_between_writes_is_named_only_where_a_sum_can_change_on_both_sides():
    """Encoder.waypoint_hints: a transfer writes one summed map twice, so the state between its writes
    is named; grant writes two variables that no sum reads together, so it is not (cart's reserve
    spent 4 s of a 14 s proof on such names). A sum over two maps written one after the other is."""
    from specforge.prove.encode import Encoder

    def hints(text, action):
        spec = load_text(text, "t.sf").spec
        enc = Encoder(spec)
        a = next(x for x in spec.actions if x.name == action)
        params, _ = enc.params(a, "p")
        return enc.waypoint_hints(a, params, enc.state("pre"), [lambda s: s["reserve"] >= 0])

    assert len(hints(TRANSFER, "transfer")) == 1
    assert hints(TRANSFER, "grant") == []
    both = TRANSFER.replace("invariant CONS: sum(balances[a] for a in Account) + reserve == 2",
                            "state2\ninvariant CONS: sum(balances[a] + held[a] for a in Account) + reserve == 2")
    both = both.replace("  reserve: int\n}", "  reserve: int\n  held: map[Account, int]\n}").replace(
        "  reserve := 2\n}", "  reserve := 2\n  held := {a: 0 for a in Account}\n}").replace("state2\n", "").replace(
        "  balances[dst] := balances[dst] + n\n}", "  held[dst] := held[dst] + n\n}")
    assert len(hints(both, "transfer")) == 1


SESSIONS = """\
spec Sessions
set User
set Session
const MAX: int = 5
state {
  open: map[User, set[Session]]
}
init {
  open := {u: {} for u in User}
}
invariant SES-1: forall u in User: card(open[u]) <= LIMIT
action login(u: User, s: Session) {
  open[u] := add(open[u], s)
}
action logout(u: User, s: Session) {
  open[u] := remove(open[u], s)
}
"""


@pytest.mark.parametrize("limit, size", [("5", 6), ("MAX + 2", 8), ("MAX * 4", 3), ("0", 3), ("-(2)", 3)])
def test_the_bounded_search_world_has_one_element_more_than_a_threshold_it_can_reach(limit, size):
    from specforge.prove import sums

    spec = load_text(SESSIONS.replace("LIMIT", limit), "s.sf").spec
    assert sums.world_size(spec) == size
    flipped = SESSIONS.replace("card(open[u]) <= LIMIT", f"{limit} >= count(s in open[u])")
    assert sums.world_size(load_text(flipped, "s.sf").spec) == size
    assert sums.world_size(load_text(SHOP, "shop.sf").spec) == sums.WORLD_SIZE  # compares sums with no constant


def test_a_threshold_beyond_three_elements_is_broken_by_a_run_with_that_many():
    """`card(open[u]) <= 5` breaks only with six sessions: the small instances (3 elements per set) and
    a world of 3 never find it. The run has six logins, and replays on the interpreter. (The check at depth 6
    takes about 2 s on an idle machine: a minute per check keeps a busy one from calling it undecided.)"""
    from .test_prove_differential import replay

    spec = load_text(SESSIONS.replace("LIMIT", "5"), "s.sf").spec
    result = next(r for r in prove(spec, infer_budget=2.0, timeout=60).invariants if r.id == "SES-1")
    assert result.verdict is Verdict.VIOLATED, result.reason
    assert [c.action for c in result.run.calls] == ["login"] * 6
    assert len(result.run.sets["Session"]) == 6
    replay(spec, "SES-1", result)


def test_a_threshold_out_of_reach_stays_unknown_and_says_how_far_the_search_went():
    spec = load_text(SESSIONS.replace("LIMIT", "20"), "s.sf").spec
    result = next(r for r in prove(spec, depth=4, infer_budget=1.0).invariants if r.id == "SES-1")
    assert result.verdict is Verdict.UNKNOWN
    assert "no violation within 4 steps with each summed-over set of at most 3 elements" in result.reason


def test_four_carts_holding_one_item_break_at_most_three():
    text = SHOP.replace("invariant CONS:", "invariant FEW: forall i in Item: "
                        "count(c in Cart if reserved[c][i] > 0) <= 3\ninvariant CONS:")
    spec = load_text(text, "shop.sf").spec
    result = next(r for r in prove(spec, infer_budget=2.0).invariants if r.id == "FEW")
    assert result.verdict is Verdict.VIOLATED, result.reason
    assert len(result.run.sets["Cart"]) == 4


def test_an_initial_violation_of_a_count_is_found_in_the_finite_world_before_the_general_question(monkeypatch):
    """The general question cannot build a state there (its model search is off on the sums' axioms) and
    spent its 10 s timeout twice before the finite world was asked."""
    from specforge.prove.engine import Prover

    asked = []
    real = Prover._broken_initially

    def general(self, tid, init, over=None):
        asked.append(tid)
        return real(self, tid, init, over)

    monkeypatch.setattr(Prover, "_broken_initially", general)
    text, _ = CASES["a count that claims a guest exists"]
    report = prove(load_text(text, "case.sf").spec, depth=DEPTH, timeout=10.0)
    assert {r.id: r.verdict for r in report.invariants}["SOME"] is Verdict.VIOLATED
    assert "SOME" not in asked
