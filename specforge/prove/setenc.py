"""Sets as values (`set[T]`) as z3 terms.

A value of `set[T]` is an array from T's sort to Bool (z3's set sort), so `add`, `remove`,
`union`, `inter`, `diff`, `subset` and `in` are z3's own set operations, exact for every size.
Membership in a literal `x in {a, b}` is `x == a or x == b`, which works for any element sort.

`card(s)`, and `sum`/`count` over a set-valued expression, are sums over T's members of a
term masked by membership in s:

- T an enum or a range with constant bounds: the finite sum of one `If(s[v], ..., 0)` per
  value of T, exact;
- T a declared `set`: `Sum_T(lambda x. If(member(x) and s[x], ..., 0))`, the uninterpreted sum
  of sums.py with its axioms, each a fact about finite sums, so sound for every size of T
  (docs/prove.md, "Aggregates"). What the axioms cannot decide is `unknown`, never `proved`.

In the bounded search's finite world the sum over a declared set is the sum over the world's
elements, as for any aggregate over that set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import z3

from .. import ir
from ..ir import EnumT, IntT, SetOfT, SetT
from . import sums

if TYPE_CHECKING:
    from .encode import Encoder, Env

Term = Callable[[z3.ExprRef, "z3.BoolRef | None"], z3.ArithRef]
"""The summand at one point of the element sort, given the condition that keeps it a member."""


class Unsupported(Exception):
    """Raised to encode.py, which turns it into its own positioned Unsupported."""

    def __init__(self, message: str, node):
        super().__init__(message)
        self.node = node


def sort(enc: Encoder, t: SetOfT) -> z3.SortRef:
    if t.element is None:
        raise Unsupported("the type of an empty set's members is not known", None)
    return z3.SetSort(enc.sort(t.element))


def bounds(enc: Encoder, t: SetOfT, term: z3.ExprRef) -> z3.BoolRef | None:
    """Every member of the set is a value of T (a member of T's set, within T's range)."""
    x = enc.fresh_const("m", t.element)
    inner = enc.bounds(t.element, x)
    if inner is None:
        return None
    return z3.ForAll([x], z3.Implies(z3.IsMember(x, term), inner))


def literal(enc: Encoder, e: ir.SetLiteral, env: Env) -> z3.ExprRef:
    if not isinstance(e.type, SetOfT) or e.type.element is None:
        raise Unsupported("the type of this empty set's members is not known", e)
    result = z3.EmptySet(enc.sort(e.type.element))
    for item in e.items:
        result = z3.SetAdd(result, enc.expr(item, env))
    return result


def member(enc: Encoder, e: ir.Member, env: Env) -> z3.BoolRef:
    x = enc.expr(e.element, env)
    if isinstance(e.collection, ir.SetLiteral):
        return z3.Or(*[x == enc.expr(i, env) for i in e.collection.items]) if e.collection.items else z3.BoolVal(False)
    return z3.IsMember(x, enc.expr(e.collection, env))


_BINARY = {
    "add": lambda s, x: z3.SetAdd(s, x),
    "remove": lambda s, x: z3.SetDel(s, x),
    "union": lambda s, t: z3.SetUnion(s, t),
    "inter": lambda s, t: z3.SetIntersect(s, t),
    "diff": lambda s, t: z3.SetDifference(s, t),
    "subset": lambda s, t: z3.IsSubset(s, t),
}


def call(enc: Encoder, e: ir.Call, env: Env) -> z3.ExprRef:
    if e.func == "card":
        return over(enc, e.args[0], env, lambda x, inside: _one_if(inside, None), e)
    return _BINARY[e.func](*[enc.expr(a, env) for a in e.args])


def over(enc: Encoder, set_node: ir.Expr, env: Env, term: Term, node) -> z3.ArithRef:
    """The sum of `term` over the members of the set `set_node`.

    Over the values of its element type when they can be enumerated (module docstring); otherwise
    (a set of ints built from literals) over its support: the terms that may be members, found from
    how the set is built, each counted if it is a member and no earlier candidate equals it."""
    s = enc.expr(set_node, env)
    element = set_node.type.element
    if not _enumerable(element) or isinstance(set_node, ir.SetLiteral):
        points = _support(enc, set_node, env)
        if points is None:
            raise Unsupported("the prover counts the members of a set of ints only when they come from "
                              "literals or a range with constant bounds", node)
        return sums.add([z3.If(z3.And(z3.IsMember(x, s), *[x != y for y in points[:k]]), term(x, None), 0)
                         for k, x in enumerate(points)])

    def masked(x: z3.ExprRef, inside: z3.BoolRef | None) -> z3.ArithRef:
        present = z3.IsMember(x, s)
        return term(x, z3.And(inside, present) if inside is not None else present)
    return total(enc, element, masked, node)


def _enumerable(t: ir.Type) -> bool:
    return isinstance(t, (EnumT, SetT)) or (isinstance(t, IntT) and t.low is not None and t.high is not None)


def _support(enc: Encoder, e: ir.Expr, env: Env) -> list[z3.ExprRef] | None:
    """Terms among which every member of the set `e` is, or None when that is not known."""
    if isinstance(e, ir.SetLiteral):
        return [enc.expr(i, env) for i in e.items]
    if isinstance(e, ir.Call) and e.func in ("add", "remove", "union", "inter", "diff"):
        first = _support(enc, e.args[0], env)
        if e.func == "add":
            return None if first is None else [*first, enc.expr(e.args[1], env)]
        if e.func == "union":
            second = _support(enc, e.args[1], env)
            return None if first is None or second is None else [*first, *second]
        if e.func == "inter" and first is None:
            return _support(enc, e.args[1], env)
        return first
    t = e.type.element if isinstance(e.type, SetOfT) else None
    if t is not None and _enumerable(t) and not isinstance(t, SetT):
        n = (len(enc.enum_values[t.name]) if isinstance(t, EnumT) else t.high - t.low + 1)
        if n <= sums.MAX_RANGE_TERMS:
            return (list(enc.enum_values[t.name].values()) if isinstance(t, EnumT)
                    else [z3.IntVal(i) for i in range(t.low, t.high + 1)])
    return None


def _one_if(inside: z3.BoolRef | None, present: z3.BoolRef | None) -> z3.ArithRef:
    conds = [c for c in (inside, present) if c is not None]
    return z3.If(z3.And(*conds), 1, 0) if conds else z3.IntVal(1)


def domain(enc: Encoder, domain: ir.Expr, var: str, env: Env) -> tuple[z3.ExprRef, z3.BoolRef]:
    """A bound variable over a set-valued expression and the constraint that it is a member."""
    x = z3.Const(f"{var}!{enc._next()}", enc.sort(domain.type.element))
    return x, z3.IsMember(x, enc.expr(domain, env))


def aggregate(enc: Encoder, e: ir.Aggregate, env: Env, term: Term) -> z3.ArithRef:
    """`sum`/`count` over a set-valued expression: over T's values, each masked by membership."""
    return over(enc, e.domain, env, term, e)


