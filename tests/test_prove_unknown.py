"""When z3 cannot decide, the verdict is `unknown` with its reason: never `proved`, never `violated`.

Every place the prover consults z3 is made to answer `unknown` in turn (the explicit-state search, which
decides some specs without z3, is off), through the one seam the
engine makes its solvers with (`Prover.solver(check)`, the checks named in `engine.CHECKS`). Each
case first runs the same spec without the stub, so that it is known to exercise that place: there,
the answer is decided. One case makes z3 time out for real, on a nonlinear obligation.
"""

from __future__ import annotations

import re
import time

import pytest
import z3

from specforge.frontend import load_text
from specforge.prove import Prover, Verdict
from specforge.prove.cache import Cache
from specforge.prove.engine import CHECKS

from .support import ROOT

DEPTH = 4
# The explicit-state search decides some specs without z3 (every reachable state visited): these tests
# are about z3's answers, so it is off.
NO_EXPLICIT_SEARCH = -1


class Undecided:
    """A z3 solver that answers every check `unknown`, as z3 does when its time runs out."""

    def __init__(self, solver: z3.Solver):
        self._solver = solver

    def check(self, *assumptions):
        return z3.unknown

    def reason_unknown(self) -> str:
        return "timeout"

    def __getattr__(self, name):
        return getattr(self._solver, name)


class Unsure(Prover):
    """A prover whose solvers answer `unknown` to the checks named in `undecided`."""

    undecided: frozenset[str] = frozenset()

    def solver(self, check: str):
        assert check in CHECKS, f"the engine asked for an undocumented check {check!r}"
        real = super().solver(check)
        return Undecided(real) if check in self.undecided else real


