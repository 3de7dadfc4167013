"""Dimensions, units, and exact conversion to base units.

Every quantity is stored as an integer number of its dimension's base unit.
Time's base unit is the millisecond: every time unit the language names is a
whole number of milliseconds, so conversions are exact and the back ends can
use integers (z3 Int, TLA+ Int) throughout.

Decimals (`0.65`, `65 percent`) are fixed-point: a quantity of the dimension
"decimal", counted in millionths (`0.65` is 650000), so they too are exact
integers in every back end; a decimal with more than six places is refused.

Data sizes (`datasize`: `B`, `KB` = 1000 B, `KiB` = 1024 B, ...) count bytes.
Rates (`frequency`: `10_000 per min`) count events per day, the coarsest unit
in which every rate per second, minute and hour is a whole number.

A spec declares units of its own (`unit USD`, `unit cents = 0.01 USD`): each
root unit is a dimension, and its values count the finest fraction of the root
the spec needs (its declared units and its literals, at most a millionth), so
that money stays exact and small enough for TLC. That fraction is part of the
dimension's name (`USD/100` counts cents), so every back end can show a value
without the declarations at hand.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Dimension:
    name: str  # as it appears in the IR ("time")
    type_name: str  # the spec type of its values ("duration")
    base_unit: str  # the unit the IR stores values in
    example: str  # a quantity to suggest in hints
    scale: int = 1  # base units in one display unit (a decimal: 10**6 millionths in 1)
    display: str = ""  # the unit a value is shown in as a decimal number ("" for none)


TIME = Dimension("time", "duration", "ms", "15 s")
DECIMAL = Dimension("decimal", "decimal", "millionth", "0.5", 1_000_000)
SIZE = Dimension("size", "datasize", "B", "4 KB")
RATE = Dimension("rate", "frequency", "per day", "10 per s", 86_400, "per s")
DECIMAL_SCALE = 1_000_000  # millionths in 1
DECIMAL_PLACES = 6

DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (TIME, DECIMAL, SIZE, RATE)}
TYPE_DIMENSIONS: dict[str, Dimension] = {d.type_name: d for d in DIMENSIONS.values()}

# unit name -> (dimension, size in base units)
UNITS: dict[str, tuple[Dimension, int]] = {}


def _add(names: str, dimension: Dimension, factor: int) -> None:
    for name in names.split():
        UNITS[name] = (dimension, factor)


_add("ms msec msecs millisecond milliseconds", TIME, 1)
_add("s sec secs second seconds", TIME, 1_000)
_add("min mins minute minutes", TIME, 60_000)
_add("h hr hrs hour hours", TIME, 3_600_000)
_add("d day days", TIME, 86_400_000)
_add("week weeks", TIME, 604_800_000)
_add("percent", DECIMAL, DECIMAL_SCALE // 100)
_add("B byte bytes", SIZE, 1)
_add("KB kB", SIZE, 10**3)
_add("MB", SIZE, 10**6)
_add("GB", SIZE, 10**9)
_add("TB", SIZE, 10**12)
_add("KiB", SIZE, 2**10)
_add("MiB", SIZE, 2**20)
_add("GiB", SIZE, 2**30)
_add("TiB", SIZE, 2**40)
DAY_MS = 86_400_000

# The dimension of a literal whose unit the spec declares itself, until the checker converts it.
UNRESOLVED = "?"


# One name per unit, smallest first, for messages.
CANONICAL = ["ms", "s", "min", "h", "d", "week", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB", "percent"]


class UnitError(ValueError):
    """A quantity that cannot be converted; `code` is "unknown" or "inexact", `hint` says what to write."""

    def __init__(self, message: str, code: str, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.hint = hint


def to_base(magnitude: Fraction, unit: str, written: str | None = None,
            declared: dict[str, tuple[Dimension, int]] | None = None) -> tuple[int, Dimension]:
    """Convert `magnitude unit` to an exact integer in the base unit (`written`: the number as typed;
    `declared`: the spec's own units, as `declared_units` builds them)."""
    entry = UNITS.get(unit) or (declared or {}).get(unit)
    if entry is None:
        known = [*UNITS, *(declared or {})]
        close = difflib.get_close_matches(unit, known, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else \
            f"the units are {', '.join(CANONICAL)} (and their long forms); declare your own with `unit {unit}`"
        raise UnitError(f"unknown unit `{unit}`", "unknown", hint)
    dimension, factor = entry
    value = magnitude * factor
    if value.denominator != 1:
        shown = written if written is not None else str(magnitude)
        finer = f"declare a finer unit, e.g. `unit milli{dimension.type_name} = 0.001 {dimension.type_name}`" \
            if dimension.name not in DIMENSIONS else "round the quantity"
        raise UnitError(
            f"`{shown} {unit}` is not a whole number of {dimension.base_unit}", "inexact",
            f"{dimension.type_name} values are exact to 1 {dimension.base_unit}; {finer}",
        )
    return int(value), dimension


def rate_to_base(magnitude: Fraction, unit: str, written: str) -> int:
    """`magnitude per unit` (a time unit) as a whole number of events per day."""
    entry = UNITS.get(unit)
    if entry is None or entry[0] is not TIME:
        close = difflib.get_close_matches(unit, [u for u, (d, _) in UNITS.items() if d is TIME], n=1, cutoff=0.6)
        hint = f"did you mean `per {close[0]}`?" if close else "a rate is a number per time unit, e.g. `10_000 per min`"
        raise UnitError(f"`per {unit}`: `{unit}` is not a unit of time", "unknown", hint)
    value = magnitude * DAY_MS / entry[1]
    if value.denominator != 1:
        raise UnitError(f"`{written} per {unit}` is not a whole number per day", "inexact",
                        "rates are exact to 1 per day; round the quantity or state it per day")
    return int(value)


def user_dimension(root: str, scale: int = 1) -> Dimension:
    """The dimension of a spec's own root unit whose values count 1/scale of it."""
    name = root if scale == 1 else f"{root}/{scale}"
    base = root if scale == 1 else f"1/{scale} {root}"
    return Dimension(name, root, base, f"1 {root}", scale, root)


def dimension(name: str) -> Dimension:
    """A dimension by its IR name: a built-in one, or a spec's own (`USD/100`, `tokens`)."""
    builtin = DIMENSIONS.get(name)
    if builtin is not None:
        return builtin
    root, _, scale = name.partition("/")
    return user_dimension(root, int(scale) if scale else 1)


def to_root(value: int, dim: Dimension) -> Fraction:
    """A base-unit count in the dimension's display unit (cents -> USD, millionths -> 1)."""
    return Fraction(value, dim.scale)


def exact_decimal(value: Fraction) -> str | None:
    """A fraction as a terminating decimal (`1/4` -> `0.25`), or None if it does not terminate."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    for _ in range(18):
        if rest == 0:
            break
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    if rest:
        return None
    return f"{sign}{whole}" + (f".{digits}" if digits else "")


def to_decimal(magnitude: Fraction, written: str) -> int:
    """A decimal literal as an exact number of millionths."""
    value = magnitude * DECIMAL_SCALE
    if value.denominator != 1:
        raise UnitError(f"`{written}` has more than {DECIMAL_PLACES} decimal places", "inexact",
                        f"decimals are exact to 0.{'0' * (DECIMAL_PLACES - 1)}1; round it")
    return int(value)


def decimal_text(value: int) -> str:
    """Millionths as a decimal: 650000 -> `0.65`, 2000000 -> `2.0`, -1 -> `-0.000001`."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), DECIMAL_SCALE)
    return f"{sign}{whole}.{(str(part).rjust(DECIMAL_PLACES, '0').rstrip('0') or '0')}"


def describe(value: int, dimension_name: str) -> str:
    """A base-unit value in the largest unit that divides it exactly (for messages)."""
    if dimension_name == DECIMAL.name:
        return decimal_text(value)
    dim = dimension(dimension_name)
    if dim is RATE:
        return _rate_text(value)
    if dim.display:
        return f"{exact_decimal(to_root(value, dim))} {dim.display}"
    if value == 0:
        # every unit divides zero; the plainest one reads best (`0 s`, not `0 d`)
        return f"0 {_ZERO.get(dimension_name, dim.base_unit)}"
    best = dim.base_unit
    best_factor = 1
    for unit, (d, factor) in UNITS.items():
        if d is dim and factor > best_factor and value % factor == 0 and unit in _PREFERRED:
            best, best_factor = unit, factor
    return f"{value // best_factor} {best}"


def _rate_text(per_day: int) -> str:
    """The smallest time unit a rate is a whole number per: 14_400_000 per day is `10000 per min`."""
    for unit in ("ms", "s", "min", "h"):
        count = Fraction(per_day * UNITS[unit][1], DAY_MS)
        if count.denominator == 1:
            return f"{count} per {unit}"
    return f"{per_day} per d"


_PREFERRED = {"ms", "s", "min", "h", "d", "B", "KB", "MB", "GB", "TB"}
_ZERO = {"time": "s", "size": "B"}
