"""Undefined operations, differentially: the prover against brute force on the interpreter.

A deterministic generator builds small specs with `/`, `%`, and lookups and writes in a
range-keyed map at random positions (in guards, assignments, invariants and init), with
divisors and keys that are sometimes zero or outside the range. Every value is clamped to
-3..3 and every parameter typed `int[-3..3]`, so brute force visits every reachable state
and every call. There, a call the interpreter cannot evaluate (EvaluationError) is no step
and breaks `defined:<action>`; an invariant that raises breaks `defined:<id>` there and is
judged only where it evaluates; an init that raises breaks `defined:init`. (The division-only
cases are in test_prove_differential.py; this adds range-keyed maps and TLC.)

For every obligation of the prover:
(a) never `proved` when brute force reaches a state that breaks it (or a call undefined at it);
(b) every violated run replays on the interpreter, every call defined (for a `defined:`
    obligation, some call or the invariant then raises EvaluationError); every violated
    invariant's run, pinned by `gen-tests --replay` in a generated test file, fails that test
    on an implementation that does exactly what the spec says, on the invariant the
    interpreter finds first along the run; with Java, TLC
    confirms the invariants' runs and stops on an undefined operation exactly when prove
    finds one reachable (a few seeds);
(c) what brute force breaks within the depth is violated, with a run no longer than its.
"""

from __future__ import annotations

import json
import random
import re
import sys
import types
from collections import deque

import pytest

from specforge.evaluate import EvaluationError
from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.report import to_json
from specforge.structure import obligation_ids
from specforge.testing import SpecViolation
from specforge.testing.generate import generate
from specforge.tla import export_tla, export_trace
from specforge.values import Universe

from .test_prove_differential import replay
from .test_tla_support import needs_tlc, run_tlc, write

SEEDS = range(16)  # each spec runs the full prover (inference included): about 10 s a seed
ARGS = range(-3, 4)


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def atom(self, params: list[str]) -> str:
        options = ["x", "y", str(self.r.randint(-3, 3)), *params]
        return self.r.choice(options)

    def key(self, params: list[str]) -> str:
        # a key that is sometimes outside 0..2
        return self.r.choice([self.atom(params), f"({self.atom(params)} + 1)", str(self.r.randint(0, 2))])

    def int_expr(self, params: list[str], depth: int = 2) -> str:
        roll = self.r.random()
        if depth == 0 or roll < 0.3:
            return self.atom(params)
        if roll < 0.5:
            return f"({self.int_expr(params, depth - 1)} {self.r.choice(['/', '%'])} {self.int_expr(params, depth - 1)})"
        if roll < 0.7:
            return f"r[{self.key(params)}]"
        if roll < 0.85:
            return f"({self.int_expr(params, depth - 1)} {self.r.choice(['+', '-', '*'])} {self.atom(params)})"
        return (f"(if {self.atom(params)} != 0 then {self.int_expr(params, depth - 1)} / {self.atom(params)} "
                f"else {self.atom(params)})")

    def clamp(self, e: str) -> str:
        return f"max(-3, min(3, {e}))"

    def action(self, name: str) -> str:
        params = [f"p{i}" for i in range(self.r.randint(0, 2))]
        lines = [f"action {name}({', '.join(f'{p}: int[-3..3]' for p in params)}) {{"]
        if self.r.random() < 0.5:
            lines.append(f"  requires {self.int_expr(params, 1)} {self.r.choice(['<', '>=', '!='])} "
                         f"{self.atom(params)} else No")
        for _ in range(self.r.randint(1, 2)):
            target = self.r.choice(["x", "y", f"r[{self.key(params)}]"])
            lines.append(f"  {target} := {self.clamp(self.int_expr(params))}")
        lines.append("}")
        return "\n".join(lines)

    def spec(self) -> str:
        init_x = self.r.choice(["0", "1", "6 / 2", "r[1]"]) if self.r.random() < 0.3 else "0"
        invariants = [f"invariant I-{i}: {self.int_expr([], 1)} {self.r.choice(['<=', '>=', '!='])} "
                      f"{self.r.randint(-3, 3)}" for i in range(self.r.randint(1, 2))]
        actions = [self.action(n) for n in ("a", "b", "c")[: self.r.randint(1, 3)]]
        return "\n".join([
            "spec G", "state {", "  x: int", "  y: int", "  r: map[0..2, int]", "}",
            "init {", "  r := {i: i - 1 for i in 0..2}", f"  x := {init_x}", "  y := 1", "}",
            *invariants, *actions, ""])


