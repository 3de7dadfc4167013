"""`def NAME(PARAMS): TYPE = BODY`: named predicates and functions, inlined by the checker.

Every back end sees the inlined body, so a def means in the prover, the property tests and
TLA+ exactly what its body means where it is called.
"""

from __future__ import annotations

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.tla import export_tla
from specforge.values import Universe

from .support import sexpr

BASE = """\
spec Shelf
set Item
const LIMIT: int = 5
state {
  count: map[Item, int]
  open: bool
}
init {
  count := {i: 0 for i in Item}
  open := true
}
def full(i: Item): bool = count[i] >= LIMIT
def room(i: Item): int = LIMIT - count[i]
def fuller(i: Item): bool = exists j in Item: count[j] > count[i]
"""


def load(extra: str):
    loaded = load_text(BASE + extra, "shelf.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


def test_a_call_is_its_body_with_the_arguments_in_place():
    spec = load("invariant S: forall i in Item: not full(i) implies room(i) > 0\n")
    assert sexpr(spec.invariants[0].expr) == \
        "(forall i Item (implies (not (>= count[i] LIMIT)) (> (- LIMIT count[i]) 0)))"


def test_a_bound_variable_of_the_body_never_captures_the_callers():
    # fuller's body binds `j`; the caller's `j` is renamed away from it inside the call
    spec = load("invariant S: forall j in Item: fuller(j) implies count[j] < LIMIT\n")
    assert sexpr(spec.invariants[0].expr) == \
        "(forall j Item (implies (exists j_1 Item (> count[j_1] count[j])) (< count[j] LIMIT)))"
    it = Interpreter(spec, Universe({"Item": ("a", "b")}))
    # a has a fuller item and is below the limit; b has none: the invariant holds
    assert it.evaluate(spec.invariants[0].expr, {**it.initial_state(), "count": {"a": 1, "b": 2}}) is True
    # with a at the limit and b fuller, it does not
    assert it.evaluate(spec.invariants[0].expr, {**it.initial_state(), "count": {"a": 5, "b": 6}}) is False


@pytest.mark.parametrize(("extra", "code", "message"), [
    ("invariant S: full()\n", "SF205", "`full` takes 1 argument, not 0"),
    ("invariant S: full(LIMIT)\n", "SF203", "parameter `i` of `full` is Item"),
    ("def loop(i: Item): bool = loop(i)\n", "SF206", "`loop` calls itself"),
    ("def early(i: Item): bool = later(i)\ndef later(i: Item): bool = true\n", "SF206", "unknown function `later`"),
    ("def bad(open: Item): bool = true\n", "SF218", "parameter `open` has the name of a state variable"),
    ("def wrong(i: Item): bool = count[i]\n", "SF203", "the result of `wrong` is bool"),
    ("def full(i: Item): bool = true\n", "SF202", "`full` is declared twice"),
])
def test_a_wrong_def_or_call_is_reported_with_its_cause(extra, code, message):
    loaded = load_text(BASE + extra, "shelf.sf")
    assert [(d.code, d.message) for d in loaded.diagnostics if d.code == code and message in d.message], \
        [d.render(loaded.source) for d in loaded.diagnostics]


ACTIONS = """\
action put(i: Item) {
  requires not full(i) else Full
  count[i] := count[i] + 1
}
invariant CAP: forall i in Item: count[i] <= LIMIT and room(i) >= 0
"""


def test_the_prover_reads_a_def_as_its_body():
    verdicts = {r.id: r.verdict for r in prove(load(ACTIONS)).invariants}
    assert verdicts["CAP"] is Verdict.PROVED
    broken = load(ACTIONS.replace("  requires not full(i) else Full\n", ""))
    assert {r.id: r.verdict for r in prove(broken, depth=6).invariants}["CAP"] is Verdict.VIOLATED


def test_tla_reads_a_def_as_its_body():
    x = export_tla(load(ACTIONS))
    assert "~(count[i] >= LIMIT)" in x.tla and "LIMIT - count[i] >= 0" in x.tla


def test_a_def_called_in_init_may_read_only_what_init_has_assigned():
    text = ("spec Early\nstate {\n  x: int\n  y: int\n}\ndef twice(): int = 2 * x\n"
            "init {\n  y := twice()\n  x := 1\n}\n")
    loaded = load_text(text, "early.sf")
    assert [(d.code, d.span.line) for d in loaded.diagnostics] == [("SF219", 8)]
    assert load_text(text.replace("  y := twice()\n  x := 1\n", "  x := 1\n  y := twice()\n"), "ok.sf").ok
