"""A mutant of examples/impl/purse.py whose bug sits at a boundary the spec does not name."""

from examples.impl import purse as impl


class LargeDepositDoubled(impl.Purse):
    """A deposit of 5,000 or more is credited twice (a "bulk" path of the implementation). The spec's
    own numbers are 0 and 1, so arguments drawn at and around them never reach it; the property tests'
    wide mode draws amounts of every magnitude past the open upper side and finds it."""

    def deposit(self, amount: int) -> None:
        super().deposit(amount=amount)
        if amount >= 5_000:
            self.balance += amount
