"""Candidate invariants from a spec's own atoms, kept when every sampled state satisfies them.

An atom is a yes/no fact about one state, built from the spec's state
variables at universally quantified indices: a boolean (`link[c1][s1]`), an
enum test (`rm[r1] == prepared`), an optional's absence (`owner[t1] == none`), an equality of set-typed terms
(`voted_for[n1] == n2`), a comparison of an integer term with a number of
the spec or with another integer term (`ticket[t1] < next_ticket`). A
candidate is a clause (a disjunction) of up to three literals over atoms,
quantified over every variable it mentions, optionally with a premise that
two variables of one set differ (`a != b implies ...`, which does not count
as a literal).

The candidates kept are the strongest clauses true in every row of the
samples (a row: a reachable state with the variables bound to elements):
a clause is not enumerated when a shorter one inside it is already kept,
and of the clauses that differ only by renaming variables of one set, one
is kept. The atoms' truth over the rows is a bitmask, so a clause is checked
against every sample with two integer ORs.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import ir
from ..explore import Sample
from ..interpret import Env, EvaluationError, compiled
from ..ir import BoolT, EnumT, IntT, MapT, OptionT, QuantityT, RecordT, RefKind, SetOfT, SetT, StructT
from ..nodes import make
from ..structure import leaves
from .encode import aggregated_sets

_BOOL = ir.BoolT()
# An action's or a guard's numbers, at most this many, are the constants integer terms are compared with.
MAX_CONSTANTS = 4
# Integer terms whose linear equalities over the samples are looked for, at most (`_laws`).
MAX_LAW_TERMS = 40
# Boolean state variables a law may weigh as 0 or 1, at most; and the plain sums taken in pairs.
MAX_LAW_FLAGS = 8
MAX_PAIRED_SUMS = 6


@dataclass(frozen=True)
class Var:
    name: str
    set: str


@dataclass(frozen=True)
class Term:
    expr: ir.Expr
    text: str
    type: ir.Type
    vars: tuple[str, ...]


@dataclass
class Atom:
    expr: ir.Expr  # typed IR, a boolean over the variables
    op: str  # "bool", or the comparison's operator
    left: str
    right: str
    vars: tuple[str, ...]
    # the term an enum test or a comparison with a number is about: `t != a or t != b` always holds,
    # and two comparisons of one term with numbers are not worth a clause
    subject: str | None = None
    var_equality: bool = False  # `a == b` for two variables: only ever a premise
    enum_test: bool = False
    # about a sum or count over a set: only ever a clause of its own (a conservation law); in a
    # disjunction it would mostly cost the solver (every pair of sums instantiates an axiom)
    aggregate: bool = False
    # an action's guard that counts, sums or quantifies, at variables (`2 * count(n in Node if vote[n][v1])
    # > count(m in Node)`): only ever positive, beside one other literal (what the action made true)
    guard: bool = False
    # `(exists n0 in Node: proposed[n0][v1])`: an atom with one of its variables bound by `exists`, only
    # ever positive and one to a clause (`relayed[v1] implies (exists n0 in Node: proposed[n0][v1])`)
    exists: bool = False

    @property
    def text(self) -> str:
        return self.left if self.op == "bool" else f"{self.left} {self.op} {self.right}"

    @property
    def negation(self) -> str:
        if self.op == "bool":
            return f"not {self.left}"
        return f"{self.left} {_NEGATED[self.op]} {self.right}"

    @property
    def premise(self) -> bool:
        """Whether the atom reads well as the premise of an implication when its literal is negative."""
        return self.op in ("bool", "==", "in")


_NEGATED = {"==": "!=", "<=": ">", ">=": "<", "in": "not in"}


def key(op: str, left: str, right: str) -> tuple[str, str, str]:
    """An atom's identity: `a == b` and `b == a` are one atom."""
    if op == "==" and right < left:
        left, right = right, left
    return op, left, right


@dataclass(frozen=True)
class Clause:
    """A disjunction of literals (atom index, positive?) over a vocabulary's atoms."""

    literals: tuple[tuple[int, bool], ...]


@dataclass
class Vocabulary:
    """Every atom over a fixed list of quantified variables (up to `per_set` for each set)."""

    spec: ir.Spec
    vars: list[Var]
    atoms: list[Atom] = field(default_factory=list)
    index: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add(self, atom: Atom) -> None:
        k = key(atom.op, atom.left, atom.right)
        if k not in self.index:
            self.index[k] = len(self.atoms)
            self.atoms.append(atom)


# ---- building the vocabulary -------------------------------------------------------------------------


def _taken(spec: ir.Spec) -> set[str]:
    """The names a spec declares (a candidate's variables must not hide one)."""
    taken = {s.name for s in spec.sets} | {e.name for e in spec.enums} | {c.name for c in spec.consts}
    taken |= {f.name for f in spec.state} | {m.name for e in spec.enums for m in e.members}
    return taken | {p.name for a in spec.actions for p in a.params} | {a.name for a in spec.actions}


def var_names(spec: ir.Spec, per_set: int) -> list[Var]:
    """Variable names for each set that no name of the spec uses: `c1, c2` for Client."""
    taken = _taken(spec)
    prefixes: dict[str, str] = {}
    for s in spec.sets:
        for stem in (s.name[0].lower(), s.name.lower(), s.name.lower() + "_"):
            names = [f"{stem}{i}" for i in range(1, per_set + 1)]
            if stem not in prefixes.values() and not taken.intersection(names):
                prefixes[s.name] = stem
                break
        else:
            prefixes[s.name] = f"{s.name.lower()}_v"
    return [Var(f"{prefixes[s.name]}{i}", s.name) for s in spec.sets for i in range(1, per_set + 1)]


