"""Aggregates (`sum`, `count`) as z3 terms, for every size of every set.

Over an enum or a range with constant bounds the members are known: the
aggregate is the sum of one `If(cond, value, 0)` per member, exact.

Over a declared `set` (an uninterpreted sort whose members are those that
satisfy its membership predicate) the members are unknown, and so is their
number. The aggregate is then `Sum_S(a)`, an uninterpreted function of the
array `a = lambda x. If(member(x) and cond(x), value(x), 0)`, and what z3 may
use about `Sum_S` is a handful of axioms, each a fact about finite sums:

  (zero)   Sum_S(K(0)) == 0
  (sign)   every a[x] >= 0 implies Sum_S(a) >= 0; every a[x] <= 0 implies Sum_S(a) <= 0
  (point)  if a and b differ at most at the point x, Sum_S(a) - a[x] == Sum_S(b) - b[x]
  (entry)  every a[x] >= 0 implies a[p] <= Sum_S(a), for the points p an action's parameters name,
           and the elements an induction question names; for two different ones p and q of these,
           also a[p] + a[q] <= Sum_S(a)
  (apart)  for a set whose size the spec counts (`count(n in Node)`, written N below, the sum of the
           array that is 1 at each member): a[x] + b[x] <= (1 if x is a member, else 0) for every x
           implies Sum_S(a) + Sum_S(b) <= N. Two counts of members no member is in both add up to at
           most N, so two strict majorities share a member: what a quorum protocol's safety rests on.

(point) is what a conservation law needs: an action that changes one entry
changes the sum by the same amount. Each axiom's "every" (a universal in the
hypothesis) is written with a witness function (`neg`, `pos`, `other`) that
names a point where it fails, and the point x of (point) is z3's extensionality
witness `Ext(a, b)`, the point where a and b differ when they differ; the
axioms are instantiated by E-matching on the `Sum_S` terms a query holds.

Why this is sound. A set of a spec is finite in every world (its elements are
what one run of a system can hold). Every world can be represented with the
sort holding exactly the set's elements (one more when the set is empty:
z3's sorts are not), a finite sort; there `Sum_S(a)` can be read as the true
sum of `a` over the whole sort, which for the masked array above is the sum
over the set's members, and every axiom is then a true fact about finite sums
(the witness functions read as "a point where it fails, if any"). So the
axioms hold in every intended world, and anything proved from them holds for
every size of every set. They are far from complete: a query that needs more
(the sum of a filtered set against the sum of the whole set, say) is
`unknown`, never wrongly proved.

Counterexamples. With these quantified axioms z3 rarely finds a model, so the
bounded search for violations uses a finite world instead (`World`): each
aggregated set holds at most `WORLD_SIZE` elements (more where the spec compares
a count with a larger threshold: `world_size`), named by distinct constants, and
a sum over it is the sum over those constants. A run found
there is a real run (in a world that small); the absence of one proves
nothing, and is never reported as a proof.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import z3

from .. import ir
from ..thresholds import count_thresholds

# The bounded search for violations gives each aggregated set at most this many elements,
WORLD_SIZE = 3
# or one more than the largest constant a count is compared with (`card(open[u]) <= 5` is broken only with
# six sessions) where that is at most this many; a larger one is out of the bounded search's reach.
MAX_WORLD_SIZE = 8
# A sum over a range is written out term by term; a longer range is reported, not encoded.
MAX_RANGE_TERMS = 256


@dataclass
class SetSum:
    """`Sum_S` of one set sort, and the axioms that give it its meaning."""

    function: z3.FuncDeclRef
    axioms: list[z3.BoolRef]
    neg: z3.FuncDeclRef
    pos: z3.FuncDeclRef
    arrays: z3.SortRef
    both: z3.FuncDeclRef | None = None  # (apart)'s witness, for a set whose size the spec counts

    def witnesses(self, array: z3.ExprRef) -> list[z3.ExprRef]:
        """The points (sign) names for a summed array: where it is negative, where it is positive, if anywhere."""
        return [self.neg(array), self.pos(array)]

    def of(self, x: z3.ExprRef, body: z3.ArithRef) -> z3.ArithRef:
        """`Sum_S(lambda x. body)`, its variable renamed to one name for the set (a second one where body
        reads the first, from a sum around it): z3 tells lambdas apart by their variables' names, and so
        `count(m in Node)` written twice, or in a hypothesis and in a goal, is then one term, not two that
        the axioms must first prove equal."""
        for k in itertools.count():
            v = z3.Const(f"{self.function.name()}!x{k or ''}", x.sort())
            if not _occurs(body, v):
                return self.function(z3.Lambda([v], z3.substitute(body, (x, v))))
        raise AssertionError  # unreachable: a body holds finitely many names

    def apart(self, arrays: list[z3.ExprRef]) -> list[z3.ExprRef]:
        """The points (apart) names for each two of these summed arrays: where both count, if anywhere."""
        if self.both is None:
            return []
        return [self.both(a, b) for a, b in itertools.combinations(arrays, 2)]

    def entry(self, points: list[z3.ExprRef], pairs: bool = False) -> z3.BoolRef:
        """(entry) for these points: with every entry >= 0, the entry at each point is at most the sum,
        and with `pairs`, the entries at two different points together are too (`count(...) <= 1` and two
        members it counts cannot both be). z3 cannot trigger on a point, so the points are named: an
        action's parameters of the sort, the elements a question names."""
        a = z3.Const(f"{self.function.name()}!e", self.arrays)
        total = self.function(a)
        bounded = [a[p] <= total for p in points]
        if pairs:
            bounded += [z3.Or(p == q, a[p] + a[q] <= total) for p, q in itertools.combinations(points, 2)]
        return z3.ForAll([a], z3.Or(a[self.neg(a)] < 0, z3.And(*bounded)), patterns=[total])


