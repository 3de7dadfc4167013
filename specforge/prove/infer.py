"""Supporting invariants for goals that are true but not inductive, inferred as DistAI does.

1. sample the reachable states of small instances (every set of 1 to 3
   elements) with the explicit-state engine (`specforge.explore.sample`);
2. enumerate the strongest clauses over the spec's atoms true in all of them
   (`candidates.py`), in stages: two variables per set and two literals, then
   three literals, then three variables per set, then four (two messages in
   flight: `m[s1][d1] and m[s2][d2] implies s1 == s2` needs four nodes). A
   stage whose rows (sampled states with its variables bound) would be too
   many to enumerate within the budget keeps only the smaller instances'
   samples (a clause true there is still only a candidate: step 3 judges it);
   one whose clauses alone are too many is skipped and said so;
3. Houdini with z3 over the goals and the candidates, for every size of
   every set (the prover's own encoding): drop each candidate that does not
   hold initially or that some action does not preserve assuming the others,
   until nothing changes. What is left is inductive as a whole;
4. when the goals survive, shrink the support to a minimal set: only the
   candidates the proof's unsat cores use, then each dropped in turn while
   the goals still survive.

Nothing here decides a verdict: the engine adds the support to its
obligations and runs its own joint induction over everything, so an
inferred invariant only ever helps inside a set that is inductive on its
own. A candidate that only the samples believe (true at size 2, false at
size 3) is dropped by step 3, or never makes a goal provable.
"""

from __future__ import annotations

import collections
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import z3

from .. import ir
from ..explore import SAMPLED_STATES, Budget, Sample, sample, sample_key
from ..interpret import Env as RunEnv
from ..interpret import EvaluationError, compiled
from . import candidates as cand
from . import sums
from .encode import Env, Question, assert_fact, scope_unsafe, substitute
from .timed import time_left_ms

if TYPE_CHECKING:
    from .engine import Prover

# (variables per set, literals per clause, integer terms against the spec's numbers), tried in
# order until the goals are proved
# (variables per set, literals, the spec's numbers, existential atoms): the stages, cheapest first
STAGES = ((2, 2, False, False), (2, 2, True, False), (2, 3, False, False), (2, 3, True, False),
          (2, 2, False, True), (3, 3, False, False), (4, 3, False, False), (2, 3, False, True))
# Steps a stage's enumeration may take (each atom on each sampled row: a state with the variables
# bound to elements; and each choice of its literals): about 25 s of Python on the machine of
# docs/benchmarks.md, within the default budget of 30 s, before the solver sees one candidate.
MAX_STAGE_WORK = 20_000_000
LARGEST_SAMPLE = 3  # elements per set in the largest sampled instance
# States sampled over all the instances. A spec of three sets has 27 instances up to 3 elements each, and
# the largest cost the most and are the ones a stage can least afford to enumerate over (a client/server
# with a database: 7.6 of 8.6 s sampling in its last four instances, and no stage used the last three)
MAX_TOTAL_SAMPLED = 3 * SAMPLED_STATES  # (SAMPLED_STATES: per instance, explore's)
# Candidates kept by the cores that `minimal` drops one at a time (n runs) rather than by QuickXplain (2 log2(n)
# + 1 runs at best): up to 6, one at a time is never the dearer.
DROP_ONE_AT_MOST = 6
# Seconds a question about many candidates at once may take before it is split in two.
QUICK_CHECK = 2.0
# Seconds the general Houdini of a stage gets first, on a spec with sums over sets whose finite world has
# a support for the goals: then that support is tried by the engine (`trial`), and only if it fails does the
# general question get the rest of the budget.
FIRST_LOOK = 3.0
# Each set's summed arrays whose sign points the claims are instantiated at, at most this many per action.
MAX_SUMMED_ARRAYS = 4

Formula = Callable[[dict[str, z3.ExprRef]], z3.BoolRef]


def sizes_up_to(spec: ir.Spec, largest: int) -> list[dict[str, int]]:
    """Every combination of 1..largest elements per set, smallest instances first."""
    names = [s.name for s in spec.sets]
    combos = itertools.product(range(1, largest + 1), repeat=len(names))
    return sorted((dict(zip(names, c, strict=True)) for c in combos), key=lambda d: (sum(d.values()), sorted(d.items())))


