"""An optional known to be present reads as its value: after `requires x != none`, on the right of
`x != none and ...` (or `implies`, or `x == none or ...`), in the `then` of `if x != none`. The checker
marks each such read (`ir.Present`); every back end reads it as the value, and where it would be `none`
it has no meaning (the interpreter raises, the prover has a definedness obligation), so a narrowing the
checker got wrong shows up instead of passing silently."""

from __future__ import annotations

import pytest

from specforge import ir
from specforge.evaluate import EvaluationError
from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.testing.runner import SpecRunner, SpecViolation
from specforge.values import FrozenMap, Universe

from .support import reachable
from .test_tla_support import needs_tlc, run_tlc, write

HEAD = """spec Desk
set Clerk
type Ticket = { priority: int[1..3], open: bool }
state {
  current: Ticket?
  clerk: Clerk?
  served: nat
}
init {
  current := none
  clerk := none
  served := 0
}
"""


def load(text: str):
    loaded = load_text(HEAD + text, "desk.sf")
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec


def errors(text: str) -> list[tuple[str, int]]:
    loaded = load_text(HEAD + text, "desk.sf")
    return [(d.code, d.span.line) for d in loaded.diagnostics]


def presents(node) -> int:
    from specforge.finite import expressions

    return sum(isinstance(e, ir.Present) for e in expressions(node))


@pytest.mark.parametrize("text", [
    "action serve() {\n  requires current != none else Idle\n  served := served + current.priority\n}",
    "action serve() {\n  requires not (current == none) else Idle\n  requires current.open else Closed\n"
    "  served := served + current.priority\n  current := none\n}",
    "action serve() {\n  requires clerk != none and current != none else Idle\n"
    "  served := served + current.priority\n}",
    "action peek() -> int {\n  requires current != none else Idle\n  returns current.priority\n"
    "  ensures current.priority == result\n}",
    "invariant D-1: current != none implies current.priority >= 1",
    "invariant D-1: current == none or current.priority >= 1",
    "invariant D-1: not (current != none and current.priority > 3)",
    "invariant D-1: (if current == none then 1 else current.priority) >= 1",
    "invariant D-1: forall c in Clerk: clerk == c implies clerk != none",
    "invariant D-1: current != none implies or_else(current, Ticket { priority: 1, open: true }).open "
    "or not current.open",
], ids=["guard", "negated guard then guard", "conjunction", "returns and ensures", "implies", "or", "not and",
        "if", "quantifier", "or_else of a narrowed optional"])
def test_a_present_optional_reads_as_its_value(text):
    spec = load(text + "\n")
    assert presents(spec) >= (0 if "clerk == c" in text else 1)


@pytest.mark.parametrize("text, line", [
    # the guard's promise ends where the variable is assigned
    ("action serve() {\n  requires current != none else Idle\n  current := none\n"
     "  served := served + current.priority\n}", 17),
    # the other branch: none there
    ("action serve() {\n  served := served + (if current != none then 0 else current.priority)\n}", 15),
    ("invariant D-1: current != none or current.priority > 0", 14),
    ("invariant D-1: current == none and current.priority > 0", 14),
    ("invariant D-1: current != none iff current.priority > 0", 14),
    # the state after the action: the assignment may have changed it
    ("action drop() -> int {\n  requires current != none else Idle\n  current := none\n"
     "  returns current.priority\n}", 17),
], ids=["assigned since the guard", "else branch", "or", "and with ==", "iff", "returns after an assignment"])
def test_an_optional_that_may_be_none_is_still_refused(text, line):
    assert ("SF221", line) in errors(text + "\n")


def test_a_quantified_variable_hides_a_narrowed_name():
    # reusing the name is an error of its own; the inner `current` is not the narrowed one either
    found = errors("invariant D-1: current != none implies forall current in Clerk: current.priority > 0\n")
    assert ("SF218", 14) in found and ("SF221", 14) in found


def test_comparing_a_narrowed_optional_with_none_compares_the_optional():
    spec = load("action serve() {\n  requires current != none else Idle\n"
                "  served := if current == none then 0 else current.priority\n}\n")
    value = spec.actions[0].assignments[0].value
    assert isinstance(value.cond.left, ir.Name) and isinstance(value.cond.left.type, ir.OptionT)


