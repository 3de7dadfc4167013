"""`specforge export-tla --trace`: a violating run of `prove` as a TLA+ behaviour to replay.

These tests need no TLC: they check the trace module's content and that it
parses; tests/test_tla_tlc.py runs TLC on it when TLC is available.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.tla import TraceError, export_trace, find_result

from .support import ROOT
from .test_tla_support import assert_parses, load_spec

LEDGER_BUG = (ROOT / "examples" / "ledger.sf").read_text(encoding="utf-8").replace(
    "  requires balances[src] >= amount else InsufficientFunds\n", "")


def ledger_result(**changes) -> dict:
    """The shape of `prove --format json`'s entry for LED-1 of the ledger without its funds guard."""
    result = {
        "id": "LED-1", "verdict": "violated", "sets": {"Account": ["Account1", "Account2"]},
        "trace": [
            {"index": 0, "action": None, "args": {},
             "state": {"balances": "{Account1: 0, Account2: 0}", "is_open": "{Account1: false, Account2: false}"}},
            {"index": 1, "action": "open_account", "args": {"a": "Account1"},
             "state": {"balances": "{Account1: 0, Account2: 0}", "is_open": "{Account1: true, Account2: false}"}},
            {"index": 2, "action": "open_account", "args": {"a": "Account2"},
             "state": {"balances": "{Account1: 0, Account2: 0}", "is_open": "{Account1: true, Account2: true}"}},
            {"index": 3, "action": "transfer", "args": {"src": "Account2", "dst": "Account1", "amount": "19098"},
             "state": {"balances": "{Account1: 19098, Account2: -19098}",
                       "is_open": "{Account1: true, Account2: true}"}},
        ],
    }
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
    result = {"id": "type:level", "verdict": "violated", "sets": {}, "trace": [
        {"index": 0, "action": None, "args": {}, "state": {"level": "0"}},
        {"index": 1, "action": "drain", "args": {"n": "1"}, "state": {"level": "-1"}}]}
    _, trace = export_trace(spec, result)
    assert "~(step = TraceLength /\\ ~Type_level)" in trace.tla
    assert_parses(trace.tla)


def test_records_durations_and_enums_are_read_back_from_spec_notation():
    spec = load_spec("spec T\nenum Mode { on, off }\nstate {\n  mode: Mode\n  token: {\n    ttl: duration\n"
                     "    valid: bool\n  }\n}\ninit {\n  mode := off\n  token.ttl := 0\n  token.valid := false\n}\n"
                     "invariant SHORT: token.ttl <= 1 min\n"
                     "action store(d: duration) {\n  mode := on\n  token.ttl := d\n}\n")
    result = {"id": "SHORT", "verdict": "violated", "sets": {}, "trace": [
        {"index": 0, "action": None, "args": {}, "state": {"mode": "off", "token.ttl": "0 d", "token.valid": "false"}},
        {"index": 1, "action": "store", "args": {"d": "2 min"},
         "state": {"mode": "on", "token.ttl": "2 min", "token.valid": "false"}}]}
    _, trace = export_trace(spec, result)
    assert "/\\ store(120000)" in trace.tla
    assert "/\\ token'.ttl = 120000" in trace.tla and '/\\ mode\' = "on"' in trace.tla
    assert_parses(trace.tla)


def test_a_map_shown_in_part_is_checked_on_the_entries_shown_with_a_warning():
    spec = load_spec("spec M\nstate { slots: map[0..30, int] }\ninit { slots := {i: 0 for i in 0..30} }\n"
                     "invariant Z: slots[0] == 0\naction bump() { slots[0] := 1 }\n")
    shown = "{" + ", ".join(f"{i}: 0" for i in range(20)) + ", …}"
    bumped = "{0: 1, " + ", ".join(f"{i}: 0" for i in range(1, 20)) + ", …}"
    result = {"id": "Z", "verdict": "violated", "sets": {}, "trace": [
        {"index": 0, "action": None, "args": {}, "state": {"slots": shown}},
        {"index": 1, "action": "bump", "args": {}, "state": {"slots": bumped}}]}
    _, trace = export_trace(spec, result)
    assert "/\\ slots'[0] = 1" in trace.tla and "/\\ slots'[19] = 0" in trace.tla
    partial = [d for d in trace.diagnostics if d.code == "SF323"]
    assert [d.message.split(",")[0] for d in partial] == ["step 0", "step 1"]
    assert all("shown only in part" in d.message and d.severity.value == "warning" for d in partial)
    assert_parses(trace.tla)


