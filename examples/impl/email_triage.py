"""The triage step of a support inbox: the implementation behind `examples/email_triage.sf` (spec EmailTriage).

A real deployment would ask a language model; this one classifies with keyword rules so that its
answers are reproducible, and it prices each call as a model would (per character of the email),
reporting the price as `last_cost` in USD for `specforge load`'s cost constraint. Its answer is a
`Triage` dataclass; the confidence is an exact `Decimal`.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

MAX_SUMMARY_WORDS = 60
MAX_SUBJECT = 200
SURE = Decimal("0.65")
PRICE_PER_CHARACTER = Decimal("0.000004")  # USD
BASE_PRICE = Decimal("0.0005")  # USD per call
MAX_PRICED_CHARACTERS = 2_000  # longer emails are cut before they reach the model


class Category(enum.Enum):
    billing = "billing"
    technical = "technical"
    sales = "sales"
    spam = "spam"


class Route(enum.Enum):
    automatic = "automatic"
    human_queue = "human_queue"


@dataclass(frozen=True)
class Triage:
    category: Category
    priority: int
    summary: str
    suggested_action: str
    confidence: Decimal
    route: Route


class TriageError(Exception):
    """Base class of every refusal of the step."""


class MissingSubject(TriageError):
    pass


class SubjectTooLong(TriageError):
    pass


class MissingBody(TriageError):
    pass


class AlreadyTriaged(TriageError):
    pass


class QueueEmpty(TriageError):
    pass


KEYWORDS = {
    Category.billing: ("invoice", "refund", "charge", "payment"),
    Category.technical: ("error", "crash", "login", "bug"),
    Category.sales: ("pricing", "quote", "demo", "plan"),
    Category.spam: ("winner", "prize", "lottery", "unsubscribe"),
}
ACTIONS = {
    Category.billing: "forward to billing",
    Category.technical: "open a support ticket",
    Category.sales: "reply with the pricing page",
    Category.spam: "archive",
}


def classify(subject: str, body: str) -> tuple[Category, Decimal]:
    """The category with the most keyword hits; the confidence is its share of all hits."""
    text = f"{subject} {body}".lower()
    hits = {c: sum(text.count(k) for k in words) for c, words in KEYWORDS.items()}
    best = max(hits, key=lambda c: (hits[c], c is Category.technical))
    total = sum(hits.values())
    confidence = Decimal(hits[best]) / Decimal(total) if total else Decimal("0.5")
    return best, confidence.quantize(Decimal("0.01"))


def summarise(subject: str, body: str) -> str:
    """The body's first sixty words; the subject where the body has no word."""
    return " ".join(body.split()[:MAX_SUMMARY_WORDS]) or " ".join(subject.split()[:MAX_SUMMARY_WORDS]) or "(no text)"


class EmailTriage:
    def __init__(self) -> None:
        self._triaged: set[Hashable] = set()
        self.queued = 0
        self.settled = 0
        self.last_cost: Decimal | None = None

    @property
    def triaged(self) -> dict:
        return _Seen(self._triaged)

    def triage(self, e: Hashable, subject: str, body: str) -> Triage:
        self.last_cost = None
        if subject == "":
            raise MissingSubject("an email needs a subject")
        if len(subject) > MAX_SUBJECT:
            raise SubjectTooLong(f"a subject has at most {MAX_SUBJECT} characters")
        if body == "":
            raise MissingBody("an email needs a body")
        if e in self._triaged:
            raise AlreadyTriaged(f"email {e!r} was triaged already")
        self._triaged.add(e)
        self.last_cost = BASE_PRICE + PRICE_PER_CHARACTER * min(len(subject) + len(body), MAX_PRICED_CHARACTERS)
        category, confidence = classify(subject, body)
        answer = Triage(category=category, priority=1 if category is Category.spam else 3,
                        summary=summarise(subject, body), suggested_action=ACTIONS[category],
                        confidence=confidence, route=Route.automatic if confidence >= SURE else Route.human_queue)
        if answer.route is Route.human_queue:
            self.queued += 1
        return answer

    def settle(self) -> None:
        if self.settled >= self.queued:
            raise QueueEmpty("nothing waits for a person")
        self.settled += 1


class _Seen(dict):
    """`triaged` as the spec reads it: false for an email never seen."""

    def __init__(self, seen: set):
        super().__init__()
        self._seen = seen

    def __getitem__(self, e):
        return e in self._seen

    def __contains__(self, e) -> bool:
        return True
