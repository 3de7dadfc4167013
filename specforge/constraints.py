"""`constraint` declarations: the operating envelope a running implementation must stay in.

    constraint LAT-1 MUST "status answers fast under peak load": p99(latency(status)) <= 250 ms under 10_000 per min
    constraint ERR-1: error_rate <= 0.1 percent
    constraint THR-1 SHOULD: throughput >= 100 per s
    constraint COST-1: p95(cost(triage)) < 0.01 USD

A constraint's measure is read from its written form, never as an expression: `latency`, `cost`,
`error_rate`, `throughput` and the statistics (`p50` ... `p99`, `p999` for the 99.9th percentile,
`max`) are not names of the spec. Its bound and its `under` rate are constant expressions with
units, checked and evaluated as constants are. `specforge load` judges constraints
(`load.budget.from_constraint`); `prove`, the property tests and the TLA+ export say they do not.
"""

from __future__ import annotations

import re

from . import ir
from .lower import ConstraintDecl
from .nodes import make
from .units import DECIMAL, RATE, SIZE, TIME, dimension

METRICS = ("latency", "cost", "error_rate", "throughput")
ORDER_OPS = (ir.CmpOp.LT, ir.CmpOp.LE, ir.CmpOp.GT, ir.CmpOp.GE)
FORMS = ("`p99(latency(ACTION)) <= 250 ms`, `max(latency) < 1 s`, `p95(cost(ACTION)) < 0.01 USD`, "
         "`error_rate <= 1 percent` or `throughput >= 100 per s`")
_STAT = re.compile(r"p([1-9][0-9]?|999)")


def stat_of(name: str) -> str | None:
    """A statistic's name as the load judge reads it (`p99`, `p99.9` for `p999`, `max`), or None."""
    if name == "max":
        return name
    m = _STAT.fullmatch(name)
    if m is None:
        return None
    return "p99.9" if m.group(1) == "999" else name


def check(c, d: ConstraintDecl, actions: list[str]) -> ir.Constraint | None:
    """The constraint, typed; None after reporting (through the checker `c`) what is wrong with it."""
    e = d.measure
    if not isinstance(e, ir.Compare) or e.op not in ORDER_OPS:
        c.error("SF241", "a constraint compares a measure with a bound using <, <=, > or >=", e.span,
                f"write e.g. {FORMS}")
        return None
    measure = _measure(c, e.left, actions)
    if measure is None:
        return None
    metric, stat, action = measure
    bound, value = _constant(c, e.right, f"the bound of constraint {d.id}")
    if bound is None:
        return None
    if not _fits(c, metric, bound, value):
        return None
    under, per_day = (None, None)
    if d.under is not None:
        under, per_day = _constant(c, d.under, f"the rate constraint {d.id} is stated under")
        if under is None:
            return None
        if not _is(under.type, RATE) or per_day <= 0:
            c.error("SF241", "`under` takes the offered rate the constraint holds at", under.span,
                    "write a positive frequency, e.g. `under 10_000 per min`")
            return None
    return make(ir.Constraint, span=d.span, id=d.id, level=d.level, description=d.description, metric=metric,
                stat=stat, action=action, op=e.op, bound=bound, bound_value=value, under=under,
                under_value=per_day)


def _measure(c, e: ir.Expr, actions: list[str]) -> tuple[str, str | None, str | None] | None:
    if isinstance(e, ir.Name) and e.name in ("error_rate", "throughput"):
        return e.name, None, None
    if isinstance(e, ir.Call) and len(e.args) == 1:
        stat = stat_of(e.func)
        inner = e.args[0]
        if isinstance(inner, ir.Name) and inner.name in ("latency", "cost"):
            metric, action = inner.name, None
        elif isinstance(inner, ir.Call) and inner.func in ("latency", "cost") and len(inner.args) == 1 \
                and isinstance(inner.args[0], ir.Name):
            metric, action = inner.func, inner.args[0].name
            if action not in actions:
                close = c.did_you_mean(action, actions)
                c.error("SF241", f"the spec has no action `{action}`", inner.args[0].span,
                        close or f"its actions are {', '.join(f'`{a}`' for a in actions) or 'none'}")
                return None
        else:
            metric = None
        if stat is None and metric is not None:
            c.error("SF241", f"`{e.func}` is not a statistic", e.span,
                    "use a nearest-rank percentile `p50` ... `p99`, `p999` (the 99.9th) or `max`")
            return None
        if metric is not None:
            return metric, stat, action
    c.error("SF241", "a constraint measures latency, cost, error_rate or throughput", e.span, f"write e.g. {FORMS}")
    return None


def _constant(c, e: ir.Expr, what: str) -> tuple[ir.Expr | None, int | None]:
    checked = c.expr(e, c.globals)
    if checked.type is None:
        return None, None
    value, problem = c.constant(checked)
    if problem is not None:
        message, span = problem
        c.error("SF241", f"{what} must be a constant: {message}", span or checked.span,
                "use literals and constants, e.g. `250 ms` or `MAX_LATENCY`")
        return None, None
    return checked, value


def _is(t: ir.Type | None, dim) -> bool:
    return isinstance(t, ir.QuantityT) and t.dimension == dim.name


def _fits(c, metric: str, bound: ir.Expr, value: int) -> bool:
    t = bound.type
    if metric == "latency" and not _is(t, TIME):
        hint = f"did you mean `{value} ms`?" if isinstance(t, ir.IntT) else "a latency is a duration: `250 ms`, `2.5 s`"
        c.error("SF241", f"a latency bound is a duration, not {c.show(t)}", bound.span, hint)
        return False
    if metric == "throughput" and not _is(t, RATE):
        c.error("SF241", f"a throughput bound is a frequency, not {c.show(t)}", bound.span,
                "write the calls answered per unit of time, e.g. `100 per s`")
        return False
    if metric == "error_rate":
        if not _is(t, DECIMAL):
            c.error("SF241", f"an error rate is a fraction of the calls, not {c.show(t)}", bound.span,
                    "write a decimal or a percentage, e.g. `0.01` or `1 percent`")
            return False
        if not 0 <= value <= DECIMAL.scale:
            c.error("SF241", "an error rate lies between 0 and 1 (100 percent)", bound.span)
            return False
    if metric == "cost" and (not isinstance(t, ir.QuantityT) or dimension(t.dimension) in (TIME, SIZE, RATE)):
        c.error("SF241", f"a cost bound is an amount, not {c.show(t)}", bound.span,
                "declare the currency or resource and use it, e.g. `unit USD` and `< 0.01 USD`")
        return False
    return True
