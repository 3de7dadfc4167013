"""Discharging a spec's invariants with z3.

In order:
1. consistency: the invariants can all hold at once (else an unsat core names them);
2. the initial state: each invariant holds after `init` (else: violated at step 0);
3. induction, sound by construction: the largest set of invariants (declared
   ones and the state variables' type bounds) that hold initially and that
   every action preserves *assuming only that set* is computed by removing
   failures until nothing changes (Houdini). Everything left is proved: the
   set is inductive, so it holds in every reachable state. An invariant is
   never proved on the strength of another that is not itself proved;
4. for a finite spec (no `set`, every parameter's values enumerable), what induction left open: the
   explicit-state engine (`specforge.explore`) searches every reachable state; when it exhausts them,
   each is decided there: proved ("proved by exhaustive search of N states") or violated with a
   shortest run; for the others, the explicit-state engine searches small instances (each set with
   0..`explore_size` elements) breadth first for a shortest violating run;
5. inference: for what is left and holds initially, supporting invariants are inferred from samples
   of small instances (infer.py) and added to the obligations; the induction of step 3 runs again
   over everything, so an inferred invariant only helps inside a set that is inductive as a whole;
6. real violations: for what is left, bounded model checking from init, shortest run first, up to
   `depth` steps, gives a trace (before inference, on a spec whose thresholds need a finite world
   larger than the small instances of step 4: prove/sums.py, `world_size`);
7. strengthening: for what is still left, z3's CHC engine (Spacer) searches
   for an inductive invariant; one it finds is checked again by plain solver
   calls (init implies it, every action preserves it, it implies the goal)
   before the verdict is `proved`, and it is shown in spec syntax;
7. otherwise `unknown`, with the reason and a counterexample to induction.
Then sanity findings: actions no state satisfying the invariants can take
(dead), and invariants the others imply (redundant).
"""

from __future__ import annotations

import copy
import gc
import hashlib
import itertools
import math
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import z3

from .. import ir
from ..run import Run
from ..structure import Obligation, leaves, obligation_ids, obligations, type_id
from ..values import show
from . import defined, postconditions, sums
from .cache import Cache, Digests, NameDigests, NoCache, digest, record_verdicts
from .encode import (
    Assumptions,
    Encoder,
    Env,
    Question,
    Unsupported,
    UnsupportedSpec,
    assert_fact,
    check,
    negation,
    scope_unsafe,
    substituter,
    unsupported,
)
from .model import Renderer
from .replay import replay_problem
from .result import ActionResult, Finding, InferredInvariant, InvariantResult, ProofReport, Verdict
from .strengthen import strengthen
from .timed import TimedSolver

if TYPE_CHECKING:
    from .. import explore as explicit_search
    from .infer import Inference

DEFAULT_DEPTH = 10
DEFAULT_TIMEOUT = 10.0
# explore.DEFAULT_SIZE (a test keeps them equal): the explicit search and inference are imported only
# when a proof needs them, which a spec whose invariants induction proves never does (75 ms of start-up)
DEFAULT_EXPLORE_SIZE = 3
DEFAULT_EXPLORE_STATES = 200_000
# Seconds of the first explicit search of small instances, before inference; what is still open after
# inference gets a second search with the whole timeout (a correct protocol is proved without waiting
# for a search that can only find violations).
QUICK_SEARCH = 2.0
# Seconds the engine's induction may take to judge a support the inference offers as a trial (infer.FIRST_LOOK).
TRIAL_SECONDS = 5.0
# Seconds the inference of supporting invariants may take in all (0: no inference).
DEFAULT_INFER_BUDGET = 30.0


@dataclass
class Target:
    """One obligation: a declared invariant, or the declared bounds of a state variable."""

    id: str
    level: str
    kind: str
    line: int
    description: str | None
    formula: Callable[[dict[str, z3.ExprRef]], z3.BoolRef]
    # where evaluating the target itself has a meaning: a violation must be a state where it does
    defined: Callable[[dict[str, z3.ExprRef]], z3.BoolRef] | None = None
    # a definedness target: how a state breaks it (with free call arguments), and what the model says of it
    violation: Callable[[dict[str, z3.ExprRef]], tuple[z3.BoolRef, Callable[[z3.ModelRef], str]]] | None = None

    def broken(self, state: dict[str, z3.ExprRef], formula: z3.BoolRef | None = None
               ) -> tuple[list[z3.BoolRef], Callable[[z3.ModelRef], str] | None]:
        """What a state breaking this target satisfies (a genuine break: the target has a meaning there).
        `formula`: the target over that state, when the caller has it already."""
        if self.violation is not None:
            query, explain = self.violation(state)
            return [query], explain
        held = self.formula(state) if formula is None else formula
        return [negation(held), *([self.defined(state)] if self.defined else [])], None


def _with_call(render: Renderer, run: Run, model: z3.ModelRef, explain) -> Run:
    """The run, with the call that breaks its target as one more step when the target says which call that
    is (`explain.step`: a postcondition a determined answer breaks; see prove/postconditions.py)."""
    step = getattr(explain, "step", None)
    return run if step is None else render.extend(run, model, *step)


@dataclass
class _Status:
    init: bool | None = None  # holds initially (None: unknown)
    init_run: Run | None = None  # the initial state, when it breaks the target
    failed_actions: dict[str, bool | None] = field(default_factory=dict)  # action -> preserved
    action_time: dict[str, float] = field(default_factory=dict)
    cti: Run | None = None
    support: set[str] = field(default_factory=set)
    reason: str | None = None
    time: float = 0.0


@dataclass
class _Round:
    """One induction round: the answers known so far, and the checks still to run or running."""
    candidates: list[str]
    outcomes: dict[str, list[Outcome]]
    keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (action, target) -> its cache key
    tasks: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    futures: list = field(default_factory=list)  # the tasks, sent to the workers


# Obligations about every call from a state (each quantifies over the call's arguments), not about the
# state alone: what a call does without a meaning, what its result promises.
CALL_KINDS = ("definedness", "postcondition")
# What the prover asks z3, by the name Prover.solver is given.
CHECKS = ("consistency", "initial", "induction", "bounded", "strengthen", "strengthen-verify", "dead",
          "redundant", "world", "tidy")

# A dead-action question is first asked for this long (ms); one it leaves open is looked for in the reachable
# states of small instances (for at most LIVE_SEARCH seconds and LIVE_STATES states) before it is asked again
# with the whole time limit.
QUICK_DEAD_MS = 100
LIVE_SEARCH = 1.0
LIVE_STATES = 50_000
# A witness world is shrunk set by set, trying up to this many elements.
MAX_TIDY_ELEMENTS = 8
# The check of a target assuming only itself is a shortcut: past this many of z3's resource units (its
# deterministic step count; a target preserved alone took at most 11,383 in the benchmark and example
# specs, a slow refutation over a million) it gives way to the check with every candidate.
ALONE_RLIMIT = 100_000
# Each check that makes a model easier to read (fewer set elements, smaller ints) gets this many of z3's
# resource units; past them the model is kept as it is (a scoped check over lambdas can otherwise take the
# whole timeout before saying unknown).
TIDY_RLIMIT = 2_000_000
REDUNDANT_RLIMIT = 5_000_000  # z3's steps for one "do the others imply it?" check of the redundancy note
# Below this many open obligations a round is checked in this process: starting
# workers would cost more than it saves.
PARALLEL_THRESHOLD = 32


@dataclass
class Outcome:
    """Whether one action preserves one target, assuming a set of candidates."""

    target: str
    action: str
    preserved: bool | None  # None: the solver could not tell
    core: list[str]  # the candidates the proof used
    cti: Run | None
    reason: str | None
    seconds: float


@dataclass
class BoundedOutcome:
    """What the bounded search found for one target: a shortest violating run, or why it is undecided
    (neither: no violation within the depth)."""

    target: str
    run: Run | None
    detail: str | None  # what it breaks (a definedness target)
    reason: str | None
    seconds: float


@dataclass
class InitialOutcome:
    """Whether the initial state satisfies one target."""
    target: str
    holds: bool | None  # None: the solver could not tell
    run: Run | None  # the initial state, when it breaks the target
    detail: str | None  # what it breaks (a definedness target)
    reason: str | None
    seconds: float


def _kept(outcomes: dict[str, list[Outcome]], candidates: list[str]) -> dict[tuple[str, str], Outcome]:
    """The proofs of a round that assumed only the candidates now standing: with fewer hypotheses, the
    same proof holds."""
    standing = set(candidates)
    return {(o.target, o.action): o for tid in candidates for o in outcomes.get(tid, ())
            if o.preserved and standing.issuperset(o.core)}


