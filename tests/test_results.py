"""Action results: `-> T`, `returns` and `ensures`, read and checked, proved against brute force, and
held against real implementations by the property tests."""

from __future__ import annotations

import re
import shutil

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.testing.runner import SpecRunner, SpecViolation
from specforge.values import Universe

from .support import reachable
from .test_tla_support import run_tlc, tla2tools, tlc_broken, write

HEAD = """spec Orders
set Order
enum Status { open, paid, shipped }
state {
  status: map[Order, Status]
  total: int
}
init {
  status := {o: open for o in Order}
  total := 0
}
invariant T-1: total >= 0
action pay(o: Order, amount: int[1..3]) {
  requires status[o] == open else NotOpen
  status[o] := paid
  total := total + amount
}
action ship(o: Order) {
  requires status[o] == paid else NotPaid
  status[o] := shipped
}
"""


def load(text: str):
    loaded = load_text(text, "results.sf")
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec


def errors(text: str) -> list[tuple[str, int, str]]:
    loaded = load_text(text, "results.sf")
    return [(d.code, d.span.line if d.span else 0, d.message) for d in loaded.diagnostics]


# ---- the front end -------------------------------------------------------------------------------------

def test_an_action_declares_its_result_returns_it_and_states_postconditions():
    spec = load(HEAD + "action look(o: Order) -> Status {\n  returns status[o]\n  ensures result != shipped or total > 0\n}\n")
    look = spec.actions[-1]
    assert look.result.resolved.name == "Status"
    assert look.returns.value.kind == "index"
    assert [e.id for e in look.ensures] == ["look.ensures.1"]


@pytest.mark.parametrize("body, code, line, message", [
    ("action f(o: Order) { returns total }", "SF240", 22, "declares no result"),
    ("action f(o: Order) { ensures total > 0 }", "SF240", 22, "declares no result"),
    ("action f(o: Order) -> int {\n  returns total\n  total := 1\n}", "SF240", 23, "ends the action"),
    ("action f(o: Order) -> int {\n  returns total\n  returns 1\n}", "SF240", 24, "one `returns`"),
    ("action f(o: Order) -> bool { returns total }", "SF203", 22, "the result of `f` is bool"),
    ("action f(o: Order) -> int { ensures result }", "SF203", 22, "a postcondition must be bool"),
    ("action f(o: Order) -> int { returns result }", "SF201", 22, "`result` has no value here"),
    ("action f(result: int) -> int { returns 1 }", "SF218", 22, "the name of the action's result"),
    ("action f(o: Order) -> int {\n  requires result > 0\n  ensures result > 1\n}", "SF201", 23,
     "`result` has no value here"),
    ("action f(o: Order) -> int {\n  total := result\n  returns total\n}", "SF201", 23, "`result` has no value here"),
    ("action f(o: Order) { total := result }", "SF201", 22, "`result` has no value here"),
], ids=["returns without a result", "ensures without a result", "returns before an assignment", "two returns",
        "returns of the wrong type", "a postcondition that is not bool", "result outside ensures",
        "a parameter named result", "result in a guard", "result in the effect of an action with returns",
        "result in an action without a result"])
def test_misplaced_or_mistyped_results_are_positioned_errors(body, code, line, message):
    found = errors(HEAD + body + "\n")
    assert any(c == code and ln == line and message in m for c, ln, m in found), found


def test_the_body_after_a_result_type_is_a_block_whatever_the_type():
    for t in ("int", "int[0..5]?", "set[Status]", "Status", "bool"):
        value = {"int": "total", "int[0..5]?": "none", "set[Status]": "{paid}", "Status": "open", "bool": "true"}[t]
        spec = load(HEAD + f"action f(o: Order) -> {t} {{\n  requires status[o] == open else NotOpen\n"
                           f"  total := total\n  returns {value}\n}}\n")
        assert len(spec.actions[-1].guards) == 1 and len(spec.actions[-1].assignments) == 1


# ---- the prover, against brute force ----------------------------------------------------------------------

