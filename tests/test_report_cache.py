"""The whole-report cache of `specforge prove`: an unchanged run is answered before z3 loads."""

from __future__ import annotations

import os
import subprocess
import sys

from specforge import reportcache
from specforge.reportcache import ReportCache, key

from .support import ROOT

BANK = ROOT / "examples" / "bank.sf"


def prove(*args: str, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPECFORGE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "specforge", "prove", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def imported(result: subprocess.CompletedProcess) -> set[str]:
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def test_an_unchanged_run_is_answered_from_the_report_cache_without_loading_z3_lark_pydantic_or_click(tmp_path):
    spec = tmp_path / "bank.sf"
    spec.write_text(BANK.read_text())
    first = prove(str(spec), cache=tmp_path / "c")
    assert first.returncode == 0 and "z3" in imported(first)
    second = prove(str(spec), cache=tmp_path / "c")
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert not {"z3", "lark", "pydantic", "click"} & imported(second)


def test_a_changed_spec_or_other_options_miss_the_report_cache(tmp_path):
    spec = tmp_path / "bank.sf"
    spec.write_text(BANK.read_text())
    base = key([str(spec)], ("prove", "text", 10, 10.0))
    assert base == key([str(spec)], ("prove", "text", 10, 10.0))
    assert base != key([str(spec)], ("prove", "json", 10, 10.0))
    assert base != key([str(spec)], ("prove", "text", 5, 10.0))
    spec.write_text(BANK.read_text() + "\n# a comment changes the bytes\n")
    assert base != key([str(spec)], ("prove", "text", 10, 10.0))
    assert key([str(tmp_path / "missing.sf")], ()) is None


def test_no_cache_builds_no_key(tmp_path, monkeypatch):
    def refuse(*args):
        raise AssertionError("--no-cache must not hash anything")

    monkeypatch.setattr(reportcache, "key", refuse)
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path))
    from click.testing import CliRunner

    from specforge.cli import main

    result = CliRunner().invoke(main, ["prove", "--no-cache", str(BANK)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "reports").exists()


def test_a_report_with_an_unknown_verdict_is_not_stored_and_a_decided_one_is(tmp_path, monkeypatch):
    import specforge.prove as prove_package
    from specforge.cli import main
    from specforge.prove import Verdict

    real = prove_package.prove
    undecided = {"on": True}

    def prove_with_an_unknown(*args, **kwargs):
        report = real(*args, **kwargs)
        if undecided["on"]:
            report.invariants[0].verdict = Verdict.UNKNOWN
        return report

    monkeypatch.setattr(prove_package, "prove", prove_with_an_unknown)
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path))
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["prove", str(BANK)])
    assert "unknown" in result.output
    assert not list((tmp_path / "reports").glob("*.json"))
    undecided["on"] = False
    CliRunner().invoke(main, ["prove", str(BANK)])
    assert len(list((tmp_path / "reports").glob("*.json"))) == 1


def test_the_report_cache_keeps_at_most_its_limit_and_evicts_the_least_recently_used(tmp_path):
    cache = ReportCache(tmp_path, limit=3)
    for i in range(3):
        cache.put(f"k{i}", f"report {i}", 0)
        os.utime(tmp_path / "reports" / f"k{i}.json", (1000 + i, 1000 + i))
    assert cache.get("k0") == ("report 0", 0)  # used: now the most recent
    cache.put("k3", "report 3", 3)
    assert sorted(p.stem for p in (tmp_path / "reports").glob("*.json")) == ["k0", "k2", "k3"]
    assert cache.get("k3") == ("report 3", 3)


def test_an_unusable_cache_directory_never_fails_a_run(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    cache = ReportCache(blocked)
    cache.put("k", "r", 0)
    assert cache.get("k") is None


def test_the_explicit_search_options_are_part_of_the_key(tmp_path):
    spec = tmp_path / "peterson.sf"
    spec.write_text((ROOT / "examples" / "protocols" / "peterson.sf").read_text())
    explored = prove(str(spec), cache=tmp_path / "c")
    assert "proved by exhaustive search of 20 states" in explored.stdout
    assert "exhaustive" not in prove("--no-explore", str(spec), cache=tmp_path / "c").stdout


def test_a_cached_report_goes_to_the_output_file_and_a_missing_directory_is_clicks_usage_error(tmp_path):
    spec = tmp_path / "bank.sf"
    spec.write_text(BANK.read_text())
    first = prove("-o", str(tmp_path / "one.txt"), str(spec), cache=tmp_path / "c")
    second = prove("-o", str(tmp_path / "two.txt"), str(spec), cache=tmp_path / "c")
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "two.txt").read_text() == (tmp_path / "one.txt").read_text() != ""
    assert not {"z3", "click"} & imported(second)
    missing = prove("-o", str(tmp_path / "nowhere" / "r.txt"), str(spec), cache=tmp_path / "c")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_a_changed_source_file_of_specforge_is_a_new_key(tmp_path, monkeypatch):
    """The key carries a fingerprint of the installed code, not only the version: an edited or
    re-installed prover must not answer from reports its earlier code wrote."""
    code = tmp_path / "pkg"
    (code / "prove").mkdir(parents=True)
    engine = code / "prove" / "engine.py"
    engine.write_text("x = 1\n")
    (code / "notes.txt").write_text("not code")
    first = reportcache.fingerprint(str(code))
    (code / "notes.txt").write_text("still not code")
    assert reportcache.fingerprint(str(code)) == first
    engine.write_text("x = 22\n")
    assert reportcache.fingerprint(str(code)) != first

    spec = ROOT / "examples" / "bank.sf"
    before = key([str(spec)], ("prove",))
    monkeypatch.setattr(reportcache, "_CODE_BUILD", "0.1.0+another")
    assert key([str(spec)], ("prove",)) != before
