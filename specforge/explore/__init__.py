"""The explicit-state engine: every reachable state of small finite instances of a spec, breadth first.

It runs the typed IR on the interpreter's compiled closures (no second evaluator, no spec text turned
into code) over finite instances (`instance.py`): each `set` with 0..k elements named like the
prover's runs (`Node1`, `Node2`, ...), integer parameters from their guard intervals or from a small
pool of the spec's boundary values, integer state within a range. Breadth-first search with parent
pointers gives a shortest run to each violation in each instance; states that differ only by a
renaming of set elements are stored once (`symmetry.py`).

Three uses:

- `explore(spec, ...)` -> `Exploration`: the violations (shortest runs) and whether the search was
  *exhaustive*: no `set` in the spec, every parameter given every value its guards allow, no state
  outside the integer range, no undefined operation, within the budget. Then every reachable state
  was checked, and an obligation true in all of them is proved (`Exploration.proved`). With a `set`
  or a cut, an exhausted search is bounded evidence only.
- the prover (`specforge.prove`) calls it first on finite specs (a proof by exhaustion) and, on other
  specs, before its SMT bounded search (a fast shortest violation in a small world).
- `sample(spec, sizes)` -> one `Sample` per instance: its universe and its reachable states, for
  invariant inference. Each state is one representative of its class under renaming of set elements
  (pass `symmetric=False` for all of them): a formula quantified over the sets holds in a state
  exactly when it holds in every renaming of it.

        from specforge.explore import sample
        for s in sample(spec, sizes=[1, 2, 3]):   # each set of that size; or a dict set -> size
                                                  # (max_states= per instance, deadline= monotonic time)
            for state in s.states:                # interpreter States: leaf path -> value
                ...                               # evaluate with interpret.Interpreter(spec, s.universe)

Budgets (`Budget`): wall-clock seconds and a number of distinct states, shared by all instances of
one call; what was cut is listed in `Exploration.limits`. Progress goes to a callback
(`stderr_progress()` writes to stderr when it is a terminal); `Exploration.rate` is states per second.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from .. import ir
from ..values import State, Universe
from .instance import FULL_POOL_LIMIT, Instance, build, size_vectors
from .search import Budget, Search, Step

DEFAULT_SIZE = 3
# Levels each instance is first searched to, when several are (`explore`).
SHALLOW_DEPTH = 12
# States per instance of a sample (the inference's; `explore(..., keep=...)` keeps them for it)
SAMPLED_STATES = 2000


@dataclass
class Violation:
    """The shortest run found to a state breaking obligation `id`, and the instance it ran in."""

    id: str
    instance: Instance
    steps: list[Step]  # steps[0] is the initial state

    @property
    def length(self) -> int:
        return len(self.steps) - 1


@dataclass
class Searched:
    """One instance's search: its size, its states (distinct up to symmetry), depth and limits."""

    sizes: dict[str, int]
    states: int
    transitions: int
    depth: int
    limits: list[str]
    cut: int = 0  # of the states, those outside the integer range: checked, not searched further


@dataclass
class Exploration:
    spec: str
    exhaustive: bool
    violations: dict[str, Violation]
    undecided: dict[str, str]  # obligation -> why its value is unknown in some reachable state
    limits: list[str]  # why the search is not a proof (empty when exhaustive)
    checked: list[str] = field(default_factory=list)  # the obligations searched for
    searched: list[Searched] = field(default_factory=list)
    seconds: float = 0.0
    # with `keep`: each instance's first states as `sample` would give them, by its sizes (`sample_key`)
    samples: dict[tuple, Sample] = field(default_factory=dict)

    @property
    def states(self) -> int:
        return sum(s.states for s in self.searched)

    @property
    def rate(self) -> float:
        """Distinct states per second."""
        return self.states / self.seconds if self.seconds > 0 else 0.0

    def proved(self, obligation: str) -> bool:
        """Whether exhausting the reachable states proves the obligation."""
        return (self.exhaustive and obligation in self.checked and obligation not in self.violations
                and obligation not in self.undecided)


