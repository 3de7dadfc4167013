"""No z3 solver is asked again after a scope holding a quantifier was popped from it.

z3 5.0 to 5.4.1 keep what their model-based quantifier instantiation learnt about a quantifier under the
quantifier's address after a pop frees it; a later check on the same solver that meets a new quantifier
at that address reads freed memory (`model_finder::get_inv`). The prover crashed with a segmentation
fault about once in 140 proofs of a protocol (and twice in CI). The prover now checks such a query on a
solver it drops after, or behind a switch of its own that is never popped (`encode.scope_unsafe`).

The tests watch every solver the prover and the inference make, through their one seam each
(`Prover.solver`, `infer._solver`), and record every check made on a solver after it popped a scope that
held a quantifier, unless the solver was told to run without model-based instantiation (`smt.mbqi`
false: a spec that sums over sets, outside a finite world).
"""

from __future__ import annotations

import pytest
import z3

from specforge.frontend import load
from specforge.prove import Prover, Verdict, infer
from specforge.prove.encode import Question, quantified

from .support import ROOT


def test_quantified_finds_a_quantifier_or_a_lambda_anywhere_in_a_formula():
    x, y = z3.Ints("x y")
    a = z3.Array("a", z3.IntSort(), z3.IntSort())
    assert not quantified(x > 1, z3.And(x > y, a[x] == 3))
    assert not quantified()
    assert quantified(z3.ForAll([x], x >= x - 1))
    assert quantified(x > 1, z3.Or(y > 2, z3.Not(z3.Exists([x], x > y))))  # only the second, deep inside
    assert quantified(z3.Store(a, 1, 2) == z3.Lambda([x], x + 1))
    shared = z3.And(x > 1, y > 2)  # a term shared by both sides is walked once, and still seen
    assert quantified(z3.Or(shared, z3.And(shared, z3.ForAll([y], y * 0 == 0))))


def test_a_question_behind_a_switch_is_asked_under_the_switch_and_is_gone_when_it_is_off():
    x = z3.Int("x")
    s = z3.Solver()
    s.add(x > 0)
    with Question(s, [z3.ForAll([x], x > 5)], True, "q") as q:
        assert s.num_scopes() == 0 and len(q.assumptions) == 1
        assert s.check(*q.assumptions) == z3.unsat
    assert s.num_scopes() == 0
    assert s.check() == z3.sat


def test_a_question_without_a_quantifier_is_asked_in_a_scope_popped_after():
    x = z3.Int("x")
    s = z3.Solver()
    s.add(x > 0)
    with Question(s, [x < 0], False, "q") as q:
        assert s.num_scopes() == 1 and q.assumptions == []
        assert s.check() == z3.unsat
    assert s.num_scopes() == 0
    assert s.check() == z3.sat


def test_a_question_kept_stays_asserted_and_one_left_is_not_undone():
    x = z3.Int("x")
    s = z3.Solver()
    with Question(s, [x > 5], True, "kept") as q:
        assert s.check(*q.assumptions) == z3.sat
        q.keep()
    assert s.check(x < 3) == z3.unsat  # kept: the restriction holds from now on
    with Question(s, [x > 7], False, "left") as q:
        q.leave()  # a solver the caller drops: the scope stays open
    assert s.num_scopes() == 1


class ScopeWatch:
    """A z3 solver that records each check it is asked after popping a scope that held a quantifier, while
    its model-based instantiation is on (`without_mbqi`: the solvers told to run without it)."""

    def __init__(self, solver: z3.Solver, name: str, seen: list[str], without_mbqi: set[int]):
        self._solver, self._name, self._seen = solver, name, seen
        self._without_mbqi = without_mbqi  # noted when the solver is told, which may be after it is made
        self._marks: list[int] = []
        self._popped_quantifier = False

    def push(self):
        self._marks.append(len(self._solver.assertions()))
        self._solver.push()

    def pop(self, n: int = 1):
        every = self._solver.assertions()
        held = [every[i] for i in range(self._marks[-n], len(every))]
        del self._marks[-n:]
        self._popped_quantifier |= quantified(*held)
        self._solver.pop(n)

    def check(self, *assumptions):
        if self._popped_quantifier and id(self._solver) not in self._without_mbqi:
            self._seen.append(self._name)
        return self._solver.check(*assumptions)

    def __getattr__(self, name):
        return getattr(self._solver, name)


SPECS = {  # what each one exercises besides induction
    "protocols/decentralized_lock": Verdict.PROVED,  # the inference, the shortcut solver
    "protocols/lock_server_bug": Verdict.VIOLATED,  # the bounded search, tidying a counterexample's sets
    "protocols/ticket_lock_bug": Verdict.VIOLATED,
    "protocols/two_phase_commit": Verdict.PROVED,
    "leader_election": Verdict.PROVED,  # quantified type bounds: redundancy notes, dead actions
    "order": Verdict.PROVED,
    "tickets": Verdict.PROVED,  # sums over sets: instantiation off, except in a finite world
}


@pytest.mark.parametrize("name", SPECS)
def test_no_solver_is_asked_again_after_a_quantifier_was_popped_from_it(name, monkeypatch):
    seen: list[str] = []
    without_mbqi: set[int] = set()
    setting = z3.Solver.set

    def noting(self, *args, **kwargs):
        if args[:2] == ("smt.mbqi", False):
            without_mbqi.add(id(self))
        return setting(self, *args, **kwargs)

    monkeypatch.setattr(z3.Solver, "set", noting)

    class Watched(Prover):
        def solver(self, check: str = "other"):
            return ScopeWatch(super().solver(check), check, seen, without_mbqi)

    made = infer._solver
    monkeypatch.setattr(infer, "_solver", lambda enc: ScopeWatch(made(enc), "inference", seen, without_mbqi))
    report = Watched(load(str(ROOT / "examples" / f"{name}.sf")).spec).run()
    assert any(r.verdict is SPECS[name] for r in report.invariants)
    assert seen == []
