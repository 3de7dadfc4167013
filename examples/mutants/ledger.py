"""Buggy variants of `examples/impl/ledger.py` (spec Ledger, `examples/ledger.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import ledger as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_ledger", pathlib.Path(__file__).resolve().parents[1] / "impl" / "ledger.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class TransferSwapsAccounts(impl.Ledger):
    """Map update applied to the wrong key: transfer debits the destination and
    credits the source (the two records are swapped after the checks).

    Caught by transfer's effects `balances[src] := balances[src] - amount`
    and `balances[dst] := balances[dst] + amount` (and LED-1 once the
    destination goes negative): any successful transfer shows it.
    """

    def transfer(self, src, dst, amount: int) -> None:
        if src == dst:
            raise impl.SameAccount("same account")
        self._check_amount(amount)
        source, target = self._lookup(src), self._lookup(dst)
        if source.balance < amount:
            raise impl.InsufficientFunds("insufficient funds")
        self._check_room(target, dst, amount)
        target.balance -= amount
        source.balance += amount


class TransferToClosedAccount(impl.Ledger):
    """Missing guard: transfer checks only that the source is open.

    Caught by transfer's `requires is_open[dst] else AccountClosed` (and
    LED-2, a closed account holding money): transferring from a funded open
    account to a closed one must raise AccountClosed.
    """

    def transfer(self, src, dst, amount: int) -> None:
        if src == dst:
            raise impl.SameAccount("same account")
        self._check_amount(amount)
        source = self._lookup(src)
        target = self._accounts.setdefault(dst, impl.Account())
        if source.balance < amount:
            raise impl.InsufficientFunds("insufficient funds")
        self._check_room(target, dst, amount)
        source.balance -= amount
        target.balance += amount


class CloseWithMoneyInside(impl.Ledger):
    """Missing guard: close_account forgets the balance check.

    Caught by close_account's `requires balances[a] == 0 else NonZeroBalance`
    (and LED-2): open, deposit, then close must raise NonZeroBalance.
    """

    def close_account(self, a) -> None:
        self._lookup(a).open = False


class DebitBeforeCeilingCheck(impl.Ledger):
    """State changed before raising: transfer takes the money out of the
    source first and only then finds that the destination would pass the
    ceiling, raising with the source already debited.

    Caught by "a failed guard leaves the state unchanged" on transfer's
    `requires balances[dst] + amount <= MAX_BALANCE else BalanceCeilingExceeded`:
    with dst holding MAX_BALANCE (deposit 10 000 000) and src holding
    anything, a transfer of 1 must leave both balances as they were.
    """

    def transfer(self, src, dst, amount: int) -> None:
        if src == dst:
            raise impl.SameAccount("same account")
        self._check_amount(amount)
        source, target = self._lookup(src), self._lookup(dst)
        if source.balance < amount:
            raise impl.InsufficientFunds("insufficient funds")
        source.balance -= amount
        self._check_room(target, dst, amount)
        target.balance += amount


class TransferCappedAt16Bits(impl.Ledger):
    """Arithmetic slip for large values: a legacy batch field holds at most
    2**15 - 1, so a transfer of 32 768 or more silently moves only 32 767.

    Caught by transfer's effects: after depositing a large amount (e.g. the
    10 000 000 ceiling) a transfer of exactly the source's balance must
    move all of it.
    """

    def transfer(self, src, dst, amount: int) -> None:
        super().transfer(src=src, dst=dst, amount=amount)
        moved = min(amount, 2**15 - 1)
        if moved != amount:
            self._accounts[src].balance += amount - moved
            self._accounts[dst].balance -= amount - moved


class UnknownAccountKeyError(impl.Ledger):
    """Wrong exception: withdraw indexes the accounts dict directly, so an
    account that was never opened raises a bare KeyError.

    Caught by withdraw's `requires is_open[a] else AccountClosed`:
    `withdraw(a=..., amount=1)` on a fresh ledger must raise AccountClosed.
    """

    def withdraw(self, a, amount: int) -> None:
        self._check_amount(amount)
        acc = self._accounts[a]
        if not acc.open:
            raise impl.AccountClosed(f"account {a!r} is not open")
        if amount > acc.balance:
            raise impl.InsufficientFunds("insufficient funds")
        acc.balance -= amount


class DepositCeilingOffByOne(impl.Ledger):
    """Off-by-one in a guard: a deposit that brings the balance to exactly
    MAX_BALANCE is refused.

    Caught by deposit's `requires balances[a] + amount <= MAX_BALANCE else
    BalanceCeilingExceeded`: `deposit(a=..., amount=10000000)` into an empty
    open account must succeed.
    """

    def _check_room(self, acc, account_id, amount: int) -> None:
        if acc.balance + amount >= self.MAX_BALANCE:
            raise impl.BalanceCeilingExceeded(f"{account_id!r} would reach {self.MAX_BALANCE}")


class AmountCheckedBeforeSameAccount(impl.Ledger):
    """Guard order swap: transfer validates the amount before rejecting a
    transfer from an account to itself.

    Caught by transfer's guard order (SameAccount is the first guard,
    InvalidAmount the second): `transfer(src=a, dst=a, amount=0)` must raise
    SameAccount.
    """

    def transfer(self, src, dst, amount: int) -> None:
        self._check_amount(amount)
        super().transfer(src=src, dst=dst, amount=amount)


MUTANTS = [
    TransferSwapsAccounts,
    TransferToClosedAccount,
    CloseWithMoneyInside,
    DebitBeforeCeilingCheck,
    TransferCappedAt16Bits,
    UnknownAccountKeyError,
    DepositCeilingOffByOne,
    AmountCheckedBeforeSameAccount,
]
