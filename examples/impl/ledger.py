"""A ledger over many accounts: the implementation behind `examples/ledger.sf` (spec Ledger).

The ledger keeps one `Account` record per account id in a dict, created the
first time an account is opened. The spec's two maps are read-only views
over that dict: `ledger.balances[a]` and `ledger.is_open[a]`. An account id
the ledger has never seen reads as a fresh account (balance 0, closed),
exactly as the spec's `init` says, so any hashable value works as an id.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass


class LedgerError(Exception):
    """Base class of every refusal of the ledger."""


class AlreadyOpen(LedgerError):
    pass


class AccountClosed(LedgerError):
    pass


class NonZeroBalance(LedgerError):
    pass


class InvalidAmount(LedgerError):
    pass


class BalanceCeilingExceeded(LedgerError):
    pass


class InsufficientFunds(LedgerError):
    pass


class SameAccount(LedgerError):
    pass


@dataclass
class Account:
    balance: int = 0
    open: bool = False


_NEVER_SEEN = Account()


class AccountView(Mapping):
    """One field of every account, as a read-only total mapping (unknown ids read as a fresh account)."""

    def __init__(self, accounts: dict[Hashable, Account], read: Callable[[Account], object]):
        self._accounts = accounts
        self._read = read

    def __getitem__(self, account_id: Hashable):
        return self._read(self._accounts.get(account_id, _NEVER_SEEN))

    def __contains__(self, account_id: object) -> bool:
        return True  # total: every id has a value

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return repr({k: self[k] for k in self._accounts})


class Ledger:
    MAX_BALANCE = 10_000_000

    def __init__(self) -> None:
        self._accounts: dict[Hashable, Account] = {}

    @property
    def balances(self) -> AccountView:
        return AccountView(self._accounts, lambda acc: acc.balance)

    @property
    def is_open(self) -> AccountView:
        return AccountView(self._accounts, lambda acc: acc.open)

    def __repr__(self) -> str:
        return f"Ledger({self._accounts!r})"

    # -- helpers

    def _lookup(self, account_id: Hashable) -> Account:
        """The account record, which must be open."""
        acc = self._accounts.get(account_id)
        if acc is None or not acc.open:
            raise AccountClosed(f"account {account_id!r} is not open")
        return acc

    @staticmethod
    def _check_amount(amount: int) -> None:
        if amount <= 0:
            raise InvalidAmount(f"amount must be positive, got {amount}")

    def _check_room(self, acc: Account, account_id: Hashable, amount: int) -> None:
        if acc.balance + amount > self.MAX_BALANCE:
            raise BalanceCeilingExceeded(f"{account_id!r} would hold more than {self.MAX_BALANCE}")

    # -- operations

    def open_account(self, a: Hashable) -> None:
        acc = self._accounts.get(a)
        if acc is not None and acc.open:
            raise AlreadyOpen(f"account {a!r} is already open")
        if acc is None:
            self._accounts[a] = Account(open=True)
        else:
            acc.open = True

    def close_account(self, a: Hashable) -> None:
        acc = self._lookup(a)
        if acc.balance != 0:
            raise NonZeroBalance(f"account {a!r} still holds {acc.balance}")
        acc.open = False

    def deposit(self, a: Hashable, amount: int) -> None:
        self._check_amount(amount)
        acc = self._lookup(a)
        self._check_room(acc, a, amount)
        acc.balance += amount

    def withdraw(self, a: Hashable, amount: int) -> None:
        self._check_amount(amount)
        acc = self._lookup(a)
        if amount > acc.balance:
            raise InsufficientFunds(f"account {a!r} holds {acc.balance}, asked for {amount}")
        acc.balance -= amount

    def transfer(self, src: Hashable, dst: Hashable, amount: int) -> None:
        if src == dst:
            raise SameAccount("cannot transfer from an account to itself")
        self._check_amount(amount)
        source = self._lookup(src)
        target = self._lookup(dst)
        if source.balance < amount:
            raise InsufficientFunds(f"account {src!r} holds {source.balance}, asked for {amount}")
        self._check_room(target, dst, amount)
        source.balance -= amount
        target.balance += amount
