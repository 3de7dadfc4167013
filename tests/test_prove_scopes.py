"""No z3 solver is asked again after a scope holding a quantifier was popped from it.

z3 5.0 to 5.4.1 keep what their model-based quantifier instantiation learnt about a quantifier under the
quantifier's address after a pop frees it; a later check on the same solver that meets a new quantifier
at that address reads freed memory (`model_finder::get_inv`). The prover crashed with a segmentation
fault about once in 140 proofs of a protocol (and twice in CI). The prover now checks such a query on a
solver it drops after, or behind a switch of its own that is never popped (`encode.scope_unsafe`).

The tests watch every solver the prover and the inference make, through their one seam each
(`Prover.solver`, `infer._solver`), and record every check made on a solver after it popped a scope that
held a quantifier. The specs sum over no set, so z3's model-based instantiation is on for every solver.
"""

from __future__ import annotations

import pytest
import z3

from specforge.frontend import load
from specforge.prove import Prover, Verdict, infer
from specforge.prove.encode import behind_switch, quantified

from .support import ROOT

PROTOCOLS = ROOT / "examples" / "protocols"


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


def test_a_fact_behind_a_switch_is_asked_under_the_switch_and_is_gone_when_it_is_off():
    x = z3.Int("x")
    s = z3.Solver()
    s.add(x > 0)
    switch = behind_switch(s, [z3.ForAll([x], x > 5)], "q")
    assert s.check(switch) == z3.unsat
    s.add(z3.Not(switch))
    assert s.check() == z3.sat


class ScopeWatch:
    """A z3 solver that records each check it is asked after popping a scope that held a quantifier."""

    def __init__(self, solver: z3.Solver, name: str, seen: list[str]):
        self._solver, self._name, self._seen = solver, name, seen
        self._marks: list[int] = []
        self._popped_quantifier = False

    def push(self):
        self._marks.append(len(self._solver.assertions()))
        self._solver.push()

    def pop(self, n: int = 1):
        held = list(self._solver.assertions())[self._marks[-n]:]
        del self._marks[-n:]
        self._popped_quantifier |= quantified(*held)
        self._solver.pop(n)

    def check(self, *assumptions):
        if self._popped_quantifier:
            self._seen.append(self._name)
        return self._solver.check(*assumptions)

    def __getattr__(self, name):
        return getattr(self._solver, name)


@pytest.mark.parametrize("name", ["decentralized_lock", "lock_server_bug", "ticket_lock_bug", "two_phase_commit"])
def test_no_solver_is_asked_again_after_a_quantifier_was_popped_from_it(name, monkeypatch):
    seen: list[str] = []

    class Watched(Prover):
        def solver(self, check: str = "other"):
            return ScopeWatch(super().solver(check), check, seen)

    made = infer._solver
    monkeypatch.setattr(infer, "_solver", lambda enc: ScopeWatch(made(enc), "inference", seen))
    prover = Watched(load(str(PROTOCOLS / f"{name}.sf")).spec)
    assert not prover.enc.set_sums  # model-based instantiation on for every solver
    report = prover.run()
    expected = Verdict.VIOLATED if name.endswith("_bug") else Verdict.PROVED
    assert any(r.verdict is expected for r in report.invariants)
    assert seen == []
