"""A constant means what the same expression means anywhere else: the checker computes
constants with the one evaluator (specforge.evaluate), so the two cannot disagree."""

from __future__ import annotations

import pytest

from specforge.evaluate import EvaluationError
from specforge.frontend import load_text
from specforge.interpret import initial_state

PRELUDE = "spec T\nenum Color { red, green }\nconst ZERO: int = 0\nconst TEN: int = 10\n"

# (type, expression, its value or None when it has none)
CASES = [
    ("bool", "ZERO != 0 implies 10 / ZERO > 0", True),
    ("bool", "ZERO == 0 or 1 / ZERO > 0", True),
    ("bool", "ZERO != 0 and 1 / ZERO > 0", False),
    ("int", "if ZERO == 0 then 1 else 1 / ZERO", 1),
    ("int", "-7 / 2", -4),
    ("int", "-7 % 2", 1),
    ("int", "abs(ZERO - TEN) + min(3, TEN, 5) * max(2, 4)", 22),
    ("bool", "TEN in 0..TEN and not (11 in 0..TEN)", True),
    ("bool", "red in Color and red != green", True),
    ("Color", "if TEN > 5 then green else red", "green"),
    ("duration", "2 min + 30 s", 150_000),
    ("bool", "TEN >= 10 iff 1 < 2", True),
    ("int", "TEN / ZERO", None),
    ("int", "TEN % ZERO", None),
    ("bool", "ZERO == 0 implies 1 / ZERO > 0", None),
]


def _constant(type_: str, expr: str):
    return load_text(PRELUDE + f"const C: {type_} = {expr}\n", "const.sf")


def _evaluated(type_: str, expr: str):
    loaded = load_text(PRELUDE + f"state {{\n  v: {type_}\n}}\ninit {{ v := {expr} }}\n", "init.sf")
    assert not loaded.diagnostics, [d.message for d in loaded.diagnostics]
    return initial_state(loaded.spec, {})["v"]


@pytest.mark.parametrize("type_,expr,value", CASES, ids=[c[1] for c in CASES])
def test_a_constant_has_the_value_the_evaluator_gives_the_same_expression(type_, expr, value):
    loaded = _constant(type_, expr)
    if value is None:
        assert [d.code for d in loaded.diagnostics] == ["SF216"]
        with pytest.raises(EvaluationError):
            _evaluated(type_, expr)
    else:
        assert not loaded.diagnostics, [d.message for d in loaded.diagnostics]
        assert loaded.spec.consts[-1].evaluated == value == _evaluated(type_, expr)


def test_a_constant_that_divides_by_zero_is_reported_at_the_division():
    loaded = load_text(PRELUDE + "const C: int = 3 + TEN / ZERO\n", "const.sf")
    (d,) = loaded.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("SF216", 5, 20)
    assert "division by zero" in d.message


def test_a_constant_product_past_the_digit_cap_is_refused_before_it_is_computed():
    big = "1" + "0" * 3999
    loaded = load_text(f"spec T\nconst A: int = {big}\nconst B: int = " + " * ".join(["A"] * 150) + "\n", "big.sf")
    (d,) = loaded.diagnostics
    assert d.code == "SF216" and "more than 4000 digits" in d.message


@pytest.mark.parametrize("expr", ["forall i in 0..TEN: i >= 0", "exists c in Color: c == red"])
def test_a_constant_may_not_quantify(expr):
    loaded = _constant("bool", expr)
    assert [d.code for d in loaded.diagnostics] == ["SF216"]
    assert "is not a constant" in loaded.diagnostics[0].message
