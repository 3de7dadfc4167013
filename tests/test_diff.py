"""`specforge diff`: pairs of spec versions with the expected classification of every invariant and
action, each witness checked by the interpreter, and the CI gate."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from specforge.cli import ExitCode, main
from specforge.diff import Witness, diff
from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.values import State, Universe, freeze

BASE = """\
spec Store
set Item
enum Mode { open, closed }
const CAP: int = 100
state {
  stock: map[Item, nat]
  total: int
  mode: Mode
  count: int[0..10]
}
init {
  stock := {i: 0 for i in Item}
  total := 0
  mode := open
  count := 0
}
{invariants}
action restock(i: Item, n: int) {
  requires n > 0 else BadAmount
  requires mode == open else Closed
  requires total + n <= CAP else Full
  stock[i] := stock[i] + n
  total := total + n
}
action close() {
  mode := closed
}
"""

INVARIANTS = """\
invariant T-1 MUST: total >= 0
invariant T-2 MUST: total <= CAP
invariant N-1 SHOULD: not (mode == closed and count > 5)
"""


def spec(text: str):
    loaded = load_text(text, "store.sf")
    assert loaded.ok, [d.message for d in loaded.diagnostics]
    return loaded.spec


def changed(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


ORIGINAL = BASE.replace("{invariants}", INVARIANTS)

INVARIANT_CASES = [
    # (what, new text, expected kind per invariant id)
    ("nothing changes", ORIGINAL, {"T-1": "equivalent", "T-2": "equivalent", "N-1": "equivalent"}),
    ("an equivalent rewrite by De Morgan", changed(ORIGINAL, ("not (mode == closed and count > 5)",
                                                             "not (mode == closed) or not (count > 5)")),
     {"N-1": "equivalent"}),
    ("a raised constant weakens a bound", changed(ORIGINAL, ("const CAP: int = 100", "const CAP: int = 200")),
     {"T-2": "weaker", "T-1": "equivalent"}),
    ("a lowered constant strengthens it", changed(ORIGINAL, ("const CAP: int = 100", "const CAP: int = 50")),
     {"T-2": "stronger"}),
    ("a different bound is incomparable", changed(ORIGINAL, ("total >= 0", "total >= 5 or total == -1")),
     {"T-1": "incomparable"}),
    ("an ID changes, the body does not", changed(ORIGINAL, ("invariant T-1 MUST", "invariant TOTAL-1 MUST")),
     {"TOTAL-1": "renamed"}),
    ("an invariant is removed and another added",
     changed(ORIGINAL, ("invariant T-2 MUST: total <= CAP\n", "invariant C-1 MUST: count <= 10\n")),
     {"T-2": "removed", "C-1": "added"}),
]


@pytest.mark.parametrize("what, new, expected", INVARIANT_CASES, ids=[c[0] for c in INVARIANT_CASES])
def test_invariants_are_classified_and_each_witness_tells_the_versions_apart(what, new, expected):
    old_spec, new_spec = spec(ORIGINAL), spec(new)
    result = diff(old_spec, new_spec)
    kinds = {c.id: c.kind for c in result.invariants}
    for tid, kind in expected.items():
        assert kinds[tid] == kind, (tid, kinds)
    for c in result.invariants:
        old_id = c.old_id or c.id
        if c.only_new is not None:
            assert holds(new_spec, c.id, c.only_new) and not holds(old_spec, old_id, c.only_new)
        if c.only_old is not None:
            assert holds(old_spec, old_id, c.only_old) and not holds(new_spec, c.id, c.only_old)
        if c.kind in ("weaker", "incomparable"):
            assert c.only_new is not None
        if c.kind in ("stronger", "incomparable"):
            assert c.only_old is not None


def holds(s, invariant_id: str, w: Witness) -> bool:
    interp = Interpreter(s, Universe({name: tuple(elements) for name, elements in w.sets.items()}))
    return interp.holds(invariant_id, State((k, freeze(v)) for k, v in w.state.items()))


ACTION_CASES = [
    ("a guard loosened", changed(ORIGINAL, ("requires n > 0 else BadAmount", "requires n >= 0 else BadAmount")),
     {"restock": "changed"}, "more"),
    ("a guard tightened", changed(ORIGINAL, ("requires total + n <= CAP else Full", "requires total + n < CAP else Full")),
     {"restock": "changed"}, "fewer"),
    ("an effect changed", changed(ORIGINAL, ("total := total + n", "total := total + n + 1")),
     {"restock": "changed"}, "effect"),
    ("a failure mode renamed", changed(ORIGINAL, ("else Closed", "else StoreClosed")), {"restock": "changed"},
     "renamed"),
    ("nothing changed", ORIGINAL, {"restock": "unchanged", "close": "unchanged"}, None),
]


@pytest.mark.parametrize("what, new, expected, detail", ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_actions_are_classified_with_a_witness_call_the_interpreter_confirms(what, new, expected, detail):
    old_spec, new_spec = spec(ORIGINAL), spec(new)
    result = diff(old_spec, new_spec)
    by_name = {a.name: a for a in result.actions}
    for name, kind in expected.items():
        assert by_name[name].kind == kind
    restock = by_name["restock"]
    if detail == "more":
        assert enabled(new_spec, restock.accepts_more) and not enabled(old_spec, restock.accepts_more)
        assert restock.accepts_fewer is None
    if detail == "fewer":
        assert enabled(old_spec, restock.accepts_fewer) and not enabled(new_spec, restock.accepts_fewer)
        assert restock.accepts_more is None
    if detail == "effect":
        w = restock.effect
        assert enabled(old_spec, w) and enabled(new_spec, w)
        assert after(old_spec, w) != after(new_spec, w)
    if detail == "renamed":
        assert restock.errors_renamed == [("Closed", "StoreClosed")] and not restock.errors_removed
        assert result.blocking == []


def interp_for(s, w: Witness):
    return Interpreter(s, Universe({name: tuple(elements) for name, elements in w.sets.items()}))


def enabled(s, w: Witness) -> bool:
    return interp_for(s, w).enabled("restock", State((k, freeze(v)) for k, v in w.state.items()), w.args)


def after(s, w: Witness):
    return interp_for(s, w).step("restock", State((k, freeze(v)) for k, v in w.state.items()), w.args)


def test_the_behaviour_of_an_unchanged_spec_refines_for_every_length_and_a_loosened_guard_gives_a_shortest_run():
    same = diff(spec(ORIGINAL), spec(ORIGINAL))
    assert same.behaviour.refines is True
    loose = diff(spec(ORIGINAL), spec(changed(ORIGINAL, ("requires mode == open else Closed\n", ""))))
    assert loose.behaviour.refines is False
    run = loose.behaviour.run
    assert [c.action for c in run.calls] == ["close", "restock"]  # closing first is the shortest way
    # the run is the new spec's: the interpreter replays it, and the old spec refuses its last call
    new_spec = spec(changed(ORIGINAL, ("requires mode == open else Closed\n", "")))
    interp, state = Interpreter(new_spec, run.sets), None
    state = interp.initial_state()
    for i, call in enumerate(run.calls):
        state = interp.step(call.action, state, dict(call.args))
        assert state == run.states[i + 1]
    old = Interpreter(spec(ORIGINAL), run.sets)
    assert not old.enabled(run.calls[-1].action, run.states[-2], dict(run.calls[-1].args))


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_gate_fails_a_removed_must_invariant_and_passes_the_same_change_when_accepted(tmp_path):
    old = write(tmp_path, "old.sf", ORIGINAL)
    new = write(tmp_path, "new.sf", changed(ORIGINAL, ("invariant T-2 MUST: total <= CAP\n", "")))
    refused = CliRunner().invoke(main, ["diff", old, new])
    assert refused.exit_code == ExitCode.DOES_NOT_HOLD, refused.output
    assert "MUST invariant T-2 removed" in refused.output
    accepted = CliRunner().invoke(main, ["diff", old, new, "--accept", "T-2"])
    assert accepted.exit_code == ExitCode.OK, accepted.output


@pytest.mark.parametrize("what, new, blocking", [
    ("a MUST moved to SHOULD", changed(ORIGINAL, ("invariant T-1 MUST", "invariant T-1 SHOULD")),
     ["MUST invariant T-1 moved from MUST to SHOULD"]),
    ("a MUST weakened", changed(ORIGINAL, ("const CAP: int = 100", "const CAP: int = 200")),
     ["MUST invariant T-2 weaker"]),
    ("a failure mode dropped", changed(ORIGINAL, ("  requires n > 0 else BadAmount\n", "")),
     ["failure mode BadAmount of `restock` dropped"]),
    ("a SHOULD removed", changed(ORIGINAL, ('invariant N-1 SHOULD: not (mode == closed and count > 5)\n', "")), []),
    ("a MUST strengthened", changed(ORIGINAL, ("const CAP: int = 100", "const CAP: int = 50")), []),
])
def test_only_weakened_guarantees_block(what, new, blocking):
    assert diff(spec(ORIGINAL), spec(new)).blocking == blocking


def test_markdown_and_json_carry_the_same_verdicts(tmp_path):
    import json

    old = write(tmp_path, "old.sf", ORIGINAL)
    new = write(tmp_path, "new.sf", changed(ORIGINAL, ("const CAP: int = 100", "const CAP: int = 200")))
    md = CliRunner().invoke(main, ["diff", old, new, "--format", "markdown"]).output
    assert "| `T-2` | weaker | MUST |" in md and "**Guarantees weakened:** MUST invariant T-2 weaker" in md
    doc = json.loads(CliRunner().invoke(main, ["diff", old, new, "--format", "json"]).stdout)
    assert {c["id"]: c["kind"] for c in doc["invariants"]}["T-2"] == "weaker"
    assert doc["blocking"] == ["MUST invariant T-2 weaker"]


def test_rev_compares_a_file_with_its_version_in_git(tmp_path):
    import subprocess

    path = tmp_path / "store.sf"
    path.write_text(ORIGINAL)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "store.sf"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "v1"], check=True)
    path.write_text(changed(ORIGINAL, ("invariant T-1 MUST", "invariant T-1 MAY")))
    result = CliRunner().invoke(main, ["diff", "--rev", "HEAD", str(path)])
    assert result.exit_code == ExitCode.DOES_NOT_HOLD and "T-1" in result.output
    missing = CliRunner().invoke(main, ["diff", "--rev", "no-such-rev", str(path)])
    assert missing.exit_code == ExitCode.USAGE and "git cannot show" in missing.output
