"""Test cards: every action and failure mode of every example has a card whose run the interpreter
confirms; the pinned cases pass on the correct implementation and catch mutants; dead failure modes are
shown dead."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from specforge.cards import find_cards, play, pytest_file
from specforge.cli import main
from specforge.frontend import load, load_text
from specforge.interpret import GuardFailed, Interpreter
from specforge.testing import SpecViolation

from .support import ROOT

EXAMPLES = {"bank": "BankAccount", "ledger": "Ledger", "order": "OrderLifecycle",
            "leader_election": "LeaderElection", "rate_limiter": "RateLimiter", "auth_token": "AuthToken"}


def loaded(name: str):
    result = load(str(ROOT / "examples" / f"{name}.sf"))
    assert result.ok
    return result


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_action_and_failure_mode_has_a_card_whose_run_the_interpreter_confirms(name):
    spec = loaded(name).spec
    cards = find_cards(spec)
    wanted = {(a.name, None) for a in spec.actions} | {(a.name, g.error) for a in spec.actions for g in a.guards
                                                         if g.error}
    assert {(c.action, c.error) for c in cards} == wanted
    for c in cards:
        assert c.status == "found", (c.title, c.reason)
        run = c.run
        interp = Interpreter(spec, run.sets)
        state = interp.initial_state()
        assert state == run.states[0]
        for i, call in enumerate(run.calls):
            last = i == len(run.calls) - 1
            if last and c.error is not None:
                with pytest.raises(GuardFailed) as refused:
                    interp.step(call.action, state, dict(call.args))
                assert refused.value.error == c.error
                assert run.states[-1] == state
            else:
                state = interp.step(call.action, state, dict(call.args))
                assert state == run.states[i + 1]
        assert run.calls[-1].action == c.action


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_pinned_cases_pass_on_the_correct_implementation(name):
    result = loaded(name)
    factory = getattr(importlib.import_module(f"examples.impl.{name}"), EXAMPLES[name])
    for c in find_cards(result.spec):
        play(result.source.text, f"examples/{name}.sf", factory, [(x.action, dict(x.args)) for x in c.run.calls],
             {k: tuple(v) for k, v in c.run.sets.items()})


# Mutants whose bug lies on a behaviour a card exercises: each must fail at least one card.
CAUGHT = {
    "bank": ["WithdrawCapOffByOne", "DepositWhileFrozen", "InvalidAmountAsValueError", "CountsBeforeChecking",
             "InsufficientFundsFirst"],
    "ledger": ["CloseWithMoneyInside", "UnknownAccountKeyError"],
    "order": ["ShipUnpaid", "PayChecksAmountFirst", "PlaceRecordsBeforeValidating", "DeliverRaisesNotPaid",
              "ShipSkipsToDelivered"],
    "leader_election": ["VotesTwiceInATerm", "EqualTermIsStale", "AlreadyVotedBeforeStaleTerm",
                        "VoteRecordedOnCandidate", "StepDownDemotesFirst", "NoQuorumAsNotCandidate", "LeaderTimesOut",
                        "TimeoutForgetsOwnVote"],
    "rate_limiter": ["MaxCostExclusive", "RefillOverflows", "ZeroAdjustIgnored", "RefillOneIntervalLate", "TickNoOp"],
    "auth_token": ["CooldownOffByOne", "RefreshWithoutCooldown", "RefreshSetsTtlBeforeCooldownCheck",
                   "MinTtlInWholeSeconds", "RevokeClearsTtl"],
}


@pytest.mark.parametrize("name, mutant", [(n, m) for n, ms in CAUGHT.items() for m in ms])
def test_a_mutant_on_a_carded_behaviour_fails_a_pinned_case_in_spec_terms(name, mutant):
    result = loaded(name)
    factory = getattr(importlib.import_module(f"examples.mutants.{name}"), mutant)
    failed = []
    for c in find_cards(result.spec):
        try:
            play(result.source.text, f"examples/{name}.sf", factory, [(x.action, dict(x.args)) for x in c.run.calls],
                 {k: tuple(v) for k, v in c.run.sets.items()})
        except SpecViolation:
            failed.append(c.title)
    assert failed


DEAD = """\
spec Dead
state {
  x: int[0..3]
}
init {
  x := 0
}
action up() {
  requires x < 3 else AtTop
  requires x >= 0 else Negative
  x := x + 1
}
"""


def test_a_failure_mode_no_reachable_state_triggers_is_dead_by_exhaustive_search():
    cards = {c.title: c for c in find_cards(load_text(DEAD, "dead.sf").spec)}
    assert cards["up refuses with AtTop"].status == "found"
    dead = cards["up refuses with Negative"]
    assert dead.status == "dead" and "every reachable state was searched" in dead.reason


def test_with_a_set_a_failure_mode_the_proved_invariants_exclude_is_dead_by_z3():
    text = ("spec DeadSet\nset Item\nstate {\n  n: map[Item, int]\n}\ninit {\n  n := {i: 0 for i in Item}\n}\n"
            "invariant N-1: forall i in Item: n[i] >= 0\n"
            "action add(i: Item) {\n  requires n[i] >= 0 else Negative\n  n[i] := n[i] + 1\n}\n")
    spec = load_text(text, "deadset.sf").spec
    (ok, negative) = find_cards(spec, proved=["N-1"])
    assert ok.status == "found"
    assert negative.status == "dead" and "z3" in negative.reason
    (_, unknown) = find_cards(spec)  # without proved invariants: only the small worlds say anything
    assert unknown.status == "not found"


def test_the_cards_command_writes_cards_and_a_pinned_file_that_passes_and_exits_3_on_a_dead_mode(tmp_path):
    out, pinned = tmp_path / "cards.md", tmp_path / "test_bank_cards.py"
    result = CliRunner().invoke(main, ["cards", str(ROOT / "examples" / "bank.sf"), "-o", str(out), "--impl",
                                       "examples.impl.bank:BankAccount", "--pytest", str(pinned)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "## withdraw refuses with InsufficientFunds" in text and "- **When** `withdraw(amount=1)` is called" in text
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(pinned)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and " passed" in run.stdout, run.stdout + run.stderr
    dead = tmp_path / "dead.sf"
    dead.write_text(DEAD)
    result = CliRunner().invoke(main, ["cards", str(dead)])
    assert result.exit_code == 3 and "up refuses with Negative: dead" in result.output


def test_the_pinned_file_is_deterministic():
    result = loaded("bank")
    first = pytest_file(result.spec, find_cards(result.spec), result.source.text, "examples/bank.sf",
                        "examples.impl.bank:BankAccount", "t.py")
    second = pytest_file(result.spec, find_cards(result.spec), result.source.text, "examples/bank.sf",
                         "examples.impl.bank:BankAccount", "t.py")
    assert first == second and "def test_withdraw_refuses_InsufficientFunds():" in first
