"""An invariant's last verdict, for hover: from the prove cache, else from a report file.

The cache keeps the verdicts of the last `specforge prove` (or editor prove)
of exactly this spec, positions aside, so what it says is about the text on
screen. A `prove --format json` report is a weaker source: it names the spec
and its file but not their text, so its verdict is shown with the report's
name and time, for the reader to judge.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .. import ir


@dataclass(frozen=True)
class LastVerdict:
    verdict: str  # proved / violated / unknown
    detail: str  # "with BANK-2", "violated after 1 step", a reason; may be empty
    source: str  # where it was read from, for the reader


def from_cache(spec: ir.Spec) -> dict[str, LastVerdict]:
    """Every recorded verdict of this spec's last proof (empty when it was never proved)."""
    from ..prove.cache import Cache, verdicts_key

    cache = Cache()
    try:
        entry = cache.get(verdicts_key(spec))
    finally:
        cache.close()
    if not entry:
        return {}
    return {tid: LastVerdict(v["verdict"], detail_of(v), f"the prove cache (depth {entry['depth']})")
            for tid, v in entry["verdicts"].items()}


def report_candidates(spec_path: Path, configured: list[str], root: Path | None) -> list[Path]:
    """The report files looked at: those the editor configures (relative to the workspace), then
    `NAME.prove.json` next to the spec."""
    out = [Path(p) if os.path.isabs(p) or root is None else root / p for p in configured]
    out.append(spec_path.with_suffix(".prove.json"))
    return out


def from_reports(spec_name: str, spec_path: Path, candidates: list[Path]) -> dict[str, LastVerdict]:
    """The verdicts a `prove --format json` report gives for this spec (the first report that has it)."""
    for path in candidates:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            written = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        except (OSError, ValueError):
            continue
        docs = doc.get("specs", [doc]) if isinstance(doc, dict) else []
        for report in docs:
            if not isinstance(report, dict) or report.get("spec") != spec_name:
                continue
            if Path(str(report.get("file", ""))).name != spec_path.name:
                continue
            return {r["id"]: LastVerdict(r["verdict"], detail_of(r), f"{path.name}, written {written}")
                    for r in report.get("invariants", []) if isinstance(r, dict) and "id" in r and "verdict" in r}
    return {}


def detail_of(v: dict) -> str:
    if v.get("verdict") == "proved":
        support = v.get("supported_by") or []
        if v.get("method") == "strengthened":
            return "with an inferred supporting invariant"
        return f"with {', '.join(support)}" if support else ""
    return v.get("reason") or ""


def describe(found: LastVerdict | None) -> str:
    """One line for the hover."""
    if found is None:
        return "last verdict: not yet proved"
    detail = f" ({found.detail})" if found.detail else ""
    return f"last verdict: **{found.verdict}**{detail}, from {found.source}"
