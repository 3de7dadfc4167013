"""A finite instance of a spec: the elements of each set, the calls each action may be made with, and
the range integer state is explored in.

An integer (or duration) parameter takes every value its declared type and the action's guard
intervals allow when there are at most `FULL_POOL_LIMIT` of them: then the calls are complete. A guard
interval is read from the guards' top-level conjuncts that compare the parameter with a constant
(`amount > 0`, `amount <= MAX`, `p in 1..3`); every guard must pass for a call to happen, so no value
outside the interval can fire. Otherwise the parameter draws from a small pool: the boundary values of
the spec's numbers (`specforge.finite`) and the ends of the interval, and the instance records it as
partial, so that exhausting it is evidence, not a proof.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .. import finite, ir
from ..evaluate import Env, EvaluationError, domain_values, evaluate, thinned_composite_values
from ..interpret import answer_groups
from ..ir import BinOp, BoolT, CmpOp, EnumT, IntT, RefKind, SetOfT, SetT
from ..values import Universe

# A parameter whose interval holds at most this many values takes all of them,
FULL_POOL_LIMIT = 64
# as long as its action's calls stay within this many (else its widest int parameters draw from pools).
MAX_CALLS = 4096


@dataclass(frozen=True)
class Instance:
    """One finite model: `calls` maps each action to its argument dicts (param -> value)."""

    universe: Universe
    calls: dict[str, list[dict]]
    state_range: tuple[int, int]
    partial: list[str] = field(default_factory=list)  # "action.param", drawn from a pool
    # an action whose effect reads its answer: its calls hold one answer per part the effect reads
    # (`ir.Action.answer_fields`), and here that part -> every answer of the instance with it
    answers: dict[str, dict] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return {name: len(elements) for name, elements in self.universe.items()}

    def describe(self) -> str:
        return ", ".join(f"{name} = {n}" for name, n in self.sizes.items()) or "no sets"


def size_vectors(spec: ir.Spec, sizes: Iterable[int | Mapping[str, int]]) -> list[dict[str, int]]:
    """Each set's size for every instance: an int gives every combination of sizes up to it
    (smallest total first, the shortest runs of small worlds coming first), a mapping one instance."""
    names = [s.name for s in spec.sets]
    out: list[dict[str, int]] = []
    for size in sizes:
        if isinstance(size, Mapping):
            vector = {n: size[n] for n in names}
            if vector not in out:
                out.append(vector)
            continue
        for combo in sorted(itertools.product(range(size + 1), repeat=len(names)), key=lambda c: (sum(c), c)):
            vector = dict(zip(names, combo, strict=True))
            if vector not in out:
                out.append(vector)
    return out


def build(spec: ir.Spec, sizes: Mapping[str, int], domains: Mapping[tuple[str, str], Iterable[int]] | None = None,
          state_range: tuple[int, int] | None = None) -> Instance:
    """The instance with these set sizes (elements named `Node1`, `Node2`, ... as in the prover's runs).

    `domains` fixes the values of (action, parameter) pairs and `state_range` the range, as the TLA+
    model does (to compare with TLC); a fixed domain is complete only if it covers the interval."""
    universe = Universe.named(spec, dict(sizes))
    numbers = finite.spec_numbers(spec)
    strings = finite.search_strings(spec)
    env = Env.of(spec, universe)
    calls, partial, all_values, answers = {}, [], [], {}
    for action in spec.actions:
        choices, complete = [], []
        params = action.choices  # with the answer, when the effect reads it (the search keeps those its `ensures` allow)
        for p in params:
            fixed = None if domains is None else domains.get((action.name, p.name))
            values, whole = _values(p, action, universe, env, numbers, fixed, strings)
            if p is not params[-1] or action.answer is None:
                choices.append(values)
            else:  # the answer: one per part the effect reads
                groups = answers[action.name] = answer_groups(action, values)
                choices.append([group[0] for group in groups.values()])
            complete.append(whole)
        _fit(params, choices, complete, numbers, fixed_by_caller=domains is not None)
        for p, values, whole in zip(params, choices, complete, strict=True):
            if not whole:
                partial.append(f"{action.name}.{p.name}")
            if finite.int_like(p.type.resolved):
                all_values.append(values)
        names = [p.name for p in params]
        calls[action.name] = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]
    if state_range is None:
        m = finite.state_bound(spec, all_values)
        state_range = (-m, m)
    return Instance(universe, calls, state_range, partial, answers)



def _fit(params: list[ir.Param], choices: list[list], complete: list[bool], numbers: dict[str, set[int]],
         fixed_by_caller: bool) -> None:
    """Keep an action's calls to at most `MAX_CALLS` (every value of three int parameters of 64 values
    would be 262,144 calls from every state): the int parameter with the most values draws from its
    boundary pool instead, and no longer counts as complete, until the calls fit."""
    while not fixed_by_caller and math.prod(len(c) for c in choices) > MAX_CALLS:
        widest = max((i for i, p in enumerate(params) if finite.int_like(p.type.resolved) and complete[i]),
                     key=lambda i: len(choices[i]), default=None)
        if widest is None:
            return
        values = choices[widest]
        low, high = values[0], values[-1]
        pool = finite.default_domain(params[widest].type.resolved, numbers) + [low, low + 1, high - 1, high]
        choices[widest] = sorted({v for v in pool if low <= v <= high})
        complete[widest] = False


def _values(p: ir.Param, action: ir.Action, universe: Universe, env: Env, numbers: dict[str, set[int]],
            fixed: Iterable[int] | None, strings: tuple[str, ...] = ()) -> tuple[list, bool]:
    t = p.type.resolved
    if isinstance(t, BoolT):
        return [False, True], True
    if isinstance(t, ir.StringT):  # a sample, never every string: a search over it proves nothing
        return list(strings), False
    if isinstance(t, EnumT):
        return list(env.enums[t.name]), True
    if isinstance(t, SetT):
        return list(universe[t.name]), True
    if isinstance(t, SetOfT):
        return list(domain_values(t, (universe, env.enums))), True
    if isinstance(t, (ir.StructT, ir.OptionT)):
        # a record's int fields take their default values: every value of a small range, else a pool, and
        # then the calls are not complete (exhausting them proves nothing)
        whole = []

        def leaf(ft):
            if isinstance(ft, ir.StringT):  # the sample, as a string parameter takes it
                whole.append(False)
                return list(strings)
            if not finite.int_like(ft):
                return domain_values(ft, (universe, env.enums))
            values = finite.default_domain(ft, numbers)
            whole.append(isinstance(ft, IntT) and ft.low is not None and ft.high is not None
                         and len(values) == ft.high - ft.low + 1)
            return values
        values, thinned = thinned_composite_values(t, leaf, MAX_CALLS)
        return list(values), all(whole) and not thinned
    low, high = interval(p.name, t, action, env)
    if fixed is not None:
        values = sorted(v for v in set(fixed) if finite.within(t, v))
        covered = low is not None and high is not None and set(range(low, high + 1)) <= set(values)
        return values, covered or (low is not None and high is not None and low > high)
    if low is not None and high is not None and high - low < FULL_POOL_LIMIT:
        return list(range(low, high + 1)), True
    pool = set(finite.default_domain(t, numbers))
    pool.update(v for end in (low, high) if end is not None for v in (end - 1, end, end + 1))
    return sorted(v for v in pool if (low is None or v >= low) and (high is None or v <= high)), False


def interval(name: str, t: ir.Type, action: ir.Action, env: Env) -> tuple[int | None, int | None]:
    """The values of parameter `name` that its type and the action's constant guard bounds allow."""
    low = t.low if isinstance(t, IntT) else None
    high = t.high if isinstance(t, IntT) else None
    # the answer, when the effect reads it, is limited by the `ensures` as a parameter by the guards
    conditions = [g.cond for g in action.guards] + [e.cond for e in action.ensures if name == ir.RESULT]
    for cond in conditions:
        for low2, high2 in _bounds(name, cond, env):
            if low2 is not None:
                low = low2 if low is None else max(low, low2)
            if high2 is not None:
                high = high2 if high is None else min(high, high2)
    return low, high


