"""Sets as values, differentially: the prover against brute force on the interpreter.

A deterministic generator builds small specs whose state holds sets of a declared set's elements
(`s`, `t: set[E]`), of an enum's values (`k: set[C]`) and of a range's ints (`r: set[0..2]`),
beside a counter `n: int[-3..3]`. Guards, assignments and invariants are drawn from membership,
`add`, `remove`, `union`, `inter`, `diff`, `subset`, `card`, `==`, quantifiers over a set and
`count`/`sum` over one, at random positions. Brute force visits every state within DEPTH steps
with every universe of 0..3 elements of E and every argument.

For every obligation of the prover, run with the same depth:
(a) never `proved` when brute force reaches a state that breaks it;
(b) every violated run replays on the interpreter, call by call, value by value, ends where the
    obligation is false, and survives the JSON report unchanged;
(c) `violated` only when brute force breaks it too (the bounded search's runs are runs).
"""

from __future__ import annotations

import itertools
import random

import pytest

from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.values import Universe

from .support import reachable
from .test_prove_differential import replay, round_trip

SEEDS = range(12)
DEPTH = 3
SIZES = (0, 1, 2, 3)

SETS = {"s": "E", "t": "E", "k": "C", "r": "R"}  # variable -> its element kind
PARAMS = {"E": ("e", "E"), "C": ("c", "C"), "R": ("i", "int[0..2]")}
ELEMENTS = {"C": ["c1", "c2", "c3"], "R": ["0", "1", "2"]}


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def pick(self, options):
        return self.r.choice(options)

    def set_expr(self, kind: str, params: dict[str, str], depth: int = 0) -> str:
        """A set-valued expression of element kind `kind`."""
        names = [v for v, k in SETS.items() if k == kind]
        base = self.pick(names)
        if depth >= 2 or self.r.random() < 0.4:
            return base if kind == "E" or self.r.random() < 0.7 else self.literal(kind, params)
        x = params.get(kind)
        ops = ["union", "inter", "diff"] + (["add", "remove"] if x else [])
        op = self.pick(ops)
        if op in ("add", "remove"):
            return f"{op}({self.set_expr(kind, params, depth + 1)}, {x})"
        right = "{}" if self.r.random() < 0.15 else self.set_expr(kind, params, depth + 1)  # typed by its context
        return f"{op}({self.set_expr(kind, params, depth + 1)}, {right})"

    def literal(self, kind: str, params: dict[str, str]) -> str:
        pool = list(ELEMENTS.get(kind, [])) + ([params[kind]] if kind in params else [])
        items = self.r.sample(pool, self.r.randint(1, min(2, len(pool))))
        return "{" + ", ".join(items) + "}"

    def cond(self, params: dict[str, str], depth: int = 0) -> str:
        kind = self.pick(["E", "E", "C", "R"])
        x = params.get(kind)
        n = self.r.randint(0, 3)
        options = [
            f"card({self.set_expr(kind, params)}) {self.pick(['<=', '>=', '==', '<'])} {n}",
            f"card({self.set_expr(kind, params)}) <= card({self.set_expr(kind, params)})",
            f"subset({self.set_expr(kind, params)}, {self.set_expr(kind, params)})",
            f"{self.set_expr(kind, params)} == {self.set_expr(kind, params)}",
            f"n {self.pick(['<=', '>=', '=='])} card({self.set_expr(kind, params)})",
            f"forall v in {self.set_expr(kind, params)}: v in {self.set_expr(kind, params)}",
            f"exists v in {SETS_OF[kind]}: v in {self.set_expr(kind, params)}",
            f"count(v in {self.set_expr(kind, params)} if v in {self.set_expr(kind, params)}) <= {n}",
        ]
        if kind == "R":
            options.append(f"sum(v for v in {self.set_expr(kind, params)}) {self.pick(['<=', '>='])} {n}")
        if x:
            options += [f"{x} in {self.set_expr(kind, params)}", f"{x} not in {self.set_expr(kind, params)}"]
        c = self.pick(options)
        if depth < 1 and self.r.random() < 0.3:
            return f"({c}) {self.pick(['and', 'or', 'implies'])} ({self.cond(params, depth + 1)})"
        return c

    def action(self, index: int) -> str:
        kinds = self.r.sample(["E", "C", "R"], self.r.randint(0, 2))
        params = {k: PARAMS[k][0] for k in kinds}
        header = ", ".join(f"{PARAMS[k][0]}: {PARAMS[k][1]}" for k in kinds)
        lines = [f"action a{index}({header}) {{"]
        for _ in range(self.r.randint(0, 1)):
            lines.append(f"  requires {self.cond(params)}")
        for var in self.r.sample(list(SETS), self.r.randint(1, 2)):
            lines.append(f"  {var} := {self.set_expr(SETS[var], params)}")
        if self.r.random() < 0.5:
            lines.append(f"  n := max(-3, min(3, {self.pick(['n + 1', 'n - 1', 'card(s)', 'card(k) - card(t)'])}))")
        return "\n".join(lines + ["}"])

    def spec(self) -> str:
        parts = [
            "spec R",
            "set E",
            "enum C { c1, c2, c3 }",
            "state {\n  s: set[E]\n  t: set[E]\n  k: set[C]\n  r: set[0..2]\n  n: int[-3..3]\n}",
            f"init {{\n  s := {{}}\n  t := {{}}\n  k := {self.literal('C', {})}\n  r := {self.literal('R', {})}\n"
            "  n := 0\n}",
        ]
        parts += [f"invariant I{i}: {self.cond({})}" for i in range(3)]
        parts += [self.action(i) for i in range(3)]
        return "\n".join(parts) + "\n"


SETS_OF = {"E": "E", "C": "C", "R": "0..2"}


def brute_force(spec) -> set[str]:
    broken: set[str] = set()
    for size in SIZES:
        it = Interpreter(spec, Universe({"E": tuple(f"E{i}" for i in range(1, size + 1))}))
        for state in reachable(it, range(0, 3), DEPTH):
            broken.update(it.violations(state))
    return broken


@pytest.mark.parametrize("seed", SEEDS)
def test_the_prover_agrees_with_brute_force_on_random_set_specs(seed):
    text = Gen(seed).spec()
    loaded = load_text(text, f"sets{seed}.sf")
    assert loaded.ok, text + "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    spec = loaded.spec
    report = prove(spec, depth=DEPTH, timeout=10.0)
    broken = brute_force(spec)
    for r in report.invariants:
        if r.id in broken:
            assert r.verdict is not Verdict.PROVED, f"{r.id} proved, but brute force breaks it:\n{text}"
        elif r.verdict is Verdict.VIOLATED:
            pytest.fail(f"{r.id} violated, but no state within {DEPTH} steps breaks it:\n{text}")
        if r.verdict is Verdict.VIOLATED:
            replay(spec, r.id, r)
            round_trip(spec, r.run)


def test_the_generated_specs_reach_every_verdict_and_every_set_operation():
    """The generator is not vacuous: over the seeds, proved and violated verdicts both occur, and every
    set function appears."""
    verdicts = set()
    for seed in itertools.islice(SEEDS, 4):
        spec = load_text(Gen(seed).spec(), "s.sf").spec
        verdicts |= {r.verdict for r in prove(spec, depth=DEPTH, timeout=10.0).invariants}
    assert {Verdict.PROVED, Verdict.VIOLATED} <= verdicts
    texts = "".join(Gen(seed).spec() for seed in SEEDS)
    for op in ("{}", "add(", "remove(", "union(", "inter(", "diff(", "subset(", "card(", " not in ", "forall v in"):
        assert op in texts, op
