"""The explicit-state engine against TLC on the same model: the same number of distinct states.

(A state whose integers left the range is checked by both; TLC does not count it, the engine does and
says how many: `Searched.cut`.)

The model is the TLA+ exporter's (`specforge.tla.model`: set sizes, parameter domains, the integer
state range), with runs long enough that TLC's step bound cuts nothing; the engine searches it
without symmetry reduction, as TLC does. Skipped without Java and a tla2tools.jar.
"""

from __future__ import annotations

import re

import pytest

from specforge.explore import explore
from specforge.frontend import load
from specforge.tla import export_tla, parse_bound
from specforge.tla.model import build_model

from .support import ROOT
from .test_explore import spec_of
from .test_prove_differential import explore as brute_force
from .test_prove_differential import generate
from .test_tla_support import needs_tlc, run_tlc, write

pytestmark = needs_tlc

COUNTER = "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
MARK = ("spec T\nset Node\nstate {\n  on: map[Node, bool]\n  n: int\n}\ninit {\n  on := {i: false for i in Node}\n"
        "  n := 0\n}\naction mark(i: Node) {\n  requires not on[i]\n  on[i] := true\n  n := n + 1\n}\n"
        "action reset(i: Node, k: int) {\n  requires on[i] and k >= 0 and k <= n\n  on[i] := false\n  n := n - 1\n}\n")


def without_invariants(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("invariant"))


def quiet_generated_specs(count: int = 5) -> list[str]:
    """Random specs (invariants removed) whose type bounds hold everywhere: TLC then searches them whole."""
    out = []
    for seed in range(100):
        text = without_invariants(generate(seed))
        if not brute_force(spec_of(text)).first:
            out.append(text)
        if len(out) == count:
            break
    return out


CASES = [("peterson", (ROOT / "examples" / "protocols" / "peterson.sf").read_text(encoding="utf-8")),
         ("a counter cut by the state range", COUNTER), ("a set of marked nodes", MARK),
         *((f"generated {i}", text) for i, text in enumerate(quiet_generated_specs()))]


@pytest.mark.parametrize(("name", "text"), CASES, ids=[c[0] for c in CASES])
def test_the_engine_and_tlc_find_the_same_number_of_states_and_no_violation(name, text, tmp_path):
    spec = spec_of(text)
    bounds = [parse_bound("MaxSteps=200")]
    model = build_model(spec, bounds)
    x = export_tla(spec, bounds)
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert "Model checking completed. No error has been found." in out, out
    tlc = int(re.search(r"states generated, (\d+) distinct states? found, 0 states left", out).group(1))
    sizes = {name: v if isinstance(v, int) else len(v) for name, v in model.sets.items()}
    same = dict(symmetric=False, domains=model.domains, state_range=model.state_range)
    mine = explore(spec, [sizes], checks=[], **same)
    # TLC does not count a state outside the range (its constraint); the engine counts and checks it
    assert mine.states - sum(s.cut for s in mine.searched) == tlc
    assert explore(spec, [sizes], **same).violations == {}  # the same verdict: nothing is violated


def test_the_buggy_peterson_is_violated_in_both_and_the_engines_run_is_no_longer(tmp_path):
    spec = load(str(ROOT / "examples" / "protocols" / "peterson_bug.sf")).spec
    x = export_tla(spec, [parse_bound("MaxSteps=200")])
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert re.search(r"Error: Invariant \S*MUTEX\S* is violated", out), out
    tlc_steps = len(re.findall(r"^State \d+:", out, re.M)) - 1  # TLC numbers the initial state 1
    assert explore(spec).violations["MUTEX-1"].length <= tlc_steps
