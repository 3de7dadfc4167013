"""Hand-written hypothesis stateful tests of `examples/bank.sf` and `examples/ledger.sf`: the baseline of
bench/mutation.py.

Each machine checks what the generated test (`specforge.testing`) checks, written directly in Python: the
spec's model as plain attributes, the guards as `if`s in the spec's order, then for every call

- every guard holds: the call must not raise, and afterwards the implementation's state equals the model's;
- the first false guard: the call must raise an exception whose class or a base class has the guard's
  error name, and the state must be unchanged;
- after every step, each invariant holds on the implementation's state (one `@invariant` per invariant ID).

The arguments are drawn as the generated test draws them (`specforge.testing.machine.SpecRunner.int_strategy`
at the time of writing): one `st.data()` per rule, and for each int parameter `one_of(the state's boundaries,
the action's constants and literals, an interval)`, where the boundaries are the values that put a guard, or a
comparison in an invariant on a variable the action assigns, exactly on its limit, each with one either side.
Here they are worked out by hand for each action instead of numerically. Rules and draws come in the same
order as in the generated machine, so with the same seed both run the same calls; bench/mutation.py checks
that they do.

`BankMachine.factory` / `LedgerMachine.factory` is the implementation under test (set by `machine()`).
Standard library and hypothesis only.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

ACCOUNTS = ("Account1", "Account2", "Account3")  # the generated test's pool for `set Account`


def around(*points: int) -> set[int]:
    """Each point and one either side of it."""
    return {p + d for p in points for d in (-1, 0, 1)}


def draw_int(data, dynamic: set[int], static: set[int], lo: int | None = None, hi: int | None = None) -> int:
    """An int from the state's boundaries, the action's constants, or the interval [lo, hi] (a third each)."""
    dyn = sorted(dynamic)
    stat = sorted(static - dynamic)
    every = dyn + stat
    lo = min(every) - 10 if lo is None else lo
    hi = max(every) + 10 if hi is None else hi
    inside = st.integers(lo, hi) if lo <= hi else st.integers(min(every), max(every))
    return data.draw(st.one_of(*[st.sampled_from(v) for v in (dyn, stat) if v], inside))


def raised(exc: BaseException, name: str) -> bool:
    """The exception's class or one of its base classes is named `name`."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


class _Checked(RuleBasedStateMachine):
    """The checks shared by both machines: `call` runs one action and compares with the model."""

    factory: Callable[[], object]
    log: list | None = None  # when a list, every call is appended (bench/mutation.py compares the two sides)

    def observe(self) -> tuple:
        raise NotImplementedError

    def expected(self) -> tuple:
        raise NotImplementedError

    def call(self, name: str, error: str | None, **kwargs) -> bool:
        """Run `name(**kwargs)` on the implementation; `error` is the first false guard's error, or None.
        True when the call succeeded (the caller then updates the model and compares the states)."""
        if self.log is not None:
            self.log.append((name, tuple(kwargs.items())))
        before = self.observe()
        try:
            getattr(self.impl, name)(**kwargs)
        except Exception as exc:
            assert error is not None, f"{name}({kwargs}): every guard holds, but it raised {exc!r}"
            assert raised(exc, error), f"{name}({kwargs}) must raise {error}, but it raised {exc!r}"
            after = self.observe()
            assert after == before, f"{name}({kwargs}) raised {error} but changed the state: {before} -> {after}"
            return False
        assert error is None, f"{name}({kwargs}) must raise {error}, but it returned normally"
        return True

    def expect_state(self) -> None:
        observed, model = self.observe(), self.expected()
        assert observed == model, f"the implementation has {observed}, the spec says {model}"


# ---- examples/bank.sf -------------------------------------------------------------------------------------

MAX_WITHDRAWAL = 2_500
DAILY_LIMIT = 5_000
MAX_BALANCE = 1_000_000


class BankMachine(_Checked):
    def __init__(self) -> None:
        super().__init__()
        if self.log is not None:
            self.log.append(("<init>", ()))
        self.impl = type(self).factory()
        self.balance, self.withdrawn_today, self.frozen = 0, 0, False
        self.expect_state()

    def observe(self) -> tuple:
        impl = self.impl
        return impl.balance, impl.withdrawn_today, impl.frozen

    def expected(self) -> tuple:
        return self.balance, self.withdrawn_today, self.frozen

    @rule(data=st.data())
    def action_deposit(self, data):
        b = self.balance
        amount = draw_int(data, around(0, MAX_BALANCE - b, -b), around(0, MAX_BALANCE), lo=1)
        if amount <= 0:
            error = "InvalidAmount"
        elif self.frozen:
            error = "AccountFrozen"
        elif b + amount > MAX_BALANCE:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call("deposit", error, amount=amount):
            self.balance += amount
            self.expect_state()

    @rule(data=st.data())
    def action_withdraw(self, data):
        b, w = self.balance, self.withdrawn_today
        amount = draw_int(data, around(0, MAX_WITHDRAWAL, DAILY_LIMIT - w, b, b - MAX_BALANCE, -w),
                          around(0, MAX_WITHDRAWAL, DAILY_LIMIT), lo=1, hi=min(MAX_WITHDRAWAL, b))
        if amount <= 0:
            error = "InvalidAmount"
        elif self.frozen:
            error = "AccountFrozen"
        elif amount > MAX_WITHDRAWAL:
            error = "LimitExceeded"
        elif w + amount > DAILY_LIMIT:
            error = "DailyLimitExceeded"
        elif amount > b:
            error = "InsufficientFunds"
        else:
            error = None
        if self.call("withdraw", error, amount=amount):
            self.balance -= amount
            self.withdrawn_today += amount
            self.expect_state()

    @rule(data=st.data())
    def action_start_new_day(self, data):
        if self.call("start_new_day", None):
            self.withdrawn_today = 0
            self.expect_state()

    @rule(data=st.data())
    def action_freeze(self, data):
        if self.call("freeze", "AlreadyFrozen" if self.frozen else None):
            self.frozen = True
            self.expect_state()

    @rule(data=st.data())
    def action_unfreeze(self, data):
        if self.call("unfreeze", None if self.frozen else "NotFrozen"):
            self.frozen = False
            self.expect_state()

    @invariant()
    def invariant_BANK_1(self):
        assert self.impl.balance >= 0, "BANK-1: the account is overdrawn"

    @invariant()
    def invariant_BANK_2(self):
        assert 0 <= self.impl.withdrawn_today <= DAILY_LIMIT, "BANK-2: over the daily allowance"

    @invariant()
    def invariant_BANK_3(self):
        assert self.impl.balance <= MAX_BALANCE, "BANK-3: over the ceiling"