@dataclass
class Support:
    """One inferred invariant: its id, its text in spec syntax and its typed IR."""

    id: str
    text: str
    expr: ir.Expr


@dataclass
class Inference:
    """What the inference found: a minimal support for `goals`, or why not (`note`)."""

    support: list[Support] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)  # the goals the support makes inductive
    note: str = ""  # what was tried
    goals_tried: list[str] = field(default_factory=list)
    adopted: bool = False  # `trial` said yes: the engine has already added the support and proved with it


def infer(prover: Prover, goals: list[str], proved: set[str], budget: float,
          trial: Callable[[list[Support]], bool] | None = None) -> Inference:
    """A minimal support for the goals, among the candidates of each stage in turn. `trial` (the engine's
    own quantified induction, which keeps the support only if it proves every goal) is offered the
    finite world's support where the general question is slow to answer (see FIRST_LOOK)."""
    deadline = time.monotonic() + budget
    spec = prover.spec
    prover.progress("inference: sampling reachable states of small instances")
    tried_goals, samples = goals, []
    shared = Budget(seconds=max(0.0, deadline - time.monotonic()), states=MAX_TOTAL_SAMPLED)
    searched = prover.small_worlds.samples if prover.small_worlds is not None else {}
    for size in sizes_up_to(spec, LARGEST_SAMPLE):  # smallest first: a broken goal is seen soonest
        if shared.left() is not None:
            break  # the states or the time ran out
        kept = searched.get(sample_key(size))  # the explicit search's own first states of the instance
        if kept is not None:
            shared.spent_states += len(kept.states) - 1  # (an instance's initial state is not counted)
        got = [kept] if kept is not None else sample(spec, [size], SAMPLED_STATES, deadline, budget=shared)
        if not got:
            break
        samples += got
        goals = [g for g in goals if _holds_in(prover, g, samples[-1:])]
        if not goals:
            return Inference(note="a sampled state of a small instance breaks it", goals_tried=tried_goals)
    known = [prover.by_id[t].formula for t in sorted(proved)]
    tried = []
    seen: set[tuple[str, ...]] = set()
    truths: dict[tuple, tuple[list[int], int]] = {}
    tables: dict = {}  # each atom's truth per sample, across stages (cand.truth); the samples outlive it
    goal_claims = {g: _claim(prover, g) for g in goals}
    valid = _Validity(prover)
    fallback = None
    for per_set, literals, numbers, exists in STAGES:
        if time.monotonic() > deadline:
            break
        if exists and not spec.sets:
            continue
        vocab = cand.vocabulary(spec, per_set if spec.sets else 0, numbers, samples, exists)
        shape = (*(a.text for a in vocab.atoms), str(literals))
        if shape in seen:
            continue  # the same atoms as a stage before: nothing new to try
        seen.add(shape)
        used = _affordable(vocab, samples, literals)
        if not used:
            tried.append(f"not {per_set} variables per set with {literals} literals (too many rows and clauses to enumerate)")
            continue
        shape = (*shape, str(len(used)))
        atoms = shape[:-2] + shape[-1:]  # a stage before's, over the same atoms and samples: reused
        if atoms not in truths:
            truths[atoms] = cand.truth(vocab, used, tables)
        masks, full = truths[atoms]
        found = cand.clauses(vocab, masks, full, literals, deadline)
        if found is None:
            tried.append(f"not {per_set} variables per set with {literals} literals (the time ran out enumerating its clauses)")
            break
        named = {f"candidate-{i}": c for i, c in enumerate(found)}
        claims = {cid: _Claim([(v.name, v.set) for v in cand.used_vars(vocab, c)], cand.body(vocab, c))
                  for cid, c in named.items()}
        claims = {cid: c for cid, c in claims.items() if not valid(c, cand.text(vocab, named[cid]))}
        tried.append(f"{len(claims)} candidates of up to {literals} literals over {per_set} variables per set"
                     + (" with the spec's numbers" if numbers else "")
                     + (" with `exists` atoms" if exists else "")
                     + (f" (sampled at {_largest(used)} elements per set at most)" if len(used) < len(samples) else ""))
        prover.progress(f"inference: {len(claims)} candidates ({per_set} variables per set, {literals} literals)")
        claims.update(goal_claims)
        small = None
        if prover.enc.set_sums:
            # where z3 would search long for a model of the sums' axioms, a finite world refutes fast
            # (prove/sums.py): a candidate broken there is broken, and only the rest are asked in general
            with prover.enc.finite_world("infer"):
                in_world, small = _houdini(prover, claims, known, deadline, set(goals))
            if small is None:
                continue
            claims = {cid: c for cid, c in claims.items() if cid in small}
        first = min(deadline, time.monotonic() + FIRST_LOOK) if small is not None and trial is not None else deadline
        check, alive = _houdini(prover, claims, known, first, set(goals))
        if alive is None and first < deadline and time.monotonic() >= first:
            # z3 is slow to judge in general what the finite world did (it matches the sums' axioms on every
            # pair of sums, at many instances of the candidates: a Raft-style election took 21 s). The finite
            # world's support goes to the engine's quantified induction at once, which needs no instance of
            # ours; only if that does not prove every goal does this question get its whole wait
            found = _trial(prover, in_world, small, goals, (spec, vocab, named, tried, tried_goals), trial)
            if found is not None:
                return found
            check, alive = _houdini(prover, claims, known, deadline, set(goals))
        if alive is None and small is not None and check.undecided and fallback is None:
            # z3 could not tell in general what the finite world did (matching the sums' axioms on every
            # pair of sums, with instances of the candidates at many points, can outrun its time): the
            # finite world's minimal support is kept aside, for when no later stage succeeds
            with prover.enc.finite_world("infer"):
                needed = in_world.minimal(small, set(goals))
            if needed is not None:
                fallback = (vocab, named, needed - set(goals))
        if alive is None:
            continue
        check.deadline = deadline  # the first look's is its own: minimizing what it found gets the whole wait
        needed = check.minimal(alive, set(goals))
        if needed is None:
            continue
        return _inference(spec, vocab, named, needed - set(goals), goals, tried, tried_goals)
    if fallback is not None:
        # proposed as it is: the engine's quantified joint induction, which needs no instance of ours,
        # judges it as it judges every support. Only now: a support that holds in the finite world need
        # not hold for every size ("every node voted for the value" does for a two-thirds quorum of at
        # most 3 nodes), and a later stage may find one that z3 can judge
        return _inference(spec, *fallback, goals, tried, tried_goals)
    what = "; ".join(tried) if tried else "no stage"
    late = " (the time budget ran out)" if time.monotonic() > deadline else ""
    return Inference(goals=[], note=f"no inductive support among {what}{late}", goals_tried=tried_goals)


