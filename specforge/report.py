"""The renderers of a proof report: text for people, JSON, SARIF 2.1.0 and JUnit XML for tools,
Markdown for a pull-request comment.

All five read one `ProofReport` (specforge/prove/result.py) and none imports z3.
Text, SARIF and JUnit print a run's values through `values.show` (maps of more
than SHOWN_ENTRIES entries abbreviated, saying how many are left out); JSON
carries every run whole, in typed JSON (`Run.to_json`).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

from . import __version__
from .prove.result import ProofReport, Verdict
from .run import REPORT_VERSION, Run

LEVEL_SEVERITY = {"MUST": "error", "SHOULD": "warning", "MAY": "note"}
_MARK = {Verdict.PROVED: "proved", Verdict.VIOLATED: "VIOLATED", Verdict.UNKNOWN: "unknown"}
SHOWN_ENTRIES = 20  # a printed map shows this many entries, then how many more it has


def escape(text: str) -> str:
    """Text for XML or HTML content: `&`, `<` and `>` escaped (xml.sax.saxutils would do the same, and
    import urllib.request and http.client for it, a sixth of the renderers' start-up)."""
    return html.escape(text, quote=False)


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, line breaks and tabs kept (a parser folds them to spaces)."""
    value = html.escape(text, quote=True)
    return '"' + value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


# ---- text --------------------------------------------------------------------------------------------


def text(reports: list[ProofReport]) -> str:
    out: list[str] = []
    for r in reports:
        out.append(f"{r.file}: spec {r.spec}")
        width = max((len(i.id) for i in r.invariants), default=2)
        for i in r.invariants:
            how = ""
            if i.verdict is Verdict.PROVED:
                how = {"inductive": "", "inductive with others": f" (with {', '.join(i.supported_by)})",
                       "inferred": f" (with {', '.join(i.supported_by)})",
                       "strengthened": " (strengthened)", "exhaustive": f" ({i.reason})"}.get(i.method or "", "")
            elif i.reason:
                how = f" ({i.reason})"
            out.append(f"  {i.id:<{width}}  {i.level:<6}  {_MARK[i.verdict]:<8}  {i.time_ms:>6} ms{how}")
        for i in r.invariants:
            if i.run:
                out.append("")
                out.append(f"{r.file}:{i.line}: {i.id} is violated {_after(i.run)}{_world(i.run)}:")
                out.extend("  " + line for line in trace_table(i.run))
            elif i.strengthening:
                out.append("")
                out.append(f"{r.file}:{i.line}: {i.id} is proved with the inferred supporting invariant:")
                out.append(f"  invariant {i.id}-SUPPORT: {i.strengthening}")
            elif i.verdict is Verdict.UNKNOWN and i.counterexample:
                c = i.counterexample
                out.append("")
                out.append(f"{r.file}:{i.line}: {i.id} is unknown: {i.reason}.")
                out.append(f"  A state satisfying every invariant from which `{c.show_call(0, SHOWN_ENTRIES)}` breaks "
                           f"it (it may be unreachable; an invariant ruling it out would settle the proof){_world(c)}:")
                out.extend("  " + line for line in _table(
                    ["", "before", "after"],
                    [[k, c.show_value(0, k, SHOWN_ENTRIES), c.show_value(1, k, SHOWN_ENTRIES)] for k in c.states[0]]))
        if r.inferred:
            out.append("")
            out.append(f"{r.file}: proved with {_count(len(r.inferred), 'inferred supporting invariant')} "
                       "(paste them into the spec to keep them; --write-support FILE writes them):")
            for inv in r.inferred:
                out.extend("  " + line for line in inv.declaration().splitlines())
        if r.findings:
            out.append("")
            for f in r.findings:
                out.append(f"{r.file}:{f.line}: {f.severity}: {f.message}")
        proved = sum(1 for i in r.invariants if i.verdict is Verdict.PROVED)
        out.append("")
        out.append(f"{proved} of {len(r.invariants)} proved in {r.time_ms} ms"
                   + (f"; {len(r.must_fails)} MUST invariant(s) not proved" if r.must_fails else ""))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _world(run: Run) -> str:
    return f", with {run.show_sets()}" if run.sets else ""


def _after(run: Run) -> str:
    return "in the initial state" if not run.steps else f"after {run.steps} step{'s' if run.steps > 1 else ''}"


def trace_table(run: Run) -> list[str]:
    """One row per state: the call that led to it, then every state variable's value."""
    variables = [path for path, _ in run.types.leaves]
    headers = ["step", "action", *variables]
    rows = [[str(i), "init" if i == 0 else run.show_call(i - 1, SHOWN_ENTRIES),
             *[run.show_value(i, v, SHOWN_ENTRIES) for v in variables]] for i in range(len(run.states))]
    return _table(headers, rows)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


# ---- Markdown (a pull-request comment) ---------------------------------------------------------------


def markdown(reports: list[ProofReport]) -> str:
    """A summary for a pull request: one row per invariant; each run that breaks one folded away."""
    rows = [(r, i) for r in reports for i in r.invariants]
    proved = sum(1 for _, i in rows if i.verdict is Verdict.PROVED)
    fails = sum(len(r.must_fails) for r in reports)
    out = [f"### specforge prove: {'every MUST invariant is proved' if not fails else f'{fails} MUST invariant(s) not proved'}",
           "", f"{proved} of {len(rows)} proved.", "",
           "| spec | invariant | level | verdict | detail |", "| --- | --- | --- | --- | --- |"]
    out += [f"| `{_cell(r.file)}:{i.line}` | {_cell(i.id)} | {i.level} | {_MARK[i.verdict]} | {_cell(i.reason or '')} |"
            for r, i in rows]
    for r, i in rows:
        if i.run is not None and i.verdict is Verdict.VIOLATED:
            out += ["", f"<details><summary>{escape(f'{r.file}:{i.line}: {i.id} is violated {_after(i.run)}')}"
                        "</summary>", "", "```text", *trace_table(i.run), "```", "", "</details>"]
    findings = [f"- `{_cell(r.file)}:{f.line}` {f.severity}: {_cell(f.message)}" for r in reports for f in r.findings]
    if findings:
        out += ["", *findings]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell (and in code spans): no pipe, backtick or line break."""
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


# ---- JSON ---------------------------------------------------------------------------------------------


def to_json(reports: list[ProofReport]) -> str:
    docs = [r.to_json() for r in reports]
    return indented_json(docs[0] if len(docs) == 1 else {"version": REPORT_VERSION, "specs": docs}) + "\n"


def indented_json(obj) -> str:
    """`json.dumps(obj, indent=2, ensure_ascii=False)`, character for character, in about half the time.

    With an indent the standard library encodes in Python, one generator step per value; a report of a
    spec with 500 invariants and 24 actions is 1.5 MB of JSON, and its encoding took as long as a tenth
    of proving it with two workers. Here a scalar, the most common value, is one C call (strings through
    json's own C quoting) and each line one string. Only what the reports hold: dicts, lists, tuples,
    strings, numbers, booleans and None (anything else is the same TypeError json raises)."""
    parts: list[str] = []
    add = parts.append

    def value(o, pad: str) -> None:
        text = _json_scalar(o)
        if text is not None:
            add(text)
        elif isinstance(o, dict):
            if not o:
                add("{}")
                return
            inner = pad + "  "
            add("{\n" + inner)
            for i, (k, v) in enumerate(o.items()):
                if i:
                    add(",\n" + inner)
                add(_json_key(k) + ": ")
                value(v, inner)
            add("\n" + pad + "}")
        elif isinstance(o, (list, tuple)):
            if not o:
                add("[]")
                return
            inner = pad + "  "
            add("[\n" + inner)
            for i, v in enumerate(o):
                if i:
                    add(",\n" + inner)
                value(v, inner)
            add("\n" + pad + "]")
        else:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    value(obj, "")
    return "".join(parts)


def _json_scalar(o) -> str | None:
    """A scalar's JSON text as json.dumps writes it, or None for a container."""
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, str):
        return _quote(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return json.dumps(o)  # NaN and the infinities as json writes them
    return None


def _json_key(k) -> str:
    """A dict key as json.dumps writes it: strings quoted, numbers, booleans and None as their text."""
    if isinstance(k, str):
        return _quote(k)
    text = _json_scalar(k)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")
    return _quote(text)


_quote = json.encoder.encode_basestring  # the C quoting json.dumps(ensure_ascii=False) uses


# ---- SARIF 2.1.0 ------------------------------------------------------------------------------------------


def sarif(reports: list[ProofReport]) -> str:
    rules, results, seen = [], [], {}
    for r in reports:
        for i in r.invariants:
            rule_id = f"{r.spec}/{i.id}"
            if rule_id not in seen:
                seen[rule_id] = len(rules)
                rules.append({
                    "id": rule_id,
                    "name": i.id,
                    "shortDescription": {"text": i.description or f"invariant {i.id}"},
                    "defaultConfiguration": {"level": LEVEL_SEVERITY[i.level]},
                    "properties": {"level": i.level, "kind": i.kind},
                })
            if i.verdict is Verdict.PROVED:
                continue
            message = f"{i.id} ({i.level}) is {i.verdict.value}"
            if i.reason:
                message += f": {i.reason}"
            if i.run:
                message += "\n" + "\n".join(trace_table(i.run))
            results.append({
                "ruleId": rule_id,
                "ruleIndex": seen[rule_id],
                "level": LEVEL_SEVERITY[i.level],
                "message": {"text": message},
                "locations": [_location(r.file, i.line)],
                "properties": {"verdict": i.verdict.value},
            })
        for f in r.findings:
            results.append({
                "ruleId": f"specforge/{f.kind}",
                "level": f.severity if f.severity in ("error", "warning", "note") else "warning",
                "message": {"text": f.message},
                "locations": [_location(r.file, f.line)],
            })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "specforge", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }
    return indented_json(doc) + "\n"


def _uri(file: str) -> str:
    """A relative URI when the file is under the working directory (what code scanning maps to
    the repository), else a file: URI; always percent-encoded."""
    path = Path(file)
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
        return quote(relative.as_posix())
    except (ValueError, OSError):
        return path.resolve().as_uri()


def _location(file: str, line: int) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(file)}, "region": {"startLine": max(line, 1)}}}


