"""Spec structure in one home: the state's leaves, the bounds of types, the obligation list.

The prover, the interpreter, the property tests and the TLA+ exporter all read the
structure of a spec from here, so a leaf, a bound or an obligation id (`type:<path>`)
is spelled once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from . import ir
from .ir import IntT, MapT, OptionT, RecordT, SetOfT, SetT, StructT
from .values import Value

TYPE_PREFIX = "type:"




def type_id(path: str) -> str:
    """The id of the type obligation of the state leaf `path`: `type:<path>`, in every report."""
    return TYPE_PREFIX + path


def type_path(obligation_id: str) -> str | None:
    """The leaf a type obligation's id names (`type:token.ttl` -> `token.ttl`), or None for another id."""
    return obligation_id[len(TYPE_PREFIX):] if obligation_id.startswith(TYPE_PREFIX) else None


# ---- leaves ---------------------------------------------------------------------------------------


class Leaf(NamedTuple):
    """One flattened state variable: `balance`, `token.ttl` (a pair, so `dict(leaves(spec))` maps paths to types)."""

    path: str
    type: ir.Type | None


def field_leaves(fields: Iterable[ir.StateField]) -> list[Leaf]:
    """The leaves of state fields in declaration order, records flattened; a field whose type did
    not check is one leaf of type None (the checker reads fields before a spec exists)."""
    out: list[Leaf] = []

    def flatten(path: str, t: ir.Type | None) -> None:
        if isinstance(t, RecordT):
            for name, ft in t.fields:
                flatten(f"{path}.{name}", ft)
        else:
            out.append(Leaf(path, t))

    for f in fields:
        flatten(f.name, f.type.resolved)
    return out


def leaves(spec: ir.Spec) -> list[Leaf]:
    """The state's leaves in declaration order: (path, type), records flattened (`token.ttl`)."""
    return field_leaves(spec.state)


# ---- bounds ---------------------------------------------------------------------------------------


def has_bounds(t: ir.Type | None, members: bool = False) -> bool:
    """Whether `t` restricts values beyond their kind (nat, int[a..b], also as a map's values), so
    that a state leaf of it has a type obligation.

    With `members`, a set's type restricts its values to the set's members too: the prover needs
    that obligation, since a z3 sort holds more than the members; the interpreter, the tests and the
    TLA+ module draw a set's values from its members only, so for them it cannot fail.
    """
    if isinstance(t, IntT):
        return t.low is not None or t.high is not None
    if isinstance(t, MapT):
        return has_bounds(t.value, members)
    if isinstance(t, SetOfT):
        return has_bounds(t.element, members)
    if isinstance(t, StructT):
        return any(has_bounds(ft, members) for _, ft in t.fields)
    if isinstance(t, OptionT):
        return has_bounds(t.value, members)
    return members and isinstance(t, SetT)


def within(t: ir.Type, value: Value) -> bool:
    """Whether `value` satisfies the bounds of `t` beyond its kind (nat >= 0, int[a..b], also inside maps)."""
    if isinstance(t, IntT):
        return (t.low is None or value >= t.low) and (t.high is None or value <= t.high)
    if isinstance(t, MapT):
        return all(within(t.value, v) for v in value.values())
    if isinstance(t, SetOfT):
        return all(within(t.element, v) for v in value)
    if isinstance(t, StructT):
        return all(within(ft, value[f]) for f, ft in t.fields)
    if isinstance(t, OptionT):
        return value is None or within(t.value, value)
    return True


# ---- obligations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """One thing every back end reports on: a declared invariant, or the declared bounds of a leaf."""

    id: str
    kind: str  # "invariant", or "type" for a state leaf's declared bounds
    level: str  # "MUST" or "SHOULD"; a type obligation is MUST
    line: int  # the invariant's line, or the state variable's
    description: str | None
    invariant: ir.Invariant | None = None
    leaf: Leaf | None = None


def obligations(spec: ir.Spec, members: bool = False) -> list[Obligation]:
    """Every obligation in report order: the invariants as declared, then the leaves' type
    obligations (see `has_bounds` for `members`)."""
    out = [Obligation(inv.id, "invariant", inv.level.value, inv.span.line, inv.description, invariant=inv)
           for inv in spec.invariants]
    lines = {f.name: f.span.line for f in spec.state}
    out += [Obligation(type_id(leaf.path), "type", "MUST", lines[leaf.path.split(".")[0]],
                       f"`{leaf.path}` stays within its declared type", leaf=leaf)
            for leaf in leaves(spec) if has_bounds(leaf.type, members)]
    return out


def obligation_ids(spec: ir.Spec) -> list[str]:
    """The ids of `obligations(spec)`: what the interpreter and the property tests check."""
    return [o.id for o in obligations(spec)]


def expressions(spec: ir.Spec) -> Iterator[ir.Expr]:
    """The root of every expression of the spec's init, invariants and actions (their results too)."""
    for a in spec.init:
        yield a.value
    for inv in spec.invariants:
        yield inv.expr
    for action in spec.actions:
        for stmt in action.body:
            yield from ((stmt.cond,) if isinstance(stmt, ir.Requires) else (stmt.target, stmt.value))
        if action.returns is not None:
            yield action.returns.value
        yield from (e.cond for e in action.ensures)


def nodes(spec: ir.Spec, cls: type | tuple[type, ...]) -> Iterator:
    """Every expression node of class `cls` (or of one of the classes) in the spec."""
    for root in expressions(spec):
        yield from (n for n in ir.walk(root) if isinstance(n, cls))


def type_violations(spec: ir.Spec, state: Mapping[str, Value]) -> list[str]:
    """The `type:<path>` ids of the leaves whose value is outside their declared bounds."""
    return [type_id(path) for path, t in leaves(spec) if has_bounds(t) and not within(t, state[path])]
