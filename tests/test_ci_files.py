"""The GitHub Action (action.yml) and the pre-commit hooks: their shell steps run here, for real.

`specforge` is put on the PATH as a shim for `python -m specforge` from this
checkout; `gh` is a fake that records what it is asked and answers like the
GitHub API. The parts only GitHub runs (setup-python, the SARIF upload) are
checked for their inputs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from specforge.cli.prove import prove as prove_command

from .support import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
STEPS = {step.get("name", step.get("uses")): step for step in ACTION["runs"]["steps"]}
BANK = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")
OVERDRAWN = BANK.replace("  requires amount <= balance else InsufficientFunds\n", "")


@pytest.fixture
def bin_dir(tmp_path):
    """A folder for the PATH holding `specforge` (this checkout) and a fake `gh`."""
    folder = tmp_path / "bin"
    folder.mkdir()
    shim = folder / "specforge"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m specforge "$@"\n')
    shim.chmod(0o755)
    return folder


def run_step(name: str, cwd, bin_dir, env: dict) -> subprocess.CompletedProcess:
    step = STEPS[name]
    assert step["shell"] == "bash"
    full = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "SPECFORGE_CACHE_DIR": str(cwd / ".cache"), **env}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=300)


def prove_env(tmp_path, specs: str) -> dict:
    return {"SPECS": specs, "DEPTH": "10", "TIMEOUT": "10", "SARIF": "specforge.sarif",
            "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}


def test_the_action_is_composite_and_every_shell_step_names_its_shell():
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert ("uses" in step) != ("run" in step)
        if "run" in step:
            assert step["shell"] == "bash"
    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


def test_every_prove_option_the_action_passes_exists():
    known = {opt for p in prove_command.params for opt in p.opts}
    calls = [line.split("specforge prove", 1)[1] for line in STEPS["Prove"]["run"].splitlines()
             if "specforge prove" in line]
    used = {token for call in calls for token in call.split() if token.startswith("-")}
    assert len(calls) == 3 and used <= known, used - known
    formats = set(re.findall(r"--format (\w+)", STEPS["Prove"]["run"]))
    assert formats <= set(prove_command.params[[p.name for p in prove_command.params].index("fmt")].type.choices)


def test_the_prove_step_records_exit_3_writes_sarif_and_a_summary_for_a_violated_must(tmp_path, bin_dir):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bank.sf").write_text(OVERDRAWN, encoding="utf-8")
    (tmp_path / "specs" / "order.sf").write_text((ROOT / "examples" / "order.sf").read_text(encoding="utf-8"))
    done = run_step("Prove", tmp_path, bin_dir, prove_env(tmp_path, "specs/**/*.sf"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text() == "exit-code=3\n"
    sarif = json.loads((tmp_path / "specforge.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"] if r["level"] == "error"] == ["BankAccount/BANK-1"]
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    assert summary.startswith("### specforge prove: 1 MUST invariant(s) not proved")
    assert "| `specs/bank.sf:25` | BANK-1 | MUST | VIOLATED | violated after 1 step |" in summary
    assert "| `specs/order.sf:34` | ORD-1 | MUST | proved |  |" in summary
    assert summary == (tmp_path / "specforge-summary.md").read_text(encoding="utf-8")


def test_the_prove_step_reports_a_glob_that_matches_nothing(tmp_path, bin_dir):
    done = run_step("Prove", tmp_path, bin_dir, prove_env(tmp_path, "specs/*.sf"))
    assert "::error::no spec matches 'specs/*.sf'" in done.stdout
    assert (tmp_path / "output").read_text() == "exit-code=2\n"


def test_the_last_step_fails_the_job_with_provess_exit_code(tmp_path, bin_dir):
    assert run_step("Fail when a MUST invariant is not proved or a spec has errors", tmp_path, bin_dir,
                    {"CODE": "3"}).returncode == 3


def git(cwd, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_the_diff_step_adds_what_a_changed_spec_guarantees_less_to_the_comment(tmp_path, bin_dir):
    origin = tmp_path / "origin"
    (origin / "specs").mkdir(parents=True)
    (origin / "specs" / "bank.sf").write_text(BANK, encoding="utf-8")
    (origin / "specs" / "order.sf").write_text((ROOT / "examples" / "order.sf").read_text(encoding="utf-8"))
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "base")
    base = git(origin, "rev-parse", "HEAD")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    (work / "specs" / "bank.sf").write_text(OVERDRAWN, encoding="utf-8")
    (work / "specs" / "new.sf").write_text(BANK, encoding="utf-8")  # not at the base: nothing to compare
    (work / "specforge-summary.md").write_text("### specforge prove: 1 MUST invariant(s) not proved\n")
    done = run_step("Compare the changed specs with the base", work, bin_dir, {"SPECS": "specs/*.sf", "BASE": base})
    assert done.returncode == 0, done.stderr
    summary = (work / "specforge-summary.md").read_text(encoding="utf-8")
    assert "### What the changed specs guarantee now" in summary
    assert "specforge diff `specs/bank.sf" in summary and "failure mode InsufficientFunds of `withdraw` dropped" in summary
    assert "order.sf" not in summary and "new.sf" not in summary  # unchanged, and new


def test_the_diff_step_only_warns_when_the_base_cannot_be_fetched(tmp_path, bin_dir):
    git(tmp_path, "init", "-q")
    (tmp_path / "specforge-summary.md").write_text("### s\n")
    done = run_step("Compare the changed specs with the base", tmp_path, bin_dir, {"SPECS": "*.sf", "BASE": "0" * 40})
    assert done.returncode == 0 and "::warning::cannot fetch the base commit" in done.stdout
    assert (tmp_path / "specforge-summary.md").read_text() == "### s\n"


FAKE_GH = """#!/bin/sh
echo "$@" >> "{log}"
case "$*" in
  *"--paginate"*) cat "{existing}" ;;
