"""The explicit-state engine's answers as the prover's: a violation as a `Run`, like the z3 renderer's.

The engine's states are the interpreter's values already (`specforge.values`), so a run it finds is
made of them directly: its instance's sets, its states, its calls, and the obligation it breaks.
Reports, `gen-tests --replay` and `export-tla --trace` read it as they read a run z3 found.
"""

from __future__ import annotations

from .. import ir
from ..explore import Violation
from ..run import Run


def violation_run(spec: ir.Spec, violation: Violation) -> Run:
    """The violation's run, in the instance it was found in (its sets at their sizes)."""
    steps = violation.steps
    return Run.of(spec, violation.instance.universe, [s.state for s in steps],
                  [(s.action, s.args) for s in steps[1:]], violation.id)
