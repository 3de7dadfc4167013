"""A single customer account: the implementation behind `examples/bank.sf` (spec BankAccount).

Binding: `balance`, `withdrawn_today` and `frozen` are plain attributes;
each action is a method taking keyword arguments; each failure mode is an
exception class of the same name (all of them derive from `BankError`).
"""

from __future__ import annotations


class BankError(Exception):
    """Base class of every refusal of the account."""


class InvalidAmount(BankError):
    pass


class AccountFrozen(BankError):
    pass


class BalanceCeilingExceeded(BankError):
    pass


class LimitExceeded(BankError):
    pass


class DailyLimitExceeded(BankError):
    pass


class InsufficientFunds(BankError):
    pass


class AlreadyFrozen(BankError):
    pass


class NotFrozen(BankError):
    pass


class BankAccount:
    """One account with a per-withdrawal cap, a daily allowance, a ceiling and a freeze."""

    MAX_WITHDRAWAL = 2_500
    DAILY_LIMIT = 5_000
    MAX_BALANCE = 1_000_000

    def __init__(self) -> None:
        self.balance = 0
        self.withdrawn_today = 0
        self.frozen = False

    # -- queries

    @property
    def remaining_allowance(self) -> int:
        """How much may still be withdrawn today."""
        return self.DAILY_LIMIT - self.withdrawn_today

    def __repr__(self) -> str:
        flag = ", frozen" if self.frozen else ""
        return f"{type(self).__name__}(balance={self.balance}, withdrawn_today={self.withdrawn_today}{flag})"

    # -- checks shared by several operations

    @staticmethod
    def _check_amount(amount: int) -> None:
        if amount <= 0:
            raise InvalidAmount(f"amount must be positive, got {amount}")

    def _check_active(self) -> None:
        if self.frozen:
            raise AccountFrozen("the account is frozen")

    # -- operations

    def deposit(self, amount: int) -> None:
        self._check_amount(amount)
        self._check_active()
        if self.balance + amount > self.MAX_BALANCE:
            raise BalanceCeilingExceeded(
                f"a deposit of {amount} would take the balance past {self.MAX_BALANCE}")
        self.balance += amount

    def withdraw(self, amount: int) -> None:
        self._check_amount(amount)
        self._check_active()
        if amount > self.MAX_WITHDRAWAL:
            raise LimitExceeded(f"at most {self.MAX_WITHDRAWAL} per withdrawal, asked for {amount}")
        if amount > self.remaining_allowance:
            raise DailyLimitExceeded(f"only {self.remaining_allowance} left today, asked for {amount}")
        if amount > self.balance:
            raise InsufficientFunds(f"balance is {self.balance}, asked for {amount}")
        self.balance -= amount
        self.withdrawn_today += amount

    def start_new_day(self) -> None:
        self.withdrawn_today = 0

    def freeze(self) -> None:
        if self.frozen:
            raise AlreadyFrozen("the account is already frozen")
        self.frozen = True

    def unfreeze(self) -> None:
        if not self.frozen:
            raise NotFrozen("the account is not frozen")
        self.frozen = False
