"""A violating run is checked on the interpreter before `prove` reports it.

The run comes from z3's model through the encoding (prove/encode.py and
prove/model.py), a second reading of the spec beside the interpreter's
(specforge/interpret.py). Where the two readings disagree, the run could show a
violation that the spec does not have. So before a run is reported, it is
replayed on the interpreter, in the run's own world: the initial state must be
the spec's, every call must pass its guards and lead to the next state as
written, and the last state must break the obligation the run is for. A run
that does not replay is a bug in specforge; `prove` then says `unknown` with
the disagreement as the reason, never `violated` with a run that is not one.

What is checked of the last state depends on the obligation: an invariant or a
type bound must be false there; for a postcondition the last call's answer
must break it. A `defined:` obligation (some call or invariant has no meaning
there) and an unmeetable contract (`X.ensures`: no answer meets it) are
statements about every argument or answer, which a replay cannot enumerate:
for them the run up to its last state is checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import ir
from ..run import Run

# the obligations whose last state (or last call) the replay judges
JUDGED = ("invariant", "type", "postcondition")


def same(a, b) -> bool:
    """Equal values of the same Python types (so `True` is not `1`), maps entry by entry."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def replay_problem(spec: ir.Spec, run: Run, kind: str) -> str | None:
    """None when `run` replays on the interpreter and ends where its obligation (`run.breaks`, of this
    `kind`: a `Target.kind` of the engine) is broken; otherwise what differs, in a sentence."""
    from ..interpret import Interpreter, InterpretError  # only when a run is reported

    try:
        it = Interpreter(spec, run.sets)
        state = it.initial_state()
        if not same(state, run.states[0]):
            return f"the initial state is {_diff(state, run.states[0])}"
        for i, call in enumerate(run.calls, start=1):
            failed = it.failed_guard(call.action, state, call.args)
            if failed is not None:
                return f"step {i}, {run.show_call(i - 1)}, is not enabled: {failed}"
            state = it.step(call.action, state, call.args)
            if not same(state, run.states[i]):
                return f"step {i}, {run.show_call(i - 1)}, leads to {_diff(state, run.states[i])}"
        if kind not in JUDGED:
            return None
        if kind == "postcondition":
            ids = {e.id for a in spec.actions for e in a.ensures}
            # `X.ensures` (no answer meets them) is about every answer: its run stops before the call
            return _postcondition_problem(it, run, state) if run.breaks in ids else None
        if it.holds(run.breaks, state):
            return f"{run.breaks} holds in the last state"
    except InterpretError as e:
        return f"the interpreter cannot run it: {e}"
    return None


def _postcondition_problem(it, run: Run, after) -> str | None:
    if not run.calls:
        return "a postcondition's run has no call"
    call = run.calls[-1]
    result = it.result(call.action, after, call.args)
    broken = {e.id for e in it.broken_postconditions(call.action, after, call.args, result)}
    return None if run.breaks in broken else f"the last call's answer meets {run.breaks}"


def _diff(found: Mapping, written: Mapping) -> str:
    """Where the interpreter's state differs from the run's, by state variable."""
    where = [k for k in found if k not in written or not same(found[k], written[k])]
    where += [k for k in written if k not in found]
    shown = ", ".join(f"{k} = {found.get(k)!r} (the run has {written.get(k)!r})" for k in where[:3])
    return f"not the run's: {shown}" + (f" and {len(where) - 3} more" if len(where) > 3 else "")


__all__ = ["replay_problem", "same"]
