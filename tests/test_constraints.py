"""`constraint` declarations: the operating envelope, read into the IR, reported when malformed, and judged
by `specforge load` on a running implementation (latency, cost, error rate, throughput); `prove` says it
does not judge them. Runs are short and their margins generous: functional tests, not speed tests."""

from __future__ import annotations

import decimal
import json
from fractions import Fraction

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.frontend import load, load_text
from specforge.load.budget import Measured, from_constraint, judge
from specforge.load.engine import LoadRun
from specforge.load.report import results
from specforge.prove import prove
from specforge.structure import obligation_ids

from .support import ROOT, reported

ENVELOPE = """\
spec Gateway
unit USD
unit cents = 0.01 USD
state { calls: nat }
init { calls := 0 }
action call(n: int[1..3]) {
  calls := calls + 1
}
action ping() {
  calls := calls
}
"""


def constraint(text: str):
    loaded = load_text(ENVELOPE + text, "gateway.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec.constraints[-1]


@pytest.mark.parametrize(("text", "metric", "stat", "action", "op", "bound", "under"), [
    ("constraint C-1 MUST \"fast\": p99(latency(call)) <= 250 ms under 10_000 per min",
     "latency", "p99", "call", "<=", 250, 14_400_000),
    ("constraint C-2 SHOULD: max(latency) < 2 s", "latency", "max", None, "<", 2000, None),
    ("constraint C-3: p999(latency) < 1 s", "latency", "p99.9", None, "<", 1000, None),
    ("constraint C-4: error_rate <= 0.1 percent", "error_rate", None, None, "<=", 1000, None),
    ("constraint C-5 MAY: throughput >= 100 per s", "throughput", None, None, ">=", 8_640_000, None),
    ("constraint C-6: p95(cost(call)) < 1 cents", "cost", "p95", "call", "<", 1, None),
])
def test_a_constraint_is_read_into_its_parts(text, metric, stat, action, op, bound, under):
    c = constraint(text + "\n")
    assert (c.metric, c.stat, c.action, c.op.value, c.bound_value, c.under_value) == \
        (metric, stat, action, op, bound, under)


@pytest.mark.parametrize(("text", "code", "words"), [
    ("constraint C-1: p99(latency(pong)) <= 250 ms", "SF241", "did you mean `ping`?"),
    ("constraint C-1: p99(latency(call)) <= 250", "SF241", "did you mean `250 ms`?"),
    ("constraint C-1: p42x(latency) <= 1 s", "SF241", "is not a statistic"),
    ("constraint C-1: error_rate <= 2", "SF241", "a fraction of the calls"),
    ("constraint C-1: error_rate <= 1.5", "SF241", "between 0 and 1"),
    ("constraint C-1: throughput >= 100", "SF241", "e.g. `100 per s`"),
    ("constraint C-1: p95(cost) < 5 ms", "SF241", "a cost bound is an amount"),
    ("constraint C-1: p99(latency) == 1 s", "SF241", "using <, <=, > or >="),
    ("constraint C-1: p99(latency) < calls * 1 s", "SF241", "must be a constant"),
    ("constraint C-1: p99(latency) < 1 s under 5 s", "SF241", "`under 10_000 per min`"),
    ("constraint C-1: speed < 1 s", "SF241", "measures latency, cost, error_rate or throughput"),
    ("invariant C-1: calls >= 0\nconstraint C-1: max(latency) < 1 s", "SF210", "used twice"),
])
def test_a_malformed_constraint_is_reported(text, code, words):
    loaded = load_text(ENVELOPE + text + "\n", "gateway.sf")
    assert reported(loaded, code, words), [d.render(loaded.source) for d in loaded.diagnostics]


def test_a_constraint_is_judged_as_a_budget():
    b = from_constraint(constraint("constraint C-1 SHOULD: p95(cost(call)) < 0.5 cents under 600 per min\n"))
    assert (b.level, b.metric, b.stat, b.action, b.op, b.bound, b.under, b.unit) == \
        ("SHOULD", "cost", "p95", "call", "<", Fraction(1, 200), Fraction(10), "USD")
    assert b.text == "C-1: p95(cost(call)) < 0.005 USD under 10 per s"
    cheap = [Fraction(4, 1000)] * 20
    m = Measured({"call": [1.0] * 20}, 20, 0, 20, 1.0, 20.0, {"call": cheap})
    assert judge(b, m).status == "met"
    one = cheap[:-1] + [Fraction(1, 100)]
    assert judge(b, Measured({}, 20, 0, 20, 1.0, 20.0, {"call": one})).status == "met"  # p95 of 20: the 19th
    two = cheap[:-2] + [Fraction(1, 100)] * 2
    assert judge(b, Measured({}, 20, 0, 20, 1.0, 20.0, {"call": two})).status == "broken"
    m = Measured({"call": [1.0] * 20}, 20, 0, 20, 1.0, 20.0, {})
    assert judge(b, m).status == "unjudged" and "no cost was reported" in judge(b, m).reason


class Gateway:
    """Reports what each call cost, as `last_cost`, in USD."""

    price = decimal.Decimal("0.004")

    def __init__(self):
        self.calls = 0
        self.last_cost = None

    def call(self, n):
        self.calls += 1
        self.last_cost = self.price * n

    def ping(self):
        self.last_cost = None  # free: no cost reported


class Expensive(Gateway):
    price = decimal.Decimal("0.006")


@pytest.mark.parametrize(("factory", "status"), [(Gateway, "met"), (Expensive, "broken")])
def test_load_judges_the_cost_an_implementation_reports(factory, status):
    spec = load_text(ENVELOPE + "constraint COST-1: max(cost(call)) <= 1.2 cents\n", "gateway.sf").spec
    run = LoadRun(spec, factory, None, 100.0, 1.0, tuple(obligation_ids(spec)))
    run.warm(2)
    r = results("gateway.sf", "test", 100.0, 1.0, run.run(), [from_constraint(c) for c in spec.constraints])
    verdict = r.verdicts[0]
    assert verdict.status == status, verdict
    assert r.actions["call"]["cost"]["max"] == pytest.approx(float(factory.price) * 3, abs=1e-9)


@pytest.mark.parametrize(("impl", "code", "status"), [("OrderLifecycle", 0, "met"), ("SlowTracking", 3, "broken")])
def test_the_order_examples_latency_constraint_is_judged_by_load(impl, code, status, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["load", "examples/order.sf", "--impl", f"examples.impl.order:{impl}",
                                       "--rate", "10_000 per min", "--duration", "6 s", "--json", "-"])
    report = json.loads(result.stdout)
    verdict = next(v for v in report["budgets"] if v["budget"].startswith("ORD-LAT-1:"))
    assert verdict["status"] == status, verdict
    assert result.exit_code == code, result.output


def test_prove_says_it_does_not_judge_constraints():
    report = prove(load(str(ROOT / "examples" / "order.sf")).spec)
    note = next(f for f in report.findings if f.kind == "constraints")
    assert note.severity == "note" and note.ids == ["ORD-LAT-1", "ORD-LAT-2"] and "specforge load" in note.message


def test_the_email_triage_example_meets_its_latency_cost_and_error_constraints(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["load", "examples/email_triage.sf", "--impl",
                                       "examples.impl.email_triage:EmailTriage", "--rate", "100/s", "--duration",
                                       "3 s", "--json", "-"])
    report = json.loads(result.stdout)
    verdicts = {v["budget"].split(":")[0]: v for v in report["budgets"]}
    assert verdicts["ET-LAT"]["status"] == "met" and verdicts["ET-ERR"]["status"] == "met", verdicts
    assert verdicts["ET-COST"]["status"] == "met" and 0 < verdicts["ET-COST"]["observed"] < 0.01, verdicts
    assert result.exit_code == 0, result.output