def vocabulary(spec: ir.Spec, per_set: int, numbers: bool = True, samples: list[Sample] = (),
               exists: bool = False) -> Vocabulary:
    """The atoms over `per_set` variables per set; with `numbers`, also integer terms against the spec's numbers,
    and the linear equalities among integer terms that every state of `samples` satisfies; with `exists`,
    also each atom with one of its variables bound by `exists`."""
    vocab = Vocabulary(spec, var_names(spec, per_set))
    span = spec.span
    by_set: dict[str, list[Term]] = {}
    for v in vocab.vars:
        by_set.setdefault(v.set, []).append(
            Term(make(ir.Name, span=span, name=v.name, ref=RefKind.BOUND, type=SetT(name=v.set)), v.name,
                 SetT(name=v.set), (v.name,)))
    terms = [t for f in spec.state for t in _terms(_state_ref(f, span), f.name, f.type.resolved, (), by_set, spec)]
    _equalities_of_vars(vocab, by_set)
    for t in terms:
        _atoms_of(vocab, t, terms, by_set, spec, numbers)
    if numbers:
        totals = _totals(vocab, terms, by_set)
        _aggregate_atoms(vocab, terms, totals)
        _laws(vocab, [t for t in terms if not t.vars and isinstance(t.type, IntT)],
              [_indicator(t, span) for t in terms if not t.vars and isinstance(t.type, BoolT)][:MAX_LAW_FLAGS],
              totals, samples)
    _guard_atoms(vocab, by_set)
    if exists:
        _existential_atoms(vocab)
    return vocab


def _existential_atoms(vocab: Vocabulary) -> None:
    """`exists y0 in S: atom` for each atom that is a boolean, an enum test or a membership, and each of
    its variables y of S: the other variables stay the candidate's. A validity property needs them: "a
    relayed value was proposed by some node" is `relayed[v1] implies (exists n0 in Node: proposed[n0][v1])`.
    The bound variable is the set's `0` (as an aggregate's), so that the atoms binding `n1` and `n2` of one
    atom's renamings are one atom."""
    spec = vocab.spec
    span = spec.span
    sets = {v.name: v.set for v in vocab.vars}
    for atom in list(vocab.atoms):
        if atom.var_equality or atom.aggregate or atom.guard or not (
                atom.op in ("bool", "in") or atom.enum_test):
            continue
        for var in atom.vars:
            bound = _fresh(spec, var.rstrip("0123456789") + "0")
            domain = _domain(sets[var], span)
            body = _rename_bound(atom.expr, var, bound)
            expr = make(ir.Quantifier, span=span, quantifier="exists", var=bound, var_span=span, domain=domain,
                        body=body, type=_BOOL)
            text = f"(exists {bound} in {sets[var]}: {_renamed_text(atom.text, var, bound)})"
            vocab.add(Atom(expr, "bool", text, "", tuple(v for v in atom.vars if v != var), exists=True))
    # a witness with a property of its own, related to the candidate's variables: "someone inside sent to
    # s" is `(exists n0 in Node: internal[n0] and sent[n0][n1])`, the property an atom of that variable alone
    plain = [a for a in vocab.atoms if not (a.var_equality or a.aggregate or a.guard or a.exists)
             and (a.op in ("bool", "in") or a.enum_test)]
    for prop in plain:
        if len(prop.vars) != 1:
            continue
        var = prop.vars[0]
        bound = _fresh(spec, var.rstrip("0123456789") + "0")
        for rel in plain:
            if var not in rel.vars or len(rel.vars) < 2:
                continue
            body = make(ir.Binary, span=span, op=ir.BinOp.AND, left=_rename_bound(prop.expr, var, bound),
                        right=_rename_bound(rel.expr, var, bound), type=_BOOL)
            expr = make(ir.Quantifier, span=span, quantifier="exists", var=bound, var_span=span,
                        domain=_domain(sets[var], span), body=body, type=_BOOL)
            text = (f"(exists {bound} in {sets[var]}: {_renamed_text(prop.text, var, bound)} and "
                    f"{_renamed_text(rel.text, var, bound)})")
            vocab.add(Atom(expr, "bool", text, "", tuple(v for v in rel.vars if v != var), exists=True))


def _guard_atoms(vocab: Vocabulary, by_set: dict[str, list[Term]]) -> None:
    """The conjuncts of the actions' guards that count, sum or quantify over a set, with the action's
    parameters read as the candidates' variables: `decide(v)` requires a majority voted for v, and what
    it did (`decided[v] := true`) then implies that a majority voted for v, a support a quorum protocol
    needs that no atom of state variables says. Only guards whose parameters are all elements of sets,
    and that read and print back as spec text."""
    spec = vocab.spec
    names = {v.name for v in vocab.vars}
    for action in spec.actions:
        params = {p.name: p.type.resolved for p in action.params}
        conjuncts = [c for s in action.body if isinstance(s, ir.Requires) for c in _conjuncts(s.cond)]
        for cond in conjuncts:
            found = list(ir.walk(cond))
            if not any(isinstance(n, (ir.Aggregate, ir.Quantifier)) for n in found):
                continue
            if any(getattr(n, "var", None) in names for n in found if isinstance(n, (ir.Aggregate, ir.Quantifier))):
                continue  # its own variable would hide a candidate's
            used = list(dict.fromkeys(n.name for n in found if isinstance(n, ir.Name) and n.ref is RefKind.PARAM))
            mapping: dict[str, Term] = {}
            taken: dict[str, int] = {}
            for name in used:
                t = params.get(name)
                if not isinstance(t, SetT) or taken.get(t.name, 0) >= len(by_set.get(t.name, [])):
                    break
                mapping[name] = by_set[t.name][taken.get(t.name, 0)]
                taken[t.name] = taken.get(t.name, 0) + 1
            else:
                expr = _params_as_vars(cond, mapping)
                shown = show(expr)
                if shown is not None:
                    if isinstance(expr, (ir.Binary, ir.Quantifier)):
                        shown = f"({shown})"
                    vocab.add(Atom(expr, "bool", shown, "", tuple(t.vars[0] for t in mapping.values()), guard=True))


