"""Prove from the editor: the whole spec, inside the server process, within a wall-clock limit.

Invariants are proved together (one may be inductive only with another), so
the command proves the spec and reports the invariant asked for. Every
solver call is given only the time left before the deadline, and the run
stops at the first call after it, so the limit holds to within one call's
start-up. A run cut short gives no verdict at all (never a partial
"proved"): the editor shows "unknown: the time limit ran out".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .. import ir

# z3's default context is shared by the whole process: one proof at a time
_LOCK = threading.Lock()


class TimeLimit(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    id: str
    verdict: str  # proved / violated / unknown
    detail: str
    time_ms: int

    def to_json(self) -> dict:
        return {"id": self.id, "verdict": self.verdict, "detail": self.detail, "time_ms": self.time_ms}

    @property
    def message(self) -> str:
        return f"{self.id}: {self.verdict}" + (f" ({self.detail})" if self.detail else "")


def _bounded_prover():
    from ..prove.engine import Prover

    class BoundedProver(Prover):
        """A Prover whose every solver call gets only the time left before the deadline."""

        def __init__(self, spec: ir.Spec, depth: int, limit: float, cache):
            self.deadline = time.monotonic() + limit
            super().__init__(spec, depth, limit, progress=self._on_progress, cache=cache)

        @property
        def timeout_ms(self) -> int:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeLimit
            return max(1, int(left * 1000))

        @timeout_ms.setter
        def timeout_ms(self, value: int) -> None:
            pass  # the base class sets its fixed per-call timeout; here it is always the time left

        def _on_progress(self, message: str) -> None:
            if time.monotonic() > self.deadline:
                raise TimeLimit

    return BoundedProver


def prove_invariant(spec: ir.Spec, invariant_id: str, limit: float, depth: int = 10,
                    use_cache: bool = True) -> Outcome:
    """Prove the spec within `limit` seconds and give the verdict of one invariant (recorded in the cache)."""
    from ..prove.cache import open_cache

    started = time.perf_counter()
    with _LOCK, open_cache(use_cache) as cache:
        try:
            report = _bounded_prover()(spec, depth, limit, cache).run()
        except TimeLimit:
            return Outcome(invariant_id, "unknown", f"the time limit of {limit:g} s ran out",
                           int((time.perf_counter() - started) * 1000))
    result = next(r for r in report.invariants if r.id == invariant_id)
    from .verdicts import detail_of

    detail = detail_of({"verdict": result.verdict.value, "method": result.method, "reason": result.reason,
                      "supported_by": result.supported_by})
    return Outcome(invariant_id, result.verdict.value, detail, report.time_ms)
