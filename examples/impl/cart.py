"""A cart-reservation service: the implementation behind `examples/cart.sf` (spec CartReservation).

The service keeps a shelf count and a received count per item, a sold count per
item, and one `CartRecord` per cart id (its lines and when its hold started),
created the first time the cart reserves something. The spec's maps are
read-only views over those records; a cart or item the service has never seen
reads as empty, exactly as the spec's `init` says, so any hashable value works
as an id. Time is a `datetime.timedelta` since the service started (`now`,
`held_since[c]`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field


class CartError(Exception):
    """Base class of every refusal of the service."""


class InvalidQuantity(CartError):
    pass


class InvalidDuration(CartError):
    pass


class CartExpired(CartError):
    pass


class CartLimit(CartError):
    pass


class OutOfStock(CartError):
    pass


class NothingReserved(CartError):
    pass


class NotExpired(CartError):
    pass


class EmptyCart(CartError):
    pass


@dataclass
class CartRecord:
    lines: dict[Hashable, int] = field(default_factory=dict)  # item -> units reserved (no zero entries)
    since: datetime.timedelta = datetime.timedelta(0)  # when the last reservation was made


class View(Mapping):
    """A read-only total mapping over a dict (an unknown key reads as `missing()`)."""

    def __init__(self, data: Mapping, read: Callable = lambda v: v, missing: Callable = lambda: 0):
        self._data = data
        self._read = read
        self._missing = missing

    def __getitem__(self, key: Hashable):
        return self._read(self._data[key]) if key in self._data else self._missing()

    def __contains__(self, key: object) -> bool:
        return True  # total: every id has a value

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr({k: self[k] for k in self._data})


_EMPTY: dict = {}


class CartReservation:
    MAX_PER_CART = 10
    HOLD = datetime.timedelta(minutes=15)

    def __init__(self) -> None:
        self.now = datetime.timedelta(0)
        self._received: dict[Hashable, int] = defaultdict(int)
        self._shelf: dict[Hashable, int] = defaultdict(int)
        self._sold: dict[Hashable, int] = defaultdict(int)
        self._carts: dict[Hashable, CartRecord] = {}

    # -- the spec's state, as views

    @property
    def received(self) -> View:
        return View(self._received)

    @property
    def stock(self) -> View:
        return View(self._shelf)

    @property
    def sold(self) -> View:
        return View(self._sold)

    @property
    def reserved(self) -> View:
        return View(self._carts, lambda cart: View(cart.lines), lambda: View(_EMPTY))

    @property
    def held_since(self) -> View:
        return View(self._carts, lambda cart: cart.since, lambda: datetime.timedelta(0))

    def __repr__(self) -> str:
        return f"CartReservation(now={self.now}, shelf={dict(self._shelf)}, carts={self._carts})"

    # -- helpers

    def _cart(self, c: Hashable) -> CartRecord:
        return self._carts.setdefault(c, CartRecord())

    def _expired(self, c: Hashable) -> bool:
        cart = self._carts.get(c)
        return cart is not None and bool(cart.lines) and self.now - cart.since >= self.HOLD

    def _empty(self, c: Hashable) -> dict[Hashable, int]:
        """Takes every line out of the cart and returns them."""
        cart = self._carts.get(c)
        if cart is None:
            return {}
        lines, cart.lines = cart.lines, {}
        return lines

    # -- operations

    def restock(self, i: Hashable, n: int) -> None:
        if n <= 0:
            raise InvalidQuantity(f"quantity must be positive, got {n}")
        self._shelf[i] += n
        self._received[i] += n

    def reserve(self, c: Hashable, i: Hashable, n: int) -> None:
        if n <= 0:
            raise InvalidQuantity(f"quantity must be positive, got {n}")
        if self._expired(c):
            raise CartExpired(f"cart {c!r} has expired")
        cart = self._cart(c)
        if cart.lines.get(i, 0) + n > self.MAX_PER_CART:
            raise CartLimit(f"cart {c!r} may hold at most {self.MAX_PER_CART} of {i!r}")
        if n > self._shelf[i]:
            raise OutOfStock(f"only {self._shelf[i]} of {i!r} left")
        cart.lines[i] = cart.lines.get(i, 0) + n
        self._shelf[i] -= n
        cart.since = self.now

    def release(self, c: Hashable, i: Hashable) -> None:
        cart = self._carts.get(c)
        units = cart.lines.pop(i, 0) if cart is not None else 0
        if units == 0:
            raise NothingReserved(f"cart {c!r} holds no {i!r}")
        self._shelf[i] += units

    def expire(self, c: Hashable) -> None:
        if not self._expired(c):
            raise NotExpired(f"cart {c!r} has not expired")
        for item, units in self._empty(c).items():
            self._shelf[item] += units

    def checkout(self, c: Hashable) -> None:
        cart = self._carts.get(c)
        if cart is None or not cart.lines:
            raise EmptyCart(f"cart {c!r} is empty")
        if self._expired(c):
            raise CartExpired(f"cart {c!r} has expired")
        for item, units in self._empty(c).items():
            self._sold[item] += units

    def tick(self, d: datetime.timedelta) -> None:
        if d <= datetime.timedelta(0):
            raise InvalidDuration(f"time only moves forward, got {d}")
        self.now += d
