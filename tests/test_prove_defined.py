"""Well-definedness is part of a verdict's meaning: `/` and `%` by zero and a key outside a range-keyed
map have no meaning; `prove` reports any reachable state and call where one is reached, by position, as a
MUST finding with its run, and a violating run never passes through one (so every back end replays it)."""

from __future__ import annotations

import pytest

from specforge.evaluate import EvaluationError
from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove

from .test_tla_support import needs_tlc, run_tlc, write

HEAD = "spec D\nstate {\n  x: int\n  m: map[0..3, int]\n}\ninit {\n  x := 0\n  m := {i: 0 for i in 0..3}\n}\n"


def proved(text: str):
    loaded = load_text(HEAD + text, "d.sf")
    assert loaded.ok, [d.message for d in loaded.diagnostics]
    return loaded.spec, {r.id: r for r in prove(loaded.spec, depth=4).invariants}


CASES = [
    # (what, spec text, obligation, the call that has no meaning, the operation and its position)
    ("division by zero in an assignment", "action f(d: int) {\n  x := 10 / d\n}\n", "defined:f", "f",
     "a division by zero at 11:8"),
    ("remainder by zero", "action f(d: int) {\n  x := 10 % d\n}\n", "defined:f", "f", "a remainder by zero at 11:8"),
    ("a write outside a range-keyed map", "action g(k: int) {\n  requires k >= 0 else Neg\n  m[k] := 1\n}\n",
     "defined:g", "g", "a key outside 0..3 at 12:3"),
    ("a lookup outside it in a guard", "action h(k: int) {\n  requires m[k] == 0 else Busy\n  x := 1\n}\n",
     "defined:h", "h", "a key outside 0..3 at 11:12"),
]


@pytest.mark.parametrize("what, text, oid, action, where", CASES, ids=[c[0] for c in CASES])
def test_a_reachable_call_without_a_meaning_is_a_must_finding_with_its_run_and_position(what, text, oid, action,
                                                                                          where):
    spec, results = proved(text)
    r = results[oid]
    assert r.level == "MUST" and r.verdict is Verdict.VIOLATED
    assert f"`{action}(" in r.reason and where in r.reason
    # the interpreter agrees: at the run's last state, that call has no meaning
    interp = Interpreter(spec, r.run.sets)
    state = interp.initial_state()
    for call in r.run.calls:
        state = interp.step(call.action, state, dict(call.args))
    args = {p.name: int(r.reason.split(f"`{action}(")[1].split("=")[1].split(")")[0]) for p in
            next(a for a in spec.actions if a.name == action).params}
    with pytest.raises(EvaluationError):
        interp.step(action, state, args)


def test_a_division_the_guards_protect_has_a_meaning_and_no_finding():
    _, results = proved("action f(d: int) {\n  requires d != 0 else Zero\n  x := 10 / d\n}\n"
                        "invariant S-1: x != 0 implies 100 / x != 0 or x > 100 or x < -100\n")
    assert results["defined:f"].verdict is Verdict.PROVED
    assert results["defined:S-1"].verdict is Verdict.PROVED  # `implies` evaluates its right side only when needed


def test_a_violating_run_never_passes_through_an_operation_without_a_meaning():
    # before, z3 gave 10 / 0 a value: DZ-1 was "violated" after f(d=0) with x = 11, a run no back end replays
    spec, results = proved("invariant DZ-1: x <= 10\naction f(d: int) {\n  x := 10 / d\n}\n")
    assert results["DZ-1"].verdict is Verdict.PROVED
    assert results["defined:f"].verdict is Verdict.VIOLATED


def test_an_invariant_is_violated_only_where_it_has_a_meaning_and_its_own_gap_is_reported():
    spec, results = proved("invariant P-2: 100 / (x + 1) > 0 or x == -1\n"
                           "action put(v: int) {\n  x := v\n}\n")
    p2 = results["P-2"]
    assert p2.verdict is Verdict.VIOLATED
    interp = Interpreter(spec, p2.run.sets)
    assert interp.holds("P-2", p2.run.states[-1]) is False  # evaluates, and is false: a genuine violation
    # `or` evaluates its left side first, so x == -1 does not protect the division: that is its own finding
    gap = results["defined:P-2"]
    assert gap.verdict is Verdict.VIOLATED and "a division by zero at 10:16" in gap.reason
    assert gap.run.states[-1]["x"] == -1


