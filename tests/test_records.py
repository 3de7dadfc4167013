"""Records as values and optional values in every back end: the prover against brute force on the
interpreter and against TLC, on an inbox whose triage is a map of records and whose owner is an
optional, and on broken twins of it (each drops one guard, or adds an invariant that does not hold).

Brute force visits every state within DEPTH steps with every universe of 0..3 emails and every
argument (a record parameter: every combination of its fields' values). The prover must never say
`proved` where brute force breaks an obligation, and `violated` only where it does; TLC must find a
violation exactly where the prover does.
"""

from __future__ import annotations

import re

import pytest

from specforge import ir
from specforge.prove import Verdict, prove
from specforge.tla import export_tla
from specforge.values import FrozenMap

from .test_prove_aggregates import DEPTH
from .test_prove_differential import replay, round_trip
from .test_prove_sets import _load, brute_force
from .test_tla_support import load_spec, needs_tlc, run_tlc, write

INBOX = """\
spec Inbox
set Email
enum Category { spam, work, personal }
type Triage = { category: Category, priority: int[1..3], reviewed: bool }
const FRESH: Triage = Triage { category: work, priority: 2, reviewed: false }
state {
  triage: map[Email, Triage]
  owner: Email?
  last: Triage?
}
init {
  triage := {e: FRESH for e in Email}
  owner := none
  last := none
}
invariant SPAM-LOW "Spam has the lowest priority":
  forall e in Email: triage[e].category == spam implies triage[e].priority == 1
invariant OWNED "The email someone owns is not spam":
  forall x in Email: owner == x implies triage[x].category != spam
invariant LAST "The last classification is not spam unless reviewed":
  last != none implies (or_else(last, FRESH).category != spam or or_else(last, FRESH).reviewed)
invariant UNTOUCHED "Before any classification, every email is work":
  last == none implies forall e in Email: triage[e].category == work
action classify(e: Email, t: Triage) {
  requires t.category == spam implies t.priority == 1 else Inconsistent
  requires owner != e or t.category != spam else OwnedSpam
  requires t.category != spam or t.reviewed else Unreviewed
  triage[e] := t
  last := t
}
action bump(e: Email) {
  requires triage[e].priority < 3 else AtTop
  requires triage[e].category != spam else Spam
  triage[e].priority := triage[e].priority + 1
}
action take(e: Email) {
  requires owner == none else Busy
  requires triage[e].category != spam else Spam
  owner := e
}
action release() {
  owner := none
}
"""

# A conservation law over a field of a map of records, through a def that takes and returns a record.
COUNTERS = """\
spec Counters
set Email
type T = { n: int[0..2], on: bool }
state {
  m: map[Email, T]
  total: nat
  pick: Email?
}
init {
  m := {e: T { n: 0, on: false } for e in Email}
  total := 0
  pick := none
}
invariant SUM: sum(m[e].n for e in Email) == total
invariant PICK: forall e in Email: pick == e implies m[e].on
def bumped(t: T): T = t with { n: t.n + 1, on: true }
action bump(e: Email) {
  requires m[e].n < 2 else Full
  m[e] := bumped(m[e])
  total := total + 1
  pick := e
}
action drop(e: Email) {
  requires pick == e else NotPicked
  m[e] := m[e] with { on: false }
  pick := none
}
"""

ALL_PROVED = {"SPAM-LOW": "proved", "OWNED": "proved", "LAST": "proved", "UNTOUCHED": "proved",
              "type:triage": "proved"}


def _without(line: str) -> str:
    assert line in INBOX
    return INBOX.replace(line, "")


