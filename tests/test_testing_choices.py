"""How the property test chooses actions and arguments (specforge.testing.machine): with regard to the guards,
evaluated on the model's state, never by rejection."""

from __future__ import annotations

import unittest
from types import SimpleNamespace

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.testing import SpecRunner, machine_class
from specforge.values import FrozenMap, State, Universe, freeze

from .support import ROOT


def spec_of(source: str):
    loaded = load_text(source, "t.sf")
    assert loaded.ok, [d.message for d in loaded.diagnostics]
    return loaded.spec


def runner(source: str, size: int = 3, **state) -> SpecRunner:
    """A runner whose model is in the given state (the initial one, with `state` replacing some
    variables); its implementation is a stub that shows the initial state, and is never called."""
    spec = spec_of(source)
    initial = Interpreter(spec, Universe.named(spec, size)).initial_state()
    stub = SimpleNamespace(**{k: v.thaw() if isinstance(v, FrozenMap) else v for k, v in initial.items()})
    r = SpecRunner(spec, lambda: stub, source=source, set_size=size)
    r.model = State({**r.model, **{k: freeze(v) for k, v in state.items()}})
    return r


LINEAR = """\
spec L "linear guards"
state {
  s: int
}
init {
  s := 0
}
action go(x: int) {
  requires {cond} else Refused
  s := x
}
"""


@settings(max_examples=60, deadline=None)
@given(a=st.integers(-3, 3).filter(bool), b=st.integers(-20, 20), op=st.sampled_from(["<", "<=", ">", ">="]),
       c=st.integers(-20, 20), flip=st.booleans())
def test_the_bounds_of_a_linear_guard_are_exactly_where_it_holds(a, b, op, c, flip):
    cond = f"{c} {op} {a} * x + {b}" if flip else f"{a} * x + {b} {op} {c}"
    r = runner(LINEAR.replace("{cond}", cond))
    action = r.interp.action("go")
    lo, hi = r._bounds(action, action.params[0], {})
    holds = [v for v in range(-100, 101) if r._verdict(action, {"x": v}) is None]
    assert (lo if lo is not None else -100, hi if hi is not None else 100) == (min(holds), max(holds)) \
        if holds else lo > hi, (cond, lo, hi)


BANK = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")
ORDER = (ROOT / "examples" / "order.sf").read_text(encoding="utf-8")


def test_a_guard_that_adds_to_the_state_bounds_the_argument():
    r = runner(BANK, balance=10_000, withdrawn_today=2_600)
    withdraw = r.interp.action("withdraw")
    assert r._bounds(withdraw, withdraw.params[0], {}) == (1, 2_400)
    r = runner(BANK, balance=10_000, withdrawn_today=5_000)
    assert r._bounds(withdraw, withdraw.params[0], {}) == (1, 0)
    assert not r._callable(withdraw)


def test_int_pools_hold_the_boundaries_inside_and_group_the_ones_outside_by_guard():
    r = runner(BANK, balance=700, withdrawn_today=4_000)
    withdraw = r.interp.action("withdraw")
    pools = r.pools(withdraw, withdraw.params[0], {})
    assert {1, 699, 700} <= set(pools.accepted) and pools.interval == (1, 700)
    assert all(r._verdict(withdraw, {"amount": v}) is None for v in pools.accepted)
    errors = [{withdraw.guards[r._verdict(withdraw, {"amount": v})].error for v in group} for group in pools.rejected]
    assert all(len(e) == 1 for e in errors)  # one group per guard
    assert {e.pop() for e in errors} == {"InvalidAmount", "LimitExceeded", "DailyLimitExceeded", "InsufficientFunds"}
    assert 701 in {v for g in pools.rejected for v in g}  # just over the balance


def test_a_value_only_an_assumption_rejects_is_never_offered():
    source = (ROOT / "examples" / "rate_limiter.sf").read_text(encoding="utf-8")
    r = runner(source, since_refill=400)
    tick = r.interp.action("tick")
    pools = r.pools(tick, tick.params[0], {})
    offered = set(pools.accepted) | {v for g in pools.rejected for v in g}
    assert offered and min(offered) >= 0 and pools.interval[0] >= 0
    assert 600 in pools.accepted  # the dt that makes a refill due exactly


def test_set_elements_prefer_ones_the_guards_accept():
    r = runner(ORDER, placed={"Order1": True, "Order2": False, "Order3": False})
    pay = r.interp.action("pay")
    pools = r.pools(pay, pay.params[0], {})
    assert pools.accepted == ("Order1",)
    assert [set(g) for g in pools.rejected] == [{"Order2", "Order3"}]


def test_actions_prefer_ones_that_can_succeed_and_that_have_not_yet():
    r = runner(ORDER)
    names = set(r.interp.actions)
    callable_ = {n for n in names if r._callable(r.interp.actions[n])}
    assert callable_ == {"place", "close_shop"}  # nothing is placed: nothing to pay, ship, deliver or cancel
    r = runner(ORDER, placed={"Order1": True, "Order2": False, "Order3": False})
    assert {n for n in names if r._callable(r.interp.actions[n])} == {"place", "pay", "cancel", "close_shop", "track"}


