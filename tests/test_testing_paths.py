"""The property-test runner's less travelled paths: a wrong initial state, an invariant the
implementation's state gives no value, and an implementation that cannot be read or called."""

from __future__ import annotations

import datetime

import pytest

from specforge.frontend import load_text
from specforge.testing import SpecRunner, SpecViolation
from specforge.testing.binding import Binding, BindingError

SCALE = """\
spec Scale
state {
  weight: int
  parts: int
}
init {
  weight := 12
  parts := 3
}
invariant EVEN MUST "every part weighs the same": weight % parts == 0
action split(n: int) {
  requires n >= 0 else Negative
  parts := n
}
"""


def spec():
    loaded = load_text(SCALE, "scale.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


class Scale:
    def __init__(self):
        self.weight = 12
        self.parts = 3

    def split(self, n):
        if n < 0:
            raise ValueError("Negative")
        self.parts = n


class StartsEmpty(Scale):
    def __init__(self):
        super().__init__()
        self.weight = 0


class SplitsOneMore(Scale):
    def split(self, n):
        super().split(n + 1)


class NoParts:
    def __init__(self):
        self.weight = 12


class CannotSplit:
    def __init__(self):
        self.weight = 12
        self.parts = 3


def test_an_implementation_that_starts_in_another_state_fails_at_once():
    with pytest.raises(SpecViolation) as caught:
        SpecRunner(spec(), StartsEmpty, source=SCALE)
    assert caught.value.kind == ("state", None, ("weight",))
    assert str(caught.value).startswith("the initial state: `weight`: the spec says 12, the implementation has 0")


def test_a_call_that_leaves_another_state_than_the_spec_says_fails_at_that_call():
    runner = SpecRunner(spec(), SplitsOneMore, source=SCALE)
    with pytest.raises(SpecViolation) as caught:
        runner.apply("split", {"n": 2})
    assert caught.value.kind == ("state", "split", ("parts",))
    assert str(caught.value).startswith("after split(n=2): `parts`: the spec says 2, the implementation has 3")


def test_an_invariant_false_on_the_implementations_state_is_a_violation():
    runner = SpecRunner(spec(), Scale, source=SCALE)
    runner.apply("split", {"n": 5})  # the spec allows it, and 12 % 5 != 0: the spec's own invariant breaks
    with pytest.raises(SpecViolation) as caught:
        runner.check_invariants()
    assert caught.value.kind == ("invariant", "EVEN")
    assert str(caught.value).startswith("invariant EVEN (every part weighs the same) does not hold in the "
                                        "implementation's state")


def test_an_invariant_without_a_value_on_the_implementations_state_is_a_violation():
    runner = SpecRunner(spec(), Scale, source=SCALE, binding=Binding(errors={"Negative": ValueError}))
    runner.check_invariants()  # 12 % 3 == 0
    runner.apply("split", {"n": 0})  # the spec allows it; 12 % 0 has no value
    with pytest.raises(SpecViolation) as caught:
        runner.check_invariants()
    assert caught.value.kind == ("invariant", "EVEN")
    assert "invariant EVEN cannot be evaluated on the implementation's state" in str(caught.value)
    assert "the calls so far: split(n=0)" in str(caught.value)


def test_a_state_variable_the_implementation_lacks_is_a_binding_error_not_a_violation():
    with pytest.raises(BindingError, match="no attribute `parts`"):
        SpecRunner(spec(), NoParts, source=SCALE)


def test_an_action_the_implementation_lacks_is_a_binding_error_not_a_violation():
    runner = SpecRunner(spec(), CannotSplit, source=SCALE)
    with pytest.raises(BindingError, match="no method `split`") as caught:
        runner.apply("split", {"n": 2})
    assert not isinstance(caught.value, SpecViolation)


class Refused(Exception):
    pass


class NegativeParts(Refused):
    """Named after what went wrong here; the spec's name for it, Negative, is not a base class."""


class Negative(Exception):
    pass


class TooFewParts(Negative):
    pass


def refusing(error: type[Exception]) -> type[Scale]:
    class Refusing(Scale):
        def split(self, n):
            if n < 0:
                raise error(n)
            super().split(n)
    return Refusing


def test_an_exception_whose_base_class_the_spec_names_is_that_failure():
    runner = SpecRunner(spec(), refusing(TooFewParts), source=SCALE)
    runner.apply("split", {"n": -1})  # the spec says Negative; TooFewParts is one
    assert runner.failures == {("split", 0): 1}


def test_an_exception_of_another_name_is_not_that_failure():
    runner = SpecRunner(spec(), refusing(NegativeParts), source=SCALE)
    with pytest.raises(SpecViolation, match="so the call must raise Negative, but it raised NegativeParts"):
        runner.apply("split", {"n": -1})


TIMER = "spec Timer\nstate {\n  ttl: duration\n}\ninit {\n  ttl := 90 s\n}\n"


class Timer:
    def __init__(self, ttl):
        self.ttl = ttl


@pytest.mark.parametrize("ttl", [90, 90.0, datetime.timedelta(seconds=90), datetime.timedelta(minutes=1.5)],
                         ids=["int seconds", "float seconds", "timedelta", "timedelta in minutes"])
def test_a_duration_is_read_as_seconds_or_a_timedelta(ttl):
    spec = load_text(TIMER, "timer.sf").spec
    SpecRunner(spec, lambda: Timer(ttl), source=TIMER)  # the initial state matches: no violation


@pytest.mark.parametrize("ttl,read", [(90_000, 90_000_000), (9, 9000), (datetime.timedelta(milliseconds=90), 90)],
                         ids=["milliseconds as seconds", "too few seconds", "too few milliseconds"])
def test_a_duration_in_another_unit_is_a_different_state(ttl, read):
    spec = load_text(TIMER, "timer.sf").spec
    with pytest.raises(SpecViolation) as caught:
        SpecRunner(spec, lambda: Timer(ttl), source=TIMER)
    assert str(caught.value).startswith(f"the initial state: `ttl`: the spec says 90000, the implementation has {read}\n")