# ---- examples/ledger.sf -----------------------------------------------------------------------------------

LEDGER_MAX = 10_000_000


class LedgerMachine(_Checked):
    def __init__(self) -> None:
        super().__init__()
        if self.log is not None:
            self.log.append(("<init>", ()))
        self.impl = type(self).factory()
        self.balances = dict.fromkeys(ACCOUNTS, 0)
        self.is_open = dict.fromkeys(ACCOUNTS, False)
        self.expect_state()

    def observe(self) -> tuple:
        balances, is_open = self.impl.balances, self.impl.is_open
        return tuple(balances[a] for a in ACCOUNTS), tuple(is_open[a] for a in ACCOUNTS)

    def expected(self) -> tuple:
        return tuple(self.balances[a] for a in ACCOUNTS), tuple(self.is_open[a] for a in ACCOUNTS)

    @rule(data=st.data())
    def action_open_account(self, data):
        a = data.draw(st.sampled_from(ACCOUNTS))
        if self.call("open_account", "AlreadyOpen" if self.is_open[a] else None, a=a):
            self.is_open[a] = True
            self.expect_state()

    @rule(data=st.data())
    def action_close_account(self, data):
        a = data.draw(st.sampled_from(ACCOUNTS))
        if not self.is_open[a]:
            error = "AccountClosed"
        elif self.balances[a] != 0:
            error = "NonZeroBalance"
        else:
            error = None
        if self.call("close_account", error, a=a):
            self.is_open[a] = False
            self.expect_state()

    @rule(data=st.data())
    def action_deposit(self, data):
        a = data.draw(st.sampled_from(ACCOUNTS))
        b = self.balances[a]
        amount = draw_int(data, around(0, LEDGER_MAX - b), around(0, LEDGER_MAX), lo=1)
        if amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[a]:
            error = "AccountClosed"
        elif b + amount > LEDGER_MAX:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call("deposit", error, a=a, amount=amount):
            self.balances[a] += amount
            self.expect_state()

    @rule(data=st.data())
    def action_withdraw(self, data):
        a = data.draw(st.sampled_from(ACCOUNTS))
        b = self.balances[a]
        amount = draw_int(data, around(0, b), around(0), lo=1, hi=b)
        if amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[a]:
            error = "AccountClosed"
        elif amount > b:
            error = "InsufficientFunds"
        else:
            error = None
        if self.call("withdraw", error, a=a, amount=amount):
            self.balances[a] -= amount
            self.expect_state()

    @rule(data=st.data())
    def action_transfer(self, data):
        src = data.draw(st.sampled_from(ACCOUNTS))
        dst = data.draw(st.sampled_from(ACCOUNTS))
        bs, bd = self.balances[src], self.balances[dst]
        amount = draw_int(data, around(0, bs, LEDGER_MAX - bd), around(0, LEDGER_MAX), lo=1, hi=bs)
        if src == dst:
            error = "SameAccount"
        elif amount <= 0:
            error = "InvalidAmount"
        elif not self.is_open[src] or not self.is_open[dst]:
            error = "AccountClosed"
        elif bs < amount:
            error = "InsufficientFunds"
        elif bd + amount > LEDGER_MAX:
            error = "BalanceCeilingExceeded"
        else:
            error = None
        if self.call("transfer", error, src=src, dst=dst, amount=amount):
            self.balances[src] -= amount
            self.balances[dst] += amount
            self.expect_state()

    @invariant()
    def invariant_LED_1(self):
        balances = self.impl.balances
        assert all(balances[a] >= 0 for a in ACCOUNTS), "LED-1: an account is overdrawn"

    @invariant()
    def invariant_LED_2(self):
        balances, is_open = self.impl.balances, self.impl.is_open
        assert all(is_open[a] or balances[a] == 0 for a in ACCOUNTS), "LED-2: a closed account holds money"

    @invariant()
    def invariant_LED_3(self):
        balances = self.impl.balances
        assert all(balances[a] <= LEDGER_MAX for a in ACCOUNTS), "LED-3: an account is over the ceiling"


MACHINES = {"bank": BankMachine, "ledger": LedgerMachine}


def machine(example: str, factory: Callable[[], object], log: list | None = None) -> type[RuleBasedStateMachine]:
    """A fresh subclass of the hand-written machine of `example` testing `factory()` objects."""
    base = MACHINES[example]
    return type(base.__name__, (base,), {"factory": staticmethod(factory), "log": log})