def test_each_run_draws_how_many_elements_a_set_has():
    source = (ROOT / "examples" / "leader_election.sf").read_text(encoding="utf-8")
    from examples.impl.leader_election import LeaderElection
    sizes: set[int] = set()

    def factory(Node):
        sizes.add(len(Node))
        return LeaderElection(Node=Node)
    case = seed(7)(machine_class(source, factory)).TestCase
    case.settings = settings(max_examples=30, stateful_step_count=5, deadline=None, database=None)
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    assert result.wasSuccessful(), result.failures + result.errors
    assert sizes == {1, 2, 3}


@pytest.mark.parametrize("name", ["bank", "order"])
def test_a_correct_implementation_gets_deep_into_the_state_space(name, monkeypatch):
    """Most calls succeed, and every action succeeds at least once (a random walk over the same
    examples mostly gets refused: see docs/testing.md)."""
    import importlib
    import re
    source = (ROOT / "examples" / f"{name}.sf").read_text(encoding="utf-8")
    cls_name = re.search(r"^spec (\w+)", source, re.M).group(1)
    factory = getattr(importlib.import_module(f"examples.impl.{name}"), cls_name)
    outcomes: list[tuple[str, bool]] = []
    original = SpecRunner.apply

    def apply(self, action, args):
        failed = self.interp.failed_guard(action, self.model, args)
        outcomes.append((action, failed is None))
        return original(self, action, args)
    monkeypatch.setattr(SpecRunner, "apply", apply)
    case = seed(11)(machine_class(source, factory)).TestCase
    case.settings = settings(max_examples=20, stateful_step_count=30, deadline=None, database=None)
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    assert result.wasSuccessful()
    succeeded = sum(ok for _, ok in outcomes)
    assert succeeded / len(outcomes) > 0.5
    assert {a for a, ok in outcomes if ok} == {a.name for a in spec_of(source).actions}


def test_dice_give_the_same_choices_for_the_same_integer_and_spread_small_ones():
    from specforge.testing.choices import Dice

    def rolls(seed, n=7, k=12):
        dice = Dice(seed)
        return [dice.below(n) for _ in range(k)]
    assert rolls(5) == rolls(5) and rolls(5) != rolls(6)
    assert all(0 <= r < 7 for s in range(50) for r in rolls(s))
    # hypothesis draws small integers often: even the first 256 must reach every option about evenly
    firsts = [rolls(s, k=1)[0] for s in range(256)]
    assert all(20 <= firsts.count(i) <= 55 for i in range(7)), [firsts.count(i) for i in range(7)]
    assert Dice(0).below(1) == 0


def test_a_swarm_leaves_one_action_out_in_about_half_the_runs_but_never_the_only_way_on():
    from specforge.testing.choices import Dice, _swarm

    spec = spec_of(ORDER)
    offs = [_swarm(spec, s) for s in range(400)]
    assert 150 <= sum(1 for o in offs if o) <= 250 and all(len(o) <= 1 for o in offs)
    assert {a for o in offs for a in o} == {a.name for a in spec.actions}
    assert _swarm(spec, None) == frozenset()
    # with `place` left out and nothing placed, close_shop is the only other action that can succeed; once
    # it (and open_shop) have, `place` is chosen still, as the least successful action
    r = runner(ORDER)
    r.off = frozenset({"place"})
    assert "place" not in {r.choose_action(Dice(s)).name for s in range(300)}
    r.successes = {"close_shop": 1, "open_shop": 1}
    assert "place" in {r.choose_action(Dice(s)).name for s in range(300)}
    r = runner(ORDER, shop_open=False)
    r.off = frozenset({"open_shop"})
    assert "open_shop" in {r.choose_action(Dice(s)).name for s in range(300)}  # the only one that can succeed


def test_an_argument_with_an_open_side_is_also_drawn_across_magnitudes():
    from specforge.testing.choices import Dice, _wide

    dice = Dice(7)
    values = [_wide((1, None), dice) for _ in range(400)]
    assert min(values) >= 1 and max(values) > 10**9  # far past the spec's own numbers
    assert sum(1 for v in values if 5_000 <= v < 50_000) > 10  # every magnitude has its turn
    assert all(-3 <= _wide((None, -3), dice) <= -3 or _wide((None, -3), dice) <= -3 for _ in range(50))
    assert all(10 <= _wide((10, 20), dice) <= 20 for _ in range(50))


def test_a_bug_at_a_size_only_the_implementation_knows_is_caught():
    import unittest

    from hypothesis import Phase, settings

    from examples.impl.purse import Purse
    from examples.mutants.purse import LargeDepositDoubled
    from specforge.testing.generate import machine_class

    source = (ROOT / "examples" / "purse.sf").read_text()
    outcomes = []
    for factory in (Purse, LargeDepositDoubled):
        case = machine_class(source, factory, "examples/purse.sf").TestCase
        case.settings = settings(max_examples=100, stateful_step_count=50, deadline=None, derandomize=True,
                                 phases=[Phase.explicit, Phase.reuse, Phase.generate], database=None)
        result = unittest.TestResult()
        case("runTest").run(result)
        outcomes.append(result.wasSuccessful())
    assert outcomes == [True, False]
