"""Test cards from the spec: for every action a shortest run in which it succeeds, for every failure mode
a shortest run that ends in a call it refuses, found by the explicit-state engine.

A card is what a person would do to exercise a feature, in spec terms: Given (the run so far), When
(the call), Then (it succeeds with this state, or it raises this error and nothing changes). The same
runs become pinned pytest cases against an implementation (`pytest_file`), each call checked by the
property tests' oracle. A failure mode no reachable state can trigger is *dead*: shown by an
exhaustive search of a finite spec, or by z3 against the invariants `prove` proved.

The search runs the uniform instances (every set with 0, 1, 2, ... elements, named `Account1`,
`Account2`, ... as the tests name them) breadth first, so the first state where a call succeeds or is
refused gives a shortest run in the smallest world that has one.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

from . import finite, ir
from .evaluate import Env, EvaluationError, compiled
from .explore import Budget
from .explore.instance import build, interval
from .explore.search import Search
from .run import Run
from .values import State, Universe

DEFAULT_SIZES = (0, 1, 2, 3)
MAX_DEPTH = 12  # a card longer than this many calls is no card a person would follow


@dataclass
class Card:
    action: str
    error: str | None  # None: the card shows the action succeeding
    guard: ir.Requires | None  # the refusing guard
    status: str  # "found", "dead", "not found"
    run: Run | None = None  # the whole run, the card's call last (a refused call leaves the state as it was)
    reason: str | None = None

    @property
    def title(self) -> str:
        return f"{self.action} succeeds" if self.error is None else f"{self.action} refuses with {self.error}"


def _targets(spec: ir.Spec) -> list[tuple[str, str | None]]:
    out = []
    for a in spec.actions:
        out.append((a.name, None))
        for e in dict.fromkeys(g.error for g in a.guards if g.error):
            out.append((a.name, e))
    return out


def find_cards(spec: ir.Spec, sizes=DEFAULT_SIZES, budget: Budget | None = None,
               proved: list[str] | None = None) -> list[Card]:
    """A card for every action and failure mode of `spec`. `proved`: ids of invariants known to hold
    in every reachable state (from `prove`), used to show a failure mode dead when no run finds it."""
    budget = budget or Budget(seconds=20.0, states=200_000)
    found: dict[tuple[str, str | None], Card] = {}
    wanted = _targets(spec)
    exhaustive = not spec.sets
    worlds = list(sizes if spec.sets else sizes[:1])
    for i, n in enumerate(worlds):
        if len(found) == len(wanted) or budget.left() is not None:
            break
        instance = build(spec, {s.name: n for s in spec.sets})
        # each world gets its share of what is left, so a big small world cannot starve the next one
        share = Budget(seconds=max(0.0, budget.seconds - (time.perf_counter() - budget.started)) / (len(worlds) - i),
                       states=max(0, budget.states - budget.spent_states) // (len(worlds) - i))
        search = Search(spec, instance, [])
        scan = _Scanner(spec, instance, search, wanted, found)
        search.run(share, stop=lambda depth, scan=scan: scan(depth))
        scan(None)  # the last level's states
        budget.spent_states += share.spent_states
        if search.limits and not all(why.startswith("stopped before depth") for why in search.limits):
            exhaustive = False
        if instance.partial:
            exhaustive = False
        if any(why.startswith("stopped before depth") for why in search.limits) and len(found) < len(wanted):
            exhaustive = False
    cards = []
    for action, error in wanted:
        card = found.get((action, error))
        if card is None:
            card = Card(action, error, _guard(spec, action, error), "not found")
            card.status, card.reason = _why_missing(spec, card, exhaustive, proved)
        cards.append(card)
    return cards


def _outside(spec: ir.Spec, action: ir.Action, instance) -> list[dict]:
    """Calls just outside the interval the guards allow each int parameter (the engine explores only
    calls inside it, as only those lead anywhere): the bad inputs a refusal card needs, with every
    combination of the other parameters' values the engine uses (an earlier guard may need them)."""
    base = instance.calls[action.name]
    env = Env.of(spec, instance.universe)
    out: dict[tuple, dict] = {}
    for p in action.params:
        t = p.type.resolved
        if not finite.int_like(t):
            continue
        low, high = interval(p.name, t, action, env)
        for v in (low - 1 if low is not None else None, high + 1 if high is not None else None):
            if v is None or not finite.within(t, v):
                continue
            for call in base:
                variant = {**call, p.name: v}
                out.setdefault(tuple(variant.items()), variant)
    return list(out.values())