def load(text: str):
    loaded = load_text(text, "case.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


def run(text: str, *undecided: str, cache=None):
    # no inference of supporting invariants either: it would prove NEEDS_STRENGTHENING before Spacer is asked
    prover = Unsure(load(text), depth=DEPTH, cache=cache, explore_size=NO_EXPLICIT_SEARCH, infer_budget=0)
    prover.undecided = frozenset(undecided)
    report = prover.run()
    return report, {r.id: r for r in report.invariants}


COUNTER = "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
INDUCTIVE = COUNTER + "invariant X: x >= 0\n"
DEAD = INDUCTIVE + "action never() {\n  requires x < 0 else Negative\n  x := 0\n}\n"
# true, but not inductive on its own: z3's Horn engine finds y >= 0 to go with it
NEEDS_STRENGTHENING = ("spec T\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := 0\n  y := 0\n}\n"
                       "action step() {\n  y := y + 1\n  x := x + y\n}\ninvariant X: x >= 0\n")
BROKEN_AFTER_THREE = COUNTER + "invariant X: x < 3\n"

# (place, spec, checks made undecided, the verdict when they are decided, the reason when they are not)
CASES = [
    ("initial state", INDUCTIVE, ("initial", "strengthen"), Verdict.PROVED,
     "timed out while checking the initial state"),
    ("induction", INDUCTIVE, ("induction", "strengthen"), Verdict.PROVED,
     "timed out while checking that inc preserves it"),
    ("strengthening", NEEDS_STRENGTHENING, ("strengthen",), Verdict.PROVED,
     f"not inductive, no violation within {DEPTH} steps, and no strengthening found"),
    ("checking a strengthening", NEEDS_STRENGTHENING, ("strengthen-verify",), Verdict.PROVED,
     f"not inductive, no violation within {DEPTH} steps, and no strengthening found"),
    ("bounded search", BROKEN_AFTER_THREE, ("bounded",), Verdict.VIOLATED,
     f"timed out in the bounded search at depth {DEPTH}"),
]


@pytest.mark.parametrize("place,text,undecided,decided,reason", CASES, ids=[c[0] for c in CASES])
def test_an_undecided_check_gives_unknown_with_its_reason(place, text, undecided, decided, reason):
    _, sure = run(text)
    assert sure["X"].verdict is decided
    _, unsure = run(text, *undecided)
    x = unsure["X"]
    assert x.verdict is Verdict.UNKNOWN, f"z3 answered unknown {place}, yet the verdict is {x.verdict.value}"
    # the reason first; what the inference of supporting invariants tried may follow it
    assert x.reason.split("; inference:")[0] == reason and x.method is None and x.run is None


def test_an_action_whose_preservation_is_undecided_is_reported_as_undecided():
    _, r = run(INDUCTIVE, "induction", "strengthen")
    assert {a.action: a.preserved for a in r["X"].actions} == {"inc": None}


def test_an_undecided_induction_never_lends_support_to_another_invariant():
    # Y is preserved only with X's help, and X cannot be decided: Y is not proved either
    text = NEEDS_STRENGTHENING.replace("invariant X: x >= 0\n", "invariant X: y >= 0\ninvariant Y: x >= 0\n")
    _, sure = run(text)
    assert sure["Y"].supported_by == ["X"]
    _, r = run(text, "induction", "strengthen")
    assert r["X"].verdict is r["Y"].verdict is Verdict.UNKNOWN


class GivesUpInScopes:
    """A z3 solver that gives up on every check under a scope, as z3's incremental mode does by the luck of
    term order on some quantified queries that a solver without a scope decides (`incomplete quantifiers`)."""

    def __init__(self, solver: z3.Solver):
        self._solver, self._scopes, self._gave_up = solver, 0, False

    def push(self):
        self._scopes += 1
        self._solver.push()

    def pop(self):
        self._scopes -= 1
        self._solver.pop()

    def check(self, *assumptions):
        self._gave_up = self._scopes > 0
        return z3.unknown if self._gave_up else self._solver.check(*assumptions)

    def reason_unknown(self) -> str:
        return "(incomplete quantifiers)" if self._gave_up else self._solver.reason_unknown()

    def __getattr__(self, name):
        return getattr(self._solver, name)


class ScopeShy(Prover):
    def solver(self, check: str):
        real = super().solver(check)
        return GivesUpInScopes(real) if check == "induction" else real


# X is preserved only with Y's help: its step check is the one on the solver holding every candidate
SUPPORTED = NEEDS_STRENGTHENING + "invariant Y: y >= 0\n"


def test_a_step_check_z3_gives_up_on_under_a_scope_is_asked_again_without_one():
    prover = ScopeShy(load(SUPPORTED), depth=DEPTH, explore_size=NO_EXPLICIT_SEARCH, infer_budget=0)
    x = {r.id: r for r in prover.run().invariants}["X"]
    assert (x.verdict, x.method, x.supported_by) == (Verdict.PROVED, "inductive with others", ["Y"]), x.reason


# a dead action whose body builds a map by a comprehension: its check gets a solver of its own (a lambda)
DEAD_LAMBDA = ("spec T\nset Item\nstate {\n  x: int\n  m: map[Item, int]\n}\n"
               "init {\n  x := 0\n  m := {i: 0 for i in Item}\n}\naction inc() {\n  x := x + 1\n}\n"
               "action never() {\n  requires x < 0 else Negative\n  m := {i: 1 for i in Item}\n}\n"
               "invariant X: x >= 0\n")
# (finding, spec, the check that decides it)
FINDINGS = [
    ("inconsistent", COUNTER + "invariant A: x >= 0\ninvariant B: x < 0\n", "consistency"),
    ("dead-action", DEAD, "dead"),
    ("dead-action", DEAD_LAMBDA, "dead"),
    ("redundant", INDUCTIVE + "invariant Y: x >= -1\n", "redundant"),
]


@pytest.mark.parametrize("kind,text,undecided", FINDINGS,
                         ids=["inconsistent", "dead-action", "dead-action-lambda", "redundant"])
def test_an_undecided_sanity_check_reports_no_finding(kind, text, undecided):
    sure, sure_results = run(text)
    assert kind in [f.kind for f in sure.findings]
    unsure, unsure_results = run(text, undecided)
    assert kind not in [f.kind for f in unsure.findings]
    # the findings are beside the verdicts: those stay as they were
    assert {i: r.verdict for i, r in unsure_results.items()} == {i: r.verdict for i, r in sure_results.items()}


EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_when_z3_decides_nothing_no_example_gets_a_verdict_or_a_finding(example):
    report, results = run(example.read_text(encoding="utf-8"), *CHECKS)
    assert results
    for r in results.values():
        assert r.verdict is Verdict.UNKNOWN and r.reason.startswith("timed out"), (r.id, r.verdict, r.reason)
    # the note that constraints are `load`'s to judge depends on no solver
    assert [f for f in report.findings if f.kind != "constraints"] == []


# (leader_election found a bug here: the prover's obligations include `type:voted_for`, membership of a
# map's values in Node, which the explicit search did not know, and it stopped with KeyError)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_when_z3_decides_nothing_only_the_explicit_search_may_prove(example):
    # the time limit bounds the explicit search too: a second is enough to exhaust a small spec
    prover = Unsure(load(example.read_text(encoding="utf-8")), depth=DEPTH, timeout=1.0)
    prover.undecided = frozenset(CHECKS)
    for r in prover.run().invariants:
        assert r.verdict is Verdict.UNKNOWN or (r.verdict is Verdict.PROVED and r.method == "exhaustive"), \
            (r.id, r.verdict, r.method, r.reason)


def test_undecided_answers_are_not_cached_so_a_later_run_decides_them(tmp_path):
    text = (COUNTER + "invariant X: x >= 0\ninvariant B: x < 3\ninvariant R: x >= -1\n"
            "invariant N: x >= 0 or x < 0\n")
    fresh, fresh_results = run(text)
    cache = Cache(tmp_path / "c.sqlite3")
    run(text, *CHECKS, cache=cache)
    again, again_results = run(text, cache=cache)
    assert {i: (r.verdict, r.method, r.reason) for i, r in again_results.items()} == \
        {i: (r.verdict, r.method, r.reason) for i, r in fresh_results.items()}
    assert sorted(f.kind for f in again.findings) == sorted(f.kind for f in fresh.findings)
    assert {r.verdict for r in fresh_results.values()} == {Verdict.PROVED, Verdict.VIOLATED}


def test_an_undecided_consistency_check_is_not_cached_as_consistent(tmp_path):
    text = COUNTER + "invariant A: x >= 0\ninvariant B: x < 0\n"
    cache = Cache(tmp_path / "c.sqlite3")
    unsure, _ = run(text, "consistency", cache=cache)
    again, _ = run(text, cache=cache)
    assert "inconsistent" not in [f.kind for f in unsure.findings]
    assert "inconsistent" in [f.kind for f in again.findings]


# x^3 + y^3 = z^3 has no solution in positive integers (Fermat, n = 3): the invariant is true, but
# z3's nonlinear arithmetic cannot show it, nor find a counterexample, in a millisecond
FERMAT = """\
spec Fermat
state {
  x: int
  y: int
  z: int
}
init {
  x := 1
  y := 1
  z := 1
}
action pick(a: int, b: int, c: int) {
  requires a > 0 and b > 0 and c > 0 else NotPositive
  x := a
  y := b
  z := c
}
invariant F: x * x * x + y * y * y != z * z * z
"""


def test_a_real_timeout_on_a_nonlinear_obligation_is_unknown():
    report = Prover(load(FERMAT), depth=2, timeout=0.001, explore_size=NO_EXPLICIT_SEARCH).run()
    (f,) = report.invariants
    assert f.verdict is Verdict.UNKNOWN
    assert f.reason.startswith(("timed out", "the solver could not decide")), f.reason


def test_every_reason_given_is_one_the_docs_explain():
    doc = (ROOT / "docs" / "prove.md").read_text(encoding="utf-8")
    table = doc[doc.index("The reasons you may see are:"):doc.index("### 2.8")]
    rows = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    patterns = [re.escape(row).replace("ACTION", r"\w+").replace("REASON", ".*").replace(r"\.\.\.", ".*")
                .replace("K", r"\d+").replace("N", r"\d+") for row in rows]
    for reason in {reason for *_, reason in CASES}:
        assert any(re.fullmatch(p, reason) for p in patterns), f"docs/prove.md does not explain {reason!r}"


# ---- checks keep to the run's deadline -------------------------------------------------------------------

def _pigeons(n: int) -> list[z3.BoolRef]:
    """n + 1 pigeons in n holes: unsat, and hard for z3 (exponential for its SAT core) from n = 10 or so."""
    p = [[z3.Bool(f"p{i}_{j}") for j in range(n)] for i in range(n + 1)]
    rows = [z3.Or(*row) for row in p]
    holes = [z3.Or(z3.Not(p[a][j]), z3.Not(p[b][j])) for j in range(n) for a in range(n + 1) for b in range(a)]
    return rows + holes


def test_a_check_with_less_than_the_minimum_left_is_not_made_and_answers_timeout():
    from specforge.prove.engine import _reason
    from specforge.prove.timed import MIN_CHECK_MS, TimedSolver

    s = TimedSolver(time.monotonic() + MIN_CHECK_MS / 2000, 60_000)
    s.add(z3.Bool("a"))  # trivially sat: made, z3 would answer at once
    assert s.check() == z3.unknown
    assert s.reason_unknown() == "timeout"
    assert _reason(s, "at depth 1") == "timed out at depth 1"
    open_ended = TimedSolver(None, 60_000)
    open_ended.add(z3.Bool("a"))
    assert open_ended.check() == z3.sat  # no deadline: every check is made


def test_a_solver_made_long_before_its_deadline_still_stops_there():
    """The limit of each check is what is left when it starts, not what was left when the solver was
    made (the bounded search asks one solver at every depth)."""
    from specforge.prove.timed import TimedSolver

    s = TimedSolver(time.monotonic() + 0.5, 600_000)
    s.add(*_pigeons(13))
    started = time.monotonic()
    assert s.check() == z3.unknown
    assert s.reason_unknown() in ("timeout", "canceled")
    assert time.monotonic() - started < 30  # its own limit is ten minutes; the deadline stops it
    s.set("timeout", 5)  # a limit set afterwards is each check's own, as on any z3 solver
    assert s.check() == z3.unknown


def test_a_bounded_search_whose_time_is_spent_checks_nothing_more_and_says_so():
    prover = Prover(load(BROKEN_AFTER_THREE), depth=DEPTH, explore_size=NO_EXPLICIT_SEARCH, infer_budget=0)
    (outcome,) = prover.bounded_checks(["X"], 0.0)
    assert outcome.run is None
    assert outcome.reason == "timed out in the bounded search at depth 1"
    (found,) = prover.bounded_checks(["X"], 60.0)  # with time, the same search finds the run
    assert found.run is not None and len(found.run.calls) == 3
