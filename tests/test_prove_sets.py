"""Sets as values (`set[T]`) in the prover, checked against brute force on the interpreter and TLC.

Each case is a small spec with its expected verdicts. Brute force (tests/test_prove_aggregates.py)
explores every state reachable within a few steps with every set of 0 to 3 elements; the prover
reasons about every size. For every obligation: never `proved` where brute force reaches a
violation, and `violated` only where brute force reaches one too. With Java, TLC checks the
export of every case and must find a violation exactly when a case expects one.
"""

from __future__ import annotations

import itertools
import re

import pytest

from specforge.frontend import load_text
from specforge.prove import Verdict, prove
from specforge.tla import export_tla

from .support import ROOT, reachable
from .test_prove_aggregates import DEPTH, INTS, SIZES
from .test_tla_support import load_spec, needs_tlc, run_tlc, write

TICKETS = (ROOT / "examples" / "tickets.sf").read_text(encoding="utf-8")

# Sets of an enum's values and of a range's ints: card is a finite sum, exact.
PALETTE = """\
spec Palette
enum Color { red, green, blue }
state {
  on: set[Color]
  used: set[Color]
  slots: set[0..3]
  n: nat
}
init {
  on := {}
  used := {}
  slots := {0}
  n := 0
}
invariant SUB: subset(on, used)
invariant CARD: card(on) <= card(used) and card(used) <= 3
invariant N: n == card(slots) - 1
invariant ZERO: 0 in slots
invariant SUM: sum(i for i in slots) <= 6 and count(i in slots if i > 0) == n
invariant MIX: count(c in used if c in on) == card(on)
action light(c: Color) {
  on := add(on, c)
  used := union(used, {c})
}
action dim(c: Color) {
  on := remove(on, c)
}
action fill(i: int[1..3]) {
  requires i not in slots else Full
  slots := add(slots, i)
  n := n + 1
}
action clear() {
  slots := inter(slots, {0})
  n := 0
}
"""

# A set of a declared set's elements: card is the uninterpreted sum of prove/sums.py.
GUESTS = """\
spec Guests
set Guest
state {
  inside: set[Guest]
  count_in: nat
}
init {
  inside := {}
  count_in := 0
}
invariant COUNT: count_in == card(inside)
action enter(g: Guest) {
  requires g not in inside else AlreadyIn
  inside := add(inside, g)
  count_in := count_in + 1
}
action leave(g: Guest) {
  requires g in inside else NotIn
  inside := remove(inside, g)
  count_in := count_in - 1
}
action close() {
  inside := diff(inside, inside)
  count_in := 0
}
"""

# A set value as an action's parameter: every back end tries every subset of its element type.
PERKS = """\
spec Perks
set Guest
enum Perk { lounge, parking, meal }
state {
  perks: set[Perk]
  guests: set[Guest]
}
init {
  perks := {}
  guests := {}
}
invariant ALL: card(perks) <= 3
invariant LOUNGE: lounge in perks implies parking in perks
action grant(ps: set[Perk]) {
  requires card(ps) <= 2 else TooMany
  requires lounge in ps implies parking in ps else LoungeNeedsParking
  perks := union(perks, ps)
}
action admit(gs: set[Guest]) {
  guests := union(guests, gs)
}
"""

CASES = {
    "the ticket office": (TICKETS, {"TIX-1": "proved", "TIX-2": "proved", "TIX-3": "proved", "TIX-4": "proved"}),
    "a sale that keeps the hold": (
        TICKETS.replace("  held[b] := remove(held[b], s)\n  sold := add(sold, s)", "  sold := add(sold, s)"),
        {"TIX-1": "violated"}),
    "a hold that ignores the other buyers": (
        TICKETS.replace("  requires forall o in Buyer: s not in held[o] else SeatHeld\n", ""), {"TIX-2": "violated"}),
    "a hold without its limit": (
        TICKETS.replace("  requires card(held[b]) < MAX_HOLD else HoldLimit\n", ""), {"TIX-3": "violated"}),
    "a refund the tally misses": (TICKETS.replace("  tally := tally - 1\n", ""), {"TIX-4": "violated"}),
    "sets of an enum and of a range": (
        PALETTE, {"SUB": "proved", "CARD": "proved", "N": "proved", "ZERO": "proved", "SUM": "proved",
                  "MIX": "proved"}),
    "a light that forgets it was used": (PALETTE.replace("  used := union(used, {c})\n", ""), {"SUB": "violated"}),
    "a clear that drops slot 0": (PALETTE.replace("inter(slots, {0})", "diff(slots, {0})"), {"ZERO": "violated"}),
    "a fill of a slot already filled": (PALETTE.replace("  requires i not in slots else Full\n", ""),
                                        {"N": "violated"}),
    "sets as parameters": (PERKS, {"ALL": "proved", "LOUNGE": "proved"}),
    "a perk granted without its pair": (PERKS.replace(
        "  requires lounge in ps implies parking in ps else LoungeNeedsParking\n", ""), {"LOUNGE": "violated"}),
    "a union that reaches past the range": (
        PALETTE + "invariant WIDE: card(union(slots, {5})) <= 3\n", {"WIDE": "violated"}),
    "a count of guests inside": (GUESTS, {"COUNT": "proved"}),
    "a guest let in twice": (GUESTS.replace("  requires g not in inside else AlreadyIn\n", ""),
                             {"COUNT": "violated"}),
    "a leave of a guest not inside": (GUESTS.replace("  requires g in inside else NotIn\n", ""),
                                      {"COUNT": "violated"}),
    "a room that holds at most two, false with three guests": (
        GUESTS + "invariant SMALL: card(inside) <= 2\n", {"SMALL": "violated"}),
}