def _conjuncts(e: ir.Expr) -> list[ir.Expr]:
    if isinstance(e, ir.Binary) and e.op is ir.BinOp.AND:
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [e]


def _params_as_vars(expr: ir.Expr, mapping: dict[str, Term]) -> ir.Expr:
    """`expr` with each action parameter in `mapping` read as the candidate's variable."""
    if isinstance(expr, ir.Name) and expr.ref is RefKind.PARAM and expr.name in mapping:
        return mapping[expr.name].expr
    updates = {}
    for field_name in type(expr).model_fields:
        value = getattr(expr, field_name)
        if isinstance(value, ir._Expr):
            updates[field_name] = _params_as_vars(value, mapping)
        elif isinstance(value, list) and value and isinstance(value[0], ir._Expr):
            updates[field_name] = [_params_as_vars(v, mapping) for v in value]
    return expr.model_copy(update=updates) if updates else expr


_ARITHMETIC = (ir.BinOp.ADD, ir.BinOp.SUB, ir.BinOp.MUL, ir.BinOp.DIV, ir.BinOp.MOD)


def show(e: ir.Expr) -> str | None:
    """`e` as spec text that reads back as `e` (operands that are operations in parentheses), or None
    for a form this does not print."""
    def inner(x: ir.Expr) -> str | None:
        text = show(x)
        arithmetic = isinstance(x, ir.Binary) and x.op in _ARITHMETIC
        if isinstance(e, ir.Compare) and arithmetic:
            return text  # `2 * count(...) > count(...)`: arithmetic binds tighter than a comparison
        if text is not None and isinstance(x, (ir.Binary, ir.Compare, ir.Quantifier, ir.Member, ir.Unary)):
            return f"({text})"
        return text

    if isinstance(e, ir.Name):
        return e.name
    if isinstance(e, ir.IntLit):
        return str(e.value)
    if isinstance(e, ir.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, ir.NoneLit):
        return "none"
    if isinstance(e, ir.Some):
        return show(e.value)
    parts: list[str | None]
    if isinstance(e, ir.Index):
        parts = [inner(e.base), show(e.key)]
        return None if None in parts else f"{parts[0]}[{parts[1]}]"
    if isinstance(e, ir.FieldAccess):
        base = inner(e.base)
        return None if base is None else f"{base}.{e.field}"
    if isinstance(e, ir.Unary):
        operand = inner(e.operand)
        return None if operand is None else f"{e.op.value}{' ' if e.op is ir.UnOp.NOT else ''}{operand}"
    if isinstance(e, (ir.Binary, ir.Compare)):
        parts = [inner(e.left), inner(e.right)]
        return None if None in parts else f"{parts[0]} {e.op.value} {parts[1]}"
    if isinstance(e, ir.Member):
        parts = [inner(e.element), inner(e.collection)]
        return None if None in parts else f"{parts[0]} in {parts[1]}"
    if isinstance(e, ir.Call):
        parts = [show(a) for a in e.args]
        return None if None in parts else f"{e.func}({', '.join(parts)})"  # type: ignore[arg-type]
    if isinstance(e, ir.Quantifier):
        parts = [show(e.domain), show(e.body)]
        return None if None in parts else f"{e.quantifier} {e.var} in {parts[0]}: {parts[1]}"
    if isinstance(e, ir.Aggregate):
        parts = [show(e.domain), None if e.cond is None else show(e.cond)]
        if parts[0] is None or (e.cond is not None and parts[1] is None):
            return None
        where = f"{e.var} in {parts[0]}" + ("" if e.cond is None else f" if {parts[1]}")
        if e.op == "count":
            return f"count({where})"
        value = show(e.value) if e.value is not None else None
        return None if value is None else f"sum({value} for {where})"
    return None


def _totals(vocab: Vocabulary, terms: list[Term], by_set: dict[str, list[Term]]) -> list[Term]:
    """The totals over each set the spec already sums or counts over: a count of the elements an atom
    holds for (`count(t1 in Thread if holding[t1])`), a sum of an integer map over the set, and the
    number of members of a set value of the set's elements."""
    spec = vocab.spec
    span = spec.span
    totals = []
    for set_name in aggregated_sets(spec):
        if not by_set.get(set_name):
            continue
        var = by_set[set_name][0]
        bound = _fresh(spec, var.text.rstrip("0123456789") + "0")  # the aggregate's own variable
        domain = _domain(set_name, span)
        for t in terms:  # the number of elements a set value of the set's elements holds
            if not t.vars and isinstance(t.type, SetOfT) and t.type.element == SetT(name=set_name):
                totals.append(Term(make(ir.Call, span=span, func="card", args=[t.expr], type=IntT(low=0)),
                                   f"card({t.text})", IntT(), ()))
        for atom in list(vocab.atoms):
            # (a count of a set value's members is its `card`, above)
            if atom.vars == var.vars and not atom.var_equality and not atom.aggregate and atom.op != "in":
                cond = _rename_bound(atom.expr, var.text, bound)
                totals.append(Term(make(ir.Aggregate, span=span, op="count", var=bound, var_span=span, domain=domain,
                                        cond=cond, type=IntT(low=0)),
                                   f"count({bound} in {set_name} if {_renamed_text(atom.text, var.text, bound)})",
                                   IntT(), ()))
        for t in terms:
            if t.vars == var.vars and isinstance(t.type, IntT):
                totals.append(Term(make(ir.Aggregate, span=span, op="sum", var=bound, var_span=span, domain=domain,
                                        value=_rename_bound(t.expr, var.text, bound), type=IntT()),
                                   f"sum({_renamed_text(t.text, var.text, bound)} for {bound} in {set_name})",
                                   IntT(), ()))
    return totals