class _Scanner:
    """Looks at the states a breadth-first search has added since it last looked, in the order it added
    them, for a first call of each wanted kind; as a `stop` callback it ends the search once every card
    is found, or past `MAX_DEPTH`."""

    def __init__(self, spec: ir.Spec, instance, search: Search, wanted, found: dict):
        self.spec, self.instance, self.search, self.wanted, self.found = spec, instance, search, wanted, found
        self.seen = 0
        self.guards = {a.name: [(compiled(g.cond), g) for g in a.guards] for a in spec.actions}
        self.calls = {a.name: instance.calls[a.name] + _outside(spec, a, instance) for a in spec.actions}

    def __call__(self, depth: int | None) -> bool:
        keys = list(self.search.nodes)[self.seen:]
        self.seen += len(keys)
        for key in keys:
            if len(self.found) == len(self.wanted):
                break
            self._look(key)
        return len(self.found) == len(self.wanted) or (depth is not None and depth > MAX_DEPTH)

    def _look(self, key) -> None:
        spec, search, node = self.spec, self.search, self.search.nodes[key]
        for a in spec.actions:
            for args in self.calls[a.name]:
                outcome = _outcome(search, self.guards[a.name], node.state, args)
                if outcome is False or (a.name, outcome) in self.found or (a.name, outcome) not in self.wanted:
                    continue
                after = search.interp.effect(a, node.state, args) if outcome is None else node.state
                if a.answer is not None:  # an answer the effect reads: one its `ensures` allow, none when refused
                    args = search.allowed_answer(a, args, after) if outcome is None else \
                        {p: v for p, v in args.items() if p != ir.RESULT}
                    if args is None:
                        continue
                steps = search.run_to(key)
                made = [(s.action, s.args) for s in steps[1:]] + [(a.name, dict(args))]
                run = Run.of(spec, self.instance.universe, [s.state for s in steps] + [after], made)
                guard = next((g for _, g in self.guards[a.name] if g.error == outcome), None) if outcome else None
                self.found[(a.name, outcome)] = Card(a.name, outcome, guard, "found", run)


def _outcome(search: Search, guards, state: State, args: dict):
    """None when the call succeeds, the error name when a guard with one refuses it first, False when it
    cannot be called (an assumption fails, or an operation has no meaning)."""
    env = search.env
    env.state = state
    env.params = args
    try:
        for cond, g in guards:
            if not cond(env):
                return g.error if g.error else False
    except EvaluationError:
        return False
    return None


def _guard(spec: ir.Spec, action: str, error: str | None) -> ir.Requires | None:
    a = next(x for x in spec.actions if x.name == action)
    return next((g for g in a.guards if g.error == error), None) if error else None


def _why_missing(spec: ir.Spec, card: Card, exhaustive: bool, proved: list[str] | None) -> tuple[str, str]:
    what = "refuse a call with " + card.error if card.error else "succeed"
    if exhaustive:
        return "dead", f"no reachable state lets `{card.action}` {what} (every reachable state was searched)"
    if proved is not None and _impossible(spec, card, proved):
        return "dead", (f"no state satisfying the proved invariants lets `{card.action}` {what} (z3)")
    return "not found", f"no run in the small worlds searched lets `{card.action}` {what}"


def _impossible(spec: ir.Spec, card: Card, proved: list[str]) -> bool:
    import z3

    from .prove.encode import Encoder

    enc = Encoder(spec)
    state = enc.state("c")
    action = next(a for a in spec.actions if a.name == card.action)
    params, bounds = enc.params(action, "c")
    guards, _ = enc.transition(action, state, params)
    facts = [enc.invariant(inv, state) for inv in spec.invariants if inv.id in proved]
    facts += list(enc.type_invariants(state).values())
    if card.error is None:
        query = guards
    else:
        index = next(i for i, g in enumerate(action.guards) if g.error == card.error)
        query = [*guards[:index], z3.Not(guards[index])]
    s = z3.Solver()
    s.set("timeout", 10_000)
    s.add(*facts, *bounds, *query)
    return s.check() == z3.unsat


