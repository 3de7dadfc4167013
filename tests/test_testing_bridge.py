"""The property-test bridge: generated files, their checks, replays, safety."""

from __future__ import annotations

import ast
import json
import sys
import textwrap
import unittest

import pytest
from click.testing import CliRunner
from hypothesis import seed, settings

from specforge.cli import main
from specforge.run import REPORT_VERSION
from specforge.testing import SpecRunner, SpecViolation, machine_class, shorten
from specforge.testing.generate import generate, replay
from specforge.testing.shorten import shortest

from .support import ROOT

BANK_SOURCE = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")

IMPL = textwrap.dedent('''
    class Bad(Exception):
        pass

    class Insufficient(Exception):
        pass

    class Wallet:
        def __init__(self):
            self.coins = 0

        def put(self, n):
            if n <= 0:
                raise Bad(n)
            self.coins += n

        def take(self, n):
            if n <= 0:
                raise Bad(n)
            if n > self.coins:
                raise Insufficient(n)
            self.coins -= n

    class NoFundsCheck(Wallet):
        def take(self, n):
            if n <= 0:
                raise Bad(n)
            self.coins -= n

    class ChangesThenRaises(Wallet):
        def take(self, n):
            self.coins -= 1
            if n <= 0:
                raise Bad(n)
            if n > self.coins + 1:
                raise Insufficient(n)
            self.coins -= n - 1

    class WrongError(Wallet):
        def take(self, n):
            if n <= 0:
                raise ValueError(n)
            super().take(n)
''')
WALLET = """\
spec Wallet "coins in a wallet"
state {
  coins: int
}
init {
  coins := 0
}
invariant W-1 MUST "never negative": coins >= 0
action put(n: int) {
  requires n > 0 else Bad
  coins := coins + n
}
action take(n: int) {
  requires n > 0 else Bad
  requires n <= coins else Insufficient
  coins := coins - n
}
"""