# ---- JUnit XML -------------------------------------------------------------------------------------------------


def junit(reports: list[ProofReport]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = sum(len(r.invariants) for r in reports)
    failures = sum(1 for r in reports for i in r.invariants if i.verdict is not Verdict.PROVED)
    out.append(f'<testsuites name="specforge prove" tests="{total}" failures="{failures}">')
    for r in reports:
        fails = sum(1 for i in r.invariants if i.verdict is not Verdict.PROVED)
        out.append(f'  <testsuite name={quoteattr(r.spec)} tests="{len(r.invariants)}" failures="{fails}" '
                   f'time="{r.time_ms / 1000:.3f}" file={quoteattr(r.file)}>')
        for i in r.invariants:
            attrs = (f'name={quoteattr(f"{i.id} ({i.level})")} classname={quoteattr(r.spec)} '
                     f'file={quoteattr(r.file)} line="{i.line}" time="{i.time_ms / 1000:.3f}"')
            if i.verdict is Verdict.PROVED:
                out.append(f"    <testcase {attrs}/>")
                continue
            body = i.reason or i.verdict.value
            if i.run:
                body += "\n" + "\n".join(trace_table(i.run))
            out.append(f"    <testcase {attrs}>")
            out.append(f'      <failure message={quoteattr(f"{i.id} is {i.verdict.value}")} '
                       f'type="{i.verdict.value}">{escape(body)}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


RENDERERS = {"text": text, "json": to_json, "sarif": sarif, "junit": junit, "markdown": markdown}
