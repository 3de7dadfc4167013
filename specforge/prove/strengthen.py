"""Finding the invariant that makes a true, non-inductive invariant provable.

The reachable states are described to z3's CHC engine (Spacer) as Horn clauses
over an unknown predicate Inv(state): init satisfies Inv, every action keeps
it, and Inv excludes the states that break the goal. If Spacer solves them,
its Inv is a candidate strengthening. The candidate is not trusted: plain
solver calls check that init implies it, that every action preserves it
(assuming the invariants already proved), and that it implies the goal. Only
then is it reported, printed in spec syntax.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3

from .. import ir
from ..values import show

if TYPE_CHECKING:
    from .engine import Prover, Target


def strengthen(prover: Prover, target: Target, proved: list[Target]) -> str | None:
    enc = prover.enc
    if not enc.leaves or not prover.spec.actions:
        return None
    state = {leaf.path: z3.Const(leaf.path, enc.sort(leaf.type)) for leaf in enc.leaves}
    variables = list(state.values())
    inv = z3.Function("Inv", *[v.sort() for v in variables], z3.BoolSort())
    known = [t.formula(state) for t in proved]

    horn = z3.SolverFor("HORN")
    horn.set("timeout", prover.timeout_ms)
    # Global guidance lets Spacer generalise across steps: without it, z3 5.4
    # times out on `y := y + 1; x := x + y` with goal x >= 0 (measured), with
    # it the lemma x >= 0 and y >= 0 comes back in 20 ms.
    horn.set("fp.spacer.global", True)
    init = enc.init_state()
    horn.add(z3.ForAll(variables, z3.Implies(z3.And([state[p] == init[p] for p in state]), inv(*variables))))
    nxt = {p: z3.Const(p + "'", v.sort()) for p, v in state.items()}
    for action in prover.spec.actions:
        params, bounds = enc.params(action, "h")
        guards, post = enc.transition(action, state, params)
        quantified = variables + list(nxt.values()) + list(params.values())
        body = z3.And(inv(*variables), *known, *bounds, *guards, *[nxt[p] == post[p] for p in state])
        horn.add(z3.ForAll(quantified, z3.Implies(body, inv(*nxt.values()))))
    horn.add(z3.ForAll(variables, z3.Implies(z3.And(inv(*variables), z3.Not(target.formula(state))),
                                             z3.BoolVal(False))))
    try:
        if horn.check() != z3.sat:
            return None
        interpretation = horn.model()[inv]
    except z3.Z3Exception:
        return None
    if interpretation is None or interpretation.num_entries():
        return None
    # Var(i) in the interpretation is the i-th argument. (model.eval of
    # Inv(x, y) is not used: z3 5.4 returned `true` or `false` for it.)
    lemma = z3.substitute_vars(interpretation.else_value(), *variables)
    if not _verified(prover, lemma, state, known, target):
        return None
    try:
        return SpecPrinter(prover).show(z3.simplify(lemma))
    except _CannotPrint:
        return None


def _verified(prover: Prover, lemma, state, known, target: Target) -> bool:
    enc = prover.enc

    def valid(*facts, goal) -> bool:
        s = prover.solver()
        s.add(*facts, z3.Not(goal))
        return s.check() == z3.unsat

    init = enc.init_state()
    at = lambda terms: z3.substitute(lemma, *[(state[p], terms[p]) for p in state])  # noqa: E731
    if not valid(goal=at(init)):
        return False
    for action in prover.spec.actions:
        params, bounds = enc.params(action, "v")
        guards, post = enc.transition(action, state, params)
        if not valid(lemma, *known, *bounds, *guards, goal=at(post)):
            return False
    return valid(lemma, *known, goal=target.formula(state))


class _CannotPrint(Exception):
    pass


class SpecPrinter:
    """A quantifier-free z3 formula over the state variables, written in spec syntax."""

    # operator -> (spec spelling, precedence); a higher precedence binds tighter
    _BINARY = {
        z3.Z3_OP_IMPLIES: ("implies", 2), z3.Z3_OP_LE: ("<=", 5), z3.Z3_OP_GE: (">=", 5), z3.Z3_OP_LT: ("<", 5),
        z3.Z3_OP_GT: (">", 5), z3.Z3_OP_ADD: ("+", 6), z3.Z3_OP_SUB: ("-", 6), z3.Z3_OP_MUL: ("*", 7),
        z3.Z3_OP_IDIV: ("/", 7), z3.Z3_OP_MOD: ("%", 7),
    }
    _NEGATED = {z3.Z3_OP_LE: z3.Z3_OP_GT, z3.Z3_OP_GE: z3.Z3_OP_LT, z3.Z3_OP_LT: z3.Z3_OP_GE,
                z3.Z3_OP_GT: z3.Z3_OP_LE}

    def __init__(self, prover: Prover):
        self.leaves = {leaf.path: leaf for leaf in prover.enc.leaves}
        # the dimension a literal is written in: the one of the durations it is compared with or added to
        self._unit: str | None = None

    def show(self, e: z3.ExprRef) -> str:
        return self._show(e)[0]

    def _dimension(self, e: z3.ExprRef) -> str | None:
        """The dimension of a term that is a quantity (a duration leaf, or sums and scalings of them)."""
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED and str(e) in self.leaves:
            t = self.leaves[str(e)].type
            return t.dimension if isinstance(t, ir.QuantityT) else None
        if z3.is_app(e) and e.decl().kind() in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_UMINUS, z3.Z3_OP_ITE,
                                                 z3.Z3_OP_MUL):
            kids = e.children()[1:] if e.decl().kind() == z3.Z3_OP_ITE else e.children()
            return next((d for k in kids if (d := self._dimension(k)) is not None), None)
        return None

    def _in(self, unit: str | None, e: z3.ExprRef, at_least: int) -> str:
        """`e` printed with its literals in `unit` (None: plain numbers)."""
        saved, self._unit = self._unit, unit
        try:
            return self._wrap(e, at_least)
        finally:
            self._unit = saved

    def _wrap(self, e: z3.ExprRef, at_least: int) -> str:
        text, prec = self._show(e)
        return text if prec >= at_least else f"({text})"

    def _compare(self, kind: int, a: z3.ExprRef, b: z3.ExprRef) -> tuple[str, int]:
        # integers: x > -1 reads better as x >= 0
        if z3.is_int_value(b) and kind == z3.Z3_OP_GT:
            kind, b = z3.Z3_OP_GE, z3.IntVal(b.as_long() + 1)
        elif z3.is_int_value(b) and kind == z3.Z3_OP_LT:
            kind, b = z3.Z3_OP_LE, z3.IntVal(b.as_long() - 1)
        op = self._BINARY[kind][0]
        unit = self._dimension(a) or self._dimension(b)
        return f"{self._in(unit, a, 6)} {op} {self._in(unit, b, 6)}", 5

    def _literal(self, v: int) -> tuple[str, int]:
        if self._unit is not None:
            text = show(v, ir.QuantityT(dimension=self._unit))
            return (text, 9) if v >= 0 else (text, 8)
        return (str(v), 9) if v >= 0 else (f"-{-v}", 8)

    def _show(self, e: z3.ExprRef) -> tuple[str, int]:
        if z3.is_true(e):
            return "true", 9
        if z3.is_false(e):
            return "false", 9
        if z3.is_int_value(e):
            return self._literal(e.as_long())
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            if str(e) not in self.leaves:
                raise _CannotPrint(str(e))
            return str(e), 9
        if z3.is_const(e) and e.sort().kind() == z3.Z3_DATATYPE_SORT:
            return str(e), 9  # an enum value, by its member's name
        if not z3.is_app(e):
            raise _CannotPrint(str(e))
        kind = e.decl().kind()
        kids = e.children()
        if kind == z3.Z3_OP_DT_IS:  # z3's recognizer `is(open, door)`: the enum test `door == open`
            member = e.decl().params()[0].name()
            return f"{self._wrap(kids[0], 6)} == {member}", 5
        if kind == z3.Z3_OP_AND:
            return " and ".join(self._in(None, k, 4) for k in kids), 3
        if kind == z3.Z3_OP_OR:
            return " or ".join(self._in(None, k, 3) for k in kids), 2
        if kind == z3.Z3_OP_NOT:
            inner = kids[0]
            if z3.is_app(inner) and inner.decl().kind() in self._NEGATED:
                return self._compare(self._NEGATED[inner.decl().kind()], *inner.children())
            if z3.is_app(inner) and inner.decl().kind() == z3.Z3_OP_EQ:
                unit = self._dimension(inner.arg(0)) or self._dimension(inner.arg(1))
                return f"{self._in(unit, inner.arg(0), 6)} != {self._in(unit, inner.arg(1), 6)}", 5
            if z3.is_app(inner) and inner.decl().kind() == z3.Z3_OP_DT_IS:
                member = inner.decl().params()[0].name()
                return f"{self._wrap(inner.children()[0], 6)} != {member}", 5
            return f"not {self._in(None, inner, 4)}", 4
        if kind in self._NEGATED:
            return self._compare(kind, *kids)
        if kind == z3.Z3_OP_EQ:
            op = "iff" if z3.is_bool(kids[0]) else "=="
            unit = self._dimension(kids[0]) or self._dimension(kids[1])
            return f"{self._in(unit, kids[0], 6)} {op} {self._in(unit, kids[1], 6)}", 1 if op == "iff" else 5
        if kind == z3.Z3_OP_DISTINCT and len(kids) == 2:
            unit = self._dimension(kids[0]) or self._dimension(kids[1])
            return f"{self._in(unit, kids[0], 6)} != {self._in(unit, kids[1], 6)}", 5
        if kind == z3.Z3_OP_UMINUS:
            return f"-{self._wrap(kids[0], 8)}", 8
        if kind == z3.Z3_OP_ITE:
            return (f"if {self._in(None, kids[0], 0)} then {self._wrap(kids[1], 0)} "
                    f"else {self._wrap(kids[2], 0)}"), 0
        if kind == z3.Z3_OP_MUL:  # a quantity scaled by an int: the scale is a plain number
            op, prec = self._BINARY[kind]
            parts = [self._in(None if self._dimension(k) is None else self._unit, k, prec) for k in kids]
            return " * ".join(parts), prec
        if kind in self._BINARY:
            op, prec = self._BINARY[kind]
            left = self._wrap(kids[0], prec)
            rest = [self._wrap(k, prec + 1) for k in kids[1:]]
            return f" {op} ".join([left, *rest]), prec
        raise _CannotPrint(str(e))


__all__ = ["SpecPrinter", "strengthen"]
