"""Buggy variants of `examples/impl/rate_limiter.py` (spec RateLimiter, `examples/rate_limiter.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import rate_limiter as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_rate_limiter",
        pathlib.Path(__file__).resolve().parents[1] / "impl" / "rate_limiter.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class LastTokenRefused(impl.RateLimiter):
    """Off-by-one in a guard: a request costing exactly the remaining tokens
    is rate-limited (`cost >= tokens`).

    Caught by consume's `requires cost <= tokens else RateLimited`: with
    `cost` equal to the current level (reachable after a few shed_load()
    calls, e.g. 100 -> 50 -> 25 -> 12 -> 6), consume must succeed.
    """

    def consume(self, cost: int) -> None:
        if self.MIN_COST <= cost <= self.MAX_COST and cost >= self.tokens:
            raise impl.RateLimited(f"{self.tokens} tokens left")
        super().consume(cost=cost)


class MaxCostExclusive(impl.RateLimiter):
    """Off-by-one in a range: the cost range is taken as half-open,
    `range(1, 10)`, so a request of exactly 10 tokens is refused.

    Caught by consume's `requires cost in 1..10 else InvalidCost` (1..10 is
    inclusive): `consume(cost=10)` on a full bucket must succeed.
    """

    def consume(self, cost: int) -> None:
        if cost not in range(self.MIN_COST, self.MAX_COST):
            raise impl.InvalidCost(f"a request costs 1 to 9 tokens, got {cost}")
        super().consume(cost=cost)


class RefillOverflows(impl.RateLimiter):
    """Missing clamp: refill adds REFILL_AMOUNT without capping at CAPACITY.

    Caught by refill's effect `tokens := min(CAPACITY, tokens + REFILL_AMOUNT)`
    and RL-1 (and the range type `int[0..100]`): `tick(dt=1 s)` then
    `refill()` on the full initial bucket must leave 100 tokens.
    """

    def refill(self) -> None:
        if not self.refill_due:
            raise impl.RefillNotDue("not due")
        self.tokens += self.REFILL_AMOUNT
        self.refills += 1


class ShedLoadRoundsUp(impl.RateLimiter):
    """Rounding slip: shedding load keeps the larger half, `ceil(tokens / 2)`.

    Caught by shed_load's effect `tokens := tokens / 2` (integer division
    rounds down): from 100, two shed_load() calls give 25 and the third must
    give 12, not 13.
    """

    def shed_load(self) -> None:
        self.tokens = -(-self.tokens // 2)


class AdjustRecordsActualIncrease(impl.RateLimiter):
    """Wrong bookkeeping value: adjust records in operator_added the tokens
    actually added after clamping, where the spec records max(0, delta).

    Caught by adjust's effect `operator_added := operator_added + max(0, delta)`:
    `adjust(delta=5)` on the full initial bucket must raise operator_added to 5.
    """

    def adjust(self, delta: int) -> None:
        before = self.tokens
        super().adjust(delta=delta)
        self.operator_added -= max(0, delta)
        self.operator_added += max(0, self.tokens - before)


class NegativeAdjustUnbounded(impl.RateLimiter):
    """Missing guard (half of it): the size check forgets abs(), so any
    negative adjustment passes.

    Caught by adjust's `requires abs(delta) <= MAX_ADJUST else
    AdjustmentTooLarge`: `adjust(delta=-21)` must raise AdjustmentTooLarge.
    (A test finds it only if it draws a delta below -MAX_ADJUST: the lower
    bound -20 of `abs(delta) <= 20`, minus one, or any large negative int.)
    """

    def adjust(self, delta: int) -> None:
        if delta == 0:
            raise impl.InvalidAdjustment("an adjustment must change the level")
        if delta > self.MAX_ADJUST:
            raise impl.AdjustmentTooLarge("too large")
        self.tokens = self._clamp(self.tokens + delta)
        self.operator_added += max(0, delta)


class ZeroAdjustIgnored(impl.RateLimiter):
    """Missing guard: a zero adjustment is treated as a harmless no-op
    instead of being refused.

    Caught by adjust's `requires delta != 0 else InvalidAdjustment`:
    `adjust(delta=0)` must raise InvalidAdjustment.
    """

    def adjust(self, delta: int) -> None:
        if delta == 0:
            return
        super().adjust(delta=delta)


class RefillOneIntervalLate(impl.RateLimiter):
    """Off-by-one in a guard: a refill is only due once strictly more than
    one interval has passed, so a refill after exactly 1 s is refused.

    Caught by refill's `requires since_refill >= REFILL_INTERVAL else
    RefillNotDue`: `tick(dt=1 s)` then `refill()` must succeed.
    """

    @property
    def refill_due(self) -> bool:
        return self.since_refill > self.REFILL_INTERVAL


class LevelCheckedBeforeCost(impl.RateLimiter):
    """Guard order swap: consume checks the level before validating the cost.

    Caught by consume's guard order (InvalidCost is the first guard): on a
    bucket holding fewer than 11 tokens, `consume(cost=11)` must raise
    InvalidCost, not RateLimited (on the full bucket, `consume(cost=101)`).
    """

    def consume(self, cost: int) -> None:
        if cost > self.tokens:
            raise impl.RateLimited(f"{self.tokens} tokens left")
        super().consume(cost=cost)


class TickNoOp(impl.RateLimiter):
    """No-op action: tick() takes the time but never moves the clock (the
    scheduler's dt is dropped), so refills never become due.

    Caught by tick's effects `since_refill := since_refill + dt` and
    `elapsed := elapsed + dt`: any tick with dt > 0 shows it.
    """

    def tick(self, dt) -> None:
        impl.as_timedelta(dt)


MUTANTS = [
    LastTokenRefused,
    MaxCostExclusive,
    RefillOverflows,
    ShedLoadRoundsUp,
    AdjustRecordsActualIncrease,
    NegativeAdjustUnbounded,
    ZeroAdjustIgnored,
    RefillOneIntervalLate,
    LevelCheckedBeforeCost,
    TickNoOp,
]
