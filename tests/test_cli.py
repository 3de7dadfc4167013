"""The `specforge` command: exit codes, formats, help, version, and what it imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge import __version__
from specforge.cli import ExitCode, main

from .support import ROOT

BANK = str(ROOT / "examples" / "bank.sf")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_specforge_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "specforge", "check", BANK], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0 and "ok: spec BankAccount" in result.stdout
    result = subprocess.run([sys.executable, "-m", "specforge", "--help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("Usage: specforge ")


def test_help_lists_the_commands_and_the_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    assert "check" in result.output and "Exit codes" in result.output


def test_check_help_documents_its_options():
    result = run("check", "--help")
    assert result.exit_code == 0
    for option in ("--format", "--emit-ir"):
        assert option in result.output


def test_a_valid_spec_exits_0_and_says_so():
    result = run("check", BANK)
    assert result.exit_code == ExitCode.OK == 0
    assert "ok: spec BankAccount" in result.output


def test_a_spec_with_errors_exits_1_and_shows_the_fault(tmp_path):
    bad = tmp_path / "bad.sf"
    bad.write_text("spec T\nstate {\n  ttl: duration\n}\ninit {\n  ttl := 15\n}\n")
    result = run("check", str(bad))
    assert result.exit_code == ExitCode.SPEC_ERRORS == 1
    assert f"{bad}:6:10: error[SF204]" in result.output
    assert "did you mean `15 s`?" in result.output
    assert "1 error in 1 file" in result.output


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp / "missing.sf"),
    lambda tmp: str(tmp),
])
def test_an_unreadable_input_exits_2(tmp_path, make):
    result = run("check", make(tmp_path))
    assert result.exit_code == ExitCode.USAGE == 2
    assert "error[SF00" in result.output


def test_a_usage_error_exits_2():
    assert run("check").exit_code == 2
    assert run("check", "--format", "yaml", BANK).exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_unreadable_wins_over_spec_errors_when_both_occur(tmp_path):
    bad = tmp_path / "bad.sf"
    bad.write_text("spec T\ninvariant A: nope\n")
    assert run("check", str(bad), str(tmp_path / "missing.sf")).exit_code == 2


def test_json_format_is_machine_readable(tmp_path):
    bad = tmp_path / "bad.sf"
    bad.write_text("spec T\ninvariant A: nope > 0\n")
    result = run("check", "--format", "json", BANK, str(bad))
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["errors"] == 1 and doc["warnings"] == 0
    assert [f["valid"] for f in doc["files"]] == [True, False]
    (diag,) = doc["files"][1]["diagnostics"]
    assert {k: diag[k] for k in ("code", "severity", "line", "column", "end_line", "end_column")} == {
        "code": "SF201", "severity": "error", "line": 2, "column": 14, "end_line": 2, "end_column": 18}
    assert diag["file"] == str(bad) and "nope" in diag["message"]


def test_emit_ir_prints_the_typed_ir_as_json():
    result = run("check", "--emit-ir", BANK)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["name"] == "BankAccount" and doc["ir_version"] == 1
    first = doc["invariants"][0]["expr"]
    assert first["kind"] == "compare" and first["type"] == {"kind": "bool"}


def test_emit_ir_with_several_files_prints_a_list():
    result = run("check", "--emit-ir", BANK, str(ROOT / "examples" / "ledger.sf"))
    assert [d["name"] for d in json.loads(result.stdout)] == ["BankAccount", "Ledger"]


def test_schema_command_prints_the_published_schema():
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((ROOT / "docs" / "ir.schema.json").read_text())


def test_check_imports_neither_z3_nor_hypothesis():
    code = (
        "import sys\n"
        "from specforge.cli import main\n"
        "try:\n"
        f"    main(['check', {BANK!r}])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('z3', 'hypothesis'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def console_script() -> Path:
    """The `specforge` script installed for the running interpreter (not whichever is first on PATH)."""
    for directory in (sysconfig.get_path("scripts"), Path(sys.executable).parent):
        script = Path(directory) / ("specforge.exe" if os.name == "nt" else "specforge")
        if script.is_file():
            return script
    pytest.skip(f"specforge is not installed for {sys.executable} (pip install -e .)")


def test_the_console_script_runs_from_any_directory(tmp_path):
    out = subprocess.run([str(console_script()), "check", BANK], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