CASES = {
    "the inbox": (INBOX, ALL_PROVED),
    "a bump past the top priority": (_without("  requires triage[e].priority < 3 else AtTop\n"),
                                     {"type:triage": "violated"}),
    "a bump of spam": (_without("  requires triage[e].priority < 3 else AtTop\n  requires triage[e].category != spam "
                                "else Spam\n"), {"SPAM-LOW": "violated"}),
    "spam classified onto an owned email": (_without("  requires owner != e or t.category != spam else OwnedSpam\n"),
                                            {"OWNED": "violated"}),
    "an owner taken over spam": (INBOX.replace("  requires triage[e].category != spam else Spam\n  owner := e",
                                               "  owner := e"), {"OWNED": "violated"}),
    "unreviewed spam as the last": (_without("  requires t.category != spam or t.reviewed else Unreviewed\n"),
                                    {"LAST": "violated"}),
    "a whole record compared after a field update": (
        INBOX + "invariant FRESH-ALL: last == none implies forall e in Email: triage[e] == FRESH\n",
        {"FRESH-ALL": "violated"}),
    "a with that keeps the other fields": (
        INBOX.replace("  triage[e].priority := triage[e].priority + 1",
                      "  triage[e] := triage[e] with { priority: triage[e].priority + 1 }"), ALL_PROVED),
    "a record outside a literal set of records": (
        INBOX + "invariant KNOWN: forall e in Email: triage[e] in {FRESH, Triage { category: spam, priority: 1, "
                "reviewed: true }}\n", {"KNOWN": "violated"}),
    "a sum of a field of a map of records": (COUNTERS, {"SUM": "proved", "PICK": "proved"}),
    "a sum that misses a change": (COUNTERS.replace("  total := total + 1\n", ""), {"SUM": "violated"}),
    "a drop that keeps the pick": (COUNTERS.replace("  m[e] := m[e] with { on: false }\n  pick := none\n",
                                                      "  m[e] := m[e] with { on: false }\n"), {"PICK": "violated"}),
    "a with that resets a field": (
        INBOX.replace("  triage[e].priority := triage[e].priority + 1",
                      "  triage[e] := triage[e] with { priority: 3, category: spam }"), {"SPAM-LOW": "violated"}),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_the_prover_agrees_with_brute_force_on_records_and_optionals(case):
    text, expected = CASES[case]
    spec = _load(text)
    results = {r.id: r for r in prove(spec, depth=DEPTH, timeout=10.0).invariants}
    broken = brute_force(spec)
    for inv_id, r in results.items():
        if inv_id in broken:
            assert r.verdict is not Verdict.PROVED, f"{inv_id} proved, but brute force breaks it"
        elif r.verdict is Verdict.VIOLATED:
            pytest.fail(f"{inv_id} violated, but no state within {DEPTH} steps breaks it")
        if r.verdict is Verdict.VIOLATED:  # its run replays, records and none included, and survives JSON
            replay(spec, inv_id, r)
            round_trip(spec, r.run)
    assert {k: results[k].verdict.value for k in expected} == expected


def test_a_violated_run_ends_with_an_owner_whose_triage_record_is_spam():
    spec = _load(CASES["spam classified onto an owned email"][0])
    result = next(r for r in prove(spec, depth=DEPTH).invariants if r.id == "OWNED")
    last = result.run.states[-1]
    owner = last["owner"]
    assert owner is not None and isinstance(last["triage"][owner], FrozenMap)
    assert last["triage"][owner]["category"] == "spam"
    assert "Triage {category: spam, priority: 1, reviewed: true}" in result.run.show_value(result.run.steps, "triage")


@needs_tlc
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_tlc_agrees_with_prove_on_records_and_optionals(case, tmp_path):
    text, expected = CASES[case]
    x = export_tla(load_spec(text, "case.sf"))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    if "violated" in expected.values():
        assert re.search(r"Error: Invariant \S+ is violated", out), out
    else:
        assert "Model checking completed. No error has been found." in out, out


@needs_tlc
def test_a_violating_run_with_records_and_optionals_replays_in_tlc(tmp_path, monkeypatch):
    from specforge.tla import export_trace

    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))
    spec = load_spec(CASES["unreviewed spam as the last"][0], "case.sf")
    result = next(r for r in prove(spec, depth=DEPTH).invariants if r.id == "LAST")
    assert result.verdict is Verdict.VIOLATED
    base, trace = export_trace(spec, result)
    write(tmp_path, base, trace)
    out = run_tlc(tmp_path, trace.module)
    assert "Error: Invariant TraceNotConfirmed is violated." in out, out


HOLDS = """\
spec Holds
set Seat
type Hold = { seat: Seat, paid: bool }
state {
  last: Hold?
  mine: Seat?
}
init {
  last := none
  mine := none
}
action hold(s: Seat) {
  last := Hold { seat: s, paid: false }
}
action pay(s: Seat) {
  requires last != none
  last := or_else(last, Hold { seat: s, paid: true }) with { paid: true }
}
action take(s: Seat) {
  mine := s
}
"""


def test_a_state_and_its_renamings_share_a_canonical_key_when_records_and_optionals_hold_elements():
    """An element inside a record or an optional is renamed with its set: {last: Hold {seat: S1}, mine: S1}
    and {last: Hold {seat: S1}, mine: S2} are different states and keep different keys."""
    from .test_prove_sets import assert_keys_are_orbits

    assert_keys_are_orbits(_load(HOLDS), 3)


POOL = """\
spec Pool
type T = { n: int, on: bool }
state { x: int }
init { x := 0 }
invariant SQ: x * x != 49
action put(t: T) {
  x := t.n
}
"""


@pytest.mark.parametrize(("field", "verdict"), [("int", "violated"), ("int[0..5]", "proved"), ("int[0..9]", "violated")])
def test_exhausting_a_record_parameter_proves_only_when_every_field_took_every_value(field, verdict):
    # an unbounded int field is drawn from the spec's numbers (48, 49, 50, -2..3): 7 is not among them, so
    # the explicit search is no proof; a small range is tried whole
    spec = _load(POOL.replace("n: int,", f"n: {field},"))
    (result,) = [r for r in prove(spec, depth=DEPTH).invariants if r.id == "SQ"]
    assert result.verdict.value == verdict


def test_a_record_parameter_with_too_many_values_is_a_sample_the_search_does_not_count_as_complete():
    from specforge.evaluate import thinned_composite_values
    from specforge.explore.instance import MAX_CALLS, build

    spec = _load(POOL.replace("type T = { n: int, on: bool }",
                              "type T = { n: int[0..15], m: int[0..15], k: int[0..15], on: bool }"))
    t = spec.actions[0].params[0].type.resolved
    values, thinned = thinned_composite_values(t, lambda ft: range(16) if isinstance(ft, ir.IntT) else (False, True),
                                               MAX_CALLS)
    assert thinned and len(values) <= MAX_CALLS and len(set(values)) == len(values)
    assert {v["n"] for v in values} >= {0, 15}  # the ends of every thinned field are kept
    instance = build(spec, {})
    assert instance.partial == ["put.t"] and len(instance.calls["put"]) == len(values)


def test_a_record_parameter_too_big_for_tlc_is_warned_about_with_the_fix():
    spec = _load(POOL.replace("type T = { n: int, on: bool }",
                              "type T = { n: int, m: int, k: int, j: int, i: int, on: bool }"))
    [warning] = [d for d in export_tla(spec).diagnostics if d.code == "SF325"]
    assert "118,098 argument combinations" in warning.message and "small ranges" in warning.hint
