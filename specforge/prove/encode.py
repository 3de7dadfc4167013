"""The typed IR as z3 terms: one handler per expression node, found by table.

- bool -> Bool; int, nat and ranges -> Int (their bounds are constraints);
  durations -> Int in the dimension's base unit (milliseconds);
- an enum -> a z3 enumeration sort; a `set` -> an uninterpreted sort and a
  membership predicate over it. z3's sorts are never empty, but a set may be:
  quantifiers, parameters and `in` range over the members only, so what is
  proved holds for every size of the set, none included;
- map[K, V] -> Array(K, V); nested records are flattened into one state
  variable per leaf (`token.ttl`);
- `/` and `%` are floor division and its remainder, as in Python;
- an action is a transition: its guards over the state before it, and its
  assignments applied in order to a copy of that state.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import z3

from .. import ir, setops, strings
from ..ir import BoolT, EnumT, IntT, MapT, OptionT, QuantityT, RefKind, SetOfT, SetT, StructT
from ..structure import leaves, nodes, obligations
from . import recenc, setenc, strenc, sums

_ENCODERS = itertools.count(1)


def substituter(holes, terms) -> Callable[[z3.BoolRef], z3.BoolRef]:
    """Replaces each hole (a constant) by its term in a formula: z3.substitute in one call into z3, without
    the Python-side checks of every pair's sorts (the callers' holes and terms have the same sorts by
    construction: a state's variable and the same variable in another state, a set's element). The pairs
    are laid out for z3 once, for every formula the result is applied to."""
    n = len(holes)
    if len(terms) != n:
        raise ValueError(f"{n} holes, {len(terms)} terms")
    pairs = (list(holes), list(terms))  # kept alive with the arrays that point into them
    src = (z3.Ast * n)(*(h.as_ast() for h in pairs[0]))
    dst = (z3.Ast * n)(*(t.as_ast() for t in pairs[1]))

    def apply(shape: z3.BoolRef, _pairs=pairs) -> z3.BoolRef:
        ctx = shape.ctx
        return z3.BoolRef(z3.Z3_substitute(ctx.ref(), shape.as_ast(), n, src, dst), ctx)
    return apply


def substitute(shape: z3.BoolRef, holes, terms) -> z3.BoolRef:
    """`shape` with each hole replaced by its term (see `substituter`)."""
    return substituter(holes, terms)(shape)


def negation(fact: z3.BoolRef) -> z3.BoolRef:
    """`z3.Not(fact)` without z3's coercion when `fact` is a z3 formula."""
    if not isinstance(fact, z3.BoolRef):
        return z3.Not(fact)
    return z3.BoolRef(z3.Z3_mk_not(fact.ctx.ref(), fact.as_ast()), fact.ctx)


def quantified(*facts: z3.ExprRef) -> bool:
    """Whether any of the formulas has a quantifier (or a lambda) anywhere inside: one walk of their
    shared terms through z3's C functions.

    A solver that is asked again must not have had such a formula in a scope it popped, while z3's
    model-based quantifier instantiation is on: z3 5.0 to 5.4.1 keep what that instantiation learnt
    about a quantifier under the quantifier's address after the pop frees it, and a later check that
    meets a new quantifier at the same address reads freed memory (`model_finder::get_inv`, added in
    z3 5.0.0). The prover crashed with a segmentation fault about once in 140 proofs of a protocol
    whose candidates are quantified; see docs/prove.md §2.12, "z3 and scopes"."""
    seen: set[int] = set()
    todo = [f for f in facts if isinstance(f, z3.ExprRef)]
    if not todo:
        return False
    ref = todo[0].ctx.ref()
    stack = [f.as_ast() for f in todo]
    kind, args, arg, ident = z3.Z3_get_ast_kind, z3.Z3_get_app_num_args, z3.Z3_get_app_arg, z3.Z3_get_ast_id
    app, quantifier = z3.Z3_APP_AST, z3.Z3_QUANTIFIER_AST
    while stack:
        a = stack.pop()
        k = kind(ref, a)
        if k == quantifier:
            return True
        if k != app:
            continue
        n = args(ref, a)
        if not n:
            continue
        i = ident(ref, a)
        if i in seen:
            continue
        seen.add(i)
        stack.extend(arg(ref, a, j) for j in range(n))
    return False


def scope_unsafe(enc: Encoder, *facts: z3.ExprRef) -> bool:
    """Whether a solver that had `facts` in a scope must not be asked again after the scope is popped:
    when they hold a quantifier (`quantified`) and z3's model-based instantiation is on. It is off on a
    spec that sums over sets, outside a finite world (see `Prover.solver`). Such a check is made on a
    solver dropped after it, or behind a switch of its own at the solver's base level (`behind_switch`)."""
    if enc.world is None and enc.background():
        return False
    return quantified(*facts)


def behind_switch(s: z3.Solver, facts: list[z3.BoolRef], prefix: str) -> z3.BoolRef:
    """`facts` asserted at the solver's base level behind a fresh switch, in place of a scope: a check
    under the switch as an assumption asks what a check in a scope would. Turn it off for good after
    (`s.add(z3.Not(switch))`)."""
    ctx = s.ctx
    ref = ctx.ref()
    # through z3's C functions: the Python API's coercion of every argument was most of the cost of a
    # quantified target's step check (behind_switch 0.49 s of 1.5 s on the bench's forall-shaped spec)
    switch = z3.BoolRef(z3.Z3_mk_fresh_const(ref, prefix, z3.Z3_mk_bool_sort(ref)), ctx)
    if len(facts) == 1:
        body = facts[0]
    else:
        body = z3.BoolRef(z3.Z3_mk_and(ref, len(facts), (z3.Ast * len(facts))(*(f.as_ast() for f in facts))), ctx)
    assert_fact(s, z3.BoolRef(z3.Z3_mk_implies(ref, switch.as_ast(), body.as_ast()), ctx))
    return switch


