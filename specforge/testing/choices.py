"""How a property test chooses what to call: an action and its arguments, with regard to the guards.

Evaluated on the model's state, the choices are mostly calls that succeed and lead to states the run
has not visited, always near the boundaries, and a share of calls a guard refuses, for reasons the run
has not seen yet; docs/testing.md explains them. Each step's choices come from one integer (`Dice`).
`Choices` is the part of `SpecRunner` (specforge.testing.runner) that makes them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping

from .. import finite, ir
from ..evaluate import EvaluationError, compiled, evaluate
from ..ir import BoolT, EnumT, IntT, SetOfT, SetT
from ..values import State
from . import records

# Entries of what states offer kept per machine class (`_Here`, `Pools`, targets: see SpecRunner._remember),
# cleared when this many: hypothesis keeps every machine class it ran for the life of the process, and with
# them their caches (about 5 MB at this size, measured on ledger).
CACHE_SIZE = 4_000
# parameter types whose every value can be tried (a record's and an optional's: see testing/records.py)
FINITE = (BoolT, EnumT, SetT, SetOfT, ir.StructT, ir.OptionT, ir.StringT)  # strings: from a pool (finite.string_pool)
UNDEFINED = -1  # a guard's verdict where it has no value (see _first_false)
SHAPE = ("shape",)  # the cache's entry that is kept when it is cleared: the spec's `Shape`


class Dice:
    """Where one step's choices come from: the one integer hypothesis draws for the step, stretched
    into a stream of well-mixed 64-bit numbers (splitmix64), so that the step costs hypothesis one
    draw however many choices it makes. The same integer gives the same choices, so hypothesis replays
    and mutates runs as it would any draws. (It does not shrink them: a smaller integer is another call,
    not a simpler one; see `specforge.testing.machine.PHASES` and `specforge.testing.shorten`.)"""

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

    __slots__ = ("fresh", "rare", "accepted", "interval", "rejected", "keys", "wide", "_modes")

    # How often each mode is drawn, when not empty. An action is mostly one that can succeed (fresh, rare
    # or accepted), 2 in 9 to 2 in 5 one that cannot; an argument is rejected more rarely (1 in 5 for a set element,
    # 1 in 7 for an int), since a step with several arguments fails when any one of them is rejected.
    ACTIONS = {"fresh": 2, "rare": 2, "accepted": 3, "rejected": 2}
    ARGUMENTS = {"accepted": 4, "interval": 2, "rejected": 1, "wide": 1}

    def __init__(self, accepted: tuple = (), interval: tuple[int, int] | None = None,
                 rejected: tuple[tuple, ...] = (), fresh: tuple = (), keys: tuple = (), rare: tuple = (),
                 weights: Mapping[str, int] = ARGUMENTS, wide: tuple[int | None, int | None] | None = None):
        self.fresh, self.rare, self.accepted, self.interval = fresh, rare, accepted, interval
        # (lo, hi), a side None where no guard or type bounds it: values across magnitudes, far past the
        # spec's own numbers, for boundaries only the implementation has (a path for amounts of 5,000 up)
        self.wide = wide
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
        if mode == "wide":
            return _wide(self.wide, dice)
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


WIDE_DIGITS = 12  # the wide mode reaches magnitudes up to 10**12 past an unbounded side


def _wide(bounds: tuple[int | None, int | None], dice: Dice) -> int:
    """A value inside `bounds` of a magnitude drawn evenly from 1 to 10**WIDE_DIGITS digits (so 7, 4_096,
    250_000 and 31_000_000 are all likely), on an unbounded side measured from the bounded one."""
    lo, hi = bounds
    magnitude = 10 ** dice.below(WIDE_DIGITS + 1)
    step = magnitude + dice.below(magnitude * 9 + 1)  # 1..10x the power of ten, so every leading digit occurs
    if lo is not None and hi is not None:
        return lo + (step - 1) % (hi - lo + 1)
    if lo is not None:
        return lo + step - 1
    if hi is not None:
        return hi - step + 1
    return step if dice.below(2) else -step


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


class Choices:
    """The choice of actions and arguments, mixed into `SpecRunner`: it reads the runner's `interp`,
    `model`, `size`, `cache`, `shape`, and what the run has done so far (`visited`, `refusals`,
    `successes`, `failures`), and the actions its swarm leaves out (`off`)."""

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
        if any(not isinstance(p.type.resolved, FINITE) or isinstance(p.type.resolved, ir.StringT)
               for p in action.params):
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
        if isinstance(t, (ir.StructT, ir.OptionT)):  # built once per parameter: it does not depend on the state
            known = self.__dict__.setdefault("_record_domains", {})
            if id(param) not in known:
                numbers = finite.spec_numbers(self.interp.spec)
                known[id(param)] = (param, records.domain(
                    t, lambda ft: finite.default_domain(ft, numbers) if finite.int_like(ft) else self._leaf(ft)))
            return known[id(param)][1]
        return self._leaf(t)

    def _leaf(self, t: ir.Type) -> tuple:
        if isinstance(t, ir.StringT):
            if "_strings" not in self.__dict__:  # walks the spec's expressions: once per runner
                self._strings = finite.string_pool(self.interp.spec)
            return self._strings
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
        # past a side no guard or type bounds (where the interval stops at the spec's own numbers), the wide
        # mode draws values of every size; a bounded range is already drawn evenly by the interval mode
        wide = (lo, hi) if lo is None or hi is None else None
        lo = lo if lo is not None else min(fitting, default=0) - 10
        hi = hi if hi is not None else max(fitting, default=0) + 10
        interval = (lo, hi) if lo <= hi else None
        if not accepted and not rejected and interval is None:  # contradictory guards: any value of the type
            edge = low if low is not None else high if high is not None else 0
            interval = (edge, edge)
        return Pools(accepted=tuple(accepted), interval=interval, rejected=rejected, keys=keys, wide=wide)

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
    """Each int constant and literal the action mentions, and one either side of it (also each duration
    constant, for an action that assigns a duration)."""
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
    # an action that moves a clock (assigns a duration) reaches each duration constant from where the
    # clock was last set: `tick(d)` with d the hold time makes a cart exactly that old
    if any(isinstance(a.target.type, ir.QuantityT) for a in action.assignments):
        for c in spec.consts:
            if isinstance(c.type.resolved, ir.QuantityT) and type(c.evaluated) is int:
                found.update((c.evaluated - 1, c.evaluated, c.evaluated + 1))
    return found
