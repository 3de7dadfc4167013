"""Supporting invariants are printed in spec syntax that checks when pasted: durations with their units,
enum tests by member name (z3's recognizers included)."""

from __future__ import annotations

import pytest
import z3

from specforge.frontend import load_text
from specforge.prove.engine import Prover
from specforge.prove.strengthen import SpecPrinter

SPEC = """\
spec Door
enum Position { open, shut }
state {
  clock: duration
  rate: duration
  door: Position
  count: int
}
init {
  clock := 0 s
  rate := 2 s
  door := shut
  count := 0
}
action tick() {
  clock := clock + rate
}
"""


def printer_and_vars():
    prover = Prover(load_text(SPEC, "door.sf").spec)
    enc = prover.enc
    v = {leaf.path: z3.Const(leaf.path, enc.sort(leaf.type)) for leaf in enc.leaves}
    return SpecPrinter(prover), v, enc


def cases():
    p, v, enc = printer_and_vars()
    sort = enc.enum_sorts["Position"]
    is_open = sort.recognizer(0)
    return [
        (z3.And(v["rate"] >= 2000, v["clock"] >= 0), "rate >= 2 s and clock >= 0 s"),
        (v["clock"] + 2 * v["rate"] <= 90_000, "clock + 2 * rate <= 90 s"),
        (is_open(v["door"]), "door == open"),
        (z3.Not(is_open(v["door"])), "door != open"),
        (z3.Implies(v["door"] == enc.enum_values["Position"]["shut"], v["count"] >= 3), "door == shut implies count >= 3"),
    ]


@pytest.mark.parametrize("formula, text", cases(), ids=lambda x: x if isinstance(x, str) else "")
def test_a_supporting_invariant_prints_in_spec_syntax_that_checks_when_pasted(formula, text):
    printer, _, _ = printer_and_vars()
    printed = printer.show(formula)
    assert printed == text
    pasted = load_text(SPEC + f"invariant SUP-1: {printed}\n", "door.sf")
    assert pasted.ok, [d.message for d in pasted.diagnostics]