def _trial(prover: Prover, in_world: _Houdini, small: set[str], goals: list[str], stage: tuple,
           trial: Callable[[list[Support]], bool]) -> Inference | None:
    """The finite world's minimal support, when the engine's induction proves every goal with it."""
    with prover.enc.finite_world("infer"):
        needed = in_world.minimal(small, set(goals))
    if needed is None or not needed - set(goals):
        return None
    spec, vocab, named, tried, tried_goals = stage
    found = _inference(spec, vocab, named, needed - set(goals), goals, tried, tried_goals)
    if not trial(found.support):
        return None
    found.adopted = True
    return found


def _inference(spec: ir.Spec, vocab: cand.Vocabulary, named: dict[str, cand.Clause], support: set[str],
               goals: list[str], tried: list[str], tried_goals: list[str]) -> Inference:
    chosen = [named[cid] for cid in sorted(support, key=lambda cid: int(cid.split("-")[1]))]
    ids = _ids(spec, len(chosen))
    return Inference([Support(i, cand.text(vocab, c), cand.expr(vocab, c)) for i, c in zip(ids, chosen, strict=True)],
                     goals, "; ".join(tried), tried_goals)


def _affordable(vocab: cand.Vocabulary, samples: list[Sample], literals: int) -> list[Sample]:
    """The samples (smallest instances first) a stage can afford to enumerate its clauses over: each
    atom on each row (a state with the variables bound to elements), and each choice of `literals` of
    the atoms' literals, in at most MAX_STAGE_WORK steps; none when the clauses alone are too many."""
    work = math.comb(2 * len(vocab.atoms), literals)
    used = []
    for s in samples:
        assignments = 1
        for v in vocab.vars:
            assignments *= len(s.universe[v.set])
        work += len(s.states) * assignments * len(vocab.atoms)
        if work > MAX_STAGE_WORK:
            break
        used.append(s)
    return used


