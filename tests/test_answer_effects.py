"""Effects that depend on the answer: an action with `-> T` and `ensures` (no `returns`) whose
assignments read `result`. The implementation chooses the answer among those its `ensures` allow in the
state after the call, so every back end takes the answer as one more choice of the call: the prover as
a parameter limited by the `ensures`, the explicit search and the interpreter over candidate answers
grouped by what the effect reads, the property tests from the real answer, TLA+ as a bound part of the
answer and a witness of the rest. Each is checked here against brute force, and TLC where it runs."""

from __future__ import annotations

import re

import pytest

from specforge import ir
from specforge.frontend import load_text
from specforge.interpret import AnswerRefused, Interpreter
from specforge.prove import Verdict, prove
from specforge.run import Run
from specforge.testing.runner import SpecRunner, SpecViolation
from specforge.values import FrozenMap, Universe

from .support import reachable
from .test_tla_support import needs_tlc, run_tlc, tlc_broken, write

DESK = """spec Desk
set Email
enum Route { automatic, human }
type Answer = { route: Route, confidence: int[0..9], note: string }
state {
  seen: map[Email, bool]
  queued: nat
  settled: nat
}
init {
  seen := {e: false for e in Email}
  queued := 0
  settled := 0
}
invariant Q-1: QUEUE
invariant Q-2: settled <= queued
action triage(e: Email) -> Answer {
  requires not seen[e] else Seen
  seen[e] := true
  queued := queued + (if result.route == human then STEP else 0)
  ENSURES
}
action settle() {
  requires settled < queued else Empty
  settled := settled + 1
}
"""

SURE = "ensures result.confidence < 5 implies result.route == human\n  ensures result.note != \"\""


def desk(queue: str = "queued <= count(e in Email if seen[e])", step: str = "1", ensures: str = SURE):
    text = DESK.replace("QUEUE", queue).replace("STEP", step).replace("ENSURES", ensures)
    loaded = load_text(text, "desk.sf")
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec


# ---- the front end ----------------------------------------------------------------------------------------


def test_an_effect_that_reads_the_answer_makes_it_a_choice_of_the_call():
    spec = desk()
    triage, settle = spec.actions
    assert triage.answer is not None and triage.answer.name == ir.RESULT
    assert [p.name for p in triage.choices] == ["e", "result"]
    assert triage.answer_fields == ["route"]
    assert settle.answer is None and settle.choices == settle.params


def test_an_effect_that_reads_the_whole_answer_has_no_fields_to_group_by():
    text = DESK.replace("QUEUE", "true").replace("STEP", "1").replace("ENSURES", SURE) \
        .replace("  settled: nat\n", "  settled: nat\n  last: Answer?\n") \
        .replace("  settled := 0\n}", "  settled := 0\n  last := none\n}") \
        .replace("  seen[e] := true\n", "  seen[e] := true\n  last := result\n")
    spec = load_text(text, "desk.sf").spec
    assert spec.actions[0].answer is not None and spec.actions[0].answer_fields is None


def test_an_action_whose_effect_ignores_the_answer_keeps_its_parameters():
    spec = load_text("spec S\nstate { n: nat }\ninit { n := 0 }\n"
                     "action f() -> int[0..3] {\n  n := n + 1\n  ensures result > 1\n}\n"
                     "action g() -> int {\n  n := n + 1\n  returns n\n}\n", "s.sf").spec
    assert [a.answer for a in spec.actions] == [None, None]


# ---- the prover against brute force -------------------------------------------------------------------------

CASES = [
    ({}, {"Q-1": Verdict.PROVED, "Q-2": Verdict.PROVED, "triage.ensures": Verdict.PROVED}),
    ({"step": "2"}, {"Q-1": Verdict.VIOLATED, "Q-2": Verdict.PROVED, "triage.ensures": Verdict.PROVED}),
    # every answer goes to the machine: nothing is ever queued
    ({"queue": "queued == 0", "ensures": "ensures result.route == automatic"},
     {"Q-1": Verdict.PROVED, "Q-2": Verdict.PROVED, "triage.ensures": Verdict.PROVED}),
    # a sure answer may still go to a person: the queue grows
    ({"queue": "queued == 0", "ensures": "ensures result.route == automatic implies result.confidence >= 5"},
     {"Q-1": Verdict.VIOLATED, "Q-2": Verdict.PROVED, "triage.ensures": Verdict.PROVED}),
    # after two answers routed to a person, no answer meets the contract
    ({"ensures": "ensures result.route == human\n  ensures queued <= 2"},
     {"Q-1": Verdict.PROVED, "Q-2": Verdict.PROVED, "triage.ensures": Verdict.VIOLATED}),
]