# (the action, the obligations it gives and the verdict of each)
CASES = [
    ("action total_paid(o: Order) -> int {\n  requires status[o] == paid else NotPaid\n  returns total\n"
     "  ensures result > 0\n}", {"total_paid.ensures.1": Verdict.PROVED}),
    ("action bump(o: Order) -> int {\n  requires status[o] == open else NotOpen\n  total := total + 1\n"
     "  returns total\n  ensures result >= 2\n}", {"bump.ensures.1": Verdict.VIOLATED}),
    ("action look(o: Order) -> Status {\n  returns status[o]\n  ensures result == open or total > 0\n"
     "  ensures result != shipped\n}", {"look.ensures.1": Verdict.PROVED, "look.ensures.2": Verdict.VIOLATED}),
    ("action quote(o: Order) -> int[0..9] {\n  ensures result > 4\n  ensures result < 6 or status[o] != open\n}",
     {"quote.ensures": Verdict.PROVED}),
    ("action grade(o: Order) -> int[0..9] {\n  requires status[o] == shipped else NotShipped\n"
     "  ensures result > total + 6\n}", {"grade.ensures": Verdict.VIOLATED}),
    ("action pick(o: Order) -> Status {\n  ensures result != status[o]\n  ensures result != open\n}",
     {"pick.ensures": Verdict.PROVED}),
    ("action pick(o: Order) -> Status {\n  ensures result != status[o]\n  ensures result != open\n"
     "  ensures result != shipped\n}", {"pick.ensures": Verdict.VIOLATED}),
    ("action pick(o: Order) -> Status {\n  requires status[o] != paid else Paid\n  ensures result != status[o]\n"
     "  ensures result != open\n  ensures result != shipped\n}", {"pick.ensures": Verdict.PROVED}),
]


def brute_force(spec) -> set[str]:
    """The result obligations some reachable call breaks, in universes of 1 to 2 orders."""
    broken: set[str] = set()
    for size in (1, 2):
        it = Interpreter(spec, Universe({"Order": tuple(f"O{i}" for i in range(1, size + 1))}))
        for state in reachable(it, range(0, 4), 4):
            for a in spec.actions:
                for args in it.arguments(a, range(0, 4)) if a.ensures else []:
                    if not it.enabled(a, state, args):
                        continue
                    after = it.effect(a, state, args)
                    if a.returns is not None:
                        broken |= {e.id for e in it.broken_postconditions(a, after, args, it.result(a, after, args))}
                    elif all(it.broken_postconditions(a, after, args, r) for r in it.values(a.result.resolved)):
                        broken.add(f"{a.name}.ensures")
    return broken


@pytest.mark.parametrize("action, expected", CASES, ids=[c[0].split("(")[0][7:] + str(i) for i, c in enumerate(CASES)])
def test_result_obligations_are_proved_or_violated_as_brute_force_finds(action, expected):
    spec = load(HEAD + action + "\n")
    report = prove(spec, depth=4, timeout=10.0)
    verdicts = {r.id: r.verdict for r in report.invariants if r.kind == "postcondition"}
    assert verdicts == expected
    broken = brute_force(spec)
    assert {i for i, v in verdicts.items() if v is Verdict.VIOLATED} == broken & set(verdicts)
    for r in report.invariants:
        if r.verdict is Verdict.VIOLATED and r.kind == "postcondition":
            assert r.run is not None and ("answers" in r.reason or "no answer" in r.reason), r.reason


def test_a_contract_no_implementation_can_meet_is_reported_by_its_id_with_the_call():
    spec = load(HEAD + "action grade(o: Order) -> int[0..9] {\n  requires status[o] == shipped else NotShipped\n"
                       "  ensures result > total + 6\n}\n")
    r = next(r for r in prove(spec, depth=4).invariants if r.id == "grade.ensures")
    assert r.verdict is Verdict.VIOLATED
    assert "no answer of `grade(o=" in r.reason and "no implementation can keep this contract" in r.reason
    assert r.run.steps == 2  # pay the order 3, ship it: then 0..9 has nothing above total + 6 = 9


# ---- the property tests: real answers against the spec ----------------------------------------------------

SHOP = HEAD + """action look(o: Order) -> Status {
  returns status[o]
}
action quote(o: Order) -> int[0..9] {
  ensures result > 4
  ensures result < 6 or status[o] != open
}
"""


class NotOpen(Exception):
    pass


class NotPaid(Exception):
    pass


