"""How big the model TLC will explore is, before it runs: a warning with the `--bound` that tames it.

TLC enumerates every argument of every action in every state it reaches. An action with many integer
parameters multiplies their domains: ten parameters of six values each are 60 million calls per state,
more than TLC finishes in any heap. The estimate is exact for the argument combinations (the product of
the parameters' domains in the model) and says which parameter to bound first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import ir
from ..ir import BoolT, EnumT, SetT
from . import diag
from .model import Model, int_like

# Argument combinations of one action per state past which the export warns: TLC evaluates the guards
# of each, in each state, and keeps a successor of each that passes.
WARN_COMBINATIONS = 100_000


@dataclass(frozen=True)
class ActionSize:
    action: ir.Action
    combinations: int
    domains: dict[str, int]  # parameter -> how many values it takes in the model


def action_sizes(spec: ir.Spec, model: Model) -> list[ActionSize]:
    sizes = []
    for a in spec.actions:
        domains = {p.name: _values(spec, model, a, p) for p in a.params}
        sizes.append(ActionSize(a, math.prod(domains.values()), domains))
    return sizes


def _values(spec: ir.Spec, model: Model, action: ir.Action, p: ir.Param) -> int:
    t = p.type.resolved
    if int_like(t):
        return len(model.domains[(action.name, p.name)])
    if isinstance(t, BoolT):
        return 2
    if isinstance(t, EnumT):
        return next(len(e.members) for e in spec.enums if e.name == t.name)
    if isinstance(t, SetT):
        elements = model.sets[t.name]
        return elements if isinstance(elements, int) else len(elements)
    return 1


def size_warnings(spec: ir.Spec, model: Model) -> list:
    """A warning for each action whose arguments alone make the model too big, with a `--bound` for its
    widest integer parameters that brings it under the limit."""
    out = []
    for size in action_sizes(spec, model):
        if size.combinations <= WARN_COMBINATIONS:
            continue
        bounds, combos = _taming(spec, model, size)
        hint = (f"bound the widest parameters, e.g. {' '.join(f'--bound {b}' for b in bounds)} "
                f"({combos:,} combinations), or export with fewer values (docs/tla.md)") if bounds else \
            "make the sets smaller with --bound SET=N (docs/tla.md)"
        out.append(diag.diagnostic(
            diag.Severity.WARNING, diag.MODEL_TOO_LARGE,
            f"action `{size.action.name}` has {size.combinations:,} argument combinations per state in this "
            f"model ({' x '.join(f'{n} {name}' for name, n in size.domains.items())}); TLC evaluates each in "
            f"every state it reaches and may run out of memory or time",
            spec.file, size.action.span, hint))
    return out


def _taming(spec: ir.Spec, model: Model, size: ActionSize) -> tuple[list[str], int]:
    """`ACTION.PARAM={low, mid, high}` for the widest int parameters, until the product is small enough."""
    domains = dict(size.domains)
    bounds = []
    ints = {p.name: model.domains[(size.action.name, p.name)] for p in size.action.params if int_like(p.type.resolved)}
    for name in sorted(ints, key=lambda n: -len(ints[n])):
        if math.prod(domains.values()) <= WARN_COMBINATIONS:
            break
        values = sorted(ints[name])
        picked = sorted({values[0], values[len(values) // 2], values[-1]})
        if len(picked) >= len(values):
            continue
        domains[name] = len(picked)
        bounds.append(f"'{size.action.name}.{name}={{{', '.join(map(str, picked))}}}'")
    return bounds, math.prod(domains.values())
