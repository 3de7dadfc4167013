"""The value domain of specforge: what a spec's values are at run time.

- `int`, `nat`, ranges and `duration` are Python ints (durations in milliseconds);
- `bool` is a Python bool; an enum value is its member's name (`"paid"`);
- the elements of a `set` are whatever hashable values the `Universe` holds;
- a map is a `FrozenMap`, immutable and hashable, one entry per key of its domain;
- a state is a `State`: leaf path (`"token.ttl"`) -> value.

The evaluator (`specforge.evaluate`), the interpreter, the explicit-state engine,
the property tests and the prover's runs all share these classes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any

from . import ir

Value = Any
"""A spec value: int, bool, str (enum member), a set element, or a `FrozenMap`."""


# ---- immutable values ----------------------------------------------------------------------------


class FrozenMap(Mapping):
    """An immutable, hashable mapping; equal to any Mapping with the same items.

    Used for map values and, as `State`, for whole states. `set` returns a
    copy with one entry replaced.
    """

    __slots__ = ("_items", "_hash")

    def __init__(self, items: Mapping | Iterable[tuple[Hashable, Value]] = ()):
        self._items = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __eq__(self, other) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def set(self, key, value) -> FrozenMap:
        """A copy with `key` mapped to `value` (the key must already be present)."""
        if key not in self._items:
            raise KeyError(key)
        items = dict(self._items)
        items[key] = value
        return type(self)(items)

    def thaw(self) -> dict:
        """A plain (mutable) dict copy, with nested maps thawed too."""
        return {k: (v.thaw() if isinstance(v, FrozenMap) else v) for k, v in self._items.items()}

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self._items.items()) + "}"


class State(FrozenMap):
    """A whole state: leaf path (`"balance"`, `"token.ttl"`) -> value, immutable and hashable.

    Its keys are the spec's state leaves, in declaration order.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "State(" + super().__repr__() + ")"


def freeze(value: Value) -> Value:
    """`value` with every dict (at any depth) turned into a `FrozenMap`."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap((k, freeze(v)) for k, v in value.items())
    return value


class Universe(Mapping):
    """The elements of each `set` of a spec: set name -> tuple of distinct, hashable values.

    `Universe({"Account": ("a", "b")})`, or `Universe.named(spec, 2)` for
    elements named like the prover's traces (`Account1`, `Account2`).
    """

    __slots__ = ("_sets",)

    def __init__(self, sets: Mapping[str, Iterable[Hashable]] | None = None, **more: Iterable[Hashable]):
        combined = {**(dict(sets) if sets else {}), **more}
        self._sets: dict[str, tuple] = {}
        for name, elements in combined.items():
            elements = tuple(elements)
            if len(set(elements)) != len(elements):
                raise ValueError(f"the elements of set `{name}` are not distinct: {elements!r}")
            self._sets[name] = elements

    @classmethod
    def named(cls, spec: ir.Spec, size: int | Mapping[str, int] = 2) -> Universe:
        """Every set of `spec` with `size` elements named `<Set><i>` from 1 (`Account1`, ...)."""
        sizes = size if isinstance(size, Mapping) else {s.name: size for s in spec.sets}
        return cls({s.name: tuple(f"{s.name}{i}" for i in range(1, sizes[s.name] + 1)) for s in spec.sets})

    def __getitem__(self, name: str) -> tuple:
        return self._sets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sets)

    def __len__(self) -> int:
        return len(self._sets)

    def __hash__(self) -> int:
        return hash(frozenset(self._sets.items()))

    def __repr__(self) -> str:
        return f"Universe({self._sets!r})"