# ---- cards for people ------------------------------------------------------------------------------


def _state(run: Run, i: int) -> str:
    return ", ".join(f"{p} = {run.show_value(i, p)}" for p in run.types.leaf_types)


def markdown(spec: ir.Spec, cards: list[Card], source: str | None = None) -> str:
    lines = [f"# Test cards: {spec.name}", "",
             "Each card is a shortest way to exercise one behaviour of the spec, in its own terms.", ""]
    for c in cards:
        lines.append(f"## {c.title}")
        lines.append("")
        if c.guard is not None:
            text = source.splitlines()[c.guard.span.line - 1].strip() if source else f"requires ... else {c.error}"
            lines.append(f"Guard (line {c.guard.span.line}): `{text}`")
            lines.append("")
        if c.run is None:
            lines += [f"**{c.status.upper()}**: {c.reason}.", ""]
            continue
        run = c.run
        world = run.show_sets()
        lines.append("- **Given** " + (f"the sets {world}, " if world else "") + f"the initial state ({_state(run, 0)})")
        for i in range(run.steps - 1):
            lines.append(f"  - and `{run.show_call(i)}` succeeded ({_state(run, i + 1)})")
        lines.append(f"- **When** `{run.show_call(run.steps - 1)}` is called")
        if c.error is None:
            lines.append(f"- **Then** it succeeds, and the state is {_state(run, run.steps)}")
        else:
            lines.append(f"- **Then** it fails with `{c.error}`, and the state is unchanged")
        lines.append("")
    return "\n".join(lines)


# ---- pinned cases ----------------------------------------------------------------------------------


def pytest_file(spec: ir.Spec, cards: list[Card], source: str, spec_path: str, impl: str, output: str) -> str:
    """A pytest file with one test per card found: the card's run against `impl`, every call checked by
    the property tests' oracle (a refused call must raise its error and change nothing)."""
    module, factory = impl.split(":")
    q = repr  # every piece of spec text goes through repr()
    lines = [
        "# -*- coding: utf-8 -*-",
        "# Generated by `specforge cards`; do not edit. Regenerate with:",
        f"#   specforge cards {_comment(spec_path)} --impl {impl} --pytest {_comment(output)}",
        f'"""Test cards of the spec {_comment(spec.name)} as pinned cases against {impl}."""',
        "",
        "from specforge.cards import play",
        f"from {module} import {factory} as implementation",
        "",
        f"SPEC_PATH = {q(spec_path)}",
        "SOURCE = (",
        *[f"    {q(line)}" for line in source.splitlines(keepends=True)],
        ")",
    ]
    taken: set[str] = set()
    for c in cards:
        if c.run is None:
            continue
        name = _name(c, taken)
        calls = [(call.action, dict(call.args)) for call in c.run.calls]
        sets = {k: tuple(v) for k, v in c.run.sets.items()}
        lines += ["", "", f"def {name}():",
                  f"    {q(c.title)}",
                  f"    play(SOURCE, SPEC_PATH, implementation, {q(calls)}, sets={q(sets)})"]
    return "\n".join(lines) + "\n"


def _name(card: Card, taken: set[str]) -> str:
    base = "test_" + re.sub(r"\W", "_", card.action) + ("_succeeds" if card.error is None else
                                                       "_refuses_" + re.sub(r"\W", "_", card.error))
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _comment(text: str) -> str:
    return re.sub(r"[\r\n\x00-\x1f]", "?", text)


@functools.lru_cache(maxsize=8)
def _spec(source: str, path: str) -> ir.Spec:
    from .testing.generate import load_spec

    return load_spec(source, path)


def play(source: str, path: str, factory, calls: list[tuple[str, dict]], sets: dict | None = None) -> None:
    """Run a card against an implementation: each call on it and on the spec's model, checked by the
    oracle of the property tests (outcome, error, state), and every invariant after each call."""
    __tracebackhide__ = True
    from .structure import obligation_ids
    from .testing import SpecRunner

    spec = _spec(source, path)
    runner = SpecRunner(spec, factory, source=source, set_size=Universe(sets or {}))
    for name, args in calls:
        runner.apply(name, args)
        runner.check_invariants(obligation_ids(spec))


__all__ = ["Card", "find_cards", "markdown", "play", "pytest_file"]
