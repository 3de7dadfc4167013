"""Prove from the editor: the whole spec, inside the server process, within a wall-clock limit.

Invariants are proved together (one may be inductive only with another), so
the command proves the spec and reports the invariant asked for. The limit
holds for the run as a whole: every solver made is given only the time left,
the run stops at the next stage once the deadline has passed, and from the
deadline on z3 is interrupted every 50 ms, so a check under way (on a solver
made earlier, with more time) ends too. An interrupted check answers
unknown, which never counts as a proof: a run cut short gives "unknown: the
time limit ran out", never a partial "proved".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from .. import ir

# z3's default context is shared by the whole process: one proof at a time
_LOCK = threading.Lock()


class TimeLimit(Exception):
    pass


class _Interrupter:
    """From the deadline until the run ends, interrupts z3 every 50 ms (z3 then answers unknown)."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.fired = False

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        if self.fired:
            import z3

            # an interruption that lands between two checks stays set in z3's context: until the next check,
            # z3.simplify returns its input unchanged, and the encoder relies on it (a range's constant bounds,
            # the `defined:` sites). A check clears it, so that the server's next proof starts clean.
            z3.Solver().check()

    def _run(self) -> None:
        import z3

        if self._stop.wait(max(0.0, self.deadline - time.monotonic())):
            return
        self.fired = True
        while True:
            z3.main_ctx().interrupt()
            if self._stop.wait(0.05):
                return


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
            # the prover's own overall budget sets `deadline`; every solver then gets the time left
            super().__init__(spec, depth, limit, progress=self._on_progress, cache=cache, time_budget=limit)

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
    out_of_time = Outcome(invariant_id, "unknown", f"the time limit of {limit:g} s ran out", 0)
    with _LOCK, open_cache(use_cache) as cache:
        prover = _bounded_prover()(spec, depth, limit, cache)
        try:
            with _Interrupter(prover.deadline):
                report = prover.run()
        except TimeLimit:
            return replace(out_of_time, time_ms=int((time.perf_counter() - started) * 1000))
    result = next(r for r in report.invariants if r.id == invariant_id)
    if result.verdict.value == "unknown" and time.monotonic() > prover.deadline:
        return replace(out_of_time, time_ms=report.time_ms)  # the interruption, not the problem, is the reason
    from .verdicts import detail_of

    detail = detail_of({"verdict": result.verdict.value, "method": result.method, "reason": result.reason,
                        "supported_by": result.supported_by})
    return Outcome(invariant_id, result.verdict.value, detail, report.time_ms)
