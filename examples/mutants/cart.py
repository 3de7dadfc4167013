"""Buggy variants of `examples/impl/cart.py` (spec CartReservation, `examples/cart.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import cart as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_cart", pathlib.Path(__file__).resolve().parents[1] / "impl" / "cart.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class ReserveLeavesShelf(impl.CartReservation):
    """Lost update: a reservation adds to the cart but never takes the units off the shelf.

    Caught by CART-1 (the units are counted twice, on the shelf and in the cart)
    and by reserve's effect `stock[i] := stock[i] - n`: restock, then reserve.
    """

    def reserve(self, c, i, n: int) -> None:
        shelf = self._shelf[i]
        super().reserve(c=c, i=i, n=n)
        self._shelf[i] = shelf


class ExpiryDropsUnits(impl.CartReservation):
    """Units vanish: an expired cart is emptied but its units are not put back on the shelf.

    Caught by CART-1 (they are nowhere any more) and by expire's effect on
    `stock`: reserve, wait out the hold, expire.
    """

    def expire(self, c) -> None:
        if not self._expired(c):
            raise impl.NotExpired(f"cart {c!r} has not expired")
        self._empty(c)


class ReleaseKeepsLine(impl.CartReservation):
    """Double count: a release puts the units back on the shelf but leaves them in the cart.

    Caught by CART-1 and by release's effect `reserved[c][i] := 0`.
    """

    def release(self, c, i) -> None:
        cart = self._carts.get(c)
        units = cart.lines.get(i, 0) if cart is not None else 0
        if units == 0:
            raise impl.NothingReserved(f"cart {c!r} holds no {i!r}")
        self._shelf[i] += units


class CheckoutAfterExpiry(impl.CartReservation):
    """Missing guard: an expired cart can still be checked out (the hold is not enforced).

    Caught by checkout's `requires not expired(c) else CartExpired`.
    """

    def checkout(self, c) -> None:
        cart = self._carts.get(c)
        if cart is None or not cart.lines:
            raise impl.EmptyCart(f"cart {c!r} is empty")
        for item, units in self._empty(c).items():
            self._sold[item] += units


class CartLimitOffByOne(impl.CartReservation):
    """Off by one: a cart may hold MAX_PER_CART + 1 units of an item.

    Caught by reserve's `requires reserved[c][i] + n <= MAX_PER_CART else
    CartLimit` (and CART-2).
    """

    MAX_PER_CART = impl.CartReservation.MAX_PER_CART + 1


class HoldNotRenewed(impl.CartReservation):
    """Stale clock: a reservation does not restart the cart's hold.

    Caught by reserve's effect `held_since[c] := now`: tick, then reserve.
    """

    def reserve(self, c, i, n: int) -> None:
        before = self._carts[c].since if c in self._carts else None
        super().reserve(c=c, i=i, n=n)
        if before is not None:
            self._carts[c].since = before


class HoldMeasuredFromStart(impl.CartReservation):
    """Wrong boundary: a hold lapses only strictly after HOLD (`>` where the spec says `>=`).

    Caught by `expired(c)` in reserve, expire and checkout: a cart exactly HOLD
    old must refuse a reservation with CartExpired.
    """

    def _expired(self, c) -> bool:
        cart = self._carts.get(c)
        return cart is not None and bool(cart.lines) and self.now - cart.since > self.HOLD


MUTANTS = [
    ReserveLeavesShelf,
    ExpiryDropsUnits,
    ReleaseKeepsLine,
    CheckoutAfterExpiry,
    CartLimitOffByOne,
    HoldNotRenewed,
    HoldMeasuredFromStart,
]
