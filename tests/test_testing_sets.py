"""Sets as values in the property tests: what an implementation may hold, and what the tests pass it."""

from __future__ import annotations

import unittest

from specforge.testing import machine_class

from .test_prove_sets import PERKS


class TooMany(Exception):
    pass


class LoungeNeedsParking(Exception):
    pass


class Perks:
    """Keeps its perks in a set and its guests in a list: any iterable of the members is a set value."""

    def __init__(self):
        self.perks: set = set()
        self.guests: list = []

    def grant(self, ps):
        assert isinstance(ps, frozenset)
        if len(ps) > 2:
            raise TooMany()
        if "lounge" in ps and "parking" not in ps:
            raise LoungeNeedsParking()
        self.perks |= ps

    def admit(self, gs):
        self.guests += [g for g in gs if g not in self.guests]


class GrantWithoutPair(Perks):
    def grant(self, ps):
        if len(ps) > 2:
            raise TooMany()
        self.perks |= ps


class GuestsAsText(Perks):
    def __init__(self):
        super().__init__()
        self.guests = ""


def run(factory) -> list[BaseException]:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(machine_class(PERKS, factory).TestCase).run(result)
    return [err for _, err in result.failures + result.errors]


def test_an_implementation_that_keeps_sets_as_a_set_and_a_list_passes():
    assert run(Perks) == []


def test_a_grant_that_skips_a_guard_on_a_set_parameter_is_caught_by_the_spec():
    failures = run(GrantWithoutPair)
    assert failures and "LoungeNeedsParking" in failures[0]


def test_a_string_is_not_read_as_a_set_of_its_characters():
    failures = run(GuestsAsText)
    assert failures and "`guests` is a set" in failures[0]