def _largest(samples: list[Sample]) -> int:
    return max((len(elements) for s in samples for elements in s.universe.values()), default=0)


def _holds_in(prover: Prover, goal: str, samples: list[Sample]) -> bool:
    inv = next((i for i in prover.spec.invariants if i.id == goal), None)
    if inv is None:
        return True  # a type bound: z3 judges it
    fn = compiled(inv.expr)
    for s in samples:
        env = RunEnv.of(prover.spec, s.universe)
        for state in s.states:
            try:
                if not fn(env.with_state(state)):
                    return False
            except EvaluationError:
                return False
    return True


@dataclass
class _Claim:
    """A candidate or a goal: `forall vars: body`, each variable over a set's members."""

    vars: list[tuple[str, str]]  # (name, set)
    body: ir.Expr

    def at(self, prover: Prover, state: dict[str, z3.ExprRef], terms: list[z3.ExprRef]) -> z3.BoolRef:
        bound = {name: term for (name, _), term in zip(self.vars, terms, strict=True)}
        return prover.enc.expr(self.body, Env(state, bound=bound))


def _claim(prover: Prover, tid: str) -> _Claim:
    """A goal with its leading `forall x in Set:` quantifiers peeled (a type bound stays whole)."""
    inv = next((i for i in prover.spec.invariants if i.id == tid), None)
    if inv is None:
        return _Claim([], _Opaque(prover.by_id[tid].formula))
    body, variables = inv.expr, []
    while (isinstance(body, ir.Quantifier) and body.quantifier == "forall"
           and isinstance(body.domain.type, ir.DomainT) and isinstance(body.domain.type.element, ir.SetT)
           and body.var not in (name for name, _ in variables)):
        variables.append((body.var, body.domain.type.element.name))
        body = body.body
    return _Claim(variables, body)


class _Opaque:
    """A goal the inference cannot take apart: its formula as the prover builds it."""

    def __init__(self, formula: Formula):
        self.formula = formula


class _Validity:
    """Whether a candidate holds in every state whatever the spec does (`a <= b or b < a + 1`): it would
    only cost the solver time. One solver asks every candidate of the inference, each once by its text
    (the stages enumerate many of the same clauses again)."""

    def __init__(self, prover: Prover):
        self.prover = prover
        self.solver: z3.Solver | None = None
        self.known: dict[str, bool] = {}

    def __call__(self, claim: _Claim, text: str) -> bool:
        known = self.known.get(text)
        if known is not None:
            return known
        if self.solver is None:
            self.solver = z3.Solver()
            self.solver.set("timeout", 200)
        s, enc = self.solver, self.prover.enc
        terms = [z3.Const(f"any!{i}", enc.set_sorts[st]) for i, (_, st) in enumerate(claim.vars)]
        s.push()
        s.add(z3.Not(_encode(self.prover, claim, enc.state("any"), terms)))
        r = s.check()
        valid = self.known[text] = r == z3.unsat
        if r == z3.unknown:
            self.solver = None  # a check its limit stopped leaves z3's incremental state unsafe to pop and reuse
        else:
            s.pop()
        return valid


def _encode(prover: Prover, claim: _Claim, state: dict[str, z3.ExprRef], terms: list[z3.ExprRef]) -> z3.BoolRef:
    if isinstance(claim.body, _Opaque):
        return claim.body.formula(state)
    return claim.at(prover, state, terms)


