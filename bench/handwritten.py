"""Hand-written hypothesis stateful tests of `examples/bank.sf` and `examples/ledger.sf`: the baseline that
bench/mutation.py compares the generated tests with.

Each is the test a careful Python developer would write by hand from the spec, without specforge: one `@rule`
per action with natural strategies (amounts from a small range, plus the spec's boundary constants; accounts
from a fixed tuple), the spec's model as plain attributes, and the same checks the generated test makes:

- the guards in the spec's order: the first false one names the error the call must raise (an exception whose
  class or a base class has that name), and the state must then be unchanged;
- every guard holds: the call must not raise, and afterwards the implementation's state equals the model's;
- the initial state equals the spec's `init`, and each invariant is an `@invariant`, checked after every step.

It does not make the calls the generated test makes (that one chooses actions and arguments from the guards),
so bench/mutation.py compares the two per step: every rule counts itself in `self.counts.steps`, and each
example in `self.counts.examples`.

`machine(name, factory)` gives a fresh machine class testing `factory()` objects, with its own counts.
Standard library and hypothesis only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule


@dataclass
class Counts:
    examples: int = 0
    steps: int = 0


def raised(exc: BaseException, name: str) -> bool:
    """The exception's class or one of its base classes is named `name`."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


class _Checked(RuleBasedStateMachine):
    """What both machines share: `call` runs one action on the implementation and checks the outcome."""

    factory: Callable[[], object]
    counts: Counts

    def observe(self) -> tuple:
        raise NotImplementedError

    def model(self) -> tuple:
        raise NotImplementedError

    def call(self, error: str | None, method: Callable, **kwargs) -> bool:
        """Call `method(**kwargs)`. `error` is the first false guard's error, or None when every guard holds.
        True when the call succeeded: the caller then updates the model and calls `expect_state`."""
        before = self.observe()
        try:
            method(**kwargs)
        except Exception as exc:
            assert error is not None, f"{method.__name__}({kwargs}): every guard holds, but it raised {exc!r}"
            assert raised(exc, error), f"{method.__name__}({kwargs}) must raise {error}, but it raised {exc!r}"
            after = self.observe()
            assert after == before, f"{method.__name__}({kwargs}) raised {error} but changed the state: " \
                                    f"{before} -> {after}"
            return False
        assert error is None, f"{method.__name__}({kwargs}) must raise {error}, but it returned normally"
        return True

    def expect_state(self) -> None:
        observed, model = self.observe(), self.model()
        assert observed == model, f"the implementation has {observed}, the spec says {model}"


# ---- examples/bank.sf -------------------------------------------------------------------------------------

MAX_WITHDRAWAL = 2_500
DAILY_LIMIT = 5_000
MAX_BALANCE = 1_000_000

BANK_AMOUNTS = st.one_of(
    st.sampled_from([0, 1, MAX_WITHDRAWAL, MAX_WITHDRAWAL + 1, DAILY_LIMIT, DAILY_LIMIT + 1, MAX_BALANCE,
                     MAX_BALANCE + 1]),
    st.integers(-10, 3_000),
)


class BankMachine(_Checked):
    def __init__(self) -> None:
        super().__init__()
        self.counts.examples += 1
        self.account = type(self).factory()
        self.balance, self.withdrawn_today, self.frozen = 0, 0, False
        self.expect_state()

    def observe(self) -> tuple:
        account = self.account
        return account.balance, account.withdrawn_today, account.frozen

    def model(self) -> tuple:
        return self.balance, self.withdrawn_today, self.frozen

    @rule(amount=BANK_AMOUNTS)
    def deposit(self, amount):
        self.counts.steps += 1
        if amount <= 0:
            error = "InvalidAmount"
        elif self.frozen:
            error = "AccountFrozen"
        elif self.balance + amount > MAX_BALANCE:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call(error, self.account.deposit, amount=amount):
            self.balance += amount
            self.expect_state()

    @rule(amount=BANK_AMOUNTS)
    def withdraw(self, amount):
        self.counts.steps += 1
        if amount <= 0:
            error = "InvalidAmount"
        elif self.frozen:
            error = "AccountFrozen"
        elif amount > MAX_WITHDRAWAL:
            error = "LimitExceeded"
        elif self.withdrawn_today + amount > DAILY_LIMIT:
            error = "DailyLimitExceeded"
        elif amount > self.balance:
            error = "InsufficientFunds"
        else:
            error = None
        if self.call(error, self.account.withdraw, amount=amount):
            self.balance -= amount
            self.withdrawn_today += amount
            self.expect_state()

    @rule()
    def start_new_day(self):
        self.counts.steps += 1
        if self.call(None, self.account.start_new_day):
            self.withdrawn_today = 0
            self.expect_state()

    @rule()
    def freeze(self):
        self.counts.steps += 1
        if self.call("AlreadyFrozen" if self.frozen else None, self.account.freeze):
            self.frozen = True
            self.expect_state()

    @rule()
    def unfreeze(self):
        self.counts.steps += 1
        if self.call(None if self.frozen else "NotFrozen", self.account.unfreeze):
            self.frozen = False
            self.expect_state()

    @invariant()
    def bank_1_never_overdrawn(self):
        assert self.account.balance >= 0, "BANK-1: the account is overdrawn"

    @invariant()
    def bank_2_daily_allowance(self):
        assert 0 <= self.account.withdrawn_today <= DAILY_LIMIT, "BANK-2: over the daily allowance"

    @invariant()
    def bank_3_ceiling(self):
        assert self.account.balance <= MAX_BALANCE, "BANK-3: over the ceiling"


