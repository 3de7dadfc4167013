"""The explicit-state engine's answers as the prover's: runs as `Step`s, proofs by exhaustion.

A run the engine finds is shown exactly as the z3 renderer (`model.py`) shows one: set elements by
their names (`Node1`), enum members by name, durations with a unit, maps by their entries (at most
`MAX_MAP_KEYS`, then `…`), so reports, `gen-tests --replay` and `export-tla` traces read it unchanged.
"""

from __future__ import annotations

from .. import ir
from ..explore import Violation
from ..ir import BoolT, MapT, QuantityT
from ..structure import leaves
from ..units import describe
from ..values import FrozenMap
from .model import MAX_MAP_KEYS
from .result import Step


def show(value, t: ir.Type) -> str:
    """An interpreter value as the prover prints it."""
    if isinstance(t, BoolT):
        return "true" if value else "false"
    if isinstance(t, QuantityT):
        return describe(value, t.dimension)
    if isinstance(t, MapT) and isinstance(value, FrozenMap):
        items = list(value.items())
        shown = [f"{show(k, t.key)}: {show(v, t.value)}" for k, v in items[:MAX_MAP_KEYS]]
        more = ", …" if len(items) > MAX_MAP_KEYS else ""
        return "{" + ", ".join(shown) + more + "}"
    return str(value)


def run_steps(spec: ir.Spec, violation: Violation) -> tuple[list[Step], dict[str, list[str]]]:
    """The violation's run as the prover's steps, and each set's elements in it."""
    types = leaves(spec)
    params = {a.name: {p.name: p.type.resolved for p in a.params} for a in spec.actions}
    steps = []
    for i, s in enumerate(violation.steps):
        state = {path: show(s.state[path], t) for path, t in types}
        args = {} if s.action is None else {k: show(v, params[s.action][k]) for k, v in s.args.items()}
        steps.append(Step(i, s.action, args, state))
    sets = {name: [str(e) for e in elements] for name, elements in violation.instance.universe.items()}
    return steps, sets
