"""Buggy variants of `examples/impl/tickets.py` (spec TicketOffice, `examples/tickets.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

try:
    from ..impl import tickets as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_tickets", pathlib.Path(__file__).resolve().parents[1] / "impl" / "tickets.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class ReleaseForgetsSeat(impl.TicketOffice):
    """A release that forgets to remove the seat: the buyer keeps holding it.

    Caught by release's effect `held[b] := remove(held[b], s)`: hold, then release.
    """

    def release(self, b, s) -> None:
        if s not in self._holds.get(b, set()):
            raise impl.NotHeld(f"buyer {b!r} does not hold seat {s!r}")


class BuyKeepsHold(impl.TicketOffice):
    """A sale that leaves the seat in the buyer's hold: it is sold and held at once.

    Caught by TIX-1 and by buy's effect on `held`: hold, then buy.
    """

    def buy(self, b, s) -> None:
        if s not in self._holds.get(b, set()):
            raise impl.NotHeld(f"buyer {b!r} does not hold seat {s!r}")
        self.sold.add(s)
        self.tally += 1


class HoldChecksOnlyOwnHold(impl.TicketOffice):
    """A double hold: hold looks only at the buyer's own seats, so two buyers can hold one seat.

    Caught by TIX-2 and by hold's guard `else SeatHeld`: one buyer holds a seat, another holds it.
    """

    def _holder(self, seat):
        return None


class RefundKeepsTally(impl.TicketOffice):
    """A refund the till never sees: the seat goes back on sale but the tally still counts it.

    Caught by TIX-4 and by refund's effect `tally := tally - 1`: hold, buy, refund.
    """

    def refund(self, s) -> None:
        if s not in self.sold:
            raise impl.NotSold(f"seat {s!r} is not sold")
        self.sold.discard(s)


class HoldLimitOffByOne(impl.TicketOffice):
    """Wrong boundary: a buyer may hold MAX_HOLD + 1 seats (`>` where the spec says `>=`).

    Caught by TIX-3 and by hold's guard `else HoldLimit`: one buyer holds two seats.
    """

    def hold(self, b, s) -> None:
        if s in self.sold:
            raise impl.SeatSold(f"seat {s!r} is sold")
        if self._holder(s) is not None:
            raise impl.SeatHeld(f"seat {s!r} is held")
        seats = self._holds.setdefault(b, set())
        if len(seats) > self.MAX_HOLD:
            raise impl.HoldLimit(f"buyer {b!r} already holds {len(seats)} seats")
        seats.add(s)


MUTANTS = [
    ReleaseForgetsSeat,
    BuyKeepsHold,
    HoldChecksOnlyOwnHold,
    RefundKeepsTally,
    HoldLimitOffByOne,
]
