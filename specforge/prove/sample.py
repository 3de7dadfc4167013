"""Reachable states of small instances, for the invariant inference to learn from.

A stand-in for the explicit-state engine (`specforge.explore`): `sample` is
the one function the inference calls, so swapping in the engine is a
one-line change here. It runs the interpreter breadth-first from the initial
state of each instance, up to a number of states, and gives back every state
it reached. Samples only ever remove candidate invariants: a state that is
missing makes the inference try more, never prove more (z3 decides that).
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import ir
from ..evaluate import InterpretError
from ..interpret import Interpreter
from ..values import State, Universe

# The integers an action's integer parameters are tried with, besides the spec's own numbers.
SMALL_INTS = range(-1, 3)


@dataclass
class Sample:
    """The reachable states of one instance (each set's elements in `universe`) that were visited."""

    universe: Universe
    states: list[State]
    complete: bool  # every reachable state of the instance is in `states`


def sizes_up_to(spec: ir.Spec, largest: int) -> list[dict[str, int]]:
    """Every combination of 1..largest elements per set, smallest instances first."""
    names = [s.name for s in spec.sets]
    combos = itertools.product(range(1, largest + 1), repeat=len(names))
    return sorted((dict(zip(names, c, strict=True)) for c in combos), key=lambda d: (sum(d.values()), sorted(d.items())))


def sample(spec: ir.Spec, sizes: Iterable[Mapping[str, int]], max_states: int = 3000,
           deadline: float | None = None) -> list[Sample]:
    """Breadth-first search of each instance from its initial state, up to `max_states` states."""
    ints = sorted(set(SMALL_INTS) | _spec_ints(spec))
    out = []
    for size in sizes:
        if deadline is not None and time.monotonic() > deadline:
            break
        run = Interpreter(spec, Universe.named(spec, size))
        try:
            first = run.initial_state()
        except InterpretError:
            continue
        calls = [(a.name, args) for a in spec.actions for args in run.arguments(a, ints)]
        seen = {first: None}
        queue = deque([first])
        complete = True
        while queue:
            if len(seen) >= max_states or (deadline is not None and time.monotonic() > deadline):
                complete = False
                break
            state = queue.popleft()
            for name, args in calls:
                try:
                    if not run.enabled(name, state, args):
                        continue
                    after = run.effect(name, state, args)
                except InterpretError:
                    continue  # no meaning here (a division by zero, a key outside a map)
                if after not in seen:
                    seen[after] = None
                    queue.append(after)
        out.append(Sample(run.universe, list(seen), complete))
    return out


def _spec_ints(spec: ir.Spec) -> set[int]:
    """The integers written in the spec's guards, and their neighbours."""
    found = set()
    for action in spec.actions:
        for g in action.guards:
            for node in ir.walk(g.cond):
                if isinstance(node, ir.IntLit):
                    found.update({node.value - 1, node.value, node.value + 1})
    return found


__all__ = ["Sample", "sample", "sizes_up_to"]
