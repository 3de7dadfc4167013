"""Records and optional values in the property tests: what an implementation may hold, what the tests
pass it, and the mutants that mishandle a record's field or `none` and are caught."""

from __future__ import annotations

import dataclasses
import unittest

import pytest

from specforge.testing import machine_class
from specforge.testing.records import RecordValue

from .test_records import INBOX


class Inconsistent(Exception):
    pass


class OwnedSpam(Exception):
    pass


class Unreviewed(Exception):
    pass


class AtTop(Exception):
    pass


class Spam(Exception):
    pass


class Busy(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Triage:
    category: str
    priority: int
    reviewed: bool


FRESH = Triage("work", 2, False)


class Inbox:
    """Keeps each email's triage as a frozen dataclass, the owner as an email or None."""

    def __init__(self, Email=()):
        self.triage = {e: FRESH for e in Email}
        self.owner = None
        self.last = None

    def classify(self, e, t):
        assert isinstance(t, RecordValue) and t.priority == t["priority"]
        if t.category == "spam" and t.priority != 1:
            raise Inconsistent()
        if self.owner == e and t.category == "spam":
            raise OwnedSpam()
        if t.category == "spam" and not t.reviewed:
            raise Unreviewed()
        self.triage[e] = Triage(t.category, t.priority, t.reviewed)
        self.last = t

    def bump(self, e):
        if self.triage[e].priority >= 3:
            raise AtTop()
        if self.triage[e].category == "spam":
            raise Spam()
        self.triage[e] = dataclasses.replace(self.triage[e], priority=self.triage[e].priority + 1)

    def take(self, e):
        if self.owner is not None:
            raise Busy()
        if self.triage[e].category == "spam":
            raise Spam()
        self.owner = e

    def release(self):
        self.owner = None


class InboxOfDicts(Inbox):
    """Keeps each triage as a plain dict: a mapping with the fields as keys is a record too."""

    def __init__(self, Email=()):
        super().__init__(Email)
        self.triage = {e: dataclasses.asdict(FRESH) for e in Email}

    def classify(self, e, t):
        super().classify(e, t)
        self.triage[e] = dict(t)

    def bump(self, e):
        if self.triage[e]["priority"] >= 3:
            raise AtTop()
        if self.triage[e]["category"] == "spam":
            raise Spam()
        self.triage[e] = {**self.triage[e], "priority": self.triage[e]["priority"] + 1}

    def take(self, e):
        if self.owner is not None:
            raise Busy()
        if self.triage[e]["category"] == "spam":
            raise Spam()
        self.owner = e


class BumpResetsReview(Inbox):
    """Rebuilds the record on a bump and forgets its `reviewed` field."""

    def bump(self, e):
        super().bump(e)
        self.triage[e] = dataclasses.replace(self.triage[e], reviewed=False)


class ReleaseKeepsOwner(Inbox):
    """Writes an empty string for `none`: an owner that is not None is present."""

    def release(self):
        self.owner = ""


class TakeOverwritesOwner(Inbox):
    """Takes an email while another is owned: the check for `none` is missing."""

    def take(self, e):
        if self.triage[e].category == "spam":
            raise Spam()
        self.owner = e


class StoresWithoutPriority(Inbox):
    def classify(self, e, t):
        super().classify(e, t)
        self.triage[e] = {"category": t.category, "reviewed": t.reviewed}


def run(factory) -> list[str]:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(machine_class(INBOX, factory).TestCase).run(result)
    return [err for _, err in result.failures + result.errors]


@pytest.mark.parametrize("factory", [Inbox, InboxOfDicts], ids=["dataclasses", "dicts"])
def test_an_implementation_keeping_records_as_dataclasses_or_dicts_and_none_as_none_passes(factory):
    assert run(factory) == []


@pytest.mark.parametrize(("mutant", "says"), [
    (BumpResetsReview, "reviewed"),
    (ReleaseKeepsOwner, "owner"),
    (TakeOverwritesOwner, "Busy"),
    (StoresWithoutPriority, "has no key `priority`"),
], ids=["a bump that forgets a field", "none written as an empty string", "a missing check for none",
        "a record stored without a field"])
def test_a_mutant_mishandling_a_record_field_or_none_is_caught(mutant, says):
    failures = run(mutant)
    assert failures and says in failures[0], failures[:1]


def test_a_record_argument_is_immutable_and_equal_to_a_mapping_of_its_fields():
    t = RecordValue({"category": "work", "priority": 2})
    assert t.priority == t["priority"] == 2 and t == {"category": "work", "priority": 2}
    assert hash(t) == hash(RecordValue({"priority": 2, "category": "work"}))
    with pytest.raises(AttributeError):
        t.priority = 3