# ---- examples/ledger.sf -----------------------------------------------------------------------------------

ACCOUNTS = ("alice", "bob", "carol")
LEDGER_MAX = 10_000_000

LEDGER_AMOUNTS = st.one_of(st.sampled_from([0, 1, LEDGER_MAX, LEDGER_MAX + 1]), st.integers(-10, 3_000))
ACCOUNT_IDS = st.sampled_from(ACCOUNTS)


class LedgerMachine(_Checked):
    def __init__(self) -> None:
        super().__init__()
        self.counts.examples += 1
        self.ledger = type(self).factory()
        self.balances = dict.fromkeys(ACCOUNTS, 0)
        self.is_open = dict.fromkeys(ACCOUNTS, False)
        self.expect_state()

    def observe(self) -> tuple:
        balances, is_open = self.ledger.balances, self.ledger.is_open
        return tuple(balances[a] for a in ACCOUNTS), tuple(is_open[a] for a in ACCOUNTS)

    def model(self) -> tuple:
        return tuple(self.balances[a] for a in ACCOUNTS), tuple(self.is_open[a] for a in ACCOUNTS)

    @rule(a=ACCOUNT_IDS)
    def open_account(self, a):
        self.counts.steps += 1
        if self.call("AlreadyOpen" if self.is_open[a] else None, self.ledger.open_account, a=a):
            self.is_open[a] = True
            self.expect_state()

    @rule(a=ACCOUNT_IDS)
    def close_account(self, a):
        self.counts.steps += 1
        if not self.is_open[a]:
            error = "AccountClosed"
        elif self.balances[a] != 0:
            error = "NonZeroBalance"
        else:
            error = None
        if self.call(error, self.ledger.close_account, a=a):
            self.is_open[a] = False
            self.expect_state()

    @rule(a=ACCOUNT_IDS, amount=LEDGER_AMOUNTS)
    def deposit(self, a, amount):
        self.counts.steps += 1
        if amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[a]:
            error = "AccountClosed"
        elif self.balances[a] + amount > LEDGER_MAX:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call(error, self.ledger.deposit, a=a, amount=amount):
            self.balances[a] += amount
            self.expect_state()

    @rule(a=ACCOUNT_IDS, amount=LEDGER_AMOUNTS)
    def withdraw(self, a, amount):
        self.counts.steps += 1
        if amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[a]:
            error = "AccountClosed"
        elif amount > self.balances[a]:
            error = "InsufficientFunds"
        else:
            error = None
        if self.call(error, self.ledger.withdraw, a=a, amount=amount):
            self.balances[a] -= amount
            self.expect_state()

    @rule(src=ACCOUNT_IDS, dst=ACCOUNT_IDS, amount=LEDGER_AMOUNTS)
    def transfer(self, src, dst, amount):
        self.counts.steps += 1
        if src == dst:
            error = "SameAccount"
        elif amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[src] or not self.is_open[dst]:
            error = "AccountClosed"
        elif self.balances[src] < amount:
            error = "InsufficientFunds"
        elif self.balances[dst] + amount > LEDGER_MAX:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call(error, self.ledger.transfer, src=src, dst=dst, amount=amount):
            self.balances[src] -= amount
            self.balances[dst] += amount
            self.expect_state()

    @invariant()
    def led_1_never_overdrawn(self):
        balances = self.ledger.balances
        assert all(balances[a] >= 0 for a in ACCOUNTS), "LED-1: an account is overdrawn"

    @invariant()
    def led_2_closed_accounts_are_empty(self):
        balances, is_open = self.ledger.balances, self.ledger.is_open
        assert all(is_open[a] or balances[a] == 0 for a in ACCOUNTS), "LED-2: a closed account holds money"

    @invariant()
    def led_3_ceiling(self):
        balances = self.ledger.balances
        assert all(balances[a] <= LEDGER_MAX for a in ACCOUNTS), "LED-3: an account is over the ceiling"


MACHINES = {"bank": BankMachine, "ledger": LedgerMachine}


def machine(example: str, factory: Callable[[], object]) -> type[RuleBasedStateMachine]:
    """A fresh subclass of the hand-written machine of `example` testing `factory()` objects; its `counts`
    start at zero."""
    base = MACHINES[example]
    return type(base.__name__, (base,), {"factory": staticmethod(factory), "counts": Counts()})
