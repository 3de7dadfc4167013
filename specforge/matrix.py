"""The traceability matrix: each requirement of a spec and its evidence, in one table.

For every invariant (ID, level, text): the proof verdict and what it was proved with, how many steps of
the generated property test checked it, and the TLA+ definition that states it. For every action and
failure mode: how often the property test made it succeed or made its guard refuse, the implementation's
method or exception class (file and line), and the TLA+ action. Each column has a coverage percentage,
and what no evidence covers is named. The counts come from a real run of the property test.
"""

from __future__ import annotations

import html
import inspect
import json
import re
import sys
import unittest
from dataclasses import dataclass, field

from . import ir


@dataclass
class Usage:
    """What one run of the property test exercised, summed over its runs."""

    runs: int = 0
    steps: int = 0
    successes: dict[str, int] = field(default_factory=dict)  # action -> calls that succeeded
    refusals: dict[tuple[str, int], int] = field(default_factory=dict)  # (action, guard index) -> refusals
    failure: str | None = None  # the test failed: its message, first line


@dataclass
class Row:
    kind: str  # "invariant", "action", "failure mode"
    id: str
    level: str | None
    text: str
    line: int
    proof: str | None = None  # invariants: verdict and method
    tested: int = 0  # invariants: steps that checked it; actions: successes; failure modes: refusals
    code: str | None = None  # the implementation: `file:line` of the method or exception class
    tla: str | None = None  # the TLA+ definition: `Module.tla:line Name`


@dataclass
class Matrix:
    spec: str
    impl: str | None
    rows: list[Row]
    usage: Usage

    def columns(self) -> dict[str, tuple[int, int, list[str]]]:
        """Per evidence column: (covered, total, uncovered ids)."""
        out = {}
        checks = {
            "proof": lambda r: r.kind == "invariant" and r.proof is not None and r.proof.startswith("proved"),
            "test": lambda r: r.tested > 0,
            "code": lambda r: r.code is not None,
            "tla": lambda r: r.tla is not None,
        }
        for name, ok in checks.items():
            rows = [r for r in self.rows if name != "proof" or r.kind == "invariant"]
            if name == "code":
                rows = [r for r in rows if r.kind != "invariant"]
            missing = [r.id for r in rows if not ok(r)]
            out[name] = (len(rows) - len(missing), len(rows), missing)
        return out

    def to_json(self) -> dict:
        return {"format": 1, "spec": self.spec, "impl": self.impl,
                "usage": {"runs": self.usage.runs, "steps": self.usage.steps, "failure": self.usage.failure},
                "rows": [r.__dict__ for r in self.rows],
                "coverage": {k: {"covered": c, "total": t, "uncovered": m} for k, (c, t, m) in self.columns().items()}}


# ---- gathering the evidence --------------------------------------------------------------------------------


def usage(source: str, path: str, factory, examples: int = 100, steps: int = 50) -> Usage:
    """Run the generated property test of `factory` against the spec and count what it exercised."""
    from hypothesis import settings

    from .testing import PHASES
    from .testing.generate import machine_class

    totals = Usage()
    base = machine_class(source, factory, path)

    class Counting(base):
        def teardown(self):
            runner = getattr(self, "runner", None)
            # the first `examples` runs only: hypothesis may make one more, and the counts stay reproducible
            if runner is not None and totals.runs < examples:
                totals.runs += 1
                totals.steps += len(runner.history)
                for a, n in runner.successes.items():
                    totals.successes[a] = totals.successes.get(a, 0) + n
                for key, n in runner.failures.items():
                    totals.refusals[key] = totals.refusals.get(key, 0) + n
            super().teardown()

    case = Counting.TestCase
    case.settings = settings(max_examples=examples, stateful_step_count=steps, deadline=None, phases=PHASES,
                             derandomize=True, database=None)
    result = unittest.TestResult()
    case("runTest").run(result)
    problems = result.failures + result.errors
    if problems:
        totals.failure = str(problems[0][1]).strip().splitlines()[-1][:300]
    return totals


def _where(obj) -> str | None:
    try:
        file = inspect.getsourcefile(obj)
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return None
    return f"{_relative(file)}:{line}" if file else None