def _aggregate_atoms(vocab: Vocabulary, terms: list[Term], totals: list[Term]) -> None:
    """Conservation laws of one total against an integer state variable and the spec's numbers:
    `A + x == k` and `A == x`, whether or not the samples vary them (a counter kept beside a map, a
    semaphore's permits: the support the goal needs is the law). No `A <= k` alone: over a set of
    unbounded size a count has no bound of its own (the samples' small sets suggest one), and z3 can
    spend its whole timeout failing to refute it."""
    span = vocab.spec.span
    scalars = [t for t in terms if not t.vars and isinstance(t.type, IntT)]
    numbers = [_number(c, span) for c in _constants(vocab.spec)]
    for total in totals:
        for x in scalars:
            _compare(vocab, ir.CmpOp.EQ, total, x, aggregate=True)
            both = Term(make(ir.Binary, span=span, op=ir.BinOp.ADD, left=total.expr, right=x.expr, type=IntT()),
                        f"{total.text} + {x.text}", IntT(), ())
            for c in numbers:
                _compare(vocab, ir.CmpOp.EQ, both, c, subject=both.text, aggregate=True)


def _laws(vocab: Vocabulary, scalars: list[Term], flags: list[Term], totals: list[Term],
          samples: list[Sample]) -> None:
    """Each linear equality `c1 * t1 + ... + cn * tn == k` that every sampled state satisfies among the
    integer state variables, and among them and one total (a count or a sum over a set) or two plain sums,
    as an atom of its own: the samples' affine hull. A conservation law of any number of terms (`produced
    == items + consumed`, the balances' sum and what is in flight against a supply) is one of them when
    the samples vary the terms enough; one they do not is only a candidate, which induction judges like
    any other. A law with a total may also weigh boolean state variables (`flags`, as 0 or 1): "what the
    branches hold and what is in flight is the capital once the bank has opened" is `sum(balance[b0] for
    b0 in Branch) + sum(incoming[b0] for b0 in Branch) == (if opened then 1000 else 0)`.

    A law names one total beside at least one variable, or two sums of a map's entries: two totals
    cost z3 an instance of the sums' axioms for each pair, and the small instances make many counts
    (which have conditions) look alike, so laws between counts are not proposed."""
    if len(scalars) > MAX_LAW_TERMS or not samples:
        return
    columns = scalars + flags + totals
    evaluators = [compiled(t.expr) for t in columns]
    rows: set[tuple[int, ...]] = set()
    for s in samples:
        env = Env.of(vocab.spec, s.universe)
        for state in s.states:
            env = env.with_state(state)
            try:
                rows.add(tuple(int(fn(env)) for fn in evaluators))
            except EvaluationError:
                continue
    n, f = len(scalars), len(scalars) + len(flags)
    if not rows:
        return
    found = [(law, scalars) for law in (affine_hull(sorted({r[:n] for r in rows}), n) if n >= 2 else [])]
    for i, total in enumerate(totals):
        laws = affine_hull(sorted({(r[f + i], *r[:f]) for r in rows}), f + 1)  # the total first: it leads
        found += [(law, [total, *scalars, *flags]) for law in laws if law[0] and any(law[1:-1])]
    sums = [i for i, t in enumerate(totals) if isinstance(t.expr, ir.Aggregate) and t.expr.op == "sum"]
    for i, j in itertools.combinations(sums[:MAX_PAIRED_SUMS], 2):
        laws = affine_hull(sorted({(r[f + i], r[f + j], *r[:f]) for r in rows}), f + 2)
        found += [(law, [totals[i], totals[j], *scalars, *flags]) for law in laws if law[0] and law[1]]
    span = vocab.spec.span
    for law, named in found:
        sides: tuple[list[tuple[int, Term]], list[tuple[int, Term]]] = ([], [])
        for c, t in zip(law, named, strict=False):
            if c:
                sides[c < 0].append((abs(c), t))
        k = law[-1]  # sum(c * t) + k == 0
        if k:
            sides[k < 0].append((1, _number(abs(k), span)))
        left, right = (_linear(side, span) for side in sides)
        _compare(vocab, ir.CmpOp.EQ, left, right, aggregate=True)


def _indicator(t: Term, span) -> Term:
    """A boolean term as the integer 1 when it holds and 0 when not."""
    return Term(make(ir.IfThenElse, span=span, cond=t.expr, then=_number(1, span).expr, else_=_number(0, span).expr,
                     type=IntT(low=0, high=1)), f"(if {t.text} then 1 else 0)", IntT(), ())


def _linear(terms: list[tuple[int, Term]], span) -> Term:
    """The sum of `c * t` over the terms (0 when there is none); `c` times an indicator is `(if b then c
    else 0)`."""
    out = None
    for c, t in terms:
        if c != 1 and isinstance(t.expr, ir.IfThenElse):
            t = Term(make(ir.IfThenElse, span=span, cond=t.expr.cond, then=_number(c, span).expr,
                          else_=_number(0, span).expr, type=IntT(low=0, high=c)),
                     t.text.replace(" then 1 else", f" then {c} else"), IntT(), ())
        elif c != 1:
            t = Term(make(ir.Binary, span=span, op=ir.BinOp.MUL,
                          left=_number(c, span).expr, right=t.expr, type=IntT()),
                     f"{c} * {t.text}", IntT(), ())
        out = t if out is None else Term(make(ir.Binary, span=span, op=ir.BinOp.ADD, left=out.expr, right=t.expr,
                                              type=IntT()), f"{out.text} + {t.text}", IntT(), ())
    return out or _number(0, span)


