"""`specforge export-tla --trace`: a violating run of `prove` as a TLA+ behaviour to replay.

These tests need no TLC: they check the trace module's content and that it
parses; tests/test_tla_tlc.py runs TLC on it when TLC is available.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.run import REPORT_VERSION, Run
from specforge.tla import TraceError, export_trace, find_result

from .support import ROOT
from .test_tla_support import assert_parses, load_spec

LEDGER_BUG = (ROOT / "examples" / "ledger.sf").read_text(encoding="utf-8").replace(
    "  requires balances[src] >= amount else InsufficientFunds\n", "")


def entry(spec, breaks: str, sets: dict, states: list[dict], calls: list[tuple[str, dict]]) -> dict:
    """A result of `prove --format json` holding this run (built from plain values, encoded as prove does)."""
    run = Run.of(spec, sets, states, calls, breaks)
    return {"id": breaks, "verdict": "violated", "run": run.to_json()}


def ledger_result(**changes) -> dict:
    """`prove --format json`'s entry for LED-1 of the ledger without its funds guard."""
    closed, one, both = {"Account1": False, "Account2": False}, {"Account1": True, "Account2": False}, \
        {"Account1": True, "Account2": True}
    zero = {"Account1": 0, "Account2": 0}
    result = entry(load_spec(LEDGER_BUG, "ledger.sf"), "LED-1", {"Account": ["Account1", "Account2"]}, [
        {"balances": zero, "is_open": closed},
        {"balances": zero, "is_open": one},
        {"balances": zero, "is_open": both},
        {"balances": {"Account1": 19098, "Account2": -19098}, "is_open": both},
    ], [("open_account", {"a": "Account1"}), ("open_account", {"a": "Account2"}),
        ("transfer", {"src": "Account2", "dst": "Account1", "amount": 19098})])
    result.update(changes)
    return result


def test_a_violating_run_becomes_a_trace_module_that_extends_the_spec_and_parses():
    spec = load_spec(LEDGER_BUG, "ledger.sf")
    base, trace = export_trace(spec, ledger_result())
    assert trace.module == "Ledger_Trace" and trace.ok
    assert_parses(base.tla)
    assert_parses(trace.tla)
    for part in ("EXTENDS Ledger", "CONSTANTS Account1, Account2", "VARIABLE step", "TraceLength == 3",
                 "/\\ balances = (Account1 :> 0 @@ Account2 :> 0)",
                 "/\\ transfer(Account2, Account1, 19098)",
                 "/\\ balances' = (Account1 :> 19098 @@ Account2 :> (-19098))",
                 "/\\ Next", "/\\ step' = step + 1", "\\/ step = 2 /\\ TraceStep3",
                 "TraceNotConfirmed == ~(step = TraceLength /\\ ~Inv_LED_1)"):
        assert part in trace.tla, part
    for part in ("Account1 = Account1", "Account = {Account1, Account2}", "INIT TraceInit", "NEXT TraceNext",
                 "INVARIANT TraceNotConfirmed"):
        assert part in trace.cfg, part


def test_the_runs_arguments_join_the_parameter_domains_so_that_next_allows_them():
    base, _ = export_trace(load_spec(LEDGER_BUG, "ledger.sf"), ledger_result())
    line = next(line for line in base.tla.splitlines() if line.startswith("Dom_transfer_amount_Values =="))
    assert "19098" in line and "-2" in line


def test_a_type_obligation_can_be_the_traced_invariant():
    spec = load_spec("spec Tank\nstate { level: nat }\ninit { level := 0 }\naction drain(n: int) { level := level - n }\n")
    result = entry(spec, "type:level", {}, [{"level": 0}, {"level": -1}], [("drain", {"n": 1})])
    _, trace = export_trace(spec, result)
    assert "~(step = TraceLength /\\ ~Type_level)" in trace.tla
    assert_parses(trace.tla)


def test_records_durations_and_enums_become_tla_values():
    spec = load_spec("spec T\nenum Mode { on, off }\nstate {\n  mode: Mode\n  token: {\n    ttl: duration\n"
                     "    valid: bool\n  }\n}\ninit {\n  mode := off\n  token.ttl := 0\n  token.valid := false\n}\n"
                     "invariant SHORT: token.ttl <= 1 min\n"
                     "action store(d: duration) {\n  mode := on\n  token.ttl := d\n}\n")
    result = entry(spec, "SHORT", {}, [{"mode": "off", "token.ttl": 0, "token.valid": False},
                                       {"mode": "on", "token.ttl": 120_000, "token.valid": False}],
                   [("store", {"d": 120_000})])
    _, trace = export_trace(spec, result)
    assert "/\\ store(120000)" in trace.tla and "step 1: store(d=2 min)" in trace.tla
    assert "/\\ token'.ttl = 120000" in trace.tla and '/\\ mode\' = "on"' in trace.tla
    assert_parses(trace.tla)