def explore(spec: ir.Spec, sizes: int | Iterable[int | Mapping[str, int]] = DEFAULT_SIZE, *,
            checks: list[str] | None = None, budget: Budget | None = None, symmetric: bool = True,
            give_up_unless_exhaustive: bool = False,
            domains: Mapping[tuple[str, str], Iterable[int]] | None = None,
            state_range: tuple[int, int] | None = None,
            progress: Callable[[str], None] | None = None, keep: int = 0) -> Exploration:
    """Search each instance (an int k: every set of 0..k elements, all combinations) for the shortest
    violation of each obligation in `checks` (default: all). With `give_up_unless_exhaustive`, stop as
    soon as the search cannot be a proof. Otherwise, with several instances, every instance is first
    searched to SHALLOW_DEPTH only: an instance whose integers grow without bound (a clock, a counter)
    has no last level, and one without enough elements to break anything (`forall a, b: ... a == b`
    with one node) would take the whole budget before a larger instance, where a short violation is,
    were searched. Then each instance that depth cut is searched again, to the end.

    With `keep`, each instance's first states (its initial state and `keep` more, breadth first) are kept
    in `Exploration.samples`, unless the budget cut the search before that many: what `sample(spec,
    [sizes], keep)` returns, or (an instance cut at SHALLOW_DEPTH) its states to that depth. The inference
    then samples no instance the search has seen."""
    budget = budget or Budget()
    started = time.perf_counter()
    vectors = size_vectors(spec, [sizes] if isinstance(sizes, int) else sizes)
    violations: dict[str, Violation] = {}
    undecided: dict[str, str] = {}
    limits: list[str] = []
    checked: list[str] = []
    if spec.sets:
        limits.append("a set's elements are searched at " + _sizes_text(vectors) + " only")
    last: dict[int, tuple[Searched, list[str]]] = {}  # each instance's most complete search, its limits
    samples: dict[tuple, Sample] = {}
    shallow = not give_up_unless_exhaustive and len(vectors) > 1
    for depth_cap in (SHALLOW_DEPTH, None) if shallow else (None,):
        for i, vector in enumerate(vectors):
            if depth_cap is None and i in last and f"searched to depth {SHALLOW_DEPTH} only" not in last[i][1]:
                continue  # the shallow pass saw all of it
            instance = build(spec, vector, domains, state_range)
            partial = [f"parameter `{p}` drawn from a pool of values, not all" for p in instance.partial]
            if give_up_unless_exhaustive and (limits or partial):
                limits += partial
                break
            search = Search(spec, instance, checks, symmetric)
            checked = list(search.checks)

            def needless(depth: int, search: Search = search) -> bool:
                found = {tid: search.nodes[key].depth for tid, key in search.first.items()}
                return bool(search.checks) and all(
                    min(found.get(tid, depth + 1), _length(violations, tid, depth + 1)) <= depth for tid in search.checks)

            search.run(budget, needless, progress, give_up=give_up_unless_exhaustive, max_depth=depth_cap)
            for tid, key in search.first.items():
                steps = search.run_to(key)
                if tid not in violations or len(steps) - 1 < violations[tid].length:
                    violations[tid] = Violation(tid, instance, steps)
            for tid, why in search.undecided.items():
                undecided.setdefault(tid, why)
            if keep and (len(search.nodes) > keep or budget.left() is None):  # not cut short by the budget
                samples[sample_key(vector)] = Sample(dict(vector), instance.universe,
                                                     [n.state for n in itertools.islice(search.nodes.values(), keep + 1)],
                                                     len(search.nodes) <= keep and not (search.limits or instance.partial))
            last[i] = (Searched(dict(vector), len(search.nodes), search.transitions, search.depth,
                                list(search.limits), search.out_of_range), partial + search.limits)
            if budget.left() is not None or (give_up_unless_exhaustive and search.limits):
                break
        if budget.left() is not None or (checked and all(tid in violations for tid in checked)):
            break
    for i in sorted(last):
        limits += last[i][1]
    limits = list(dict.fromkeys(limits))
    searched = [last[i][0] for i in sorted(last)]
    return Exploration(spec.name, not limits and bool(searched), violations, undecided, limits, checked, searched,
                       time.perf_counter() - started, samples)