def _relative(file: str) -> str:
    import os

    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def _exception_class(factory, name: str):
    cls = factory if inspect.isclass(factory) else None
    modules = [sys.modules.get(c.__module__) for c in (cls.__mro__ if cls else ())] + \
        [sys.modules.get(getattr(factory, "__module__", ""))]
    seen = set()
    todo = [m for m in modules if m is not None]
    for depth in range(2):
        nxt = []
        for mod in todo:
            if mod.__name__ in seen:
                continue
            seen.add(mod.__name__)
            for value in vars(mod).values():
                if inspect.isclass(value) and issubclass(value, BaseException):
                    for c in value.__mro__:
                        if c.__name__ == name:
                            return c
                if inspect.ismodule(value) and depth == 0:
                    nxt.append(value)
        todo = nxt
    return None


_DEFINITION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?\s*==", re.M)


def _tla_definitions(spec: ir.Spec) -> tuple[str, dict[str, int]]:
    from .tla import export_tla

    x = export_tla(spec)
    lines = {}
    for m in _DEFINITION.finditer(x.tla):
        lines.setdefault(m.group(1), x.tla.count("\n", 0, m.start()) + 1)
    return f"{x.module}.tla", lines


def _tla_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def build(spec: ir.Spec, source: str, path: str, factory=None, impl: str | None = None, examples: int = 100,
          steps: int = 50) -> Matrix:
    from .prove import prove

    lines = source.splitlines()
    report = {r.id: r for r in prove(spec).invariants}
    module, defs = _tla_definitions(spec)
    used = usage(source, path, factory, examples, steps) if factory is not None else Usage()
    rows = []
    for inv in spec.invariants:
        r = report.get(inv.id)
        proof = None
        if r is not None:
            proof = r.verdict.value + (f" ({r.method})" if r.method else "") + \
                (f" with {', '.join(r.supported_by)}" if r.supported_by else "")
        name = "Inv_" + _tla_name(inv.id)
        rows.append(Row("invariant", inv.id, inv.level.value, inv.description or _line(lines, inv.span.line),
                        inv.span.line, proof, used.steps + used.runs if factory is not None else 0, None,
                        f"{module}:{defs[name]} {name}" if name in defs else None))
    for a in spec.actions:
        method = getattr(factory, a.name, None) if factory is not None else None
        tla = f"{module}:{defs[a.name]} {a.name}" if a.name in defs else None
        rows.append(Row("action", a.name, None, _line(lines, a.span.line), a.span.line, None,
                        used.successes.get(a.name, 0), _where(method) if method is not None else None, tla))
        for i, g in enumerate(a.guards):
            if not g.error:
                continue
            exc = _exception_class(factory, g.error) if factory is not None else None
            rows.append(Row("failure mode", f"{a.name}.{g.error}", None, _line(lines, g.span.line), g.span.line,
                            None, used.refusals.get((a.name, i), 0), _where(exc) if exc is not None else None, tla))
    return Matrix(spec.name, impl, rows, used)


def _line(lines: list[str], n: int) -> str:
    return lines[n - 1].strip() if 0 < n <= len(lines) else ""


# ---- rendering -----------------------------------------------------------------------------------------------


def _percent(covered: int, total: int) -> str:
    return f"{100 * covered // total}%" if total else "–"


def _without_support(proof: str) -> str:
    """`proved (inductive with others) with TIX-2` as `proved (inductive)`: which other invariants a
    proof used, and so whether it needed any, is z3's choice of unsat core."""
    head = proof.split(" with ")[0]
    return head + ")" if head.count("(") > head.count(")") else head