class Question:
    """`facts` asked of a solver that is asked again after, for the length of a `with` block: in a scope
    popped at the end, or, when `unsafe` (`scope_unsafe`: they hold a quantifier), behind a switch of their
    own (`behind_switch`) turned off for good at the end. A check in the block passes `assumptions` (the
    switch, or nothing).

    `keep()` makes the facts stay (the switch asserted, or the scope left open); `leave()` undoes nothing,
    for a solver the caller drops (a check its limit stopped may leave z3's incremental state unsafe)."""

    def __init__(self, s: z3.Solver, facts: list[z3.BoolRef], unsafe: bool, prefix: str):
        self.s, self.facts, self.prefix = s, facts, prefix
        self.switch: z3.BoolRef | None = None
        self.unsafe = unsafe
        self.assumptions: list[z3.BoolRef] = []
        self.done = False

    def __enter__(self) -> Question:
        if self.unsafe:
            self.switch = behind_switch(self.s, self.facts, self.prefix)
            self.assumptions = [self.switch]
        else:
            self.s.push()
            assert_fact(self.s, *self.facts)
        return self

    def under(self, assumptions: Assumptions | None) -> Assumptions | None:
        """`assumptions` with this question's switch added, for `check`."""
        if self.switch is None:
            return assumptions
        return Assumptions([*(assumptions.literals if assumptions else ()), self.switch])

    def keep(self) -> None:
        if self.switch is not None:
            assert_fact(self.s, self.switch)
        self.done = True

    def leave(self) -> None:
        self.done = True

    def __exit__(self, *exc) -> None:
        if self.done:
            return
        if self.switch is not None:
            assert_fact(self.s, negation(self.switch))
        else:
            self.s.pop()


def assert_fact(s: z3.Solver, *facts: z3.BoolRef) -> None:
    """`s.add(*facts)` for terms known to be formulas, without z3's coercion of each argument."""
    ref = s.ctx.ref()
    for fact in facts:
        z3.Z3_solver_assert(ref, s.solver, fact.as_ast())


class Assumptions:
    """Literals to check a solver under, laid out for z3 once for many checks (`check`)."""

    def __init__(self, literals: list[z3.BoolRef]):
        self.literals = literals  # kept alive with the array that points into them
        self.array = (z3.Ast * len(literals))(*(x.as_ast() for x in literals))


def check(s: z3.Solver, assumptions: Assumptions | None = None) -> z3.CheckSatResult:
    """`s.check(*assumptions)` without z3's coercion of each assumption on every call. A solver that is not
    z3's own (a test's stand-in for one, see `Prover.solver`) is asked through its `check`."""
    if type(s) is not z3.Solver:
        return s.check(*(assumptions.literals if assumptions else ()))
    if assumptions is None:
        return z3.CheckSatResult(z3.Z3_solver_check(s.ctx.ref(), s.solver))
    n = len(assumptions.literals)
    return z3.CheckSatResult(z3.Z3_solver_check_assumptions(s.ctx.ref(), s.solver, n, assumptions.array))


class Unsupported(Exception):
    """A construct the encoder cannot express; carries the node for a positioned report. `problems`
    lists every such construct of the spec (see `unsupported`): this one alone unless it says more."""

    def __init__(self, message: str, node=None):
        super().__init__(message)
        self.node = node

    @property
    def problems(self) -> list[Unsupported]:
        return [self]

    def __reduce__(self):  # a worker process raises it too
        return (type(self), (str(self), self.node))


class UnsupportedSpec(Unsupported):
    """Every construct of a spec the encoder cannot express, in the order of the spec."""

    def __init__(self, problems: list[Unsupported]):
        count = len(problems)
        super().__init__(f"{count} construct{'s' if count > 1 else ''} the prover cannot express: {problems[0]}",
                         problems[0].node)
        self._problems = list(problems)

    @property
    def problems(self) -> list[Unsupported]:
        return self._problems

    def __reduce__(self):
        return (type(self), (self._problems,))


def unsupported(spec: ir.Spec) -> list[Unsupported]:
    """Every construct of `spec` the encoder cannot express, each with its node: init, the invariants,
    then each action's guards and assignments, encoded once with every failure noted and passed over
    (a placeholder term stands in for the node), so that one run reports them all."""
    enc = Encoder(spec)
    enc.problems = []
    state = enc.collecting(lambda: enc.state("check"), spec.state[0] if spec.state else None) or {}
    enc.collecting(enc.init_state, None)
    for inv in spec.invariants:
        enc.collecting(lambda inv=inv: enc.invariant(inv, dict(state)), inv)
    for action in spec.actions:
        params = enc.collecting(lambda action=action: enc.params(action, "check")[0], action)
        if params is not None:
            enc.collecting(lambda action=action, params=params: enc.transition(action, dict(state), params), action)
    return enc.problems


