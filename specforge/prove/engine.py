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
4. real violations: for what is left, bounded model checking from init,
   shortest run first, up to `depth` steps, gives a trace;
5. strengthening: for what is still left, z3's CHC engine (Spacer) searches
   for an inductive invariant; one it finds is checked again by plain solver
   calls (init implies it, every action preserves it, it implies the goal)
   before the verdict is `proved`, and it is shown in spec syntax;
6. otherwise `unknown`, with the reason and a counterexample to induction.
Then sanity findings: actions no state satisfying the invariants can take
(dead), and invariants the others imply (redundant).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

import z3

from .. import ir
from .cache import Cache, Digests, NoCache
from .encode import Encoder, Env, Unsupported
from .model import Renderer
from .result import (
    ActionResult,
    CounterexampleToInduction,
    Finding,
    InvariantResult,
    ProofReport,
    Step,
    Verdict,
)
from .strengthen import strengthen

DEFAULT_DEPTH = 10
DEFAULT_TIMEOUT = 10.0


@dataclass
class Target:
    """One obligation: a declared invariant, or the declared bounds of a state variable."""

    id: str
    level: str
    kind: str
    line: int
    description: str | None
    formula: Callable[[dict[str, z3.ExprRef]], z3.BoolRef]


@dataclass
class _Status:
    init: bool | None = None  # holds initially (None: unknown)
    init_step: Step | None = None  # the initial state, when it breaks the target
    init_sets: dict[str, list[str]] | None = None
    failed_actions: dict[str, bool | None] = field(default_factory=dict)  # action -> preserved
    action_time: dict[str, float] = field(default_factory=dict)
    cti: CounterexampleToInduction | None = None
    support: set[str] = field(default_factory=set)
    reason: str | None = None
    time: float = 0.0


# What the prover asks z3, by the name Prover.solver is given.
CHECKS = ("consistency", "initial", "induction", "bounded", "strengthen", "strengthen-verify", "dead",
          "redundant")

# A witness world is shrunk set by set, trying up to this many elements.
MAX_TIDY_ELEMENTS = 8
# Below this many open obligations a round is checked in this process: starting
# workers would cost more than it saves.
PARALLEL_THRESHOLD = 32


@dataclass
class Run:
    """A violating run: its steps, and the elements of each set in it."""

    steps: list[Step]
    sets: dict[str, list[str]]


@dataclass
class Outcome:
    """Whether one action preserves one target, assuming a set of candidates."""

    target: str
    action: str
    preserved: bool | None  # None: the solver could not tell
    core: list[str]  # the candidates the proof used
    cti: CounterexampleToInduction | None
    reason: str | None
    seconds: float