def markdown(m: Matrix, counts: bool = True) -> str:
    """The matrix in Markdown; `counts=False` leaves out what the property test's run counted and which
    other invariants a proof used (for a comparison that must depend neither on the draws nor on which
    unsat core z3 returns)."""
    cov = m.columns()
    n = (lambda k: str(k)) if counts else (lambda k: "·")
    out = [f"# Traceability: {m.spec}", ""]
    if m.impl:
        runs = f"{m.usage.runs} runs, {m.usage.steps} steps" if counts else "run"
        out.append(f"Implementation `{m.impl}`; property test: {runs}"
                   + (f"; **it failed**: {m.usage.failure}" if m.usage.failure else "") + ".")
        out.append("")
    out += ["| Evidence | Coverage | Uncovered |", "| --- | ---: | --- |"]
    for name, label in (("proof", "proved"), ("test", "exercised by the property test"),
                        ("code", "found in the implementation"), ("tla", "stated in TLA+")):
        if name == "test" and not counts:
            continue
        c, t, missing = cov[name]
        out.append(f"| {label} | {_percent(c, t)} ({c}/{t}) | {', '.join(f'`{x}`' for x in missing) or 'none'} |")
    out += ["", "## Requirements", "", "| ID | Level | Text | Proof | Checked in steps | TLA+ |",
            "| --- | --- | --- | --- | ---: | --- |"]
    for r in (r for r in m.rows if r.kind == "invariant"):
        proof = (r.proof or "–") if counts else _without_support(r.proof or "–")
        out.append(f"| `{r.id}` | {r.level} | {_md(r.text)} | {proof} | {n(r.tested)} | {r.tla or '–'} |")
    out += ["", "## Behaviour", "", "| Action / failure mode | Line | Exercised | Implementation | TLA+ |",
            "| --- | ---: | ---: | --- | --- |"]
    for r in (r for r in m.rows if r.kind != "invariant"):
        out.append(f"| `{r.id}` | {r.line} | {n(r.tested)} | {r.code or '–'} | {r.tla or '–'} |")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def page(m: Matrix) -> str:
    """A self-contained HTML page (no script, no external file)."""
    e = html.escape
    cov = m.columns()
    head = ("<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
            "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}"
            ".none{color:#b00}.ok{color:#070}</style>")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Traceability: {e(m.spec)}</title>{head}"
             f"</head><body><h1>Traceability: {e(m.spec)}</h1>"]
    if m.impl:
        parts.append(f"<p>Implementation <code>{e(m.impl)}</code>; property test: {m.usage.runs} runs, "
                     f"{m.usage.steps} steps{('; it failed: ' + e(m.usage.failure)) if m.usage.failure else ''}.</p>")
    parts.append("<h2>Coverage</h2><table id='coverage'><tr><th>Evidence</th><th>Coverage</th><th>Uncovered</th></tr>")
    for name, label in (("proof", "proved"), ("test", "exercised by the property test"),
                        ("code", "found in the implementation"), ("tla", "stated in TLA+")):
        c, t, missing = cov[name]
        cls = "ok" if not missing else "none"
        parts.append(f"<tr><td>{label}</td><td class='{cls}'>{_percent(c, t)} ({c}/{t})</td>"
                     f"<td>{e(', '.join(missing)) or 'none'}</td></tr>")
    parts.append("</table><h2>Requirements</h2><table id='requirements'><tr><th>ID</th><th>Level</th><th>Text</th>"
                 "<th>Proof</th><th>Checked in steps</th><th>TLA+</th></tr>")
    for r in (r for r in m.rows if r.kind == "invariant"):
        parts.append(f"<tr><td>{e(r.id)}</td><td>{e(r.level or '')}</td><td>{e(r.text)}</td><td>{e(r.proof or '–')}"
                     f"</td><td>{r.tested}</td><td>{e(r.tla or '–')}</td></tr>")
    parts.append("</table><h2>Behaviour</h2><table id='behaviour'><tr><th>Action / failure mode</th><th>Line</th>"
                 "<th>Exercised</th><th>Implementation</th><th>TLA+</th></tr>")
    for r in (r for r in m.rows if r.kind != "invariant"):
        cls = "" if r.tested else " class='none'"
        parts.append(f"<tr><td>{e(r.id)}</td><td>{r.line}</td><td{cls}>{r.tested}</td><td>{e(r.code or '–')}</td>"
                     f"<td>{e(r.tla or '–')}</td></tr>")
    parts.append("</table></body></html>\n")
    return "".join(parts)


def as_json(m: Matrix) -> str:
    return json.dumps(m.to_json(), indent=2)


__all__ = ["Matrix", "Row", "Usage", "as_json", "build", "markdown", "page", "usage"]
