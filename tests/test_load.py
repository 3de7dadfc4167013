"""`specforge load`: nearest-rank percentiles against known distributions, budgets read and judged (too few
samples refused), and open-loop runs of the example implementations: a fast one meets a latency budget a
slow one breaks (generous margins: a functional test, not a speed test), the buggy service is caught by
the oracle, and Ctrl-C stops with the partial report. Network: 127.0.0.1 only, runs of a few seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from examples.impl.bank import BankAccount
from specforge.cli import main
from specforge.frontend import load
from specforge.load.budget import (
    BudgetError,
    Measured,
    judge,
    parse_budget,
    parse_rate,
    percentile,
    samples_needed,
    summary,
)
from specforge.load.engine import LoadRun
from specforge.load.report import html_page, results, svg_plot, table
from specforge.structure import obligation_ids

ROOT = Path(__file__).resolve().parents[1]
BANK_ACTIONS = ["deposit", "withdraw", "start_new_day", "freeze", "unfreeze"]


# ---- percentiles ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("samples", "stat", "expected"), [
    (range(1, 101), "p50", 50),      # rank ceil(0.5 * 100) = 50
    (range(1, 101), "p90", 90),
    (range(1, 101), "p95", 95),
    (range(1, 101), "p99", 99),
    (range(1, 101), "max", 100),
    (range(1, 11), "p50", 5),        # rank 5 of 10
    (range(1, 11), "p90", 9),
    (range(1, 1001), "p99.9", 999),
    ([7, 7, 7, 100], "p50", 7),      # always an observed value, never interpolated
    ([3, 1], "p50", 1),              # rank ceil(1) = 1 of the sorted samples
    ([10] * 99 + [1000], "p99", 10),  # one slow call in 100 is above the 99th percentile
    ([10] * 98 + [1000] * 2, "p99", 1000),
])
def test_a_percentile_is_the_sample_at_its_nearest_rank(samples, stat, expected):
    assert percentile(sorted(samples), stat) == expected


@pytest.mark.parametrize(("stat", "needed"), [("p50", 2), ("p90", 10), ("p95", 20), ("p99", 100),
                                              ("p99.9", 1000), ("max", 1)])
def test_a_percentile_needs_enough_samples_that_one_lies_above_it(stat, needed):
    assert samples_needed(stat) == needed


def test_a_summary_leaves_out_what_too_few_samples_cannot_tell():
    assert summary([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]) == {"p50": 5, "p90": 9, "p95": None, "p99": None, "max": 10}


# ---- budgets --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level", "metric", "stat", "action", "op", "bound"), [
    ("p99(latency(withdraw)) <= 250 ms", "MUST", "latency", "p99", "withdraw", "<=", 250),
    ("SHOULD p95(latency) < 2.5 s", "SHOULD", "latency", "p95", None, "<", 2500),
    ("max(latency(deposit)) <= 1 min", "MUST", "latency", "max", "deposit", "<=", 60_000),
    ("p50(latency) ≤ 500 us", "MUST", "latency", "p50", None, "<=", Fraction(1, 2)),
    ("error_rate <= 1%", "MUST", "error_rate", None, None, "<=", Fraction(1, 100)),
    ("MAY error_rate < 0.05", "MAY", "error_rate", None, None, "<", Fraction(1, 20)),
    ("throughput >= 100/s", "MUST", "throughput", None, None, ">=", 100),
    ("throughput >= 6_000 per min", "MUST", "throughput", None, None, ">=", 100),
])
def test_a_budget_is_read_into_its_parts(text, level, metric, stat, action, op, bound):
    b = parse_budget(text, BANK_ACTIONS)
    assert (b.level, b.metric, b.stat, b.action, b.op, b.bound) == (level, metric, stat, action, op, bound)


@pytest.mark.parametrize(("text", "says"), [
    ("p99(latency(withdrawl)) <= 250 ms", "did you mean `withdraw`?"),
    ("p99(latency) <= 250", "not a duration"),
    ("p100(latency) <= 250 ms", "not a statistic"),
    ("latency <= 250 ms", "not a metric"),
    ("error_rate 1%", "no comparison"),
    ("error_rate <= 150%", "more than 100%"),
    ("throughput >= 100", "not a rate"),
])
def test_a_budget_that_cannot_be_read_says_why(text, says):
    with pytest.raises(BudgetError, match=says.replace("?", r"\?")):
        parse_budget(text, BANK_ACTIONS)


def measured(latencies, calls=100, violations=0, good=100, seconds=10.0, offered=10.0) -> Measured:
    return Measured(latencies, calls, violations, good, seconds, offered)


@pytest.mark.parametrize(("text", "m", "status"), [
    ("p99(latency) <= 100 ms", measured({"a": [50] * 100}), "met"),
    ("p99(latency) <= 100 ms", measured({"a": [50] * 98 + [150] * 2}), "broken"),
    ("p99(latency) <= 100 ms", measured({"a": [50] * 99}), "unjudged"),
    ("p99(latency(b)) <= 100 ms", measured({"a": [50] * 100, "b": [500] * 10}), "unjudged"),
    ("p90(latency(b)) <= 100 ms", measured({"a": [50] * 100, "b": [500] * 10}), "broken"),
    ("error_rate <= 1%", measured({}, calls=100, violations=1), "met"),
    ("error_rate <= 1%", measured({}, calls=100, violations=2), "broken"),
    ("error_rate <= 0%", measured({}, calls=0), "unjudged"),
    ("throughput >= 10/s", measured({}, good=100, seconds=10.0), "met"),
    ("throughput >= 10/s", measured({}, good=99, seconds=10.0), "broken"),
    ("p50(latency) <= 1 s under 20/s", measured({"a": [5] * 10}, offered=10.0), "unjudged"),
    ("p50(latency) <= 1 s under 600 per min", measured({"a": [5] * 10}, offered=10.0), "met"),
])
def test_a_budget_is_judged_on_what_was_measured(text, m, status):
    assert judge(parse_budget(text), m).status == status


def test_too_few_samples_are_refused_with_how_many_are_needed():
    verdict = judge(parse_budget("p99(latency) <= 100 ms"), measured({"a": [1.0] * 42}))
    assert verdict.status == "unjudged" and verdict.observed is None
    assert "needs at least 100 samples" in verdict.reason and "has 42" in verdict.reason


def test_rates_are_per_second():
    assert parse_rate("200/s") == 200 and parse_rate("10_000 per min") == Fraction(500, 3)


# ---- runs on a Python implementation --------------------------------------------------------------------

class SlowBank(BankAccount):
    """Correct, but every call takes 150 ms."""

    def __getattribute__(self, name):
        attr = super().__getattribute__(name)
        if callable(attr) and name in BANK_ACTIONS:
            time.sleep(0.15)
        return attr


@pytest.fixture(scope="module")
def bank():
    loaded = load(str(ROOT / "examples/bank.sf"))
    return loaded.spec, loaded.source.text


def run_on(bank, factory, budgets, rate=40.0, seconds=1.5):
    spec, source = bank
    run = LoadRun(spec, factory, None, rate, seconds, tuple(obligation_ids(spec)), source=source)
    run.warm(2)
    outcome = run.run()
    return results("bank.sf", "test", rate, seconds, outcome, [parse_budget(b) for b in budgets])


@pytest.mark.parametrize(("factory", "code"), [(BankAccount, 0), (SlowBank, 3)])
def test_a_slow_implementation_breaks_its_latency_budget_and_a_fast_one_meets_it(bank, factory, code):
    r = run_on(bank, factory, ["p50(latency) <= 75 ms", "error_rate <= 0%"])
    latency = r.verdicts[0]
    assert r.exit_code == code, table(r)
    assert latency.status == ("met" if code == 0 else "broken")
    assert r.errors == 0, table(r)
    if code:
        assert latency.observed >= 150  # every call sleeps that long, and latency counts from the schedule


def test_an_open_loop_run_offers_the_rate_whatever_the_answers_take(bank):
    r = run_on(bank, SlowBank, [], rate=40.0, seconds=1.5)
    assert r.overall["calls"] == 60  # every scheduled call was sent: the slow answers did not hold any back
    assert r.outcome.sessions >= 5  # 40/s at 150 ms each needs about 6 at once


# ---- the command, on the example HTTP service -----------------------------------------------------------

@pytest.fixture
def server():
    pytest.importorskip("httpx")
    pytest.importorskip("flask")
    from examples.web.bank_service import Server

    servers = []

    def start(variant):
        s = Server(variant).__enter__()
        servers.append(s)
        return s.url
    yield start
    for s in servers:
        s.__exit__(None, None, None)


def load_args(url, *more):
    return ["load", "examples/bank.sf", "--http", "examples/web/bank.toml", "--base-url", url,
            "--rate", "30/s", "--duration", "2 s", *more]


def test_the_example_service_passes_load_with_a_report(server, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page, data = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(main, load_args(server("correct"), "--rate", "60/s", "--budget",
                                                "p50(latency) <= 150 ms", "--html", str(page), "--json", str(data)))
    assert result.exit_code == 0, result.output  # the binding file's p99 budget is judged: 120 calls
    report = json.loads(data.read_text())
    assert report["errors"] == 0 and report["overall"]["calls"] == 120
    assert report["percentile_method"].startswith("nearest-rank")
    assert {b["budget"]: b["status"] for b in report["budgets"]}["p50(latency) <= 150 ms"] == "met"
    assert "\r" not in result.output  # the progress line is for a terminal only
    assert "<svg" in page.read_text() and "<script" not in page.read_text()


def test_the_slow_service_breaks_its_latency_budget(server, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, load_args(server("slow"), "--budget", "p50(latency) <= 150 ms"))
    assert result.exit_code == 3, result.output
    assert "BROKEN    p50(latency) <= 150 ms" in result.output


def test_the_buggy_service_is_caught_by_the_oracle_under_load(server, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, load_args(server("buggy"), "--rate", "100/s", "--observe", "every"))
    assert result.exit_code == 3, result.output
    assert "BROKEN    error_rate <= 0%" in result.output
    assert "as it should, but changed the state" in result.output


def test_a_budget_naming_an_unknown_action_is_a_usage_error(server, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, load_args("http://127.0.0.1:9", "--budget", "p99(latency(withdrawl)) < 1 s"))
    assert result.exit_code == 2 and "did you mean `withdraw`?" in result.output


def test_a_service_that_is_not_there_is_a_usage_error(monkeypatch):
    pytest.importorskip("httpx")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, load_args("http://127.0.0.1:9", "--timeout", "1"))
    assert result.exit_code == 2 and "cannot make a fresh implementation" in result.output


def test_ctrl_c_stops_the_run_with_the_partial_report():
    pytest.importorskip("httpx")
    pytest.importorskip("flask")
    from examples.web.bank_service import Server

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with Server("correct") as service:
        proc = subprocess.Popen([sys.executable, "-m", "specforge", *load_args(service.url)[:-2], "--duration",
                                 "60 s"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while service.requests < 20 and time.monotonic() < deadline:  # under way: past start-up and warm-up
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "INTERRUPTED" in out, out + err
    assert "Traceback" not in err


def test_the_plot_is_svg_with_a_point_per_call(bank):
    r = run_on(bank, BankAccount, ["p50(latency) <= 1 s"], rate=20.0, seconds=1.0)
    svg = ET.fromstring(svg_plot(r))
    points = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(points) == r.overall["calls"] == 20
    assert "<svg" in html_page(r)


def test_the_python_implementation_is_loaded_by_the_command(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["load", "examples/bank.sf", "--impl", "examples.impl.bank:BankAccount",
                                       "--rate", "50/s", "--duration", "1 s", "--json", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["overall"]["calls"] == 50


def test_every_request_has_a_timeout_and_the_run_ends_at_its_duration(server, monkeypatch):
    monkeypatch.chdir(ROOT)
    started = time.monotonic()
    args = load_args(server("slow"), "--timeout", "0.1", "--json", "-")
    args[args.index("--duration") + 1] = "1 s"
    result = CliRunner().invoke(main, args)
    took = time.monotonic() - started
    report = json.loads(result.stdout)
    assert result.exit_code == 3
    assert report["errors"] > 0 and "ReadTimeout" in report["violations"][0]
    assert report["overall"]["latency_ms"]["max"] < 1000  # each call cut short at 0.1 s after its send
    assert took < 15  # the run, the drain (at most the request timeout) and the report


def test_the_progress_line_is_shown_on_a_terminal(tmp_path):
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "specforge", "load", "examples/bank.sf", "--impl",
                           "examples.impl.bank:BankAccount", "--rate", "20/s", "--duration", "1.5 s"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=terminal, timeout=60, text=True)
    os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(controller, 4096):
            shown += chunk
    except OSError:  # the terminal's other end is closed: everything has been read
        pass
    os.close(controller)
    assert proc.returncode == 0, proc.stdout
    assert b"\r" in shown and b"answered" in shown
    assert "\r" not in proc.stdout  # the table goes to standard output, the progress line never


def test_calls_no_session_was_free_to_make_are_reported_not_dropped(bank):
    spec, source = bank
    run = LoadRun(spec, SlowBank, None, 40.0, 1.0, tuple(obligation_ids(spec)), max_sessions=1, source=source)
    run.warm(1)
    r = results("bank.sf", "test", 40.0, 1.0, run.run(), [])
    assert r.outcome.unsent > 0 and r.overall["calls"] + r.outcome.unsent + r.outcome.unfinished <= 40
    assert "never sent" in table(r)
    assert r.overall["latency_ms"]["max"] > 300  # the calls that waited for the one session waited in their latency