def explore(spec, interp: Interpreter):
    """Breadth first over every reachable state: the first depth at which each obligation breaks
    (an invariant false, or an operation undefined in a call or in an invariant), and the diameter."""
    first: dict[str, int] = {}
    try:
        start = interp.initial_state()
    except EvaluationError:
        return {"defined:init": 0}, 0
    seen = {start: 0}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        depth = seen[state]
        for inv in spec.invariants:
            try:
                if not interp.holds(inv, state):
                    first.setdefault(inv.id, depth)
            except EvaluationError:
                first.setdefault(f"defined:{inv.id}", depth)
        for action in spec.actions:
            for values in _calls(action):
                try:
                    if interp.failed_guard(action, state, values) is not None:
                        continue
                    after = interp.step(action, state, values)
                except EvaluationError:
                    first.setdefault(f"defined:{action.name}", depth)
                    continue
                if after not in seen:
                    seen[after] = depth + 1
                    queue.append(after)
    return first, max(seen.values())


def _calls(action):
    names = [p.name for p in action.params]
    combos = [[]]
    for _ in names:
        combos = [c + [v] for c in combos for v in ARGS]
    return [dict(zip(names, c, strict=True)) for c in combos]


@pytest.mark.parametrize("seed", SEEDS)
def test_undefined_operations_agree_with_brute_force(seed):
    text = Gen(seed).spec()
    loaded = load_text(text, "gen.sf")
    if not loaded.ok:  # a constant zero divisor or key outside 0..2: check's job, tested elsewhere
        assert {d.code for d in loaded.diagnostics} <= {"SF223", "SF224"}, text
        return
    spec = loaded.spec
    interp = Interpreter(spec, Universe({}))
    first, diameter = explore(spec, interp)
    depth = max(1, diameter)
    results = {r.id: r for r in prove(spec, depth=depth, timeout=10).invariants}
    where = f"\n--- spec ---\n{text}--- brute force: {first}, diameter {diameter}"
    for oid, broken in first.items():
        r = results.get(oid)
        assert r is not None, f"brute force finds {oid}, the prover has no such obligation{where}"
        assert r.verdict is not Verdict.PROVED, f"UNSOUND: {oid} is proved{where}"  # (a)
        if broken <= depth:  # (c)
            assert r.verdict is Verdict.VIOLATED or "timed out" in (r.reason or ""), f"{oid}: {r.reason}{where}"
            if r.verdict is Verdict.VIOLATED:
                assert len(r.run.calls) <= broken, f"{oid}: not a shortest run{where}"
    for oid, r in results.items():
        if r.verdict is not Verdict.VIOLATED:
            continue
        try:  # (b)
            replay(spec, oid, r)
        except (AssertionError, EvaluationError) as e:
            raise AssertionError(f"the run of {oid} does not replay: {e}\n{r.run}\n{r.reason}{where}") from None


def faithful(spec, interp: Interpreter) -> type:
    """An implementation that does exactly what the spec says, computed by the interpreter: the
    state's variables as attributes, each action a method raising the error its first false guard
    names (an exception class of that name)."""
    errors = {g.error: type(g.error, (Exception,), {}) for a in spec.actions for g in a.guards if g.error}

    class Faithful:
        def __init__(self):
            self._state = interp.initial_state()

        def __getattr__(self, name):
            return self.__dict__["_state"][name]

    def method(action):
        def call(self, **args):
            failed = interp.failed_guard(action, self._state, args)
            if failed is not None:
                raise errors[failed.error](f"guard {failed.index} of {action.name}")
            self._state = interp.step(action, self._state, args)
        return call

    for action in spec.actions:
        setattr(Faithful, action.name, method(action))
    return Faithful


