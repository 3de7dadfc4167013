"""A purse (examples/purse.sf): deposits of any size, withdrawals up to the balance."""


class InvalidAmount(Exception):
    pass


class InsufficientFunds(Exception):
    pass


class Purse:
    def __init__(self):
        self.balance = 0

    def deposit(self, amount: int) -> None:
        if amount <= 0:
            raise InvalidAmount(f"a deposit must be positive, not {amount}")
        self.balance += amount

    def withdraw(self, amount: int) -> None:
        if amount <= 0:
            raise InvalidAmount(f"a withdrawal must be positive, not {amount}")
        if amount > self.balance:
            raise InsufficientFunds(f"{amount} is more than the balance {self.balance}")
        self.balance -= amount
