"""Quantities printed for people: the largest unit that divides the value exactly, zero in seconds."""

import pytest

from specforge.units import describe


@pytest.mark.parametrize("ms,text", [(0, "0 s"), (2000, "2 s"), (1500, "1500 ms"), (90_000, "90 s"),
                                     (20 * 86_400_000, "20 d"), (-3_600_000, "-1 h")])
def test_a_duration_prints_in_its_largest_exact_unit_and_zero_in_seconds(ms, text):
    assert describe(ms, "time") == text
