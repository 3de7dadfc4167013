"""A token bucket: the implementation behind `examples/rate_limiter.sf` (spec RateLimiter).

The bucket keeps its level (`tokens`), a running clock (`elapsed`, a
`datetime.timedelta`) and its bookkeeping counters. The time since the last
refill is not stored: every refill accounts for exactly one interval of the
clock, so it is computed as `elapsed - refills * REFILL_INTERVAL`.
`tick(dt=)` takes a timedelta (a plain number is read as seconds).
"""

from __future__ import annotations

from datetime import timedelta


class RateLimitError(Exception):
    """Base class of every refusal of the limiter."""


class InvalidCost(RateLimitError):
    pass


class RateLimited(RateLimitError):
    pass


class RefillNotDue(RateLimitError):
    pass


class InvalidAdjustment(RateLimitError):
    pass


class AdjustmentTooLarge(RateLimitError):
    pass


def as_timedelta(value: timedelta | int | float) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


class RateLimiter:
    CAPACITY = 100
    REFILL_AMOUNT = CAPACITY // 10
    REFILL_INTERVAL = timedelta(seconds=1)
    MAX_ADJUST = 20
    MIN_COST, MAX_COST = 1, 10

    def __init__(self) -> None:
        self.tokens = self.CAPACITY
        self.elapsed = timedelta(0)
        self.granted = 0
        self.refills = 0
        self.operator_added = 0

    @property
    def since_refill(self) -> timedelta:
        """Clock time not yet turned into a refill."""
        return self.elapsed - self.refills * self.REFILL_INTERVAL

    @property
    def refill_due(self) -> bool:
        return self.since_refill >= self.REFILL_INTERVAL

    def __repr__(self) -> str:
        return (f"RateLimiter(tokens={self.tokens}, elapsed={self.elapsed}, granted={self.granted}, "
                f"refills={self.refills}, operator_added={self.operator_added})")

    def _clamp(self, level: int) -> int:
        return max(0, min(self.CAPACITY, level))

    def consume(self, cost: int) -> None:
        if not self.MIN_COST <= cost <= self.MAX_COST:
            raise InvalidCost(f"a request costs {self.MIN_COST} to {self.MAX_COST} tokens, got {cost}")
        if cost > self.tokens:
            raise RateLimited(f"{self.tokens} tokens left, the request needs {cost}")
        self.tokens -= cost
        self.granted += cost

    def tick(self, dt: timedelta) -> None:
        """Time passes; `dt` is never negative (the scheduler's promise)."""
        self.elapsed += as_timedelta(dt)

    def refill(self) -> None:
        if not self.refill_due:
            raise RefillNotDue(f"only {self.since_refill} since the last refill")
        self.tokens = min(self.CAPACITY, self.tokens + self.REFILL_AMOUNT)
        self.refills += 1

    def adjust(self, delta: int) -> None:
        if delta == 0:
            raise InvalidAdjustment("an adjustment must change the level")
        if abs(delta) > self.MAX_ADJUST:
            raise AdjustmentTooLarge(f"at most {self.MAX_ADJUST} per adjustment, got {delta}")
        self.tokens = self._clamp(self.tokens + delta)
        self.operator_added += max(0, delta)

    def shed_load(self) -> None:
        self.tokens //= 2