@dataclass
class Env:
    """What names mean while encoding: a state, an action's parameters, bound variables."""

    state: dict[str, z3.ExprRef]
    params: dict[str, z3.ExprRef] = field(default_factory=dict)
    bound: dict[str, z3.ExprRef] = field(default_factory=dict)

    def bind(self, name: str, value: z3.ExprRef) -> Env:
        return Env(self.state, self.params, {**self.bound, name: value})


class Encoder:
    def __init__(self, spec: ir.Spec):
        self.spec = spec
        self.consts = {c.name: c for c in spec.consts}
        self.enum_sorts: dict[str, z3.DatatypeSortRef] = {}
        self.enum_values: dict[str, dict[str, z3.ExprRef]] = {}
        for e in spec.enums:
            # z3 keeps sort names in one global context: two specs (or a forked
            # worker) declaring `Status` would clash, so each encoder's enum
            # sorts get their own name. Values print by member name regardless.
            sort, values = z3.EnumSort(f"{e.name}!{next(_ENCODERS)}", [m.name for m in e.members])
            self.enum_sorts[e.name] = sort
            self.enum_values[e.name] = dict(zip([m.name for m in e.members], values, strict=True))
        self.set_sorts = {s.name: z3.DeclareSort(s.name) for s in spec.sets}
        self.record_sorts: dict[str, z3.DatatypeSortRef] = {}  # records and optionals (recenc.py), made on use
        self.set_members = {name: z3.Function(f"{name}!member", sort, z3.BoolSort())
                            for name, sort in self.set_sorts.items()}
        self.leaves = leaves(spec)
        self._fresh = 0
        self.problems: list[Unsupported] | None = None  # a list: note each failure and go on (`unsupported`)
        # sums over sets (see sums.py): made up front, so that every solver gets their axioms
        sized = sized_sets(spec)
        self.set_sums = {name: sums.set_sum(name, self.set_sorts[name], self.set_members[name], name in sized)
                         for name in aggregated_sets(spec)}
        self.world: sums.World | None = None
        self.points: dict[str, dict[str, z3.ExprRef]] = {name: {} for name in self.set_sums}
        # the state variables each of the spec's sums and counts reads (waypoint_hints)
        self.read_together = [frozenset(n.name for n in ir.walk(a) if isinstance(n, ir.Name) and n.ref is RefKind.VAR)
                              for a in nodes(spec, ir.Aggregate)] if self.set_sums else []

    def background(self) -> list[z3.BoolRef]:
        """What every solver must assume: the sums' axioms, or the finite world's facts."""
        if self.world is not None:
            return list(self.world.facts)
        entries = [s.entry(list(self.points[name].values())) for name, s in self.set_sums.items()
                   if self.points[name]]
        return [a for s in self.set_sums.values() for a in s.axioms] + entries

    def entries(self, points: list[z3.ExprRef]) -> list[z3.BoolRef]:
        """The sums' (entry) axiom at these elements and at each two of them, for each summed set they
        belong to: a member a question names then counts in every sum of non-negative entries over its
        set, and two different ones count twice."""
        out = []
        for name, s in self.set_sums.items():
            mine = list({p.get_id(): p for p in points if p.sort() == self.set_sorts[name]}.values())
            if mine:
                out.append(s.entry(mine, pairs=True))
        return out

    def negated_goal(self, goal: z3.BoolRef, named: Iterable[z3.ExprRef] = ()) -> list[z3.BoolRef]:
        """Facts saying that a state breaks `goal`: its negation, or, when the goal is universal over a
        set some sum ranges over, the negation of its body at fresh constants (the witnesses z3 would
        make of the negation itself) with the sums' (entry) axiom at them. A member the goal names then
        counts in the sums: `count(t in Thread if phase[t] == reading) == readers` and `readers == 0`
        rule out the reader `forall a, b in Thread: ...` names, which z3's own witness, unnamed, never
        lets the (entry) axiom reach. `named`: other elements the question names (the action's
        parameters), paired with the witnesses. Satisfiable exactly when the negation is."""
        if self.world is not None or not self.set_sums:
            return [negation(goal)]
        body, witnesses, premises = goal, [], []
        while True:
            if not isinstance(body, z3.QuantifierRef) and z3.Z3_get_ast_kind(
                    body.ctx.ref(), body.as_ast()) == z3.Z3_QUANTIFIER_AST:
                body = z3.QuantifierRef(body.as_ast(), body.ctx)  # a substitution at the C level makes a BoolRef
            if z3.is_quantifier(body) and body.is_forall():
                n = body.num_vars()
                names = [z3.Const(f"{body.var_name(i)}!w{self._fresh + i}", body.var_sort(i)) for i in range(n)]
                self._fresh += n
                body = z3.substitute_vars(body.body(), *reversed(names))  # de Bruijn: Var(0) is the last bound
                witnesses += names
            elif z3.is_implies(body) and z3.is_quantifier(body.arg(1)):
                premises.append(body.arg(0))  # `member(a) => forall b: ...`, as a bounded `forall` nests
                body = body.arg(1)
            else:
                break
        if not any(w.sort() == self.set_sorts[name] for w in witnesses for name in self.set_sums):
            return [negation(goal)]
        entries = self.entries([*witnesses, *named])
        return [*premises, negation(body), *entries]

    @contextmanager
    def finite_world(self, tag: str, size: int = sums.WORLD_SIZE) -> Iterator[bool]:
        """While open, sums over sets add up the elements of a finite world (for finding runs, never
        for proofs). Yields whether any set is aggregated, i.e. whether the world changes anything."""
        if not self.set_sums:
            yield False
            return
        sorts = {name: self.set_sorts[name] for name in self.set_sums}
        self.world = sums.world(sorts, self.set_members, size, tag)
        try:
            yield True
        finally:
            self.world = None

    def collecting(self, encode: Callable, where):
        """`encode()`, or None when it fails where no node is to blame (noted at `where`: a declaration)."""
        try:
            return encode()
        except Unsupported as e:
            self._note(e if e.node is not None else Unsupported(str(e), where))
        except z3.Z3Exception:
            if not self.problems:
                raise
            # a placeholder that z3 would not combine: what it stands for is noted already
        return None

    def _note(self, problem: Unsupported) -> None:
        if all(p.node is not problem.node for p in self.problems):
            self.problems.append(problem)

    # ---- sorts and symbolic states --------------------------------------------------

    def sort(self, t: ir.Type) -> z3.SortRef:
        if isinstance(t, BoolT):
            return z3.BoolSort()
        if isinstance(t, ir.StringT):
            return strenc.sort()
        if isinstance(t, (IntT, QuantityT)):
            return z3.IntSort()
        if isinstance(t, EnumT):
            return self.enum_sorts[t.name]
        if isinstance(t, SetT):
            return self.set_sorts[t.name]
        if isinstance(t, MapT):
            return z3.ArraySort(self.sort(t.key), self.sort(t.value))
        if isinstance(t, SetOfT):
            return setenc.sort(self, t)
        if isinstance(t, (StructT, OptionT)):
            return recenc.sort(self, t)
        raise Unsupported(f"no z3 sort for {t.kind}")

    def state(self, tag: str) -> dict[str, z3.ExprRef]:
        """A fresh symbolic state: one constant per leaf, named `path@tag`."""
        return {leaf.path: z3.Const(f"{leaf.path}@{tag}", self.sort(leaf.type)) for leaf in self.leaves}

    def bounds(self, t: ir.Type, term: z3.ExprRef) -> z3.BoolRef | None:
        """The constraint a value of type t satisfies beyond its sort (int bounds, set
        membership, also inside maps for the keys in the key's domain)."""
        if isinstance(t, SetT):
            return self.set_members[t.name](term)
        if isinstance(t, IntT):
            parts = []
            if t.low is not None:
                parts.append(term >= t.low)
            if t.high is not None:
                parts.append(term <= t.high)
            return z3.And(parts) if len(parts) > 1 else (parts[0] if parts else None)
        if isinstance(t, MapT):
            k = self.fresh_const("k", t.key)
            inner = self.bounds(t.value, z3.Select(term, k))
            if inner is None:
                return None
            key_ok = self.bounds(t.key, k)
            return z3.ForAll([k], z3.Implies(key_ok, inner) if key_ok is not None else inner)
        if isinstance(t, SetOfT):
            return setenc.bounds(self, t, term)
        if isinstance(t, (StructT, OptionT)):
            return recenc.bounds(self, t, term)
        return None

    def type_invariants(self, state: dict[str, z3.ExprRef]) -> dict[str, z3.BoolRef]:
        """Each type obligation's bounds (structure.obligations, with a set's members), by leaf path."""
        return {o.leaf.path: self.bounds(o.leaf.type, state[o.leaf.path])
                for o in obligations(self.spec, members=True) if o.leaf is not None}

    def fresh_const(self, hint: str, t: ir.Type) -> z3.ExprRef:
        self._fresh += 1
        return z3.Const(f"{hint}!{self._fresh}", self.sort(t))

    # ---- spec parts -------------------------------------------------------------------------

    def invariant(self, inv: ir.Invariant, state: dict[str, z3.ExprRef]) -> z3.BoolRef:
        return self.expr(inv.expr, Env(state))

    def init_state(self) -> dict[str, z3.ExprRef]:
        """The state init builds (its assignments in order), as terms over the sets' elements."""
        state: dict[str, z3.ExprRef] = {}
        for a in self.spec.init:
            self.assign(a.target, self.expr(a.value, Env(state)), Env(state))
        return state

    def params(self, action: ir.Action, tag: str,
               answer: bool = True) -> tuple[dict[str, z3.ExprRef], list[z3.BoolRef]]:
        """Fresh parameters for one firing of `action`, and their type bounds (the caller's promise); with
        them the answer when the action's effect reads it (`ir.Action.answer`; its `ensures` limit it in
        `transition_states`; `answer=False` leaves it out)."""
        values, constraints = {}, []
        for p in (action.choices if answer else action.params):
            c = z3.Const(f"{action.name}.{p.name}@{tag}", self.sort(p.type.resolved))
            values[p.name] = c
            t = p.type.resolved
            if isinstance(t, SetT) and t.name in self.points:
                self.points[t.name][str(c)] = c
            b = self.bounds(p.type.resolved, c)
            if b is not None:
                constraints.append(b)
        return values, constraints

    def transition(self, action: ir.Action, pre: dict[str, z3.ExprRef],
                   params: dict[str, z3.ExprRef]) -> tuple[list[z3.BoolRef], dict[str, z3.ExprRef]]:
        """The action's guards over `pre`, and the state after its assignments."""
        guards, states = self.transition_states(action, pre, params)
        return guards, states[-1]

    def transition_states(self, action: ir.Action, pre: dict[str, z3.ExprRef],
                          params: dict[str, z3.ExprRef]) -> tuple[list[z3.BoolRef], list[dict[str, z3.ExprRef]]]:
        """The action's guards over `pre`, and the state after each of its assignments (`pre` itself
        when it has none): the last is the state after the action. An action whose effect reads its
        answer has one more condition after the guards: its `ensures` over the answer (a parameter
        here) and the state after it, the answers the implementation may choose."""
        env = Env(pre, params)
        guards = [self.expr(g.cond, env) for g in action.guards]
        states = []
        post = dict(pre)
        for a in action.assignments:
            current = Env(post, params)
            self.assign(a.target, self.expr(a.value, current), current)
            states.append(dict(post))
        if action.answer is not None:
            after = Env(post, params)
            guards.append(z3.And(*(self.expr(e.cond, after) for e in action.ensures)))
        return guards, states or [post]

    def waypoint_hints(self, action: ir.Action, params: dict[str, z3.ExprRef], pre: dict[str, z3.ExprRef],
                       formulas: list[Callable[[dict], z3.BoolRef]]) -> list[z3.BoolRef]:
        """For a spec that sums over sets: each formula at each state between the action's assignments,
        named by a fresh boolean. That constrains nothing (the boolean is free), but it puts the sums of
        those states into the query, and the (point) axiom of prove/sums.py is instantiated on pairs of
        sums: an action writing two entries of a summed map (`transfer`) changes the sum point by point,
        through the state between its writes, which the query would otherwise never mention."""
        if not self.set_sums or self.world is not None or len(action.assignments) < 2:
            return []
        roots = [ir.root_name(a.target) for a in action.assignments]
        between = [k for k in range(len(roots) - 1) if self._straddled(roots[:k + 1], roots[k + 1:])]
        if not between:  # decided before the writes are encoded again: most actions need no names
            return []
        _, states = self.transition_states(action, pre, params)
        return [z3.FreshBool("waypoint") == f(states[k]) for k in between for f in formulas]

    def _straddled(self, before: list[str | None], after: list[str | None]) -> bool:
        """Whether a sum can change both through a write in `before` and one in `after`: one variable
        written on both sides (a transfer's two entries; inferred sums may range over any map), or two
        read by one sum of the spec. Otherwise the state between them adds nothing: each sum of it is
        the sum before or the sum after the action (cart's reserve wrote three variables and spent 4 s
        on the hints)."""
        if None in before or None in after or set(before) & set(after):
            return True
        return any(group & set(before) and group & set(after) for group in self.read_together)

    def assign(self, target: ir.Expr, value: z3.ExprRef, env: Env) -> None:
        """target := value, in env.state (a map entry updates the whole map functionally)."""
        path = ir.state_path(target)
        if path is not None:
            env.state[path] = value
            return
        if isinstance(target, ir.Index):
            base = self.expr(target.base, env)
            self.assign(target.base, z3.Store(base, self.expr(target.key, env), value), env)
            return
        raise Unsupported("this cannot be assigned", target)

    # ---- expressions -------------------------------------------------------------------------

    def expr(self, e: ir.Expr, env: Env) -> z3.ExprRef:
        handler = HANDLERS.get(type(e))
        try:
            if handler is None:
                raise Unsupported(f"no z3 encoding for {type(e).__name__}", e)
            return handler(self, e, env)
        except setenc.Unsupported as problem:
            if self.problems is None:
                raise Unsupported(str(problem), problem.node or e) from None
            self._note(Unsupported(str(problem), problem.node or e))
            return self._placeholder(e)
        except Unsupported as problem:
            if self.problems is None:
                raise
            self._note(problem)
            return self._placeholder(e)

    def _placeholder(self, e: ir.Expr) -> z3.ExprRef:
        """A fresh term standing in for a node that could not be encoded, while `unsupported` goes on."""
        try:
            return z3.FreshConst(self.sort(e.type))
        except Unsupported:
            return z3.FreshBool() if isinstance(e.type, BoolT) else z3.FreshInt()

    def domain(self, domain: ir.Expr, var: str, env: Env) -> tuple[z3.ExprRef, z3.BoolRef | None]:
        """A bound variable over `domain`, and the constraint that keeps it inside a range."""
        if isinstance(domain.type, ir.RangeT):
            x = z3.Int(f"{var}!{self._next()}")
            lo, hi = self.expr(domain.low, env), self.expr(domain.high, env)
            return x, z3.And(lo <= x, x <= hi)
        if isinstance(domain.type, ir.DomainT):
            element = domain.type.element
            x = z3.Const(f"{var}!{self._next()}", self.sort(element))
            return x, self.set_members[element.name](x) if isinstance(element, SetT) else None
        if isinstance(domain.type, SetOfT):
            return setenc.domain(self, domain, var, env)
        raise Unsupported("a domain must be a set, an enum or a range", domain)

    def _next(self) -> int:
        self._fresh += 1
        return self._fresh