def first_failing_invariant(spec, interp: Interpreter, run, target: str) -> str:
    """What the replay must fail on: after each call, the first of the spec's checks (in the generated
    file's order) that is false or has no meaning; at the end, the run's own invariant."""
    state = interp.initial_state()
    for call in run.calls:
        state = interp.step(call.action, state, call.args)
        for oid in obligation_ids(spec):
            try:
                if not interp.holds(oid, state):
                    return oid
            except EvaluationError:
                return oid
    return target


@pytest.mark.parametrize("seed", SEEDS)
def test_every_violated_invariant_replays_as_a_failing_generated_test_on_a_faithful_implementation(
        seed, monkeypatch):
    text = Gen(seed).spec()
    loaded = load_text(text, "gen.sf")
    if not loaded.ok:
        return
    spec = loaded.spec
    interp = Interpreter(spec, Universe({}))
    report = prove(spec, depth=4, timeout=10)
    violated = [r for r in report.invariants if r.verdict is Verdict.VIOLATED and r.kind == "invariant"]
    module = types.ModuleType("defined_differential_impl")
    module.Impl = faithful(spec, interp)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    code = generate(text, "gen.sf", f"{module.__name__}:Impl", "test_gen.py", json.loads(to_json([report])))
    namespace: dict = {}
    exec(compile(code, "test_gen.py", "exec"), namespace)
    replays = sorted(name for name in namespace if name.startswith("test_replay_"))
    assert len(replays) == len(violated), f"{replays} for {[r.id for r in violated]}\n{code}"
    for r in violated:
        name = "test_replay_" + re.sub(r"[^A-Za-z0-9_]", "_", r.id)
        expected = first_failing_invariant(spec, interp, r.run, r.id)
        with pytest.raises(SpecViolation) as caught:
            namespace[name]()
        assert caught.value.kind == ("invariant", expected), f"{r.id}: {caught.value}\n{r.run}\n{text}"


@needs_tlc
@pytest.mark.parametrize("seed", range(8))
def test_tlc_agrees_on_the_runs_and_stops_where_an_operation_is_undefined(seed, tmp_path):
    loaded = load_text(Gen(seed).spec(), "gen.sf")
    if not loaded.ok:
        return
    spec = loaded.spec
    results = prove(spec, depth=4, timeout=10).invariants
    for r in results:
        if r.verdict is Verdict.VIOLATED and r.kind == "invariant":
            base, trace = export_trace(spec, r)
            d = tmp_path / re.sub(r"\W", "_", r.id)
            write(d, base, trace)
            out = run_tlc(d, trace.module)
            assert "Error: Invariant TraceNotConfirmed is violated" in out, out
    # without its invariants, the spec's only errors are its undefined operations: TLC must meet one
    # exactly when prove finds one reachable
    bare = load_text("".join(line for line in Gen(seed).spec().splitlines(keepends=True)
                             if not line.startswith("invariant")), "gen.sf").spec
    undefined = [r for r in prove(bare, depth=6, timeout=10).invariants if r.verdict is Verdict.VIOLATED]
    x = export_tla(bare)
    write(tmp_path / "model", x)
    out = run_tlc(tmp_path / "model", x.module)
    if not undefined:
        assert "No error has been found" in out, out
        return
    assert "No error has been found" not in out, out
    assert re.search(r"second argument of \\(div|%) is 0|not in the domain|undefined at line|"
                     r"Attempted to apply function|has no meaning", out), out


def test_an_invariant_false_wherever_it_has_a_meaning_is_not_proved_from_its_undefined_start():
    """`x % x != 0` has no meaning at x = 0 (init) and is false everywhere else; z3's `x % 0` is x, so
    the bare formula is false everywhere and, taken as the induction hypothesis, proved it (found by
    the test above, seed 1): one step reaches x = -2, where it is defined and false."""
    text = ("spec G\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant I-1: (x % x) != 0\n"
            "action a() {\n  x := -2\n}\n")
    results = {r.id: r for r in prove(load_text(text, "g.sf").spec, depth=3, timeout=10).invariants}
    assert results["I-1"].verdict is Verdict.VIOLATED and len(results["I-1"].run.calls) == 1
    assert results["defined:I-1"].verdict is Verdict.VIOLATED and not results["defined:I-1"].run.calls