esac
"""


@pytest.mark.parametrize("existing, expected", [
    ("", "api -X POST repos/o/r/issues/7/comments -f body=<!-- specforge prove -->"),
    ("4242\n", "api -X PATCH repos/o/r/issues/comments/4242 -f body=<!-- specforge prove -->"),
], ids=["a new comment", "the earlier comment updated"])
def test_the_comment_step_posts_once_and_then_updates_its_comment(tmp_path, bin_dir, existing, expected):
    (tmp_path / "existing").write_text(existing)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(log=tmp_path / "gh.log", existing=tmp_path / "existing"))
    gh.chmod(0o755)
    (tmp_path / "specforge-summary.md").write_text("### specforge prove: every MUST invariant is proved\n")
    done = run_step("Comment on the pull request", tmp_path, bin_dir, {"GH_TOKEN": "t", "PR": "7", "REPO": "o/r"})
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "gh.log").read_text().splitlines()
    assert calls[0].startswith("api repos/o/r/issues/7/comments --paginate")
    assert calls[1] == expected
    assert calls[2] == "### specforge prove: every MUST invariant is proved"


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_a_pre_commit_hook_runs_a_specforge_command_on_spec_files_only(tmp_path, bin_dir, hook):
    assert re.search(hook["files"], "specs/bank.sf") and not re.search(hook["files"], "bank.py")
    assert hook["language"] == "python"
    (tmp_path / "bank.sf").write_text(BANK, encoding="utf-8")
    (tmp_path / "bad.sf").write_text(OVERDRAWN.replace("balance >= 0", "balanse >= 0"), encoding="utf-8")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "SPECFORGE_CACHE_DIR": str(tmp_path / ".cache")}
    good = subprocess.run([*hook["entry"].split(), "bank.sf"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    bad = subprocess.run([*hook["entry"].split(), "bad.sf"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    assert good.returncode == 0 and bad.returncode == 1
    assert "bad.sf:26:3: error[SF201]" in bad.stdout + bad.stderr
