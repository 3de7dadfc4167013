"""The pytest plugin, run by pytest itself (pytester) on copies of the example specs."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points

import pytest

from .support import ROOT

pytest_plugins = ["pytester"]

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))
IMPLS = {
    "bank": "examples.impl.bank:BankAccount",
    "ledger": "examples.impl.ledger:Ledger",
    "auth_token": "examples.impl.auth_token:AuthToken",
    "order": "examples.impl.order:OrderLifecycle",
    "rate_limiter": "examples.impl.rate_limiter:RateLimiter",
    "leader_election": "examples.impl.leader_election:LeaderElection",
    "cart": "examples.impl.cart:CartReservation",
    "purse": "examples.impl.purse:Purse",
    "tickets": "examples.impl.tickets:TicketOffice",
    "inbox": "examples.impl.inbox:Inbox",
    "email_triage": "examples.impl.email_triage:EmailTriage",
}
BANK = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")


def _plugin_args() -> list[str]:
    """Load the plugin by name unless the installed package already registers it (pytest11)."""
    installed = any(ep.value == "specforge.pytest_plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "specforge.pytest_plugin"]


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider", "-q", "-rA", *args)


def pyproject(pytester: pytest.Pytester, specforge: str) -> None:
    pytester.makefile(".toml", pyproject=f"[tool.pytest.ini_options]\n\n[tool.specforge]\n{specforge}")


def test_the_package_registers_the_plugin_with_pytest():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"specforge": "specforge.pytest_plugin"}
    assert "pygls>=2.0,<3" in project["optional-dependencies"]["lsp"]


def test_every_example_is_checked_proved_and_tested_against_its_implementation(pytester):
    for example in EXAMPLES:
        (pytester.path / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    impls = "\n".join(f'"{stem}.sf" = "{impl}"' for stem, impl in IMPLS.items())
    pyproject(pytester, f'specs = ["*.sf"]\nexamples = 20\nsteps = 20\n\n[tool.specforge.impl]\n{impls}\n')
    result = run(pytester)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    for example in EXAMPLES:
        result.stdout.fnmatch_lines([f"PASSED {example.name}::check", f"PASSED {example.name}::property-test"])
    assert "PASSED bank.sf::prove[BANK-1]" in result.stdout.str()
    proves = len(re.findall(r"PASSED \S+::prove\[", result.stdout.str()))
    assert outcomes["passed"] == 2 * len(EXAMPLES) + proves


def test_without_the_flag_or_a_listed_spec_nothing_is_collected(pytester):
    pytester.makefile(".sf", bank=BANK)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_spec_with_an_error_fails_its_check_with_file_line_and_column(pytester):
    pytester.makefile(".sf", bank=BANK.replace("balance >= 0", "balanse >= 0"))
    result = run(pytester, "--specforge")
    assert result.parseoutcomes() == {"failed": 1}
    result.stdout.fnmatch_lines(["bank.sf:26:3: error?SF201?: unknown name `balanse`*", "*= help: *balance*",
                                 "FAILED bank.sf::check*"])
    assert "Traceback" not in result.stdout.str()


def test_a_must_invariant_that_does_not_hold_fails_with_its_line_and_run(pytester):
    broken = BANK.replace("  requires amount <= balance else InsufficientFunds\n", "")
    pytester.makefile(".sf", bank=broken)
    result = run(pytester, "--specforge")
    assert result.parseoutcomes()["failed"] == 1
    result.stdout.fnmatch_lines([
        "bank.sf:25: BANK-1 (MUST) is violated: violated after 1 step",
        "*step*action*balance*",
        "*withdraw(amount=1)*-1*",
        "FAILED bank.sf::prove?BANK-1?*",
    ])


def test_a_should_invariant_that_does_not_hold_passes_with_a_warning(pytester):
    broken = BANK.replace("BANK-1 MUST", "BANK-1 SHOULD").replace(
        "  requires amount <= balance else InsufficientFunds\n", "")
    pytester.makefile(".sf", bank=broken)
    result = run(pytester, "--specforge")
    assert "failed" not in result.parseoutcomes()
    result.stdout.fnmatch_lines(["*SpecWarning: bank.sf:25: BANK-1 (SHOULD) is violated*"])


def test_an_implementation_that_breaks_the_spec_fails_in_spec_terms_at_the_guard(pytester):
    pytester.makefile(".sf", bank=BANK)
    pyproject(pytester, 'specs = ["bank.sf"]\n\n[tool.specforge.impl]\n'
                        '"bank.sf" = "examples.mutants.bank:DepositWhileFrozen"\n')
    result = run(pytester)
    assert result.parseoutcomes()["failed"] == 1
    guard = BANK.splitlines().index("  requires not frozen else AccountFrozen") + 1
    result.stdout.fnmatch_lines([
        f"bank.sf:{guard}: examples.mutants.bank:DepositWhileFrozen does not follow the spec:",
        "deposit(amount=*): the guard `requires not frozen else AccountFrozen` is false*",
        "FAILED bank.sf::property-test*",
    ])


def test_an_implementation_that_cannot_be_imported_is_named_with_the_fix(pytester):
    pytester.makefile(".sf", bank=BANK)
    pyproject(pytester, 'specs = ["bank.sf"]\n\n[tool.specforge.impl]\n"bank.sf" = "no_such_module:Bank"\n')
    result = run(pytester)
    result.stdout.fnmatch_lines(["bank.sf: cannot import no_such_module for no_such_module:Bank*",
                                 "*= help: put its folder on pytest's `pythonpath` ini option"])


def test_an_unknown_key_in_the_settings_is_a_usage_error_once_the_plugin_is_asked_for(pytester):
    pytester.makefile(".sf", bank=BANK)
    pyproject(pytester, 'spec = ["bank.sf"]\n')
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    assert run(pytester).ret == pytest.ExitCode.OK  # not asked for: the other tests run as before
    result = run(pytester, "--specforge")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*?tool.specforge? has unknown keys ??spec??*"])