def _const_value(enc: Encoder, c: ir.Const) -> z3.ExprRef:
    t = c.type.resolved
    if isinstance(t, BoolT):
        return z3.BoolVal(c.evaluated)
    if isinstance(t, ir.StringT):
        return z3.StringVal(c.evaluated)
    if isinstance(t, EnumT):
        return enc.enum_values[t.name][c.evaluated]
    if isinstance(t, StructT):
        return enc.expr(c.value, Env({}))  # a record literal of constants
    return z3.IntVal(c.evaluated)


def _name(enc: Encoder, e: ir.Name, env: Env) -> z3.ExprRef:
    ref = e.ref
    if ref is RefKind.BOUND:
        return env.bound[e.name]
    if ref is RefKind.PARAM:
        return env.params[e.name]
    if ref is RefKind.VAR:
        if e.name not in env.state:
            raise Unsupported(f"`{e.name}` is a record; name one of its fields", e)
        return env.state[e.name]
    if ref is RefKind.CONST:
        return _const_value(enc, enc.consts[e.name])
    if ref is RefKind.ENUM_VALUE:
        return enc.enum_values[e.enum][e.name]
    raise Unsupported(f"`{e.name}` is not a value", e)


def _field(enc: Encoder, e: ir.FieldAccess, env: Env) -> z3.ExprRef:
    path = ir.state_path(e)
    if path is None or path not in env.state:
        raise Unsupported("only state records have fields", e)
    return env.state[path]


