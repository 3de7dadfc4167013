"""The triage step of an email assistant: the implementation behind `examples/inbox.sf` (spec Inbox).

Each email's triage is a frozen dataclass, kept in a dict from the first time the email is
classified; `triage` is a read-only total view over it (an email never seen has the UNSEEN
triage), so any hashable value works as an email id. The email a human works on and the model's
last answer are None until there is one. Confidences are `decimal.Decimal`s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterator, Mapping
from decimal import Decimal

SURE = Decimal("0.65")


class InboxError(Exception):
    """Base class of every refusal of the inbox."""


class InvalidConfidence(InboxError):
    pass


class InconsistentPriority(InboxError):
    pass


class Claimed(InboxError):
    pass


class NotClassified(InboxError):
    pass


class IsSpam(InboxError):
    pass


class TopPriority(InboxError):
    pass


class Busy(InboxError):
    pass


class NotQueued(InboxError):
    pass


class NotClaimed(InboxError):
    pass


@dataclasses.dataclass(frozen=True)
class Triage:
    category: str  # "spam", "work" or "personal"
    priority: int  # 1 (lowest) to 5
    confidence: Decimal
    queued: bool


UNSEEN = Triage("work", 3, Decimal(0), False)


class Triages(Mapping):
    """email -> its Triage; total (an email never classified is UNSEEN)."""

    def __init__(self, data: dict[Hashable, Triage]):
        self._data = data

    def __getitem__(self, email: Hashable) -> Triage:
        return self._data.get(email, UNSEEN)

    def __contains__(self, email: object) -> bool:
        return True

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class Inbox:
    def __init__(self) -> None:
        self._triage: dict[Hashable, Triage] = {}
        self.claimed: Hashable | None = None
        self.last = None  # the model's last answer, as it was given

    @property
    def triage(self) -> Mapping[Hashable, Triage]:
        return Triages(self._triage)

    def classify(self, e, t) -> None:
        if not 0 <= t.confidence <= 1:
            raise InvalidConfidence(f"confidence {t.confidence} is not a probability")
        if t.category == "spam" and t.priority != 1:
            raise InconsistentPriority("spam has priority 1")
        if self.claimed == e:
            raise Claimed(f"a human works on {e!r}")
        self._triage[e] = Triage(t.category, t.priority, Decimal(t.confidence), t.confidence < SURE)
        self.last = t

    def escalate(self, e) -> None:
        current = self.triage[e]
        if current == UNSEEN:
            raise NotClassified(f"{e!r} has not been classified")
        if current.category == "spam":
            raise IsSpam(f"{e!r} is spam")
        if current.priority >= 5:
            raise TopPriority(f"{e!r} has the top priority")
        self._triage[e] = dataclasses.replace(current, priority=current.priority + 1)

    def claim(self, e) -> None:
        if self.claimed is not None:
            raise Busy(f"a human works on {self.claimed!r}")
        if not self.triage[e].queued:
            raise NotQueued(f"{e!r} is not in the queue")
        self.claimed = e

    def resolve(self, e, c) -> None:
        if self.claimed != e or self.claimed is None:
            raise NotClaimed(f"{e!r} is not the claimed email")
        priority = 1 if c == "spam" else self.triage[e].priority
        self._triage[e] = Triage(c, priority, Decimal(1), False)
        self.claimed = None
