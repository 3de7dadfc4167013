"""Dimensions, units, and exact conversion to base units.

Every quantity is stored as an integer number of its dimension's base unit.
Time's base unit is the millisecond: every time unit the language names is a
whole number of milliseconds, so conversions are exact and the back ends can
use integers (z3 Int, TLA+ Int) throughout.

Decimals (`0.65`, `65 percent`) are fixed-point: a quantity of the dimension
"decimal", counted in millionths (`0.65` is 650000), so they too are exact
integers in every back end; a decimal with more than six places is refused.
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


TIME = Dimension("time", "duration", "ms", "15 s")
DECIMAL = Dimension("decimal", "decimal", "millionth", "0.5")
DECIMAL_SCALE = 1_000_000  # millionths in 1
DECIMAL_PLACES = 6

DIMENSIONS: dict[str, Dimension] = {TIME.name: TIME, DECIMAL.name: DECIMAL}
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


# One name per unit, smallest first, for messages.
CANONICAL = ["ms", "s", "min", "h", "d", "week"]


class UnitError(ValueError):
    """A quantity that cannot be converted; `code` is "unknown" or "inexact", `hint` says what to write."""

    def __init__(self, message: str, code: str, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.hint = hint


def to_base(magnitude: Fraction, unit: str, written: str | None = None) -> tuple[int, Dimension]:
    """Convert `magnitude unit` to an exact integer in the base unit (`written`: the number as typed)."""
    entry = UNITS.get(unit)
    if entry is None:
        close = difflib.get_close_matches(unit, UNITS, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"the units are {', '.join(CANONICAL)} (and their long forms)"
        raise UnitError(f"unknown unit `{unit}`", "unknown", hint)
    dimension, factor = entry
    value = magnitude * factor
    if value.denominator != 1:
        shown = written if written is not None else str(magnitude)
        raise UnitError(
            f"`{shown} {unit}` is not a whole number of {dimension.base_unit}", "inexact",
            f"{dimension.type_name} values are exact to 1 {dimension.base_unit}; round the quantity",
        )
    return int(value), dimension


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
    dimension = DIMENSIONS[dimension_name]
    if value == 0:
        # every unit divides zero; the plainest one reads best (`0 s`, not `0 d`)
        return f"0 {_ZERO.get(dimension_name, dimension.base_unit)}"
    best = dimension.base_unit
    best_factor = 1
    for unit, (dim, factor) in UNITS.items():
        if dim is dimension and factor > best_factor and value % factor == 0 and unit in _PREFERRED:
            best, best_factor = unit, factor
    return f"{value // best_factor} {best}"


_PREFERRED = {"ms", "s", "min", "h", "d"}
_ZERO = {"time": "s"}