# ---- soundness: brute force, a wrong narrowing, TLC ---------------------------------------------------------

DESK = """action take(t: Ticket) {
  requires current == none else Busy
  current := t
}
action serve() {
  requires current != none else Idle
  requires current.open else Closed
  served := served + current.priority
  current := none
}
invariant D-1: current != none implies current.priority BOUND
invariant D-2: served <= 3 * SERVED
"""


def desk(bound: str = "<= 3", served: str = "served"):
    return load(DESK.replace("BOUND", bound).replace("SERVED", served))


@pytest.mark.parametrize("bound, served, expected", [
    ("<= 3", "served", {"D-1": Verdict.PROVED, "D-2": Verdict.PROVED}),
    ("<= 2", "served", {"D-1": Verdict.VIOLATED, "D-2": Verdict.PROVED}),
    ("<= 3", "1", {"D-1": Verdict.PROVED, "D-2": Verdict.VIOLATED}),
], ids=["holds", "a ticket of priority 3", "served past 3"])
def test_verdicts_agree_with_brute_force(bound, served, expected):
    spec = desk(bound, served)
    report = prove(spec, depth=4, timeout=20.0)
    verdicts = {r.id: r.verdict for r in report.invariants if r.id in expected}
    assert verdicts == expected
    assert all(r.verdict is Verdict.PROVED for r in report.invariants if r.id.startswith("defined:"))
    broken = set()
    it = Interpreter(spec, Universe({"Clerk": ("C1",)}))
    for state in reachable(it, range(0, 4), 4):
        broken |= set(it.violations(state))
    assert {i for i, v in verdicts.items() if v is Verdict.VIOLATED} == broken & set(verdicts)


def _unguarded(spec):
    """`serve` without its first guard, its reads still marked present: what a wrong narrowing makes."""
    serve = spec.actions[1]
    body = [s for s in serve.body if not (isinstance(s, ir.Requires) and s.error == "Idle")]
    actions = [spec.actions[0], serve.model_copy(update={"body": body})]
    return spec.model_copy(update={"actions": actions})


def test_a_read_marked_present_where_the_optional_is_none_has_no_meaning_in_every_back_end():
    spec = _unguarded(desk())
    it = Interpreter(spec, Universe({"Clerk": ("C1",)}))
    with pytest.raises(EvaluationError, match="read as present is none"):
        it.step("serve", it.initial_state(), {})
    report = prove(spec, depth=3, timeout=20.0)
    defined = next(r for r in report.invariants if r.id == "defined:serve")
    assert defined.verdict is Verdict.VIOLATED


@needs_tlc
@pytest.mark.parametrize("bound, violated", [("<= 3", None), ("<= 2", "D-1")], ids=["holds", "violated"])
def test_tlc_reads_a_present_optional_as_its_one_member(bound, violated, tmp_path):
    from specforge.tla import export_tla

    x = export_tla(desk(bound))
    assert "CHOOSE v \\in current : TRUE" in x.tla
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    if violated is None:
        assert "Model checking completed. No error has been found." in out, out
    else:
        assert f"Error: Invariant Inv_{violated.replace('-', '_')} is violated" in out, out


# ---- the property tests ---------------------------------------------------------------------------------


class Busy(Exception):
    pass


class Idle(Exception):
    pass


class Closed(Exception):
    pass


class Desk:
    def __init__(self, Clerk=(), bug=False):
        self.current, self.clerk, self.served, self.bug = None, None, 0, bug

    def take(self, t):
        if self.current is not None:
            raise Busy()
        self.current = t

    def serve(self):
        if self.current is None:
            raise Idle()
        if not self.current["open"]:
            raise Closed()
        self.served += 1 if self.bug else self.current["priority"]
        self.current = None


@pytest.mark.parametrize("bug", [False, True], ids=["faithful", "counts one per ticket"])
def test_the_property_tests_read_the_present_value(bug):
    runner = SpecRunner(desk(), lambda Clerk=(): Desk(Clerk, bug), set_size=1)
    ticket = FrozenMap({"priority": 3, "open": True})
    runner.apply("take", {"t": ticket})
    if not bug:
        runner.apply("serve", {})
        assert runner.model["served"] == 3
        return
    with pytest.raises(SpecViolation, match="`served`: the spec says 3, the implementation has 1"):
        runner.apply("serve", {})
