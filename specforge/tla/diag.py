"""The exporter's diagnostics (codes SF32x, registered in specforge/diagnostics.py)."""

from __future__ import annotations

from ..diagnostics import CODE_TABLE, Diagnostic, Severity

__all__ = ["CODE_TABLE", "Diagnostic", "Severity", "diagnostic"]

CANNOT_EXPRESS = "SF320"  # construct the TLA+ exporter cannot express (error)
TLC_INT_RANGE = "SF321"  # integer outside TLC's range (warning)
TRACE_MISMATCH = "SF322"  # a trace that does not fit the spec (error)
MODEL_TOO_LARGE = "SF325"  # an action with more argument combinations per state than TLC can take (warning)


def diagnostic(severity: Severity, code: str, message: str, file: str, span=None,
               hint: str | None = None) -> Diagnostic:
    return Diagnostic.make(severity, code, message, file, span, hint if hint is not None else CODE_TABLE[code][1])
