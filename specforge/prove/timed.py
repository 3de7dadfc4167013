"""Solvers that keep to a deadline, check by check.

A solver is often made long before its last check (the bounded search asks one solver at every depth),
so a time limit fixed when it is made lets a late check run past the run's deadline. A `TimedSolver`
gives each check at most the time left before its deadline, and makes no check at all when less than
`MIN_CHECK_MS` is left: it answers `unknown` at once, with `timeout` as the reason, as z3 would.

A check given a millisecond or two is all cancellation: z3 is stopped from another thread while it
is still preparing the query. That answers nothing, and it is the path through z3 least exercised by
anyone: cancellation inside z3 has left a context in a state that crashed a later call (z3's issue
tracker has several such reports; this project's CI stopped once with a segmentation fault inside a
bounded-search check of the kind that got 1 ms, though whether that check's time had run out is not known).
"""

from __future__ import annotations

import time

import z3

MIN_CHECK_MS = 25  # a check that would get less time than this is not made: `unknown` (timeout)


def time_left_ms(deadline: float | None, cap_ms: int) -> int | None:
    """The time a check may take: `cap_ms`, or what is left before `deadline` if that is less; None
    when that is under MIN_CHECK_MS (the check is not worth making)."""
    if deadline is None:
        return cap_ms
    left = int((deadline - time.monotonic()) * 1000)
    if left < MIN_CHECK_MS:
        return None
    return min(cap_ms, left)


class TimedSolver(z3.Solver):
    """A z3 solver whose checks end by `deadline` (a `time.monotonic()` value, or None for no deadline);
    `set("timeout", ms)` is each check's own limit, as on any solver."""

    def __init__(self, deadline: float | None, timeout_ms: int):
        super().__init__()
        self.deadline = deadline
        self._cap = timeout_ms
        self._applied: int | None = None
        self._starved = False
        self._apply(timeout_ms)

    def _apply(self, ms: int) -> None:
        if ms != self._applied:
            super().set("timeout", ms)
            self._applied = ms

    def set(self, *args, **keys) -> None:
        if len(args) == 2 and args[0] == "timeout":
            self._cap = int(args[1])
            self._apply(self._cap)
            return
        if "timeout" in keys:
            self._cap = int(keys.pop("timeout"))
            self._apply(self._cap)
        if args or keys:
            super().set(*args, **keys)

    def check(self, *assumptions):
        ms = time_left_ms(self.deadline, self._cap)
        if ms is None:
            self._starved = True
            return z3.unknown
        self._starved = False
        self._apply(ms)
        return super().check(*assumptions)

    def reason_unknown(self) -> str:
        return "timeout" if self._starved else super().reason_unknown()