def brute_force(spec) -> set[str]:
    """The obligations (invariants and type bounds) some state within DEPTH steps breaks, over every
    universe of 0..3 elements per set."""
    from specforge.interpret import Interpreter
    from specforge.values import Universe

    broken: set[str] = set()
    names = [s.name for s in spec.sets]
    for sizes in itertools.product(SIZES, repeat=len(names)):
        universe = Universe({n: tuple(f"{n}{i}" for i in range(1, k + 1)) for n, k in zip(names, sizes, strict=True)})
        it = Interpreter(spec, universe)
        for state in reachable(it, INTS, DEPTH):
            broken.update(it.violations(state))
    return broken


def _load(text: str):
    loaded = load_text(text, "case.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_the_prover_agrees_with_brute_force_on_sets(case):
    text, expected = CASES[case]
    spec = _load(text)
    report = prove(spec, depth=DEPTH, timeout=10.0)
    verdicts = {r.id: r.verdict for r in report.invariants}
    broken = brute_force(spec)
    for inv_id, verdict in verdicts.items():
        if inv_id in broken:
            assert verdict is not Verdict.PROVED, f"{inv_id} proved, but brute force breaks it"
        elif verdict is Verdict.VIOLATED:
            pytest.fail(f"{inv_id} violated, but no state within {DEPTH} steps breaks it")
    assert {k: verdicts[k].value for k in expected} == expected


def test_a_violated_run_holds_set_values_that_replay_in_the_interpreter():
    from specforge.interpret import Interpreter

    text, _ = CASES["a guest let in twice"]
    spec = _load(text)
    result = next(r for r in prove(spec, depth=DEPTH).invariants if r.id == "COUNT")
    run = result.run
    it = Interpreter(spec, dict(run.sets))
    state = it.initial_state()
    assert state == run.states[0]
    for call, after in zip(run.calls, run.states[1:], strict=True):
        state = it.step(call.action, state, call.args)
        assert state == after and isinstance(state["inside"], frozenset)
    assert not it.holds("COUNT", state)


def test_a_cardinality_the_sum_axioms_cannot_relate_is_unknown_never_proved_or_violated():
    # true for every finite set (|s ∪ t| <= |s| + |t|), but the axioms relate no two differently
    # masked sums: the honest answer is unknown
    text = GUESTS.replace("  count_in: nat\n", "  count_in: nat\n  vip: set[Guest]\n").replace(
        "  count_in := 0\n}", "  count_in := 0\n  vip := {}\n}", 1) + (
        "action invite(g: Guest) {\n  vip := add(vip, g)\n}\n"
        "invariant UNION: card(union(inside, vip)) <= card(inside) + card(vip)\n")
    verdicts = {r.id: r.verdict for r in prove(_load(text), depth=2, timeout=5.0).invariants}
    assert verdicts["UNION"] is Verdict.UNKNOWN


@pytest.mark.parametrize(("value", "fits"), [
    ("{0, 2}", True), ("add(slots, i)", True), ("union(slots, {3})", True), ("add(slots, 4)", False),
    ("add(slots, n)", False), ("union(slots, {0, 4})", False), ("if n > 0 then slots else {9}", False),
    ("diff(slots, {7})", True), ("inter(slots, {7})", True)])
def test_a_set_of_ints_fits_a_set_of_a_range_only_when_its_members_type_lies_in_it(value, fits):
    # so that every value of set[0..3] has its members in 0..3, as the prover counts them
    text = PALETTE.replace("action clear() {", f"action put(i: int[1..3]) {{\n  slots := {value}\n}}\naction clear() {{")
    loaded = load_text(text, "case.sf")
    assert loaded.ok == fits, [d.message for d in loaded.diagnostics]
    if not fits:
        assert "its members may be outside int[0..3]" in loaded.diagnostics[0].hint


def test_membership_in_a_literal_works_for_any_element_type_in_every_back_end():
    text = ("spec L\nenum Color { red, green, blue }\nstate { c: Color\n x: int }\ninit { c := red; x := 2 }\n"
            "invariant A: c in {red, green} and x not in {0, 1} and true in {true}\n"
            "action paint(k: Color) {\n  requires k != blue\n  c := k\n}\n"
            "action bump() {\n  requires x < 5\n  x := x + 1\n}\n")
    spec = _load(text)
    assert {r.id: r.verdict.value for r in prove(spec).invariants}["A"] == "proved"
    assert "c \\in {\"red\", \"green\"}" in export_tla(spec).tla


# TLC's default model gives each set two elements; a case false only with more says how many.
TLC_BOUNDS = {"a room that holds at most two, false with three guests": ["Guest=3"]}


@needs_tlc
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_tlc_agrees_with_prove_on_sets(case, tmp_path):
    from specforge.tla import parse_bound

    text, expected = CASES[case]
    x = export_tla(load_spec(text, "case.sf"), [parse_bound(b) for b in TLC_BOUNDS.get(case, [])])
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    if "violated" in expected.values():
        assert re.search(r"Error: Invariant Inv_\S+ is violated", out), out
    else:
        assert "Model checking completed. No error has been found." in out, out


# ---- the explicit-state engine's symmetry reduction ------------------------------------------------------

OWNERS = """\
spec Owners
set Seat
state {
  held: set[Seat]
  owned: map[Seat, bool]
}
init {
  held := {}
  owned := {s: false for s in Seat}
}
action hold(s: Seat) {
  held := add(held, s)
}
action own(s: Seat) {
  owned[s] := not owned[s]
}
"""


def _rename(state, spec, to):
    from specforge.ir import MapT, OptionT, SetOfT, SetT, StructT
    from specforge.structure import leaves
    from specforge.values import FrozenMap, State

    def value(v, t):
        if isinstance(t, SetT):
            return to[v]
        if isinstance(t, SetOfT):
            return frozenset(value(x, t.element) for x in v)
        if isinstance(t, MapT):
            return FrozenMap((value(k, t.key), value(x, t.value)) for k, x in v.items())
        if isinstance(t, StructT):
            return FrozenMap((f, value(v[f], ft)) for f, ft in t.fields)
        if isinstance(t, OptionT):
            return None if v is None else value(v, t.value)
        return v
    return State((p, value(state[p], t)) for p, t in leaves(spec))


def test_a_state_and_its_renamings_share_a_canonical_key_and_no_other_state_does():
    """A set value's members are renamed with the set: {held: {S1}, owned: S1} and {held: {S1}, owned: S2}
    are different states (the held seat is owned in one, not in the other) and must keep different keys."""
    assert_keys_are_orbits(_load(OWNERS), 4)


def assert_keys_are_orbits(spec, depth: int) -> None:
    """The canonical keys partition the states within `depth` steps (with three seats) exactly as the
    renamings of the seats do."""
    from specforge.evaluate import Env
    from specforge.explore.symmetry import Canonical
    from specforge.interpret import Interpreter
    from specforge.structure import leaves
    from specforge.values import Universe

    seats = ("S1", "S2", "S3")
    universe = Universe({"Seat": seats})
    states = reachable(Interpreter(spec, universe), INTS, depth)
    canonical = Canonical(leaves(spec), universe, Env.of(spec, universe).enums)
    renamings = [dict(zip(seats, p, strict=True)) for p in itertools.permutations(seats)]
    orbits = {frozenset(_rename(s, spec, to) for to in renamings) for s in states}
    by_key: dict = {}
    for s in states:
        by_key.setdefault(canonical.key(s), set()).add(s)
    assert len(orbits) > 1
    assert sorted(map(frozenset, by_key.values()), key=hash) == sorted(orbits, key=hash)


@needs_tlc
@pytest.mark.parametrize("case", ["a sale that keeps the hold", "a perk granted without its pair"])
def test_a_violating_run_with_set_values_replays_in_tlc(case, tmp_path, monkeypatch):
    from specforge.tla import export_trace

    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))
    text, expected = CASES[case]
    spec = load_spec(text, "case.sf")
    violated = [r for r in prove(spec, depth=DEPTH).invariants if r.id in expected]
    assert violated and all(r.verdict is Verdict.VIOLATED for r in violated)
    for r in violated:
        base, trace = export_trace(spec, r)
        d = tmp_path / re.sub(r"\W", "_", r.id)
        write(d, base, trace)
        out = run_tlc(d, trace.module)
        assert "Error: Invariant TraceNotConfirmed is violated." in out, out
        assert f"/\\ step = {r.run.steps}" in out, out
