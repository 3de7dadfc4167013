"""Decimals, `def`s and a spec's own units, each as a spec that holds and one that does not: the prover's
verdicts against a brute-force search with the interpreter and against TLC, and a property test that
kills an implementation that mishandles the construct (tests/test_decimals.py, test_defs.py and
test_units.py check each construct's meaning; this file checks that the back ends agree on it)."""

from __future__ import annotations

import re

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.values import Universe

from .support import passes, reachable
from .test_decimals import TRIAGE
from .test_tla_support import needs_tlc, run_tlc, write
from .test_tla_tlc import bounds_of

SHELF = """\
spec Shelf
set Item
const LIMIT: int = 3
state {
  count: map[Item, int]
}
init {
  count := {i: 0 for i in Item}
}
def full(i: Item): bool = count[i] >= LIMIT
def room(i: Item): int = LIMIT - count[i]
invariant CAP: forall i in Item: room(i) >= 0
action put(i: Item) {
  requires not full(i) else Full
  count[i] := count[i] + 1
}
"""

WALLET = """\
spec Wallet
unit USD
unit cents = 0.01 USD
const CAP: USD = 0.05 USD
const PRICE: USD = 2 cents
state {
  spent: USD
}
init {
  spent := 0
}
invariant W-1: spent <= CAP
action buy() {
  requires spent + PRICE <= CAP else OverBudget
  spent := spent + PRICE
}
"""

# name -> (the spec that holds, the line whose removal breaks it, the invariant that breaks, int values)
CASES = {
    "decimals": (TRIAGE, "  requires spent + FEE <= 0.05 else Budget\n", "T-2",
                 [0, 1, 650_000, 1_000_000]),
    "defs": (SHELF, "  requires not full(i) else Full\n", "CAP", [0, 1]),
    "money": (WALLET, "  requires spent + PRICE <= CAP else OverBudget\n", "W-1", [0, 1]),
}


def spec_of(text: str):
    loaded = load_text(text, "agree.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


def brute_force(spec, ints, depth: int) -> set[str]:
    broken: set[str] = set()
    for size in (1, 2):
        it = Interpreter(spec, Universe({s.name: tuple(f"{s.name}{k}" for k in range(1, size + 1))
                                         for s in spec.sets}))
        for state in reachable(it, ints, depth):
            broken |= set(it.violations(state))
    return broken


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("broken", [False, True], ids=["holds", "guard removed"])
def test_the_prover_and_brute_force_agree(name, broken):
    text, line, target, ints = CASES[name]
    spec = spec_of(text.replace(line, "") if broken else text)
    report = prove(spec, depth=12, timeout=20.0)
    violated = {r.id for r in report.invariants if r.verdict is Verdict.VIOLATED}
    assert all(r.verdict is Verdict.PROVED for r in report.invariants if r.id not in violated)
    assert (target in violated) is broken
    assert violated == brute_force(spec, ints, 11)


@needs_tlc
@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("broken", [False, True], ids=["holds", "guard removed"])
def test_tlc_agrees(name, broken, tmp_path):
    from specforge.tla import export_tla

    text, line, target, _ = CASES[name]
    # the decimal budget breaks after 11 calls: past the model's default 6 steps
    x = export_tla(spec_of(text.replace(line, "") if broken else text), bounds_of(["MaxSteps=12"]))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    if broken:
        assert re.search(rf"Error: Invariant Inv_{target.replace('-', '_')} is violated", out), out
    else:
        assert "Model checking completed. No error has been found." in out, out


# ---- implementations: a faithful one passes, one that mishandles the construct is caught ----------------


class Full(Exception):
    pass


class OverBudget(Exception):
    pass


class Shelf:
    LIMIT = 3

    def __init__(self, Item=(), off_by_one=False):
        self.count = {i: 0 for i in Item}
        self.off_by_one = off_by_one

    def put(self, i):
        # `full(i)` is `count[i] >= LIMIT`; the mutant reads it as `>`
        if self.count[i] > self.LIMIT if self.off_by_one else self.count[i] >= self.LIMIT:
            raise Full()
        self.count[i] += 1


class Wallet:
    def __init__(self, cents_as_dollars=False):
        # the spec counts USD in cents (its finest unit); the implementation keeps dollars as Decimal
        import decimal

        self.spent = decimal.Decimal(0)
        self.price = decimal.Decimal(2) if cents_as_dollars else decimal.Decimal("0.02")
        self.cap = decimal.Decimal("0.05")

    def buy(self):
        if self.spent + self.price > self.cap:
            raise OverBudget()
        self.spent += self.price


def test_a_def_mishandled_by_the_implementation_is_caught():
    assert passes(SHELF, lambda Item=(): Shelf(Item))
    assert not passes(SHELF, lambda Item=(): Shelf(Item, off_by_one=True))


def test_money_in_the_wrong_unit_is_caught():
    assert passes(WALLET, Wallet)
    assert not passes(WALLET, lambda: Wallet(cents_as_dollars=True))
