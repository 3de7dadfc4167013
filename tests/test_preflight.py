"""Set-up mistakes fail loudly, with the fix: `gen-tests --impl` checked when the file is written, a
`Binding` checked when it meets its spec, a factory the tests cannot call named with its fix."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from specforge.cli import ExitCode, main
from specforge.frontend import load_text
from specforge.testing import Binding, BindingError, SpecRunner
from specforge.testing.preflight import check_binding, check_implementation

SPEC = """\
spec Cart
set Item
state {
  stock: map[Item, nat]
  reserved: int
}
init {
  stock := {i: 5 for i in Item}
  reserved := 0
}
action reserve(i: Item, n: int) {
  requires n > 0 else BadAmount
  requires stock[i] >= n else OutOfStock
  stock[i] := stock[i] - n
  reserved := reserved + n
}
"""

IMPL = '''\
class BadAmount(Exception):
    pass


class OutOfStock(Exception):
    pass


class Cart:
    def __init__(self, Item=()):
        self.stock = {i: 5 for i in Item}
        self.reserved = 0

    def reserve(self, i, n):
        if n <= 0:
            raise BadAmount()
        if self.stock[i] < n:
            raise OutOfStock()
        self.stock[i] -= n
        self.reserved += n


class NoReserve:
    def __init__(self, Item=()):
        self.stock = {i: 5 for i in Item}
        self.reserved = 0

    def reserv(self, i, n):
        pass


class WrongParameters(Cart):
    def reserve(self, item, count):
        pass


class NoReserved:
    def __init__(self, Item=()):
        self.stock = {i: 5 for i in Item}

    def reserve(self, i, n):
        pass


class NeedsConfig(Cart):
    def __init__(self, config, Item=()):
        super().__init__(Item)


not_a_factory = 42
'''


@pytest.fixture()
def cart_module(tmp_path, monkeypatch):
    (tmp_path / "cart_service.py").write_text(IMPL)
    (tmp_path / "cart.sf").write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("cart_service", None)
    yield tmp_path
    sys.modules.pop("cart_service", None)


def spec():
    return load_text(SPEC, "cart.sf").spec


MISTAKES = [
    ("cart_servce:Cart", "no module named `cart_servce`", "did you mean `cart_service`?"),
    ("cart_service:Crt", "`cart_service` has no `Crt`", "did you mean `Cart`?"),
    ("cart_service:not_a_factory", "is not a class or function (it is a value of type int)", "name the class"),
    ("cart_service:NeedsConfig", "the factory `NeedsConfig` needs `config`", "give it a default, or wrap it"),
    ("cart_service:NoReserve", "has no method `reserve` for the action `reserve`", "did you mean `reserv`?"),
    ("cart_service:WrongParameters", "`reserve` is called with keyword arguments (i, n)", "name the method's parameters"),
    ("cart_service:NoReserved", "has no attribute `reserved` for the state variable `reserved`", "did you mean `reserve`?"),
]


@pytest.mark.parametrize("impl, message, hint", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_set_up_mistake_fails_gen_tests_with_its_fix_and_writes_nothing(cart_module, impl, message, hint):
    result = CliRunner().invoke(main, ["gen-tests", "cart.sf", "--impl", impl, "-o", "test_cart.py"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output and hint in result.output
    assert "nothing written" in result.output
    assert not (cart_module / "test_cart.py").exists()


def test_a_correct_implementation_is_written_without_a_word(cart_module):
    result = CliRunner().invoke(main, ["gen-tests", "cart.sf", "--impl", "cart_service:Cart", "-o", "test_cart.py"])
    assert result.exit_code == 0 and result.output.strip() == "wrote test_cart.py"
    assert check_implementation(spec(), "cart_service:Cart") == []


def test_an_exception_class_out_of_sight_is_a_warning_not_an_error(cart_module):
    (cart_module / "cart_service.py").write_text(IMPL.replace("class OutOfStock(Exception)", "class OutOfStok(Exception)")
                                                 .replace("raise OutOfStock()", "raise OutOfStok()"))
    result = CliRunner().invoke(main, ["gen-tests", "cart.sf", "--impl", "cart_service:Cart", "-o", "test_cart.py"])
    assert result.exit_code == 0
    assert "warning: no exception class named `OutOfStock`" in result.output and "did you mean `OutOfStok`?" in result.output


@pytest.mark.parametrize("binding, message", [
    (Binding(actions={"reserv": lambda obj, i, n: None}), "the spec has no action `reserv`"),
    (Binding(state={"stok": lambda obj: obj.stock}), "the spec has no state variable `stok`"),
    (Binding(errors={"OutOfStok": lambda exc: True}), "the spec has no failure mode `OutOfStok`"),
])
def test_a_binding_key_the_spec_does_not_have_is_refused_with_a_suggestion(binding, message):
    with pytest.raises(BindingError) as caught:
        check_binding(spec(), binding)
    assert message in str(caught.value) and "did you mean" in str(caught.value)


def test_the_runner_refuses_a_wrong_binding_and_names_a_factory_it_cannot_call(cart_module):
    import cart_service

    with pytest.raises(BindingError, match="no action `reserv`"):
        SpecRunner(spec(), cart_service.Cart, Binding(actions={"reserv": lambda obj, i, n: None}))
    with pytest.raises(BindingError, match="the factory `NeedsConfig` needs `config`"):
        SpecRunner(spec(), cart_service.NeedsConfig)
