"""`specforge trace`: the traceability matrix of every example, golden-tested with coverage counts from a
real run of its property test, and its HTML page as a person sees it in a headless browser."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from specforge.cli import ExitCode, main
from specforge.frontend import load
from specforge.matrix import build, markdown, page

from .support import ROOT, golden

EXAMPLES = {"bank": "BankAccount", "ledger": "Ledger", "order": "OrderLifecycle",
            "leader_election": "LeaderElection", "rate_limiter": "RateLimiter", "auth_token": "AuthToken",
            "tickets": "TicketOffice", "inbox": "Inbox"}
RUNS = 20


def matrix(name: str):
    import importlib

    loaded = load(str(ROOT / "examples" / f"{name}.sf"))
    factory = getattr(importlib.import_module(f"examples.impl.{name}"), EXAMPLES[name])
    return build(loaded.spec, loaded.source.text, f"examples/{name}.sf", factory,
                 f"examples.impl.{name}:{EXAMPLES[name]}", RUNS)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_matrix_of_every_example_matches_its_golden_file_and_counts_a_real_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # file paths in the matrix are relative to the repository
    m = matrix(name)
    assert m.usage.runs == RUNS and m.usage.steps > 0 and m.usage.failure is None
    spec = load(str(ROOT / "examples" / f"{name}.sf")).spec
    assert [r.id for r in m.rows if r.kind == "invariant"] == [i.id for i in spec.invariants]
    assert sum(r.tested for r in m.rows if r.kind == "action") > 0
    # every action succeeded in some run, some call was refused, and the coverage column counts them
    actions = [r for r in m.rows if r.kind == "action"]
    assert all(r.tested > 0 for r in actions), [r.id for r in actions if not r.tested]
    assert sum(r.tested for r in m.rows if r.kind == "failure mode") > 0
    covered, total, missing = m.columns()["test"]
    assert covered == sum(1 for r in m.rows if r.tested) and set(missing) == {r.id for r in m.rows if not r.tested}
    # the evidence itself (proofs, code, TLA+) is golden; how often the draws hit each row is not
    golden(ROOT / "tests" / "golden" / "matrix" / f"{name}.md", markdown(m, counts=False))


def test_a_failing_implementation_is_reported_and_exits_3(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["trace", "examples/bank.sf", "--impl",
                                       "examples.mutants.bank:DepositWhileFrozen", "--examples", "30"])
    assert result.exit_code == ExitCode.DOES_NOT_HOLD, result.output
    assert "**it failed**" in result.output


def test_an_implementation_that_cannot_be_imported_is_a_usage_error():
    result = CliRunner().invoke(main, ["trace", str(ROOT / "examples" / "bank.sf"), "--impl", "no_such_module:X"])
    assert result.exit_code == ExitCode.USAGE and "no module named" in result.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium on this machine")
def test_the_html_page_shows_a_person_the_coverage_and_the_uncovered_items(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    m = matrix("bank")
    path = tmp_path / "bank.html"
    path.write_text(page(m), encoding="utf-8")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
                          capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert "<h1>Traceability: BankAccount</h1>" in dom, done.stderr[-2000:]
    covered, total, missing = m.columns()["test"]
    assert f"{100 * covered // total}% ({covered}/{total})" in dom
    for row in m.rows:
        assert f"<td>{row.id}</td>" in dom
    for item in missing:
        assert item in dom


def test_a_proof_without_counts_names_neither_its_support_nor_whether_it_needed_one():
    """The golden matrices leave out z3's unsat core: `inductive with others` and `inductive` read the
    same, and the parenthesis stays closed."""
    from specforge.matrix import _without_support

    assert _without_support("proved (inductive with others) with TIX-2, type:held") == "proved (inductive)"
    assert _without_support("proved (inductive)") == "proved (inductive)"
    assert _without_support("violated") == "violated"