def counted(conds: z3.BoolRef | None, value: z3.ArithRef) -> z3.ArithRef:
    """The entry of a summed array: `value` where the conditions hold, else 0 (the encoder's and the
    axioms' one shape, so that a count of the whole set is one term)."""
    return value if conds is None else z3.If(conds, value, 0)


def subterms(term: z3.ExprRef) -> Iterator[z3.ExprRef]:
    """Each distinct subterm of `term` once, the bodies of its quantifiers and lambdas included."""
    seen: set[int] = set()
    stack = [term]
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        yield t
        if z3.is_quantifier(t):
            stack.append(t.body())
        elif z3.is_app(t):
            stack.extend(t.children())


def _occurs(term: z3.ExprRef, x: z3.ExprRef) -> bool:
    return any(t.eq(x) for t in subterms(term))


def set_sum(name: str, sort: z3.SortRef, member: z3.FuncDeclRef, sized: bool = False) -> SetSum:
    """`Sum_S` over the set `name` and its axioms; with `sized` (the spec counts the whole set), (apart) too:
    only then, since every pair of sums instantiates it, and a spec that never counts its set has no
    term for its conclusion to bound (a cart's sums, with it, went from 3 s to an unknown after 170 s)."""
    arrays = z3.ArraySort(sort, z3.IntSort())
    total = z3.Function(f"Sum!{name}", arrays, z3.IntSort())
    neg = z3.Function(f"Sum!{name}!neg", arrays, sort)
    pos = z3.Function(f"Sum!{name}!pos", arrays, sort)
    other = z3.Function(f"Sum!{name}!other", arrays, arrays, sort)
    a, b = z3.Const(f"Sum!{name}!a", arrays), z3.Const(f"Sum!{name}!b", arrays)
    x = z3.Ext(a, b)
    y = other(a, b)
    axioms = [
        total(z3.K(sort, z3.IntVal(0))) == 0,
        z3.ForAll([a], z3.Or(a[neg(a)] < 0, total(a) >= 0), patterns=[total(a)]),
        z3.ForAll([a], z3.Or(a[pos(a)] > 0, total(a) <= 0), patterns=[total(a)]),
        z3.ForAll([a, b], z3.Or(z3.And(y != x, a[y] != b[y]), total(a) - a[x] == total(b) - b[x]),
                  patterns=[z3.MultiPattern(total(a), total(b))]),
    ]
    if sized:
        m = z3.Const(f"Sum!{name}!m", sort)
        size = SetSum(total, [], neg, pos, arrays).of(m, counted(member(m), z3.IntVal(1)))
        both = z3.Function(f"Sum!{name}!both", arrays, arrays, sort)
        w = both(a, b)
        axioms.append(z3.ForAll([a, b], z3.Or(a[w] + b[w] > z3.If(member(w), 1, 0), total(a) + total(b) <= size),
                                patterns=[z3.MultiPattern(total(a), total(b))]))
        return SetSum(total, axioms, neg, pos, arrays, both)
    return SetSum(total, axioms, neg, pos, arrays)


