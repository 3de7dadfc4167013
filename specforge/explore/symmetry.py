"""Symmetry reduction: one state stands for all the states that differ only in how the elements of
each set are named.

A spec cannot name a set element, order elements (only `==` and `!=` apply to them) or count them
except by quantifying over the whole set, so renaming the elements of a set in a state gives a state
with the same successors (renamed) and the same invariant values. The canonical key of a state is the
least of its encodings under the renamings that order each set's elements by their signature (see
`Canonical`), which is usually one renaming, at most every permutation. The encoding writes an element
as its position after the renaming and a map over a set in the renamed key order, so two states share a
key exactly when one is a renaming of the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from ..ir import EnumT, IntT, MapT, OptionT, SetOfT, SetT, StructT, Type
from ..values import State, Universe

# (value, renaming): a renaming gives each set (element -> position, the elements in position order)
Renaming = dict[str, tuple[dict, tuple]]
Encoder = Callable[[object, Renaming], object]
MEMO_LIMIT = 1_000_000  # signatures remembered per Canonical before the memo starts afresh


def _renaming(positions: dict) -> tuple[dict, tuple]:
    return positions, tuple(sorted(positions, key=positions.__getitem__))


def _encoder(t: Type, universe: Universe, enums: dict) -> Encoder:
    """How to encode a value of `t` under a renaming, as a value that orders against any other of `t`."""
    if isinstance(t, SetT):
        name = t.name
        return lambda v, renaming: renaming[name][0][v]
    if isinstance(t, MapT):
        inner = _encoder(t.value, universe, enums)
        if isinstance(t.key, SetT):
            name = t.key.name

            def by_renamed_key(m, renaming):
                return tuple(inner(m[k], renaming) for k in renaming[name][1])
            return by_renamed_key
        keys = _domain(t.key, universe, enums)
        return lambda m, renaming: tuple(inner(m[k], renaming) for k in keys)
    if isinstance(t, SetOfT):
        # a set value as its members' positions, sorted: a renaming renames its members too
        member = _encoder(t.element, universe, enums)
        return lambda v, renaming: tuple(sorted(member(x, renaming) for x in v))
    if isinstance(t, StructT):  # a record may hold an element: its fields are renamed too
        fields = [(f, _encoder(ft, universe, enums)) for f, ft in t.fields]
        return lambda v, renaming: tuple(enc(v[f], renaming) for f, enc in fields)
    if isinstance(t, OptionT):
        inner = _encoder(t.value, universe, enums)
        return lambda v, renaming: (0,) if v is None else (1, inner(v, renaming))
    return lambda v, renaming: v


def _domain(t: Type, universe: Universe, enums: dict) -> tuple:
    if isinstance(t, EnumT):
        return enums[t.name]
    if isinstance(t, IntT) and t.low is not None and t.high is not None:
        return tuple(range(t.low, t.high + 1))
    return (False, True)  # a bool key: the only other finite key type


def _relative(t: Type, set_name: str, universe: Universe, enums: dict) -> Callable | None:
    """How a value of `t` looks from one element e of set `set_name`, as `rel(value, e)`: e itself, the
    set's other elements and every other set's elements become markers (0, 1, 2), and a map over a set
    becomes the sorted multiset of its entries. It names no element, so renaming every set changes
    nothing in it: rel(renamed value, renamed e) == rel(value, e). None where `t` holds no element."""
    if isinstance(t, SetT):
        if t.name == set_name:
            return lambda v, e: 0 if v == e else 1
        return lambda v, e: 2
    if isinstance(t, MapT):
        key = _relative(t.key, set_name, universe, enums)
        inner = _relative(t.value, set_name, universe, enums)
        if key is not None:
            if inner is None:
                plain = _encoder(t.value, universe, enums)  # holds no element: any renaming will do
                return lambda m, e: tuple(sorted((key(k, e), plain(v, None)) for k, v in m.items()))
            return lambda m, e: tuple(sorted((key(k, e), inner(v, e)) for k, v in m.items()))
        if inner is None:
            return None
        keys = _domain(t.key, universe, enums)
        return lambda m, e: tuple(inner(m[k], e) for k in keys)
    if isinstance(t, SetOfT) and isinstance(t.element, SetT):
        if t.element.name == set_name:
            return lambda v, e: (e in v, len(v))
        return lambda v, e: len(v)
    if isinstance(t, StructT):
        parts = [(f, _relative(ft, set_name, universe, enums), _encoder(ft, universe, enums)) for f, ft in t.fields]
        if all(rel is None for _, rel, _ in parts):
            return None
        return lambda v, e: tuple(rel(v[f], e) if rel is not None else plain(v[f], None) for f, rel, plain in parts)
    if isinstance(t, OptionT):
        inner = _relative(t.value, set_name, universe, enums)
        if inner is None:
            return None
        return lambda v, e: (0,) if v is None else (1, inner(v, e))
    return None


class Canonical:
    """`key(state)`: the same for a state and every renaming of its sets' elements, and different for
    states that are not renamings of each other.

    The key is the least encoding of the state under the renamings that put each set's elements in the
    order of their *signatures* (how the state looks from the element, `_relative`); only elements with
    equal signatures are permuted among themselves. Since a renaming carries each element's signature
    to its image, a state and its renamings have the same candidate encodings, hence the same least one.
    Usually the signatures differ and one encoding is made, and a group of interchangeable elements
    (swapping any two changes nothing) is tried in one order only; `exhaustive=True` tries every
    permutation instead (the reference the tests compare with)."""

    def __init__(self, leaves: list[tuple[str, Type]], universe: Universe, enums: dict, symmetric: bool = True,
                 exhaustive: bool = False):
        self.paths = [p for p, _ in leaves]
        self.encoders = [_encoder(t, universe, enums) for _, t in leaves]
        self.universe = universe
        self.exhaustive = exhaustive
        self.sets = [name for name, elements in universe.items() if len(elements) > 1] if symmetric else []
        self.fixed = {name: _renaming({e: i for i, e in enumerate(elements)}) for name, elements in universe.items()}
        # how each leaf value looks from each element, by (set, leaf, value): a step changes a leaf or
        # two, so most of a successor's values were seen (as the very same objects) in its parent
        self.memo: dict[tuple, tuple] = {}
        self.encoded: dict[tuple, tuple] = {}  # a leaf value's encoding, by (leaf, value, each set's order)
        # per permuted set: the leaves (by position) that look different from different elements
        self.views = {name: [(i, rel) for i, (_, t) in enumerate(leaves)
                             if (rel := _relative(t, name, universe, enums)) is not None] for name in self.sets}

    def key(self, state: State) -> tuple:
        values = list(state.values())
        if not self.sets:
            return tuple(values)
        per_set = [self._orders(name, values) for name in self.sets]
        best = None
        if len(self.encoded) > MEMO_LIMIT:
            self.encoded.clear()
        for combo in itertools.product(*per_set):
            renaming = {**self.fixed, **{name: _renaming(order) for name, order in zip(self.sets, combo, strict=True)}}
            encoded = self._encode(values, renaming)
            if best is None or encoded < best:
                best = encoded
        return best

    def _encode(self, values: list, renaming: Renaming) -> tuple:
        """The state's values under a renaming; each leaf's encoding remembered by (leaf, value, orders)."""
        memo = self.encoded
        orders = tuple(renaming[name][1] for name in self.sets)
        encoded = []
        for i, (v, enc) in enumerate(zip(values, self.encoders, strict=True)):
            got = memo.get((i, v, orders))
            if got is None:
                got = memo[(i, v, orders)] = (enc(v, renaming),)
            encoded.append(got[0])
        return tuple(encoded)

    def _interchangeable(self, name: str, group: list, values: list) -> bool:
        """Whether swapping the group's first element with each other one leaves the state as it is. Those
        swaps generate every permutation of the group, so then every order of it encodes alike and one
        will do (the elements no action has touched yet, say)."""
        identity = self.fixed
        plain = self._encode(values, identity)
        first = group[0]
        for other in group[1:]:
            positions = identity[name][0]
            swapped = dict(positions)
            swapped[first], swapped[other] = positions[other], positions[first]
            renaming = {**identity, name: _renaming(swapped)}
            if self._encode(values, renaming) != plain:
                return False
        return True

    def _orders(self, name: str, values: list) -> list[dict]:
        """The candidate positions of the set's elements: sorted by signature, ties in every order."""
        elements = self.universe[name]
        if self.exhaustive:
            return [dict(zip(elements, perm, strict=True)) for perm in itertools.permutations(range(len(elements)))]
        signed = sorted(zip(self._signatures(name, values), elements, strict=True), key=lambda p: p[0])
        groups: list[list] = []
        for i, (signature, e) in enumerate(signed):
            if i and signature == signed[i - 1][0]:
                groups[-1].append(e)
            else:
                groups.append([e])
        orders = []
        choices = [[tuple(g)] if len(g) > 1 and self._interchangeable(name, g, values) else itertools.permutations(g)
                   for g in groups]
        for arrangement in itertools.product(*choices):
            order = [e for group in arrangement for e in group]
            orders.append({e: position for position, e in enumerate(order)})
        return orders

    def _signatures(self, name: str, values: list) -> list[tuple]:
        """Each element's signature: how every leaf that holds elements looks from it (`_relative`)."""
        elements = self.universe[name]
        memo = self.memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        columns = []
        for i, rel in self.views[name]:
            value = values[i]
            column = memo.get((name, i, value))
            if column is None:
                column = memo[(name, i, value)] = tuple(rel(value, e) for e in elements)
            columns.append(column)
        return list(zip(*columns, strict=True)) if columns else [() for _ in elements]
