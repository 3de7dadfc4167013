"""Units of the spec's own (`unit USD`, `unit cents = 0.01 USD`), data sizes and rates, in every back end.

A declared root unit is a dimension; its values count the finest fraction of the root the spec needs
(here 1/1000 USD, for a price of 0.3 cents), so they are exact integers everywhere.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

import pytest

from specforge.frontend import load_text
from specforge.prove import Verdict, prove
from specforge.tla import export_tla
from specforge.values import show

from .support import passes, reported

METERED = """\
spec Metered "an LLM gateway's spend, tokens and uploads"
unit USD
unit cents = 0.01 USD
unit tokens
const PRICE: cents = 0.3 cents
const BUDGET: USD = 0.012 USD
const MAX_UPLOAD: datasize = 2 KB
const PEAK: frequency = 600 per min
state {
  spent: USD
  used: tokens
  stored: datasize
}
init {
  spent := 0 USD
  used := 0 tokens
  stored := 0 B
}
invariant M-1: spent <= BUDGET
invariant M-2: stored <= 4 * MAX_UPLOAD
invariant M-3: used <= 5 * 4000 tokens
action call(t: tokens) {
  requires 1 tokens <= t and t <= 4000 tokens else TooLong
  requires spent + PRICE <= BUDGET else OverBudget
  spent := spent + PRICE
  used := used + t
}
action upload(size: datasize) {
  requires 0 B < size and size <= MAX_UPLOAD else TooLarge
  requires stored + size <= 4 * MAX_UPLOAD else Full
  stored := stored + size
}
"""


def check(text: str):
    return load_text(text, "metered.sf")


def const(text: str, name: str):
    loaded = check(text)
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return next(c for c in loaded.spec.consts if c.name == name)


@pytest.mark.parametrize(("decl", "base", "dimension", "shown"), [
    ("const P: USD = 1 USD", 1000, "USD/1000", "1 USD"),  # counted in 1/500 USD: the spec's finest amount
    ("const P: USD = 3 cents", 30, "USD/1000", "0.03 USD"),
    ("const P: cents = 0.2 cents + 1 cents", 12, "USD/1000", "0.012 USD"),
    ("const P: tokens = 4_000 tokens", 4000, "tokens", "4000 tokens"),
    ("const P: datasize = 2 KB", 2000, "size", "2 KB"),
    ("const P: datasize = 1 KiB", 1024, "size", "1024 B"),
    ("const P: datasize = 3 MB - 1 MB", 2_000_000, "size", "2 MB"),
    ("const P: frequency = 600 per min", 864_000, "rate", "10 per s"),
    ("const P: frequency = 5 per h", 120, "rate", "5 per h"),
])
def test_a_quantity_is_an_exact_count_of_its_dimensions_finest_unit(decl, base, dimension, shown):
    c = const(METERED + decl + "\n", "P")
    assert (c.evaluated, c.type.resolved.dimension) == (base, dimension)
    assert show(c.evaluated, c.type.resolved) == shown


def test_the_finest_literal_sets_the_count_and_a_spec_without_fractions_counts_whole_units():
    assert const(METERED.replace("0.3 cents", "3 cents"), "BUDGET").type.resolved.dimension == "USD/500"  # 0.012 USD
    assert const(METERED + "const Q: USD = 0.0001 USD\n", "BUDGET").type.resolved.dimension == "USD/10000"
    plain = "spec P\nunit eggs\nunit dozen = 12 eggs\nconst D: eggs = 2 dozen\nstate { x: int }\ninit { x := 0 }\n"
    assert (const(plain, "D").evaluated, const(plain, "D").type.resolved.dimension) == (24, "eggs")


def test_a_unit_may_be_used_before_it_is_declared():
    text = "spec P\nconst D: cents = 5 cents\nunit cents = 0.01 USD\nunit USD\nstate { x: int }\ninit { x := 0 }\n"
    assert const(text, "D").evaluated == 5


@pytest.mark.parametrize(("text", "code", "words"), [
    ("unit s\n", "SF114", "`s` is a built-in unit"),
    ("unit mills = 0.001 USDD\n", "SF110", "unknown unit `USDD`"),
    ("unit a = 2 b\nunit b = 3 a\n", "SF114", "defined in terms of itself"),
    ("unit nothing = 0 USD\n", "SF114", "positive amount"),
    ("const P: USD = 3 centz\n", "SF110", "did you mean `cents`?"),
    ("const P: USD = 0.0000001 USD\n", "SF107", "finer than a millionth of USD"),
    ("const P: USD = 5 tokens\n", "SF203", "is USD, but this value is tokens"),
    ("const P: USD = 5\n", "SF204", "did you mean `5 USD`?"),
    ("const P: datasize = 3\n", "SF204", "did you mean `3 KB`?"),
    ("const P: frequency = 5 per week\n", "SF107", "not a whole number per day"),
    ("const P: frequency = 5 per kg\n", "SF110", "not a unit of time"),
    ("const P: USD = 5 USD * 2 USD\n", "SF204", ""),
    ("state { unit: int }\n", "SF102", "keyword"),
])
def test_a_misused_unit_is_reported(text, code, words):
    loaded = check(METERED + text)
    assert reported(loaded, code, words), [d.render(loaded.source) for d in loaded.diagnostics]


def test_the_prover_proves_and_refutes_money_and_size_bounds():
    assert all(r.verdict is Verdict.PROVED for r in prove(check(METERED).spec).invariants)
    broken = check(METERED.replace("  requires spent + PRICE <= BUDGET else OverBudget\n", "")).spec
    m1 = next(r for r in prove(broken, depth=8).invariants if r.id == "M-1")
    assert m1.verdict is Verdict.VIOLATED and m1.run.steps == 5  # four calls of 0.003 USD fit in 0.012 USD


def test_tla_counts_each_dimension_in_its_finest_unit():
    x = export_tla(check(METERED).spec)
    assert "PRICE == 3  \\* 0.3 cents, in 1/1000 USD" in x.tla
    assert "MAX_UPLOAD == 2000  \\* 2 KB, in B" in x.tla
    assert "PEAK == 864000  \\* 600 per min, in per day" in x.tla


class Gateway:
    """Keeps money as an exact Decimal in USD and sizes as bytes, as the binding passes them."""

    PRICE, BUDGET, MAX_UPLOAD = decimal.Decimal("0.003"), decimal.Decimal("0.012"), 2000

    def __init__(self):
        self.spent, self.used, self.stored = decimal.Decimal(0), 0, 0

    def call(self, t: int) -> None:
        if not 1 <= t <= 4000:
            raise TooLong()
        if self.spent + self.PRICE > self.BUDGET:
            raise OverBudget()
        self.spent += self.PRICE
        self.used += t

    def upload(self, size: int) -> None:
        if not 0 < size <= self.MAX_UPLOAD:
            raise TooLarge()
        if self.stored + size > 4 * self.MAX_UPLOAD:
            raise Full()
        self.stored += size


class TooLong(Exception):
    pass


class OverBudget(Exception):
    pass


class TooLarge(Exception):
    pass


class Full(Exception):
    pass


class KibibyteLimit(Gateway):
    """Reads `2 KB` as 2 KiB and accepts uploads of up to 2048 bytes."""

    MAX_UPLOAD = 2048


class FloatMoney(Gateway):
    """Adds prices in binary floating point: 0.003 + 0.003 + 0.003 is 0.009000000000000001."""

    def __init__(self):
        super().__init__()
        self.spent = 0.0

    def call(self, t: int) -> None:
        if not 1 <= t <= 4000:
            raise TooLong()
        if self.spent + 0.003 > 0.012 + 1e-9:
            raise OverBudget()
        self.spent += 0.003
        self.used += t


def run(factory) -> bool:
    return passes(METERED, factory)


def test_an_exact_implementation_passes_and_unit_mistakes_are_caught():
    assert run(Gateway)
    assert not run(KibibyteLimit)
    assert not run(FloatMoney)


def test_the_binding_passes_money_as_a_decimal_sizes_and_counts_as_ints_and_rates_per_second():
    from specforge.testing.binding import _counted, _shown
    from specforge.units import dimension

    usd, size, rate = dimension("USD/1000"), dimension("size"), dimension("rate")
    assert _shown(12, usd) == decimal.Decimal("0.012") and _counted(decimal.Decimal("0.012"), "x", usd) == 12
    assert _shown(2000, size) == 2000 and _counted(2000, "x", size) == 2000
    assert _shown(864_000, rate) == Fraction(10)
    assert _counted(0.3, "x", usd) == 300  # a float is read as it prints
    assert _counted(0.1 + 0.2, "x", usd) != 300  # 0.30000000000000004: not exact, so a comparison fails
