"""Where the spec's partial operations have a meaning, as z3 formulas.

`/` and `%` are defined only where the divisor is not 0, and a lookup or write `m[k]` in a map keyed by a
range only where `k` is in the range (a map keyed by a set or an enum is total over what can index it).
Evaluation is the interpreter's: `and`, `or`, `implies` and `if` evaluate only the operands they need, so
`x != 0 implies 10 / x > 0` is defined everywhere; an action's guards run in order and its assignments
only when every guard passes, each seeing the ones before it.

Each partial operation is a *site* with its position; `sites(...)` gives every site with the condition
under which it is reached and defined, so a prover finding can name the first one that fails. A quantifier
or a comprehension asks its body to be defined for every element of the domain (the interpreter may stop
at the first element that decides a quantifier: the prover is the stricter here, and says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from .. import ir
from . import recenc
from .encode import Encoder, Env


@dataclass(frozen=True)
class Site:
    """One partial operation: where it is and what it needs (`division by zero`, `key outside 0..3`)."""

    node: ir.Expr
    what: str

    @property
    def where(self) -> str:
        span = getattr(self.node, "span", None)
        return f"{span.line}:{span.column}" if span is not None else "?"


class Definedness:
    """Collects the sites of one expression, statement list or action, with their conditions."""

    def __init__(self, enc: Encoder):
        self.enc = enc
        self.found: list[tuple[Site, z3.BoolRef]] = []

    def formula(self) -> z3.BoolRef:
        return z3.And(*[c for _, c in self.found]) if self.found else z3.BoolVal(True)

    # -- expressions: `reached` is the condition under which the interpreter evaluates `e`

    def expr(self, e: ir.Expr, env: Env, reached: z3.BoolRef) -> None:
        if isinstance(e, ir.Binary):
            self.expr(e.left, env, reached)
            if e.op in (ir.BinOp.AND, ir.BinOp.IMPLIES):
                self.expr(e.right, env, z3.And(reached, self.enc.expr(e.left, env)))
            elif e.op is ir.BinOp.OR:
                self.expr(e.right, env, z3.And(reached, z3.Not(self.enc.expr(e.left, env))))
            else:
                self.expr(e.right, env, reached)
            if e.op in (ir.BinOp.DIV, ir.BinOp.MOD):
                divisor = self.enc.expr(e.right, env)
                self._site(e, "a division by zero" if e.op is ir.BinOp.DIV else "a remainder by zero",
                           reached, divisor != 0)
            return
        if isinstance(e, ir.IfThenElse):
            cond = self.enc.expr(e.cond, env)
            self.expr(e.cond, env, reached)
            self.expr(e.then, env, z3.And(reached, cond))
            self.expr(e.else_, env, z3.And(reached, z3.Not(cond)))
            return
        if isinstance(e, ir.Index):
            self.expr(e.base, env, reached)
            self.expr(e.key, env, reached)
            self._key(e, e.base.type, self.enc.expr(e.key, env), reached)
            return
        if isinstance(e, (ir.Quantifier, ir.MapComprehension)):
            x, inside = self.enc.domain(e.domain, e.var, env)
            inner = Definedness(self.enc)
            self.expr(e.domain, env, reached)
            inner.expr(e.body if isinstance(e, ir.Quantifier) else e.value, env.bind(e.var, x), z3.BoolVal(True))
            for site, cond in inner.found:
                body = z3.Implies(inside, cond) if inside is not None else cond
                self.found.append((site, z3.Implies(reached, z3.ForAll([x], body))))
            return
        if isinstance(e, ir.Aggregate):
            self._aggregate(e, env, reached)
            return
        if isinstance(e, ir.Present):
            self.expr(e.value, env, reached)
            self._site(e, "an optional that is none read as its value", reached,
                       recenc.is_some(self.enc, e.value.type, self.enc.expr(e.value, env)))
            return
        for child in ir.subexpressions(e):
            self.expr(child, env, reached)

    def _aggregate(self, e: ir.Aggregate, env: Env, reached: z3.BoolRef) -> None:
        """A sum or count asks, for every member, its condition to be defined, and its value where the
        condition holds (the interpreter evaluates the value only there)."""
        x, inside = self.enc.domain(e.domain, e.var, env)
        self.expr(e.domain, env, reached)
        inner, bound = Definedness(self.enc), env.bind(e.var, x)
        if e.cond is not None:
            inner.expr(e.cond, bound, z3.BoolVal(True))
        if e.value is not None:
            inner.expr(e.value, bound, self.enc.expr(e.cond, bound) if e.cond is not None else z3.BoolVal(True))
        for site, cond in inner.found:
            body = z3.Implies(inside, cond) if inside is not None else cond
            self.found.append((site, z3.Implies(reached, z3.ForAll([x], body))))

    def _key(self, node: ir.Expr, map_type, key: z3.ExprRef, reached: z3.BoolRef) -> None:
        t = getattr(map_type, "key", None)
        if isinstance(t, ir.IntT) and t.low is not None and t.high is not None:
            self._site(node, f"a key outside {t.low}..{t.high}", reached, z3.And(key >= t.low, key <= t.high))

    def _site(self, node: ir.Expr, what: str, reached: z3.BoolRef, ok: z3.BoolRef) -> None:
        cond = z3.simplify(z3.Implies(reached, ok))
        if not z3.is_true(cond):
            self.found.append((Site(node, what), cond))

    # -- statements

    def assignments(self, assigns: list[ir.Assign], state: dict, params: dict, reached: z3.BoolRef) -> dict:
        """The sites of assignments run in order from `state` (each seeing the ones before); the state after."""
        post = dict(state)
        for a in assigns:
            env = Env(post, params)
            self.expr(a.value, env, reached)
            self._target(a.target, env, reached)
            self.enc.assign(a.target, self.enc.expr(a.value, env), env)
        return post

    def _target(self, target: ir.Expr, env: Env, reached: z3.BoolRef) -> None:
        if isinstance(target, ir.Index):
            self.expr(target.key, env, reached)
            self._key(target, target.base.type, self.enc.expr(target.key, env), reached)
            self._target(target.base, env, reached)

    def action(self, action: ir.Action, pre: dict, params: dict) -> None:
        """Guards in order, each reached when the ones before it pass; assignments when all pass."""
        env = Env(pre, params)
        passed: list[z3.BoolRef] = []
        for g in action.guards:
            self.expr(g.cond, env, z3.And(*passed) if passed else z3.BoolVal(True))
            passed.append(self.enc.expr(g.cond, env))
        self.assignments(action.assignments, pre, params, z3.And(*passed) if passed else z3.BoolVal(True))


def may_be_partial(e: ir.Expr) -> bool:
    """Whether `e` has an operation that `Definedness.expr` checks (`/`, `%`, a lookup in a range-keyed
    map, an optional read as its value). False means it has none, read from the syntax alone: most
    invariants, which then need no formulas to find that out (0.08 s of the prover's set-up on a spec of
    250 invariants)."""
    for n in ir.walk(e):
        if isinstance(n, ir.Present) or isinstance(n, ir.Binary) and n.op in (ir.BinOp.DIV, ir.BinOp.MOD):
            return True
        if isinstance(n, ir.Index):
            key = getattr(n.base.type, "key", None)
            if isinstance(key, ir.IntT) and key.low is not None and key.high is not None:
                return True
    return False


def invariant(enc: Encoder, inv: ir.Invariant, state: dict) -> Definedness:
    d = Definedness(enc)
    d.expr(inv.expr, Env(state), z3.BoolVal(True))
    return d


def action(enc: Encoder, act: ir.Action, pre: dict, params: dict) -> Definedness:
    d = Definedness(enc)
    d.action(act, pre, params)
    return d


def init(enc: Encoder) -> Definedness:
    d = Definedness(enc)
    d.assignments(enc.spec.init, {}, {}, z3.BoolVal(True))
    return d
