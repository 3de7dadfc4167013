"""The soundness-critical mutants of specforge are each killed by the tests they name.

bench/mutants.py lists one-line mutants of specforge; those marked critical break what a user must be
able to trust: the prover's verdicts when z3 cannot decide, the property tests' oracle, the TLA+ step
bound, the checker's membership types. Each is applied to a copy of the repository and its named tests
run there; they must fail. The same tests must pass on the unmutated copy, so that a kill is the mutant's.
(The full list, with the kill ratio per module, is `python bench/mutants.py`; docs/benchmarks.md.)
"""

from __future__ import annotations

import subprocess

import pytest

from bench.mutants import MUTANTS, ROOT, applied, copy_tree, environment, imports_the_copy, pytest_command, run_mutant

from .test_tla_support import needs_tlc

CRITICAL = [mu for mu in MUTANTS if mu.critical]
TIME_LIMIT = 300.0


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    repository = copy_tree(tmp_path_factory.mktemp("mutants") / "repository")
    assert imports_the_copy(repository), "the copy's tests would import another specforge"
    return repository


def marks(mutant):
    return [needs_tlc] if "tests/test_tla_tlc.py" in mutant.tests else []


def test_every_mutant_still_applies_to_the_sources():
    for mutant in MUTANTS:
        applied((ROOT / mutant.file).read_text(encoding="utf-8"), mutant)


def test_the_critical_subset_covers_the_verdicts_the_oracle_and_the_step_bound():
    modules = {mu.module for mu in CRITICAL}
    assert {"prove/engine", "prove/strengthen", "testing/runner", "tla/module"} <= modules


@pytest.mark.parametrize("mutant", [pytest.param(mu, id=mu.id, marks=marks(mu)) for mu in CRITICAL])
def test_a_critical_mutant_is_killed_by_its_tests(mutant, copy):
    unmutated = subprocess.run(pytest_command(mutant.tests), cwd=copy, env=environment(copy), capture_output=True, text=True, timeout=TIME_LIMIT)
    assert unmutated.returncode == 0, f"the tests of {mutant.id} fail without it:\n{unmutated.stdout[-2000:]}"
    outcome = run_mutant(mutant, copy, TIME_LIMIT)
    assert outcome.status == "killed", f"{mutant.id} ({mutant.breaks}) {outcome.status}: {outcome.detail}"
