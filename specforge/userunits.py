"""A spec's own units: `unit USD`, `unit cents = 0.01 USD`, `unit tokens`.

Each root unit (declared without `=`) is a dimension of its own; every other
declared unit is an exact positive amount of one declared before or after it.
A dimension's values count the finest fraction of its root that the spec
needs: the least common multiple of the denominators of its units and of its
literals measured in the root (`unit cents = 0.01 USD` and `0.005 USD` count
1/200 USD). Counting the finest fraction rather than always millionths keeps
values small, which TLC (32-bit integers) needs. A literal finer than a
millionth of its root is refused, as decimals are.

The lowering leaves a literal with a declared unit unconverted (its dimension
is `units.UNRESOLVED`) because a unit may be declared after its first use; the
checker calls `declare` before anything else and then `convert` per literal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from . import ir
from .lower import UnitDecl
from .nodes import make
from .source import Span
from .units import DECIMAL_SCALE, DIMENSIONS, UNITS, UNRESOLVED, Dimension, UnitError, to_base, user_dimension


@dataclass(frozen=True)
class Declared:
    """What the checker needs: each declared unit's dimension and size in that dimension's base units."""

    units: dict[str, tuple[Dimension, int]]
    refused: set[int] = frozenset()  # literals already reported as too fine (by id)

    def type_of(self, name: str) -> ir.QuantityT | None:
        """A declared unit's name used as a type means its dimension (`price: USD`, `fee: cents`)."""
        entry = self.units.get(name)
        return None if entry is None else make(ir.QuantityT, dimension=entry[0].name)

    def convert(self, e: ir.QuantityLit) -> ir.QuantityLit:
        """A literal the lowering left unconverted, in its dimension's base unit (raises UnitError)."""
        number, unit = e.text.rsplit(" ", 1)
        value, dim = to_base(Fraction(number.replace("_", "")), unit, number, self.units)
        return make(ir.QuantityLit, span=e.span, value=value, dimension=dim.name, text=e.text)


def declare(c, decls: list[UnitDecl], items: list) -> Declared:
    """Check the declarations (reporting through the checker `c`) and size every dimension."""
    by_name: dict[str, UnitDecl] = {}
    for d in decls:
        if d.name in UNITS or d.name in DIMENSIONS:
            c.error("SF114", f"`{d.name}` is a built-in unit", d.span,
                    f"use `{d.name}` as it is, or give your unit another name")
        elif c.declare(d.name, d.span, "unit"):
            by_name[d.name] = d
    roots: dict[str, tuple[str, Fraction]] = {}  # unit -> (root, how many roots one unit is)
    for name in by_name:
        found = _root(c, name, by_name, roots, [])
        if found is not None:
            roots[name] = found
    scales = {root: 1 for root, _ in roots.values()}
    for root, size in roots.values():
        scales[root] = _lcm(scales[root], size.denominator)
    refused: set[int] = set()
    for root, size in roots.values():
        if DECIMAL_SCALE % size.denominator:
            c.error("SF114", f"the spec counts {root} finer than a millionth of one", by_name[root].span,
                    f"declare units of {root} to at most six decimal places")
            return Declared({})
    for lit in _unresolved(items) if roots else ():  # no unit declared: every unresolved one is unknown (convert)
        number, unit = lit.text.rsplit(" ", 1)
        if unit in roots:
            root, size = roots[unit]
            denominator = (Fraction(number.replace("_", "")) * size).denominator
            if DECIMAL_SCALE % denominator:
                c.error("SF107", f"`{lit.text}` is finer than a millionth of {root}", lit.span,
                        f"state amounts of {root} to at most six decimal places")
                refused.add(id(lit))
            else:
                scales[root] = _lcm(scales[root], denominator)
    units = {name: (user_dimension(root, scales[root]), int(size * scales[root])) for name, (root, size) in roots.items()}
    return Declared(units, refused)


def convert(c, declared: Declared, e: ir.QuantityLit) -> ir.Expr | None:
    """The literal converted, or None after reporting an unknown or too fine unit."""
    if id(e) in declared.refused:
        return None
    try:
        return declared.convert(e)
    except UnitError as err:
        unit = e.text.rsplit(" ", 1)[1]
        span = e.span
        if err.code == "unknown" and span.line == span.end_line:  # point at the unit, as for a built-in one
            span = make(Span, line=span.line, column=span.end_column - len(unit), end_line=span.line,
                        end_column=span.end_column)
        c.error("SF110" if err.code == "unknown" else "SF107", str(err), span, err.hint)
        return None


def _root(c, name: str, by_name: dict[str, UnitDecl], done: dict, path: list[str]) -> tuple[str, Fraction] | None:
    if name in done:
        return done[name]
    d = by_name[name]
    if d.of is None:
        return name, Fraction(1)
    if d.size is None:
        return None  # its number was reported by the lowering
    if d.of in path or d.of == name:
        c.error("SF114", f"unit `{name}` is defined in terms of itself", d.span,
                f"declare one of {', '.join(f'`{u}`' for u in [*path, name])} as a root: `unit {path[0] if path else name}`")
        return None
    if d.of not in by_name:
        hint = "a declared unit is a part of a unit the spec declares, e.g. `unit USD` and `unit cents = 0.01 USD`"
        if d.of in UNITS:
            hint = f"`{d.of}` is built in: use it directly, or declare a root unit for `{name}`"
        c.error("SF110", f"unknown unit `{d.of}` in the declaration of `{name}`", d.of_span or d.span, hint)
        return None
    found = _root(c, d.of, by_name, done, [*path, name])
    if found is None:
        return None
    done[d.of] = found
    return found[0], d.size * found[1]


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def _unresolved(node, out: list | None = None) -> list[ir.QuantityLit]:
    """Every unconverted literal under a lowering item (IR models and the lowering's dataclasses)."""
    if out is None:
        out = []
    if isinstance(node, ir.QuantityLit):
        if node.dimension == UNRESOLVED:
            out.append(node)
    elif isinstance(node, (list, tuple)):
        for x in node:
            _unresolved(x, out)
    elif hasattr(node, "__dict__") and not isinstance(node, (Span, type)):
        for x in vars(node).values():
            if isinstance(x, (list, tuple)) or hasattr(x, "__dict__"):
                _unresolved(x, out)
    return out