def brute_force(spec) -> set[str]:
    """The obligations broken in a state reachable in universes of 1 to 3 emails; the contract
    `triage.ensures` where a call the guards let through has no answer its `ensures` allow."""
    broken: set[str] = set()
    ints = range(0, 10)
    for size in (1, 2, 3):
        it = Interpreter(spec, Universe({"Email": tuple(f"E{i}" for i in range(1, size + 1))}))
        for state in reachable(it, ints, 4):
            broken |= set(it.violations(state))
            for a in spec.actions:
                for args in it.arguments(a, ints):
                    if a.answer is not None and it.enabled(a, state, args) and not it.outcomes(a, state, args, ints):
                        broken.add(f"{a.name}.ensures")
    return broken


@pytest.mark.parametrize("change, expected", CASES, ids=["counts", "counts twice", "never queued",
                                                         "queued although sure", "contract unmeetable"])
def test_verdicts_agree_with_brute_force(change, expected):
    spec = desk(**change)
    report = prove(spec, depth=4, timeout=20.0)
    verdicts = {r.id: r.verdict for r in report.invariants if not r.id.startswith("type:")}
    assert verdicts == expected
    assert {i for i, v in verdicts.items() if v is Verdict.VIOLATED} == brute_force(spec) & set(verdicts)


def test_a_violating_run_shows_the_answers_and_replays_in_the_interpreter():
    spec = desk(step="2")
    r = next(r for r in prove(spec, depth=4).invariants if r.id == "Q-1")
    assert r.verdict is Verdict.VIOLATED
    run = r.run
    assert all(ir.RESULT in c.args for c in run.calls)
    assert re.fullmatch(r"triage\(e=Email\d\) -> Answer \{route: human, .*\}", run.show_call(0)), run.show_call(0)
    it = Interpreter(spec, run.sets)
    state = run.states[0]
    for call, expected in zip(run.calls, run.states[1:], strict=True):
        state = it.step(call.action, state, dict(call.args))
        assert state == expected
    assert "Q-1" in it.violations(state)
    assert Run.from_json(run.to_json(), spec) == run


def test_the_interpreter_refuses_an_answer_its_ensures_do_not_allow_and_asks_for_a_missing_one():
    spec = desk()
    it = Interpreter(spec, Universe({"Email": ("E1",)}))
    s0 = it.initial_state()
    unsure = FrozenMap({"route": "automatic", "confidence": 1, "note": "x"})
    assert not it.enabled("triage", s0, {"e": "E1", "result": unsure})
    with pytest.raises(AnswerRefused, match="triage.ensures.1"):
        it.step("triage", s0, {"e": "E1", "result": unsure})
    with pytest.raises(Exception, match="give it as `result`"):
        it.step("triage", s0, {"e": "E1"})
    after = it.step("triage", s0, {"e": "E1", "result": unsure.set("route", "human")})
    assert after["queued"] == 1
    # one state per route the candidate answers allow, each with an answer that leads there
    outcomes = it.outcomes("triage", s0, {"e": "E1"}, range(0, 10))
    assert sorted(after["queued"] for _, after in outcomes) == [0, 1]
    assert all(not it.refused_answer(spec.actions[0], s0, args) for args, _ in outcomes)


def test_the_explicit_search_finds_the_violation_with_an_answer_the_ensures_allow():
    from specforge.explore import Budget
    from specforge.explore.instance import build
    from specforge.explore.search import Search

    spec = desk(queue="queued == 0", ensures="ensures result.route == automatic implies result.confidence >= 5")
    instance = build(spec, {"Email": 1})
    assert len(instance.calls["triage"]) == 2  # one per route: the effect reads nothing else
    search = Search(spec, instance).run(Budget(states=1000, seconds=30))
    start, step = search.run_to(search.first["Q-1"])
    assert step.args[ir.RESULT]["route"] == "human"
    assert not Interpreter(spec, instance.universe).refused_answer(spec.actions[0], start.state, step.args)


# ---- the property tests: the real answer decides the expected state ------------------------------------