def _ids(spec: ir.Spec, n: int) -> list[str]:
    taken = {i.id for i in spec.invariants}
    stem = "SUPPORT"
    while any(t.startswith(stem + "-") for t in taken):
        stem = "INFERRED" if stem == "SUPPORT" else stem + "X"
    return [f"{stem}-{i}" for i in range(1, n + 1)]


def _solver(enc) -> z3.Solver:
    """A solver with what every question must assume (the axioms of sums over sets, prove/sums.py),
    without z3's model search on them as the prover's own solvers (Prover.solver)."""
    s = z3.Solver()
    background = enc.background()
    if background and enc.world is None:
        s.set("smt.mbqi", False)
    s.add(*background)
    return s


def _houdini(prover: Prover, claims: dict[str, _Claim], known: list[Formula], deadline: float,
             goals: set[str]) -> tuple[_Houdini, set[str] | None]:
    """Houdini with the claims at the witnesses; when that loses a goal on a spec with sums over sets,
    once more with the claims of one variable also at the points the sums name (in a finite world, at
    its every element): an instance missing there can break a goal that holds (`count(t in Thread if
    phase[t] == writing) <= 1` needs "no thread writes" at the point its count would count)."""
    check = _Houdini(prover, claims, known, deadline)
    alive = check.run(set(claims), goals)
    if alive is None and prover.enc.set_sums and time.monotonic() < deadline:
        check = _Houdini(prover, claims, known, deadline, points=True)
        alive = check.run(set(claims), goals)
    return check, alive


