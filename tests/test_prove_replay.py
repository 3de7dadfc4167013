"""`prove` replays every violating run on the interpreter before reporting it (prove/replay.py): a run
that is not one of the spec's (an encoding bug) makes the verdict `unknown` with the disagreement as its
reason, never `violated`."""

from __future__ import annotations

import pytest

from specforge.frontend import load, load_text
from specforge.prove import Verdict, prove
from specforge.prove import engine as engine_module
from specforge.prove.replay import replay_problem
from specforge.run import Run

from .support import ROOT

BUGGY = sorted((ROOT / "examples" / "protocols").glob("*_bug.sf"))

BANK = """\
spec Bank
state {
  balance: int
  frozen: bool
}
init {
  balance := 0
  frozen := false
}
invariant NONNEG: balance >= 0
action deposit(n: int) {
  requires n > 0 else Bad
  requires not frozen else Frozen
  balance := balance + n
}
action withdraw(n: int) {
  requires n > 0 else Bad
  balance := balance - n
}
action freeze() {
  frozen := true
}
"""


def plain(run: Run) -> tuple[dict, list[dict], list[tuple[str, dict]]]:
    return ({k: list(v) for k, v in run.sets.items()}, [dict(s) for s in run.states],
            [(c.action, dict(c.args)) for c in run.calls])


@pytest.mark.parametrize("path", BUGGY, ids=[p.stem for p in BUGGY])
def test_every_violating_run_of_the_buggy_protocols_replays(path):
    spec = load(str(path)).spec
    runs = [r.run for r in prove(spec).invariants if r.verdict is Verdict.VIOLATED]
    assert runs
    for run in runs:
        assert replay_problem(spec, run, "invariant") is None


def test_a_run_that_differs_from_the_spec_says_where():
    spec = load_text(BANK, "bank.sf").spec
    (nonneg,) = [r for r in prove(spec).invariants if r.id == "NONNEG"]
    assert nonneg.verdict is Verdict.VIOLATED and replay_problem(spec, nonneg.run, "invariant") is None
    sets, states, calls = plain(nonneg.run)
    wrong = Run.of(spec, sets, [*states[:-1], {**states[-1], "frozen": True}], calls, "NONNEG")
    assert replay_problem(spec, wrong, "invariant").startswith(f"step {len(calls)}, withdraw(")
    assert "frozen = False (the run has True)" in replay_problem(spec, wrong, "invariant")
    # a call whose guard is false there
    blocked = Run.of(spec, sets, [states[0], {**states[0], "frozen": True}, {**states[0], "frozen": True,
                                                                             "balance": 1}],
                     [("freeze", {}), ("deposit", {"n": 1})], "NONNEG")
    assert "is not enabled: guard 1 of `deposit` is false: Frozen" in replay_problem(spec, blocked, "invariant")
    # a last state where the invariant holds
    holds = Run.of(spec, sets, [states[0], {**states[0], "frozen": True}], [("freeze", {})], "NONNEG")
    assert replay_problem(spec, holds, "invariant") == "NONNEG holds in the last state"
    # another initial state
    start = Run.of(spec, sets, [{**states[0], "balance": -1}], [], "NONNEG")
    assert replay_problem(spec, start, "invariant").startswith("the initial state is not the run's")


def test_a_run_that_does_not_replay_is_reported_unknown_never_violated(monkeypatch):
    """An encoding bug, simulated: the bounded search's run gets a wrong last state. The prover says
    unknown and why, and the report holds no run."""
    spec = load_text(BANK, "bank.sf").spec
    found = engine_module.Prover._bmc

    def tampered(self, *args, **kwargs):
        out = found(self, *args, **kwargs)
        for tid, run in list(out.items()):
            sets, states, calls = plain(run)
            out[tid] = Run.of(self.spec, sets, [*states[:-1], {**states[-1], "frozen": not states[-1]["frozen"]}],
                              calls, run.breaks)
        return out

    monkeypatch.setattr(engine_module.Prover, "_bmc", tampered)
    (nonneg,) = [r for r in prove(spec, explore_size=-1).invariants if r.id == "NONNEG"]
    assert nonneg.verdict is Verdict.UNKNOWN and nonneg.run is None
    assert "does not replay on the spec's interpreter (step 1, withdraw(n=1), leads to not the run's" in nonneg.reason
    assert "a bug in specforge" in nonneg.reason


def test_a_broken_postcondition_is_judged_by_the_last_calls_answer():
    text = BANK + "action balance_of() -> int {\n  returns balance + 1\n  ensures result == balance\n}\n"
    spec = load_text(text, "bank.sf").spec
    (own,) = [r for r in prove(spec).invariants if r.kind == "postcondition"]
    assert own.verdict is Verdict.VIOLATED and replay_problem(spec, own.run, "postcondition") is None
    assert own.run.calls[-1].action == "balance_of"
    # the same run for a contract its answer keeps
    kept = load_text(text.replace("returns balance + 1", "returns balance"), "bank.sf").spec
    sets, states, calls = plain(own.run)
    assert replay_problem(kept, Run.of(kept, sets, states, calls, own.id), "postcondition") == \
        f"the last call's answer meets {own.id}"
