"""Buggy variants of `examples/impl/bank.py` (spec BankAccount, `examples/bank.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import bank as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_bank", pathlib.Path(__file__).resolve().parents[1] / "impl" / "bank.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class WithdrawCapOffByOne(impl.BankAccount):
    """Off-by-one in a guard: a withdrawal of exactly MAX_WITHDRAWAL (2 500) is refused.

    Caught by withdraw's `requires amount <= MAX_WITHDRAWAL else LimitExceeded`:
    with a balance of at least 2 500, `withdraw(amount=2500)` must succeed.
    """

    def withdraw(self, amount: int) -> None:
        if amount >= self.MAX_WITHDRAWAL:
            self._check_amount(amount)
            self._check_active()
            raise impl.LimitExceeded(f"at most {self.MAX_WITHDRAWAL} per withdrawal")
        super().withdraw(amount=amount)


class DailyLimitOffByOne(impl.BankAccount):
    """Off-by-one in a guard: the daily allowance is treated as exclusive, so a
    withdrawal that uses up exactly the rest of today's allowance is refused.

    Caught by withdraw's `requires withdrawn_today + amount <= DAILY_LIMIT else
    DailyLimitExceeded`: `deposit(amount=5000)`, `withdraw(amount=2500)`,
    `withdraw(amount=2500)` must all succeed.
    """

    def withdraw(self, amount: int) -> None:
        if (0 < amount <= min(self.MAX_WITHDRAWAL, self.balance) and not self.frozen
                and self.withdrawn_today + amount == self.DAILY_LIMIT):
            raise impl.DailyLimitExceeded("over today's allowance")
        super().withdraw(amount=amount)


class DepositWhileFrozen(impl.BankAccount):
    """Missing guard: deposit forgets to check the freeze.

    Caught by deposit's `requires not frozen else AccountFrozen`:
    `freeze()` then `deposit(amount=1)` must raise AccountFrozen.
    """

    def deposit(self, amount: int) -> None:
        self._check_amount(amount)
        if self.balance + amount > self.MAX_BALANCE:
            raise impl.BalanceCeilingExceeded("over the ceiling")
        self.balance += amount


class InvalidAmountAsValueError(impl.BankAccount):
    """Wrong exception: a non-positive amount raises the built-in ValueError.

    Caught by the `else InvalidAmount` failure mode of deposit and withdraw:
    `deposit(amount=0)` must raise an exception named InvalidAmount.
    """

    @staticmethod
    def _check_amount(amount: int) -> None:
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")


class CountsBeforeChecking(impl.BankAccount):
    """State changed before raising: withdraw books the amount against today's
    allowance before checking the balance, and leaves it booked when it then
    refuses with InsufficientFunds.

    Caught by "a failed guard leaves the state unchanged" on withdraw's
    `requires amount <= balance else InsufficientFunds`: `withdraw(amount=1)`
    on an empty account must leave withdrawn_today at 0.
    """

    def withdraw(self, amount: int) -> None:
        self._check_amount(amount)
        self._check_active()
        if amount > self.MAX_WITHDRAWAL:
            raise impl.LimitExceeded("over the per-withdrawal cap")
        if amount > self.remaining_allowance:
            raise impl.DailyLimitExceeded("over today's allowance")
        self.withdrawn_today += amount
        if amount > self.balance:
            raise impl.InsufficientFunds(f"balance is {self.balance}")
        self.balance -= amount


class LargeDepositRounding(impl.BankAccount):
    """Arithmetic slip for large values: deposits of 2**15 or more go through a
    "bulk" path that rounds the amount to whole hundreds.

    Caught by deposit's effect `balance := balance + amount` (and a state
    compare) for a large amount that is not a multiple of 100, e.g.
    `deposit(amount=999999)` (MAX_BALANCE - 1) on an empty account.
    """

    def deposit(self, amount: int) -> None:
        before = self.balance
        super().deposit(amount=amount)
        if amount >= 2**15:
            self.balance = before + round(amount, -2)


class InsufficientFundsFirst(impl.BankAccount):
    """Guard order swap: withdraw checks the balance before the per-withdrawal cap.

    Caught by withdraw's guard order (LimitExceeded is the third guard,
    InsufficientFunds the fifth): `withdraw(amount=2501)` on an empty
    account must raise LimitExceeded, not InsufficientFunds.
    """

    def withdraw(self, amount: int) -> None:
        self._check_amount(amount)
        self._check_active()
        if amount > self.balance:
            raise impl.InsufficientFunds(f"balance is {self.balance}")
        super().withdraw(amount=amount)


class StartNewDayNoOp(impl.BankAccount):
    """No-op action: start_new_day() forgets to reset the daily counter.

    Caught by start_new_day's effect `withdrawn_today := 0`: after any
    successful withdrawal, start_new_day() must bring the counter to 0.
    """

    def start_new_day(self) -> None:
        pass


class NewDayUnfreezes(impl.BankAccount):
    """Update of a neighbouring field: the day roll-over also lifts a freeze.

    Caught by start_new_day, which assigns only withdrawn_today (frozen keeps
    its value): `freeze()` then `start_new_day()` must leave frozen true.
    """

    def start_new_day(self) -> None:
        super().start_new_day()
        self.frozen = False


MUTANTS = [
    WithdrawCapOffByOne,
    DailyLimitOffByOne,
    DepositWhileFrozen,
    InvalidAmountAsValueError,
    CountsBeforeChecking,
    LargeDepositRounding,
    InsufficientFundsFirst,
    StartNewDayNoOp,
    NewDayUnfreezes,
]
