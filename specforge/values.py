"""The value domain of specforge: what a spec's values are at run time.

- `int`, `nat`, ranges and `duration` are Python ints (durations in milliseconds);
- `bool` is a Python bool; an enum value is its member's name (`"paid"`);
- the elements of a `set` are whatever hashable values the `Universe` holds;
- a map is a `FrozenMap`, immutable and hashable, one entry per key of its domain;
- a `set[T]` value is a Python `frozenset` of T's values;
- a state is a `State`: leaf path (`"token.ttl"`) -> value.

The evaluator (`specforge.evaluate`), the interpreter, the explicit-state engine,
the property tests and the prover's runs all share these classes.
"""

from __future__ import annotations

import re
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

    # the dict's own views: read-only, and much faster than the Mapping mixins' (the explicit-state
    # engine reads every state's values to hash it)
    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def set(self, key, value) -> FrozenMap:
        """A copy with `key` mapped to `value` (the key must already be present); the map itself when the
        entry already holds that value."""
        if key not in self._items:
            raise KeyError(key)
        old = self._items[key]
        if old is value or (type(old) is type(value) and old == value):
            return self  # unchanged: the same object, so that what compares and hashes it stays cheap
        items = dict(self._items)
        items[key] = value
        return type(self).adopt(items)

    def copy(self) -> dict:
        """A plain (mutable) shallow copy of the entries."""
        return dict(self._items)

    @classmethod
    def adopt(cls, items: dict):
        """A map of `items` itself, not of a copy: the caller hands the dict over and never changes it."""
        new = cls.__new__(cls)
        new._items = items
        new._hash = None
        return new

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


# ---- a value as spec text: the one printer ------------------------------------------------------------------

ELLIPSIS = "…"


def show(value: Value, t: ir.Type, limit: int | None = None) -> str:
    """`value` of type `t` as the spec writes it: `true`, `-3`, `15 min`, `paid` (an enum member),
    `Account1` (a set element), `{Account1: 0, Account2: 5}` (a map, in key order).

    Every report, message and trace comment prints values here. `limit` abbreviates a map to its first
    `limit` entries and says how many it leaves out (`{0: 1, 1: 1, … 28 more}`); the data is never cut.
    """
    if isinstance(t, ir.BoolT):
        return "true" if value else "false"
    if isinstance(t, ir.StringT):
        return string_literal(value)
    if isinstance(t, ir.QuantityT):
        return _quantity(value, t.dimension)
    if isinstance(t, ir.MapT):
        entries = list(value.items())
        shown = [f"{show(k, t.key, limit)}: {show(v, t.value, limit)}" for k, v in entries[:limit]]
        if limit is not None and len(entries) > limit:
            shown.append(f"{ELLIPSIS} {len(entries) - limit} more")
        return "{" + ", ".join(shown) + "}"
    if isinstance(t, ir.SetOfT):
        return "{" + ", ".join(show(x, t.element, limit) for x in ordered(value)) + "}"
    if isinstance(t, ir.StructT):
        return f"{t.name} {{" + ", ".join(f"{f}: {show(value[f], ft, limit)}" for f, ft in t.fields) + "}"
    if isinstance(t, ir.OptionT):
        return "none" if value is None else show(value, t.value, limit)
    return str(value)  # ints; enum members and set elements by name


def ordered(members) -> list:
    """A set's members in one fixed order (ints by value, others by name), for printing and JSON."""
    return sorted(members, key=lambda x: (not isinstance(x, int), x if isinstance(x, int) else str(x)))


def _quantity(value: int, dimension: str) -> str:
    from .units import describe

    if value == 0 and dimension in _ZERO_UNIT:  # the largest unit divides 0: say it in the unit people read first
        return f"0 {_ZERO_UNIT[dimension]}"
    return describe(value, dimension)


_ZERO_UNIT = {"time": "s"}


# ---- typed JSON (the ITF encoding of Quint and Apalache) -----------------------------------------------------
#
# bool -> true/false; int -> {"#bigint": "-3"} (exact at any size); a quantity -> {"#ms": "900000"} (its base
# unit named, exact); an enum member or a set element -> its name; a map -> {"#map": [[key, value], ...]};
# the elements of a set -> {"#set": [...]}; a record -> {"field": value, ...} (ITF's record); an optional ->
# {"tag": "None", "value": {"#tup": []}} or {"tag": "Some", "value": value} (Quint's Option). Decoding is by the spec's type and checks what it reads.


def string_literal(value: str) -> str:
    """A string as the spec writes it: quoted, with `\\`, `\"`, `\n`, `\t` (and `\r`) escaped."""
    import json

    return json.dumps(value, ensure_ascii=False)


class ValueFormatError(ValueError):
    """A JSON value that is not a value of the expected type; the message says where and what."""


def to_json(value: Value, t: ir.Type):
    """`value` of type `t` in the typed JSON encoding above."""
    if isinstance(t, ir.BoolT):
        return bool(value)
    if isinstance(t, ir.StringT):
        return str(value)
    if isinstance(t, ir.IntT):
        return {"#bigint": str(int(value))}
    if isinstance(t, ir.QuantityT):
        return {_quantity_tag(t): str(int(value))}
    if isinstance(t, ir.MapT):
        return {"#map": [[to_json(k, t.key), to_json(v, t.value)] for k, v in value.items()]}
    if isinstance(t, ir.SetOfT):
        return {"#set": [to_json(x, t.element) for x in ordered(value)]}
    if isinstance(t, ir.StructT):
        return {f: to_json(value[f], ft) for f, ft in t.fields}
    if isinstance(t, ir.OptionT):
        return _NONE_JSON if value is None else {"tag": "Some", "value": to_json(value, t.value)}
    return value  # enum members and set elements: their names