def _chunks(items: list[str], pieces: int) -> list[list[str]]:
    """One action's targets in `pieces` shares (each share opens a solver with every hypothesis, so
    an action is cut only when there are fewer actions than workers)."""
    if pieces <= 1 or len(items) < 2 * pieces:
        return [items]
    size = -(-len(items) // pieces)
    return [items[i:i + size] for i in range(0, len(items), size)]


_PROVERS: dict[str, Prover] = {}  # in a worker: one Prover per spec it has been sent, built once
# What a worker may be asked to run on its Prover: a task names one of these, never arbitrary code.
REMOTE_METHODS = ("check_action", "initial_checks", "dead_checks", "bounded_checks")


def _remote(key: str, payload: bytes, depth: int, timeout: float, method: str, args: tuple):
    """One share of a phase's checks, in whatever process or machine an executor runs it. z3 objects do
    not pickle: a worker forked from the proving process starts with its Prover (registered under `key`
    before the pool's first task); any other worker rebuilds it from the IR the first time it sees a spec."""
    if method not in REMOTE_METHODS:
        raise ValueError(f"not a prover task: {method}")
    prover = _PROVERS.get(key)
    if prover is None and not payload:
        raise RuntimeError("a worker forked without this spec's prover was sent no copy of the spec")
    if prover is None:
        if len(_PROVERS) >= 8:
            _PROVERS.clear()
        prover = _PROVERS[key] = Prover(pickle.loads(payload), depth, timeout)
    return getattr(prover, method)(*args)


def prove_source(path: str, text: str, depth: int, timeout: float, use_cache: bool,
                 explore_size: int = DEFAULT_EXPLORE_SIZE, explore_states: int = DEFAULT_EXPLORE_STATES,
                 infer_budget: float = DEFAULT_INFER_BUDGET, time_budget: float | None = None) -> ProofReport | None:
    """One whole spec file, checked and proved where an executor runs it (a command with several files
    gives each worker whole files, as text: the files are parsed in the workers, in parallel, and a
    cluster's workers need not see the caller's disk). None when the spec has errors: the caller reads it
    again to report them. The worker opens the result cache itself."""
    from ..frontend import load_text
    from .cache import open_cache

    loaded = load_text(text, path)
    if not loaded.ok:
        return None
    with open_cache(use_cache) as cache:  # `prove`: every construct the prover cannot express is reported
        return prove(loaded.spec, depth, timeout, cache=cache, explore_size=explore_size,
                     explore_states=explore_states, infer_budget=infer_budget, time_budget=time_budget)


# A forked worker starts with the proving process's objects (its Prover among them); its collector would
# walk all of them and, by touching their reference counts, copy every page they sit on. Frozen in the child
# at once, they are left alone there; the proving process's own collector is not touched.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=gc.freeze)


_LOCAL_KEYS = itertools.count()


def _forks_next(executor: Executor | None) -> bool:
    """Whether the executor's workers will be forked from this process at its next task, so that they start
    with everything this process holds now: a standard process pool that forks, before its first task
    (it then starts all its workers at once; CPython 3.8 to 3.13 keep them in `_processes`)."""
    return (isinstance(executor, ProcessPoolExecutor) and getattr(executor, "_processes", None) == {}
            and getattr(executor, "_mp_context", None) is not None
            and executor._mp_context.get_start_method() == "fork")


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """The default executor of `--jobs N`: N local processes, forked where the platform can (the workers
    start with everything imported)."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" else "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def workers(executor: Executor) -> int:
    """How many tasks an executor runs at once, as far as it says (a Dask executor: its cluster's threads)."""
    n = getattr(executor, "_max_workers", None)
    if n is None:
        client = getattr(executor, "_client", None)
        if client is not None:
            try:
                n = sum(client.nthreads().values())
            except Exception:
                n = None
    return max(1, n or 2)


class Prover:
    def __init__(self, spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
                 progress: Callable[[str], None] | None = None, cache: Cache | None = None, jobs: int = 1,
                 executor: Executor | None = None, explore_size: int = DEFAULT_EXPLORE_SIZE,
                 explore_states: int = DEFAULT_EXPLORE_STATES, infer_budget: float = DEFAULT_INFER_BUDGET,
                 time_budget: float | None = None):
        self.spec = spec
        # the whole run's bound: solver checks get at most what is left of it, and the phases after
        # induction are skipped once it is spent (their obligations end unknown, saying so)
        self.deadline = time.monotonic() + time_budget if time_budget else None
        self.time_budget = time_budget
        self.explore_size = explore_size  # the explicit search's largest set size; -1: no explicit search
        self.explore_states = explore_states
        self.depth = depth
        self.timeout = timeout
        self.timeout_ms = max(1, int(timeout * 1000))
        self.progress = progress or (lambda message: None)
        self.cache = cache or NoCache()
        self.jobs = jobs
        self.infer_budget = infer_budget
        self.inference: Inference | None = None
        # `executor` is the caller's (one pool for a whole command, or a Dask cluster); with only `jobs`
        # the prover starts a pool of its own when it first has enough work for one
        self.executor = executor
        self._own_pool = executor is None and jobs > 1
        self._payload: tuple[str, bytes] | None = None
        self._pre_memo: dict[str, z3.BoolRef] = {}
        self._unsafe_memo: dict[tuple[str, bool], bool] = {}
        self._fresh_calls = 0
        self.details: dict[str, str] = {}  # a definedness target's violation: which call, which operation
        self.enc = Encoder(spec)
        # the elements of each summed-over set in the finite world where violations are searched for
        self.world_size = sums.world_size(spec) if self.enc.set_sums else sums.WORLD_SIZE
        self._bmc_searched: set[str] = set()  # the targets the bounded search has had, which it never has twice
        self._bmc_clear: set[str] = set()  # those it searched to the full depth without a violation
        self.render = Renderer(self.enc)
        self.targets = self._targets()
        self._init_defined = defined.init(self.enc).formula()
        # maps built by comprehensions are lambdas, which z3 often cannot decide under a scope (it says
        # unknown after the whole timeout where a fresh solver answers at once): the checks of the initial
        # state and of the bounded search then take a fresh solver each
        self.lambdas = _comprehends(_stmt_expr(stmt) for stmt in [*spec.init, *(x for a in spec.actions for x in a.body)])
        self._lambda_actions = {a.name for a in spec.actions if _comprehends(_stmt_expr(stmt) for stmt in a.body)}
        self.by_id = {t.id: t for t in self.targets}
        self.actions = {a.name: a for a in spec.actions}
        self.digests = (Digests if self.cache.enabled else NameDigests)(spec, depth)
        self.findings: list[Finding] = []
        self._in_process = False
        self._redundancy: list[Finding] | None = None  # found while the workers ran induction
        self._reads: dict[str, set[str]] | None = None  # the symbols each target reads (_weight)
        self.small_worlds: explicit_search.Exploration | None = None  # the search for violations, if it ran

    # ---- setup ----------------------------------------------------------------------------

    def _targets(self) -> list[Target]:
        # The declared bounds of state variables (nat, int[0..9], map values, a set's members) are
        # obligations too: assuming them would hide an action that breaks them.
        targets = [Target(o.id, o.level, o.kind, o.line, o.description, self._formula(o))
                   for o in obligations(self.spec, members=True)]
        return targets + self._definedness_targets(targets) + [
            Target(o.id, "MUST", "postcondition", o.line, o.description, o.formula, violation=o.violation)
            for o in postconditions.obligations(self.enc, self.render)]

    def _formula(self, o: Obligation) -> Callable:
        if o.invariant is not None:
            return lambda s, inv=o.invariant: self.enc.invariant(inv, s)
        return lambda s, path=o.leaf.path, t=o.leaf.type: self.enc.bounds(t, s[path])

    def _definedness_targets(self, targets: list[Target]) -> list[Target]:
        """A MUST obligation for each invariant, action and `init` with a partial operation (`/`, `%`, a
        range-keyed map): in no reachable state does it lose its meaning. An invariant's own target only
        breaks where the invariant has a meaning, and a step only happens where the action has one, so a
        violating run is a run every back end can replay; an operation without a meaning is this finding."""
        probe = self.enc.state("probe")
        out = []
        # the first of each id, as a search would find it; a search per target was quadratic (25 s of 48 at 10,000)
        invariants = {i.id: i for i in reversed(self.spec.invariants)}
        for t in targets:
            inv = invariants.get(t.id)
            if inv is None or not defined.may_be_partial(inv.expr) or not defined.invariant(self.enc, inv, probe).found:
                continue
            t.defined = lambda s, inv=inv: defined.invariant(self.enc, inv, s).formula()
            # The invariant as a candidate and as a hypothesis is "where it has a meaning, it holds": the
            # same formula that init was checked against. The bare formula gives z3's value to an undefined
            # term (x % 0 is x, so `x % x != 0` is false everywhere) and, assumed in induction, proved
            # anything: `x % x != 0` was proved although one step sets x to -2.
            t.formula = lambda s, holds=t.formula, d=t.defined: z3.Implies(d(s), holds(s))
            out.append(Target(f"defined:{inv.id}", "MUST", "definedness", inv.span.line,
                              f"every operation in {inv.id} has a meaning in every reachable state",
                              t.defined, violation=lambda s, inv=inv: self._undefined_in(inv, s)))
        if defined.init(self.enc).found:
            out.append(Target("defined:init", "MUST", "definedness", self.spec.init[0].span.line if self.spec.init
                              else 1, "every operation in `init` has a meaning",
                              lambda s: defined.init(self.enc).formula(),
                              violation=lambda s: self._undefined_init()))
        for a in self.spec.actions:
            params, _ = self.enc.params(a, "probe")
            if not defined.action(self.enc, a, probe, params).found:
                continue
            out.append(Target(f"defined:{a.name}", "MUST", "definedness", a.span.line,
                              f"every call of `{a.name}` the guards let through has a meaning",
                              lambda s, a=a: self._always_defined(a, s),
                              violation=lambda s, a=a: self._undefined_call(a, s)))
        return out

    def _always_defined(self, a: ir.Action, state: dict) -> z3.BoolRef:
        self._fresh_calls += 1
        params, bounds = self.enc.params(a, f"all{self._fresh_calls}")
        d = defined.action(self.enc, a, state, params).formula()
        body = z3.Implies(z3.And(*bounds), d) if bounds else d
        return z3.ForAll(list(params.values()), body) if params else body

    def _undefined_call(self, a: ir.Action, state: dict):
        self._fresh_calls += 1
        params, bounds = self.enc.params(a, f"bad{self._fresh_calls}")
        d = defined.action(self.enc, a, state, params)

        def explain(m: z3.ModelRef) -> str:
            names = self.render._names(m)
            args = ", ".join(f"{p.name}={show(self.render.value(m, params[p.name], p.type.resolved, names), p.type.resolved)}"
                             for p in a.params)
            return f"`{a.name}({args})` has no meaning there: {_first_broken(d, m)}"
        return z3.And(*bounds, z3.Not(d.formula())), explain

    def _undefined_in(self, inv: ir.Invariant, state: dict):
        d = defined.invariant(self.enc, inv, state)
        return z3.Not(d.formula()), lambda m: f"{inv.id} has no meaning there: {_first_broken(d, m)}"

    def _undefined_init(self):
        d = defined.init(self.enc)
        return z3.Not(d.formula()), lambda m: f"`init` has no meaning: {_first_broken(d, m)}"

    def late(self) -> bool:
        """Whether the overall time budget is spent."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def solver(self, check: str = "other") -> z3.Solver:
        """A fresh solver for one kind of question (one of CHECKS), with the time limit set (at most what
        is left of the overall time budget) and, for a spec that sums over sets, the sums' axioms.

        Every solver the prover consults comes from here, so that a test can
        replace this method to make z3 answer `unknown` to chosen questions.
        """
        if check == "strengthen":
            s = z3.SolverFor("HORN")
            s.set("timeout", self.timeout_ms)
            return s
        s = TimedSolver(self.deadline, self.timeout_ms)  # each check ends by the deadline (see prove/timed.py)
        background = self.enc.background()
        if background and self.enc.world is None:
            # The sums' axioms quantify over arrays: z3's model search (MBQI) rarely ends on them, and a
            # query that is not unsat would spend the whole timeout before saying `unknown`. Without it
            # z3 answers unsat or `unknown` (incomplete quantifiers); a state or run, the finite world
            # finds (prove/sums.py). Measured on examples/cart.sf: checkout/CART-4 10 s -> 2 s.
            s.set("smt.mbqi", False)
        s.add(*background)
        return s

    # ---- the pipeline -----------------------------------------------------------------------------

    def run(self) -> ProofReport:
        started = time.perf_counter()
        status = {t.id: _Status() for t in self.targets}
        early = None
        if self._spreads(len(self.targets) * len(self.spec.actions)) and len(self.spec.actions) > 1:
            # the workers start the first induction round, over every target, while this process checks
            # the initial state, consistency and redundancy (which do not depend on what induction proves);
            # the targets over the pre-state are encoded first, once: a worker forked now starts with them, and
            # so do this process's phases (encoded by each, they cost all three processes that time again)
            self._over_pre([t.id for t in self.targets], self.enc.state("pre"))
            early = self._start_round([t.id for t in self.targets])
            self._initial(status, meanwhile=self._while_inducting)
        else:  # with workers, they check the initial state while this process checks consistency
            self._initial(status, meanwhile=self._consistency)
        traces: dict[str, Run] = {}
        proved = self._houdini(status, early)
        open_ids = [t.id for t in self.targets if t.id not in proved]
        if self.late():
            self._out_of_time(open_ids, status)
            open_ids = []
        exhausted = self._exhaust(open_ids, status, traces) if open_ids else {}
        proved |= set(exhausted)
        open_ids = [tid for tid in open_ids if tid not in proved and tid not in traces]
        if open_ids:  # a short search first: most violations are near, and inference may prove the rest
            self._search_small(open_ids, status, traces, min(QUICK_SEARCH, self.timeout))
            open_ids = [tid for tid in open_ids if tid not in traces]
        if open_ids and self.world_size > max(sums.WORLD_SIZE, self.explore_size):
            # the spec compares a count with a threshold that the small instances cannot go over: the
            # bounded search, in a world large enough to, goes before inference (a quick one: what it
            # cannot finish is searched again after inference)
            traces.update(self._bmc(open_ids, status, min(QUICK_SEARCH, self.timeout)))
            open_ids = [tid for tid in open_ids if tid not in traces]
        if open_ids:
            proved = self._infer(status, proved, open_ids) | set(exhausted)
            open_ids = [tid for tid in open_ids if tid not in proved]
        if open_ids and self._cut_short(self.small_worlds):  # what is still open gets the whole budget
            self._search_small(open_ids, status, traces)
            open_ids = [tid for tid in open_ids if tid not in traces]
        if open_ids and self.late():
            self._out_of_time(open_ids, status)
            open_ids = []
        traces.update(self._bmc(open_ids, status) if open_ids else {})
        strengthened: dict[str, str] = {}
        for t in self.targets:
            if t.id in proved or t.id in traces or status[t.id].init is False or t.kind == "inferred":
                continue
            if self.late():
                self._out_of_time([t.id], status)
                continue
            self.progress(f"searching for a strengthening of {t.id}")
            known = [x for x in self.targets if x.id in proved]
            key = self.digests.key("strengthen", self.digests.all_actions, self.digests.target(t.id),
                                   *sorted(self.digests.target(x.id) for x in known))
            cached = self.cache.get(key)
            began = time.perf_counter()
            found = cached["lemma"] if cached else strengthen(self, t, known)
            status[t.id].time += time.perf_counter() - began
            if found is not None:
                strengthened[t.id] = found
                self.cache.put(key, {"lemma": found})
            elif status[t.id].reason is None:
                status[t.id].reason = (f"not inductive, no violation within {self.depth} step{'' if self.depth == 1 else 's'}, "
                                       "and no strengthening found")
        if not self.late():
            self._sanity(proved)
        if self._own_pool and self.executor is not None:
            self.executor.shutdown()
            self.executor = None
        if self._payload is not None and _PROVERS.get(self._payload[0]) is self:
            del _PROVERS[self._payload[0]]
        results = [self._result(t, status[t.id], proved, traces, strengthened, exhausted) for t in self.targets
                   if t.kind != "inferred"]
        if self.spec.constraints:
            ids = [c.id for c in self.spec.constraints]
            self.findings.append(Finding(
                "constraints", f"{', '.join(ids)}: the operating envelope is judged by `specforge load` on a "
                "running implementation, not by prove", self.spec.constraints[0].span.line, "note", ids))
        report = ProofReport(self.spec.name, self.spec.file, results, self.findings, self.depth,
                             int((time.perf_counter() - started) * 1000), self._inferred(status, results))
        record_verdicts(self.cache, self.spec, report)  # the editor's hover shows an invariant's last verdict
        return report

    def _out_of_time(self, ids: list[str], status: dict[str, _Status]) -> None:
        for tid in ids:
            if status[tid].reason is None or "timed out" in status[tid].reason:
                status[tid].reason = f"the overall time budget of {self.time_budget:g} s ran out before it was decided"

    # ---- 1. consistency -------------------------------------------------------------------------------

    def _consistency(self) -> None:
        key = self.digests.key("consistent", *sorted(self.digests.target(t.id) for t in self.targets))
        cached = self.cache.get(key)
        if cached is not None:
            if cached["finding"]:
                self.findings.append(Finding(**cached["finding"]))
            return
        before = len(self.findings)
        decided = self._check_consistency()
        if decided:
            found = self.findings[before:]
            self.cache.put(key, {"finding": asdict(found[0]) if found else None})

    def _check_consistency(self) -> bool:
        if self._satisfiable_in_world(lambda st: [t.formula(st) for t in self.targets]):
            return True
        s = self.solver("consistency")
        # properties of calls, not of states a user wrote: they cannot contradict one
        own = [t for t in self.targets if t.kind not in CALL_KINDS]
        # the targets over the pre-state, as induction encodes them (a question about one state)
        facts = self._over_pre([t.id for t in own], self.enc.state("pre"))
        labels = {}
        for t in own:
            name = f"consistent:{t.id}"
            labels[name] = t
            s.assert_and_track(facts[t.id], z3.Bool(name))
        r = s.check()
        if r == z3.unsat:
            core = [labels[c.decl().name()] for c in s.unsat_core()]
            core.sort(key=lambda t: t.line)
            names = ", ".join(f"{t.id} (line {t.line})" for t in core)
            severity = "error" if any(t.level == "MUST" for t in core) else "warning"
            self.findings.append(Finding("inconsistent", f"these invariants contradict each other: {names}",
                                         core[0].line if core else 1, severity, [t.id for t in core]))
        return r != z3.unknown

    # ---- 2. the initial state ----------------------------------------------------------------------------

    def _initial(self, status: dict[str, _Status], targets: list[Target] | None = None,
                 meanwhile: Callable[[], None] = lambda: None) -> None:
        todo = []
        for t in self.targets if targets is None else targets:
            cached = self.cache.get(self.digests.key("init", self.digests.target(t.id), self.world_size))
            if cached is None:
                todo.append(t.id)
                continue
            status[t.id].init = cached["holds"]
            status[t.id].init_run = self._cached_run(cached["run"])
            if cached.get("detail"):
                self.details[t.id] = cached["detail"]
        started = time.perf_counter()
        if len(todo) > 1 and self._hold_initially(todo):
            # the usual case, one question: 500 checks of one target each took 0.36 s, this one 0.07 s
            meanwhile()
            each = (time.perf_counter() - started) / len(todo)
            outcomes = [InitialOutcome(tid, True, None, None, None, each) for tid in todo]
        elif self._spreads(len(todo)) and targets is None:  # the spec's own obligations: the workers know them
            futures = self._submit("initial_checks", [(ids,) for ids in self._shares(todo)])
            meanwhile()
            outcomes = [o for f in futures for o in f.result()]
        else:
            meanwhile()
            outcomes = self.initial_checks(todo)
        for o in outcomes:
            st = status[o.target]
            st.init, st.init_run, st.time = o.holds, o.run, st.time + o.seconds
            if o.reason is not None:
                st.reason = o.reason
            if o.detail is not None:
                self.details[o.target] = o.detail
            if o.holds is not None:
                self.cache.put(self.digests.key("init", self.digests.target(o.target), self.world_size), {
                    "holds": o.holds, "run": o.run.to_json() if o.run else None, "detail": o.detail})

    def _hold_initially(self, tids: list[str]) -> bool:
        """Whether the initial state satisfies every one of the targets, asked at once: no initial state
        breaks any of them (`unsat`). False also when z3 cannot tell: each is then checked on its own, for
        its verdict and a violation's state."""
        if self._broken_in_world(tids):
            return False  # a violation there is real; the general question would not end before its timeout
        init = self.enc.init_state()
        # the targets over the initial state: the pre-state's encoding with init's terms put in, where init
        # sets every variable (the one encoding induction, consistency and redundancy use too)
        over = self._over_post(init) if all(path in init for path in self.enc.state("pre")) else None
        s = self.solver("initial")
        s.add(z3.Or(*(z3.And(*self._broken_initially(tid, init, over)[0]) for tid in tids)))
        return s.check() == z3.unsat

    def _broken_initially(self, tid: str, init: dict[str, z3.ExprRef],
                          over: Callable[[str], z3.BoolRef] | None = None):
        """What an initial state breaking the target satisfies: one `init` can produce (its operations
        have a meaning), and what the model says of it. `over`: the targets over `init`, when known."""
        t = self.by_id[tid]
        query, explain = t.broken(init, over(tid) if over is not None and t.violation is None else None)
        if t.kind != "definedness":
            query.append(self._init_defined)  # a violation at step 0 is one `init` can produce
        return query, explain

    def initial_checks(self, tids: list[str]) -> list[InitialOutcome]:
        """Does the initial state satisfy each target? (A violation's state, and what it breaks.)"""
        init = self.enc.init_state()
        s = self.solver("initial")  # one solver, a scope per target: a solver each would cost more than most checks
        out = []
        for tid in tids:
            t = self.by_id[tid]
            started = time.perf_counter()
            # on a spec that sums over sets, the general question seldom finds a state (its model search is
            # off, `solver`) and a violation cost it two timeouts (20 s) before the finite world found one
            early = self._initial_in_world(t) if self.enc.set_sums else None
            if early is not None:
                out.append(InitialOutcome(tid, False, early, None, None, time.perf_counter() - started))
                continue
            query, explain = self._broken_initially(tid, init)
            unsafe = scope_unsafe(self.enc, *query)
            s.push()
            s.add(*query)
            r, where = (z3.unknown, s) if self.lambdas else (s.check(), s)
            if r == z3.unknown:
                # z3 gives up under a scope on some queries it decides on a fresh solver (maps built
                # from comprehensions, as lambdas): ask again without one before saying unknown
                where = self.solver("initial")
                where.add(*query)
                r = where.check()
            o = InitialOutcome(tid, None, None, None, None, 0.0)
            if r == z3.unsat:
                o.holds = True
            elif r == z3.sat:
                model = self.small_model(where, [])
                o.holds, o.run = False, _with_call(self.render, self.render.initial(model, init, t.id), model, explain)
                o.detail = explain(model) if explain is not None else None
            else:  # (a finite world's violation was looked for first)
                o.reason = _reason(where, "while checking the initial state")
            if unsafe:
                s = self.solver("initial")  # a quantifier popped: see `encode.scope_unsafe`
            else:
                s.pop()
            o.seconds = time.perf_counter() - started
            out.append(o)
        return out

    def _initial_in_world(self, t: Target) -> Run | None:
        """On a spec that sums over sets: a violating initial state in a finite world, None for none."""
        with self.enc.finite_world("init", self.world_size) as changed:
            if not changed:
                return None
            init = self.enc.init_state()
            s = self.solver("initial")
            s.add(*self._broken_in(t, init))
            if s.check() != z3.sat:
                return None
            return self.render.initial(self.small_model(s, []), init, t.id)

    def _broken_in_world(self, tids: list[str]) -> bool:
        """On a spec that sums over sets: whether some initial state of a finite world breaks one of them."""
        with self.enc.finite_world("init", self.world_size) as changed:
            if not changed:
                return False
            init = self.enc.init_state()
            s = self.solver("initial")
            s.add(z3.Or(*(z3.And(*self._broken_in(self.by_id[tid], init)) for tid in tids)))
            return s.check() == z3.sat

    def _broken_in(self, t: Target, init: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
        query = t.broken(init)[0]
        if t.kind != "definedness":
            query.append(defined.init(self.enc).formula())  # as in `_initial`, encoded in the world
        return query

    # ---- 2b and 4a. the explicit-state engine ------------------------------------------------------------------

    def _explore(self, checks: list[str], give_up: bool, seconds: float | None = None) -> explicit_search.Exploration:
        from .. import explore as explicit_search

        budget = explicit_search.Budget(seconds=self.timeout if seconds is None else seconds, states=self.explore_states)
        # what the search can check in a state: the invariants and the declared bounds; a `defined:`
        # obligation it meets as a search limit, and a set-valued leaf's membership (`type:` of a map into
        # a set) holds in every state it builds, whose values are the universe's own elements
        known = set(obligation_ids(self.spec))
        checks = [c for c in checks if c in known]
        # the instances' first states are the inference's samples, if it runs: it need not search them again
        return explicit_search.explore(self.spec, max(self.explore_size, 0), checks=checks, budget=budget,
                                       give_up_unless_exhaustive=give_up, progress=self.progress,
                                       keep=0 if give_up else explicit_search.SAMPLED_STATES)

    def _exhaust(self, open_ids: list[str], status: dict[str, _Status], traces: dict[str, Run]) -> dict[str, str]:
        """For a finite spec, what induction left open, decided by searching every reachable state: returns
        the obligations it proves, each with its reason; fills `traces` with shortest runs to violations.
        After induction, so that a spec induction proves at once never waits for a large search."""
        if self.explore_size < 0 or self.spec.sets:
            return {}
        self.progress("explicit search of every reachable state")
        found = self._explore(open_ids, give_up=True)
        self._take_runs(found, status, traces)
        if not found.exhaustive:
            return {}
        reason = f"proved by exhaustive search of {found.states:,} state{'s' if found.states != 1 else ''}"
        # an obligation z3 found broken in an initial state stays violated: the two back ends disagree only
        # where one of them is wrong, and a proof must never rest on the one that says "holds"
        proved = {tid: reason for tid in open_ids if found.proved(tid) and status[tid].init is not False}
        for tid in proved:
            status[tid].time += found.seconds
        return proved

    def _search_small(self, open_ids: list[str], status: dict[str, _Status], traces: dict[str, Run],
                      seconds: float | None = None) -> None:
        """Shortest violations in small instances, before the slower SMT bounded search: for `seconds`
        (by default the per-check timeout)."""
        if self.explore_size < 0:
            return
        self.progress(f"explicit search of small instances, {len(open_ids)} open")
        self.small_worlds = self._explore(open_ids, give_up=False, seconds=seconds)
        self._take_runs(self.small_worlds, status, traces)

    def _cut_short(self, found: explicit_search.Exploration | None) -> bool:
        """Whether a search stopped for a time budget shorter than the whole one (a longer one may find more)."""
        budget = f"the time budget ({min(QUICK_SEARCH, self.timeout):g} s) ran out"
        return found is not None and QUICK_SEARCH < self.timeout and budget in found.limits

    def _take_runs(self, found: explicit_search.Exploration, status: dict[str, _Status],
                   traces: dict[str, Run]) -> None:
        from .explicit import violation_run

        for tid, violation in found.violations.items():
            traces[tid] = violation_run(self.spec, violation)
            status[tid].time += found.seconds

    # ---- 3. induction (Houdini) ----------------------------------------------------------------------------

    def _houdini(self, status: dict[str, _Status], early: _Round | None = None) -> set[str]:
        """The largest set of candidates (the targets that hold initially) that is inductive: rounds of
        induction, each dropping what an action breaks. `early`: a first round over every target, sent
        to the workers before the initial state was checked; it is that round when every target holds
        initially, and otherwise gives the proofs that assumed only candidates."""
        candidates = [t.id for t in self.targets if status[t.id].init]
        kept: dict[tuple[str, str], Outcome] = {}  # proofs that used only candidates still standing
        if early is not None and early.candidates != candidates:
            kept = _kept(self._finish_round(early), candidates)
            early = None
        while True:
            self.progress(f"induction: {len(candidates)} candidate invariants")
            outcomes = self._finish_round(early) if early is not None else self._induction_round(candidates, kept)
            early = None
            failing: set[str] = set()
            for tid in candidates:
                st = status[tid]
                st.support = set()
                for o in outcomes[tid]:
                    st.time += o.seconds
                    st.action_time[o.action] = st.action_time.get(o.action, 0.0) + o.seconds
                    if o.preserved:
                        st.failed_actions.pop(o.action, None)
                        st.support.update(o.core)
                    else:
                        failing.add(tid)
                        st.failed_actions[o.action] = o.preserved
                        if o.cti is not None:
                            st.cti = o.cti
                        if o.reason is not None:
                            st.reason = o.reason
            if not failing:
                proved = set(candidates)
                for tid in proved:
                    status[tid].support.discard(tid)
                    status[tid].support &= proved
                return proved
            candidates = [tid for tid in candidates if tid not in failing]
            kept = _kept(outcomes, candidates)

    # ---- 5. inference ---------------------------------------------------------------------------------

    def _infer(self, status: dict[str, _Status], proved: set[str], open_ids: list[str]) -> set[str]:
        """Infer supporting invariants for the open targets that hold initially, add them as
        obligations, and run the joint induction again over everything."""
        goals = [tid for tid in open_ids if status[tid].init]
        if not goals or self.infer_budget <= 0 or not self.spec.actions:
            return proved
        from .infer import infer

        started = time.perf_counter()
        adopted: list[set[str]] = []

        def trial(support: list) -> bool:
            result = self._adopt(support, status, goals, TRIAL_SECONDS)
            if result is not None:
                adopted.append(result)
            return result is not None

        found = infer(self, goals, proved, self.infer_budget, trial)
        self.inference = found
        spent = time.perf_counter() - started
        for tid in goals:
            status[tid].time += spent / len(goals)
        if found.adopted:
            return adopted[-1]
        if not found.support:
            return proved
        return self._adopt(found.support, status, goals)

    def _adopt(self, support: list, status: dict[str, _Status], goals: list[str],
               seconds: float | None = None) -> set[str] | None:
        """Add inferred invariants as obligations and run the joint induction again over everything: what
        it proves. With `seconds`, a trial: the induction gets that long at most, and unless it proves every
        goal, everything is taken back as it was before (the status of every target, the memos of the
        added ones) and the answer is None."""
        saved = (self.deadline, self._in_process, len(self.targets),
                 {tid: copy.deepcopy(st) for tid, st in status.items()}) if seconds is not None else None
        if seconds is not None:
            self.deadline = min(self.deadline or math.inf, time.monotonic() + seconds)
        added = []
        try:
            for s in support:
                self.digests.add_invariant(s.id, s.expr)
                target = Target(s.id, "SHOULD", "inferred", self.spec.span.line, s.text,
                                lambda state, e=s.expr: self.enc.expr(e, Env(state)))
                self.targets.append(target)
                self.by_id[s.id] = target
                status[s.id] = _Status()
                added.append(target)
            self._initial(status, added)
            self._in_process = True  # the workers know only the spec's own obligations
            proved = self._houdini(status)
        finally:
            if saved is not None:
                self.deadline = saved[0]
        if saved is None or set(goals) <= proved:
            return proved
        _, self._in_process, count, before = saved
        del self.targets[count:]
        for t in added:
            self.by_id.pop(t.id, None)
            status.pop(t.id, None)
            self._pre_memo.pop(t.id, None)
            for key in [k for k in self._unsafe_memo if k[0] == t.id]:
                del self._unsafe_memo[key]
        status.update(before)
        return None

    def _inferred(self, status: dict[str, _Status], results: list[InvariantResult]) -> list[InferredInvariant]:
        """The inferred invariants some proof uses, directly or through another inferred one,
        each with the spec's invariants whose proofs rest on it."""
        if self.inference is None:
            return []
        rests_on: dict[str, list[str]] = {}
        for r in results:
            todo, seen = [s for s in r.supported_by if s in status], set()
            while todo:
                sid = todo.pop()
                if sid in seen or self.by_id[sid].kind != "inferred":
                    continue
                seen.add(sid)
                rests_on.setdefault(sid, []).append(r.id)
                todo.extend(status[sid].support)
        return [InferredInvariant(s.id, s.text, rests_on[s.id]) for s in self.inference.support if s.id in rests_on]

    def _induction_round(self, candidates: list[str],
                         kept: dict[tuple[str, str], Outcome] | None = None) -> dict[str, list[Outcome]]:
        """Does each action preserve each candidate, assuming every candidate? (`kept`: proofs of an earlier
        round still valid, not checked again.)"""
        return self._finish_round(self._start_round(candidates, kept))

    def _start_round(self, candidates: list[str], kept: dict[tuple[str, str], Outcome] | None = None) -> _Round:
        """An induction round's answers from `kept` and the cache, and its checks: sent to the workers now
        when the round spreads, run by `_finish_round` otherwise."""
        kept = kept or {}
        d = self.digests
        caching = self.cache.enabled
        hypotheses = d.key("hypotheses", *sorted(d.target(tid) for tid in candidates)) if caching else ""
        by_digest = {d.target(tid): tid for tid in candidates} if caching else {}
        r = _Round(candidates, {tid: [] for tid in candidates})
        todo: dict[str, list[str]] = {}
        for action in self.spec.actions:
            for tid in candidates:
                earlier = kept.get((tid, action.name))
                if earlier is not None:
                    r.outcomes[tid].append(Outcome(tid, action.name, True, earlier.core, None, None, 0.0))
                    continue
                cached = None
                if caching:
                    key = r.keys[action.name, tid] = d.key("step", d.actions[action.name], d.target(tid), hypotheses)
                    cached = self.cache.get(key)
                    if cached is None:
                        # a proof of an earlier run whose hypotheses (its unsat core: most often the target
                        # alone) are all assumed now holds now, whatever else changed in the spec
                        known = self.cache.get(d.key("step-core", d.actions[action.name], d.target(tid)))
                        if known is not None and all(c in by_digest for c in known["core"]):
                            cached = known
                if cached is None:
                    todo.setdefault(action.name, []).append(tid)
                    continue
                core = sorted(by_digest[c] for c in cached["core"] if c in by_digest)
                cti = self._cached_run(cached["cti"])
                r.outcomes[tid].append(Outcome(tid, action.name, cached["preserved"], core, cti, None, 0.0))
        pieces = -(-self.parallelism // max(1, len(todo)))
        r.tasks = [(name, candidates, chunk) for name, tids in todo.items() for chunk in _chunks(tids, pieces)]
        if self._spreads(sum(len(t[2]) for t in r.tasks)) and len(r.tasks) >= 2:
            # the likely longest first, so that the last tasks to end are short ones and no worker waits long
            # for another: a check costs more when the action writes what its target reads
            # (the answers are still read in the actions' order, as a serial run reads them)
            order = sorted(range(len(r.tasks)), key=lambda i: -self._weight(r.tasks[i][0], r.tasks[i][2]))
            sent = dict(zip(order, self._submit("check_action", [r.tasks[i] for i in order]), strict=True))
            r.futures = [sent[i] for i in range(len(r.tasks))]
        return r

    def _weight(self, action_name: str, targets: list[str]) -> int:
        """How many of the targets read a state variable the action writes (a target whose symbols are not
        known, an obligation about calls or an inferred one, counts as one that does)."""
        if self._reads is None:
            self._reads = _target_symbols(self.spec)
        action = self.actions[action_name]
        written = {f"var:{n.name}" for a in action.assignments for n in ir.walk(a.target)
                   if isinstance(n, ir.Name) and n.ref is ir.RefKind.VAR}
        return sum(1 for tid in targets if tid not in self._reads or not written.isdisjoint(self._reads[tid]))

    def _finish_round(self, r: _Round) -> dict[str, list[Outcome]]:
        d = self.digests
        results = [f.result() for f in r.futures] if r.futures else [self.check_action(*t) for t in r.tasks]
        for result in results:
            for o in result:
                r.outcomes[o.target].append(o)
                if self.cache.enabled and o.preserved is not None:
                    answer = {"preserved": o.preserved, "core": [d.target(c) for c in o.core],
                              "cti": o.cti.to_json() if o.cti else None}
                    self.cache.put(r.keys[o.action, o.target], answer)
                    if answer["preserved"]:
                        # a proof holds whenever its core is assumed: kept under the action and the target
                        # alone too, for a spec where another invariant changed (`_start_round`)
                        self.cache.put(d.key("step-core", d.actions[o.action], d.target(o.target)), answer)
        return r.outcomes

    @property
    def parallelism(self) -> int:
        if self.executor is not None:
            return workers(self.executor)
        return self.jobs

    def _spreads(self, size: int, enough: int = PARALLEL_THRESHOLD, own_targets: bool = False) -> bool:
        """Whether a phase with `size` checks goes to the executor: only with more than one worker, enough
        checks to pay for the tasks, and no obligation the workers do not know (inferred ones, unless the
        phase checks only the spec's own targets)."""
        return self.parallelism > 1 and size >= enough and (own_targets or not self._in_process)

    def _submit(self, method: str, tasks: list[tuple]) -> list:
        """One future per task, each running `method` on a worker's Prover of this spec."""
        if self.executor is None:
            self.executor = process_pool(self.jobs)
        if self._payload is None:
            if _forks_next(self.executor):
                # its workers are forked at this first task and start with this Prover (registered below):
                # they need no copy of the spec (pickling the 500x24 bench spec took 0.03 s)
                self._payload = (f"forked:{os.getpid()}:{next(_LOCAL_KEYS)}", b"")
            else:
                payload = pickle.dumps(self.spec)
                self._payload = (digest("spec", hashlib.sha256(payload).hexdigest(), self.depth, self.timeout), payload)
            # a pool that forks its workers at its first task (the standard one does) hands them this
            # Prover as it stands: they skip rebuilding it (0.26 s each on the 250-invariant bench spec)
            _PROVERS[self._payload[0]] = self
        key, payload = self._payload
        return [self.executor.submit(_remote, key, payload, self.depth, self.timeout, method, task) for task in tasks]

    def _shares(self, ids: list[str]) -> list[list[str]]:
        """A phase's targets cut into one share per worker (a few more, so that a slow share does not
        leave the others idle)."""
        return _chunks(ids, 2 * self.parallelism)

    def check_action(self, action_name: str, candidates: list[str], targets: list[str]) -> list[Outcome]:
        """One solver for one action, with the candidates as tracked hypotheses; a check per target.

        On a spec with sums over sets, a counterexample is first looked for in a finite world
        (prove/sums.py), where z3 finds one quickly; it is a real one. Only what is not refuted
        there is checked for every size, where z3 would often spend its whole timeout on a model."""
        if not self.enc.set_sums:
            return self._step_checks(action_name, candidates, targets)
        with self.enc.finite_world("step"):
            refuted = {o.target: o for o in self._step_checks(action_name, candidates, targets)
                       if o.preserved is False}
        rest = [tid for tid in targets if tid not in refuted]
        checked = {o.target: o for o in self._step_checks(action_name, candidates, rest)} if rest else {}
        return [refuted.get(tid) or checked[tid] for tid in targets]

    def _step_checks(self, action_name: str, candidates: list[str], targets: list[str]) -> list[Outcome]:
        """Does the action preserve each target, assuming the candidates?

        Most targets are preserved on their own (99% of the checks in the benchmark specs): each is
        first checked on a small solver holding only the action and the target itself over the
        pre-state, and then its unsat core is itself. Only a target that is not preserved on its own is
        checked again on a solver holding every candidate behind a switch of its own (built at the first
        such target), for its verdict and either the core of candidates its proof used or a
        counterexample. The small solver is what makes induction cost about what plain z3 costs: a check
        with one switch of hundreds on took 5x a plain check (profiled on a 250x16 spec)."""
        action = self.actions[action_name]
        pre = self.enc.state("pre")
        params, param_bounds = self.enc.params(action, "p")
        guards, post = self.enc.transition(action, pre, params)
        # the targets over the pre-state; every candidate's only when a target is not preserved on its own
        # (a re-run after an edit checks the few targets it changed, not every candidate)
        assumed = set(candidates)
        before = self._over_pre([tid for tid in targets if tid in assumed], pre)
        # a call without a meaning does not happen: it is its own finding (the `defined:` obligations)
        meaning = defined.action(self.enc, action, pre, params).formula()
        # fresh booleans naming the obligations between the action's writes: they constrain nothing and let
        # the sums' point axiom chain through them (main's sets work); both solvers carry them
        hints = self.enc.waypoint_hints(action, params, pre, [self.by_id[tid].formula for tid in targets])
        action_facts = [*param_bounds, *guards, meaning, *hints]
        alone = None
        tracked: list = []  # [solver, labels, assumptions]: built when a target is not preserved on its own
        out = []
        after = self._over_post(post)
        for tid in targets:
            started = time.perf_counter()
            broken = self.enc.negated_goal(after(tid), params.values())
            if tid in assumed:
                if alone is None:
                    alone = self.solver("induction")
                    alone.set("rlimit", ALONE_RLIMIT)  # z3 counts the limit per check
                    alone.set("smt.mbqi", False)  # see `_preserved_alone`
                    alone.add(*action_facts)
                answer = self._preserved_alone(alone, before[tid], broken)
                if answer == z3.unknown and not _gave_up(alone):
                    alone = None  # a check stopped by its limit may leave z3's incremental state unsafe to reuse
                if answer == z3.unsat:
                    out.append(Outcome(tid, action_name, True, [tid], None, None, time.perf_counter() - started))
                    continue
            if not tracked:
                tracked.extend(self._switched(candidates, self._over_pre(candidates, pre), action_facts))
            s, labels, every = tracked
            # the solver runs without model-based instantiation: a quantified target is safe to pop (`_switched`)
            with Question(s, broken, False, "broken") as q:
                r = check(s, every)
                if r == z3.unknown and _gave_up(s):
                    # z3 gives up on a quantified target without model-based instantiation when it is not
                    # preserved (only that instantiation finds a model), and under a scope on some queries a
                    # solver without one decides: its incremental mode preprocesses less, and instantiation
                    # can miss the instance a proof needs, by the luck of term order (a transfer's
                    # conservation law, 1 to 5 runs in 300 in one process). Asked again at a fresh solver's
                    # base level, with model-based instantiation, before saying unknown; that solver is
                    # dropped after.
                    q.leave()
                    tracked.clear()
                    s, labels, every = self._switched(candidates, self._over_pre(candidates, pre), action_facts,
                                                        mbqi=True)
                    assert_fact(s, *broken)
                    r = check(s, every)
                core, cti, reason, preserved = [], None, None, True
                if r == z3.unsat:
                    core = sorted(labels[c.decl().name()] for c in s.unsat_core())
                elif r == z3.sat:
                    preserved = False
                    free = [v for v in [*pre.values(), *params.values()] if z3.is_int(v)]
                    cti = self.render.cti(self.small_model(s, free, every.literals), action, params, pre, post, tid)
                else:
                    preserved, reason = None, _reason(s, f"while checking that {action.name} preserves it")
                    q.leave()
                    tracked.clear()  # stopped by its limit: built anew for the next target
            out.append(Outcome(tid, action_name, preserved, core, cti, reason, time.perf_counter() - started))
        return out

    def _scope_unsafe_target(self, tid: str) -> bool:
        """`encode.scope_unsafe` of a target over the pre-state, worked out once per target (a formula over
        another state has the same quantifiers, plus those of that state's terms)."""
        key = (tid, self.enc.world is None)
        if key not in self._unsafe_memo:
            self._unsafe_memo[key] = scope_unsafe(self.enc, self._over_pre([tid], self.enc.state("pre"))[tid])
        return self._unsafe_memo[key]

    @staticmethod
    def _preserved_alone(alone: z3.Solver, hypothesis: z3.BoolRef, broken: list[z3.BoolRef]) -> z3.CheckSatResult:
        """Only a shortcut: a target that is not preserved alone can be slow for z3 to refute (a model of
        quantified formulas), so this check gets a small share of the time, counted in z3's own steps so
        that the outcome does not depend on load. Fewer hypotheses than the full check: unsat here is
        unsat there.

        The shortcut solver runs without model-based quantifier instantiation (MBQI): it looks for unsat
        only, which instantiation by patterns finds, and a quantified target it cannot refute is
        `unknown` at once (the full check then decides it). Without MBQI its scopes are safe to pop after
        a quantifier (see `encode.scope_unsafe`): a switch per target instead made each check slower than
        the one before (from 245 to 668 us over 100 targets), and a new solver per target made proving
        the bench's quantified specs 3-5x slower. Returns z3's answer; after a check its limit stopped
        the solver is left as it is, to be dropped: z3's incremental state after a cancelled check is not
        safe to pop and reuse (a crash in a later check on a reused solver was seen in CI)."""
        alone.push()
        assert_fact(alone, hypothesis, *broken)
        r = check(alone)
        if r != z3.unknown or _gave_up(alone):
            alone.pop()
        return r

    def _switched(self, candidates: list[str], before: dict[str, z3.BoolRef], action: list,
                  mbqi: bool = False) -> tuple:
        """A solver with the action and every candidate behind a switch of its own (`hyp:<id>`), the
        candidate each switch's name stands for (to read an unsat core), and the switches laid out as
        assumptions for its checks.

        Without `mbqi` the solver runs without model-based quantifier instantiation, like the shortcut
        (`_preserved_alone`): its scopes are safe to pop after a quantified target (see
        `encode.scope_unsafe`). It proves by instantiation on patterns; a target it cannot decide goes
        to a fresh solver with `mbqi`, which finds the counterexample of one not preserved. Asking
        quantified targets behind switches on one solver instead kept the speed but made each check
        slower than the one before. Its unsat cores name a proof's supporting invariants: where several
        sets suffice, which one z3 names depends on the solver's history and on z3's context (docs/prove.md
        2.12 says why the first in the spec's order is not chosen instead)."""
        s = self.solver("induction")
        if not mbqi:
            s.set("smt.mbqi", False)
        switches = {cid: z3.Bool(f"hyp:{cid}") for cid in candidates}
        ref = s.ctx.ref()
        assert_fact(s, *(z3.BoolRef(z3.Z3_mk_implies(ref, switches[cid].as_ast(), before[cid].as_ast()), s.ctx)
                         for cid in candidates))
        s.add(*action)
        return s, {f"hyp:{cid}": cid for cid in candidates}, Assumptions(list(switches.values()))

    def _over_post(self, post: dict[str, z3.ExprRef]) -> Callable[[str], z3.BoolRef]:
        """Each target over an action's post-state (or any state with a term for every variable, the initial
        state's): the target over the pre-state (encoded once for every action and round, `_over_pre`) with
        the pre-state's variables replaced by the post-state's terms, one call into z3 where encoding again
        was 40% of induction on the 250x16 bench spec. A target's formula is a function of the state's
        values alone (its only fresh names are bound variables), so both are the same formula."""
        if self.enc.world is not None:  # a finite world's sums are other terms (prove/sums.py)
            return lambda tid: self.by_id[tid].formula(post)
        pre = self.enc.state("pre")
        replace = substituter(list(pre.values()), [post[path] for path in pre])
        return lambda tid: replace(self._over_pre([tid], pre)[tid])

    def _over_pre(self, ids: list[str], pre: dict[str, z3.ExprRef]) -> dict[str, z3.BoolRef]:
        """The targets over the pre-state, encoded once for every action and round (the pre-state's
        constants have the same names in every check, so one encoding serves them all)."""
        # a finite world's sums are other terms (prove/sums.py): they are never kept for the general case
        memo = self._pre_memo if self.enc.world is None else {}
        for tid in ids:
            if tid not in memo:
                memo[tid] = self.by_id[tid].formula(pre)
        return memo

    # ---- 6. bounded model checking ------------------------------------------------------------------------------

    def _bmc(self, open_ids: list[str], status: dict[str, _Status], seconds: float | None = None) -> dict[str, Run]:
        """The shortest run from init to a state breaking each open target (step 0 is init). Targets are
        searched independently, so with workers each takes a share of them and unrolls the transitions
        itself. With `seconds`, a quick search in that time: a target it could not finish is searched
        again by the next call."""
        traces: dict[str, Run] = {}
        keys = {}
        for tid in open_ids:
            st = status[tid]
            if st.init is False and st.init_run is not None:
                traces[tid] = st.init_run
        remaining = []
        for tid in open_ids:
            if tid in traces or status[tid].init is False or tid in self._bmc_searched:
                continue
            self._bmc_searched.add(tid)
            keys[tid] = self.digests.key("bmc", self.digests.all_actions, self.digests.target(tid), self.world_size)
            cached = self.cache.get(keys[tid])
            if cached is None:
                remaining.append(tid)
            elif cached["trace"] is not None:
                traces[tid] = self._cached_run(cached["trace"])
                if cached.get("detail"):
                    self.details[tid] = cached["detail"]
            else:
                self._bmc_clear.add(tid)
        if not remaining or not self.spec.actions:
            return traces
        left = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        if seconds is not None:
            left = seconds if left is None else min(left, seconds)
        # the open targets are the spec's own (inferred ones are never searched), which every worker knows
        if self._spreads(len(remaining), 2 if self._payload else 4, own_targets=True):  # a pool up, or worth starting
            self.progress(f"bounded search: {len(remaining)} open, in parallel")
            outcomes = [o for f in self._submit("bounded_checks", [(ids, left) for ids in self._shares(remaining)])
                        for o in f.result()]
        else:
            outcomes = self.bounded_checks(remaining, left if seconds is not None else None)
        for o in outcomes:
            status[o.target].time += o.seconds
            if o.run is not None:
                traces[o.target] = o.run
                if o.detail is not None:
                    self.details[o.target] = o.detail
                self.cache.put(keys[o.target], {"trace": o.run.to_json(), "detail": o.detail})
            elif o.reason is not None and seconds is not None:
                self._bmc_searched.discard(o.target)  # cut short: the next search has it again
            elif o.reason is not None:
                status[o.target].reason = o.reason
            else:
                self._bmc_clear.add(o.target)
                self.cache.put(keys[o.target], {"trace": None})  # no violation within the depth: decided
        return traces

    def bounded_checks(self, tids: list[str], seconds_left: float | None = None) -> list[BoundedOutcome]:
        """The shortest run to a state breaking each target, on one unrolling of the transitions; sums over
        sets are taken in a finite world (see prove/sums.py), where a run found is a real run. In a worker,
        `seconds_left` is what the proving process had left of its overall time budget."""
        saved = self.deadline
        if seconds_left is not None:
            self.deadline = time.monotonic() + seconds_left
        try:
            with self.enc.finite_world("bmc", self.world_size):
                return self._search(tids)
        finally:
            self.deadline = saved

    def _search(self, tids: list[str]) -> list[BoundedOutcome]:
        outcomes = {tid: BoundedOutcome(tid, None, None, None, 0.0) for tid in tids}
        remaining = list(tids)
        fresh_only = self.lambdas
        s = self.solver("bounded")
        unrolled: list[z3.BoolRef] = []  # everything asserted on `s`, to ask a fresh solver when it gives up
        states = [self.enc.state("0")]
        init = self.enc.init_state()
        unrolled += [states[0][p] == init[p] for p in states[0]]
        s.add(*unrolled)
        choices: list[tuple[z3.ExprRef, list[tuple[ir.Action, dict]]]] = []
        for k in range(1, self.depth + 1):
            if self.late():  # what is open stays open: the next search (if any) has it again
                for tid in remaining:
                    outcomes[tid].reason = outcomes[tid].reason or f"timed out in the bounded search at depth {k}"
                break
            self.progress(f"bounded search: depth {k} of {self.depth}, {len(remaining)} open")
            nxt = self.enc.state(str(k))
            choice = z3.Int(f"action@{k}")
            options = []
            for i, action in enumerate(self.spec.actions):
                params, bounds = self.enc.params(action, str(k))
                guards, post = self.enc.transition(action, states[-1], params)
                meaning = defined.action(self.enc, action, states[-1], params).formula()
                step = z3.And(*bounds, *guards, meaning, *[nxt[p] == post[p] for p in nxt])
                unrolled.append(z3.Implies(choice == i, step))
                s.add(unrolled[-1])
                options.append((action, params))
            unrolled.append(z3.And(choice >= 0, choice < len(self.spec.actions)))
            s.add(unrolled[-1])
            states.append(nxt)
            choices.append((choice, options))
            for tid in list(remaining):
                o = outcomes[tid]
                started = time.perf_counter()
                query, explain = self.by_id[tid].broken(nxt)
                scoped = not fresh_only and not scope_unsafe(self.enc, *query)  # a quantifier: a solver of its own
                if scoped:
                    s.push()
                    s.add(*query)
                r, where = (s.check(), s) if scoped else (z3.unknown, s)
                if r == z3.unknown and not self.late():  # (past the deadline, a fresh solver could not check)
                    # z3 gives up under a scope on queries a fresh solver decides at once (maps built by
                    # comprehensions are lambdas): ask one before calling this depth undecided
                    where = self.solver("bounded")
                    where.add(*unrolled, *query)
                    r = where.check()
                o.seconds += time.perf_counter() - started
                if r == z3.sat:
                    free = [v for _, options in choices for _, params in options for v in params.values()
                            if z3.is_int(v)]
                    model = self.small_model(where, free)
                    o.run = _with_call(self.render, self.render.trace(model, states, choices, tid), model, explain)
                    o.detail = explain(model) if explain is not None else None
                    o.reason = None
                    remaining.remove(tid)
                elif r == z3.unknown:
                    o.reason = _reason(where, f"in the bounded search at depth {k}")
                if scoped:
                    s.pop()
            if not remaining:
                break
        return [outcomes[tid] for tid in tids]

    # ---- 8. sanity ---------------------------------------------------------------------------------------------------

    def _sanity(self, proved: set[str]) -> None:
        """Dead actions, judged against the proved invariants (what holds in every reachable
        state); redundant invariants, chosen greedily so that removing all of them is safe. With
        workers, they judge the actions while this process looks for redundant invariants."""
        holding = sorted(self.digests.target(tid) for tid in proved)
        keys = {a.name: self.digests.key("dead", self.digests.actions[a.name], *holding)
                for a in self.spec.actions if a.guards}
        known = {name: cached["value"] for name, key in keys.items() if (cached := self.cache.get(key)) is not None}
        todo = [name for name in keys if name not in known]
        futures = (self._submit("dead_checks", [(names, sorted(proved)) for names in _chunks(todo, self.parallelism)])
                   if self._spreads(len(todo), 2 if self._payload else PARALLEL_THRESHOLD) else None)
        before = len(self.findings)
        self.findings.extend(self._redundancy if self._redundancy is not None else self._redundant())
        judged = [v for f in futures for v in f.result()] if futures else self.dead_checks(todo, sorted(proved))
        for name, dead in judged:
            if dead is not None:
                self.cache.put(keys[name], {"value": dead})
                known[name] = dead
        self.findings[before:before] = [Finding(
            "dead-action", f"action `{a.name}` can never fire: its guards contradict the invariants"
            + (" (with an answer its `ensures` allow after the call)" if a.answer is not None else ""),
            a.span.line, "warning", [a.name]) for a in self.spec.actions if known.get(a.name)]

    def dead_checks(self, names: list[str], proved: list[str]) -> list[tuple[str, bool | None]]:
        """Can each action never fire in a state satisfying the proved invariants? (None: z3 cannot tell.)

        Each is first asked with a short time limit. z3 can take long to build a state that enables an
        action (sets as values under quantified invariants: 0.5 s a question on a group-membership spec
        whose proof took 20 ms), and a reachable state of a small instance that lets the action fire
        settles it at once: it satisfies every proved invariant. So an action the short question leaves
        open is looked for in the small instances' states (`explore.fired`), and only one that never
        fires there is asked again with the whole time limit."""
        quick = self._dead_checks(names, proved, QUICK_DEAD_MS)
        slow = [name for name, dead in quick if dead is None]
        if not slow:
            return quick
        from .. import explore as explicit_search  # only here: 75 ms of start-up

        live = explicit_search.fired(self.spec, slow, budget=explicit_search.Budget(LIVE_SEARCH, LIVE_STATES))
        again = dict(self._dead_checks([n for n in slow if n not in live], proved, None))
        return [(name, dead if dead is not None else False if name in live else again[name]) for name, dead in quick]

    def _dead_checks(self, names: list[str], proved: list[str], limit_ms: int | None) -> list[tuple[str, bool | None]]:
        state = self.enc.state("pre")
        memo = self._over_pre(proved, state)  # as induction encoded them
        facts = [memo[tid] for tid in proved]
        out = []
        shared = None  # the proved invariants, asserted once for every action (without lambdas; see _unsat)
        # the query holds a lambda when the proved obligations or the action's guards build a map by a
        # comprehension (an obligation about calls holds the actions' bodies)
        lambdas = self.lambdas and (_comprehends(inv.expr for inv in self.spec.invariants)
                                    or any(self.by_id[tid].kind in CALL_KINDS for tid in proved))
        for name in names:
            action = self.actions[name]
            if self._satisfiable_in_world(lambda st, action=action: [
                    *(self.by_id[tid].formula(st) for tid in proved), *self._enabled(action, st)]):
                out.append((name, False))
                continue
            params, bounds = self.enc.params(action, "d")
            guards, _ = self.enc.transition(action, state, params)
            if lambdas or name in self._lambda_actions or scope_unsafe(self.enc, *bounds, *guards):
                out.append((name, self._unsat(*facts, *bounds, *guards, limit_ms=limit_ms)))
                continue
            if shared is None:
                shared = self.solver("dead")
                if limit_ms is not None:
                    shared.set("timeout", min(limit_ms, self.timeout_ms))
                for f in facts:
                    assert_fact(shared, f)
            shared.push()
            shared.add(*bounds, *guards)
            r = shared.check()
            shared.pop()
            if r == z3.unknown:
                shared = None  # a check stopped by its limit may leave z3's incremental state unsafe to reuse
            out.append((name, None if r == z3.unknown else r == z3.unsat))
        return out

    def _while_inducting(self) -> None:
        """What this process does while the workers run the first induction round."""
        self._consistency()
        self._redundancy = self._redundant()

    def _redundant(self) -> list[Finding]:
        """Invariants the others imply, chosen greedily so that removing all of them is safe.

        Asking of each invariant "do all the others imply it?" puts every fact in every check, so n
        invariants would cost O(n^2) solver work. Two things keep it near linear. Facts that share no
        symbol (state variable, set, function) cannot imply one another when they are consistent
        (the consistency phase checks that), so each group of facts linked by shared symbols is
        judged alone. Within a group a basis grows in declaration order on one incremental solver:
        an invariant the basis already implies is redundant, the others join it; then each basis
        member is asked whether the rest of the basis implies it, "all but one" being O(log n)
        assumptions on a tree of switches. Every invariant left out is implied by what is kept.
        """
        own = [t for t in self.targets if t.kind not in ("inferred", *CALL_KINDS)]  # the spec's invariants
        # the targets over the pre-state, as induction encodes them (the names of a state's variables do not
        # matter to a question about one state)
        facts = self._over_pre([t.id for t in own], self.enc.state("pre"))
        redundant: set[str] = set()
        for group in _linked(self.spec, own):
            redundant |= self._redundant_in(group, facts)
        alone = len(own) == 1
        return [Finding("redundant", f"invariant {t.id} holds in every state: it constrains nothing" if alone else
                        f"invariant {t.id} follows from the others", t.line, "note", [t.id])
                for t in own if t.id in redundant]

    def _redundant_in(self, group: list[Target], facts: dict[str, z3.BoolRef]) -> set[str]:
        digest = self.digests.target

        def solver() -> z3.Solver:
            s = self.solver("redundant")
            # only a note: a check that takes long is skipped, deterministically (z3 counts it per check)
            s.set("rlimit", REDUNDANT_RLIMIT)
            return s
        grow = solver()
        basis = [t for t in group if t.kind != "invariant"]  # type bounds: never reported, always facts
        assert_fact(grow, *(facts[t.id] for t in basis))
        kept = _Multiset(digest(t.id) for t in basis)
        redundant: set[str] = set()

        # on a spec with sums over sets: what a finite world shows the rest of the group does not imply
        independent = {t.id for t in group if t.kind == "invariant" and self._satisfiable_in_world(
            lambda st, t=t: [z3.Not(t.formula(st)), *(o.formula(st) for o in group if o is not t)])}

        stopped: list[bool] = []  # a check its limit stopped: that solver is not reused (see `_preserved_alone`)

        def implied(t: Target, solver: z3.Solver, assumptions: Assumptions | None = None) -> bool | None:
            if t.id in independent:
                return False
            # a quantifier is never popped (see `encode.scope_unsafe`): it is asked behind a switch of its own
            with Question(solver, [negation(facts[t.id])], self._scope_unsafe_target(t.id), "negated") as q:
                r = check(solver, q.under(assumptions))
                if r == z3.unknown:
                    stopped.append(True)
                    q.leave()
                    return None
                return r == z3.unsat

        for t in group:
            if t.kind != "invariant":
                continue
            if self._cached_bool(self.digests.key("implied-by", digest(t.id), kept.digest()),
                                 lambda t=t, grow=grow: implied(t, grow)):
                redundant.add(t.id)
                continue
            if stopped:
                stopped.clear()
                grow = solver()
                assert_fact(grow, *(facts[b.id] for b in basis))
            assert_fact(grow, facts[t.id])
            basis.append(t)
            kept.add(digest(t.id))
        rest = solver()
        tree = _AllBut(rest, [facts[t.id] for t in basis])
        order = {t.id: k for k, t in enumerate(group)}
        for i, t in sorted(enumerate(basis), key=lambda it: order[it[1].id]):
            if t.kind != "invariant" or stopped:
                continue
            key = self.digests.key("redundant", digest(t.id), kept.without(digest(t.id)))
            if self._cached_bool(key, lambda i=i, t=t: implied(t, rest, Assumptions(tree.all_but(i)))):
                tree.drop(i)
                kept.remove(digest(t.id))
                redundant.add(t.id)
        return redundant

    def small_model(self, s: z3.Solver, ints: list[z3.ExprRef], assumptions=()) -> z3.ModelRef:
        """After `sat`: a model as easy to read as the solver can cheaply find.

        Each set gets the fewest elements that still satisfy the query (a
        violation that needs two accounts shows two, not the thirty z3 may pick),
        then the free integers (arguments, a counterexample's state) are kept
        small if they can be. The solver is left as it was: tidying happens on a
        copy, because a check its limit stopped may leave z3's incremental state
        unsafe to reuse (a copy that answered `unknown` is replaced by a new one).
        """
        model = s.model()
        kept: list[z3.BoolRef] = []  # the restrictions the model found so far satisfies

        def tidy() -> z3.Solver:
            # a new solver given the query's assertions, not a copy of `s`: z3 copies a solver by translating
            # it, 0.3-0.5 s even for a small one (70 copies were two thirds of a 32 s run); the scope opened
            # first keeps it incremental, where a first check without one runs z3's slower one-shot tactics
            t = self.solver("tidy")
            t.push()
            t.set("rlimit", TIDY_RLIMIT)  # tidying is optional: a check that takes long is skipped, deterministically
            t.add(*s.assertions(), *kept)
            return t

        def tighter(t: z3.Solver, restriction: z3.BoolRef) -> tuple[z3.Solver, bool]:
            # the restriction behind a switch of its own rather than in a scope: a set's is quantified, and a
            # quantifier popped leaves the solver unsafe to ask again (see `encode.scope_unsafe`)
            nonlocal model
            with Question(t, [restriction], True, "tidy") as q:
                r = t.check(*assumptions, *q.assumptions)
                if r == z3.sat:
                    model = t.model()
                    kept.append(restriction)
                    q.keep()
                    return t, True
                if r == z3.unknown:
                    q.leave()
                    return tidy(), False
                return t, False

        t = tidy()
        for name, sort in self.enc.set_sorts.items():
            have = len(self.render.members(model, name))
            member = self.enc.set_members[name]
            x = z3.Const(f"{name}!any", sort)
            for n in range(min(have, MAX_TIDY_ELEMENTS + 1)):
                elements = [z3.Const(f"{name}!w{i}", sort) for i in range(n)]
                t, found = tighter(t, z3.ForAll([x], z3.Implies(member(x), z3.Or(*[x == e for e in elements]))))
                if found:
                    break
        for bound in (10, 1000):
            if not ints:
                break
            t, found = tighter(t, z3.And(*[z3.And(v >= -bound, v <= bound) for v in ints]))
            if found:
                break
        return model

    def _satisfiable_in_world(self, facts: Callable[[dict[str, z3.ExprRef]], list[z3.BoolRef]]) -> bool:
        """Whether `facts` (of a state) hold together in some finite world, on a spec with sums over sets:
        such a world is a real one, so the question is settled without the sums' quantified axioms
        (on which z3 would often spend its whole timeout). False when the spec has no such sums."""
        with self.enc.finite_world("sat") as changed:
            if not changed:
                return False
            s = self.solver("world")
            s.add(*facts(self.enc.state("w")))
            return s.check() == z3.sat

    def _enabled(self, action: ir.Action, state: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
        params, bounds = self.enc.params(action, "w")
        guards, _ = self.enc.transition(action, state, params)
        return [*bounds, *guards]

    def _unsat(self, *facts, limit_ms: int | None = None) -> bool | None:
        s = self.solver("dead")
        if limit_ms is not None:
            s.set("timeout", min(limit_ms, self.timeout_ms))
        if not self.lambdas:
            # a scope makes z3 answer incrementally: its one-shot tactics, which a first check without one
            # runs, took twice as long on the bench specs' dead-action checks (but decide lambdas better)
            s.push()
        s.add(*facts)
        r = s.check()
        return None if r == z3.unknown else r == z3.unsat

    def _cached_bool(self, key: str, compute: Callable[[], bool | None]) -> bool:
        cached = self.cache.get(key)
        if cached is not None:
            return cached["value"]
        value = compute()
        if value is not None:
            self.cache.put(key, {"value": value})
        return bool(value)

    # ---- results --------------------------------------------------------------------------------------------------

    def _cached_run(self, doc: dict | None) -> Run | None:
        """A run the cache kept in typed JSON (keyed by the spec's digest, so it fits the spec)."""
        return Run.from_json(doc, self.spec) if doc else None

    def _result(self, t: Target, st: _Status, proved: set[str], traces: dict[str, Run],
                strengthened: dict[str, str], exhausted: dict[str, str]) -> InvariantResult:
        actions = [ActionResult(a.name, st.failed_actions.get(a.name, True) if st.init else None,
                                int(st.action_time.get(a.name, 0.0) * 1000)) for a in self.spec.actions]
        base = dict(id=t.id, level=t.level, kind=t.kind, line=t.line, description=t.description,
                    time_ms=int(st.time * 1000), actions=actions)
        inferred = {s.id for s in self.inference.support} if self.inference else set()
        if t.id in exhausted:
            # no claim about single actions: the search checked states, not each action's induction step
            base["actions"] = [ActionResult(a.name, None, 0) for a in self.spec.actions]
            return InvariantResult(verdict=Verdict.PROVED, method="exhaustive", reason=exhausted[t.id], **base)
        if t.id in proved:
            method = ("inferred" if st.support & inferred else
                      "inductive" if not st.support else "inductive with others")
            return InvariantResult(verdict=Verdict.PROVED, method=method, supported_by=sorted(st.support), **base)
        if t.id in traces and (problem := replay_problem(self.spec, traces[t.id], t.kind)) is not None:
            # never a run that is not one: the encoding and the interpreter disagree (prove/replay.py)
            return InvariantResult(verdict=Verdict.UNKNOWN, reason=(
                f"the run found for it does not replay on the spec's interpreter ({problem}): a bug in "
                "specforge; please report it with this spec"), **base)
        if t.id in traces:
            run = traces[t.id]
            n = run.steps
            where = "in the initial state" if n == 0 else f"after {n} step{'s' if n > 1 else ''}"
            detail = f": {self.details[t.id]}" if t.id in self.details else ""
            return InvariantResult(verdict=Verdict.VIOLATED, run=run, reason=f"violated {where}{detail}", **base)
        if t.id in strengthened:
            return InvariantResult(verdict=Verdict.PROVED, method="strengthened", strengthening=strengthened[t.id],
                                   **base)
        reason = (st.reason or "unknown") + self._bounded(t.id, st.reason) + self._searched(t.id)
        if self.inference is not None and t.id in self.inference.goals_tried and self.inference.note:
            reason += f"; inference: {self.inference.note}"
        return InvariantResult(verdict=Verdict.UNKNOWN, reason=reason, counterexample=st.cti, **base)

    def _bounded(self, tid: str, reason: str | None) -> str:
        """For an unknown verdict on a spec that sums over sets: how far the bounded search went, in a
        world of how many elements (prove/sums.py), unless the reason says it already."""
        if tid not in self._bmc_clear or not self.enc.set_sums or (reason and "no violation within" in reason):
            return ""
        steps = f"{self.depth} step{'' if self.depth == 1 else 's'}"
        return f"; no violation within {steps} with each summed-over set of at most {self.world_size} elements"

    def _searched(self, tid: str) -> str:
        """For an unknown verdict: what the explicit search of small worlds covered without a violation."""
        found = self.small_worlds
        if found is None or tid not in found.checked or tid in found.violations:
            return ""
        worlds = f" with each set of 0..{self.explore_size} elements" if self.spec.sets else ""
        return f"; no violation among the {found.states:,} states the explicit search reached{worlds}"


def _linked(spec: ir.Spec, targets: list[Target]) -> list[list[Target]]:
    """The targets in groups, two in one group when they share a symbol (a state variable, or a
    set, whose size two facts can constrain between them) directly or through others; declaration
    order kept in each group."""
    symbols = _target_symbols(spec)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in targets:
        mine = root(f"target:{t.id}")
        for symbol in symbols[t.id]:
            parent[mine] = mine = root(f"symbol:{symbol}")
    groups: dict[str, list[Target]] = {}
    for t in targets:
        groups.setdefault(root(f"target:{t.id}"), []).append(t)
    return list(groups.values())


def _target_symbols(spec: ir.Spec) -> dict[str, set[str]]:
    """The symbols (`_symbols`) of each of the spec's invariants and declared bounds, by target id."""
    symbols = {inv.id: _symbols(inv.expr) for inv in spec.invariants}
    for path, t in leaves(spec):  # a type bound: its variable (by its root) and the sets of its type
        symbols[type_id(path)] = {f"var:{path.split('.')[0]}"} | {f"set:{name}" for name in _sets_in(t)}
    return symbols


def _symbols(expr: ir.Expr) -> set[str]:
    """What an invariant's encoding can share with another's: the state variables it reads (a
    record by its root, a coarser grouping that is still safe) and the sets its terms range over."""
    found: set[str] = set()
    for node in ir.walk(expr):
        if isinstance(node, ir.Name) and node.ref is ir.RefKind.VAR:
            found.add(f"var:{node.name}")
        found.update(f"set:{name}" for name in _sets_in(node.type))
    return found


def _sets_in(t: ir.Type | None) -> set[str]:
    if isinstance(t, ir.SetT):
        return {t.name}
    if isinstance(t, ir.MapT):
        return _sets_in(t.key) | _sets_in(t.value)
    if isinstance(t, ir.RecordT):
        return set().union(*(_sets_in(ft) for _, ft in t.fields))
    if isinstance(t, (ir.DomainT, ir.SetOfT)):
        return _sets_in(t.element)
    return set()


class _AllBut:
    """Assumption literals meaning "every fact but one" in O(log n) literals.

    The facts sit at the leaves of a binary tree of switches; a switch implies its children's,
    and a leaf's implies its fact. Every fact but leaf i is the siblings of the nodes on the path
    from i to the root. Dropping a leaf for good gives its ancestors new switches that leave it out.
    """

    def __init__(self, solver: z3.Solver, facts: list[z3.BoolRef]):
        self.solver = solver
        self.size = 1
        while self.size < len(facts):
            self.size *= 2
        self.node: list[z3.BoolRef | None] = [None] * (2 * self.size)
        self.made = 0
        for i, fact in enumerate(facts):
            leaf = self.node[self.size + i] = z3.Bool(f"fact:{i}")
            solver.add(z3.Implies(leaf, fact))
        for v in range(self.size - 1, 0, -1):
            self._define(v)

    def _define(self, v: int) -> None:
        kids = [c for c in (self.node[2 * v], self.node[2 * v + 1]) if c is not None]
        if len(kids) < 2:
            self.node[v] = kids[0] if kids else None
            return
        self.made += 1
        switch = self.node[v] = z3.Bool(f"facts:{v}:{self.made}")
        self.solver.add(z3.Implies(switch, z3.And(*kids)))

    def all_but(self, i: int) -> list[z3.BoolRef]:
        v, out = self.size + i, []
        while v > 1:
            sibling = self.node[v ^ 1]
            if sibling is not None:
                out.append(sibling)
            v //= 2
        return out

    def drop(self, i: int) -> None:
        v = self.size + i
        self.node[v] = None
        while v > 1:
            v //= 2
            self._define(v)


class _Multiset:
    """An order-free digest of a multiset of hex digests (their sum modulo 2^256), updated in O(1),
    so a cache key can name "all the others" without hashing all of them for every question."""

    def __init__(self, digests):
        self.total = sum(int(d, 16) for d in digests) % 2**256

    def digest(self) -> str:
        return f"{self.total:064x}"

    def without(self, d: str) -> str:
        return f"{(self.total - int(d, 16)) % 2**256:064x}"

    def add(self, d: str) -> None:
        self.total = (self.total + int(d, 16)) % 2**256

    def remove(self, d: str) -> None:
        self.total = (self.total - int(d, 16)) % 2**256


def _stmt_expr(stmt) -> ir.Expr:
    return stmt.value if isinstance(stmt, ir.Assign) else stmt.cond


def _comprehends(exprs) -> bool:
    """Whether any of the expressions builds a map by a comprehension (a lambda to z3)."""
    return any(isinstance(node, ir.MapComprehension) for e in exprs for node in ir.walk(e))


def _first_broken(d: defined.Definedness, m: z3.ModelRef) -> str:
    """The first partial operation the model leaves without a meaning, as `a division by zero at 12:9`."""
    for site, cond in d.found:
        if z3.is_false(m.eval(cond, model_completion=True)):
            return f"{site.what} at {site.where}"
    return "an operation without a meaning"


def _timed_out(why: str) -> bool:
    """Whether z3's reason for `unknown` is its time running out (or an interruption)."""
    return "timeout" in why or "canceled" in why


def _gave_up(s: z3.Solver) -> bool:
    """Whether z3's `unknown` is its own giving up (incomplete quantifiers, say), not a limit it was set."""
    why = s.reason_unknown()
    return not (_timed_out(why) or "resource" in why)


def _reason(s: z3.Solver, when: str) -> str:
    why = s.reason_unknown()
    if _timed_out(why):
        return f"timed out {when}"
    return f"the solver could not decide {when} ({why.strip('()')})"  # z3 writes some reasons in parentheses


def prove(spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
          progress: Callable[[str], None] | None = None, cache: Cache | None = None,
          jobs: int = 1, executor: Executor | None = None, explore_size: int = DEFAULT_EXPLORE_SIZE,
          explore_states: int = DEFAULT_EXPLORE_STATES, infer_budget: float = DEFAULT_INFER_BUDGET,
          time_budget: float | None = None) -> ProofReport:
    """Decide every invariant of `spec` (within `time_budget` seconds in all, when given). `executor` (any `concurrent.futures.Executor`: a process pool
    shared by a whole command, a Dask cluster's) runs the induction checks, one task per action;
    without one, `jobs > 1` starts a process pool for this spec alone. `explore_size` is the largest
    set size of the explicit-state engine's small worlds (-1: no explicit-state engine), and
    `explore_states` its state budget; `infer_budget` is the seconds the inference of supporting
    invariants may take (0: none)."""
    try:
        return Prover(spec, depth, timeout, progress, cache, jobs, executor, explore_size, explore_states,
                      infer_budget, time_budget).run()
    except Unsupported as first:  # the first construct the prover met: report every one (SF301)
        raise UnsupportedSpec(unsupported(spec) or first.problems) from None


__all__ = ["DEFAULT_DEPTH", "DEFAULT_INFER_BUDGET", "DEFAULT_TIMEOUT", "Env", "Prover", "Unsupported", "UnsupportedSpec",
           "prove"]
