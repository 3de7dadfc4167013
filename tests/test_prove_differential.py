"""Differential soundness test: the prover against brute force on the interpreter.

A deterministic generator (`SpecGen`, one `random.Random(seed)` per test, seeds
0..N-1) builds small specs whose reachable state space is finite and small:

- 1 to 3 int variables (plain `int`, `nat` or a range type, one possibly a
  record field), 0 to 2 bools, optionally an enum variable, optionally a
  `set Item` with a `map[Item, int]` or `map[Item, bool]`, optionally a
  `duration` clock;
- 1 to 3 actions with up to two parameters (ints, an Item, a Mode, a bool),
  sometimes an extra random guard, and 1 to 3 assignments built from random
  expressions (every operator, floor division and remainder by non-zero
  literals and sometimes by a variable or parameter that can be 0, min/max/abs, if-then-else, quantifiers and comprehensions over the
  set, the enum and ranges, map entry updates, sequential assignments);
- 1 to 3 invariants, from templates (bounds that hold at first and break if a
  variable gets there, implications, quantifiers over Item, Mode and ranges)
  or random; some hold and some do not. The state variables' declared bounds
  (`nat`, `int[a..b]`) are obligations too (`type:<path>`).

Finiteness: every int parameter is restricted to -3..5 by its type or by a
guard placed first, and every int-valued state leaf has a "box": the
generator works out the value each assigned leaf has after the action's
assignments (run symbolically in order, as the language does, in terms of the
state before the action) and adds a guard that keeps it in the box. The box is
not the declared type, so type obligations can still break.

Brute force: breadth-first search of every reachable state with the
interpreter, for Item with 0, 1 and 2 elements (the prover's sets may have any
size, none included) and int arguments -3..5 only. That is exhaustive for
these universes because the guards restrict every int parameter to -3..5
(there are no duration parameters). It gives, for every obligation, the least
number of steps to a state that breaks it, and the largest distance of a
reachable state from init (the diameter).

Then `prove(spec, depth=D, timeout=10)` with D the diameter (at least 1), once
with z3 alone and once with the explicit-state engine (which proves finite
specs by exhaustion and finds small-instance runs first), and for every
obligation:

(a) soundness: never `proved` when brute force reaches a violating state;
(b) every `violated` run (`InvariantResult.run`, typed values) replays on
    the interpreter, in the run's own universe (`run.sets`; the prover may
    use more elements than the brute force): each call is enabled with its
    arguments and gives exactly the next state of the run, value by value
    and type by type, and the obligation is false in the last state. A violation the
    brute force did not see must use more than two Items, and none is longer
    than the brute force's shortest;
(c) completeness (soft): a violation the brute force finds within D steps is
    reported `violated`; an `unknown` is accepted only when its reason is a
    timeout;
(e) an operation without a meaning (a division by a variable that is 0 in a
    reachable state) is reported as its `defined:` obligation exactly when brute
    force reaches it (the same soundness and completeness as above), its run
    replays, and at its last state the interpreter finds no meaning either; no
    other obligation's run passes through one;
(d) every run (and every counterexample to induction) survives the JSON
    report unchanged: `Run.from_json(run.to_json())` equals it, value by
    value, and every value it holds belongs to its type and its run's sets.

SPECFORGE_DIFF_EXAMPLES sets the number of generated specs (default 80) and
SPECFORGE_DIFF_FIRST the first seed (default 0), for longer hunts;
`python tests/test_prove_differential.py SEED` prints the spec of one seed.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from specforge import ir
from specforge.evaluate import EvaluationError
from specforge.frontend import load_text
from specforge.interpret import GuardFailed, Interpreter
from specforge.prove import Verdict, prove
from specforge.prove.replay import replay_problem, same
from specforge.run import Run
from specforge.structure import obligation_ids, obligations
from specforge.values import Universe

N_EXAMPLES = int(os.environ.get("SPECFORGE_DIFF_EXAMPLES", "80"))
FIRST_SEED = int(os.environ.get("SPECFORGE_DIFF_FIRST", "0"))
INT_ARGS = tuple(range(-3, 6))  # the int arguments the brute force tries
ITEMS = 2  # the brute force runs with 0, 1, ..., ITEMS elements in `Item`
ITEM_SIZES = tuple(range(ITEMS + 1))
TIMEOUT = 10.0
STATE_BUDGET = 1500  # the generator keeps the product of the leaves' value counts below this


# ---- expressions as trees, rendered as spec text -------------------------------------------------------
#
# ("lit", n) ("bool", b) ("secs", n) ("const", name) ("enum", member)
# ("var", path) ("param", name) ("bound", name)
# ("bin", op, a, b) ("cmp", op, a, b) ("not", a) ("neg", a) ("call", f, [args]) ("if", c, a, b)
# ("member", a, lo, hi)                      a in lo..hi
# ("quant", kind, var, domain, body)         domain: ("set", "Item") | ("enum", "Mode") | ("range", lo, hi)
# ("lookup", map, key)                       map: ("mapvar", name) | ("store", map, key, value)
#                                                 | ("comp", var, domain, body)

Node = tuple


def render(n: Node) -> str:
    tag = n[0]
    if tag == "lit":
        return str(n[1]) if n[1] >= 0 else f"(-{-n[1]})"
    if tag == "bool":
        return "true" if n[1] else "false"
    if tag == "secs":
        return f"{n[1]} s"
    if tag in ("const", "enum", "var", "param", "bound"):
        return n[1]
    if tag in ("bin", "cmp"):
        return f"({render(n[2])} {n[1]} {render(n[3])})"
    if tag == "not":
        return f"(not {render(n[1])})"
    if tag == "neg":
        return f"(-{render(n[1])})"
    if tag == "call":
        return f"{n[1]}({', '.join(render(a) for a in n[2])})"
    if tag == "if":
        return f"(if {render(n[1])} then {render(n[2])} else {render(n[3])})"
    if tag == "member":
        return f"({render(n[1])} in {render(n[2])}..{render(n[3])})"
    if tag == "quant":
        return f"({n[1]} {n[2]} in {render_domain(n[3])}: {render(n[4])})"
    if tag == "lookup":
        return f"{render_map(n[1])}[{render(n[2])}]"
    if tag == "comp":
        return render_map(n)
    raise AssertionError(n)


def render_domain(d: tuple) -> str:
    return d[1] if d[0] in ("set", "enum") else f"{render(d[1])}..{render(d[2])}"


def render_map(m: Node) -> str:
    if m[0] == "mapvar":
        return m[1]
    if m[0] == "comp":
        return f"{{{m[1]}: {render(m[3])} for {m[1]} in {render_domain(m[2])}}}"
    raise AssertionError(f"a stored map is not rendered: {m}")


def subst(n: Node, env: dict) -> Node:
    """`n` with state variables (and maps) replaced by their values in `env` (bound variables: ("bound", v))."""
    tag = n[0]
    if tag == "var":
        return env.get(n[1], n)
    if tag == "bound":
        return env.get(("bound", n[1]), n)
    if tag in ("lit", "bool", "secs", "const", "enum", "param"):
        return n
    if tag in ("bin", "cmp"):
        return (tag, n[1], subst(n[2], env), subst(n[3], env))
    if tag in ("not", "neg"):
        return (tag, subst(n[1], env))
    if tag == "call":
        return (tag, n[1], [subst(a, env) for a in n[2]])
    if tag == "if":
        return (tag, subst(n[1], env), subst(n[2], env), subst(n[3], env))
    if tag == "member":
        return (tag, subst(n[1], env), subst(n[2], env), subst(n[3], env))
    if tag == "quant":
        return (tag, n[1], n[2], subst_domain(n[3], env), subst(n[4], env))
    if tag == "lookup":
        return lookup(subst_map(n[1], env), subst(n[2], env))
    if tag == "comp":
        return subst_map(n, env)
    raise AssertionError(n)


def subst_domain(d: tuple, env: dict) -> tuple:
    return d if d[0] != "range" else ("range", subst(d[1], env), subst(d[2], env))


def subst_map(m: Node, env: dict) -> Node:
    if m[0] == "mapvar":
        return env.get(m[1], m)
    if m[0] == "comp":
        return ("comp", m[1], subst_domain(m[2], env), subst(m[3], env))
    if m[0] == "store":
        return ("store", subst_map(m[1], env), subst(m[2], env), subst(m[3], env))
    raise AssertionError(m)


def lookup(m: Node, key: Node) -> Node:
    """The value of map `m` at `key`, with stores and comprehensions resolved."""
    if m[0] == "mapvar":
        return ("lookup", m, key)
    if m[0] == "store":
        return ("if", ("cmp", "==", m[2], key), m[3], lookup(m[1], key))
    if m[0] == "comp":
        return subst(m[3], {("bound", m[1]): key})
    raise AssertionError(m)


# ---- the generator ---------------------------------------------------------------------------------------

MEMBERS = ("m0", "m1", "m2")


@dataclass
class Ctx:
    """The atoms an expression may use, by type."""

    ints: list[Node]
    bools: list[Node]
    modes: list[Node]
    items: list[Node]
    map: str | None  # "val" (map[Item, int]), "flag" (map[Item, bool]) or None (no set)
    enum: bool
    clock: bool

    def bind(self, kind: str, var: str) -> Ctx:
        new = self.copy()
        getattr(new, {"int": "ints", "item": "items", "mode": "modes"}[kind]).append(("bound", var))
        return new

    def copy(self) -> Ctx:
        return Ctx(list(self.ints), list(self.bools), list(self.modes), list(self.items), self.map, self.enum,
                   self.clock)


@dataclass
class IntLeaf:
    path: str
    decl: str  # the type as written
    low: int  # the box
    high: int
    init: int


class SpecGen:
    """Builds one spec from a seed (see the module docstring)."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.fresh = 0

    # -- choices

    def int(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def pick(self, options):
        return self.r.choice(list(options))

    def coin(self, p: float = 0.5) -> bool:
        return self.r.random() < p

    def var(self, prefix: str) -> str:
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    # -- expressions

    def int_atom(self, c: Ctx) -> Node:
        options: list[Callable[[], Node]] = [lambda: ("lit", self.int(-2, 3))]
        if c.ints:
            options += [lambda: self.pick(c.ints)] * 5
        if c.map == "val" and c.items:
            options += [lambda: ("lookup", ("mapvar", "val"), self.pick(c.items))] * 2
        if self.coin(0.05):
            return ("const", "C")
        return self.pick(options)()

    def int_expr(self, c: Ctx, depth: int) -> Node:
        if depth <= 0 or self.coin(0.4):
            return self.int_atom(c)
        kind = self.pick(["+", "-", "+", "-", "*", "/", "%", "minmax", "abs", "if", "neg"])
        d = depth - 1
        if kind in ("+", "-"):
            return ("bin", kind, self.int_expr(c, d), self.int_expr(c, d))
        if kind == "*":
            return ("bin", "*", self.int_expr(c, d), ("lit", self.pick([-1, 2, 3])))
        if kind in ("/", "%"):
            # mostly a non-zero literal; sometimes a variable or parameter, which can be 0: an operation
            # without a meaning, which the prover must report (`defined:`) and never give a value
            divisor = self.pick(c.ints) if c.ints and self.coin(0.3) else ("lit", self.pick([2, 3, -2]))
            return ("bin", kind, self.int_expr(c, d), divisor)
        if kind == "minmax":
            return ("call", self.pick(["min", "max"]), [self.int_expr(c, d) for _ in range(self.int(2, 3))])
        if kind == "abs":
            return ("call", "abs", [self.int_expr(c, d)])
        if kind == "if":
            return ("if", self.bool_expr(c, d), self.int_expr(c, d), self.int_expr(c, d))
        return ("neg", self.int_expr(c, d))

    def step_expr(self, c: Ctx, current: Node) -> Node:
        """`current` moved by a little: the usual shape of an update (`x := x + 1`, `x := x - p0`)."""
        params = [p for p in c.ints if p[0] == "param"]
        delta = self.pick(params) if params and self.coin(0.4) else ("lit", self.pick([1, 1, 1, 2]))
        return ("bin", self.pick(["+", "-"]), current, delta)

    def mode_expr(self, c: Ctx, depth: int) -> Node:
        if depth > 0 and self.coin(0.2):
            return ("if", self.bool_expr(c, depth - 1), self.mode_expr(c, 0), self.mode_expr(c, 0))
        return self.pick([("enum", m) for m in MEMBERS] + c.modes * 2)

    def mode_compare(self, c: Ctx) -> Node:
        left = self.pick(c.modes) if c.modes else ("enum", "m0")
        right = self.pick([m for m in [*c.modes, *(("enum", m) for m in MEMBERS)] if m != left])
        return ("cmp", self.pick(["==", "!="]), left, right)

    def compare(self, c: Ctx, depth: int) -> Node:
        left = self.int_expr(c, depth)
        right = self.int_expr(c, 0) if self.coin(0.4) else ("lit", self.int(-1, 3))
        if render(right) == render(left):
            right = ("lit", self.int(-1, 3))
        return ("cmp", self.pick(["==", "!=", "<", "<=", ">", ">="]), left, right)

    def bool_atom(self, c: Ctx, depth: int) -> Node:
        options: list[Callable[[], Node]] = [lambda: self.compare(c, min(depth, 1))] * 4
        if c.bools:
            options += [lambda: self.pick(c.bools)] * 3
        if c.enum:
            options += [lambda: self.mode_compare(c)] * 2
        if c.map == "flag" and c.items:
            options += [lambda: ("lookup", ("mapvar", "flag"), self.pick(c.items))] * 3
        if len(c.items) > 1:
            options.append(lambda: ("cmp", self.pick(["==", "!="]), *self.r.sample(c.items, 2)))
        if c.clock:
            options.append(lambda: ("cmp", self.pick(["<", "<=", "==", "!="]), ("var", "clock"),
                                    ("secs", self.int(0, 3))))
            options.append(lambda: ("cmp", "==", ("bin", "%", ("var", "clock"), ("secs", 2)), ("secs", 0)))
        if self.coin(0.03):
            return ("bool", self.coin())
        return self.pick(options)()

    def bool_expr(self, c: Ctx, depth: int) -> Node:
        if depth <= 0 or self.coin(0.35):
            return self.bool_atom(c, depth)
        d = depth - 1
        kinds = ["and", "or", "implies", "iff", "not", "member", "range_q", "if"]
        if c.map:  # a spec has `set Item` exactly when it has a map over it
            kinds += ["item_q"] * 3
        if c.enum:
            kinds.append("mode_q")
        kind = self.pick(kinds)
        if kind in ("and", "or", "implies", "iff"):
            return ("bin", kind, self.bool_expr(c, d), self.bool_expr(c, d))
        if kind == "not":
            return ("not", self.bool_expr(c, d))
        if kind == "member":
            lo = self.int(-2, 2)
            return ("member", self.int_expr(c, 1), ("lit", lo), ("lit", lo + self.int(0, 3)))
        if kind == "if":
            return ("if", self.bool_expr(c, d), self.bool_expr(c, d), self.bool_expr(c, d))
        q = self.pick(["forall", "exists"])
        if kind == "range_q":
            var = self.var("k")
            lo = ("lit", self.int(-1, 1))
            hi = self.pick([("lit", self.int(0, 3)), *c.ints[:2]]) if c.ints else ("lit", 2)
            return ("quant", q, var, ("range", lo, hi), self.bool_expr(c.bind("int", var), d))
        if kind == "item_q":
            var = self.var("i")
            return ("quant", q, var, ("set", "Item"), self.bool_expr(c.bind("item", var), max(d, 1)))
        var = self.var("md")
        return ("quant", q, var, ("enum", "Mode"), self.bool_expr(c.bind("mode", var), d))

    def clock_expr(self, c: Ctx) -> Node:
        clock = ("var", "clock")
        kind = self.pick(["plus", "plus", "minus", "set", "whole", "if", "param"])
        if kind == "plus":
            return ("bin", "+", clock, ("secs", self.int(1, 2)))
        if kind == "minus":
            return ("bin", "-", clock, ("secs", 1))
        if kind == "set":
            return ("secs", self.int(0, 3))
        if kind == "whole":  # duration / duration is an int, int * duration a duration
            return ("bin", "*", ("bin", "/", clock, ("secs", 2)), ("secs", self.int(1, 2)))
        if kind == "if":
            return ("if", self.bool_expr(c, 1), ("bin", "+", clock, ("secs", 1)), clock)
        params = [p for p in c.ints if p[0] == "param"]
        if not params:
            return ("bin", "+", clock, ("secs", 1))
        return ("bin", "+", clock, ("bin", "*", self.pick(params), ("secs", 1)))

    # -- invariants

    def invariant(self, c: Ctx, ints: list[IntLeaf]) -> Node:
        if self.coin(0.35):
            return self.bool_expr(c, self.int(1, 3))
        leaf = self.pick(ints)
        x = ("var", leaf.path)
        near = lambda: ("lit", self.int(leaf.low - 1, leaf.high + 1))  # noqa: E731
        op = lambda: self.pick(["<", "<=", ">", ">=", "==", "!="])  # noqa: E731

        def bound() -> Node:
            """`x` kept on the side of a bound it starts on: true at first, broken only if x gets there."""
            kind = self.pick(["<=", ">=", "!="])
            if kind == "<=":
                return ("cmp", "<=", x, ("lit", self.int(leaf.init, leaf.high)))
            if kind == ">=":
                return ("cmp", ">=", x, ("lit", self.int(leaf.low, leaf.init)))
            others = [v for v in range(leaf.low, leaf.high + 1) if v != leaf.init]
            return ("cmp", "!=", x, ("lit", self.pick(others)))

        templates: list[Callable[[], Node]] = [
            bound, bound, bound,
            lambda: ("bin", self.pick(["and", "or"]), bound(), bound()),
            lambda: ("cmp", op(), x, near()),
            lambda: ("cmp", op(), ("bin", self.pick(["+", "-"]), x, self.pick(c.ints)), near()),
            lambda: ("bin", "implies", self.bool_atom(c, 0), ("cmp", op(), x, near())),
            lambda: ("bin", "or", ("cmp", op(), x, near()), ("cmp", op(), self.pick(c.ints), near())),
            lambda: ("quant", "forall", (k := self.var("k")), ("range", ("lit", 0), x),
                     ("cmp", "<=", ("bound", k), near())),
        ]
        if c.bools:
            templates.append(lambda: ("bin", "implies", self.pick(c.bools), ("cmp", op(), x, near())))
        if c.enum:
            templates.append(lambda: ("bin", "implies", ("cmp", "==", ("var", "mode"), self.mode_expr(c, 0)),
                                      ("cmp", op(), x, near())))
            templates.append(lambda: ("quant", "exists", (m := self.var("md")), ("enum", "Mode"),
                                      ("cmp", "!=", ("bound", m), ("var", "mode"))))
        if c.map == "val":
            templates += [
                lambda: ("quant", self.pick(["forall", "exists"]), (i := self.var("i")), ("set", "Item"),
                         ("cmp", op(), ("lookup", ("mapvar", "val"), ("bound", i)), ("lit", self.int(-1, 2)))),
                lambda: ("quant", "forall", (i := self.var("i")), ("set", "Item"),
                         ("cmp", "<=", ("lookup", ("mapvar", "val"), ("bound", i)), x)),
            ] * 2
        if c.map == "flag":
            templates += [
                lambda: ("quant", self.pick(["forall", "exists"]), (i := self.var("i")), ("set", "Item"),
                         ("bin", "implies", ("lookup", ("mapvar", "flag"), ("bound", i)), ("cmp", op(), x, near()))),
                lambda: ("quant", "forall", (i := self.var("i")), ("set", "Item"),
                         ("quant", "forall", (j := self.var("j")), ("set", "Item"),
                          ("bin", "implies", ("bin", "and", ("lookup", ("mapvar", "flag"), ("bound", i)),
                                                          ("lookup", ("mapvar", "flag"), ("bound", j))),
                           ("cmp", "==", ("bound", i), ("bound", j))))),
                lambda: ("quant", "exists", (i := self.var("i")), ("set", "Item"),
                         ("not", ("lookup", ("mapvar", "flag"), ("bound", i)))),
            ] * 2
        if c.clock:
            templates += [lambda: ("cmp", self.pick(["<=", "<"]), ("var", "clock"), ("secs", self.int(1, 3))),
                          lambda: ("cmp", "==", ("bin", "%", ("var", "clock"), ("secs", 1)), ("secs", 0))]
        return self.pick(templates)()

    # -- the spec

    def spec(self) -> str:
        ints: list[IntLeaf] = []
        for k in range(self.pick([1, 2, 2, 2, 3])):
            low, high = self.int(-2, 0), self.int(2, 5)
            decl = self.pick(["int", "int", "nat", "range"])
            if decl == "range":
                tlo = self.int(low - 1, 1)
                thi = self.int(max(tlo, 0), high + 1)
                decl = f"int[{tlo}..{thi}]"
                candidates = range(max(low, tlo), min(high, thi) + 1)
            elif decl == "nat":
                candidates = range(max(low, 0), high + 1)
            else:
                candidates = range(low, high + 1)
            path = "r.y" if k == 1 and self.coin(0.3) else f"x{k}"
            init = self.pick(candidates) if self.coin(0.4) else min(candidates, key=abs)
            ints.append(IntLeaf(path, decl, low, high, init))
        n_bools = self.pick([0, 1, 1, 2])
        has_enum = self.coin(0.4)
        map_kind = self.pick([None, "val", "flag"])
        has_clock = self.coin(0.15)
        val_box = (self.int(-1, 0), self.int(1, 2))

        def size() -> int:
            total = 2 ** n_bools * (3 if has_enum else 1) * (4 if has_clock else 1)
            for leaf in ints:
                total *= leaf.high - leaf.low + 1
            return total * ((val_box[1] - val_box[0] + 1) ** 2 if map_kind == "val" else 4 if map_kind else 1)

        # keep the state space small: narrow the widest box (keeping init inside) until the product fits
        while size() > STATE_BUDGET:
            widest = max(ints, key=lambda leaf: leaf.high - leaf.low)
            if widest.high - widest.low <= 1:
                if n_bools:
                    n_bools -= 1
                elif has_clock:
                    has_clock = False
                elif has_enum:
                    has_enum = False
                else:
                    break
                continue
            if widest.high > widest.init:
                widest.high -= 1
            else:
                widest.low += 1

        bool_paths = [f"b{k}" for k in range(n_bools)]
        ctx = Ctx([("var", leaf.path) for leaf in ints], [("var", p) for p in bool_paths],
                  [("var", "mode")] if has_enum else [], [], map_kind, has_enum, has_clock)

        lines = ["spec Gen"]
        if has_enum:
            lines.append("enum Mode { " + ", ".join(MEMBERS) + " }")
        if map_kind:
            lines.append("set Item")
        lines.append(f"const C: int = {self.int(-1, 3)}")
        lines.append("state {")
        for leaf in ints:
            lines.append(f"  r: {{\n    y: {leaf.decl}\n  }}" if leaf.path == "r.y" else f"  {leaf.path}: {leaf.decl}")
        lines += [f"  {p}: bool" for p in bool_paths]
        if has_enum:
            lines.append("  mode: Mode")
        if map_kind == "val":
            lines.append("  val: map[Item, int]")
        if map_kind == "flag":
            lines.append("  flag: map[Item, bool]")
        if has_clock:
            lines.append("  clock: duration")
        lines.append("}")
        lines.append("init {")
        lines += [f"  {leaf.path} := {leaf.init}" for leaf in ints]
        lines += [f"  {p} := {render(('bool', self.coin()))}" for p in bool_paths]
        if has_enum:
            lines.append(f"  mode := {self.pick(MEMBERS)}")
        if map_kind == "val":
            lines.append(f"  val := {{i: {self.int(max(val_box[0], 0), val_box[1])} for i in Item}}")
        if map_kind == "flag":
            lines.append(f"  flag := {{i: {render(('bool', self.coin(0.3)))} for i in Item}}")
        if has_clock:
            lines.append(f"  clock := {self.pick(['0', '0 s', '1 s'])}")
        lines.append("}")
        for a in range(self.pick([1, 2, 3, 3, 3])):
            lines += self.action(f"act{a}", ctx, ints, val_box)
        for k in range(self.int(1, 3)):
            level = self.pick(["", "", " SHOULD", " MAY"])
            lines.append(f"invariant I{k}{level}: {render(self.invariant(ctx, ints))}")
        return "\n".join(lines) + "\n"

    def action(self, name: str, ctx: Ctx, ints: list[IntLeaf], val_box: tuple[int, int]) -> list[str]:
        params: list[str] = []
        guards: list[str] = []
        c = ctx.copy()
        for k in range(self.pick([0, 1, 1, 2])):
            kind = self.pick(["int", "int", "int", "item", "mode", "bool"])
            if kind == "item" and not c.map or kind == "mode" and not c.enum:
                kind = "int"
            pname = f"p{k}"
            if kind == "int":
                lo = self.int(-3, 3)
                hi = self.int(lo, min(lo + 4, 5))
                style = self.pick(["guard", "typed", "nat"])
                if style == "typed":
                    params.append(f"{pname}: int[{lo}..{hi}]")
                elif style == "nat":
                    params.append(f"{pname}: nat")
                    guards.insert(0, f"{pname} <= {max(hi, 0)}")
                else:
                    params.append(f"{pname}: int")
                    guards.insert(0, f"{lo} <= {pname} <= {hi}" + (" else BadArg" if self.coin() else ""))
                c.ints.append(("param", pname))
            elif kind == "item":
                params.append(f"{pname}: Item")
                c.items.append(("param", pname))
            elif kind == "mode":
                params.append(f"{pname}: Mode")
                c.modes.append(("param", pname))
            else:
                params.append(f"{pname}: bool")
                c.bools.append(("param", pname))

        if self.coin(0.2):
            guards.append(render(self.bool_expr(c, self.int(0, 1))) + (" else E0" if self.coin() else ""))

        # the assignments, run symbolically (in order) to know each assigned leaf's value afterwards
        targets = [("int", leaf.path) for leaf in ints] * 2 + [("bool", p[1]) for p in ctx.bools]
        if c.enum:
            targets.append(("mode", "mode"))
        if c.clock:
            targets.append(("clock", "clock"))
        if c.map:
            targets.append(("map", c.map))
            if c.items:
                targets += [("entry", c.map)] * 3
        decls = {leaf.path: leaf.decl for leaf in ints}
        env: dict = {}
        assigned: dict[str, str] = {}
        body: list[str] = []
        for _ in range(self.pick([1, 1, 2, 2, 3])):
            kind, path = self.pick(targets)
            if kind == "int":
                value = self.step_expr(c, ("var", path)) if self.coin(0.75) else self.int_expr(c, self.int(0, 2))
                if decls[path] != "int" and _constant(value):
                    # the checker rejects a constant outside a range type at once: same value, not constant
                    value = ("bin", "-", ("bin", "+", value, ("var", path)), ("var", path))
                body.append(f"{path} := {render(value)}")
                env[path] = subst(value, env)
            elif kind == "bool":
                value = self.bool_expr(c, self.int(0, 2))
                body.append(f"{path} := {render(value)}")
                env[path] = subst(value, env)
            elif kind == "mode":
                value = self.mode_expr(c, 1)
                body.append(f"mode := {render(value)}")
                env[path] = subst(value, env)
            elif kind == "clock":
                value = self.clock_expr(c)
                body.append(f"clock := {render(value)}")
                env[path] = subst(value, env)
            elif kind == "map":
                var = self.var("i")
                inner = c.bind("item", var)
                if path == "flag":
                    value = self.bool_expr(inner, self.int(0, 2))
                elif self.coin():
                    value = self.step_expr(inner, ("lookup", ("mapvar", "val"), ("bound", var)))
                else:
                    value = self.int_expr(inner, self.int(0, 2))
                comp = ("comp", var, ("set", "Item"), value)
                body.append(f"{path} := {render_map(comp)}")
                env[path] = subst_map(comp, env)
            else:
                key = self.pick(c.items)
                if path == "flag":
                    value = self.bool_expr(c, self.int(0, 1)) if self.coin(0.6) else ("bool", self.coin())
                elif self.coin(0.6):
                    value = self.step_expr(c, ("lookup", ("mapvar", "val"), key))
                else:
                    value = self.int_expr(c, self.int(0, 2))
                body.append(f"{path}[{render(key)}] := {render(value)}")
                env[path] = ("store", subst_map(("mapvar", path), env), subst(key, env), subst(value, env))
            assigned[path] = kind

        # the box guards: every int-valued leaf the action assigns stays in its box
        boxes = {leaf.path: (leaf.low, leaf.high) for leaf in ints}
        for path, kind in assigned.items():
            if kind == "int":
                low, high = boxes[path]
                guards.append(f"{low} <= {render(env[path])} <= {high}" + (" else Box" if self.coin() else ""))
            elif kind == "clock":
                guards.append(f"0 s <= {render(env[path])} <= 3 s")
            elif path == "val":
                var = self.var("g")
                after = lookup(env["val"], ("bound", var))
                guards.append(f"forall {var} in Item: {val_box[0]} <= {render(after)} <= {val_box[1]}")
        return ([f"action {name}({', '.join(params)}) {{"] + [f"  requires {g}" for g in guards]
                + [f"  {s}" for s in body] + ["}"])


def _constant(n) -> bool:
    """Whether an expression tree reads nothing but literals and constants."""
    if isinstance(n, tuple):
        if n and n[0] in ("var", "param", "bound", "mapvar"):
            return False
        return all(_constant(x) for x in n)
    if isinstance(n, list):
        return all(_constant(x) for x in n)
    return True


def generate(seed: int) -> str:
    """The spec text for one seed."""
    return SpecGen(seed).spec()


# ---- brute force ---------------------------------------------------------------------------------------------


@dataclass
class Explored:
    states: int  # reachable states, summed over the universes
    diameter: int  # the largest distance from init of a reachable state, in any universe
    first: dict[str, int]  # obligation -> the fewest steps to a state that breaks it, in any universe
    # `defined:NAME` -> the fewest steps to a state where invariant NAME, or a call of action NAME,
    # has no meaning (a step without a meaning does not happen: it is this finding)
    undefined: dict[str, int]


def explore(spec: ir.Spec, limit: int = 20_000) -> Explored:
    """Breadth-first search of every reachable state, for each size of Item from 0 to ITEMS."""
    total, diameter, first, undefined = 0, 0, {}, {}

    def note(key: str, depth: int) -> None:
        if undefined.get(key, depth + 1) > depth:
            undefined[key] = depth

    for size in ITEM_SIZES if spec.sets else (0,):
        it = Interpreter(spec, Universe.named(spec, size))
        ids = obligation_ids(spec)
        args = {a.name: it.arguments(a, INT_ARGS) for a in spec.actions}
        init = it.initial_state()
        seen = {init}
        frontier = [init]
        depth = 0
        while True:
            for s in frontier:
                for i in ids:
                    try:
                        broken = not it.holds(i, s)
                    except EvaluationError:
                        note(f"defined:{i}", depth)
                        continue
                    if broken and first.get(i, depth + 1) > depth:
                        first[i] = depth
            nxt = []
            for s in frontier:
                for a in spec.actions:
                    for arg in args[a.name]:
                        try:
                            t = it.step(a, s, arg)
                        except GuardFailed:
                            continue
                        except EvaluationError:
                            note(f"defined:{a.name}", depth)
                            continue
                        if t not in seen:
                            seen.add(t)
                            nxt.append(t)
            assert len(seen) <= limit, "the generated spec has too many reachable states"
            if not nxt:
                break
            frontier = nxt
            depth += 1
        total += len(seen)
        diameter = max(diameter, depth)
    return Explored(total, diameter, first, undefined)


# ---- replaying a run ------------------------------------------------------------------------------------------


def replay(spec: ir.Spec, obligation: str, result) -> None:
    """Check a `violated` run on the interpreter (b), in the run's own universe, value by value (the
    prover's own check, prove/replay.py), and for a `defined:` obligation its last state too."""
    run = result.run
    assert run.breaks == obligation, (run.breaks, obligation)
    problem = replay_problem(spec, run, "definedness" if obligation.startswith("defined:") else "invariant")
    assert problem is None, problem
    if obligation.startswith("defined:"):
        it = Interpreter(spec, run.sets)
        state = run.states[-1]
        name = obligation[len("defined:"):]
        if name in it.actions:  # some call the guards let through has no meaning in the last state
            calls = it.arguments(name, INT_ARGS)
            assert any(_undefined(lambda args=args: it.step(name, state, args)) for args in calls), \
                f"every call of {name} has a meaning in the last state of the run of {obligation}"
        else:
            assert _undefined(lambda: it.holds(name, state)), f"{name} has a meaning in the last state of its run"


def _undefined(fn) -> bool:
    try:
        fn()
    except EvaluationError:
        return True
    except GuardFailed:
        return False
    return False


def round_trip(spec: ir.Spec, run: Run) -> None:
    """(d) the run survives the JSON report unchanged: typed JSON text, read back against the spec."""
    text = json.dumps(run.to_json())
    back = Run.from_json(json.loads(text), spec)
    assert back == run and all(same(a, b) for a, b in zip(back.states, run.states, strict=True)), text
    assert json.dumps(back.to_json()) == text


# ---- the property ---------------------------------------------------------------------------------------------

STATS: dict[str, int] = {}


def _count(key: str) -> None:
    STATS[key] = STATS.get(key, 0) + 1


def check(text: str, explore_size: int = -1) -> None:
    """Brute force and the prover on one spec; assert (a), (b) and (c). `explore_size` -1 runs the prover
    without its explicit-state engine (z3 alone), 3 with it (proofs by exhaustion, small-instance runs)."""
    loaded = load_text(text, "gen.sf")
    assert loaded.ok, text + "\n" + "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    spec = loaded.spec
    explored = explore(spec)
    depth = max(1, explored.diameter)
    report = prove(spec, depth=depth, timeout=TIMEOUT, explore_size=explore_size)
    results = {r.id: r for r in report.invariants}
    assert set(results) - {i for i in results if i.startswith("defined:")} == {
        o.id for o in obligations(spec, members=True)}
    assert set(explored.undefined) <= set(results), (explored.undefined, sorted(results))
    where = f"\n--- spec ---\n{text}--- brute force: {explored.states} states, diameter {explored.diameter}, " \
            f"first violations {explored.first}"
    _count("specs")
    STATS["states"] = STATS.get("states", 0) + explored.states
    for oid, r in results.items():
        _count(f"{r.kind}: {r.verdict.value}" + (f" ({r.method})" if r.method else ""))
        broken_at = explored.undefined.get(oid) if oid.startswith("defined:") else explored.first.get(oid)
        # (a) soundness
        assert not (broken_at is not None and r.verdict is Verdict.PROVED), (
            f"UNSOUND: {oid} is proved ({r.method}), but brute force breaks it after {broken_at} steps{where}")
        # (d) every run, and every counterexample to induction, survives JSON unchanged
        for run in (r.run, r.counterexample):
            if run is not None:
                round_trip(spec, run)
                _count("runs through JSON")
        # (b) every run replays
        if r.verdict is Verdict.VIOLATED:
            run = r.run
            assert run, oid
            assert run.steps <= depth, (oid, run.steps, depth)
            try:
                replay(spec, oid, r)
            except AssertionError as e:
                raise AssertionError(f"the run of {oid} does not replay: {e}\n{run}{where}") from None
            if broken_at is None:
                # brute force is exhaustive for up to ITEMS Items: the run must need more
                assert spec.sets and len(run.sets["Item"]) > ITEMS, (
                    f"{oid}: a violation in {run.steps} steps that brute force did not find\n{run}{where}")
                _count("violated beyond brute force")
            else:
                assert run.steps <= broken_at, (f"{oid}: a run of {run.steps} steps, "
                                                f"brute force needs {broken_at}{where}")
                _count(f"violated after {broken_at} steps")
        # (c) completeness
        if broken_at is not None and broken_at <= depth and r.verdict is not Verdict.VIOLATED:
            assert r.verdict is Verdict.UNKNOWN and "timed out" in (r.reason or ""), (
                f"{oid}: brute force breaks it after {broken_at} steps but the verdict is {r.verdict.value} "
                f"({r.reason}){where}")
            _count("unknown: timed out")


@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + N_EXAMPLES))
def test_prover_agrees_with_brute_force(seed: int):
    check(generate(seed))


@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + N_EXAMPLES))
def test_prover_with_its_explicit_engine_agrees_with_brute_force(seed: int):
    check(generate(seed), explore_size=3)


def test_report_statistics():
    """Not a check of the prover: shows what the runs above saw (with -s), and that they saw a variety."""
    if STATS.get("specs", 0) < 2 * N_EXAMPLES:
        pytest.skip("run together with test_prover_agrees_with_brute_force")
    print("\ndifferential statistics:", dict(sorted(STATS.items())))
    assert STATS.get("invariant: proved (inductive)", 0) > 0
    assert STATS.get("invariant: proved (exhaustive)", 0) > 0
    assert STATS.get("invariant: violated", 0) > 0 and STATS.get("type: violated", 0) > 0
    assert STATS.get("runs through JSON", 0) >= STATS["invariant: violated"] + STATS["type: violated"]
    assert any(k.startswith("violated after") and int(k.split()[2]) >= 3 for k in STATS)
    # divisions by a variable: operations without a meaning found (and, where guarded, proved to have one)
    assert STATS.get("definedness: violated", 0) > 0


if __name__ == "__main__":  # python tests/test_prove_differential.py SEED: print the spec of a seed
    import sys

    print(generate(int(sys.argv[1])), end="")
