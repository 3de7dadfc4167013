"""Budgets of the operating envelope: their text, their percentiles, and their verdicts.

    p99(latency(withdraw)) <= 250 ms          the 99th percentile of withdraw's latency
    SHOULD p95(latency) < 1 s                 every action's calls together; a SHOULD budget
    max(latency(deposit)) <= 2 s
    error_rate <= 1%                          spec violations (errors) per call
    throughput >= 100/s                       calls answered as the spec says, per second
    p99(latency) <= 250 ms under 10_000 per min    judged only by a run that offers at least that rate

A budget is MUST unless it starts with SHOULD or MAY. Everything here is independent of how the
samples were taken, so the language's `constraint` declaration can reuse the parser and the judge.

Percentiles are **nearest-rank**: the p-th percentile of n sorted samples is the sample at rank
ceil(p/100 * n) (1-based), always an observed value. A percentile is judged only from enough samples
that at least one lies above it, n >= ceil(100 / (100 - p)): 2 for p50, 10 for p90, 20 for p95, 100
for p99, 1000 for p99.9; `max` needs one. With fewer, the verdict is "unjudged" and says how many.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

LEVELS = ("MUST", "SHOULD", "MAY")
OPS = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}
TIME_UNITS = {"us": Fraction(1, 1000), "µs": Fraction(1, 1000), "ms": Fraction(1), "s": Fraction(1000),
              "sec": Fraction(1000), "min": Fraction(60_000), "h": Fraction(3_600_000)}  # in milliseconds
RATE_UNITS = {"s": Fraction(1), "sec": Fraction(1), "second": Fraction(1), "min": Fraction(1, 60),
              "minute": Fraction(1, 60), "h": Fraction(1, 3600), "hour": Fraction(1, 3600)}  # per second


class BudgetError(ValueError):
    """A budget that cannot be read; the message shows where and how to write it."""


@dataclass(frozen=True)
class Budget:
    text: str
    level: str
    metric: str  # "latency", "error_rate" or "throughput"
    stat: str | None  # for latency: "p99", "p99.9", "max"
    action: str | None  # for latency: one action's calls, or None for all
    op: str
    bound: Fraction  # latency in ms, error_rate as a fraction, throughput per second, cost in `unit`
    under: Fraction | None = None  # the offered rate (per second) the budget is stated under
    unit: str | None = None  # a cost's unit (the root unit of its dimension: `USD`)

    def describe_bound(self) -> str:
        if self.metric == "cost":
            return f"{_num(self.bound)} {self.unit}"
        if self.metric == "latency":
            return f"{_num(self.bound)} ms"
        if self.metric == "error_rate":
            return f"{_num(self.bound * 100)}%"
        return f"{_num(self.bound)}/s"


@dataclass(frozen=True)
class Verdict:
    budget: Budget
    status: str  # "met", "broken" or "unjudged"
    observed: float | None
    reason: str = ""

    def as_json(self) -> dict:
        b = self.budget
        return {"budget": b.text, "level": b.level, "metric": b.metric, "stat": b.stat, "action": b.action,
                "op": b.op, "bound": float(b.bound), "status": self.status, "observed": self.observed,
                "reason": self.reason}


# ---- percentiles --------------------------------------------------------------------------------------


def parse_stat(stat: str) -> Fraction | None:
    """The percentile a statistic names (`p99` -> 99, `p99.9` -> 99.9), None for `max`."""
    if stat == "max":
        return None
    m = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
    if not m or not 0 < Fraction(m.group(1)) < 100:
        raise BudgetError(f"`{stat}` is not a statistic: write p50, p90, p95, p99, p99.9 or max")
    return Fraction(m.group(1))


def samples_needed(stat: str) -> int:
    """How many samples a statistic needs to be judged: n >= ceil(100 / (100 - p)), one for max."""
    p = parse_stat(stat)
    return 1 if p is None else math.ceil(Fraction(100) / (100 - p))


def percentile(sorted_samples: Sequence[float], stat: str) -> float:
    """The nearest-rank percentile (or the max) of samples sorted ascending; at least one sample."""
    if not sorted_samples:
        raise ValueError("no samples")
    p = parse_stat(stat)
    if p is None:
        return sorted_samples[-1]
    rank = max(1, math.ceil(p * len(sorted_samples) / 100))
    return sorted_samples[rank - 1]


def summary(samples: Sequence[float], stats: Sequence[str] = ("p50", "p90", "p95", "p99", "max")) -> dict:
    """Each statistic of the samples, or None where there are too few to judge it."""
    ordered = sorted(samples)
    return {s: percentile(ordered, s) if len(ordered) >= samples_needed(s) else None for s in stats}


# ---- reading a budget ---------------------------------------------------------------------------------------

_NUMBER = r"(\d[\d_]*(?:\.\d+)?)"
_LATENCY = re.compile(r"(p[\d.]+|max)\s*\(\s*latency\s*(?:\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))?\s*\)")
_OP = re.compile(r"\s*(<=|>=|<|>|≤|≥)\s*")
_UNDER = re.compile(r"\s+under\s+(.+)$")


def parse_budget(text: str, actions: Sequence[str] | None = None) -> Budget:
    """A budget's text read; `actions` (the spec's) checks the action a latency names."""
    rest = text.strip()
    level = "MUST"
    head = rest.split(None, 1)
    if head and head[0].upper() in LEVELS and len(head) > 1:
        level, rest = head[0].upper(), head[1]
    under = None
    m = _UNDER.search(rest)
    if m:
        under = parse_rate(m.group(1))
        rest = rest[:m.start()]
    op_match = _OP.search(rest)
    if not op_match:
        raise BudgetError(f"`{text}`: no comparison; write e.g. `p99(latency) <= 250 ms`, `error_rate <= 1%` "
                          "or `throughput >= 100/s`")
    left, op, right = rest[:op_match.start()].strip(), op_match.group(1), rest[op_match.end():].strip()
    op = {"≤": "<=", "≥": ">="}.get(op, op)
    if left in ("error_rate", "throughput"):
        bound = parse_fraction(right) if left == "error_rate" else parse_rate(right)
        return Budget(text.strip(), level, left, None, None, op, bound, under)
    lat = _LATENCY.fullmatch(left)
    if not lat:
        raise BudgetError(f"`{text}`: `{left}` is not a metric; write p50(latency), p99(latency(ACTION)), "
                          "max(latency), error_rate or throughput")
    stat, action = lat.group(1), lat.group(2)
    parse_stat(stat)
    if action is not None and actions is not None and action not in actions:
        from ..testing.preflight import did_you_mean

        raise BudgetError(f"`{text}`: the spec has no action `{action}`"
                          + (f"; {did_you_mean(action, actions)}" if did_you_mean(action, actions) else
                             f"; its actions: {', '.join(actions)}"))
    return Budget(text.strip(), level, "latency", stat, action, op, parse_duration_ms(right), under)


def parse_duration_ms(text: str) -> Fraction:
    """`250 ms`, `2.5 s`, `1 min` in milliseconds; a number needs its unit."""
    m = re.fullmatch(_NUMBER + r"\s*([a-zµ]+)", text.strip())
    if not m or m.group(2) not in TIME_UNITS:
        raise BudgetError(f"`{text}` is not a duration: write a number and a unit (ms, s, min), e.g. `250 ms`")
    return Fraction(m.group(1).replace("_", "")) * TIME_UNITS[m.group(2)]


def parse_rate(text: str) -> Fraction:
    """`200/s`, `10_000 per min`, `5 per second`, per second."""
    m = re.fullmatch(_NUMBER + r"\s*(?:/|per\s+)\s*([a-z]+)", text.strip())
    if not m or m.group(2) not in RATE_UNITS or Fraction(m.group(1).replace("_", "")) <= 0:
        raise BudgetError(f"`{text}` is not a rate: write e.g. `200/s` or `10_000 per min`")
    return Fraction(m.group(1).replace("_", "")) * RATE_UNITS[m.group(2)]


def parse_fraction(text: str) -> Fraction:
    """`1%`, `0.5 %` or `0.01`, as a fraction between 0 and 1."""
    m = re.fullmatch(_NUMBER + r"\s*(%?)", text.strip())
    if not m:
        raise BudgetError(f"`{text}` is not a rate of errors: write e.g. `1%` or `0.01`")
    value = Fraction(m.group(1).replace("_", "")) / (100 if m.group(2) else 1)
    if value > 1:
        raise BudgetError(f"`{text}` is more than 100%")
    return value


# ---- judging --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """What a run measured, as the judge needs it."""

    latencies: Mapping[str, Sequence[float]]  # per action, in ms
    calls: int  # every call made
    violations: int  # calls that broke the spec (errors)
    good: int  # calls answered as the spec says (successes and expected refusals)
    seconds: float  # how long the run lasted
    offered: float  # the rate the run offered, per second
    costs: Mapping[str, Sequence[Fraction]] = field(default_factory=dict)  # per action, as the implementation reported


def from_constraint(con) -> Budget:
    """A spec's `constraint` (an `ir.Constraint`) as a budget: one judge for both."""
    from ..units import DAY_MS, DECIMAL_SCALE, describe, dimension, to_root

    per_second = DAY_MS // 1000  # a frequency counts events per day
    dim = dimension(con.bound.type.dimension)
    bound = {"latency": Fraction(con.bound_value), "error_rate": Fraction(con.bound_value, DECIMAL_SCALE),
             "throughput": Fraction(con.bound_value, per_second), "cost": to_root(con.bound_value, dim)}[con.metric]
    measure = con.metric if con.stat is None else \
        f"{con.stat}({con.metric}{'' if con.action is None else f'({con.action})'})"
    text = f"{con.id}: {measure} {con.op.value} {describe(con.bound_value, dim.name)}"
    under = None
    if con.under_value is not None:
        under = Fraction(con.under_value, per_second)
        text += f" under {describe(con.under_value, 'rate')}"
    return Budget(text, con.level.value, con.metric, con.stat, con.action, con.op.value, bound, under,
                  (dim.display or dim.type_name) if con.metric == "cost" else None)


