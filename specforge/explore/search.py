"""Breadth-first search of one instance's reachable states, with parent pointers for shortest runs.

States are the interpreter's `State`s, and every guard, assignment and invariant is evaluated by the
interpreter's compiled closures (`interpret.compiled`, `Interpreter.effect`): one evaluator for the
whole project. `Search.successors` is the one successor function.

What makes a finished search less than a proof is recorded in `Search.limits`: a state outside the
integer range (checked, not expanded), an operation without a meaning (division by zero, a key outside
a map's domain: the call is not made, since the prover leaves such a value unspecified), or the
budget running out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .. import ir
from ..evaluate import Env, EvaluationError, compiled
from ..interpret import Interpreter
from ..ir import IntT, MapT, QuantityT
from ..structure import obligations, within
from ..values import State
from .instance import Instance
from .symmetry import Canonical

# States remembered as reached (beside their canonical keys) per search, at most (memory: a state is shared
# with its node, so the table costs little more than its entries)
REACHED_LIMIT = 2_000_000


@dataclass
class Budget:
    """How much a search may take: seconds of wall-clock time and distinct states (memory), in total over
    every instance it searches."""

    seconds: float = 10.0
    states: int = 500_000
    started: float = field(default_factory=time.perf_counter)
    spent_states: int = 0

    def left(self) -> str | None:
        """None while there is budget left, else what ran out."""
        if self.spent_states >= self.states:
            return f"the state budget ({self.states:,} states) ran out"
        if time.perf_counter() - self.started >= self.seconds:
            return f"the time budget ({self.seconds:g} s) ran out"
        return None


@dataclass
class Node:
    """A stored state: how it was first reached (None for the initial state)."""

    state: State
    parent: tuple | None
    action: str | None
    args: dict
    depth: int


@dataclass
class Step:
    """One step of a run found by the search: the action and arguments that led to `state`."""

    action: str | None
    args: dict
    state: State


Check = Callable[[State], bool]


def targets(spec: ir.Spec, env: Env) -> dict[str, Check]:
    """Every obligation the prover reports on (invariants, then `type:<path>`), as a check of a state
    (evaluated in `env`, whose state it sets)."""
    checks: dict[str, Check] = {}
    for inv in spec.invariants:
        fn = compiled(inv.expr)

        def holds(state: State, fn=fn) -> bool:
            env.state = state
            env.params = {}
            return bool(fn(env))
        checks[inv.id] = holds
    for o in obligations(spec):
        if o.leaf is not None:
            checks[o.id] = lambda state, path=o.leaf.path, t=o.leaf.type: within(t, state[path])
    return checks


def _in_range(t: ir.Type, low: int, high: int) -> Callable | None:
    if isinstance(t, (IntT, QuantityT)):
        return lambda v: low <= v <= high
    if isinstance(t, MapT):
        inner = _in_range(t.value, low, high)
        return None if inner is None else (lambda m: all(inner(v) for v in m.values()))
    return None


class Search:
    """The breadth-first search of one instance. `run()` fills `nodes`, `first` (obligation -> the key of
    the first state found breaking it: a shortest run, by breadth-first order) and `limits`."""

    def __init__(self, spec: ir.Spec, instance: Instance, checks: list[str] | None = None, symmetric: bool = True):
        self.spec = spec
        self.instance = instance
        self.interp = Interpreter(spec, instance.universe)
        self.env: Env = self.interp.env.with_state(State(), {})  # ours to reuse: its state is set per call
        all_checks = targets(spec, self.env)
        self.checks = {tid: all_checks[tid] for tid in (all_checks if checks is None else checks)}
        self.canonical = Canonical(self.interp.leaves, instance.universe, self.env.enums, symmetric)
        low, high = instance.state_range
        self.ranges = [(p, r) for p, t in self.interp.leaves if (r := _in_range(t, low, high)) is not None]
        # per action: its guards, the `ensures` an answer its effect reads must meet after it, its calls
        self.actions = [(a, [compiled(g.cond) for g in a.guards], a.answer is not None, instance.calls[a.name])
                        for a in spec.actions]
        # an action whose effect reads its answer: what it reads of it, and its `ensures`, compiled
        self.answering = {a.name: (a.answer_fields, [compiled(e.cond) for e in a.ensures])
                          for a in spec.actions if a.answer is not None}
        self.nodes: dict[tuple, Node] = {}
        # each state as reached (before renaming) -> its canonical key: most successors are states seen
        # before (an action that changes nothing, or two orders of two steps), and a state's hash and an
        # equality test of states that share their unchanged leaves cost far less than the canonical key
        self.reached: dict[State, tuple] = {}
        self.first: dict[str, tuple] = {}
        self.undecided: dict[str, str] = {}  # obligation -> why its value is unknown in some state
        self.limits: list[str] = []
        self.depth = 0  # the deepest level expanded
        self.transitions = 0
        self.out_of_range = 0
        self.fired: set[str] = set()  # the actions some call of which was enabled in a state searched

    # ---- the successor function

    def successors(self, state: State) -> Iterator[tuple[str, dict, State]]:
        """Every (action, arguments, next state) of the instance's calls whose guards pass in `state`."""
        env = self.env
        effect = self.interp.effect
        for action, guards, answering, calls in self.actions:
            for args in calls:
                env.state = state
                env.params = args
                try:
                    for g in guards:  # in order: a later guard may rely on an earlier one (`d != 0`)
                        if not g(env):
                            break
                    else:
                        after = effect(action, state, args)
                        if answering:  # an answer the effect reads: one its `ensures` allow there, if any
                            args = self.allowed_answer(action, args, after)
                            if args is None:
                                continue
                        yield action.name, args, after
                except EvaluationError as e:
                    self._limit(f"an operation without a meaning in `{action.name}`: {e}")

    def allowed_answer(self, action: ir.Action, args: dict, after: State) -> dict | None:
        """For a call of an action whose effect reads its answer (its answer one of its group's, `after`
        the state the call makes): `args` with an answer of the group (the answers with the part the
        effect reads) that meets the `ensures` in `after`; None when none does."""
        env = self.env
        env.state = after
        (fields, ensures), r = self.answering[action.name], args[ir.RESULT]
        for answer in self.instance.answers[action.name][r if fields is None else tuple(r[f] for f in fields)]:
            env.params = {**args, ir.RESULT: answer}
            if all(e(env) for e in ensures):
                return env.params
        return None

    # ---- the search

    def run(self, budget: Budget, stop: Callable[[int], bool] = lambda depth: False,
            progress: Callable[[str], None] | None = None, give_up: bool = False,
            max_depth: int | None = None) -> Search:
        """Search until every reachable state is seen, the budget runs out, `stop(depth)` says that the
        level `depth` is not needed, (with `give_up`) something makes the search less than a proof, or
        (with `max_depth`) the levels up to `max_depth` are done."""
        try:
            init = self.interp.initial_state()
        except EvaluationError as e:
            self._limit(f"the initial state has no meaning: {e}")
            return self
        frontier = [self._add(init, None, None, {}, 0)]
        reported = time.perf_counter()
        while frontier:
            depth = self.nodes[frontier[0]].depth + 1
            if stop(depth):
                self._limit(f"stopped before depth {depth}: every obligation searched for is already violated")
                break
            if max_depth is not None and depth > max_depth:
                self._limit(f"searched to depth {max_depth} only")
                break
            nxt: list[tuple] = []
            for n, key in enumerate(frontier):
                if n % 64 == 0:
                    why = budget.left()
                    if why is not None:
                        self._limit(why)
                        return self
                    if give_up and self.limits:  # an undecided obligation leaves the others provable
                        self._limit("given up: the search can no longer prove anything")
                        return self
                    if progress is not None and time.perf_counter() - reported > 0.5:
                        reported = time.perf_counter()
                        progress(f"explicit search ({self.instance.describe()}): {len(self.nodes):,} states, "
                                 f"depth {depth}")
                node = self.nodes[key]
                if not self._expandable(node.state):
                    continue
                for action, args, after in self.successors(node.state):
                    self.transitions += 1
                    self.fired.add(action)
                    k = self.reached.get(after)
                    if k is None:
                        k = self.canonical.key(after)
                        if len(self.reached) < REACHED_LIMIT:
                            self.reached[after] = k
                    if k not in self.nodes:
                        if budget.spent_states >= budget.states:
                            self._limit(budget.left() or "the state budget ran out")
                            return self
                        budget.spent_states += 1
                        nxt.append(self._add(after, key, action, args, depth, k))
            if nxt:
                self.depth = depth
            frontier = nxt
        return self

    def _add(self, state: State, parent: tuple | None, action: str | None, args: dict, depth: int,
             key: tuple | None = None) -> tuple:
        key = self.canonical.key(state) if key is None else key
        self.nodes[key] = Node(state, parent, action, args, depth)
        for tid, check in self.checks.items():
            if tid in self.first:
                continue
            try:
                ok = check(state)
            except EvaluationError as e:
                self.undecided.setdefault(tid, f"{tid} has no value in a reachable state: {e}")
                continue
            if not ok:
                self.first[tid] = key
        return key

    def _expandable(self, state: State) -> bool:
        for path, in_range in self.ranges:
            if not in_range(state[path]):
                if not self.out_of_range:
                    low, high = self.instance.state_range
                    self._limit(f"integer state explored within {low}..{high} only")
                self.out_of_range += 1
                return False
        return True

    def _limit(self, why: str) -> None:
        if why not in self.limits:
            self.limits.append(why)

    # ---- runs

    def run_to(self, key: tuple) -> list[Step]:
        """The run from the initial state to the stored state `key`, its first step the initial state."""
        steps = []
        k: tuple | None = key
        while k is not None:
            node = self.nodes[k]
            steps.append(Step(node.action, node.args, node.state))
            k = node.parent
        return steps[::-1]

    def states(self) -> list[State]:
        return [node.state for node in self.nodes.values()]
