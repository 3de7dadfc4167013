"""Symmetry reduction: one state stands for all the states that differ only in how the elements of
each set are named.

A spec cannot name a set element, order elements (only `==` and `!=` apply to them) or count them
except by quantifying over the whole set, so renaming the elements of a set in a state gives a state
with the same successors (renamed) and the same invariant values. The canonical key of a state is the
least of its encodings under every permutation of every set's elements (brute force: 3! = 6
permutations for a set of 3). The encoding writes an element as its position after the renaming and a
map over a set in the renamed key order, so two states share a key exactly when one is a renaming of
the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from ..ir import EnumT, IntT, MapT, SetT, Type
from ..values import State, Universe

Encoder = Callable[[object, dict], object]  # (value, renaming of each set: element -> position)


def _encoder(t: Type, universe: Universe, enums: dict) -> Encoder:
    """How to encode a value of `t` under a renaming, as a value that orders against any other of `t`."""
    if isinstance(t, SetT):
        name = t.name
        return lambda v, renaming: renaming[name][v]
    if isinstance(t, MapT):
        inner = _encoder(t.value, universe, enums)
        if isinstance(t.key, SetT):
            name = t.key.name
            elements = universe[name]

            def by_renamed_key(m, renaming):
                position = renaming[name]
                return tuple(inner(m[k], renaming) for k in sorted(elements, key=position.__getitem__))
            return by_renamed_key
        keys = _domain(t.key, universe, enums)
        return lambda m, renaming: tuple(inner(m[k], renaming) for k in keys)
    return lambda v, renaming: v


def _domain(t: Type, universe: Universe, enums: dict) -> tuple:
    if isinstance(t, EnumT):
        return enums[t.name]
    if isinstance(t, IntT) and t.low is not None and t.high is not None:
        return tuple(range(t.low, t.high + 1))
    return (False, True)  # a bool key: the only other finite key type


class Canonical:
    """`key(state)`: the same for a state and every renaming of its sets' elements."""

    def __init__(self, leaves: list[tuple[str, Type]], universe: Universe, enums: dict, symmetric: bool = True):
        self.paths = [p for p, _ in leaves]
        self.encoders = [_encoder(t, universe, enums) for _, t in leaves]
        sets = [name for name, elements in universe.items() if len(elements) > 1]
        self.renamings: list[dict] = []
        if symmetric and sets:
            per_set = [[dict(zip(universe[name], perm, strict=True))
                        for perm in itertools.permutations(range(len(universe[name])))] for name in sets]
            fixed = {name: {e: i for i, e in enumerate(elements)} for name, elements in universe.items()}
            for combo in itertools.product(*per_set):
                self.renamings.append({**fixed, **dict(zip(sets, combo, strict=True))})
        self.permutations = max(1, len(self.renamings))

    def key(self, state: State) -> tuple:
        values = list(state.values())
        if not self.renamings:
            return tuple(values)
        encoders = self.encoders
        return min(tuple(enc(v, renaming) for v, enc in zip(values, encoders, strict=True))
                   for renaming in self.renamings)