def _floor_div(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    # SMT-LIB's div rounds so that the remainder is non-negative; Python's `//`
    # rounds down. They agree for b > 0; for b < 0, a // b == (-a) div (-b).
    return z3.If(b > 0, a / b, (-a) / (-b))


_ARITH: dict[ir.BinOp, Callable] = {
    ir.BinOp.ADD: lambda a, b: a + b,
    ir.BinOp.SUB: lambda a, b: a - b,
    ir.BinOp.MUL: lambda a, b: a * b,
    ir.BinOp.DIV: _floor_div,
    ir.BinOp.MOD: lambda a, b: a - b * _floor_div(a, b),
    ir.BinOp.AND: lambda a, b: z3.And(a, b),
    ir.BinOp.OR: lambda a, b: z3.Or(a, b),
    ir.BinOp.IMPLIES: lambda a, b: z3.Implies(a, b),
    ir.BinOp.IFF: lambda a, b: a == b,
}


def _call(enc: Encoder, e: ir.Call, env: Env) -> z3.ExprRef:
    if e.func in setops.FUNCTIONS:
        return setenc.call(enc, e, env)
    if e.func == "or_else":
        return recenc.or_else(enc, e, env)
    args = [enc.expr(a, env) for a in e.args]
    if e.func in strings.FUNCTIONS:
        return strenc.call(e.func, args[0])
    if e.func == "abs":
        (x,) = args
        return z3.If(x >= 0, x, -x)
    pick = (lambda a, b: a <= b) if e.func == "min" else (lambda a, b: a >= b)
    result = args[0]
    for a in args[1:]:
        result = z3.If(pick(result, a), result, a)
    return result


def _member(enc: Encoder, e: ir.Member, env: Env) -> z3.BoolRef:
    c = e.collection
    if isinstance(c.type, SetOfT):
        return setenc.member(enc, e, env)
    if isinstance(c.type, ir.RangeT):
        x = enc.expr(e.element, env)
        return z3.And(enc.expr(c.low, env) <= x, x <= enc.expr(c.high, env))
    element = c.type.element
    if isinstance(element, SetT):
        return enc.set_members[element.name](enc.expr(e.element, env))
    return z3.BoolVal(True)  # every value of an enum's sort is one of its values


def _quantifier(enc: Encoder, e: ir.Quantifier, env: Env) -> z3.BoolRef:
    # `forall a, b in Node: ...` nests one quantifier in another: the binders of the chain are read together
    binders: list[tuple[z3.ExprRef, z3.BoolRef | None]] = []
    node: ir.Expr = e
    while isinstance(node, ir.Quantifier) and node.quantifier == e.quantifier:
        x, inside = enc.domain(node.domain, node.var, env)
        binders.append((x, inside))
        env = env.bind(node.var, x)
        node = node.body
    body = enc.expr(node, env)
    make = z3.ForAll if e.quantifier == "forall" else z3.Exists
    join = z3.Implies if e.quantifier == "forall" else z3.And
    # instantiated where the state says something of an element, never where only its membership is
    # read: every point a sum's axiom names (`Sum!Node!pos(a)`) reads `member` of it, and `forall c in
    # Node: leader[c] implies 2 * count(n in Node if votes[c][n]) > 3` would then make a sum at that
    # point, whose axioms name new points: a loop (100,000 instances in 10 s, where a trigger on
    # `leader[c]` proves it in 21). Only over a set some sum ranges over (the points are its elements).
    # The binders of a chain are one quantifier when reads of the state cover them all (`votes[n2][n1]`
    # for `forall n1, n2`: nested, the outer one has no read of its own); otherwise each its own, and
    # where the body reads nothing of its variable, z3 picks the trigger.
    sorts = [enc.set_sorts[name] for name in enc.set_sums]
    summed = [x for x, inside in binders if inside is not None and x.sort() in sorts]
    if summed and len(binders) > 1 and all(inside is not None for _, inside in binders):
        xs = [x for x, _ in binders]
        cover = _cover(_reads(body, xs), xs)
        if cover:
            guard = z3.And(*[inside for _, inside in binders])
            return make(xs, join(guard, body), patterns=cover)
    for x, inside in reversed(binders):
        patterns = [t for t, _ in _reads(body, [x])] if any(x is y for y in summed) else []
        body = make([x], join(inside, body) if inside is not None else body, patterns=patterns)
    return body


def _cover(reads: list[tuple[z3.ExprRef, frozenset[int]]], xs: list[z3.ExprRef]) -> list:
    """Patterns for a quantifier over xs from these reads: each read that holds every variable, or else
    one multi-pattern of reads that together hold them all (chosen greedily); none when they cannot."""
    every = frozenset(x.get_id() for x in xs)
    whole = [t for t, vs in reads if vs == every]
    if whole:
        return whole
    chosen, held = [], frozenset()
    for t, vs in sorted(reads, key=lambda r: -len(r[1])):
        if not vs <= held:
            chosen.append(t)
            held |= vs
    return [z3.MultiPattern(*chosen)] if held == every else []


def _reads(body: z3.ExprRef, xs: list[z3.ExprRef]) -> list[tuple[z3.ExprRef, frozenset[int]]]:
    """The terms of `body` that read the state at one of xs: an array read or a function of the spec with
    one of them as an argument, made of nothing but reads and constants, outside any lambda or quantifier
    inside (whose variables a pattern must not hold), each with the variables it holds, in a fixed order."""
    ids = {x.get_id() for x in xs}
    found: dict[int, tuple[z3.ExprRef, frozenset[int]]] = {}
    for t in sums.subterms(body):
        if z3.is_app(t) and any(k.get_id() in ids for k in t.children()) and _plain(t) \
                and not t.decl().name().endswith("!member"):
            found[t.get_id()] = (t, frozenset(i for i in _consts(t) if i in ids))
    return [found[k] for k in sorted(found)]


def _consts(t: z3.ExprRef) -> set[int]:
    if t.num_args() == 0:
        return {t.get_id()}
    return set().union(*(_consts(k) for k in t.children()))


def _plain(t: z3.ExprRef) -> bool:
    """Whether t is reads and uninterpreted functions of constants only (a term z3 takes as a pattern)."""
    if z3.is_var(t) or not z3.is_app(t):
        return False
    kind = t.decl().kind()
    if t.num_args() == 0:
        return kind == z3.Z3_OP_UNINTERPRETED
    return kind in (z3.Z3_OP_SELECT, z3.Z3_OP_UNINTERPRETED) and all(_plain(k) for k in t.children())


# A comprehension over at most this many keys is a chain of stores, not a lambda.
MAX_STORED_KEYS = 256


def _comprehension(enc: Encoder, e: ir.MapComprehension, env: Env) -> z3.ExprRef:
    keys = _finite_keys(enc, e.domain, env)
    if keys is not None:
        # z3 gives up ("smt tactic failed", or unknown after push) on a lambda equated under each
        # bounded-search step's implication, where the same map as stores is decided at once. Outside
        # a range the map has no entry (a lookup there has no meaning): those values stay unconstrained.
        sort = enc.sort(e.type)
        result = z3.K(sort.domain(), z3.FreshConst(sort.range(), "outside"))
        for k in keys:
            result = z3.Store(result, k, enc.expr(e.value, env.bind(e.var, k)))
        return result
    x, _ = enc.domain(e.domain, e.var, env)
    return z3.Lambda([x], enc.expr(e.value, env.bind(e.var, x)))


def _finite_keys(enc: Encoder, domain: ir.Expr, env: Env) -> list[z3.ExprRef] | None:
    """The keys of a range with constant bounds or of an enum, when there are few enough."""
    if isinstance(domain.type, ir.RangeT):
        lo, hi = z3.simplify(enc.expr(domain.low, env)), z3.simplify(enc.expr(domain.high, env))
        if z3.is_int_value(lo) and z3.is_int_value(hi) and hi.as_long() - lo.as_long() < MAX_STORED_KEYS:
            return [z3.IntVal(i) for i in range(lo.as_long(), hi.as_long() + 1)]
        return None
    if isinstance(domain.type, ir.DomainT) and isinstance(domain.type.element, EnumT):
        return list(enc.enum_values[domain.type.element.name].values())
    return None


def _aggregate(enc: Encoder, e: ir.Aggregate, env: Env) -> z3.ExprRef:
    def term(point: z3.ExprRef, inside: z3.BoolRef | None) -> z3.ArithRef:
        inner = env.bind(e.var, point)
        conds = [c for c in (inside, enc.expr(e.cond, inner) if e.cond is not None else None) if c is not None]
        value = enc.expr(e.value, inner) if e.value is not None else z3.IntVal(1)
        return sums.counted(None if not conds else conds[0] if len(conds) == 1 else z3.And(*conds), value)

    if isinstance(e.domain.type, SetOfT):
        return setenc.aggregate(enc, e, env, term)
    element = e.domain.type.element if isinstance(e.domain.type, ir.DomainT) else None
    if isinstance(element, SetT):
        member = enc.set_members[element.name]
        if enc.world is not None:
            return sums.add([term(x, member(x)) for x in enc.world.elements[element.name]])
        x = z3.Const(f"{e.var}!{enc._next()}", enc.set_sorts[element.name])
        return enc.set_sums[element.name].of(x, term(x, member(x)))
    if isinstance(element, EnumT):
        return sums.add([term(v, None) for v in enc.enum_values[element.name].values()])
    if isinstance(e.domain.type, ir.RangeT):
        low, high = (z3.simplify(enc.expr(b, env)) for b in (e.domain.low, e.domain.high))
        if not (z3.is_int_value(low) and z3.is_int_value(high)):
            raise Unsupported("the prover adds up a range only when its bounds are constants", e.domain)
        n = high.as_long() - low.as_long() + 1
        if n > sums.MAX_RANGE_TERMS:
            raise Unsupported(f"the range has {n} members; the prover adds up at most {sums.MAX_RANGE_TERMS}",
                              e.domain)
        return sums.add([term(z3.IntVal(i), None) for i in range(low.as_long(), high.as_long() + 1)])
    raise Unsupported("an aggregate ranges over a set, an enum or a range", e.domain)


def aggregated_sets(spec: ir.Spec) -> list[str]:
    """The sets some `sum` or `count` ranges over, and those a counter keeps count of (`counted_sets`),
    in declaration order."""
    seen = list(nodes(spec, (ir.Aggregate, ir.Call)))  # one walk of the spec for both questions
    found = {n.domain.type.element.name for n in seen if isinstance(n, ir.Aggregate)
             and isinstance(n.domain.type, ir.DomainT) and isinstance(n.domain.type.element, SetT)}
    found |= setenc.summed_sets(lambda cls: (n for n in seen if isinstance(n, cls)))
    found |= counted_sets(spec)
    return [s.name for s in spec.sets if s.name in found]


def sized_sets(spec: ir.Spec) -> set[str]:
    """The sets whose size the spec counts: `count(n in Node)`, with no condition (a majority's other side)."""
    return {n.domain.type.element.name for n in nodes(spec, ir.Aggregate)
            if n.op == "count" and (n.cond is None or (isinstance(n.cond, ir.BoolLit) and n.cond.value))
            and isinstance(n.domain.type, ir.DomainT) and isinstance(n.domain.type.element, SetT)}


def counted_sets(spec: ir.Spec) -> set[str]:
    """The sets an integer state variable counts elements of, by its actions: one action adds to the
    counter and another takes from it, each while it writes an entry, at a parameter, of a map keyed by
    the set (a reader-writer lock's `readers := readers + 1` beside `phase[t] := reading`), or adds the
    parameter to a set value or removes it (`tally := tally + 1` beside `sold := add(sold, s)`); or one
    moved by an amount beside an int map's entry at a parameter (`stock := stock - n` beside
    `reserved[c] := reserved[c] + n`, and back). The law that ties the counter to its elements is a
    `count`, a `card` or a `sum` over the set even where the spec writes none, so the set gets the sums'
    axioms, and inference its aggregates (prove/candidates.py)."""
    scalars = {f.name for f in spec.state if isinstance(f.type.resolved, IntT)}
    moves: dict[tuple[str, str], set[str]] = {}  # (counter, set) -> the directions it moves in
    for action in spec.actions:
        params = {p.name for p in action.params}
        written, amounts = set(), set()  # sets a map keyed by them is written at a parameter; of ints
        steps: dict[str, tuple[str, bool]] = {}  # counter -> its direction, and whether by a constant
        for a in action.assignments:
            t, v = a.target, a.value
            if isinstance(t, ir.Index) and isinstance(t.key, ir.Name) and t.key.name in params \
                    and isinstance(t.base.type, MapT) and isinstance(t.base.type.key, SetT):
                written.add(t.base.type.key.name)
                if isinstance(t.base.type.value, IntT):
                    amounts.add(t.base.type.key.name)
            if isinstance(v, ir.Call) and v.func in ("add", "remove") and isinstance(v.args[1], ir.Name) \
                    and v.args[1].name in params and isinstance(t.type, SetOfT) and isinstance(t.type.element, SetT):
                written.add(t.type.element.name)  # `sold := add(sold, s)`: the counter counts what it holds
            elif isinstance(t, ir.Name) and t.ref is RefKind.VAR and t.name in scalars \
                    and isinstance(v, ir.Binary) and v.op in (ir.BinOp.ADD, ir.BinOp.SUB) \
                    and isinstance(v.left, ir.Name) and v.left.ref is RefKind.VAR and v.left.name == t.name:
                constant = isinstance(v.right, ir.IntLit) and v.right.value > 0
                steps[t.name] = ("up" if v.op is ir.BinOp.ADD else "down", constant)
        for counter, (way, constant) in steps.items():
            # by a constant: it counts elements; by an amount: it holds what an int map's entries give back
            for name in written if constant else amounts:
                moves.setdefault((counter, name), set()).add(way)
    return {name for (_, name), ways in moves.items() if len(ways) == 2}


HANDLERS: dict[type, Callable] = {
    ir.IntLit: lambda enc, e, env: z3.IntVal(e.value),
    ir.BoolLit: lambda enc, e, env: z3.BoolVal(e.value),
    ir.QuantityLit: lambda enc, e, env: z3.IntVal(e.value),
    ir.StringLit: strenc.literal,
    ir.Name: _name,
    ir.FieldAccess: _field,
    ir.Index: lambda enc, e, env: z3.Select(enc.expr(e.base, env), enc.expr(e.key, env)),
    ir.Unary: lambda enc, e, env: (z3.Not(enc.expr(e.operand, env)) if e.op is ir.UnOp.NOT
                                   else -enc.expr(e.operand, env)),
    ir.Binary: lambda enc, e, env: _ARITH[e.op](enc.expr(e.left, env), enc.expr(e.right, env)),
    ir.Compare: lambda enc, e, env: ir.COMPARISONS[e.op](enc.expr(e.left, env), enc.expr(e.right, env)),
    ir.Member: _member,
    ir.Call: _call,
    ir.SetLiteral: setenc.literal,
    ir.IfThenElse: lambda enc, e, env: z3.If(enc.expr(e.cond, env), enc.expr(e.then, env), enc.expr(e.else_, env)),
    ir.Quantifier: _quantifier,
    ir.MapComprehension: _comprehension,
    ir.Aggregate: _aggregate,
    **recenc.HANDLERS,
    # ir.Range is not a value: it appears only as a domain or on the right of `in`,
    # where the handlers above read its bounds.
}