def _conjuncts(e: ir.Expr) -> Iterator[ir.Expr]:
    if isinstance(e, ir.Binary) and e.op is BinOp.AND:
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    else:
        yield e


_FLIP = {CmpOp.LT: CmpOp.GT, CmpOp.LE: CmpOp.GE, CmpOp.GT: CmpOp.LT, CmpOp.GE: CmpOp.LE, CmpOp.EQ: CmpOp.EQ}


def _bounds(name: str, cond: ir.Expr, env: Env) -> Iterator[tuple[int | None, int | None]]:
    for c in _conjuncts(cond):
        if isinstance(c, ir.Compare) and c.op in _FLIP:
            if _is_param(c.left, name):
                op, other = c.op, c.right
            elif _is_param(c.right, name):
                op, other = _FLIP[c.op], c.left
            else:
                continue
            v = _constant(other, env)
            if v is None:
                continue
            yield {CmpOp.LT: (None, v - 1), CmpOp.LE: (None, v), CmpOp.GT: (v + 1, None),
                   CmpOp.GE: (v, None), CmpOp.EQ: (v, v)}[op]
        elif isinstance(c, ir.Member) and _is_param(c.element, name) and isinstance(c.collection, ir.Range):
            low, high = _constant(c.collection.low, env), _constant(c.collection.high, env)
            if low is not None and high is not None:
                yield low, high


def _is_param(e: ir.Expr, name: str) -> bool:
    return isinstance(e, ir.Name) and e.ref is RefKind.PARAM and e.name == name


def _constant(e: ir.Expr, env: Env) -> int | None:
    """The value of an expression that reads no state, parameter or bound variable, else None."""
    for node in ir.walk(e):
        if isinstance(node, (ir.Quantifier, ir.MapComprehension, ir.FieldAccess, ir.Index)):
            return None
        if isinstance(node, ir.Name) and node.ref in (RefKind.VAR, RefKind.PARAM, RefKind.BOUND, RefKind.DOMAIN):
            return None
    try:
        value = evaluate(e, env)
    except EvaluationError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