def test_a_run_violated_in_the_initial_state_replays_in_zero_steps():
    spec = load_spec("spec Z\nstate { x: int }\ninit { x := 1 }\ninvariant ZERO: x == 0\n")
    result = {"id": "ZERO", "verdict": "violated", "sets": {},
              "trace": [{"index": 0, "action": None, "args": {}, "state": {"x": "1"}}]}
    _, trace = export_trace(spec, result)
    assert "TraceLength == 0" in trace.tla and "/\\ FALSE" in trace.tla
    assert_parses(trace.tla)


@pytest.mark.parametrize(("changes", "message"), [
    ({"verdict": "proved", "trace": None}, "not violated"),
    ({"id": "NOPE"}, "no invariant `NOPE`"),
    ({"sets": {"Account": ["Account1"]}}, "not an element of Account"),
])
def test_a_trace_that_does_not_fit_the_spec_is_refused(changes, message):
    with pytest.raises(TraceError, match=message):
        export_trace(load_spec(LEDGER_BUG, "ledger.sf"), ledger_result(**changes))


@pytest.mark.parametrize(("step", "field", "value", "message"), [
    (1, "index", 5, "step 1 of the trace is numbered 5"),
    (3, "action", "teleport", "no action `teleport`"),
    (3, "args", {"src": "Account2"}, r"takes \(src, dst, amount\)"),
    (1, "state", {"balances": "{Account1: 0, Account2: 0}"}, "shows the variables"),
    (3, "state", {"balances": "{Account1: x, Account2: 0}", "is_open": "{Account1: true, Account2: true}"},
     "not an integer"),
])
def test_a_malformed_trace_step_is_refused_with_the_reason(step, field, value, message):
    result = ledger_result()
    result["trace"][step][field] = value
    with pytest.raises(TraceError, match=message):
        export_trace(load_spec(LEDGER_BUG, "ledger.sf"), result)


def test_without_the_reports_sets_the_elements_are_those_the_trace_shows():
    result = ledger_result()
    del result["sets"]
    _, trace = export_trace(load_spec(LEDGER_BUG, "ledger.sf"), result)
    assert "CONSTANTS Account1, Account2" in trace.tla


def test_find_result_names_what_the_report_holds():
    spec = load_spec(LEDGER_BUG, "ledger.sf")
    with pytest.raises(TraceError, match="no spec Ledger"):
        find_result({"spec": "Other", "invariants": []}, spec, "LED-1")


def test_the_command_exports_a_trace_from_a_report(tmp_path):
    spec_file = tmp_path / "ledger.sf"
    spec_file.write_text(LEDGER_BUG, encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"version": 1, "spec": "Ledger", "invariants": [ledger_result()]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(spec_file), "-o", str(tmp_path / "out"),
                                       "--trace", str(report), "--invariant", "LED-1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["Ledger.cfg", "Ledger.tla", "Ledger_Trace.cfg", "Ledger_Trace.tla"]


def test_the_command_explains_a_report_without_that_violation(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"spec": "Ledger", "invariants": [{"id": "LED-1", "verdict": "proved"}]}),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "ledger.sf"), "-o", str(tmp_path),
                                       "--trace", str(report), "--invariant", "LED-1"])
    assert result.exit_code == 2
    assert "SF322" in result.output and "not violated" in result.output


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