def affine_hull(rows: list[tuple[int, ...]], n: int) -> list[tuple[int, ...]]:
    """The linear equalities `c . row + k == 0` that every row (n integers) satisfies, as integer vectors
    (c1, ..., cn, k) in reduced row echelon form (each with its own leading term, the others' leading
    terms absent from it, coprime coefficients and a positive leading one): a basis of all of them.

    Each row cuts the space of equalities still possible (at first every vector) by one dimension at
    most: the vectors it breaks are combined with one of them so that the row holds, and that one is
    dropped. Integers throughout, kept small by their gcd."""
    basis = [tuple(int(i == j) for j in range(n + 1)) for i in range(n + 1)]
    for row in rows:
        r = (*row, 1)
        dots = [sum(a * b for a, b in zip(v, r, strict=True)) for v in basis]
        pivot = next((i for i, d in enumerate(dots) if d), None)
        if pivot is None:
            continue
        p, dp = basis[pivot], dots[pivot]
        basis = [v if not d else _reduced(tuple(dp * a - d * b for a, b in zip(v, p, strict=True)))
                 for i, (v, d) in enumerate(zip(basis, dots, strict=True)) if i != pivot]
        if not basis:
            return []
    return _echelon(basis, n + 1)


def _reduced(v: tuple[int, ...]) -> tuple[int, ...]:
    g = 0
    for a in v:
        g = math.gcd(g, a)
    if g > 1:
        v = tuple(a // g for a in v)
    lead = next((a for a in v if a), 0)
    return tuple(-a for a in v) if lead < 0 else v


def _echelon(vectors: list[tuple[int, ...]], width: int) -> list[tuple[int, ...]]:
    rows = [list(v) for v in vectors]
    out: list[list[int]] = []
    for col in range(width):
        i = next((i for i, r in enumerate(rows) if r[col]), None)
        if i is None:
            continue
        p = rows.pop(i)
        for group in (rows, out):
            for j, r in enumerate(group):
                if r[col]:
                    group[j] = list(_reduced(tuple(p[col] * a - r[col] * b for a, b in zip(r, p, strict=True))))
        out.append(list(_reduced(tuple(p))))
    return [tuple(r) for r in out]


def _number(c: int, span) -> Term:
    """The integer literal c as a term."""
    return Term(make(ir.IntLit, span=span, value=c, type=IntT()), str(c), IntT(), ())


def _domain(set_name: str, span) -> ir.Expr:
    """The name of a set as the domain a quantifier or an aggregate ranges over."""
    return make(ir.Name, span=span, name=set_name, ref=RefKind.DOMAIN, type=ir.DomainT(element=SetT(name=set_name)))


def _fresh(spec: ir.Spec, name: str) -> str:
    taken = _taken(spec)
    while name in taken:
        name += "_"
    return name


def _rename_bound(expr: ir.Expr, old: str, new: str) -> ir.Expr:
    """`expr` with the quantified variable `old` (a candidate's) read as `new` (an aggregate's own)."""
    if isinstance(expr, ir.Name) and expr.ref is RefKind.BOUND and expr.name == old:
        return expr.model_copy(update={"name": new})
    updates = {}
    for field_name in type(expr).model_fields:
        value = getattr(expr, field_name)
        if isinstance(value, ir._Expr):
            updates[field_name] = _rename_bound(value, old, new)
    return expr.model_copy(update=updates) if updates else expr


def _renamed_text(text: str, old: str, new: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, text)


def _state_ref(f: ir.StateField, span) -> tuple:
    return make(ir.Name, span=span, name=f.name, ref=RefKind.VAR, type=f.type.resolved)


def _terms(expr: ir.Expr, text: str, t: ir.Type, used: tuple[str, ...], by_set: dict[str, list[Term]],
           spec: ir.Spec) -> Iterator[Term]:
    """The scalar terms a state variable gives: itself, its entries at variables and enum values, and the
    fields of a record (a block of state fields, or a value of a named record type)."""
    span = spec.span
    if isinstance(t, (RecordT, StructT)):
        node = ir.FieldAccess if isinstance(t, RecordT) else ir.RecordField  # as the checker builds them
        for name, ft in t.fields:
            yield from _terms(make(node, span=span, base=expr, field=name, type=ft),
                              f"{text}.{name}", ft, used, by_set, spec)
        return
    if isinstance(t, MapT):
        keys: list[tuple[ir.Expr, str, tuple[str, ...]]] = []
        if isinstance(t.key, SetT):
            keys = [(k.expr, k.text, k.vars) for k in by_set.get(t.key.name, [])]
        elif isinstance(t.key, EnumT):
            members = next(e for e in spec.enums if e.name == t.key.name).members
            keys = [(make(ir.Name, span=span, name=m.name, ref=RefKind.ENUM_VALUE, enum=t.key.name, type=t.key),
                     m.name, ()) for m in members]
        for k_expr, k_text, k_vars in keys:
            entry = make(ir.Index, span=span, base=expr, key=k_expr, type=t.value)
            yield from _terms(entry, f"{text}[{k_text}]", t.value, used + k_vars, by_set, spec)
        return
    if isinstance(t, (BoolT, IntT, QuantityT, EnumT, SetT, OptionT)) or (
            isinstance(t, SetOfT) and isinstance(t.element, (SetT, EnumT))):
        yield Term(expr, text, t, tuple(dict.fromkeys(used)))


def _compare(vocab: Vocabulary, op: ir.CmpOp, a: Term, b: Term, **extra) -> None:
    expr = make(ir.Compare, span=vocab.spec.span, op=op, left=a.expr, right=b.expr, type=_BOOL)
    vocab.add(Atom(expr, op.value, a.text, b.text, tuple(dict.fromkeys(a.vars + b.vars)), **extra))


def _equalities_of_vars(vocab: Vocabulary, by_set: dict[str, list[Term]]) -> None:
    for terms in by_set.values():
        for a, b in itertools.combinations(terms, 2):
            _compare(vocab, ir.CmpOp.EQ, a, b, var_equality=True)


def _atoms_of(vocab: Vocabulary, t: Term, terms: list[Term], by_set: dict[str, list[Term]], spec: ir.Spec,
              numbers: bool) -> None:
    span = spec.span
    if isinstance(t.type, BoolT):
        vocab.add(Atom(t.expr, "bool", t.text, "", t.vars))
    elif isinstance(t.type, EnumT):
        members = next(e for e in spec.enums if e.name == t.type.name).members
        # with two members one test is the other's negation; with one, a test is always true
        for m in members[:1] if len(members) == 2 else members if len(members) > 2 else []:
            value = make(ir.Name, span=span, name=m.name, ref=RefKind.ENUM_VALUE, enum=t.type.name, type=t.type)
            _compare(vocab, ir.CmpOp.EQ, t, Term(value, m.name, t.type, ()), subject=t.text, enum_test=True)
    elif isinstance(t.type, SetT):
        for other in by_set.get(t.type.name, []) + [u for u in terms if u.type == t.type and u.text != t.text]:
            _compare(vocab, ir.CmpOp.EQ, t, other)
    elif isinstance(t.type, SetOfT):  # a set value: which elements are in it (`s1 in sold`)
        element = t.type.element
        if isinstance(element, SetT):
            members = by_set.get(element.name, [])
        else:
            members = [Term(make(ir.Name, span=span, name=m.name, ref=RefKind.ENUM_VALUE, enum=element.name,
                                 type=element), m.name, element, ())
                       for m in next(e for e in spec.enums if e.name == element.name).members]
        for m in members:
            expr = make(ir.Member, span=span, element=m.expr, collection=t.expr, type=_BOOL)
            vocab.add(Atom(expr, "in", m.text, t.text, tuple(dict.fromkeys(m.vars + t.vars))))
    elif isinstance(t.type, OptionT):  # absent or present (`owner[t1] != none` is its negation)
        # tests of one value, as an enum's are: two of them negated always hold (`x != none or x != n1`)
        _compare(vocab, ir.CmpOp.EQ, t, Term(make(ir.NoneLit, span=span, type=t.type), "none", t.type, ()),
                 subject=t.text, enum_test=True)
        if isinstance(t.type.value, SetT):  # present with an element (`voted_for[n1] == c1`)
            for v in by_set.get(t.type.value.name, []):
                _compare(vocab, ir.CmpOp.EQ, t, Term(make(ir.Some, span=span, value=v.expr, type=t.type), v.text,
                                                     t.type, v.vars), subject=t.text, enum_test=True)
    else:
        dim = _dimension(t.type)
        low = t.type.low if isinstance(t.type, IntT) else None  # a quantity (a duration, a decimal) may be negative
        for c in (_constants(spec) if dim == "int" else [0]) if numbers else []:
            lit = _number(c, span)
            for op in _bound_comparisons(c, low):
                _compare(vocab, op, t, lit, subject=t.text)
        for u in terms:
            if u.text < t.text and isinstance(u.type, (IntT, QuantityT)) and _dimension(u.type) == dim:
                for op in (ir.CmpOp.EQ, ir.CmpOp.LE, ir.CmpOp.GE):
                    _compare(vocab, op, t, u, subject=f"{t.text} ~ {u.text}")


def _bound_comparisons(c: int, low: int | None) -> list[ir.CmpOp]:
    """The comparisons of a term with the number c that its type's lower bound does not decide:
    for a nat, `t >= 0` always holds and `t <= 0` says `t == 0`."""
    if low is not None and c < low:
        return []
    if low is not None and c == low:
        return [ir.CmpOp.EQ]
    return [ir.CmpOp.EQ, ir.CmpOp.LE, ir.CmpOp.GE]


def _dimension(t: ir.Type) -> str:
    return t.dimension if isinstance(t, QuantityT) else "int"


def _constants(spec: ir.Spec) -> list[int]:
    """0, and the smallest integers the spec writes, as constants or in its init and actions."""
    found = {0}
    found.update(c.evaluated for c in spec.consts if isinstance(c.evaluated, int) and not isinstance(c.evaluated, bool))
    exprs = [a.value for a in spec.init] + [s.value if isinstance(s, ir.Assign) else s.cond
                                            for a in spec.actions for s in a.body]
    for e in exprs:
        found.update(n.value for n in ir.walk(e) if isinstance(n, ir.IntLit))
    return sorted(found, key=lambda c: (abs(c), c))[:MAX_CONSTANTS]


# ---- the atoms' truth over the samples -----------------------------------------------------------------

# The atoms' tables kept across the stages of one inference, in cells (an atom's truth at one assignment of
# its variables in one state): a few hundred MB at most
MEMO_CELLS = 4_000_000


def truth(vocab: Vocabulary, samples: list[Sample], memo: dict | None = None) -> tuple[list[int], int]:
    """Each atom's bitmask over the distinct rows of the samples, and the mask of every row. `memo`, kept
    by the caller across stages, holds each atom's tables per sample: a later stage's vocabulary repeats
    most atoms of the one before (the ticket lock: 25 of 41), and evaluating them is most of the work."""
    memo = {} if memo is None else memo
    rows: set[tuple[bool, ...]] = set()
    spec = vocab.spec
    evaluators = [compiled(a.expr) for a in vocab.atoms]
    roots: dict[str, list[str]] = {}  # a state variable's leaves (a record's fields are leaves of their own)
    for leaf in leaves(spec):
        roots.setdefault(leaf.path.split(".", 1)[0], []).append(leaf.path)
    reads = [_state_read(a.expr, roots) for a in vocab.atoms]
    for s in samples:
        # an atom's table in a state depends only on the state variables it reads: states that agree on
        # them share it (on the multi_lock_server protocol, 5,039 states and 20 atoms: most tables repeat)
        env = Env.of(spec, s.universe)
        elements = [s.universe[v.set] for v in vocab.vars]
        assignments = list(itertools.product(*elements))
        positions = [[i for i, v in enumerate(vocab.vars) if v.name in a.vars] for a in vocab.atoms]
        # an atom's meaning is its text with its variables' names in order (their sets are in the text's
        # vocabulary, the same for every stage of one spec). Kept up to MEMO_CELLS cells in all, past which
        # a sample's tables are its own, as they were before the memo
        keys = [(id(s), a.text, *(vocab.vars[p].name for p in pos)) for a, pos in zip(vocab.atoms, positions, strict=True)]
        keep = memo.setdefault("cells", 0) < MEMO_CELLS
        tables: list[dict] = [memo.setdefault(k, {}) if keep else memo.get(k, {}) for k in keys]
        evaluated = 0
        projections = [[tuple(x[p] for p in pos) for x in assignments] for pos in positions]
        seen: set[tuple] = set()  # the atoms' tables of a state already turned into rows
        for state in s.states:
            env = env.with_state(state)
            columns = []
            for fn, pos, read, known in zip(evaluators, positions, reads, tables, strict=True):
                key = state if read is None else tuple(state[v] for v in read)
                table = known.get(key)
                if table is not None:
                    columns.append(table)
                    continue
                table = known[key] = {}
                names = [vocab.vars[p].name for p in pos]
                for values in itertools.product(*[elements[p] for p in pos]):
                    env.bound = dict(zip(names, values, strict=True))
                    try:
                        table[values] = bool(fn(env))
                    except EvaluationError:
                        table[values] = False
                evaluated += len(table)
                columns.append(table)
            # many states differ only where no atom looks: their rows are the ones already added (the
            # tables are shared objects, kept for the whole sample: the same tables, the same ids)
            key = tuple(map(id, columns))
            if key in seen:
                continue
            seen.add(key)
            # each row is one assignment's truth of every atom; read column by column, without a generator
            # per row (5.5 million of them on the multi_lock_server protocol)
            cells = [[col[p] for p in proj] for col, proj in zip(columns, projections, strict=True)]
            rows.update(zip(*cells, strict=True) if cells else [()] * bool(assignments))
        if keep:
            memo["cells"] += evaluated
    ordered = sorted(rows)
    masks = [0] * len(vocab.atoms)
    for bit, row in enumerate(ordered):
        for a, value in enumerate(row):
            if value:
                masks[a] |= 1 << bit
    return masks, (1 << len(ordered)) - 1


def _state_read(expr: ir.Expr, roots: dict[str, list[str]]) -> tuple[str, ...] | None:
    """The state's leaves an atom reads (`roots`: each variable's leaves), or None when that is not plain
    from its syntax (a call) or a name is not a state variable's."""
    paths: set[str] = set()
    for n in ir.walk(expr):
        if isinstance(n, ir.Call):
            return None
        if isinstance(n, ir.Name) and n.ref is RefKind.VAR:
            if n.name not in roots:
                return None
            paths.update(roots[n.name])
    return tuple(sorted(paths))


# ---- enumerating the clauses ------------------------------------------------------------------------------


def clauses(vocab: Vocabulary, masks: list[int], full: int, max_literals: int,
            deadline: float | None = None) -> list[Clause] | None:
    """The minimal clauses of up to `max_literals` literals (plus a distinctness premise) true on every row,
    one per class of clauses equal up to renaming variables of a set; None when `deadline` (a
    `time.monotonic()` value) passes first."""
    lits = []  # (atom, positive, mask); a literal false on every row never helps a clause
    for a, atom in enumerate(vocab.atoms):
        if atom.var_equality or (atom.aggregate and masks[a] != full):
            continue  # an aggregate's atom is a clause of its own: kept only when true on every row
        for positive in (True,) if atom.guard or atom.exists else (True, False):
            m = masks[a] if positive else full & ~masks[a]
            if m:
                lits.append((a, positive, m))
    premises = [(a, True, masks[a]) for a, atom in enumerate(vocab.atoms) if atom.var_equality]
    kept: set[frozenset] = set()
    found: list[tuple] = []

    def subsumed(lits_: tuple) -> bool:
        return any(frozenset(sub) in kept for n in range(1, len(lits_)) for sub in itertools.combinations(lits_, n))

    for n in range(1, max_literals + 1):
        for count, combo in enumerate(itertools.combinations(range(len(lits)), n)):
            if deadline is not None and count % 4096 == 0 and time.monotonic() > deadline:
                return None
            chosen = tuple(lits[i] for i in combo)
            if not _sensible(vocab, chosen) or (n > 1 and subsumed(tuple((c[0], c[1]) for c in chosen))):
                continue
            m = 0
            for c in chosen:
                m |= c[2]
            literals = tuple((c[0], c[1]) for c in chosen)
            if m == full:
                kept.add(frozenset(literals))
                found.append(literals)
                continue
            used = {v for c in chosen for v in vocab.atoms[c[0]].vars}
            for p in premises:
                if set(vocab.atoms[p[0]].vars) <= used and m | p[2] == full:
                    with_premise = literals + ((p[0], True),)
                    if not subsumed(with_premise):
                        kept.add(frozenset(with_premise))
                        found.append(with_premise)
    return _distinct_up_to_renaming(vocab, found)


def _sensible(vocab: Vocabulary, chosen: tuple) -> bool:
    """False for a clause true in every state whatever the spec: `x or not x`, `t != a or t != b`."""
    atoms = [c[0] for c in chosen]
    if len(set(atoms)) < len(atoms):
        return False
    guards = sum(vocab.atoms[a].guard for a in atoms)
    if guards and (guards > 1 or len(atoms) > 2):
        return False
    if sum(vocab.atoms[a].exists for a in atoms) > 1:
        return False
    subjects = [(vocab.atoms[c[0]].subject, c[1], vocab.atoms[c[0]].enum_test) for c in chosen
                if vocab.atoms[c[0]].subject]
    # two comparisons of one term with numbers, or of one pair of terms, say little that one
    # cannot (`x == 0 implies x <= 1`, `a <= b or a >= b`)
    numeric = [s for s, _, enum_test in subjects if not enum_test]
    if len(set(numeric)) < len(numeric):
        return False
    negated = [s for s, positive, enum_test in subjects if enum_test and not positive]
    return len(set(negated)) == len(negated)


def _distinct_up_to_renaming(vocab: Vocabulary, found: list[tuple]) -> list[Clause]:
    """One clause of each class equal up to renaming the variables of a set: the least, by the variables
    it uses and then its literals, of its renamings.

    That least renaming maps the variables a clause uses onto the first ones of each set (a renaming
    that uses later ones, composed with the order-keeping map of its variables onto the first ones,
    uses only smaller ones), so only those renamings are tried: k! per set for a clause of k variables
    of it, where every permutation of the set's variables was (4! * 4! = 576 for two sets of four, over
    33,000 clauses: over 4 minutes on a Raft-style election over terms). Each atom's renaming is looked up
    once per choice of its own variables' images."""
    groups: dict[str, list[str]] = {}
    for v in vocab.vars:
        groups.setdefault(v.set, []).append(v.name)
    set_of = {v.name: v.set for v in vocab.vars}
    order = {v.name: i for i, v in enumerate(vocab.vars)}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, order)) + r")\b") if order else None
    # the variables each atom's text names (those a renaming changes in it)
    mentions = [tuple(dict.fromkeys(pattern.findall(f"{a.left} {a.right}"))) if pattern else ()
                for a in vocab.atoms]
    renamed_atoms: dict[tuple, int | None] = {}

    def rename_atom(a: int, mapping: dict[str, str]) -> int | None:
        images = tuple(mapping[name] for name in mentions[a])
        known = renamed_atoms.get((a, images), -1)
        if known != -1:
            return known
        atom, local = vocab.atoms[a], dict(zip(mentions[a], images, strict=True))
        if all(old == new for old, new in local.items()):
            found_at: int | None = a
        else:
            sub = re.compile(r"\b(" + "|".join(map(re.escape, local)) + r")\b")
            change = lambda text: sub.sub(lambda m: local[m.group(1)], text)  # noqa: E731
            found_at = vocab.index.get(key(atom.op, change(atom.left), change(atom.right)))
        renamed_atoms[(a, images)] = found_at
        return found_at

    seen, out = set(), []
    for literals in found:
        used_names = sorted({name for a, _ in literals for name in (*mentions[a], *vocab.atoms[a].vars)},
                            key=order.__getitem__)
        by_set: dict[str, list[str]] = {}
        for name in used_names:
            by_set.setdefault(set_of[name], []).append(name)
        choices = [[dict(zip(names, perm, strict=True)) for perm in itertools.permutations(groups[st][:len(names)])]
                   for st, names in by_set.items()]
        forms = []
        for parts in itertools.product(*choices):
            mapping = {old: new for part in parts for old, new in part.items()}
            renamed = []
            for a, positive in literals:
                at = rename_atom(a, mapping)
                if at is None:
                    break
                renamed.append((at, positive))
            else:
                used = sorted(order[v] for a, _ in renamed for v in vocab.atoms[a].vars)
                forms.append((used, tuple(sorted(renamed))))
        best = min(forms)[1] if forms else tuple(sorted(literals))
        if best not in seen:
            seen.add(best)
            out.append(Clause(best))
    return out