def total(enc: Encoder, element: ir.Type, term: Term, node) -> z3.ArithRef:
    """The sum of `term` over every value of the type `element` (see the module's docstring)."""
    if isinstance(element, EnumT):
        return sums.add([term(v, None) for v in enc.enum_values[element.name].values()])
    if isinstance(element, IntT) and element.low is not None and element.high is not None:
        n = element.high - element.low + 1
        if n > sums.MAX_RANGE_TERMS:
            raise Unsupported(f"the members are drawn from {n} ints; the prover adds up at most "
                              f"{sums.MAX_RANGE_TERMS}", node)
        return sums.add([term(z3.IntVal(i), None) for i in range(element.low, element.high + 1)])
    if isinstance(element, SetT):
        is_member = enc.set_members[element.name]
        if enc.world is not None:
            return sums.add([term(x, is_member(x)) for x in enc.world.elements[element.name]])
        x = z3.Const(f"card!{enc._next()}", enc.set_sorts[element.name])
        return enc.set_sums[element.name].of(x, term(x, is_member(x)))
    raise Unsupported("the prover counts the members of a set of a set, an enum or a range only", node)


def summed_sets(nodes_of) -> set[str]:
    """The declared sets a `card` or an aggregate over a set-valued expression adds up over."""
    found = set()
    for n in nodes_of(ir.Call):
        if n.func == "card" and isinstance(n.args[0].type, SetOfT) and isinstance(n.args[0].type.element, SetT):
            found.add(n.args[0].type.element.name)
    for n in nodes_of(ir.Aggregate):
        if isinstance(n.domain.type, SetOfT) and isinstance(n.domain.type.element, SetT):
            found.add(n.domain.type.element.name)
    return found