def test_a_map_of_more_than_twenty_entries_is_checked_whole():
    spec = load_spec("spec M\nstate { slots: map[0..30, int] }\ninit { slots := {i: 0 for i in 0..30} }\n"
                     "invariant Z: slots[0] == 0\naction bump() { slots[30] := 7\n slots[0] := 1 }\n")
    zeros = dict.fromkeys(range(31), 0)
    result = entry(spec, "Z", {}, [{"slots": zeros}, {"slots": {**zeros, 0: 1, 30: 7}}], [("bump", {})])
    _, trace = export_trace(spec, result)
    assert "/\\ slots' = (0 :> 1 @@ 1 :> 0" in trace.tla and "@@ 30 :> 7)" in trace.tla
    assert trace.diagnostics == [] and "slots'[" not in trace.tla
    assert_parses(trace.tla)


def test_a_run_violated_in_the_initial_state_replays_in_zero_steps():
    spec = load_spec("spec Z\nstate { x: int }\ninit { x := 1 }\ninvariant ZERO: x == 0\n")
    _, trace = export_trace(spec, entry(spec, "ZERO", {}, [{"x": 1}], []))
    assert "TraceLength == 0" in trace.tla and "/\\ FALSE" in trace.tla
    assert_parses(trace.tla)


@pytest.mark.parametrize(("changes", "message"), [
    ({"verdict": "proved", "run": None}, "not violated"),
    ({"id": "NOPE"}, "says it breaks LED-1"),
])
def test_a_trace_that_does_not_fit_the_spec_is_refused(changes, message):
    with pytest.raises(TraceError, match=message):
        export_trace(load_spec(LEDGER_BUG, "ledger.sf"), ledger_result(**changes))


def damaged(change) -> dict:
    result = ledger_result()
    change(result["run"])
    return result


@pytest.mark.parametrize(("change", "message"), [
    (lambda run: run["calls"][2].update(action="teleport"), "step 3: the spec has no action `teleport`"),
    (lambda run: run["calls"][2].update(args={"src": "Account2"}), r"step 3: `transfer` takes \(src, dst, amount\)"),
    (lambda run: run["states"][1].pop("is_open"), "state 1 has the variables balances"),
    (lambda run: run["states"][3]["balances"]["#map"][0].__setitem__(1, "x"), "not an integer"),
    (lambda run: run["states"][3]["balances"]["#map"].pop(), "no entry for Account2"),
    (lambda run: run["sets"].update(Account={"#set": ["Account1"]}), "`\"Account2\"` is not an element of Account in this run \\(Account1\\)"),
    (lambda run: run["states"][0]["is_open"]["#map"][0].__setitem__(1, "false"), "is not true or false"),
])
def test_a_malformed_run_is_refused_with_the_reason(change, message):
    with pytest.raises(TraceError, match=message):
        export_trace(load_spec(LEDGER_BUG, "ledger.sf"), damaged(change))


def test_find_result_names_what_the_report_holds():
    spec = load_spec(LEDGER_BUG, "ledger.sf")
    with pytest.raises(TraceError, match="no spec Ledger"):
        find_result({"version": REPORT_VERSION, "spec": "Other", "invariants": []}, spec, "LED-1")


def test_a_report_in_the_old_format_is_refused_with_the_version_and_how_to_regenerate_it():
    spec = load_spec(LEDGER_BUG, "ledger.sf")
    with pytest.raises(TraceError, match=r"format version 1; this specforge reads version 2.*specforge prove"):
        find_result({"version": 1, "spec": "Ledger", "invariants": [ledger_result()]}, spec, "LED-1")


def test_the_command_exports_a_trace_from_a_report(tmp_path):
    spec_file = tmp_path / "ledger.sf"
    spec_file.write_text(LEDGER_BUG, encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"version": REPORT_VERSION, "spec": "Ledger", "invariants": [ledger_result()]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(spec_file), "-o", str(tmp_path / "out"),
                                       "--trace", str(report), "--invariant", "LED-1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["Ledger.cfg", "Ledger.tla", "Ledger_Trace.cfg", "Ledger_Trace.tla"]


def test_the_command_explains_a_report_without_that_violation(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"version": REPORT_VERSION, "spec": "Ledger",
                                  "invariants": [{"id": "LED-1", "verdict": "proved"}]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "ledger.sf"), "-o", str(tmp_path),
                                       "--trace", str(report), "--invariant", "LED-1"])
    assert result.exit_code == 2
    assert "SF322" in result.output and "not violated" in result.output


def test_the_command_refuses_an_old_report_naming_its_version(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"version": 1, "spec": "Ledger", "invariants": [ledger_result()]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "ledger.sf"), "-o", str(tmp_path),
                                       "--trace", str(report), "--invariant", "LED-1"])
    assert result.exit_code == 2
    assert "SF322" in result.output and "format version 1" in result.output and "--format json" in result.output


def test_the_command_can_run_the_prover_for_the_trace(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))
    spec_file = tmp_path / "ledger.sf"
    spec_file.write_text(LEDGER_BUG, encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(spec_file), "-o", str(tmp_path / "out"),
                                       "--from-prove", "--invariant", "LED-1"])
    assert result.exit_code == 0, result.output
    trace = (tmp_path / "out" / "Ledger_Trace.tla").read_text(encoding="utf-8")
    assert "transfer(" in trace
    assert_parses(trace)
