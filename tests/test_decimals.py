"""Decimals: exact fixed-point numbers (`0.65`, `65 percent`), counted in millionths in every back end."""

from __future__ import annotations

import decimal

import pytest

from specforge.frontend import load_text
from specforge.prove import Verdict, prove
from specforge.tla import export_tla
from specforge.values import show

from .support import passes, reported

TRIAGE = """\
spec Triage "decimals"
const THRESHOLD: decimal = 0.65
const FEE: decimal = 0.5 percent
state {
  confidence: decimal
  spent: decimal
  queued: nat
}
init {
  confidence := 1
  spent := 0
  queued := 0
}
invariant T-1: 0 <= confidence <= 1
invariant T-2: spent <= 10 * FEE
action classify(c: decimal) {
  requires 0.0 <= c <= 1.0 else InvalidConfidence
  requires spent + FEE <= 0.05 else Budget
  confidence := c
  spent := spent + FEE
  queued := if c < THRESHOLD then queued + 1 else queued
}
"""


def check(text: str):
    return load_text(text, "triage.sf")


def value_of(expr: str):
    loaded = check(TRIAGE + f"const PROBE: decimal = {expr}\n")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return next(c for c in loaded.spec.consts if c.name == "PROBE").evaluated


@pytest.mark.parametrize(("expr", "millionths", "shown"), [
    ("0.65", 650_000, "0.65"),
    ("65 percent", 650_000, "0.65"),
    ("0.1 + 0.2", 300_000, "0.3"),  # exact: no binary rounding
    ("1", 1_000_000, "1.0"),  # an int literal is exact as a decimal
    ("0.000001", 1, "0.000001"),
    ("0.5 * 3", 1_500_000, "1.5"),
    ("-0.25", -250_000, "-0.25"),
])
def test_a_decimal_is_an_exact_number_of_millionths(expr, millionths, shown):
    v = value_of(expr)
    assert v == millionths
    assert show(v, check(TRIAGE).spec.state[0].type.resolved) == shown


@pytest.mark.parametrize(("text", "code", "words"), [
    ("const P: decimal = 0.1234567\n", "SF107", "more than 6 decimal places"),
    ("const P: decimal = 0.5 * 0.5\n", "SF204", "cannot multiply two decimals"),
    ("const P: int = 0.65\n", "SF204", "is int, but this value is a decimal"),
    ("invariant P: queued < THRESHOLD\n", "SF204", "declare it `decimal`"),
    ("const P: duration = 0.5\n", "SF203", "duration"),
])
def test_a_misused_decimal_is_reported(text, code, words):
    loaded = check(TRIAGE + text)
    assert reported(loaded, code, words), [d.render(loaded.source) for d in loaded.diagnostics]


def test_the_prover_proves_and_refutes_decimal_bounds():
    assert all(r.verdict is Verdict.PROVED for r in prove(check(TRIAGE).spec).invariants)
    broken = check(TRIAGE.replace("  requires spent + FEE <= 0.05 else Budget\n", "")).spec
    t2 = next(r for r in prove(broken, depth=12).invariants if r.id == "T-2")
    assert t2.verdict is Verdict.VIOLATED and t2.run.steps == 11


def test_tla_counts_decimals_in_millionths():
    x = export_tla(check(TRIAGE).spec)
    assert "THRESHOLD == 650000  \\* 0.65, in millionths" in x.tla
    assert "confidence <= 1000000" in x.tla


class Triage:
    THRESHOLD = decimal.Decimal("0.65")
    FEE = decimal.Decimal("0.005")

    def __init__(self):
        self.confidence, self.spent, self.queued = decimal.Decimal(1), decimal.Decimal(0), 0

    def classify(self, c: decimal.Decimal) -> None:
        if not 0 <= c <= 1:
            raise ValueError("InvalidConfidence")
        if self.spent + self.FEE > decimal.Decimal("0.05"):
            raise ValueError("Budget")
        self.confidence, self.spent = c, self.spent + self.FEE
        self.queued += c < self.THRESHOLD


class InvalidConfidence(Exception):
    pass


class Budget(Exception):
    pass


class Exact(Triage):
    def classify(self, c):
        try:
            super().classify(c)
        except ValueError as e:
            raise {"InvalidConfidence": InvalidConfidence, "Budget": Budget}[str(e)]() from None


class FloatThreshold(Exact):
    """Compares in binary floating point with a threshold read as 0.65 from a percentage: 65 / 100
    rounds, and a confidence of exactly 0.65 goes to the human queue."""

    def classify(self, c):
        before = self.queued
        super().classify(c)
        self.queued = before + (float(c) <= 0.65)


def run(factory) -> bool:
    return passes(TRIAGE, factory)


def test_a_decimal_implementation_passes_and_a_float_boundary_mutant_is_caught():
    assert run(Exact)
    assert not run(FloatThreshold)
