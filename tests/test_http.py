"""A spec bound to a live HTTP service by a binding file: the file's mistakes are reported at their lines,
and the generated property test drives the example Flask service (examples/web/) through the same oracle
as a Python object: the correct service passes, the buggy one is caught. Network: 127.0.0.1 only."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

httpx = pytest.importorskip("httpx")
pytest.importorskip("flask")

from examples.web.bank_service import Server  # noqa: E402
from specforge.cli import main  # noqa: E402
from specforge.frontend import load  # noqa: E402
from specforge.interpret import Interpreter  # noqa: E402
from specforge.testing.http import (  # noqa: E402
    BindingFileError,
    HttpBinding,
    HttpRefusal,
    HttpService,
    key_line,
    parse_binding,
)
from specforge.values import Universe  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BINDING = ROOT / "examples/web/bank.toml"
GENERATED = "examples/web/test_bank_http_spec.py"
GEN_ARGS = ["gen-tests", "examples/bank.sf", "--http", "examples/web/bank.toml", "--base-url",
            "http://127.0.0.1:8000", "--examples", "30", "--steps", "30", "-o", GENERATED]


@pytest.fixture(scope="module")
def bank():
    return load(str(ROOT / "examples/bank.sf")).spec


def edited(old: str, new: str) -> str:
    text = BINDING.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


MISTAKES = [  # (what is wrong, the edit, the line it is reported at, words of the message, the hint)
    ("an unknown action", ("[actions.withdraw]", "[actions.withdrawl]"), "[actions.withdrawl]",
     "no action `withdrawl`", "did you mean `withdraw`?"),
    ("an unknown failure mode", ("InsufficientFunds = 409", "InsufficentFunds = 409"), "InsufficentFunds",
     "no failure mode `InsufficentFunds`", "did you mean `InsufficientFunds`?"),
    ("an unknown state variable", ("[budgets]", '[state.fields]\nbalanse = "balance"\n\n[budgets]'),
     "balanse =", "no state variable `balanse`", "did you mean `balance`?"),
    ("a path naming a parameter the action lacks",
     ('path = "/accounts/{instance}/deposit"', 'path = "/accounts/{instance}/deposit/{amout}"'),
     "deposit/{amout}", "names `{amout}`, which is not a parameter of `deposit`", "did you mean `amount`?"),
    ("a bad method", ('method = "POST"\npath = "/accounts/{instance}/withdraw"',
                      'method = "POTS"\npath = "/accounts/{instance}/withdraw"'),
     '"POTS"', "`POTS` is not an HTTP method", "did you mean `POST`?"),
    ("an action without a request", ('[actions.freeze]\npath = "/accounts/{instance}/freeze"\n', ""),
     "[actions.deposit]", "action `freeze` has no request", "[actions.freeze]"),
    ("a budget that cannot be read", ('load = ["p99(latency) <= 250 ms"', 'load = ["p99(latency(withdrawl)) <= 250 ms"'),
     "load = [", "no action `withdrawl`", "docs/load.md"),
    ("a setting that does not exist", ('[state]\npath', '[state]\npaht = "/x"\npath'), "paht",
     "`state` has no setting `paht`", "did you mean `path`?"),
]


@pytest.mark.parametrize(("what", "edit", "at", "message", "hint"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_binding_file_mistake_is_reported_at_its_line_with_a_fix(bank, what, edit, at, message, hint):
    text = edited(*edit)
    with pytest.raises(BindingFileError) as caught:
        parse_binding(text, bank, "bank.toml")
    error = caught.value
    assert error.line == line_of(text, at), str(error)
    assert message in error.message
    assert hint in error.hint
    assert str(error).startswith(f"bank.toml:{error.line}: error: ")


def test_a_toml_syntax_error_names_its_line(bank):
    with pytest.raises(BindingFileError) as caught:
        parse_binding("[service]\nnew = POST /x\n", bank, "b.toml")
    assert caught.value.line == 2


@pytest.mark.parametrize(("text", "keys", "line"), [
    ("[a]\nx = 1\n[a.b]\ny = 2\n", ("a", "b", "y"), 4),
    ("[a]\nb.y = 2\n", ("a", "b", "y"), 2),
    ("[a]\nx = 1\n", ("a", "nothing"), 1),  # not written: the table it lies under
    ('["a"]\n"x" = 1\n', ("a", "x"), 2),
])
def test_the_line_of_a_key_is_found_in_the_text(text, keys, line):
    assert key_line(text, keys) == line


def test_the_example_binding_reads_every_action_and_failure_mode(bank):
    http = parse_binding(BINDING.read_text(encoding="utf-8"), bank, str(BINDING))
    assert set(http.actions) == {a.name for a in bank.actions}
    assert http.actions["deposit"].body == ("amount",)
    assert http.errors["InvalidAmount"].status == 422 and http.errors["InsufficientFunds"].status == 409
    assert http.per_instance


def test_gen_tests_reports_a_binding_mistake_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    bad = tmp_path / "bad.toml"
    bad.write_text(edited("[actions.withdraw]", "[actions.withdrawl]"), encoding="utf-8")
    out = tmp_path / "t.py"
    result = CliRunner().invoke(main, ["gen-tests", "examples/bank.sf", "--http", str(bad), "--base-url",
                                       "http://127.0.0.1:1", "-o", str(out)])
    assert result.exit_code == 2
    assert f"{bad}:{line_of(bad.read_text(), '[actions.withdrawl]')}: error:" in result.output
    assert not out.exists()


def test_gen_tests_wants_an_implementation_or_a_service(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["gen-tests", "examples/bank.sf", "-o", "x.py"])
    assert result.exit_code == 2 and "--impl" in result.output and "--http" in result.output


def test_the_generated_http_test_is_current(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [*GEN_ARGS, "--check"])
    assert result.exit_code == 0, result.output


def run_generated(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPECFORGE_BASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", GENERATED],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_example_service_passes_its_generated_test():
    with Server("correct") as server:
        result = run_generated(server.url)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_buggy_service_is_caught_by_the_generated_test():
    with Server("buggy") as server:
        result = run_generated(server.url)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "raised DailyLimitExceeded as it should, but changed the state" in result.stdout \
        or "raised InsufficientFunds as it should, but changed the state" in result.stdout, result.stdout[-3000:]


# ---- requests and documents, without a network (httpx's MockTransport) ----------------------------------

ORDER_BINDING = """
[service]
new = "POST /shops/{instance}"
[state]
path = "/shops/{instance}"
[state.fields]
shop_open = "shop.open"
[actions.place]
method = "PUT"
path = "/shops/{instance}/orders/{o}"
[actions.pay]
path = "/shops/{instance}/orders/{o}/payment"
[actions.ship]
path = "/shops/{instance}/orders/{o}/ship"
[actions.deliver]
path = "/shops/{instance}/orders/{o}/deliver"
[actions.cancel]
method = "DELETE"
path = "/shops/{instance}/orders/{o}"
[actions.close_shop]
path = "/shops/{instance}/close"
[actions.open_shop]
path = "/shops/{instance}/open"
[actions.track]
method = "GET"
path = "/shops/{instance}/orders/{o}/status"
[errors.UnknownOrder]
status = 404
field = "code"
value = "not-placed"
"""


def mock_service(binding, handler):
    service = HttpService(binding, "http://shop.test")
    service._local.client = httpx.Client(base_url="http://shop.test", transport=httpx.MockTransport(handler))
    return service


def test_an_action_is_a_request_with_its_parameters_in_the_path_and_the_body():
    spec = load(str(ROOT / "examples/order.sf")).spec
    binding = HttpBinding(parse_binding(ORDER_BINDING, spec, "order.toml"))
    seen = []

    def handler(request):
        seen.append((request.method, request.url.path, request.content.decode() or None))
        if request.method == "GET":
            return httpx.Response(200, json={"placed": {"Order1": True, "Order2": False},
                                        "status": {"Order1": "paid", "Order2": "created"},
                                        "price": {"Order1": 30, "Order2": 0}, "paid_amount": {"Order1": 30, "Order2": 0},
                                        "shop": {"open": True}})
        if request.url.path.endswith("/ship"):
            return httpx.Response(404, json={"code": "not-placed"})
        return httpx.Response(200, json={})
    instance = mock_service(binding, handler)()
    interp = Interpreter(spec, Universe.named(spec, 2))
    binding.call(instance, interp.action("place"), {"o": "Order1", "amount": 30})
    state = binding.observe(instance, interp)
    assert state["status"]["Order1"] == "paid" and state["shop_open"] is True and state["price"]["Order2"] == 0
    with pytest.raises(Exception) as refused:
        binding.call(instance, interp.action("ship"), {"o": "Order2"})
    assert binding.error_matches(refused.value, "UnknownOrder")
    assert not binding.error_matches(refused.value, "NotPaid")  # any 4xx with {"error": "NotPaid"}
    place = next(s for s in seen if s[0] == "PUT")
    assert place[1] == f"/shops/{instance.id}/orders/Order1" and place[2] == '{"amount":30}'


def test_an_action_with_a_result_answers_the_response_body_and_it_is_checked_in_spec_terms():
    spec = load(str(ROOT / "examples/order.sf")).spec
    binding = HttpBinding(parse_binding(ORDER_BINDING, spec, "order.toml"))

    def handler(request):
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json="created")
        return httpx.Response(200, json={})
    instance = mock_service(binding, handler)()
    interp = Interpreter(spec, Universe.named(spec, 1))
    answer = binding.call(instance, interp.action("track"), {"o": "Order1"})
    assert answer == "created"
    assert binding.to_model(answer, interp.action("track").result.resolved, interp, "the answer") == "created"
    assert binding.call(instance, interp.action("place"), {"o": "Order1", "amount": 30}) is None


def test_a_calls_cost_is_read_from_the_header_the_binding_file_names():
    spec = load(str(ROOT / "examples/order.sf")).spec
    binding = HttpBinding(parse_binding(ORDER_BINDING.replace("[state]", 'cost_header = "X-Cost"\n[state]', 1),
                                        spec, "order.toml"))

    def handler(request):
        if request.url.path.endswith("/ship"):
            return httpx.Response(404, json={"code": "not-placed"}, headers={"X-Cost": "0.0004"})
        return httpx.Response(200, json={}, headers={"X-Cost": "0.0025"})
    instance = mock_service(binding, handler)()
    interp = Interpreter(spec, Universe.named(spec, 1))
    binding.call(instance, interp.action("place"), {"o": "Order1", "amount": 30})
    assert binding.cost_of(instance) == Fraction(25, 10_000)
    with pytest.raises(HttpRefusal):
        binding.call(instance, interp.action("ship"), {"o": "Order1"})
    assert binding.cost_of(instance) == Fraction(4, 10_000)  # a refusal may cost too
    with pytest.raises(BindingFileError, match="must be the name of an HTTP header"):
        parse_binding(ORDER_BINDING.replace("[state]", 'cost_header = "X Cost!"\n[state]', 1), spec, "order.toml")
