"""Customer orders from placement to delivery: the implementation behind `examples/order.sf` (spec OrderLifecycle).

The shop keeps one `OrderRecord` per placed order in a dict. The spec's
maps (`placed`, `status`, `price`, `paid_amount`) are read-only views over
that dict; an order id never placed reads as the spec's `init` says
(not placed, `Status.created`, price 0, nothing paid). The stage is an
`enum.Enum`, `Status`, whose member names are the spec's enum values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass


class Status(enum.Enum):
    created = "created"
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"


IN_FLIGHT = frozenset({Status.paid, Status.shipped})
CANCELLABLE = frozenset({Status.created, Status.paid})


class OrderError(Exception):
    """Base class of every refusal of the shop."""


class ShopClosed(OrderError):
    pass


class ShopAlreadyOpen(OrderError):
    pass


class DuplicateOrder(OrderError):
    pass


class InvalidPrice(OrderError):
    pass


class PriceTooHigh(OrderError):
    pass


class UnknownOrder(OrderError):
    pass


class NotAwaitingPayment(OrderError):
    pass


class WrongAmount(OrderError):
    pass


class NotPaid(OrderError):
    pass


class NotShipped(OrderError):
    pass


class TooLateToCancel(OrderError):
    pass


class OrdersInFlight(OrderError):
    pass


@dataclass
class OrderRecord:
    price: int
    status: Status = Status.created
    paid_amount: int = 0


class OrderView(Mapping):
    """One property of every order as a read-only total mapping; unplaced ids get `default`."""

    def __init__(self, orders: dict[Hashable, OrderRecord], read: Callable[[OrderRecord], object], default):
        self._orders, self._read, self._default = orders, read, default

    def __getitem__(self, order_id: Hashable):
        record = self._orders.get(order_id)
        return self._default if record is None else self._read(record)

    def __contains__(self, order_id: object) -> bool:
        return True

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._orders)

    def __len__(self) -> int:
        return len(self._orders)


class OrderLifecycle:
    MAX_PRICE = 50_000

    def __init__(self) -> None:
        self._orders: dict[Hashable, OrderRecord] = {}
        self.shop_open = True

    # -- the spec's maps, as views

    @property
    def placed(self) -> OrderView:
        return OrderView(self._orders, lambda r: True, False)

    @property
    def status(self) -> OrderView:
        return OrderView(self._orders, lambda r: r.status, Status.created)

    @property
    def price(self) -> OrderView:
        return OrderView(self._orders, lambda r: r.price, 0)

    @property
    def paid_amount(self) -> OrderView:
        return OrderView(self._orders, lambda r: r.paid_amount, 0)

    def __repr__(self) -> str:
        return f"OrderLifecycle(shop_open={self.shop_open}, orders={self._orders!r})"

    # -- helpers

    def _require_open_shop(self) -> None:
        if not self.shop_open:
            raise ShopClosed("the shop is closed")

    def _get(self, o: Hashable) -> OrderRecord:
        record = self._orders.get(o)
        if record is None:
            raise UnknownOrder(f"no order {o!r}")
        return record

    # -- operations

    def place(self, o: Hashable, amount: int) -> None:
        self._require_open_shop()
        if o in self._orders:
            raise DuplicateOrder(f"order {o!r} was already placed")
        if amount <= 0:
            raise InvalidPrice(f"a price must be positive, got {amount}")
        if amount > self.MAX_PRICE:
            raise PriceTooHigh(f"the most an order may cost is {self.MAX_PRICE}, got {amount}")
        self._orders[o] = OrderRecord(price=amount)

    def pay(self, o: Hashable, payment: int) -> None:
        self._require_open_shop()
        record = self._get(o)
        if record.status is not Status.created:
            raise NotAwaitingPayment(f"order {o!r} is {record.status.name}")
        if payment != record.price:
            raise WrongAmount(f"order {o!r} costs {record.price}, got {payment}")
        record.paid_amount = payment
        record.status = Status.paid

    def ship(self, o: Hashable) -> None:
        record = self._get(o)
        if record.status is not Status.paid:
            raise NotPaid(f"order {o!r} is {record.status.name}")
        record.status = Status.shipped

    def deliver(self, o: Hashable) -> None:
        record = self._get(o)
        if record.status is not Status.shipped:
            raise NotShipped(f"order {o!r} is {record.status.name}")
        record.status = Status.delivered

    def cancel(self, o: Hashable) -> None:
        record = self._get(o)
        if record.status not in CANCELLABLE:
            raise TooLateToCancel(f"order {o!r} is already {record.status.name}")
        record.paid_amount = 0  # refund
        record.status = Status.cancelled

    def close_shop(self) -> None:
        self._require_open_shop()
        busy = [o for o, r in self._orders.items() if r.status in IN_FLIGHT]
        if busy:
            raise OrdersInFlight(f"orders still to ship or in transit: {busy!r}")
        self.shop_open = False

    def open_shop(self) -> None:
        if self.shop_open:
            raise ShopAlreadyOpen("the shop is already open")
        self.shop_open = True

    def track(self, o: Hashable) -> Status:
        return self._get(o).status


class SlowTracking(OrderLifecycle):
    """Correct, but the status page takes 300 ms (a lookup that scans an archive):
    `specforge load` reports ORD-LAT-1 broken."""

    def track(self, o: Hashable) -> Status:
        import time

        time.sleep(0.3)
        return super().track(o)
