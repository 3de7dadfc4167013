"""Records and optional values in the property tests: drawing them, passing them, reading them back.

- A record or optional parameter is drawn like an enum's: from a finite list of its values, every
  combination of its fields' values, an int field taking the spec's boundary numbers (every value
  of a small range); the list is thinned to at most `MAX_VALUES` by keeping each int field's
  smallest, middle and largest values first.
- A record argument reaches the implementation as a `RecordValue`: immutable and hashable, read as
  `t.priority` or `t["priority"]`, equal to another of the same fields. `none` is passed as None.
- A record in the implementation's state may be any object with the fields as attributes (a
  dataclass, a namedtuple, a `RecordValue`) or any mapping with the fields as keys; an optional is
  None for `none`, or its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .. import ir
from ..evaluate import thinned_composite_values

MAX_VALUES = 4096


def domain(t: ir.StructT | ir.OptionT, leaf_values: Callable[[ir.Type], list]) -> tuple:
    """The values a record or optional parameter is drawn from (see the module docstring)."""
    return thinned_composite_values(t, leaf_values, MAX_VALUES)[0]


class RecordValue(Mapping):
    """A record argument: its fields as attributes and as keys; immutable, hashable."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, object]):
        object.__setattr__(self, "_fields", dict(fields))

    def __getattr__(self, name: str):
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("a record value is immutable: build a new one")

    def __getitem__(self, key: str):
        return self._fields[key]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __hash__(self) -> int:
        return hash(frozenset(self._fields.items()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def plain(self) -> dict:
        """A plain dict of the fields, nested records too (a JSON body, say)."""
        return {k: v.plain() if isinstance(v, RecordValue) else v for k, v in self._fields.items()}

    def __repr__(self) -> str:
        return "RecordValue(" + ", ".join(f"{k}={v!r}" for k, v in self._fields.items()) + ")"


def read_record(raw, t: ir.StructT, where: str, read: Callable, error: type[Exception]):
    """A record of the implementation's state as a model value (`read(raw, type, where)` reads a field)."""
    from ..values import FrozenMap

    out = {}
    for f, ft in t.fields:
        if isinstance(raw, Mapping):
            if f not in raw:
                raise error(f"`{where}` is a {t.name} record, but it has no key `{f}`")
            value = raw[f]
        else:
            try:
                value = getattr(raw, f)
            except AttributeError:
                raise error(f"`{where}` is a {t.name} record: an object with the attribute `{f}` or a mapping "
                            f"with that key, not {type(raw).__name__}") from None
        out[f] = read(value, ft, f"{where}.{f}")
    return FrozenMap.adopt(out)
