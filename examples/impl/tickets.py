"""A box office for one show: the implementation behind `examples/tickets.sf` (spec TicketOffice).

Holds are kept per buyer as Python sets, created the first time a buyer holds a
seat; `held` is a read-only total view over them (a buyer never seen holds no
seat), so any hashable value works as a buyer or seat id. Sold seats are a set,
and `tally` counts sales as the till does.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping


class BoxOfficeError(Exception):
    """Base class of every refusal of the box office."""


class SeatSold(BoxOfficeError):
    pass


class SeatHeld(BoxOfficeError):
    pass


class HoldLimit(BoxOfficeError):
    pass


class NotHeld(BoxOfficeError):
    pass


class NotSold(BoxOfficeError):
    pass


class Holds(Mapping):
    """buyer -> the frozenset of seats the buyer holds; total (an unknown buyer holds none)."""

    def __init__(self, data: dict[Hashable, set]):
        self._data = data

    def __getitem__(self, buyer: Hashable) -> frozenset:
        return frozenset(self._data.get(buyer, ()))

    def __contains__(self, buyer: object) -> bool:
        return True

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class TicketOffice:
    MAX_HOLD = 1

    def __init__(self) -> None:
        self._holds: dict[Hashable, set] = {}
        self.sold: set = set()
        self.tally = 0

    @property
    def held(self) -> Holds:
        return Holds(self._holds)

    def _holder(self, seat: Hashable) -> Hashable | None:
        return next((b for b, seats in self._holds.items() if seat in seats), None)

    def hold(self, b: Hashable, s: Hashable) -> None:
        if s in self.sold:
            raise SeatSold(f"seat {s!r} is sold")
        if self._holder(s) is not None:
            raise SeatHeld(f"seat {s!r} is held")
        seats = self._holds.setdefault(b, set())
        if len(seats) >= self.MAX_HOLD:
            raise HoldLimit(f"buyer {b!r} already holds {len(seats)} seats")
        seats.add(s)

    def release(self, b: Hashable, s: Hashable) -> None:
        seats = self._holds.get(b, set())
        if s not in seats:
            raise NotHeld(f"buyer {b!r} does not hold seat {s!r}")
        seats.discard(s)

    def buy(self, b: Hashable, s: Hashable) -> None:
        seats = self._holds.get(b, set())
        if s not in seats:
            raise NotHeld(f"buyer {b!r} does not hold seat {s!r}")
        seats.discard(s)
        self.sold.add(s)
        self.tally += 1

    def refund(self, s: Hashable) -> None:
        if s not in self.sold:
            raise NotSold(f"seat {s!r} is not sold")
        self.sold.discard(s)
        self.tally -= 1