def sample_key(sizes: Mapping[str, int]) -> tuple:
    """An instance's sizes as a key of `Exploration.samples`."""
    return tuple(sorted(sizes.items()))


def _length(violations: dict[str, Violation], tid: str, default: int) -> int:
    return violations[tid].length if tid in violations else default


def _sizes_text(vectors: list[dict[str, int]]) -> str:
    sizes = sorted({n for v in vectors for n in v.values()})
    return f"{sizes[0]}..{sizes[-1]} elements" if sizes else "no size"


@dataclass
class Sample:
    """The reachable states of one instance (one per class of renamings, unless asked otherwise)."""

    sizes: dict[str, int]
    universe: Universe
    states: list[State]
    complete: bool  # every reachable state of the instance (within its pools and range) is here


def sample(spec: ir.Spec, sizes: Iterable[int | Mapping[str, int]] = (1, 2, 3), max_states: int | None = None,
           deadline: float | None = None, *, symmetric: bool = True, budget: Budget | None = None) -> list[Sample]:
    """The reachable states of each instance: an int n in `sizes` gives every set n elements (a mapping
    gives each set its own size). `max_states` bounds each instance's search, `deadline` (a
    `time.monotonic()` value) and `budget` all of them; an instance the time leaves no room for is left
    out, one cut short is given with `complete` false."""
    budget = budget or Budget()
    if deadline is not None:
        budget.seconds = min(budget.seconds, max(0.0, deadline - time.monotonic()))
    names = [s.name for s in spec.sets]
    out = []
    for size in sizes:
        if budget.left() is not None:
            break
        vector = dict(size) if isinstance(size, Mapping) else dict.fromkeys(names, size)
        instance = build(spec, vector)
        mine = budget if max_states is None else Budget(budget.seconds, min(max_states, budget.states - budget.spent_states),
                                                        budget.started)
        search = Search(spec, instance, [], symmetric).run(mine)
        budget.spent_states += mine.spent_states if mine is not budget else 0
        out.append(Sample(vector, instance.universe, search.states(), not search.limits and not instance.partial))
    return out


def fired(spec: ir.Spec, actions: Iterable[str], sizes: Iterable[int | Mapping[str, int]] = (1, 2),
          budget: Budget | None = None) -> set[str]:
    """Which of `actions` some reachable state of a small instance lets fire: each such action is live (a
    reachable state enables it), found by searching until all have fired or the budget runs out."""
    budget = budget or Budget()
    wanted, found = set(actions), set()
    names = [s.name for s in spec.sets]
    for size in sizes:
        if budget.left() is not None or wanted <= found:
            break
        vector = dict(size) if isinstance(size, Mapping) else dict.fromkeys(names, size)
        search = Search(spec, build(spec, vector), [])
        before = set(found)
        search.run(budget, lambda depth, search=search, before=before: wanted <= before | search.fired)
        found |= search.fired
    return found & wanted


def stderr_progress(force: bool = False) -> Callable[[str], None] | None:
    """A progress callback writing one refreshed line to stderr, or None when stderr is not a terminal
    (and `force` is not set)."""
    if not (force or sys.stderr.isatty()):
        return None

    def show(message: str) -> None:
        sys.stderr.write("\r\033[K" + message if sys.stderr.isatty() else message + "\n")
        sys.stderr.flush()
    return show


__all__ = ["DEFAULT_SIZE", "FULL_POOL_LIMIT", "SAMPLED_STATES", "SHALLOW_DEPTH", "Budget", "Exploration", "Instance", "Sample", "Searched", "Step",
           "Violation", "explore", "sample", "sample_key", "stderr_progress"]