class Shop:
    def __init__(self, Order=(), lie: str = ""):
        self.status = {o: "open" for o in Order}
        self.total = 0
        self.lie = lie

    def pay(self, o, amount):
        if self.status[o] != "open":
            raise NotOpen()
        self.status[o] = "paid"
        self.total += amount

    def ship(self, o):
        if self.status[o] != "paid":
            raise NotPaid()
        self.status[o] = "shipped"

    def look(self, o):
        return "open" if self.lie == "look" else self.status[o]

    def quote(self, o):
        return {"quote": 7, "type": "7"}.get(self.lie, 5)


@pytest.mark.parametrize("lie, calls, message", [
    ("", [], None),
    ("look", [("pay", {"o": "Order1", "amount": 1}), ("look", {"o": "Order1"})],
     "look(o='Order1') answered open, but `returns status[o]` says paid"),
    ("quote", [("quote", {"o": "Order1"})], "quote(o='Order1') answered 7, which breaks quote.ensures.2 "
                                           "`result < 6 or status[o] != open`"),
    ("type", [("quote", {"o": "Order1"})], "quote(o='Order1') answered '7', which is not a value of its result "
                                          "type int[0..9]"),
], ids=["a faithful shop", "a wrong determined answer", "an answer breaking a postcondition", "an answer of another type"])
def test_every_answer_is_checked_against_the_result_type_returns_and_ensures(lie, calls, message):
    spec = load(SHOP)
    source = SHOP
    runner = SpecRunner(spec, lambda Order=(): Shop(Order, lie), source=source, set_size=1)
    script = calls or [("pay", {"o": "Order1", "amount": 2}), ("look", {"o": "Order1"}), ("quote", {"o": "Order1"}),
                       ("ship", {"o": "Order1"}), ("look", {"o": "Order1"})]
    if message is None:
        for name, args in script:
            runner.apply(name, args)
        return
    with pytest.raises(SpecViolation) as caught:
        for name, args in script:
            runner.apply(name, args)
    assert message in str(caught.value)


COUNTER = """\
spec Counter
state { n: int[0..3] }
init { n := 0 }
action bump(k: int[1..2]) -> int {
  requires n + k <= 3 else Full
  n := n + k
  returns n * 10
  ensures result >= 10 * k
  ensures result <= 30
}
action reset() {
  n := 0
}
"""


def test_tla_keeps_the_last_answer_in_a_variable_and_checks_ensures_on_it():
    from specforge.tla import export_tla

    x = export_tla(load_text(COUNTER, "counter.sf").spec)
    assert "result_bump' = {[result |-> (n + k) * 10, k |-> k]}" in x.tla  # read after the call
    assert "result_bump' = {}" in x.tla and "result_bump = {}" in x.tla  # another action, and init: no answer
    assert "Ens_bump_ensures_2 == \\A r \\in result_bump : (r.result <= 30)" in x.tla
    assert "Ens_bump_ensures_1" in x.cfg and "vars == <<n, result_bump>>" in x.tla


CHOSEN = [(action, verdicts[f"{action.split('(')[0][7:]}.ensures"]) for action, verdicts in CASES
          if "returns" not in action]


def test_tla_records_an_answer_the_ensures_allow_when_the_effect_does_not_read_it():
    from specforge.tla import export_tla

    x = export_tla(load(HEAD + CASES[3][0] + "\n"))  # quote: ensures only, over int[0..9]
    assert "LET Allowed(answer) == (answer > 4) /\\ (answer < 6 \\/ status[o] /= \"open\")" in x.tla
    assert ("Answer == IF \\E answer \\in Dom_quote_result : Allowed(answer) THEN CHOOSE answer \\in "
            "Dom_quote_result : Allowed(answer) ELSE CHOOSE answer \\in Dom_quote_result : TRUE") in x.tla
    # the arguments the ensures read, and no other
    assert "result_quote' = {[result |-> Answer, o |-> o]}" in x.tla
    assert "Ens_quote_ensures_2 == \\A r \\in result_quote : (r.result < 6 \\/ status[r.o] /= \"open\")" in x.tla


