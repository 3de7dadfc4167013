"""The numbers a spec compares its counts with: "at most K" over a set is broken only by K + 1 elements.

`count(s in Session if open[s]) <= 5` and `card(held[b]) <= MAX_HOLD` hold in every world of five
sessions (of MAX_HOLD seats) or fewer, so a search of small worlds can never break them. The prover's
bounded search sizes its finite world from these thresholds (prove/sums.py, `world_size`), and the TLA+
export says in its model which bound of a set TLC would need (tla/module.py). No z3 here: the export
reads it too.
"""

from __future__ import annotations

from . import ir
from .structure import nodes


def constant_int(e: ir.Expr, spec: ir.Spec) -> int | None:
    """The value of an int expression that reads no state, parameter or bound variable (literals,
    `const`s and what is built of them), as the interpreter computes it; None for any other."""
    from .evaluate import Env, EvaluationError, evaluate

    if any(isinstance(n, ir.Name) and n.ref not in (ir.RefKind.CONST, ir.RefKind.ENUM_VALUE) for n in ir.walk(e)):
        return None
    try:
        value = evaluate(e, Env.of(spec, {}))
    except (EvaluationError, ArithmeticError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def counted(e: ir.Expr) -> set[str]:
    """The declared sets a `count` or a `card` in `e` counts elements of."""
    out = set()
    for n in ir.walk(e):
        over = n.domain.type if isinstance(n, ir.Aggregate) and n.op == "count" else \
            n.args[0].type if isinstance(n, ir.Call) and n.func == "card" else None
        element = over.element if isinstance(over, (ir.DomainT, ir.SetOfT)) else None
        if isinstance(element, ir.SetT):
            out.add(element.name)
    return out


def _counts(e: ir.Expr) -> bool:
    return any((isinstance(n, ir.Aggregate) and n.op == "count") or (isinstance(n, ir.Call) and n.func == "card")
               for n in ir.walk(e))


def count_thresholds(spec: ir.Spec) -> list[tuple[set[str], int, int]]:
    """Each comparison of a count (or a `card`) with a constant K: the sets it counts elements of (empty
    for an enum's or a range's: their size is fixed), K + 1, the elements it takes to go over K, and the
    comparison's line."""
    out = []
    for c in nodes(spec, ir.Compare):
        for side, other in ((c.left, c.right), (c.right, c.left)):
            if _counts(side):
                k = constant_int(other, spec)
                if k is not None:
                    out.append((counted(side), k + 1, c.span.line))
    return out
