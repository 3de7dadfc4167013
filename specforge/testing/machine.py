"""The spec as the oracle of a model-based test.

`SpecRunner` holds an implementation object and the spec's own model of its
state (the IR interpreter) side by side, and checks every step:

- when every guard holds, the call must not raise, and afterwards every state
  variable read through the binding must equal the model's value;
- when a guard with `else ERROR` is false (the first false one, in order), the
  call must raise an exception whose class or a base class is named ERROR, and
  the observed state must be unchanged;
- a guard without `else` is an assumption: the action is not called where it
  is false;
- after every step, every invariant must hold on the observed state.

It also chooses what to call (`choose_action`, `arguments`): with regard to the
guards, evaluated on the model's state, mostly calls that succeed and lead to
states the run has not visited, always near the boundaries, and a share of
calls a guard refuses, for reasons the run has not seen yet. docs/testing.md
explains the choices.

`SpecMachine` drives a runner from a hypothesis `RuleBasedStateMachine`; the
generated test files and `spec_test_case` both build on it. Each step costs
hypothesis one draw, an integer that `Dice` stretches into all of the step's
choices, and each run one more, for the number of set elements and the swarm.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping

from hypothesis import Phase
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from .. import ir
from ..evaluate import EvaluationError, compiled, evaluate
from ..interpret import Interpreter
from ..ir import BoolT, EnumT, IntT, SetT
from ..structure import within
from ..values import State, Universe
from .binding import Binding, BindingError
from .preflight import check_binding, factory_problems

# How many elements each `set` has: one size per run, drawn from these (small universes make
# collisions likely, larger ones make room for several parties); a replay uses at least SET_SIZE.
SET_SIZES = (1, 2, 3)
SET_SIZE = max(SET_SIZES)
# The phases of hypothesis a spec test runs: all but shrinking and explaining. Hypothesis shrinks a run by
# changing the integers its steps drew, and each changed integer is a different call, so shrinking took it up
# to minutes and still left long runs; a failure instead reports the shortest run `SpecRunner.shortest`
# finds, cutting the calls down and replaying them, in a fraction of a second.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
# Entries of what states offer kept per machine class (`_Here`, `Pools`, targets: see SpecRunner._remember),
# cleared when this many: hypothesis keeps every machine class it ran for the life of the process, and with
# them their caches (about 5 MB at this size, measured on ledger).
CACHE_SIZE = 4_000
FINITE = (BoolT, EnumT, SetT)  # parameter types whose every value can be tried
UNDEFINED = -1  # a guard's verdict where it has no value (see _first_false)
SHAPE = ("shape",)  # the cache's entry that is kept when it is cleared: the spec's `Shape`


class Dice:
    """Where one step's choices come from: the one integer hypothesis draws for the step, stretched
    into a stream of well-mixed 64-bit numbers (splitmix64), so that the step costs hypothesis one
    draw however many choices it makes. The same integer gives the same choices, so hypothesis replays
    and mutates runs as it would any draws. (It does not shrink them: a smaller integer is another call,
    not a simpler one; see PHASES and `SpecRunner.shortest`.)"""

    __slots__ = ("_state",)

    MASK = (1 << 64) - 1
    GAMMA = 0x9E3779B97F4A7C15

    def __init__(self, seed: int):
        self._state = seed & self.MASK

    def below(self, n: int) -> int:
        """A number in range(n), each about as often as the others."""
        m = self.MASK
        z = self._state = (self._state + self.GAMMA) & m
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
        return (z ^ (z >> 31)) % n


class Pools:
    """Where one choice (an action, or one argument) is drawn from in one state.

    - `fresh`: of the actions some arguments can get through, those that can lead to a state not yet
      visited in this run (empty when that is all of them);
    - `rare`: of those actions, the ones that have succeeded least often in this run (empty when
      they all have as often);
    - `accepted`: values no guard is known to reject (for an int, the boundaries inside the guards);
    - `interval`: (lo, hi), an int range inside the guards that compare the parameter directly;
    - `rejected`: values a guard with `else` rejects, one group per guard, `keys` naming the guards (for an int, the boundaries
      just outside), so that each failure mode is drawn as often as the others.

    A draw first picks a mode, each non-empty one as often as its weight, then a value from it.
    """

    __slots__ = ("fresh", "rare", "accepted", "interval", "rejected", "keys", "_modes")

    # How often each mode is drawn, when not empty. An action is mostly one that can succeed (fresh, rare
    # or accepted), 2 in 9 to 2 in 5 one that cannot; an argument is rejected more rarely (1 in 5 for a set element,
    # 1 in 7 for an int), since a step with several arguments fails when any one of them is rejected.
    ACTIONS = {"fresh": 2, "rare": 2, "accepted": 3, "rejected": 2}
    ARGUMENTS = {"accepted": 4, "interval": 2, "rejected": 1}

    def __init__(self, accepted: tuple = (), interval: tuple[int, int] | None = None,
                 rejected: tuple[tuple, ...] = (), fresh: tuple = (), keys: tuple = (), rare: tuple = (),
                 weights: Mapping[str, int] = ARGUMENTS):
        self.fresh, self.rare, self.accepted, self.interval = fresh, rare, accepted, interval
        self.rejected = tuple(group for group in rejected if group)
        self.keys = keys
        modes = tuple(mode for mode, weight in weights.items() if getattr(self, mode) for _ in range(weight))
        self._modes = modes or ("interval",)

    def draw(self, dice: Dice, counts: Mapping | None = None):
        """One value. With `counts` (how often each guard in `keys` has refused a call in this run), half
        the rejected draws go to the failure modes exercised least often."""
        modes = self._modes
        mode = modes[dice.below(len(modes))]
        if mode == "interval":
            lo, hi = self.interval or (0, 0)
            return lo + dice.below(hi - lo + 1)
        if mode == "rejected":
            groups = self.rejected
            if counts is not None and len(self.keys) == len(groups) > 1:
                rare = _least(self.keys, counts)
                if rare:
                    groups = (tuple(v for k, g in zip(self.keys, groups, strict=True) if k in rare for v in g),
                              *groups)
            group = groups[dice.below(len(groups))]
            return group[dice.below(len(group))]
        values = self.fresh if mode == "fresh" else self.rare if mode == "rare" else self.accepted
        return values[dice.below(len(values))]


class Shape:
    """What the argument pools need to know of a spec that does not depend on the state: per action,
    its guards compiled, the comparisons in its guards, those its guards require (conjuncts, for the
    bounds), each with the parameters it reads; the int constants and literals it mentions, the
    numeric state leaves it assigns; and the spec's comparisons that read the state alone. Built once
    per machine class."""

    def __init__(self, spec: ir.Spec, leaf_types: Mapping[str, ir.Type]):
        self.guards = {a.name: [(compiled(g.cond), _params_read(g.cond)) for g in a.guards] for a in spec.actions}
        self.compares = {a.name: [(c, _params_read(c)) for g in a.guards for c in _compares(g.cond)]
                         for a in spec.actions}
        self.ordered = {a.name: [(c, _params_read(c)) for g in a.guards for c in _conjuncts(g.cond)
                                 if isinstance(c, ir.Compare) and c.op not in (ir.CmpOp.EQ, ir.CmpOp.NE)]
                        for a in spec.actions}
        self.literals = {a.name: frozenset(_static_boundaries(spec, a)) for a in spec.actions}
        self.numeric = {a.name: sorted({p for p in (ir.state_path(x.target) for x in a.assignments)
                                        if isinstance(leaf_types.get(p), (IntT, ir.QuantityT))})
                        for a in spec.actions}
        roots = [g.cond for a in spec.actions for g in a.guards] + [i.expr for i in spec.invariants]
        self.on_state = [c for r in roots for c in _compares(r) if not _mentions_local(c)]


class _Here:
    """What choosing an action needs to know of one state: the actions some arguments can get
    through (`callable`) and the others (`refused`); where each callable one can lead (`successors`,
    see `SpecRunner._successors`); why each refused one is (`reasons`); and the action pools built
    so far, by which actions are fresh and which refused for a reason new to the run."""

    __slots__ = ("callable", "refused", "successors", "reasons", "pools")


class SpecViolation(AssertionError):
    """The implementation does not follow the spec; the message says where, in spec terms.

    `kind` says what went wrong without the values (the action, the guard, the exception's class, the
    variables that differ, the invariant): a shorter run that fails with the same kind fails the same
    way (see `SpecRunner.shortest`)."""

    def __init__(self, message: str, kind: tuple = ()):
        super().__init__(message)
        self.kind = kind


class SpecRunner:
    REPLAYS = 1_000  # replays `shortest` may make (each a fresh implementation and up to a run's calls)

    def __init__(self, spec: ir.Spec, factory: Callable[[], object], binding: Binding | None = None,
                 source: str | None = None, set_size: int = SET_SIZE, cache: dict | None = None,
                 swarm: int | None = None):
        self.spec = spec
        self.off = _swarm(spec, swarm)  # actions this run does not choose while it can choose another
        self.cache = {} if cache is None else cache  # argument pools; share it between runners of one spec
        self.size = set_size
        self.refusals: set[tuple] = set()  # why actions were refused in this run (see _refusal)
        self.visited: set[State] = set()  # the model's states in this run
        self.failures: dict[tuple[str, int], int] = {}  # (action, guard index): how often it refused, this run
        self.successes: dict[str, int] = {}  # action: how often it succeeded, this run
        self._observed: State | None = None  # the implementation's state as last read
        # a replay passes the run's own universe (its elements, at its sizes) instead of a size
        self.interp = Interpreter(spec, set_size if isinstance(set_size, Universe) else Universe.named(spec, set_size))
        self.shape = self.cache.get(SHAPE)
        if self.shape is None:
            self.shape = self.cache[SHAPE] = Shape(spec, self.interp.leaf_types)
        self.binding = binding or Binding()
        check_binding(spec, self.binding)  # a key the spec does not have is a mistake, never ignored
        self.lines = (source or "").splitlines()
        self.history: list[tuple[str, Mapping[str, object]]] = []  # the calls made: (action, arguments)
        self.model = self.interp.initial_state()
        self.visited.add(self.model)
        self.factory = factory
        self.impl = _make(factory, spec, self.interp.universe)
        self.expect_state("the initial state")

    # ---- one step ---------------------------------------------------------------------------

    def apply(self, name: str, args: Mapping[str, object]) -> None:
        action = self.interp.action(name)
        try:
            failed = self.interp.failed_guard(action, self.model, args)
            after = self.interp.effect(action, self.model, args) if failed is None else None
        except EvaluationError:
            return  # a guard or an assignment has no value here (a division by zero): the spec says nothing
        if failed is not None and failed.error is None:
            return  # an assumption about the caller: the action is never called where it is false
        self.history.append((name, args))
        before = self.observe()
        self._observed = None  # the call may change what the implementation shows
        try:
            self.binding.call(self.impl, action, args)
        except BindingError:
            raise
        except Exception as exc:
            call = _call_text(name, args)
            if failed is None:
                raise SpecViolation(f"{call}: every guard holds, so the call must succeed, but it raised "
                                    f"{type(exc).__name__}: {exc}{self._steps()}",
                                    ("raised", name, type(exc).__name__)) from exc
            guard = action.guards[failed.index]
            if not self.binding.error_matches(exc, failed.error):
                raise SpecViolation(f"{call}: the guard `{self._text(guard)}` is false, so the call must raise "
                                    f"{failed.error}, but it raised {type(exc).__name__}: {exc}{self._steps()}",
                                    ("wrong error", name, failed.index, type(exc).__name__)) from exc
            self.refusals.add(self._refusal(action))
            self.failures[(name, failed.index)] = self.failures.get((name, failed.index), 0) + 1
            after = self.observe()
            if after != before:
                raise SpecViolation(f"{call} raised {failed.error} as it should, but changed the state: "
                                    f"{_diff(before, after, 'before', 'after')}{self._steps()}",
                                    ("changed", name, failed.index, _differing(before, after))) from exc
            return
        if failed is not None:
            guard = action.guards[failed.index]
            raise SpecViolation(f"{_call_text(name, args)}: the guard `{self._text(guard)}` is false, so the "
                                f"call must raise {failed.error}, but it returned normally{self._steps()}",
                                ("returned", name, failed.index))
        self.model = after  # every guard holds: checked above
        self.visited.add(self.model)
        self.successes[name] = self.successes.get(name, 0) + 1
        if self.observe() != self.model:
            self._mismatch(f"after {_call_text(name, args)}", name)

    def expect_state(self, when: str) -> None:
        if self.observe() != self.model:
            self._mismatch(when, None)

    def _mismatch(self, when: str, action: str | None) -> None:
        raise SpecViolation(f"{when}: {_diff(self.model, self.observe(), 'the spec says', 'the implementation has')}"
                            f"{self._steps()}", ("state", action, _differing(self.model, self.observe())))

    def check_invariant(self, invariant_id: str) -> None:
        observed = self.observe()  # read once per step: every invariant is checked on the same reading
        try:
            ok = self.interp.holds(invariant_id, observed)
        except EvaluationError as e:
            raise SpecViolation(f"invariant {invariant_id} cannot be evaluated on the implementation's state: {e}"
                                f"{self._steps()}", ("invariant", invariant_id)) from e
        if not ok:
            inv = self.interp.invariants.get(invariant_id)
            what = f" ({inv.description})" if inv is not None and inv.description else ""
            raise SpecViolation(f"invariant {invariant_id}{what} does not hold in the implementation's state "
                                f"{_show_state(observed)}{self._steps()}", ("invariant", invariant_id))

    def check_invariants(self, invariant_ids: Iterable[str] | None = None) -> None:
        """Each of `invariant_ids` (by default the spec's invariants), in order, on the observed state."""
        for invariant_id in self.interp.invariants if invariant_ids is None else invariant_ids:
            self.check_invariant(invariant_id)

    def observe(self) -> State:
        """The implementation's state through the binding; read again only after a call into it."""
        if self._observed is None:
            self._observed = self.binding.observe(self.impl, self.interp)
        return self._observed

    def _text(self, node) -> str:
        line = node.span.line
        if 0 < line <= len(self.lines) and node.span.end_line == line:
            return self.lines[line - 1][node.span.column - 1:node.span.end_column - 1]
        return "guard"

    def _steps(self) -> str:
        calls = "; ".join(_call_text(name, args) for name, args in self.history)
        return "\n  the calls so far: " + (calls or "none")

    # ---- a shorter run that fails the same way -----------------------------------------------

    def shortest(self, kind: tuple, invariant_ids: Iterable[str] = ()) -> list[tuple[str, Mapping]] | None:
        """The calls of this run cut down to the shortest run found that fails with the same `kind`
        (chunks of calls left out, then single ones), and each int argument in it brought down to the
        smallest value found that still fails (0, 1, -1, the action's literals, halvings); each candidate
        is replayed on a fresh implementation from the factory, checking `invariant_ids` after every call.
        None when the run made no calls, or its replay does not fail that way (an implementation that
        does not behave the same on the same calls). At most `REPLAYS` replays: past that, the run found
        so far is the answer."""
        ids = tuple(invariant_ids)
        budget = [self.REPLAYS]

        def fails(calls: list) -> list | None:
            """The calls the replay made, up to the one that failed with `kind`; None if it did not."""
            if budget[0] <= 0:
                return None
            budget[0] -= 1
            try:
                replay = SpecRunner(self.spec, self.factory, self.binding, None, self.size, self.cache)
                for name, args in calls:
                    replay.apply(name, args)
                    replay.check_invariants(ids)
            except SpecViolation as e:
                return list(replay.history) if e.kind == kind else None
            except Exception:
                return None
            return None

        calls = fails(list(self.history)) if self.history else None
        if calls is None:
            return None
        chunks = 2
        while len(calls) >= 2:
            size = -(-len(calls) // chunks)
            for start in range(0, len(calls), size):
                made = fails(calls[:start] + calls[start + size:])
                if made is not None:
                    calls, chunks = made, max(chunks - 1, 2)
                    break
            else:
                if size == 1:
                    break
                chunks = min(chunks * 2, len(calls))
        i = 0
        while i < len(calls):  # a smaller argument may make the run fail sooner: then it is shorter
            name, args = calls[i]
            for p in self.interp.actions[name].params:
                v, t = args[p.name], p.type.resolved
                if isinstance(t, FINITE) or type(v) is not int:
                    continue
                halvings = {v >> k for k in range(1, 64) if v >> k not in (0, -1)}
                smaller = sorted((c for c in {0, 1, -1, *self.shape.literals[name], *halvings}
                                  if abs(c) < abs(v) and within(t, c)), key=lambda c: (abs(c), c))
                for c in smaller:
                    made = fails([*calls[:i], (name, {**args, p.name: c}), *calls[i + 1:]])
                    if made is not None:
                        calls = made
                        break
                if i >= len(calls) or calls[i][0] != name:
                    break
                args = calls[i][1]
            i += 1
        return calls

    # ---- arguments ----------------------------------------------------------------------------

    def choose_action(self, dice: Dice) -> ir.Action:
        """The next action: mostly one that some arguments can get past every guard in the current
        state (a run then gets deep into the state space), preferring those that can lead to a state
        this run has not visited (not `close_shop` and `open_shop` in turn forever) and those that
        have succeeded least often in this run (`ship` once an order is paid, where `cancel` has had
        its turn); sometimes one that no arguments can get through (its failure modes), preferring
        one refused for a reason not seen yet in this run: `close_shop` refused because an order is
        in transit, where before it was refused because one was paid. An action the run's swarm
        leaves out (`off`) is chosen only as one of the least successful, or when it is the only
        one that can succeed."""
        here = self._here()
        visited, refusals, off = self.visited, self.refusals, self.off
        on = tuple(n for n in here.callable if n not in off) or here.callable if off else here.callable
        novel = tuple(n for n in on if (after := here.successors[n]) is None or not after <= visited)
        fresh = novel if len(novel) < len(on) else ()
        rare = _least(here.callable, self.successes)  # an action the swarm leaves out too: it may be the way on
        new = tuple(n for n, why in here.reasons.items() if why not in refusals)
        rarely = new if len(new) < len(here.refused) else ()
        key = (on, fresh, rare, rarely)  # they depend on the run so far
        pools = here.pools.get(key)
        if pools is None:
            # half the refused draws go to the actions refused for a reason this run has not seen
            pools = here.pools[key] = Pools(fresh=fresh, rare=rare, accepted=on,
                                            rejected=(rarely or here.refused, here.refused), weights=Pools.ACTIONS)
        return self.interp.actions[pools.draw(dice)]

    def _here(self) -> _Here:
        key = ("here", self.size, self.model)
        here = self.cache.get(key)
        if here is None:
            here = _Here()
            actions = self.interp.actions
            here.callable = tuple(n for n, a in actions.items() if self._callable(a))
            here.refused = tuple(n for n in actions if n not in here.callable)
            here.successors = {n: self._successors(actions[n]) for n in here.callable}
            here.reasons = {n: self._reason(actions[n]) for n in here.refused}
            here.pools = {}
            self._remember(key, here)
        return here

    def _refusal(self, action: ir.Action) -> tuple:
        """Why the action is refused in the current state (see `_reason`), cached per state."""
        why = self._here().reasons.get(action.name)
        return why if why is not None else self._reason(action)

    def _reason(self, action: ir.Action) -> tuple:
        """Why the action is refused in the current state, as far as the state alone tells: the first
        guard known to be false without arguments, and which of its comparisons hold (for some values
        of its quantified variables)."""
        index = self._verdict(action, {})
        if index == UNDEFINED:
            index = None
        atoms = frozenset() if index is None else _true_comparisons(
            action.guards[index].cond, self.interp.env.with_state(self.model, {}))
        return (action.name, index, atoms)

    def _successors(self, action: ir.Action) -> frozenset[State] | None:
        """The states the action can lead to from the current one, or None when it has an int
        parameter (it is taken to lead to new states); for one without, each combination of
        arguments that every guard accepts (up to 256) is stepped on the model."""
        if any(not isinstance(p.type.resolved, FINITE) for p in action.params):
            return None
        domains = [self._domain(p) for p in action.params]
        successors = set()
        for combo in itertools.islice(itertools.product(*domains), 256):
            args = {p.name: v for p, v in zip(action.params, combo, strict=True)}
            try:
                if self.interp.failed_guard(action, self.model, args) is None:
                    successors.add(self.interp.effect(action, self.model, args))
            except EvaluationError:
                continue
        return frozenset(successors)

    def _callable(self, action: ir.Action) -> bool:
        """Whether some arguments may get past every guard: a combination of the finite parameters
        (up to 256 of them) that no guard rejects, and for it the first int parameter has room
        between the bounds the guards set it directly. An over-approximation."""
        finite = [p for p in action.params if isinstance(p.type.resolved, FINITE)]
        ints = [p for p in action.params if not isinstance(p.type.resolved, FINITE)]
        domains = [self._domain(p) for p in finite]
        for combo in itertools.islice(itertools.product(*domains), 256):
            known = {p.name: v for p, v in zip(finite, combo, strict=True)}
            if self._verdict(action, known) is not None:
                continue
            if not ints:
                return True
            lo, hi = self._bounds(action, ints[0], known)
            if lo is None or hi is None or lo <= hi:
                return True
        return False

    def arguments(self, action: ir.Action, dice: Dice) -> dict[str, object]:
        """Arguments drawn from the types and the guards, not by rejection: mostly ones every guard
        accepts, so that a run gets deep into the state space; always the boundaries; and a share
        of values just outside them, so that every failure mode is exercised.

        Each parameter, in order, first draws how it is chosen (a mode), then a value from that
        mode's pool. A value that fails an assumption (a guard without `else`) is never offered.
        """
        args: dict[str, object] = {}
        for p in action.params:
            args[p.name] = self.pools(action, p, args).draw(dice, self.failures)
        return args

    def pools(self, action: ir.Action, param: ir.Param, known: Mapping[str, object]) -> Pools:
        """Where `param` is drawn from in the current state, given the arguments drawn before it.
        Cached per (action, parameter, state, earlier arguments): runs revisit states often, and
        finding the boundaries is the expensive part of a step."""
        key = (action.name, param.name, self.size, self.model, tuple(known.items()))
        pools = self.cache.get(key)
        if pools is None:
            if isinstance(param.type.resolved, FINITE):
                pools = self._finite_pools(action, param, known, self._domain(param))
            else:
                pools = self._int_pools(action, param, known)
            self._remember(key, pools)
        return pools

    def _domain(self, param: ir.Param) -> tuple:
        """Every value of a bool, enum or set parameter."""
        t = param.type.resolved
        return (False, True) if isinstance(t, BoolT) else self.interp.values(t)

    def _finite_pools(self, action: ir.Action, param: ir.Param, known: Mapping[str, object],
                      values: tuple) -> Pools:
        """A bool, enum value or set element: mostly one that passes every guard it decides
        (`placed[o]`, `src != dst`), sometimes one a guard rejects."""
        accepted, rejected, keys = self._split(action, param.name, known, values)
        if not accepted and not rejected:  # only assumptions decide it, and they reject every value
            accepted = list(values)
        return Pools(accepted=tuple(accepted), rejected=rejected, keys=keys)

    def _int_pools(self, action: ir.Action, param: ir.Param, known: Mapping[str, object]) -> Pools:
        """The boundaries every guard accepts, an interval inside the guards, and the boundaries just
        outside them.

        Boundaries are found numerically: a comparison is evaluated as a function of the value being
        drawn, and where it is linear its root is a boundary, with one either side. That covers
        `amount <= balance` (exactly the balance), `abs(d) <= 20` (20 and -20), and, through the
        state variables the action assigns, `now < issued_at + ttl` tested by another action or an
        invariant (the `dt` that reaches a token's expiry exactly). Each constant and literal the
        action mentions is a boundary too.
        """
        t = param.type.resolved
        low, high = (t.low, t.high) if isinstance(t, IntT) else (None, None)
        name = param.name
        candidates = set(self.shape.literals[action.name])
        given = {*known, name}
        for cmp, reads in self.shape.compares[action.name]:
            if not reads <= given:
                continue
            for root in _roots(self._difference(cmp, known, name)):
                candidates.update((root - 1, root, root + 1))
        candidates.update(self._reaching(action, name, known))
        fitting = sorted(v for v in candidates if (low is None or v >= low) and (high is None or v <= high))
        accepted, rejected, keys = self._split(action, name, known, fitting)
        lo, hi = self._bounds(action, param, known)
        lo = lo if lo is not None else min(fitting, default=0) - 10
        hi = hi if hi is not None else max(fitting, default=0) + 10
        interval = (lo, hi) if lo <= hi else None
        if not accepted and not rejected and interval is None:  # contradictory guards: any value of the type
            edge = low if low is not None else high if high is not None else 0
            interval = (edge, edge)
        return Pools(accepted=tuple(accepted), interval=interval, rejected=rejected, keys=keys)

    def _bounds(self, action: ir.Action, param: ir.Param, known: Mapping[str, object]) -> tuple:
        """(lo, hi) for an int parameter: its type's bounds, narrowed by each comparison the guards
        require (a conjunct) that is linear in it, such as `amount > 0` or `withdrawn_today + amount
        <= DAILY_LIMIT`; None where nothing bounds it."""
        t = param.type.resolved
        lo, hi = (t.low, t.high) if isinstance(t, IntT) else (None, None)
        given = {*known, param.name}
        for cmp, reads in self.shape.ordered[action.name]:
            if not reads <= given:
                continue
            line = _line(self._difference(cmp, known, param.name))
            if line is None:
                continue
            a, slope = line  # left - right == a + slope * value
            if cmp.op in (ir.CmpOp.GT, ir.CmpOp.GE):  # as `a + slope * value <= 0` (or `< 0`)
                a, slope = -a, -slope
            strict = cmp.op in (ir.CmpOp.LT, ir.CmpOp.GT)
            if slope > 0:
                bound = -(a // slope) - 1 if strict else (-a) // slope
                hi = bound if hi is None else min(hi, bound)
            else:
                u = -slope
                bound = a // u + 1 if strict else -((-a) // u)
                lo = bound if lo is None else max(lo, bound)
        return lo, hi

    def _split(self, action: ir.Action, name: str, known: Mapping[str, object],
               values) -> tuple[list, tuple[tuple, ...], tuple]:
        """`values` of one parameter, split into those no guard is known to reject, and those a guard
        with `else` rejects, grouped by that guard (the groups' keys: (action, guard index)); values an
        assumption rejects are dropped. A guard
        that reads an argument not drawn yet is passed over: `deposit(a, amount)` prefers an open
        account although its first guard is `amount > 0`."""
        accepted: list = []
        rejected: dict[tuple[str, int], list] = {}
        guards, conds = action.guards, self.shape.guards[action.name]
        args = dict(known)
        env = self.interp.env.with_state(self.model, args)
        for v in values:
            args[name] = v
            verdict = _first_false(conds, env, args)
            if verdict is None:
                accepted.append(v)
            elif verdict != UNDEFINED and guards[verdict].error is not None:
                rejected.setdefault((action.name, verdict), []).append(v)
        return accepted, tuple(tuple(group) for group in rejected.values()), tuple(rejected)

    def _verdict(self, action: ir.Action, args: Mapping[str, object]) -> int | None:
        """The index of the first guard known to be false with these (possibly partial) arguments, or
        None, or UNDEFINED (see `_first_false`); a guard that reads an argument not given is passed over."""
        return _first_false(self.shape.guards[action.name], self.interp.env.with_state(self.model, args), args)

    def _remember(self, key: tuple, value: object) -> None:
        """Keep what a state offers (a `_Here`, `Pools`, targets) in the machine class's cache."""
        if len(self.cache) >= CACHE_SIZE:
            self.cache.clear()
            self.cache[SHAPE] = self.shape
        self.cache[key] = value

    def _difference(self, cmp: ir.Compare, known: Mapping[str, object], name: str,
                    state: Mapping[str, object] | None = None) -> Callable[[int], int | None]:
        """left - right of a numeric comparison as a function of the value of `name`: a parameter (the
        other arguments `known`), or with `state` given, a state leaf of it. None where it cannot be
        evaluated or is not an int."""
        if state is None:  # vary the parameter `name`, in the current state
            values = dict(known)
            env = self.interp.env.with_state(self.model, values)
        else:  # vary the state leaf `name`
            values = dict(state)
            env = self.interp.env.with_state(values, {})
        left, right = compiled(cmp.left), compiled(cmp.right)

        def f(v: int) -> int | None:
            values[name] = v
            try:
                a, b = left(env), right(env)
            except Exception:
                return None
            if type(a) is not int or type(b) is not int:  # not bools, not maps
                return None
            return a - b
        return f

    def _reaching(self, action: ir.Action, name: str, known: Mapping[str, object]) -> set[int]:
        """Values of the parameter that put a state variable the action assigns exactly on a
        boundary some comparison of the spec tests (and one either side)."""
        out: set[int] = set()
        numeric = self.shape.numeric[action.name]
        if not numeric:
            return out
        after: dict[int, dict | None] = {}

        def assigned_with(v: int) -> dict | None:
            """The state after the assignments, guards not consulted, with the parameter at v."""
            if v not in after:
                try:
                    after[v] = self.interp.effect(action, self.model, {**known, name: v})
                except Exception:
                    after[v] = None
            return after[v]
        for path in numeric:
            targets = self._targets(path)
            if not targets:
                continue

            def post(v, path=path):
                after = assigned_with(v)
                return None if after is None else after.get(path)
            for root in _roots(post, targets):
                out.update((root - 1, root, root + 1))
        return out

    def _targets(self, path: str) -> frozenset[int]:
        """The values of a state leaf at which a comparison of the spec that reads the state alone
        changes its verdict (with the rest of the current state), cached per state."""
        key = ("targets", path, self.size, self.model)
        targets = self.cache.get(key)
        if targets is None:
            targets = frozenset(root for cmp in self.shape.on_state
                                for root in _roots(self._difference(cmp, {}, path, self.model)))
            self._remember(key, targets)
        return targets


def _swarm(spec: ir.Spec, swarm: int | None) -> frozenset[str]:
    """The actions a run leaves out while it has others to choose (swarm testing): none in half the
    runs, one in the other half, decided by `swarm`; none without it. A run without `shed_load` keeps
    a bucket full long enough to refill it past the brim; one without `cancel` gets orders shipped."""
    if swarm is None or not spec.actions:
        return frozenset()
    dice = Dice(swarm)
    if dice.below(2) == 0:
        return frozenset()
    return frozenset({spec.actions[dice.below(len(spec.actions))].name})


def _first_false(guards: Iterable[tuple[Callable, frozenset]], env, given: Mapping[str, object]) -> int | None:
    """The index of the first guard (compiled, with the parameters it reads: `Shape.guards`) that is
    false in `env`, or None; a guard that reads an argument not `given` is passed over. UNDEFINED when a
    guard before any false one has no value (a division by zero, a key outside a map's domain): the spec
    says nothing about such a call, and the test does not make it."""
    for i, (cond, reads) in enumerate(guards):
        if not reads <= given.keys():
            continue
        try:
            ok = cond(env)
        except EvaluationError:
            return UNDEFINED
        if not ok:
            return i
    return None


def _compares(e: ir.Expr) -> Iterator[ir.Compare]:
    return (node for node in ir.walk(e) if isinstance(node, ir.Compare))


def _params_read(e: ir.Expr) -> frozenset[str]:
    """The names of the action parameters an expression reads."""
    return frozenset(n.name for n in ir.walk(e) if isinstance(n, ir.Name) and n.ref is ir.RefKind.PARAM)


def _mentions_local(e: ir.Expr) -> bool:
    """Whether an expression reads a parameter or a bound variable (not evaluable on a state alone)."""
    return any(isinstance(n, ir.Name) and n.ref in (ir.RefKind.PARAM, ir.RefKind.BOUND) for n in ir.walk(e))


def _roots(f: Callable[[int], int | None], targets: Iterable[int] = (0,)) -> set[int]:
    """Where f is linear around 0 on either side, the integers nearest to where it meets each target."""
    out: set[int] = set()
    a = f(0)
    if a is None:
        return out
    for sign in (1, -1):
        b, c = f(sign), f(2 * sign)
        if b is None or c is None:
            continue
        slope = (b - a) * sign
        if slope == 0 or (c - b) * sign != slope:
            continue
        for target in targets:
            root = (target - a) / slope
            if abs(root) < 10**12 and (root * sign >= 0 or sign == 1):
                out.add(round(root))
    return out


def _make(factory: Callable, spec: ir.Spec, universe) -> object:
    """A fresh implementation; a factory the tests cannot call is a `BindingError` that names it and the fix."""
    try:
        return factory(**_set_arguments(factory, universe))
    except TypeError as e:
        problems = factory_problems(factory, spec, getattr(factory, "__qualname__", repr(factory)))
        if problems:
            raise BindingError(str(problems[0])) from e
        raise


def _set_arguments(factory: Callable, universe) -> dict[str, tuple]:
    """A factory that takes a keyword named after a set (`Node=`) receives that set's elements:
    an implementation that must know the whole set from the start (a cluster) can."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    return {name: tuple(universe[name]) for name in universe
            if name in params and params[name].kind in (inspect.Parameter.KEYWORD_ONLY,
                                                          inspect.Parameter.POSITIONAL_OR_KEYWORD)}


def _true_comparisons(e: ir.Expr, env) -> frozenset[int]:
    """The positions (in a walk of `e`) of the comparisons that hold, each under some binding of the
    quantified variables around it; those that cannot be evaluated (they read an argument) are left out."""
    out: set[int] = set()
    position = 0

    def walk(node: ir.Expr, env) -> None:
        nonlocal position
        if isinstance(node, ir.Compare):
            here = position
            position += 1
            try:
                if evaluate(node, env):
                    out.add(here)
            except Exception:
                pass
        if isinstance(node, ir.Quantifier):
            start = position
            try:
                domain = evaluate(node.domain, env)
            except Exception:
                domain = ()
            inner = env.child()
            for v in domain:
                position = start
                inner.bound[node.var] = v
                walk(node.body, inner)
            position = start
            _skip(node.body)
            return
        for child in ir.subexpressions(node):
            walk(child, env)

    def _skip(node: ir.Expr) -> None:
        nonlocal position
        position += sum(1 for _ in _compares(node))

    walk(e, env)
    return frozenset(out)


def _least(names: tuple, counts: Mapping[str, int]) -> tuple:
    """The names counted least often, or () when they are all counted alike (no preference)."""
    seen = [counts.get(n, 0) for n in names]
    if not seen or min(seen) == max(seen):
        return ()
    return tuple(n for n, c in zip(names, seen, strict=True) if c == min(seen))


def _conjuncts(e: ir.Expr):
    """The parts of `a and b and ...`, each of which must hold."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Binary) and node.op is ir.BinOp.AND:
            stack += [node.right, node.left]
        else:
            yield node


def _line(f: Callable[[int], int | None]) -> tuple[int, int] | None:
    """(f(0), slope) when f is one line with a nonzero integer slope through -2..2, else None."""
    values = [f(v) for v in (-2, -1, 0, 1, 2)]
    if any(v is None for v in values):
        return None
    slope = values[3] - values[2]
    if slope == 0 or any(values[i + 1] - values[i] != slope for i in range(4)):
        return None
    return values[2], slope


def _static_boundaries(spec: ir.Spec, action: ir.Action) -> set[int]:
    """Each int constant and literal the action mentions, and one either side of it."""
    found: set[int] = set()
    consts = {c.name: c.evaluated for c in spec.consts}
    for root in [g.cond for g in action.guards] + [a.value for a in action.assignments]:
        for e in ir.walk(root):
            if isinstance(e, (ir.IntLit, ir.QuantityLit)):
                value = e.value
            elif isinstance(e, ir.Name) and e.ref is ir.RefKind.CONST and type(consts.get(e.name)) is int:
                value = consts[e.name]
            else:
                continue
            found.update((value - 1, value, value + 1))
    return found


def _call_text(name: str, args: Mapping[str, object]) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def _show_state(state: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in state.items()) + "}"


def _show(v) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _differing(expected: Mapping, observed: Mapping) -> tuple[str, ...]:
    """The state variables whose values differ."""
    return tuple(k for k in expected if expected.get(k) != observed.get(k))


def _diff(expected: Mapping, observed: Mapping, left: str, right: str) -> str:
    rows = [f"`{k}`: {left} {_show(expected.get(k))}, {right} {_show(observed.get(k))}"
            for k in expected if expected.get(k) != observed.get(k)]
    return "; ".join(rows) if rows else "the states differ"


class SpecMachine(RuleBasedStateMachine):
    """A hypothesis state machine for one spec; subclasses set `spec`, `source` and `factory`.

    It has one rule, `step`: each step the runner chooses an action with regard to the guards
    (`SpecRunner.choose_action`) and its arguments, runs it, then checks each of `invariant_ids`
    (`start` checks them on the initial state). The invariants are checked inside the step, not as
    hypothesis `@invariant`s: hypothesis spends about as long on each `@invariant` as the check itself
    takes, and the failing example it prints is half as long. The generated test files subclass it,
    naming the spec, the factory and the invariant IDs; `machine_class` builds the same class at run time.
    """

    spec: ir.Spec
    source: str = ""
    binding: Binding | None = None
    set_size: int | None = None  # None: each run draws one of SET_SIZES
    invariant_ids: tuple[str, ...] = ()  # what is checked after every step: invariants and type obligations

    @staticmethod
    def factory():  # pragma: no cover - replaced by every subclass
        raise NotImplementedError("a SpecMachine subclass names the implementation's factory")

    @initialize(size=st.sampled_from(SET_SIZES), swarm=st.integers(0, Dice.MASK))
    def start(self, size: int, swarm: int) -> None:
        """A fresh implementation from the factory, and the spec's initial state beside it; `size`: how
        many elements each `set` has in this run (unless the class fixes `set_size`)."""
        cls = type(self)
        cache = cls.__dict__.get("_pools")
        if cache is None:
            cache = {}
            cls._pools = cache  # one per machine class: the pools depend only on the state and the arguments
        self.runner = SpecRunner(self.spec, cls.factory, self.binding, self.source, self.set_size or size, cache,
                                 swarm)
        self.check_spec_invariants()

    @rule(choice=st.integers(0, Dice.MASK))
    def step(self, choice: int) -> None:
        """One action of the spec, with its arguments, on the implementation and on the model, then every
        invariant; `choice` decides which action and arguments (see `Dice`)."""
        dice = Dice(choice)
        action = self.runner.choose_action(dice)
        try:
            self.runner.apply(action.name, self.runner.arguments(action, dice))
        except SpecViolation as violation:
            self._shorten(violation)
            raise
        self.check_spec_invariants()

    def check_spec_invariants(self) -> None:
        """Each of `invariant_ids`, on the implementation's state as it is now."""
        try:
            self.runner.check_invariants(self.invariant_ids)
        except SpecViolation as violation:
            self._shorten(violation)
            raise

    def _shorten(self, violation: SpecViolation) -> None:
        """Add to the message of a failure, when hypothesis runs the failing example for the last time
        (to report it), the shortest run `SpecRunner.shortest` finds that fails the same way."""
        try:
            from hypothesis.control import current_build_context
            final = current_build_context().is_final
        except Exception:  # not under hypothesis's engine, or its internals moved: shorten every time
            final = True
        if not final:
            return
        calls = self.runner.shortest(violation.kind, self.invariant_ids)
        if calls is not None and calls != self.runner.history:
            text = "; ".join(_call_text(name, args) for name, args in calls)
            violation.args = (f"{violation.args[0]}\n  a shortest run that fails the same way: {text}",)