WRITE = ("spec TW\nstate {\n  m: map[0..3, int]\n}\ninit {\n  m := {i: 0 for i in 0..3}\n}\n"
         "invariant T-1: m[0] >= 0\naction g(k: int) {\n  requires k >= 0 else Neg\n  m[k] := 1\n}\n")


def test_a_write_outside_a_range_keyed_map_is_a_finding_and_the_export_stops_there():
    from specforge.tla import export_tla, parse_bound

    spec = load_text(WRITE, "tw.sf").spec
    assert {r.id: r.verdict for r in prove(spec, depth=2).invariants}["defined:g"] is Verdict.VIOLATED
    assert "ELSE Assert(FALSE," in export_tla(spec, [parse_bound("g.k=0..5")]).tla


@needs_tlc
def test_tlc_stops_at_a_write_outside_a_range_keyed_map_as_prove_and_the_interpreter_do(tmp_path):
    from specforge.tla import export_tla, parse_bound

    x = export_tla(load_text(WRITE, "tw.sf").spec, [parse_bound("g.k=0..5")])
    write(tmp_path, x)
    assert "a key outside the map's range has no meaning" in run_tlc(tmp_path, x.module)


SLOTS = ("spec Slots\nstate {\n  slots: map[0..2, int]\n  used: int\n}\ninit {\n  slots := {i: i for i in 0..2}\n"
         "  used := 0\n}\ninvariant S-1: used <= 0\naction take(k: int[0..2]) {\n  used := used + slots[k] + 1\n}\n")


def test_the_bounded_search_finds_the_one_step_run_through_a_map_built_by_a_comprehension():
    # z3 said unknown to this under push/pop (the map is a lambda) and the search timed out at every depth
    result = {r.id: r for r in prove(load_text(SLOTS, "slots.sf").spec, depth=3, explore_size=-1).invariants}["S-1"]
    assert result.verdict is Verdict.VIOLATED and result.run.steps == 1


def test_a_defined_run_is_not_pinned_by_gen_tests_replay_a_spec_defect_no_implementation_can_fail():
    from specforge.prove import prove as run_prove
    from specforge.testing.generate import replays_from_report

    spec = load_text(HEAD + "invariant X-1: x <= 5\naction f(d: int) {\n  x := 10 / d\n}\n", "d.sf").spec
    report = run_prove(spec, depth=3).to_json()
    violated = [r["id"] for r in report["invariants"] if r["verdict"] == "violated"]
    assert "defined:f" in violated and "X-1" in violated
    assert [r.breaks for r in replays_from_report(report, spec)] == ["X-1"]


PARTIAL = HEAD.replace("  x: int\n", "  x: int\n  o: int?\n").replace("  x := 0\n", "  x := 0\n  o := none\n") + (
    "invariant DIV: x != 0 implies 10 / x >= -10\n"
    "invariant MOD: x % (x - 1) == 0 or x % (x - 1) != 0\n"
    "invariant KEY: forall i in 0..5: m[i] >= 0 or i > 3\n"
    "invariant OPT: o != none implies o >= x or o < x\n"
    "invariant NONE: x >= 0 or x < 0\n")


def test_an_invariant_the_syntax_shows_total_has_no_site_the_formulas_would_find():
    """The prover skips the formulas of definedness for an invariant with no partial operation in its
    syntax; on every invariant of the examples and of a spec with each partial operation, the syntax
    finds every invariant the formulas find a site in."""
    from specforge.frontend import load
    from specforge.prove import defined
    from specforge.prove.encode import Encoder

    from .support import ROOT

    specs = [load(str(p)).spec for p in sorted((ROOT / "examples").rglob("*.sf"))]
    specs.append(load_text(PARTIAL, "partial.sf").spec)
    found = {}
    for spec in specs:
        enc = Encoder(spec)
        state = enc.state("probe")
        for inv in spec.invariants:
            sites = bool(defined.invariant(enc, inv, state).found)
            assert defined.may_be_partial(inv.expr) or not sites, f"{spec.name}: {inv.id}"
            found[f"{spec.name}.{inv.id}"] = sites
    assert {k for k, v in found.items() if k.startswith("D.")} == {"D.DIV", "D.MOD", "D.KEY", "D.OPT", "D.NONE"}
    assert {"D.DIV", "D.MOD", "D.KEY", "D.OPT"} <= {k for k, v in found.items() if v}
    assert not found["D.NONE"] and not defined.may_be_partial(specs[-1].invariants[-1].expr)