_NONE_JSON = {"tag": "None", "value": {"#tup": []}}


def _quantity_tag(t: ir.QuantityT) -> str:
    from .units import dimension

    return "#" + dimension(t.dimension).base_unit


class Decoder:
    """Reads typed JSON back into values, checking each against its type: the enum's members, the elements
    each set has in this run (`universe`), and for a map its whole key domain."""

    def __init__(self, enums: Mapping[str, tuple[str, ...]], universe: Mapping[str, tuple]):
        self.enums = enums
        self.universe = universe

    @classmethod
    def of(cls, spec: ir.Spec, universe: Mapping[str, tuple]) -> Decoder:
        return cls({e.name: tuple(m.name for m in e.members) for e in spec.enums}, universe)

    def read(self, doc, t: ir.Type, where: str) -> Value:
        if isinstance(t, ir.BoolT):
            if not isinstance(doc, bool):
                raise ValueFormatError(f"{where}: {_json(doc)} is not true or false")
            return doc
        if isinstance(t, ir.StringT):
            if not isinstance(doc, str):
                raise ValueFormatError(f"{where}: {_json(doc)} is not a string")
            return doc
        if isinstance(t, ir.IntT):
            return self._integer(doc, "#bigint", where, "an integer ({\"#bigint\": \"-3\"})")
        if isinstance(t, ir.QuantityT):
            tag = _quantity_tag(t)
            return self._integer(doc, tag, where, f"a duration ({{\"{tag}\": \"900000\"}})")
        if isinstance(t, ir.EnumT):
            members = self.enums.get(t.name, ())
            if not isinstance(doc, str) or doc not in members:
                raise ValueFormatError(f"{where}: {_json(doc)} is not a value of enum {t.name} "
                                       f"({', '.join(members)})")
            return doc
        if isinstance(t, ir.SetT):
            elements = tuple(self.universe.get(t.name, ()))
            if not isinstance(doc, str) or doc not in elements:
                raise ValueFormatError(f"{where}: {_json(doc)} is not an element of {t.name} in this run "
                                       f"({', '.join(elements) or 'it is empty'})")
            return doc
        if isinstance(t, ir.MapT):
            return self._map(doc, t, where)
        if isinstance(t, ir.SetOfT):
            return self._set(doc, t, where)
        if isinstance(t, ir.StructT):
            names = [f for f, _ in t.fields]
            if not isinstance(doc, dict) or sorted(doc) != sorted(names):
                raise ValueFormatError(f"{where}: {_json(doc)} is not a {t.name} record (fields {', '.join(names)})")
            return FrozenMap.adopt({f: self.read(doc[f], ft, f"{where}.{f}") for f, ft in t.fields})
        if isinstance(t, ir.OptionT):
            if doc == _NONE_JSON:
                return None
            if isinstance(doc, dict) and doc.get("tag") == "Some" and set(doc) == {"tag", "value"}:
                return self.read(doc["value"], t.value, where)
            raise ValueFormatError(f"{where}: {_json(doc)} is not an optional value "
                                   '({"tag": "Some", "value": ...} or {"tag": "None", ...})')
        raise ValueFormatError(f"{where}: a value of type {t.kind} has no JSON encoding")

    def _integer(self, doc, tag: str, where: str, what: str) -> int:
        if isinstance(doc, dict) and set(doc) == {tag} and isinstance(doc[tag], str):
            if re.fullmatch(r"-?[0-9]+", doc[tag]):
                return int(doc[tag])
        if tag == "#bigint" and isinstance(doc, int) and not isinstance(doc, bool):
            return doc  # ITF allows a plain JSON number for an integer
        raise ValueFormatError(f"{where}: {_json(doc)} is not {what}")

    def _map(self, doc, t: ir.MapT, where: str) -> FrozenMap:
        pairs = doc.get("#map") if isinstance(doc, dict) and set(doc) == {"#map"} else None
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise ValueFormatError(f"{where}: {_json(doc)} is not a map ({{\"#map\": [[key, value], ...]}})")
        items = {}
        for k, v in pairs:
            key = self.read(k, t.key, f"{where}, a key")
            if key in items:
                raise ValueFormatError(f"{where}: the key {_json(k)} appears twice")
            items[key] = self.read(v, t.value, f"{where}[{show(key, t.key)}]")
        domain = self._domain(t.key)
        if domain is not None and set(items) != set(domain):
            missing = [show(k, t.key) for k in domain if k not in items]
            raise ValueFormatError(f"{where}: the map has no entry for {', '.join(missing[:5])}"
                                   f"{' …' if len(missing) > 5 else ''} (a map has one per key)")
        return FrozenMap(items)

    def _set(self, doc, t: ir.SetOfT, where: str) -> frozenset:
        members = doc.get("#set") if isinstance(doc, dict) and set(doc) == {"#set"} else None
        if not isinstance(members, list):
            raise ValueFormatError(f"{where}: {_json(doc)} is not a set ({{\"#set\": [member, ...]}})")
        values = [self.read(m, t.element, f"{where}, a member") for m in members]
        if len(set(values)) != len(values):
            raise ValueFormatError(f"{where}: a member appears twice in {_json(doc)}")
        return frozenset(values)

    def _domain(self, t: ir.Type) -> tuple | None:
        if isinstance(t, ir.SetT):
            return tuple(self.universe.get(t.name, ()))
        if isinstance(t, ir.EnumT):
            return self.enums.get(t.name, ())
        if isinstance(t, ir.BoolT):
            return (False, True)
        if isinstance(t, ir.IntT) and t.low is not None and t.high is not None:
            return tuple(range(t.low, t.high + 1))
        return None


def _json(doc) -> str:
    import json

    text = json.dumps(doc, ensure_ascii=False)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"
