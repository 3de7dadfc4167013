"""Buggy variants of `examples/impl/order.py` (spec OrderLifecycle, `examples/order.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import order as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_order", pathlib.Path(__file__).resolve().parents[1] / "impl" / "order.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)

Status = impl.Status


class ShipUnpaid(impl.OrderLifecycle):
    """Missing guard: ship only checks that the order exists and is not yet
    on its way, so an unpaid order can ship.

    Caught by ship's `requires status[o] == paid else NotPaid` (and ORD-1,
    ORD-4): `place(o, 10)` then `ship(o)` must raise NotPaid.
    """

    def ship(self, o) -> None:
        record = self._get(o)
        if record.status in (Status.shipped, Status.delivered, Status.cancelled):
            raise impl.NotPaid(f"order {o!r} is {record.status.name}")
        record.status = Status.shipped


class CancelWithoutRefund(impl.OrderLifecycle):
    """Missing update: cancel marks the order cancelled but keeps the money.

    Caught by cancel's effect `paid_amount[o] := 0` (and ORD-4): place, pay
    at the price, cancel must leave paid_amount at 0.
    """

    def cancel(self, o) -> None:
        record = self._get(o)
        if record.status not in impl.CANCELLABLE:
            raise impl.TooLateToCancel(f"order {o!r} is already {record.status.name}")
        record.status = Status.cancelled


class PayChecksAmountFirst(impl.OrderLifecycle):
    """Guard order swap: pay compares the amount with the price before
    checking that the order is awaiting payment.

    Caught by pay's guard order (NotAwaitingPayment is the third guard,
    WrongAmount the fourth): paying an already paid or cancelled order a
    wrong amount must raise NotAwaitingPayment.
    """

    def pay(self, o, payment: int) -> None:
        self._require_open_shop()
        record = self._get(o)
        if payment != record.price:
            raise impl.WrongAmount(f"order {o!r} costs {record.price}")
        super().pay(o=o, payment=payment)


class CloseShopIgnoresShipped(impl.OrderLifecycle):
    """Incomplete guard: close_shop looks for paid orders only and forgets the
    ones in transit.

    Caught by close_shop's `requires ¬(∃ o ∈ Order: status[o] == paid ∨
    status[o] == shipped) else OrdersInFlight` (and ORD-5): place, pay, ship,
    close_shop must raise OrdersInFlight.
    """

    def close_shop(self) -> None:
        self._require_open_shop()
        if any(r.status is Status.paid for r in self._orders.values()):
            raise impl.OrdersInFlight("orders still waiting to ship")
        self.shop_open = False


class PlaceRecordsBeforeValidating(impl.OrderLifecycle):
    """State changed before raising: place stores the order record before
    validating the price, and leaves it there when the price is refused.

    Caught by "a failed guard leaves the state unchanged" on place's
    InvalidPrice and PriceTooHigh guards: `place(o, 0)` must leave placed[o]
    false.
    """

    def place(self, o, amount: int) -> None:
        self._require_open_shop()
        if o in self._orders:
            raise impl.DuplicateOrder(f"order {o!r} was already placed")
        self._orders[o] = impl.OrderRecord(price=amount)
        if amount <= 0:
            raise impl.InvalidPrice("a price must be positive")
        if amount > self.MAX_PRICE:
            raise impl.PriceTooHigh("too expensive")


class PriceCapOffByOne(impl.OrderLifecycle):
    """Off-by-one in a guard: an order costing exactly MAX_PRICE (50 000) is refused.

    Caught by place's `requires amount <= MAX_PRICE else PriceTooHigh`:
    `place(o, 50000)` must succeed.
    """

    def place(self, o, amount: int) -> None:
        if amount == self.MAX_PRICE and self.shop_open and o not in self._orders:
            raise impl.PriceTooHigh("too expensive")
        super().place(o=o, amount=amount)


class DeliverRaisesNotPaid(impl.OrderLifecycle):
    """Wrong exception: deliver reuses ship's error, NotPaid, for an order
    that has not shipped.

    Caught by deliver's `requires status[o] == shipped else NotShipped`:
    `place(o, 10)` then `deliver(o)` must raise NotShipped.
    """

    def deliver(self, o) -> None:
        record = self._get(o)
        if record.status is not Status.shipped:
            raise impl.NotPaid(f"order {o!r} is {record.status.name}")
        record.status = Status.delivered


class ShipSkipsToDelivered(impl.OrderLifecycle):
    """Wrong value in an update: ship marks the order delivered straight away
    (a "digital goods" shortcut applied to everything).

    Caught by ship's effect `status[o] := shipped`: place, pay, ship must
    leave the order shipped (and deliver must then succeed).
    """

    def ship(self, o) -> None:
        super().ship(o=o)
        self._orders[o].status = Status.delivered


class TrackShowsPaidAsShipped(impl.OrderLifecycle):
    """Wrong answer: track tells a customer whose order is paid that it has
    shipped (the page groups "paid" with "on its way").

    Caught by track's `returns status[o]`: place, pay, track must answer
    `paid`.
    """

    def track(self, o) -> Status:
        status = super().track(o=o)
        return Status.shipped if status is Status.paid else status


MUTANTS = [
    ShipUnpaid,
    CancelWithoutRefund,
    PayChecksAmountFirst,
    CloseShopIgnoresShipped,
    PlaceRecordsBeforeValidating,
    PriceCapOffByOne,
    DeliverRaisesNotPaid,
    ShipSkipsToDelivered,
    TrackShowsPaidAsShipped,
]
