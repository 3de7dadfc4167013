"""Buggy variants of `examples/impl/inbox.py` (spec Inbox, `examples/inbox.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

try:
    from ..impl import inbox as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_inbox", pathlib.Path(__file__).resolve().parents[1] / "impl" / "inbox.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class QueueAtOrBelowSure(impl.Inbox):
    """An off-by-one threshold: a classification of exactly SURE confidence is queued too.

    Caught by classify's effect `queued: t.confidence < SURE`: classify with confidence 0.65.
    """

    def classify(self, e, t) -> None:
        super().classify(e, t)
        current = self._triage[e]
        self._triage[e] = dataclasses.replace(current, queued=current.confidence <= impl.SURE)


class EscalateDropsQueue(impl.Inbox):
    """An escalation that rebuilds the record and forgets a field: the email leaves the human queue.

    Caught by escalate's effect (a field update keeps the other fields) and by INB-2: classify an
    unsure answer, then escalate it.
    """

    def escalate(self, e) -> None:
        super().escalate(e)
        self._triage[e] = dataclasses.replace(self._triage[e], queued=False)


class ResolveKeepsClaim(impl.Inbox):
    """A resolve that never lets go of the email: `claimed` stays set instead of becoming none.

    Caught by resolve's effect `claimed := none`: claim, then resolve.
    """

    def resolve(self, e, c) -> None:
        claimed = self.claimed
        super().resolve(e, c)
        self.claimed = claimed


class ClaimWhileBusy(impl.Inbox):
    """A claim that does not check for none: a second claim takes over the first.

    Caught by claim's guard `requires claimed == none else Busy`: claim two queued emails.
    """

    def claim(self, e) -> None:
        if not self.triage[e].queued:
            raise impl.NotQueued(f"{e!r} is not in the queue")
        self.claimed = e


class ResolveKeepsModelPriority(impl.Inbox):
    """A human's spam verdict keeps the model's priority: spam above the lowest priority.

    Caught by INB-1 and by resolve's effect: classify, claim, resolve as spam.
    """

    def resolve(self, e, c) -> None:
        priority = self.triage[e].priority
        super().resolve(e, c)
        self._triage[e] = impl.Triage(c, priority, Decimal(1), False)


MUTANTS = [
    QueueAtOrBelowSure,
    EscalateDropsQueue,
    ResolveKeepsClaim,
    ClaimWhileBusy,
    ResolveKeepsModelPriority,
]