@pytest.mark.skipif(shutil.which("java") is None or tla2tools() is None, reason="TLC needs Java and tla2tools.jar")
@pytest.mark.parametrize("action, verdict", CHOSEN, ids=[f"{a.split('(')[0][7:]}{i}" for i, (a, _) in enumerate(CHOSEN)])
def test_tlc_agrees_with_prove_on_contracts_of_answers_the_effect_does_not_read(action, verdict, tmp_path):
    """A contract no answer meets in some reachable state (prove: `ACTION.ensures` violated) is an
    Ens_ invariant TLC finds broken right after the call; one that can always be met, TLC checks."""

    spec = load(HEAD + action + "\n")
    assert {r.id: r.verdict for r in prove(spec, depth=4).invariants if r.kind == "postcondition"} \
        == {f"{spec.actions[-1].name}.ensures": verdict}
    broken = tlc_broken(tmp_path, spec)
    if verdict is Verdict.PROVED:
        assert broken is None
    else:
        assert re.fullmatch(rf"Ens_{spec.actions[-1].name}_ensures_\d+", broken or ""), broken


KINDS = """spec Kinds
enum Level { low, mid, high }
type Pair = { a: int[0..2], b: bool }
state { n: int[0..3] }
init { n := 0 }
action f() -> set[Level] {
  ensures low in result
}
action g() -> Pair {
  ensures result.a > 0
}
action h() -> Level? {
  ensures result != none
}
action s() -> string {
  ensures len(result) > 0
}
"""


@pytest.mark.skipif(shutil.which("java") is None or tla2tools() is None, reason="TLC needs Java and tla2tools.jar")
@pytest.mark.parametrize("action, clause", [(None, None), ("f", "ensures not (low in result)"), ("g", "ensures result.a > 2"),
                                            ("h", "ensures result == none"), ("s", "ensures len(result) < 0")])
def test_tlc_records_answers_of_every_kind_and_reports_a_contract_none_meets(action, clause, tmp_path):
    """Sets, records, optionals and strings as answers only `ensures` constrain: recorded (the string
    pool is defined for an answer's strings too), and a contract none meets is the Ens_ invariant of
    its new clause broken, as prove reports it."""

    text = KINDS
    if action is not None:
        head = next(line for line in KINDS.splitlines() if line.startswith(f"action {action}("))
        text = KINDS.replace(head, head + "\n  " + clause, 1)
    spec = load(text)
    broken = {r.id for r in prove(spec, depth=2).invariants if r.verdict is Verdict.VIOLATED}
    assert broken == (set() if action is None else {f"{action}.ensures"})
    broken = tlc_broken(tmp_path, spec)
    if action is None:
        assert broken is None
    else:
        assert re.fullmatch(rf"Ens_{action}_ensures_\d+", broken or ""), broken


def test_a_broken_postconditions_run_ends_with_the_breaking_call_and_replays_everywhere(tmp_path):
    from specforge.tla import export_trace

    spec = load_text(COUNTER.replace("result <= 30", "result <= 20"), "counter.sf").spec
    broken = next(r for r in prove(spec).invariants if r.id == "bump.ensures.2")
    run = broken.run
    # the last step is the call: bump to 3, whose answer 30 breaks `result <= 20`
    assert run.calls[-1].action == "bump" and run.states[-1]["n"] == 3
    it = Interpreter(spec, run.sets)
    after = it.step("bump", run.states[-2], dict(run.calls[-1].args))
    assert [e.id for e in it.broken_postconditions(spec.actions[0], after, dict(run.calls[-1].args),
                                                   it.result("bump", after, dict(run.calls[-1].args)))] \
        == ["bump.ensures.2"]
    base, trace = export_trace(spec, broken)
    assert "TraceNotConfirmed == ~(step = TraceLength /\\ ~Ens_bump_ensures_2)" in trace.tla
    if shutil.which("java") is not None and tla2tools() is not None:
        write(tmp_path, base, trace)
        out = run_tlc(tmp_path, trace.module)
        assert "Error: Invariant TraceNotConfirmed is violated." in out, out


def test_a_contract_no_answer_meets_is_not_exported_as_a_trace():
    from specforge.tla import export_trace
    from specforge.tla.trace import TraceError

    spec = load(HEAD + "action grade(o: Order) -> int[0..9] {\n  requires status[o] == shipped else NotShipped\n"
                       "  ensures result > total + 6\n}\n")
    broken = next(r for r in prove(spec, depth=4).invariants if r.id == "grade.ensures")
    with pytest.raises(TraceError, match="no answer can meet"):
        export_trace(spec, broken)