class Seen(Exception):
    pass


class Empty(Exception):
    pass


class Desk:
    def __init__(self, Email=(), bug: str = ""):
        self.seen = {e: False for e in Email}
        self.queued = self.settled = 0
        self.bug = bug

    def triage(self, e):
        if self.seen[e]:
            raise Seen()
        self.seen[e] = True
        confidence = 3 if self.bug != "sure" else 7
        route = "human" if confidence < 5 else "automatic"
        if route == "human" and self.bug != "forget":
            self.queued += 1
        if self.bug == "unsure":
            route = "automatic"
        return {"route": route, "confidence": confidence, "note": "checked"}

    def settle(self):
        if self.settled >= self.queued:
            raise Empty()
        self.settled += 1


@pytest.mark.parametrize("bug, message", [
    ("", None),
    ("sure", None),  # a sure answer routed automatically, not queued: also what the spec allows
    ("forget", "after triage(e='Email1'): `queued`: the spec says 1, the implementation has 0"),
    ("unsure", "after triage(e='Email1'): `queued`: the spec says 0, the implementation has 1"),
], ids=["faithful", "sure answers", "forgets to queue", "queues but answers automatic"])
def test_the_expected_state_follows_the_answer_the_implementation_gave(bug, message):
    spec = desk()
    runner = SpecRunner(spec, lambda Email=(): Desk(Email, bug), set_size=1)
    script = [("triage", {"e": "Email1"}), ("settle", {}), ("settle", {})]
    if message is None:
        for name, args in script:
            runner.apply(name, args)
        assert runner.model["queued"] == (0 if bug == "sure" else 1)
        return
    with pytest.raises(SpecViolation) as caught:
        for name, args in script:
            runner.apply(name, args)
    assert message in str(caught.value)


def test_an_answer_its_ensures_do_not_allow_is_reported_with_the_clause():
    class Careless(Desk):
        def triage(self, e):
            answer = super().triage(e)
            return {**answer, "note": ""}

    runner = SpecRunner(desk(), lambda Email=(): Careless(Email), source=DESK, set_size=1)
    with pytest.raises(SpecViolation, match=r"triage\(e='Email1'\) answered .* which breaks triage.ensures.2"):
        runner.apply("triage", {"e": "Email1"})


# ---- TLA+ -------------------------------------------------------------------------------------------------


def test_tla_binds_the_part_of_the_answer_the_effect_reads_and_looks_for_a_witness_of_the_rest():
    from specforge.tla import export_tla

    x = export_tla(desk())
    assert "result \\in [route: Route]" in x.tla
    assert re.search(r"\\E answer \\in \[route: Route, confidence: 0\.\.9, note: StringPool\] : "
                     r"answer\.route = result\.route /\\ ", x.tla), x.tla
    assert "StringPool ==" in x.tla
    # the last answer: the part Next binds (no Ens_ invariant: Next asks the ensures)
    assert "result_triage' = {[result |-> result]}" in x.tla and "result_triage \\subseteq [result: [route: Route]]" in x.tla
    assert "Ens_" not in x.tla


@needs_tlc
@pytest.mark.parametrize("change, violated", [({}, None), ({"step": "2"}, "Q-1"),
                                              ({"ensures": "ensures result.route == human"}, None)],
                         ids=["counts", "counts twice", "always a person"])
def test_tlc_agrees_with_the_prover(change, violated, tmp_path):
    assert tlc_broken(tmp_path, desk(**change)) == (None if violated is None else f"Inv_{violated.replace('-', '_')}")


@needs_tlc
def test_a_violating_run_with_answers_replays_as_a_tlc_trace(tmp_path, monkeypatch):
    from specforge.tla import export_trace

    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))
    spec = desk(step="2")
    r = next(r for r in prove(spec, depth=4).invariants if r.id == "Q-1")
    base, trace = export_trace(spec, r)
    assert "triage(Email1, [route |-> \"human\"" in trace.tla or "triage(Email2, [route |-> \"human\"" in trace.tla
    write(tmp_path, base, trace)
    out = run_tlc(tmp_path, trace.module)
    assert "Error: Invariant TraceNotConfirmed is violated." in out, out
    assert f"/\\ step = {r.run.steps}" in out, out
    assert 'result_triage = {[result |-> [route |-> "human"]]}' in out, out  # TLC's trace shows the answer