@dataclass
class World:
    """A finite world for the bounded search: each aggregated set's possible elements."""

    elements: dict[str, list[z3.ExprRef]]
    facts: list[z3.BoolRef]


def world(sorts: dict[str, z3.SortRef], members: dict[str, z3.FuncDeclRef], size: int, tag: str) -> World:
    """Every member of each set is one of `size` distinct elements (the set may hold fewer)."""
    elements: dict[str, list[z3.ExprRef]] = {}
    facts: list[z3.BoolRef] = []
    for name, sort in sorts.items():
        consts = [z3.Const(f"{name}!e{i}@{tag}", sort) for i in range(1, size + 1)]
        elements[name] = consts
        if len(consts) > 1:
            facts.append(z3.Distinct(*consts))
        x = z3.Const(f"{name}!x@{tag}", sort)
        facts.append(z3.ForAll([x], z3.Implies(members[name](x), z3.Or(*[x == c for c in consts]))))
    return World(elements, facts)


def world_size(spec: ir.Spec) -> int:
    """How many elements each aggregated set gets in the bounded search's finite world: `WORLD_SIZE`, or
    enough to go over the largest threshold the spec compares a `count` or a `card` with (a constant: a
    literal, a `const` or arithmetic on them), K + 1 for a threshold K, where that is at most
    `MAX_WORLD_SIZE`. A larger threshold is ignored: the world would grow, and still not reach it. A
    `sum` is not counted: one element can carry any amount (`sum(balance[a] ...) <= CAP` is broken by
    one account), and a larger world would only make its search slower."""
    return max([WORLD_SIZE] + [k for _, k, _ in count_thresholds(spec) if k <= MAX_WORLD_SIZE])


def add(terms: list[z3.ArithRef]) -> z3.ArithRef:
    return z3.Sum(*terms) if len(terms) > 1 else (terms[0] if terms else z3.IntVal(0))


def summed_arrays(set_sums: dict[str, SetSum], formulas: list[z3.ExprRef], most: int) -> dict[str, list[z3.ExprRef]]:
    """The arrays each set's `Sum_S` is applied to in these formulas, outside any quantifier or lambda (so
    each is a closed term), at most `most` per set, in the order met."""
    by_decl = {s.function.name(): name for name, s in set_sums.items()}
    found: dict[str, dict[int, z3.ExprRef]] = {}
    seen: set[int] = set()
    stack = list(formulas)
    while stack:
        e = stack.pop()
        if e.get_id() in seen or not z3.is_app(e):
            continue  # a quantifier or a lambda: its terms may read its variables
        seen.add(e.get_id())
        name = by_decl.get(e.decl().name()) if e.num_args() == 1 else None
        if name is not None:
            arrays = found.setdefault(name, {})
            if len(arrays) < most:
                arrays.setdefault(e.arg(0).get_id(), e.arg(0))
            continue
        stack.extend(e.children())
    return {name: list(arrays.values()) for name, arrays in found.items()}
