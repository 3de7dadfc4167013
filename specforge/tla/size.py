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
from ..ir import BoolT, EnumT, SetOfT, SetT
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
        domains = {p.name: _values(spec, model, a, p) for p in a.choices}
        sizes.append(ActionSize(a, math.prod(domains.values()), domains))
    return sizes


def _values(spec: ir.Spec, model: Model, action: ir.Action, p: ir.Param) -> int:
    if int_like(p.type.resolved):
        return len(model.domains[(action.name, p.name)])
    if p.name == ir.RESULT and action.answer is not None:  # the part of the answer the effect reads
        from .records import answer_part

        return _count(spec, model, answer_part(action))
    return _count(spec, model, p.type.resolved)


def answer_count(spec: ir.Spec, model: Model, a: ir.Action) -> int:
    """How many answers of `a` (an action with `-> T`) the model ranges over."""
    return _values(spec, model, a, ir.Param(span=a.result.span, name=ir.RESULT, type=a.result))


def _count(spec: ir.Spec, model: Model, t: ir.Type) -> int:
    """How many values TLC tries for a parameter of type `t` (not an int: those have a domain each); a
    record's or an optional's int fields take the values `records.int_values` gives."""
    if int_like(t):
        from .records import int_values

        return len(int_values(spec)(t))
    if isinstance(t, BoolT):
        return 2
    if isinstance(t, ir.StringT):
        from .strings import pool

        return len(pool(spec))
    if isinstance(t, EnumT):
        return next(len(e.members) for e in spec.enums if e.name == t.name)
    if isinstance(t, SetT):
        elements = model.sets[t.name]
        return elements if isinstance(elements, int) else len(elements)
    if isinstance(t, SetOfT):  # every subset of its element type
        e = t.element
        if isinstance(e, ir.IntT):
            return 2 ** (e.high - e.low + 1)
        return 2 ** _count(spec, model, e)
    if isinstance(t, ir.StructT):
        return math.prod(_count(spec, model, ft) for _, ft in t.fields)
    if isinstance(t, ir.OptionT):
        return 1 + _count(spec, model, t.value)
    return 1


def size_warnings(spec: ir.Spec, model: Model) -> list:
    """A warning for each action whose arguments alone make the model too big, with a `--bound` for its
    widest integer parameters that brings it under the limit."""
    out = []
    for size in action_sizes(spec, model):
        if size.combinations <= WARN_COMBINATIONS:
            continue
        bounds, combos = _taming(spec, model, size)
        records = [p.name for p in size.action.choices if isinstance(p.type.resolved, (ir.StructT, ir.OptionT))]
        hint = (f"bound the widest parameters, e.g. {' '.join(f'--bound {b}' for b in bounds)} "
                f"({combos:,} combinations), or export with fewer values (docs/tla.md)") if bounds else \
            (f"`{records[0]}` takes every combination of its fields' values: give its int fields small ranges "
             "(`int[0..3]`)" if records else "make the sets smaller with --bound SET=N (docs/tla.md)")
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
    ints = {p.name: model.domains[(size.action.name, p.name)] for p in size.action.choices if int_like(p.type.resolved)}
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


def overflow_warnings(spec: ir.Spec, model: Model) -> list:
    """A warning at each assignment whose value can leave TLC's 32-bit integers in one step from a state the
    model explores (TLC stops with an overflow error there, before `StateConstraint` can cut the run):
    interval arithmetic over the state range, the parameters' values and the constants."""
    from .expr import TLC_MAX_INT

    out = []
    consts = {c.name: c.evaluated for c in spec.consts if isinstance(c.evaluated, int) and not isinstance(c.evaluated, bool)}
    for a in spec.actions:
        params = {p.name: (min(d), max(d)) for (act, p_name), d in model.domains.items() if act == a.name and d
                  for p in a.choices if p.name == p_name}
        for assign in a.assignments:
            span = _interval(assign.value, model.state_range, params, consts)
            if span is None:
                continue
            worst = max(abs(span[0]), abs(span[1]))
            if worst > TLC_MAX_INT:
                out.append(diag.diagnostic(
                    diag.Severity.WARNING, diag.TLC_INT_RANGE,
                    f"in `{a.name}`, this value can reach {worst:,} in one step from a state the model explores, "
                    f"outside TLC's integers (±{TLC_MAX_INT:,}): TLC would stop with an overflow",
                    spec.file, assign.value.span,
                    "narrow StateRange or the parameter values with --bound, use a smaller unit, or check the "
                    "module with Apalache"))
    return out


def _interval(e: ir.Expr, state: tuple[int, int], params: dict, consts: dict) -> tuple[int, int] | None:
    """Bounds of an integer expression, or None where they are not known (maps, records, ...)."""
    if isinstance(e, (ir.IntLit, ir.QuantityLit)):
        return e.value, e.value
    if isinstance(e, ir.Name):
        if e.ref is ir.RefKind.CONST:
            v = consts.get(e.name)
            return (v, v) if v is not None else None
        if e.ref is ir.RefKind.PARAM:
            return params.get(e.name)
        if e.ref is ir.RefKind.VAR and int_like(e.type):
            return state
        return None
    if isinstance(e, ir.FieldAccess) and int_like(e.type):
        return state
    if isinstance(e, ir.Index) and int_like(e.type):
        return state
    if isinstance(e, ir.Unary) and e.op is ir.UnOp.NEG:
        inner = _interval(e.operand, state, params, consts)
        return None if inner is None else (-inner[1], -inner[0])
    if isinstance(e, ir.Binary) and e.op in (ir.BinOp.ADD, ir.BinOp.SUB, ir.BinOp.MUL):
        a, b = _interval(e.left, state, params, consts), _interval(e.right, state, params, consts)
        if a is None or b is None:
            return None
        if e.op is ir.BinOp.ADD:
            return a[0] + b[0], a[1] + b[1]
        if e.op is ir.BinOp.SUB:
            return a[0] - b[1], a[1] - b[0]
        products = [x * y for x in a for y in b]
        return min(products), max(products)
    return None