# ---- a clause as an invariant ------------------------------------------------------------------------------


def used_vars(vocab: Vocabulary, clause: Clause) -> list[Var]:
    used = {v for a, _ in clause.literals for v in vocab.atoms[a].vars}
    return [v for v in vocab.vars if v.name in used]


def text(vocab: Vocabulary, clause: Clause) -> str:
    """The clause in spec syntax: `forall c1, c2 in Client: forall s1 in Server: link[c1][s1] and
    link[c2][s1] implies c1 == c2`. Negative booleans and equalities read as premises."""
    premises, rest, equal = [], [], []
    for a, positive in clause.literals:
        atom = vocab.atoms[a]
        if atom.var_equality:
            equal.append(atom)
        elif not positive and atom.premise:
            premises.append(atom.text)
        else:
            rest.append(atom.text if positive else atom.negation)
    if equal and rest:
        premises += [e.negation for e in equal]  # the distinctness premise: `a != b implies ...`
    else:
        rest += [e.text for e in equal]
    if premises and rest:
        body = f"{' and '.join(premises)} implies {' or '.join(rest)}"
    elif len(premises) > 1:
        body = f"not ({' and '.join(premises)})"
    elif premises:
        ((a, _),) = clause.literals
        body = vocab.atoms[a].negation
    else:
        body = " or ".join(rest)
    by_set: dict[str, list[str]] = {}
    for v in used_vars(vocab, clause):
        by_set.setdefault(v.set, []).append(v.name)
    return "".join(f"forall {', '.join(names)} in {s}: " for s, names in by_set.items()) + body


def body(vocab: Vocabulary, clause: Clause) -> ir.Expr:
    """The clause's disjunction as typed IR, its variables free."""
    span = vocab.spec.span
    out = None
    for a, positive in clause.literals:
        lit = vocab.atoms[a].expr
        if not positive:
            lit = make(ir.Unary, span=span, op=ir.UnOp.NOT, operand=lit, type=_BOOL)
        out = lit if out is None else make(ir.Binary, span=span, op=ir.BinOp.OR, left=out, right=lit, type=_BOOL)
    return out


def expr(vocab: Vocabulary, clause: Clause) -> ir.Expr:
    """The clause as typed IR: the encoder and the interpreter read it like a written invariant."""
    span = vocab.spec.span
    out = body(vocab, clause)
    for v in reversed(used_vars(vocab, clause)):
        domain = _domain(v.set, span)
        out = make(ir.Quantifier, span=span, quantifier="forall", var=v.name, var_span=span, domain=domain,
                      body=out, type=_BOOL)
    return out


__all__ = ["Atom", "Clause", "Var", "Vocabulary", "body", "clauses", "expr", "text", "truth", "used_vars", "vocabulary"]
