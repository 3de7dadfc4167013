"""The `redundant` findings: every invariant reported is implied by the ones kept, and no kept one
follows from the rest, checked against brute force over every state of small finite specs."""

from __future__ import annotations

import itertools
import random

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import prove

HEADER = """\
spec Redundancy
state {
  a: int[0..3]
  b: int[0..3]
  c: bool
  d: int[0..2]
}
init {
  a := 0
  b := 0
  c := false
  d := 0
}
"""

ATOMS = ["a >= {k}", "a <= {k}", "b >= {k}", "b != {k}", "a + b <= {k2}", "c", "not c", "d == {k3}", "d <= {k3}",
         "a <= b", "c implies a >= {k}", "b == {k} or d == {k3}"]


def random_spec(rng: random.Random) -> str:
    lines = [HEADER]
    for i in range(rng.randint(2, 7)):
        atoms = [rng.choice(ATOMS).format(k=rng.randint(0, 3), k2=rng.randint(0, 6), k3=rng.randint(0, 2))
                 for _ in range(rng.randint(1, 2))]
        lines.append(f"invariant R-{i}: {' or '.join(atoms) if rng.random() < 0.4 else ' and '.join(atoms)}\n")
    return "".join(lines)


def all_states(interp: Interpreter):
    for a, b, c, d in itertools.product(range(4), range(4), (False, True), range(3)):
        yield {"a": a, "b": b, "c": c, "d": d}


@pytest.mark.parametrize("seed", range(40))
def test_what_is_reported_redundant_follows_from_what_is_kept_and_nothing_kept_follows_from_the_rest(seed):
    text = random_spec(random.Random(seed))
    loaded = load_text(text, "redundancy.sf")
    assert loaded.ok, text
    spec = loaded.spec
    report = prove(spec, depth=1, timeout=10)
    if any(f.kind == "inconsistent" for f in report.findings):
        return  # every invariant follows from a contradiction; the finding that matters is the other one
    dropped = {i for f in report.findings if f.kind == "redundant" for i in f.ids}
    kept = [inv.id for inv in spec.invariants if inv.id not in dropped]
    interp = Interpreter(spec, {})
    states = list(all_states(interp))

    def models(ids):
        return {i for i, s in enumerate(states) if all(interp.holds(x, s) for x in ids)}

    kept_models = models(kept)
    for r in dropped:
        assert kept_models <= models([r]), f"{r} is reported redundant but the kept ones do not imply it:\n{text}"
    for k in kept:
        rest = [x for x in kept if x != k]
        assert not models(rest) <= models([k]), f"{k} is kept but the rest imply it:\n{text}"


def test_invariants_over_unrelated_variables_are_judged_apart_and_related_ones_together():
    spec = load_text(HEADER + "invariant A-1: a >= 0\ninvariant A-2: a >= 1 or b >= 1 or a <= 3\n"
                     "invariant C-1: c or not c\ninvariant D-1: d <= 2\ninvariant B-1: b <= 3 and a <= 3\n",
                     "linked.sf").spec
    report = prove(spec, depth=1, timeout=10)
    dropped = sorted(i for f in report.findings if f.kind == "redundant" for i in f.ids)
    # each of these holds in every state its variables' types allow
    assert dropped == ["A-1", "A-2", "B-1", "C-1", "D-1"]
