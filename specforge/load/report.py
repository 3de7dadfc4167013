"""A load run's results: per-action statistics, budget verdicts, and three renderings of them (a plain
table, JSON, an HTML page whose latency plot is an inline SVG written here, no script)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from .budget import Budget, Measured, Verdict, judge, must_broken, samples_needed, summary
from .engine import Outcome

STATS = ("p50", "p90", "p95", "p99", "max")
METHOD = "nearest-rank: the p-th percentile of n samples is the one at rank ceil(p/100*n)"
PLOT_POINTS = 4_000  # points drawn at most; past that, every k-th call of each action
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


@dataclass
class Results:
    spec: str
    target: str
    rate: float
    duration: float
    outcome: Outcome
    verdicts: list[Verdict]
    actions: dict[str, dict]
    overall: dict
    throughput: float
    error_rate: float | None
    errors: int

    @property
    def exit_code(self) -> int:
        return 3 if must_broken(self.verdicts) else 0


def results(spec: str, target: str, rate: float, duration: float, outcome: Outcome,
            budgets: Sequence[Budget]) -> Results:
    latencies: dict[str, list[float]] = {}
    costs: dict[str, list] = {}
    per: dict[str, dict] = {}
    for call in outcome.calls:
        latencies.setdefault(call.action, []).append(call.latency * 1000)
        if call.cost is not None:
            costs.setdefault(call.action, []).append(call.cost)
        row = per.setdefault(call.action, {"calls": 0, "ok": 0, "refused": 0, "violations": 0})
        row["calls"] += 1
        row["violations" if call.outcome == "violation" else call.outcome] += 1
    for name, row in per.items():
        row["latency_ms"] = summary(latencies[name], STATS)
        if name in costs:
            row["cost"] = {k: None if v is None else float(v) for k, v in summary(costs[name], STATS).items()}
    every = [x for xs in latencies.values() for x in xs]
    calls = len(outcome.calls)
    errors = sum(r["violations"] for r in per.values()) + outcome.state_violations + outcome.setup_failures
    good = sum(r["ok"] + r["refused"] for r in per.values())
    seconds = outcome.seconds
    measured = Measured(latencies, calls, errors, good, seconds, rate, costs)
    overall = {"calls": calls, "ok": sum(r["ok"] for r in per.values()),
               "refused": sum(r["refused"] for r in per.values()), "violations": errors,
               "latency_ms": summary(every, STATS),
               "lag_ms": summary([c.lag * 1000 for c in outcome.calls], STATS)}
    return Results(spec, target, rate, duration, outcome, [judge(b, measured) for b in budgets], dict(sorted(per.items())),
                   overall, good / seconds if seconds > 0 else 0.0, errors / calls if calls else None, errors)


# ---- the plain table ----------------------------------------------------------------------------------------


def table(r: Results) -> str:
    o = r.outcome
    lines = [f"{r.spec}: load on {r.target}",
             f"  offered {r.rate:g}/s for {r.duration:g} s (open loop){'; INTERRUPTED' if o.interrupted else ''}: "
             f"{r.overall['calls']} calls in {o.seconds:.2f} s, {o.sessions} sessions"
             + (f", {o.unfinished} unfinished" if o.unfinished else "")
             + (f", {o.unsent} never sent (every session busy: raise --max-sessions)" if o.unsent else ""),
             "",
             f"  {'action':<20} {'calls':>7} {'ok':>7} {'refused':>7} {'errors':>7} "
             + " ".join(f"{s:>8}" for s in STATS) + "   (latency ms, from the scheduled time)"]
    rows = [(name, row) for name, row in r.actions.items()] + [("all", r.overall)]
    for name, row in rows:
        lines.append(f"  {name:<20} {row['calls']:>7} {row['ok']:>7} {row['refused']:>7} {row['violations']:>7} "
                     + " ".join(f"{_ms(row['latency_ms'][s]):>8}" for s in STATS))
    lines += ["", f"  percentiles: {METHOD}; `-`: too few samples "
              f"({', '.join(f'{s} needs {samples_needed(s)}' for s in STATS[:-1])})",
              f"  throughput {r.throughput:.1f}/s answered as the spec says; errors (spec violations) "
              f"{r.errors}" + (f" of {r.overall['calls']} calls" if r.overall["calls"] else "")
              + (f"; {o.state_violations} sessions ended in a state the spec does not allow"
                 if o.state_violations else "")]
    if r.verdicts:
        lines += ["", "  budgets:"]
        for v in r.verdicts:
            seen = "" if v.observed is None else f"observed {_observed(v)}; "
            lines.append(f"    {v.budget.level:<6} {v.status.upper():<9} {v.budget.text}  ({seen}{v.reason})")
    for message in o.violations[:5]:
        lines += ["", "  error: " + message.replace("\n", "\n    ")]
    if len(o.violations) > 5:
        lines.append(f"  ... and {len(o.violations) - 5} more kinds of error (see --json)")
    return "\n".join(lines) + "\n"


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _observed(v: Verdict) -> str:
    if v.budget.metric == "cost":
        return f"{v.observed:g} {v.budget.unit}"
    if v.budget.metric == "latency":
        return f"{v.observed:.1f} ms"
    if v.budget.metric == "error_rate":
        return f"{v.observed * 100:.2f}%"
    return f"{v.observed:.1f}/s"


# ---- JSON ------------------------------------------------------------------------------------------------


def as_json(r: Results) -> dict:
    o = r.outcome
    return {"spec": r.spec, "target": r.target, "rate_per_s": r.rate, "duration_s": r.duration,
            "elapsed_s": round(o.seconds, 6), "interrupted": o.interrupted, "sessions": o.sessions,
            "unfinished": o.unfinished, "unsent": o.unsent, "percentile_method": METHOD,
            "samples_needed": {s: samples_needed(s) for s in STATS},
            "latency_from": "the scheduled send time (open loop: no coordinated omission)",
            "actions": r.actions, "overall": r.overall, "throughput_per_s": r.throughput,
            "error_rate": r.error_rate, "errors": r.errors, "state_violations": o.state_violations,
            "setup_failures": o.setup_failures, "violations": o.violations,
            "budgets": [v.as_json() for v in r.verdicts], "exit_code": r.exit_code}


def dumps(r: Results) -> str:
    return json.dumps(as_json(r), indent=2, sort_keys=False) + "\n"


# ---- HTML with an SVG plot ------------------------------------------------------------------------------------

W, H, LEFT, BOTTOM, TOP, RIGHT = 900, 360, 64, 40, 16, 160


def svg_plot(r: Results) -> str:
    """Each call's latency (y, ms) against its scheduled time (x, s), one colour per action, with each
    latency budget's bound as a dashed line."""
    calls = r.outcome.calls
    names = sorted({c.action for c in calls})
    colour = {n: COLORS[i % len(COLORS)] for i, n in enumerate(names)}
    bounds = [(v.budget, float(v.budget.bound)) for v in r.verdicts if v.budget.metric == "latency"]
    ymax = max([c.latency * 1000 for c in calls] + [b for _, b in bounds] + [1.0]) * 1.05
    xmax = max(r.duration, r.outcome.seconds, 1e-9)
    stride = max(1, -(-len(calls) // PLOT_POINTS))

    def x(t: float) -> float:
        return LEFT + t / xmax * (W - LEFT - RIGHT)

    def y(ms: float) -> float:
        return H - BOTTOM - ms / ymax * (H - BOTTOM - TOP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           'font-family="sans-serif" font-size="11">',
           f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" '
           'stroke="#999"/>']
    for ms in _ticks(ymax):
        out.append(f'<text x="{LEFT - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g}</text>')
    for t in _ticks(xmax):
        out.append(f'<text x="{x(t):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{t:g}</text>')
    out.append(f'<text x="{(W - RIGHT + LEFT) / 2}" y="{H - 6}" text-anchor="middle">scheduled time (s)</text>')
    out.append(f'<text x="14" y="{(H - BOTTOM + TOP) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(H - BOTTOM + TOP) / 2})">latency (ms)</text>')
    for budget, bound in bounds:
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(bound):.1f}" y2="{y(bound):.1f}" stroke="#555" '
                   f'stroke-dasharray="5,4"><title>{html.escape(budget.text)}</title></line>')
    for n in names:
        mine = [c for c in calls if c.action == n][::stride]
        dots = "".join(f'<circle cx="{x(c.scheduled):.1f}" cy="{y(c.latency * 1000):.1f}" r="1.8"'
                       + (' stroke="black"' if c.outcome == "violation" else "") + "/>" for c in mine)
        out.append(f'<g fill="{colour[n]}" fill-opacity="0.6">{dots}</g>')
    for i, n in enumerate(names):
        out.append(f'<rect x="{W - RIGHT + 12}" y="{TOP + 14 * i}" width="10" height="10" fill="{colour[n]}"/>'
                   f'<text x="{W - RIGHT + 26}" y="{TOP + 14 * i + 9}">{html.escape(n)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _ticks(top: float, most: int = 6) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) from 0 up to `top`, at most `most` + 1 of them."""
    import math

    step = 10 ** math.floor(math.log10(top / most)) if top > 0 else 1
    for k in (1, 2, 5, 10):
        if top / (step * k) <= most:
            step *= k
            break
    return [round(i * step, 10) for i in range(int(top // step) + 1)]


def html_page(r: Results) -> str:
    e = html.escape
    verdicts = "".join(f"<tr><td>{e(v.budget.level)}</td><td class='{v.status}'>{e(v.status)}</td>"
                       f"<td><code>{e(v.budget.text)}</code></td><td>{e(_observed(v)) if v.observed is not None else ''}"
                       f"</td><td>{e(v.reason)}</td></tr>" for v in r.verdicts)
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>specforge load: {e(r.spec)}</title>\n"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
            ".met{color:#070}.broken{color:#b00;font-weight:bold}.unjudged{color:#a60}"
            "pre{background:#f6f6f6;padding:1em}</style></head><body>\n"
            f"<h1>Load on {e(r.target)}</h1>\n<p>Spec <code>{e(r.spec)}</code>; offered {r.rate:g}/s for "
            f"{r.duration:g} s, open loop; latency from each call's scheduled time; percentiles {e(METHOD)}.</p>\n"
            f"{svg_plot(r)}\n<h2>Budgets</h2>\n<table><tr><th>level</th><th>verdict</th><th>budget</th>"
            f"<th>observed</th><th>basis</th></tr>{verdicts}</table>\n<h2>Calls</h2>\n<pre>{e(table(r))}</pre>\n"
            "</body></html>\n")