def _chunks(items: list[str], jobs: int) -> list[list[str]]:
    """Split one action's targets so that every worker gets a share."""
    if jobs <= 1 or len(items) < 2 * jobs:
        return [items]
    size = -(-len(items) // (2 * jobs))
    return [items[i:i + size] for i in range(0, len(items), size)]


_WORKER: Prover | None = None


def _worker_init(spec: ir.Spec, depth: int, timeout: float) -> None:
    global _WORKER
    _WORKER = Prover(spec, depth, timeout)


def _worker_check(task: tuple[str, list[str], list[str]]) -> list[Outcome]:
    assert _WORKER is not None
    return _WORKER.check_action(*task)


def _pool(prover: Prover) -> ProcessPoolExecutor:
    # fork where there is one: the workers start with everything imported
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" else "spawn"
    return ProcessPoolExecutor(max_workers=prover.jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_init, initargs=(prover.spec, prover.depth, prover.timeout))


class Prover:
    def __init__(self, spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
                 progress: Callable[[str], None] | None = None, cache: Cache | None = None, jobs: int = 1):
        self.spec = spec
        self.depth = depth
        self.timeout = timeout
        self.timeout_ms = max(1, int(timeout * 1000))
        self.progress = progress or (lambda message: None)
        self.cache = cache or NoCache()
        self.jobs = jobs
        self.enc = Encoder(spec)
        self.render = Renderer(self.enc)
        self.targets = self._targets()
        self.by_id = {t.id: t for t in self.targets}
        self.actions = {a.name: a for a in spec.actions}
        self.digests = Digests(spec, depth)
        self.findings: list[Finding] = []
        self._pool: ProcessPoolExecutor | None = None

    # ---- setup ----------------------------------------------------------------------------

    def _targets(self) -> list[Target]:
        targets = [
            Target(inv.id, inv.level.value, "invariant", inv.span.line, inv.description,
                   lambda s, inv=inv: self.enc.invariant(inv, s))
            for inv in self.spec.invariants
        ]
        # The declared bounds of state variables (nat, int[0..9], map values) are
        # obligations too: assuming them would hide an action that breaks them.
        for leaf in self.enc.leaves:
            probe = self.enc.bounds(leaf.type, z3.Const("probe", self.enc.sort(leaf.type)))
            if probe is not None:
                targets.append(Target(f"type:{leaf.path}", "MUST", "type", leaf.span.line,
                                      f"`{leaf.path}` stays within its declared type",
                                      lambda s, path=leaf.path, t=leaf.type: self.enc.bounds(t, s[path])))
        return targets

    def solver(self, check: str) -> z3.Solver:
        """A fresh solver for one kind of question (one of CHECKS), with the time limit set.

        Every solver the prover consults comes from here, so that a test can
        replace this method to make z3 answer `unknown` to chosen questions.
        """
        s = z3.SolverFor("HORN") if check == "strengthen" else z3.Solver()
        s.set("timeout", self.timeout_ms)
        return s

    # ---- the pipeline -----------------------------------------------------------------------------

    def run(self) -> ProofReport:
        started = time.perf_counter()
        status = {t.id: _Status() for t in self.targets}
        self._consistency()
        self._initial(status)
        proved = self._houdini(status)
        open_ids = [t.id for t in self.targets if t.id not in proved]
        traces = self._bmc(open_ids, status) if open_ids else {}
        strengthened: dict[str, str] = {}
        for t in self.targets:
            if t.id in proved or t.id in traces or status[t.id].init is False:
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
                status[t.id].reason = (f"not inductive, no violation within {self.depth} steps, "
                                       "and no strengthening found")
        self._sanity(proved)
        if self._pool is not None:
            self._pool.shutdown()
        results = [self._result(t, status[t.id], proved, traces, strengthened) for t in self.targets]
        return ProofReport(self.spec.name, self.spec.file, results, self.findings, self.depth,
                           int((time.perf_counter() - started) * 1000))

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
        s = self.solver("consistency")
        state = self.enc.state("c")
        labels = {}
        for t in self.targets:
            name = f"consistent:{t.id}"
            labels[name] = t
            s.assert_and_track(t.formula(state), z3.Bool(name))
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

    def _initial(self, status: dict[str, _Status]) -> None:
        init = self.enc.init_state()
        for t in self.targets:
            key = self.digests.key("init", self.digests.target(t.id))
            cached = self.cache.get(key)
            if cached is not None:
                status[t.id].init = cached["holds"]
                status[t.id].init_step = Step(**cached["step"]) if cached["step"] else None
                status[t.id].init_sets = cached.get("sets")
                continue
            started = time.perf_counter()
            s = self.solver("initial")
            s.add(z3.Not(t.formula(init)))
            r = s.check()
            st = status[t.id]
            st.time += time.perf_counter() - started
            if r == z3.unsat:
                st.init = True
                self.cache.put(key, {"holds": True, "step": None})
            elif r == z3.sat:
                st.init = False
                model = self.small_model(s, [])
                st.init_step = self.render.initial_step(model, init)
                st.init_sets = self.render.sets(model)
                self.cache.put(key, {"holds": False, "step": asdict(st.init_step), "sets": st.init_sets})
            else:
                st.reason = _reason(s, "while checking the initial state")

    # ---- 3. induction (Houdini) ----------------------------------------------------------------------------

    def _houdini(self, status: dict[str, _Status]) -> set[str]:
        candidates = [t.id for t in self.targets if status[t.id].init]
        while True:
            self.progress(f"induction: {len(candidates)} candidate invariants")
            outcomes = self._induction_round(candidates)
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

    def _induction_round(self, candidates: list[str]) -> dict[str, list[Outcome]]:
        """Does each action preserve each candidate, assuming every candidate before it?"""
        d = self.digests
        caching = self.cache.enabled
        hypotheses = d.key("hypotheses", *sorted(d.target(tid) for tid in candidates)) if caching else ""
        by_digest = {d.target(tid): tid for tid in candidates} if caching else {}
        outcomes: dict[str, list[Outcome]] = {tid: [] for tid in candidates}
        todo: dict[str, list[str]] = {}
        keys: dict[tuple[str, str], str] = {}
        for action in self.spec.actions:
            for tid in candidates:
                cached = None
                if caching:
                    key = keys[action.name, tid] = d.key("step", d.actions[action.name], d.target(tid), hypotheses)
                    cached = self.cache.get(key)
                if cached is None:
                    todo.setdefault(action.name, []).append(tid)
                    continue
                core = sorted(by_digest[c] for c in cached["core"] if c in by_digest)
                cti = CounterexampleToInduction(**cached["cti"]) if cached["cti"] else None
                outcomes[tid].append(Outcome(tid, action.name, cached["preserved"], core, cti, None, 0.0))
        tasks = [(name, candidates, chunk) for name, tids in todo.items() for chunk in _chunks(tids, self.jobs)]
        results = self._map(tasks)
        for result in results:
            for o in result:
                outcomes[o.target].append(o)
                if caching and o.preserved is not None:
                    self.cache.put(keys[o.action, o.target], {
                        "preserved": o.preserved, "core": [d.target(c) for c in o.core],
                        "cti": asdict(o.cti) if o.cti else None})
        return outcomes

    def _map(self, tasks: list[tuple[str, list[str], list[str]]]) -> list[list[Outcome]]:
        size = sum(len(t[2]) for t in tasks)
        if self.jobs <= 1 or size < PARALLEL_THRESHOLD or len(tasks) < 2:
            return [self.check_action(*task) for task in tasks]
        if self._pool is None:
            self._pool = _pool(self)
        return list(self._pool.map(_worker_check, tasks))

    def check_action(self, action_name: str, candidates: list[str], targets: list[str]) -> list[Outcome]:
        """One solver for one action, with the candidates as tracked hypotheses; a check per target."""
        action = self.actions[action_name]
        pre = self.enc.state("pre")
        params, param_bounds = self.enc.params(action, "p")
        guards, post = self.enc.transition(action, pre, params)
        s = self.solver("induction")
        labels = {}
        for tid in candidates:
            name = f"hyp:{tid}"
            labels[name] = tid
            s.assert_and_track(self.by_id[tid].formula(pre), z3.Bool(name))
        s.add(*param_bounds, *guards)
        out = []
        for tid in targets:
            started = time.perf_counter()
            s.push()
            s.add(z3.Not(self.by_id[tid].formula(post)))
            r = s.check()
            core, cti, reason, preserved = [], None, None, None
            if r == z3.unsat:
                preserved = True
                core = sorted(labels[c.decl().name()] for c in s.unsat_core())
            elif r == z3.sat:
                preserved = False
                free = [v for v in [*pre.values(), *params.values()] if z3.is_int(v)]
                cti = self.render.cti(self.small_model(s, free), action, params, pre, post)
            else:
                reason = _reason(s, f"while checking that {action.name} preserves it")
            s.pop()
            out.append(Outcome(tid, action_name, preserved, core, cti, reason, time.perf_counter() - started))
        return out

    # ---- 4. bounded model checking ------------------------------------------------------------------------------

    def _bmc(self, open_ids: list[str], status: dict[str, _Status]) -> dict[str, Run]:
        """The shortest run from init to a state breaking each open target (step 0 is init)."""
        traces: dict[str, Run] = {}
        by_id = {t.id: t for t in self.targets}
        keys = {}
        for tid in open_ids:
            st = status[tid]
            if st.init is False and st.init_step is not None:
                traces[tid] = Run([st.init_step], st.init_sets or {})
        remaining = []
        for tid in open_ids:
            if tid in traces or status[tid].init is False:
                continue
            keys[tid] = self.digests.key("bmc", self.digests.all_actions, self.digests.target(tid))
            cached = self.cache.get(keys[tid])
            if cached is None:
                remaining.append(tid)
            elif cached["trace"] is not None:
                traces[tid] = Run([Step(**step) for step in cached["trace"]], cached["sets"])
        if not remaining or not self.spec.actions:
            return traces
        undecided: set[str] = set()
        s = self.solver("bounded")
        states = [self.enc.state("0")]
        init = self.enc.init_state()
        s.add(*[states[0][p] == init[p] for p in states[0]])
        choices: list[tuple[z3.ExprRef, list[tuple[ir.Action, dict]]]] = []
        for k in range(1, self.depth + 1):
            self.progress(f"bounded search: depth {k} of {self.depth}, {len(remaining)} open")
            nxt = self.enc.state(str(k))
            choice = z3.Int(f"action@{k}")
            options = []
            for i, action in enumerate(self.spec.actions):
                params, bounds = self.enc.params(action, str(k))
                guards, post = self.enc.transition(action, states[-1], params)
                step = z3.And(*bounds, *guards, *[nxt[p] == post[p] for p in nxt])
                s.add(z3.Implies(choice == i, step))
                options.append((action, params))
            s.add(choice >= 0, choice < len(self.spec.actions))
            states.append(nxt)
            choices.append((choice, options))
            for tid in list(remaining):
                started = time.perf_counter()
                s.push()
                s.add(z3.Not(by_id[tid].formula(nxt)))
                r = s.check()
                status[tid].time += time.perf_counter() - started
                if r == z3.sat:
                    free = [v for _, options in choices for _, params in options for v in params.values()
                            if z3.is_int(v)]
                    model = self.small_model(s, free)
                    run = Run(self.render.trace(model, states, choices, init), self.render.sets(model))
                    traces[tid] = run
                    self.cache.put(keys[tid], {"trace": [asdict(step) for step in run.steps], "sets": run.sets})
                    remaining.remove(tid)
                elif r == z3.unknown:
                    status[tid].reason = _reason(s, f"in the bounded search at depth {k}")
                    undecided.add(tid)
                s.pop()
            if not remaining:
                break
        for tid in remaining:
            if tid not in undecided:
                self.cache.put(keys[tid], {"trace": None})  # no violation within the depth: decided
        return traces

    # ---- 6. sanity ---------------------------------------------------------------------------------------------------

    def _sanity(self, proved: set[str]) -> None:
        """Dead actions, judged against the proved invariants (what holds in every reachable
        state); redundant invariants, chosen greedily so that removing all of them is safe."""
        state = self.enc.state("d")
        facts = {t.id: t.formula(state) for t in self.targets}
        holding = sorted(self.digests.target(tid) for tid in proved)
        for action in self.spec.actions:
            if not action.guards:
                continue

            def dead(action=action) -> bool | None:
                params, bounds = self.enc.params(action, "d")
                guards, _ = self.enc.transition(action, state, params)
                return self._unsat(*(facts[tid] for tid in sorted(proved)), *bounds, *guards)

            if self._cached_bool(self.digests.key("dead", self.digests.actions[action.name], *holding), dead):
                self.findings.append(Finding(
                    "dead-action", f"action `{action.name}` can never fire: its guards contradict the invariants",
                    action.span.line, "warning", [action.name]))
        kept = [t.id for t in self.targets]
        # one solver for every redundancy question: each fact behind a switch, the
        # question "do the kept others imply it?" asked with their switches on
        switches = {t.id: z3.Bool(f"on:{t.id}") for t in self.targets}
        implied = self.solver("redundant")
        for t in self.targets:
            implied.add(z3.Implies(switches[t.id], facts[t.id]))

        def follows(t, others) -> bool | None:
            implied.push()
            implied.add(z3.Not(facts[t.id]))
            r = implied.check(*[switches[o] for o in others])
            implied.pop()
            return None if r == z3.unknown else r == z3.unsat

        for t in self.targets:
            if t.kind != "invariant":
                continue
            others = [tid for tid in kept if tid != t.id]
            key = self.digests.key("redundant", self.digests.target(t.id),
                                   *sorted(self.digests.target(tid) for tid in others))
            if self._cached_bool(key, lambda t=t, others=others: follows(t, others)):
                kept.remove(t.id)
                message = (f"invariant {t.id} follows from the others" if others else
                           f"invariant {t.id} holds in every state: it constrains nothing")
                self.findings.append(Finding("redundant", message, t.line, "note", [t.id]))

    def small_model(self, s: z3.Solver, ints: list[z3.ExprRef]) -> z3.ModelRef:
        """After `sat`: a model as easy to read as the solver can cheaply find.

        Each set gets the fewest elements that still satisfy the query (a
        violation that needs two accounts shows two, not the thirty z3 may pick),
        then the free integers (arguments, a counterexample's state) are kept
        small if they can be. The solver is left as it was.
        """
        model = s.model()
        pushed = 0
        for name, sort in self.enc.set_sorts.items():
            have = len(self.render.members(model, name))
            member = self.enc.set_members[name]
            x = z3.Const(f"{name}!any", sort)
            for n in range(min(have, MAX_TIDY_ELEMENTS + 1)):
                elements = [z3.Const(f"{name}!w{i}", sort) for i in range(n)]
                s.push()
                s.add(z3.ForAll([x], z3.Implies(member(x), z3.Or(*[x == e for e in elements]))))
                if s.check() == z3.sat:
                    pushed += 1
                    model = s.model()
                    break
                s.pop()
        for bound in (10, 1000):
            if not ints:
                break
            s.push()
            s.add(*[z3.And(v >= -bound, v <= bound) for v in ints])
            if s.check() == z3.sat:
                pushed += 1
                model = s.model()
                break
            s.pop()
        for _ in range(pushed):
            s.pop()
        return model

    def _unsat(self, *facts) -> bool | None:
        s = self.solver("dead")
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

    def _result(self, t: Target, st: _Status, proved: set[str], traces: dict[str, Run],
                strengthened: dict[str, str]) -> InvariantResult:
        actions = [ActionResult(a.name, st.failed_actions.get(a.name, True) if st.init else None,
                                int(st.action_time.get(a.name, 0.0) * 1000)) for a in self.spec.actions]
        base = dict(id=t.id, level=t.level, kind=t.kind, line=t.line, description=t.description,
                    time_ms=int(st.time * 1000), actions=actions)
        if t.id in proved:
            method = "inductive" if not st.support else "inductive with others"
            return InvariantResult(verdict=Verdict.PROVED, method=method, supported_by=sorted(st.support), **base)
        if t.id in traces:
            run = traces[t.id]
            n = len(run.steps) - 1
            where = "in the initial state" if n == 0 else f"after {n} step{'s' if n > 1 else ''}"
            return InvariantResult(verdict=Verdict.VIOLATED, trace=run.steps, sets=run.sets,
                                   reason=f"violated {where}", **base)
        if t.id in strengthened:
            return InvariantResult(verdict=Verdict.PROVED, method="strengthened", strengthening=strengthened[t.id],
                                   **base)
        return InvariantResult(verdict=Verdict.UNKNOWN, reason=st.reason or "unknown", counterexample=st.cti,
                               **base)


def _reason(s: z3.Solver, when: str) -> str:
    why = s.reason_unknown()
    if "timeout" in why or "canceled" in why:
        return f"timed out {when}"
    return f"the solver could not decide {when} ({why})"


def prove(spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
          progress: Callable[[str], None] | None = None, cache: Cache | None = None,
          jobs: int = 1) -> ProofReport:
    return Prover(spec, depth, timeout, progress, cache, jobs).run()


__all__ = ["DEFAULT_DEPTH", "DEFAULT_TIMEOUT", "Env", "Prover", "Unsupported", "prove"]