class _Houdini:
    """Houdini over claims, one solver per action, each claim's hypothesis behind an assumption.

    The hypotheses are instantiated, not quantified: each claim about the state before the
    action is asserted at every choice of the action's parameters and a few shared witness
    elements per set, and a claim about the state after it is checked at those witnesses.
    An `unsat` is then a proof (every instance follows from the quantified hypotheses); a
    `sat` may come from an instance missing and only drops a candidate, which never makes
    anything proved. The quantifier-free questions are fast where the quantified ones take
    seconds (the ticket lock: 45 s for one question with 200 candidates). The engine checks
    the support it ends with again, quantified, before any verdict."""

    def __init__(self, prover: Prover, claims: dict[str, _Claim], known: list[Formula], deadline: float,
                 points: bool = False):
        self.prover = prover
        self.claims = claims
        self.deadline = deadline
        self.undecided = False  # whether z3 could not tell some claim, which was then dropped
        enc = prover.enc
        width: dict[str, int] = {}
        for c in claims.values():
            for s in sorted({st for _, st in c.vars}):
                width[s] = max(width.get(s, 0), sum(1 for _, st in c.vars if st == s))
        self.witnesses = {s: [z3.Const(f"w!{s}!{i}", enc.set_sorts[s]) for i in range(n)] for s, n in width.items()}
        members = [enc.set_members[s](w) for s, ws in self.witnesses.items() for w in ws]
        # each claim is encoded once, over a placeholder state and placeholder elements; every
        # instance is then a substitution (in z3, much cheaper than encoding again)
        self.base = enc.state("base")
        self.shapes = {}
        for cid, c in claims.items():
            holes = [z3.Const(f"hole!{i}", enc.set_sorts[st]) for i, (_, st) in enumerate(c.vars)]
            self.shapes[cid] = (holes, _encode(prover, c, self.base, holes))
        init = enc.init_state()
        self.init_solver = _solver(enc)
        self.init_solver.add(*members)
        # a witness counts in the sums over its set, and two different ones twice (the sums' (entry) axiom)
        everywhere = [w for ws in self.witnesses.values() for w in ws]
        if enc.world is None:
            self.init_solver.add(*enc.entries(everywhere))
        self.at_init = {cid: self._at(cid, init) for cid in claims}
        self.steps = []
        for action in prover.spec.actions:
            pre = enc.state("pre")
            params, bounds = enc.params(action, "p")
            guards, post = enc.transition(action, pre, params)
            s = _solver(enc)
            s.add(*members, *bounds, *guards, *[k(pre) for k in known])
            if enc.world is None:  # the parameters name elements too
                s.add(*enc.entries([*params.values(), *everywhere]))
            terms = {st: [p for p in params.values() if p.sort() == sort] + self.witnesses.get(st, [])
                     for st, sort in enc.set_sorts.items()}
            # with `points`, where a sum's sign axiom names a point (`Sum!S!pos(a)`: an element it counts,
            # if any), the claims of one variable are instantiated there too, for members: "no thread
            # writes" then makes the count of writers 0, as the quantified claim does by matching; in a
            # finite world, every claim at every element, one variable at a time (every member is one).
            # Where two majorities would overlap (the (apart) axiom's point for two sums the guards or
            # the claims take), every claim is, with one of its variables there: "each node votes once"
            # at that node refutes two majorities for two values
            guarded: dict[int, z3.BoolRef] = {}  # by the term's id in z3
            extra: dict[str, list[z3.ExprRef]] = {}  # claims of one variable only: instances grow as a square
            apart: dict[str, list[z3.ExprRef]] = {}
            if points and enc.world is not None:  # every claim, one variable at a time
                apart = {name: list(elements) for name, elements in enc.world.elements.items()}
            elif points and enc.set_sums:
                states = [self._at(cid, st) for cid in claims for st in (pre, post)]
                extra = {name: [p for a in arrays for p in enc.set_sums[name].witnesses(a)] for name, arrays
                         in sums.summed_arrays(enc.set_sums, states, MAX_SUMMED_ARRAYS).items()}
                if any(s.both is not None for s in enc.set_sums.values()):
                    states = [*guards, *(i for cid in claims for i in self._instances(cid, pre, terms, {})), *states]
                    apart = {name: enc.set_sums[name].apart(arrays) for name, arrays
                             in sums.summed_arrays(enc.set_sums, states, MAX_SUMMED_ARRAYS).items()}
            for name, named in [*extra.items(), *apart.items()]:
                guarded.update((p.get_id(), enc.set_members[name](p)) for p in named)
            hyps = {cid: z3.Bool(f"h:{cid}") for cid in claims}
            for cid in claims:
                # tens of thousands of instances on a protocol (52,819 on the decentralized lock): made
                # through z3's Python functions, which check and coerce every argument, they were two thirds
                # of the whole proof; `substitute` and `assert_fact` make the same terms with a call each
                switch = hyps[cid].as_ast()
                mine = apart if len(claims[cid].vars) != 1 else {
                    st: extra.get(st, []) + apart.get(st, []) for st in {*extra, *apart}}
                for instance in self._instances(cid, pre, terms, guarded, mine):
                    assert_fact(s, z3.BoolRef(z3.Z3_mk_implies(instance.ctx_ref(), switch, instance.as_ast()), instance.ctx))
            s.add(*enc.waypoint_hints(action, params, pre, [lambda state, cid=cid: self._at(cid, state) for cid in claims]))
            self.steps.append((s, hyps, {cid: self._at(cid, post) for cid in claims}))

    def _moved(self, cid: str, state: dict[str, z3.ExprRef]) -> tuple[list[z3.ExprRef], z3.BoolRef]:
        holes, shape = self.shapes[cid]
        return holes, substitute(shape, [self.base[p] for p in self.base], [state[p] for p in self.base])

    def _at(self, cid: str, state: dict[str, z3.ExprRef]) -> z3.BoolRef:
        """The claim at the shared witnesses (its first variable of a set at the set's first witness...)."""
        count: dict[str, int] = {}
        terms = []
        for _, st in self.claims[cid].vars:
            terms.append(self.witnesses[st][count.get(st, 0)])
            count[st] = count.get(st, 0) + 1
        holes, shape = self._moved(cid, state)
        return substitute(shape, holes, terms) if holes else shape

    def _instances(self, cid: str, state: dict[str, z3.ExprRef], terms: dict[str, list[z3.ExprRef]],
                   guarded: dict[int, z3.BoolRef], extra: dict[str, list[z3.ExprRef]] | None = None):
        """The claim at each choice of the terms for its variables, and at each choice with one variable
        at an `extra` point of its set (with more, the instances would grow as a square); at a term in
        `guarded` (not known to be a member), only if it is one."""
        holes, shape = self._moved(cid, state)
        if not holes:
            yield shape
            return
        kinds = [st for _, st in self.claims[cid].vars]
        choices = [itertools.product(*[terms[st] for st in kinds])]
        for i, st in enumerate(kinds):
            if extra and extra.get(st):
                choices.append(itertools.product(*[extra[st] if j == i else terms[k] for j, k in enumerate(kinds)]))
        for choice in itertools.chain(*choices):
            instance = substitute(shape, holes, choice)
            guards = [guarded[t.get_id()] for t in choice if t.get_id() in guarded] if guarded else []
            if guards:
                guard = guards[0] if len(guards) == 1 else z3.And(*guards)
                instance = z3.BoolRef(z3.Z3_mk_implies(instance.ctx_ref(), guard.as_ast(), instance.as_ast()),
                                      instance.ctx)
            yield instance

    def _solver_timeout(self, s: z3.Solver, cap: float | None = None) -> bool:
        ms = time_left_ms(self.deadline, int((cap or self.prover.timeout) * 1000))
        if ms is None:
            return False
        s.set("timeout", ms)
        return True

    def _failing(self, s: z3.Solver, claims: dict[str, z3.BoolRef], assumptions: list) -> set[str] | None:
        """The claims some model breaks (at least one), none when all hold, None when time ran out.

        All claims are asked at once; when the solver cannot tell within a short time, each
        half is asked on its own, down to single claims, and a claim it cannot decide is
        treated as broken (dropping a candidate never makes a proof wrong)."""
        if not self._solver_timeout(s, QUICK_CHECK if len(claims) > 1 else None):
            return None
        flags = {cid: z3.Bool(f"broken:{cid}") for cid in claims}
        query = [*(z3.Implies(flags[cid], z3.Not(claim)) for cid, claim in claims.items()), z3.Or(*flags.values())]
        # a quantified claim is never popped: a switch of its own instead (encode.scope_unsafe)
        with Question(s, query, scope_unsafe(self.prover.enc, *claims.values()), "failing") as q:
            r = s.check(*assumptions, *q.assumptions)
            out: set[str] | None = None
            if r == z3.unsat:
                out = set()
            elif r == z3.sat:
                m = s.model()
                # every claim the model breaks, not only the flags it chose: one model usually breaks many
                out = {cid for cid, flag in flags.items() if z3.is_true(m.eval(flag, model_completion=True))
                       or z3.is_false(m.eval(claims[cid], model_completion=True))}
        if out is not None or time.monotonic() > self.deadline:
            self.undecided |= out is None
            return out
        if len(claims) == 1:
            self.undecided = True
            return set(claims)
        names = sorted(claims)
        out = set()
        for half in (names[:len(names) // 2], names[len(names) // 2:]):
            broken = self._failing(s, {c: claims[c] for c in half}, assumptions)
            if broken is None:
                return None
            out |= broken
        return out

    def run(self, alive: set[str], goals: set[str]) -> set[str] | None:
        """The largest inductive subset of `alive`; None when it loses a goal or time runs out."""
        alive = set(alive)
        while alive:
            broken = self._failing(self.init_solver, {c: self.at_init[c] for c in sorted(alive)}, [])
            if broken is None:
                return None
            if not broken:
                break
            alive -= broken
        changed = True
        while changed:
            changed = False
            for s, hyps, post in self.steps:
                while True:
                    if not goals <= alive:
                        return None
                    order = sorted(alive)
                    broken = self._failing(s, {c: post[c] for c in order}, [hyps[c] for c in order])
                    if broken is None:
                        return None
                    if not broken:
                        break
                    alive -= broken
                    changed = True
        return alive if goals <= alive else None

    def minimal(self, alive: set[str], goals: set[str]) -> set[str] | None:
        """A subset of the inductive set `alive` that is inductive with the goals, none of it removable.

        Within what the cores keep, QuickXplain (Junker, 2004): half of the candidates is tried with
        the goals, and only the half that is needed is split further. With k needed of n, about 2k
        log(n/k) Houdini runs, most of them over a few candidates, where dropping one at a time takes n
        runs over nearly all (a bank's conservation law among 12 kept: 11 runs, 13.4 s). The candidates
        come in the order the cores reached them, the goals' own first: the ones kept where either would
        do, and the cheapest to find (one needed but tried last costs runs over nearly all). Of at most
        DROP_ONE_AT_MOST, each is dropped in turn instead: n runs, where QuickXplain takes 2 log2(n) + 1
        at best and about 2n where all are needed (majority consensus, the decentralized lock)."""
        needed = self._cores(alive, goals)
        if needed is None:
            return None
        order = [cid for cid in needed if cid not in goals]
        if len(order) > DROP_ONE_AT_MOST:
            return goals | self._explain(goals, goals, order, True)
        kept = set(order)
        for cid in reversed(order):  # the least preferred first
            if cid in kept:
                smaller = self.run(goals | (kept - {cid}), goals)
                if smaller is not None:
                    kept = smaller - goals
        return goals | kept

    def _explain(self, goals: set[str], base: set[str], todo: list[str], fresh: bool) -> set[str]:
        """A subset X of `todo`, none of it removable, such that `base` and X hold an inductive set with
        the goals, given that `base` and all of `todo` do (`fresh`: base grew since that was known). A run
        out of time counts as a no: the answer is then larger, never wrong."""
        if fresh and self.run(base, goals) is not None:
            return set()
        if len(todo) <= 1:
            return set(todo)
        first, second = todo[:len(todo) // 2], todo[len(todo) // 2:]
        kept_second = self._explain(goals, base | set(first), second, True)
        kept_first = self._explain(goals, base | kept_second, first, bool(kept_second))
        return kept_first | kept_second

    def _cores(self, alive: set[str], goals: set[str]) -> list[str] | None:
        """The candidates the goals' preservation proofs use, and the ones theirs use, and so on: in the
        order they are reached, breadth first, each core's simplest first.

        `alive` is inductive (`run` said so, asking about all claims at once); asked about one
        claim alone, z3 may still answer `unknown` where its quantifier instantiation takes
        another path (the axioms of sums). That claim then keeps every candidate it was given, for
        `minimal` to drop. The closure takes a quarter of the time left at most: past that (where
        every candidate's core reaches others, as among 103 over two sums: 9 s for no fewer), the
        candidates it has not reached follow the ones it has. None only when the time ran out."""
        order = sorted(alive)
        needed, todo = dict.fromkeys(sorted(goals)), collections.deque(sorted(goals))
        soon = time.monotonic() + max(1.0, (self.deadline - time.monotonic()) / 4)
        # z3 shrinks each core before it answers: fewer candidates to drop one by one after (the
        # decentralized lock: 9 -> 6, and in less time; the ticket lock: 45 -> 31). Only here: a check
        # of `run` asks for no core, and would pay for the shrinking all the same
        for s, _, _ in self.steps:
            s.set("core.minimize", True)
        try:
            return self._closure(order, needed, todo, soon)
        finally:
            for s, _, _ in self.steps:
                s.set("core.minimize", False)

    def _closure(self, order: list[str], needed: dict[str, None], todo: collections.deque,
                 soon: float) -> list[str] | None:
        def simplest(cid: str) -> tuple:
            return len(str(self.at_init[cid])), cid

        while todo:
            if time.monotonic() > soon:
                return list(needed) + sorted((c for c in order if c not in needed), key=simplest)
            cid = todo.popleft()
            for s, hyps, post in self.steps:
                if not self._solver_timeout(s):
                    return None
                negated = z3.Not(post[cid])
                with Question(s, [negated], scope_unsafe(self.prover.enc, negated), "core") as q:
                    r = s.check(*[hyps[c] for c in order], *q.assumptions)
                    core = order
                    if r == z3.unsat:
                        names = [str(c) for c in s.unsat_core()]
                        core = [name[2:] for name in names if name.startswith("h:")]
                if r != z3.unsat and time.monotonic() > self.deadline:
                    return None
                for used in sorted(core, key=simplest):
                    if used not in needed:
                        needed[used] = None
                        todo.append(used)
        return list(needed)

__all__ = ["Inference", "Support", "infer"]