def judge(budget: Budget, m: Measured) -> Verdict:
    # the offered rate is a float: `10_000 per min` offered is 166.66666666666666/s, which is the rate stated
    if budget.under is not None and m.offered < float(budget.under) * (1 - 1e-9):
        return Verdict(budget, "unjudged", None, f"stated under {_num(budget.under)}/s; the run offered "
                       f"{m.offered:g}/s: raise --rate")
    if budget.metric == "error_rate":
        if m.calls == 0:
            return Verdict(budget, "unjudged", None, "no calls were made")
        observed = m.violations / m.calls
        return _compare(budget, observed, Fraction(m.violations, m.calls), f"{m.violations} of {m.calls} calls")
    if budget.metric == "throughput":
        if m.seconds <= 0:
            return Verdict(budget, "unjudged", None, "the run did not last")
        observed = m.good / m.seconds
        return _compare(budget, observed, Fraction(observed), f"{m.good} calls in {m.seconds:.2f} s")
    per_action = m.costs if budget.metric == "cost" else m.latencies
    if budget.action is None:
        samples = sorted(x for xs in per_action.values() for x in xs)
    else:
        samples = sorted(per_action.get(budget.action, ()))
    need = samples_needed(budget.stat)
    if len(samples) < need:
        whose = f"{budget.action}'s calls" if budget.action else "calls"
        if budget.metric == "cost" and not samples:
            return Verdict(budget, "unjudged", None, f"no cost was reported for {whose}: the implementation reports "
                           "each call's cost as `last_cost` (Python) or in the binding file's cost header (HTTP)")
        return Verdict(budget, "unjudged", None, f"{budget.stat} needs at least {need} samples (nearest-rank: one "
                       f"above it), the run has {len(samples)} {whose}: run longer or faster")
    observed = percentile(samples, budget.stat)
    return _compare(budget, float(observed), Fraction(observed), f"{len(samples)} samples, nearest-rank")


def _compare(budget: Budget, observed: float, exact: Fraction, basis: str) -> Verdict:
    ok = OPS[budget.op](exact, budget.bound)
    return Verdict(budget, "met" if ok else "broken", observed, basis)


def must_broken(verdicts: Sequence[Verdict]) -> bool:
    """Whether a MUST budget is broken or cannot be judged (as `prove` treats an unknown MUST)."""
    return any(v.budget.level == "MUST" and v.status != "met" for v in verdicts)


def _num(x: Fraction) -> str:
    return f"{float(x):g}"
