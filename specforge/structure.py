"""Spec structure in one home: the state's leaves, the bounds of types, the obligation list.

The prover, the interpreter, the property tests and the TLA+ exporter all read the
structure of a spec from here, so a leaf, a bound or an obligation id (`type:<path>`)
is spelled once.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import ir
from .ir import IntT, MapT, RecordT
from .values import Value


def within(t: ir.Type, value: Value) -> bool:
    """Whether `value` satisfies the bounds of `t` beyond its kind (nat >= 0, int[a..b], also inside maps)."""
    if isinstance(t, IntT):
        return (t.low is None or value >= t.low) and (t.high is None or value <= t.high)
    if isinstance(t, MapT):
        return all(within(t.value, v) for v in value.values())
    return True


def has_bounds(t: ir.Type) -> bool:
    """Whether `t` restricts values beyond their kind, so that a state leaf of it has a type obligation."""
    if isinstance(t, IntT):
        return t.low is not None or t.high is not None
    if isinstance(t, MapT):
        return has_bounds(t.value)
    return False


def leaves(spec: ir.Spec) -> list[tuple[str, ir.Type]]:
    """The state's leaves in declaration order: (path, type), records flattened (`token.ttl`)."""
    out: list[tuple[str, ir.Type]] = []

    def flatten(path: str, t: ir.Type) -> None:
        if isinstance(t, RecordT):
            for name, ft in t.fields:
                flatten(f"{path}.{name}", ft)
        else:
            out.append((path, t))

    for f in spec.state:
        flatten(f.name, f.type.resolved)
    return out


def type_obligations(spec: ir.Spec) -> list[str]:
    """The ids of the state's type obligations, `type:<path>`, as the prover names them."""
    return [f"type:{path}" for path, t in leaves(spec) if has_bounds(t)]


def obligations(spec: ir.Spec) -> list[str]:
    """Every id the prover reports on: the invariants, then the type obligations."""
    return [inv.id for inv in spec.invariants] + type_obligations(spec)


def type_violations(spec: ir.Spec, state: Mapping[str, Value]) -> list[str]:
    """The `type:<path>` ids of the leaves whose value is outside their declared bounds."""
    return [f"type:{path}" for path, t in leaves(spec) if has_bounds(t) and not within(t, state[path])]