@pytest.fixture()
def wallet_module(tmp_path, monkeypatch):
    (tmp_path / "wallet_impl.py").write_text(IMPL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    sys.modules.pop("wallet_impl", None)
    import wallet_impl

    return wallet_impl


def run_case(case) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def invariant_ids(code: str) -> tuple:
    """The value of `invariant_ids` in the machine class of a generated file."""
    machine = next(n for n in ast.parse(code).body if isinstance(n, ast.ClassDef))
    value = next(n.value for n in machine.body if isinstance(n, ast.Assign) and n.targets[0].id == "invariant_ids")
    return ast.literal_eval(value)


def test_the_generated_file_is_deterministic_and_names_the_spec_and_its_hash():
    first = generate(BANK_SOURCE, "examples/bank.sf", "examples.impl.bank:BankAccount", "test_bank.py")
    second = generate(BANK_SOURCE, "examples/bank.sf", "examples.impl.bank:BankAccount", "test_bank.py")
    assert first == second
    assert "spec BankAccount (sha256 " in first
    assert "(deposit, withdraw, start_new_day, freeze, unfreeze)" in first  # each step runs one of them
    assert invariant_ids(first) == ("BANK-1", "BANK-2", "BANK-3")
    assert "'BANK-1',  # MUST The account is never overdrawn\n" in first
    compile(first, "test_bank.py", "exec")


def test_the_generated_file_and_machine_class_are_the_same_machine(monkeypatch):
    """Same members under the same names, and with the same seed the same calls: the generated file
    and the run-time API test exactly alike."""
    from examples.impl.bank import BankAccount
    from tests.generated import test_bank_spec as generated

    from_file = generated.BankAccountSpec
    at_run_time = machine_class(BANK_SOURCE, BankAccount, "examples/bank.sf")

    def members(cls):
        return sorted(k for k, v in vars(cls).items() if callable(v) and not k.startswith("_"))
    assert members(from_file) == members(at_run_time) == ["factory"]  # the rule and the invariant are SpecMachine's
    for attribute in ("source", "invariant_ids", "binding"):
        assert getattr(from_file, attribute) == getattr(at_run_time, attribute)
    assert from_file.invariant_ids == ("BANK-1", "BANK-2", "BANK-3")
    calls: list = []
    original = SpecRunner.apply

    def logged(self, name, args):
        calls.append((name, dict(args)))
        return original(self, name, args)
    monkeypatch.setattr(SpecRunner, "apply", logged)
    logs = []
    for cls in (from_file, at_run_time):
        calls.clear()
        # a subclass: the seed and the settings must not stick to the generated file's class, which its own test runs
        case = seed(20261121)(type(cls.__name__, (cls,), {})).TestCase
        case.settings = settings(max_examples=10, stateful_step_count=10, deadline=None, database=None)
        assert run_case(case).wasSuccessful()
        logs.append(list(calls))
    assert logs[0] == logs[1] and len(logs[0]) > 50


def test_the_correct_implementation_passes_and_mutants_fail(wallet_module):
    assert run_case(machine_class(WALLET, wallet_module.Wallet).TestCase).wasSuccessful()
    for mutant in (wallet_module.NoFundsCheck, wallet_module.ChangesThenRaises, wallet_module.WrongError):
        result = run_case(machine_class(WALLET, mutant).TestCase)
        assert not result.wasSuccessful(), mutant.__name__
        message = (result.failures + result.errors)[0][1]
        assert "SpecViolation" in message


@pytest.mark.parametrize("mutant,expected", [
    ("NoFundsCheck", "the guard `requires n <= coins else Insufficient` is false, so the call must raise Insufficient"),
    ("ChangesThenRaises", "as it should, but changed the state"),
    ("WrongError", "so the call must raise Bad, but it raised ValueError"),
])
def test_a_failure_is_reported_in_spec_terms(wallet_module, mutant, expected):
    runner_cls = machine_class(WALLET, getattr(wallet_module, mutant))
    steps = {"NoFundsCheck": [("take", {"n": 1})], "ChangesThenRaises": [("take", {"n": 1})],
             "WrongError": [("take", {"n": 0})]}[mutant]
    with pytest.raises(SpecViolation) as caught:
        replay(runner_cls, steps, "W-1")
    assert expected in str(caught.value)


def test_the_generated_file_runs_under_pytest(wallet_module, tmp_path):
    (tmp_path / "wallet.sf").write_text(WALLET)
    result = CliRunner().invoke(main, ["gen-tests", "wallet.sf", "--impl", "wallet_impl:Wallet", "-o",
                                       "test_wallet.py", "--examples", "30"])
    assert result.exit_code == 0, result.output
    import subprocess

    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_wallet.py"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_check_reports_a_stale_file_with_exit_code_4(wallet_module, tmp_path):
    (tmp_path / "wallet.sf").write_text(WALLET)
    args = ["gen-tests", "wallet.sf", "--impl", "wallet_impl:Wallet", "-o", "test_wallet.py"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 0
    (tmp_path / "wallet.sf").write_text(WALLET.replace("coins >= 0", "coins >= -1"))
    stale = CliRunner().invoke(main, [*args, "--check"])
    assert stale.exit_code == 4 and "out of date" in stale.output


def test_a_prover_trace_replays_as_a_failing_test(wallet_module, tmp_path):
    buggy = WALLET.replace("  requires n <= coins else Insufficient\n", "")
    (tmp_path / "wallet.sf").write_text(buggy)
    prove = CliRunner().invoke(main, ["prove", "--no-cache", "--format", "json", "wallet.sf"])
    assert prove.exit_code == 3
    (tmp_path / "report.json").write_text(prove.output)
    gen = CliRunner().invoke(main, ["gen-tests", "wallet.sf", "--impl", "wallet_impl:NoFundsCheck", "-o",
                                    "test_wallet.py", "--replay", "report.json"])
    assert gen.exit_code == 0, gen.output
    code = (tmp_path / "test_wallet.py").read_text()
    assert "def test_replay_W_1():" in code
    namespace: dict = {}
    exec(compile(code, "test_wallet.py", "exec"), namespace)
    with pytest.raises(SpecViolation, match="invariant W-1"):
        namespace["test_replay_W_1"]()


@pytest.mark.parametrize("damage,expected", [
    (lambda call: call["args"].update(n={"#bigint": "abc"}), 'step 1, `n`: `{"#bigint": "abc"}` is not an integer'),
    (lambda call: call.update(action="nope"), "step 1: the spec has no action `nope`"),
    (lambda call: call["args"].clear(), "step 1: `take` takes (n), the run gives ()"),
])
def test_a_damaged_report_is_refused_with_what_does_not_fit(wallet_module, tmp_path, damage, expected):
    buggy = WALLET.replace("  requires n <= coins else Insufficient\n", "")
    (tmp_path / "wallet.sf").write_text(buggy)
    report = json.loads(CliRunner().invoke(main, ["prove", "--no-cache", "--format", "json", "wallet.sf"]).stdout)
    run = next(inv for inv in report["invariants"] if inv["id"] == "W-1")["run"]
    damage(next(call for call in run["calls"] if call["action"] == "take"))
    (tmp_path / "report.json").write_text(json.dumps(report))
    gen = CliRunner().invoke(main, ["gen-tests", "wallet.sf", "--impl", "wallet_impl:Wallet", "-o", "t.py",
                                    "--replay", "report.json"])
    assert gen.exit_code == 2 and "the run of W-1 does not fit spec Wallet" in gen.output, gen.output
    assert expected in gen.output and "Traceback" not in gen.output


def test_an_old_report_is_refused_with_its_version_and_how_to_regenerate_it(wallet_module, tmp_path):
    (tmp_path / "wallet.sf").write_text(WALLET)
    (tmp_path / "report.json").write_text(json.dumps({"version": 1, "spec": "Wallet", "invariants": []}))
    gen = CliRunner().invoke(main, ["gen-tests", "wallet.sf", "--impl", "wallet_impl:Wallet", "-o", "t.py",
                                    "--replay", "report.json"])
    assert gen.exit_code == 2 and "format version 1" in gen.output and "specforge prove" in gen.output, gen.output
    assert not (tmp_path / "t.py").exists()


def test_a_hostile_spec_cannot_inject_code():
    hostile = ('spec Evil "\\"\\"\\" ; import os; os.system(\\"echo pwned\\") #"\n'
               'state {\n  x: int\n}\ninit {\n  x := 0\n}\n'
               'invariant A-1.X MUST "\'\'\'); __import__(\'os\').system(\'echo pwned\') #": x >= 0\n'
               'action go() {\n  x := x + 1\n}\n')
    code = generate(hostile, 'evil".sf\nimport os', "evil_impl:Thing", "out\n.py")
    tree = ast.parse(code)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls <= {"settings", "load_spec", "staticmethod"}
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports == ["from hypothesis import settings",
                       "from specforge.testing import PHASES, SpecMachine, load_spec",
                       "from evil_impl import Thing as implementation"]
    assert invariant_ids(code) == ("A-1.X",)


def test_a_path_cannot_declare_the_generated_files_encoding():
    """Python reads an encoding declaration from line 1 or 2; the paths in line 2 must not be one."""
    import io
    import tokenize

    code = generate(WALLET, "w -*- coding: utf-7 -*-.sf", "wallet_impl:Wallet", "coding=utf-7.py")
    assert tokenize.detect_encoding(io.BytesIO(code.encode("utf-8")).readline)[0] == "utf-8"
    assert code.startswith("# -*- coding: utf-8 -*-\n")


def test_an_invalid_impl_argument_is_a_usage_error(tmp_path):
    (tmp_path / "w.sf").write_text(WALLET)
    result = CliRunner().invoke(main, ["gen-tests", str(tmp_path / "w.sf"), "--impl", "os; rm -rf /", "-o",
                                       str(tmp_path / "t.py")])
    assert result.exit_code == 2 and "MODULE:FACTORY" in result.output
    assert not (tmp_path / "t.py").exists()


def test_a_report_for_another_spec_is_refused(tmp_path, wallet_module):
    (tmp_path / "w.sf").write_text(WALLET)
    (tmp_path / "r.json").write_text(json.dumps({"version": REPORT_VERSION, "spec": "Other", "invariants": []}))
    result = CliRunner().invoke(main, ["gen-tests", str(tmp_path / "w.sf"), "--impl", "wallet_impl:Wallet", "-o",
                                       str(tmp_path / "t.py"), "--replay", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "no spec Wallet (it has: Other)" in result.output


def bank_runner(factory) -> SpecRunner:
    from specforge.testing.generate import load_spec

    return SpecRunner(load_spec(BANK_SOURCE, "examples/bank.sf"), factory, source=BANK_SOURCE)


def test_a_failing_run_is_cut_down_to_a_shortest_one_that_fails_the_same_way():
    from examples.mutants.bank import DepositWhileFrozen

    runner = bank_runner(DepositWhileFrozen)
    calls = [("deposit", {"amount": 500}), ("start_new_day", {}), ("withdraw", {"amount": 100}), ("freeze", {}),
             ("unfreeze", {}), ("deposit", {"amount": 0}), ("freeze", {}), ("deposit", {"amount": 700})]
    with pytest.raises(SpecViolation) as caught:
        for name, args in calls:
            runner.apply(name, args)
    assert caught.value.kind == ("returned", "deposit", 1)  # the second guard, `not frozen`, did not stop it
    assert shortest(runner, caught.value.kind, ("BANK-1",)) == [("freeze", {}), ("deposit", {"amount": 1})]


def test_no_shortest_run_when_the_implementation_does_not_fail_again():
    from examples.impl.bank import BankAccount
    from examples.mutants.bank import DepositWhileFrozen

    made: list = []

    def first_buggy_then_correct():  # the replays get a correct account: the failure does not come back
        made.append(1)
        return DepositWhileFrozen() if len(made) == 1 else BankAccount()
    runner = bank_runner(first_buggy_then_correct)
    with pytest.raises(SpecViolation) as caught:
        runner.apply("freeze", {})
        runner.apply("deposit", {"amount": 5})
    assert shortest(runner, caught.value.kind) is None


def test_the_failure_message_gives_the_shortest_run(wallet_module):
    from specforge.testing import PHASES

    case = seed(2)(machine_class(WALLET, wallet_module.NoFundsCheck)).TestCase  # finds a run of several calls
    case.settings = settings(max_examples=100, stateful_step_count=50, deadline=None, database=None, phases=PHASES)
    message = (lambda r: (r.failures + r.errors)[0][1])(run_case(case))
    assert message.count(";") > 1 and "a shortest run that fails the same way: take(n=1)" in message


def test_the_search_for_a_shortest_run_stops_after_its_replays(monkeypatch):
    from examples.mutants.bank import DepositWhileFrozen

    made: list = []

    def counted():
        made.append(1)
        return DepositWhileFrozen()
    runner = bank_runner(counted)
    with pytest.raises(SpecViolation) as caught:
        for _ in range(20):
            runner.apply("start_new_day", {})
        runner.apply("freeze", {})
        runner.apply("deposit", {"amount": 5})
    monkeypatch.setattr(shorten, "REPLAYS", 3)
    made.clear()
    shorter = shortest(runner, caught.value.kind)
    assert len(made) == 3 and shorter is not None and len(shorter) < 22  # some progress, then it stopped


def test_a_shortest_run_holds_only_calls_that_were_made():
    """A smaller argument can make the run fail sooner: the calls after the failing one are dropped."""
    from examples.impl.bank import BankAccount

    class CorruptsSmallOrLate(BankAccount):
        def deposit(self, amount):
            super().deposit(amount=amount)
            if amount < 3 or self.balance >= 120:
                self.balance += 1
    runner = bank_runner(CorruptsSmallOrLate)
    with pytest.raises(SpecViolation) as caught:
        runner.apply("deposit", {"amount": 100})
        runner.apply("deposit", {"amount": 50})
    assert caught.value.kind == ("state", "deposit", ("balance",))
    assert shortest(runner, caught.value.kind) == [("deposit", {"amount": 1})]


RATIO = """\
spec Ratio "a guard and an assignment that divide by the argument"
state {
  x: int
}
init {
  x := 0
}
invariant R-1 MUST "bounded": x <= 100
action setr(d: int) {
  requires 100 / d >= 1 else Bad
  x := 100 / d
}
"""


def test_a_call_the_spec_gives_no_meaning_is_not_made():
    """`setr(d=0)`: the guard divides by zero, so the spec says nothing about that call; the test never
    makes it (and still calls setr with every other kind of argument)."""
    calls: list[int] = []

    class Bad(Exception):
        pass

    class Ratio:
        def __init__(self):
            self.x = 0

        def setr(self, d):
            calls.append(d)
            assert d != 0, "called where the spec says nothing"
            if 100 // d < 1:
                raise Bad()
            self.x = 100 // d
    case = seed(3)(machine_class(RATIO, Ratio)).TestCase
    case.settings = settings(max_examples=50, stateful_step_count=20, deadline=None, database=None)
    result = run_case(case)
    assert result.wasSuccessful(), (result.failures + result.errors)[0][1]
    assert any(d > 100 for d in calls) and any(0 < d <= 100 for d in calls) and any(d < 0 for d in calls)


NO_ACTIONS = "spec NoAct\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant N-1: x >= 0\n"
ONLY_ASSUMED = ("spec OnlyAssumed\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant N-1: x >= 0\n"
                "action f(a: int) {\n  requires a > 0\n  x := x + a\n}\n")


class _Zero:
    def __init__(self):
        self.x = 0

    def f(self, a):
        self.x += a


class _MinusOne(_Zero):
    def __init__(self):
        self.x = -1


@pytest.mark.parametrize("source", [NO_ACTIONS, ONLY_ASSUMED], ids=["no actions", "only assumption guards"])
def test_a_spec_with_no_actions_or_only_assumed_ones_generates_a_test_that_runs(source):
    assert run_case(machine_class(source, _Zero).TestCase).wasSuccessful()
    failed = run_case(machine_class(source, _MinusOne).TestCase)
    assert not failed.wasSuccessful() and "the initial state" in str(failed.failures + failed.errors)
