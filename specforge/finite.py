"""The finite model of a spec: which values an integer parameter takes and how far integer state may
stray, when a search must enumerate instead of reason.

Shared by the explicit-state engine (`specforge.explore`) and the TLA+ exporter's model for TLC
(`specforge.tla.model`), so both search the same model by default and their state counts compare.

The default values of an integer parameter are the boundary values of the spec's own numbers: for
every constant and literal c of the parameter's kind (plain ints, or durations in milliseconds),
c - 1, c and c + 1, plus the small range -2..3, kept to what the parameter's declared type allows. A
parameter whose declared range has fewer than `FULL_RANGE_LIMIT` values takes all of them. Integer
state is explored within -M..M, M twice the largest magnitude among those values (at least
`MIN_STATE_BOUND`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import ir
from .ir import IntT, QuantityT

SMALL_RANGE = range(-2, 4)
FULL_RANGE_LIMIT = 16
MIN_STATE_BOUND = 10


def expressions(node) -> Iterator[ir._Expr]:
    """Every expression node reachable from an IR node (declarations, types, statements)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir._Expr):
            yield n
        if isinstance(n, (list, tuple)):
            stack.extend(reversed(n))
        elif isinstance(n, ir._Model):
            stack.extend(reversed([v for k, v in n.__dict__.items() if k not in ("type", "resolved", "span")]))


def kind(t) -> str | None:
    """The kind of number a type holds: "int", a dimension ("time"), or None for a non-number."""
    if isinstance(t, IntT):
        return "int"
    if isinstance(t, QuantityT):
        return t.dimension
    return None


def int_like(t) -> bool:
    return isinstance(t, (IntT, QuantityT))


def spec_numbers(spec: ir.Spec) -> dict[str, set[int]]:
    """The constants and literals of the spec, by kind ("int", or a dimension such as "time")."""
    found: dict[str, set[int]] = {}
    for c in spec.consts:
        k = kind(c.type.resolved)
        if k is not None and isinstance(c.evaluated, int) and not isinstance(c.evaluated, bool):
            found.setdefault(k, set()).add(c.evaluated)
    for e in expressions(spec):
        if isinstance(e, (ir.IntLit, ir.QuantityLit)):
            k = kind(e.type) or ("int" if isinstance(e, ir.IntLit) else e.dimension)
            found.setdefault(k, set()).add(e.value)
    for t in _types(spec):
        if isinstance(t, IntT):
            for v in (t.low, t.high):
                if v is not None:
                    found.setdefault("int", set()).add(v)
    return found


STRING_BOUNDARY = 300  # lengths and word counts the string pool reaches for
SEARCH_STRINGS = 8  # strings an exhaustive search (explore, TLC) tries per parameter: the pool's first
MAX_STRINGS = 64


def string_pool(spec: ir.Spec) -> tuple[str, ...]:
    """The strings tried for a `string` parameter: the empty string, the spec's literals, and strings
    at each small count the spec names (n and n + 1 characters; n and n + 1 words), so that guards
    such as `len(s) <= 200` and `words(b) <= 60` are tried on both sides. Not every string: a search
    over this pool proves nothing about the rest."""
    literals = [e.value for e in expressions(spec) if isinstance(e, ir.StringLit)]
    literals += [c.evaluated for c in spec.consts if isinstance(c.evaluated, str)]
    counts = sorted(v for v in spec_numbers(spec).get("int", ()) if 0 < v <= STRING_BOUNDARY)
    # the most telling first (a search may take only the first few): empty, just past each count, the literals
    pool = ["", *(" ".join(["w"] * (n + 1)) for n in counts), *sorted(set(literals)), "two words"]
    pool += [s for n in counts for s in ("x" * (n + 1), "x" * n, " ".join(["w"] * n))]
    pool += ["a", " padded  spaces "]
    return tuple(dict.fromkeys(pool))[:MAX_STRINGS]


def search_strings(spec: ir.Spec) -> tuple[str, ...]:
    """The strings an exhaustive search tries per parameter, the same for the explicit search, the
    interpreter's argument tuples and TLC: the pool's first, leaving out strings with a control character
    TLA+ cannot write (it escapes only tab, line feed and carriage return)."""
    def writable(s: str) -> bool:
        return all(ch in "\t\n\r" or 32 <= ord(ch) != 127 for ch in s)
    return tuple(s for s in string_pool(spec) if writable(s))[:SEARCH_STRINGS]


def _types(spec: ir.Spec):
    def walk(t):
        yield t
        if isinstance(t, ir.MapT):
            yield from walk(t.key)
            yield from walk(t.value)
        elif isinstance(t, ir.RecordT):
            for _, ft in t.fields:
                yield from walk(ft)

    for f in spec.state:
        yield from walk(f.type.resolved)
    for a in spec.actions:
        for p in a.choices:
            yield from walk(p.type.resolved)


def boundary_values(numbers: Iterable[int], cap: int | None = None) -> list[int]:
    """-2..3 and c - 1, c, c + 1 for each number c; with `cap`, only those of magnitude at most cap."""
    values = set(SMALL_RANGE)
    for c in numbers:
        values.update((c - 1, c, c + 1))
    return sorted(v for v in values if cap is None or abs(v) <= cap)


def within(t, v: int) -> bool:
    return (t.low is None or v >= t.low) and (t.high is None or v <= t.high) if isinstance(t, IntT) else True


def default_domain(t, numbers: dict[str, set[int]], cap: int | None = None) -> list[int]:
    """The default values of an int-like parameter of type `t`."""
    if isinstance(t, IntT) and t.low is not None and t.high is not None and t.high - t.low < FULL_RANGE_LIMIT:
        return list(range(t.low, t.high + 1))
    return [v for v in boundary_values(numbers.get(kind(t) or "int", set()), cap) if within(t, v)]


def state_bound(spec: ir.Spec, domains: Iterable[Iterable[int]], cap: int | None = None) -> int:
    """M: integer state is explored within -M..M (see the module docstring)."""
    numbers = spec_numbers(spec)
    everything = [v for values in domains for v in values]
    everything += boundary_values({v for values in numbers.values() for v in values}, cap)
    m = 2 * max([MIN_STATE_BOUND, *(abs(v) for v in everything)])
    return m if cap is None else min(m, cap)
