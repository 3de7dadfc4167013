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

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from .. import ir
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
    init_model: z3.ModelRef | None = None
    failed_actions: dict[str, bool | None] = field(default_factory=dict)  # action -> preserved
    cti: CounterexampleToInduction | None = None
    support: set[str] = field(default_factory=set)
    reason: str | None = None
    time: float = 0.0


class Prover:
    def __init__(self, spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
                 progress: Callable[[str], None] | None = None):
        self.spec = spec
        self.depth = depth
        self.timeout_ms = max(1, int(timeout * 1000))
        self.progress = progress or (lambda message: None)
        self.enc = Encoder(spec)
        self.render = Renderer(self.enc)
        self.targets = self._targets()
        self.findings: list[Finding] = []

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

    def solver(self) -> z3.Solver:
        s = z3.Solver()
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
            found = strengthen(self, t, [x for x in self.targets if x.id in proved])
            if found is not None:
                strengthened[t.id] = found
            elif status[t.id].reason is None:
                status[t.id].reason = (f"not inductive, no violation within {self.depth} steps, "
                                       "and no strengthening found")
        self._sanity(proved)
        results = [self._result(t, status[t.id], proved, traces, strengthened) for t in self.targets]
        return ProofReport(self.spec.name, self.spec.file, results, self.findings, self.depth,
                           int((time.perf_counter() - started) * 1000))

    # ---- 1. consistency -------------------------------------------------------------------------------

    def _consistency(self) -> None:
        s = self.solver()
        state = self.enc.state("c")
        labels = {}
        for t in self.targets:
            label = z3.Bool(f"consistent:{t.id}")
            labels[str(label)] = t
            s.assert_and_track(t.formula(state), label)
        if s.check() == z3.unsat:
            core = [labels[str(c)] for c in s.unsat_core()]
            core.sort(key=lambda t: t.line)
            names = ", ".join(f"{t.id} (line {t.line})" for t in core)
            self.findings.append(Finding("inconsistent", f"these invariants contradict each other: {names}",
                                         core[0].line if core else 1, "error", [t.id for t in core]))

    # ---- 2. the initial state ----------------------------------------------------------------------------

    def _initial(self, status: dict[str, _Status]) -> None:
        init = self.enc.init_state()
        for t in self.targets:
            started = time.perf_counter()
            s = self.solver()
            s.add(z3.Not(t.formula(init)))
            r = s.check()
            st = status[t.id]
            st.time += time.perf_counter() - started
            if r == z3.unsat:
                st.init = True
            elif r == z3.sat:
                st.init = False
                st.init_model = s.model()
            else:
                st.reason = _reason(s, "checking the initial state")

    # ---- 3. induction (Houdini) ----------------------------------------------------------------------------

    def _houdini(self, status: dict[str, _Status]) -> set[str]:
        candidates = [t for t in self.targets if status[t.id].init]
        while True:
            self.progress(f"induction: {len(candidates)} candidate invariants")
            failing: set[str] = set()
            pre = self.enc.state("pre")
            hypotheses = {t.id: t.formula(pre) for t in candidates}
            for action in self.spec.actions:
                params, param_bounds = self.enc.params(action, "p")
                guards, post = self.enc.transition(action, pre, params)
                s = self.solver()
                labels = {}
                for tid, h in hypotheses.items():
                    label = z3.Bool(f"hyp:{tid}")
                    labels[str(label)] = tid
                    s.assert_and_track(h, label)
                s.add(*param_bounds, *guards)
                for t in candidates:
                    started = time.perf_counter()
                    s.push()
                    s.add(z3.Not(t.formula(post)))
                    r = s.check()
                    st = status[t.id]
                    if r == z3.unsat:
                        st.failed_actions.pop(action.name, None)
                        st.support.update(labels[str(c)] for c in s.unsat_core())
                    else:
                        failing.add(t.id)
                        st.failed_actions[action.name] = None if r == z3.unknown else False
                        if r == z3.sat:
                            st.cti = self.render.cti(s.model(), action, params, pre, post)
                        else:
                            st.reason = _reason(s, f"checking that {action.name} preserves it")
                    s.pop()
                    st.time += time.perf_counter() - started
            if not failing:
                proved = {t.id for t in candidates}
                for tid in proved:
                    status[tid].support.discard(tid)
                    status[tid].support &= proved
                return proved
            candidates = [t for t in candidates if t.id not in failing]
            for t in candidates:
                status[t.id].support.clear()

    # ---- 4. bounded model checking ------------------------------------------------------------------------------

    def _bmc(self, open_ids: list[str], status: dict[str, _Status]) -> dict[str, list[Step]]:
        """The shortest run from init to a state breaking each open target (step 0 is init)."""
        traces: dict[str, list[Step]] = {}
        by_id = {t.id: t for t in self.targets}
        for tid in open_ids:
            st = status[tid]
            if st.init is False and st.init_model is not None:
                traces[tid] = [self.render.initial_step(st.init_model, self.enc.init_state())]
        remaining = [tid for tid in open_ids if tid not in traces and status[tid].init is not False]
        if not remaining or not self.spec.actions:
            return traces
        s = self.solver()
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
                s.push()
                s.add(z3.Not(by_id[tid].formula(nxt)))
                r = s.check()
                if r == z3.sat:
                    traces[tid] = self.render.trace(s.model(), states, choices, init)
                    remaining.remove(tid)
                elif r == z3.unknown:
                    status[tid].reason = _reason(s, f"the bounded search at depth {k}")
                s.pop()
            if not remaining:
                break
        return traces

    # ---- 6. sanity ---------------------------------------------------------------------------------------------------

    def _sanity(self, proved: set[str]) -> None:
        state = self.enc.state("d")
        invariants = [t.formula(state) for t in self.targets]
        for action in self.spec.actions:
            if not action.guards:
                continue
            params, bounds = self.enc.params(action, "d")
            guards, _ = self.enc.transition(action, state, params)
            s = self.solver()
            s.add(*invariants, *bounds, *guards)
            if s.check() == z3.unsat:
                self.findings.append(Finding(
                    "dead-action", f"action `{action.name}` can never fire: its guards contradict the invariants",
                    action.span.line, "warning", [action.name]))
        for i, t in enumerate(self.targets):
            if t.kind != "invariant":
                continue
            s = self.solver()
            s.add(*[f for j, f in enumerate(invariants) if j != i], z3.Not(invariants[i]))
            if s.check() == z3.unsat:
                self.findings.append(Finding(
                    "redundant", f"invariant {t.id} follows from the others", t.line, "note", [t.id]))

    # ---- results --------------------------------------------------------------------------------------------------

    def _result(self, t: Target, st: _Status, proved: set[str], traces: dict[str, list[Step]],
                strengthened: dict[str, str]) -> InvariantResult:
        actions = [ActionResult(a.name, st.failed_actions.get(a.name, True) if st.init else None, 0)
                   for a in self.spec.actions]
        base = dict(id=t.id, level=t.level, kind=t.kind, line=t.line, description=t.description,
                    time_ms=int(st.time * 1000), actions=actions)
        if t.id in proved:
            method = "inductive" if not st.support else "inductive with others"
            return InvariantResult(verdict=Verdict.PROVED, method=method, supported_by=sorted(st.support), **base)
        if t.id in traces:
            trace = traces[t.id]
            where = "in the initial state" if len(trace) == 1 else f"after {len(trace) - 1} steps"
            return InvariantResult(verdict=Verdict.VIOLATED, trace=trace, reason=f"violated {where}", **base)
        if t.id in strengthened:
            return InvariantResult(verdict=Verdict.PROVED, method="strengthened", strengthening=strengthened[t.id],
                                   **base)
        return InvariantResult(verdict=Verdict.UNKNOWN, reason=st.reason or "unknown", counterexample=st.cti,
                               **base)


def _reason(s: z3.Solver, doing: str) -> str:
    why = s.reason_unknown()
    if "timeout" in why or "canceled" in why:
        return f"timed out {doing}"
    return f"the solver could not decide {doing} ({why})"


def prove(spec: ir.Spec, depth: int = DEFAULT_DEPTH, timeout: float = DEFAULT_TIMEOUT,
          progress: Callable[[str], None] | None = None) -> ProofReport:
    return Prover(spec, depth, timeout, progress).run()


__all__ = ["DEFAULT_DEPTH", "DEFAULT_TIMEOUT", "Env", "Prover", "Unsupported", "prove"]
