"""Shared helpers: a compact S-expression view of the IR, and golden-file handling.

Set SPECFORGE_REGEN=1 to rewrite golden files instead of comparing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from specforge import ir
from specforge.frontend import load_text

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("SPECFORGE_REGEN") == "1"


def sexpr(e) -> str:
    """`0 <= x and y` -> `(and (<= 0 x) y)`; types and spans left out."""
    if isinstance(e, ir.IntLit):
        return str(e.value)
    if isinstance(e, ir.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, ir.StringLit):
        return repr(e.value)
    if isinstance(e, ir.QuantityLit):
        return f"{e.value}{ {'time': 'ms'}.get(e.dimension, e.dimension)}"
    if isinstance(e, ir.Name):
        return f"{e.enum}.{e.name}" if e.enum else e.name
    if isinstance(e, ir.FieldAccess):
        return f"{sexpr(e.base)}.{e.field}"
    if isinstance(e, ir.Index):
        return f"{sexpr(e.base)}[{sexpr(e.key)}]"
    if isinstance(e, ir.Unary):
        return f"({e.op.value} {sexpr(e.operand)})"
    if isinstance(e, (ir.Binary, ir.Compare)):
        return f"({e.op.value} {sexpr(e.left)} {sexpr(e.right)})"
    if isinstance(e, ir.Member):
        return f"(in {sexpr(e.element)} {sexpr(e.collection)})"
    if isinstance(e, ir.Range):
        return f"{sexpr(e.low)}..{sexpr(e.high)}"
    if isinstance(e, ir.Call):
        return f"({e.func} {' '.join(sexpr(a) for a in e.args)})"
    if isinstance(e, ir.IfThenElse):
        return f"(if {sexpr(e.cond)} {sexpr(e.then)} {sexpr(e.else_)})"
    if isinstance(e, ir.Quantifier):
        return f"({e.quantifier} {e.var} {sexpr(e.domain)} {sexpr(e.body)})"
    if isinstance(e, ir.MapComprehension):
        return f"{{{e.var}: {sexpr(e.value)} for {sexpr(e.domain)}}}"
    if isinstance(e, ir.Aggregate):
        value = f" {sexpr(e.value)}" if e.value is not None else ""
        cond = f" if {sexpr(e.cond)}" if e.cond is not None else ""
        return f"({e.op} {e.var} {sexpr(e.domain)}{value}{cond})"
    if isinstance(e, ir.SetLiteral):
        return "{" + " ".join(sexpr(i) for i in e.items) + "}"
    if isinstance(e, (ir.RecordLiteral, ir.RecordWith)):
        head = e.name if isinstance(e, ir.RecordLiteral) else f"{sexpr(e.base)} with"
        return f"({head} " + " ".join(f"{f}: {sexpr(v)}" for f, v in zip(e.fields, e.values, strict=True)) + ")"
    if isinstance(e, ir.RecordField):
        return f"{sexpr(e.base)}.{e.field}"
    if isinstance(e, ir.NoneLit):
        return "none"
    if isinstance(e, ir.Some):
        return f"(some {sexpr(e.value)})"
    if isinstance(e, ir.Present):
        return f"(present {sexpr(e.value)})"
    raise AssertionError(f"no S-expression for {type(e).__name__}")


# A context in which expressions of every kind check.
CONTEXT = """\
spec Ctx "a context for expression tests"
set Account
enum Status { created, paid, shipped }
enum Door { open, closed }
enum Valve { open, shut }
type Pair = { a: int, b: bool }
const LIMIT: int = 10
state {
  x: int
  y: int
  n: nat
  p: bool
  q: bool
  r: bool
  ttl: duration
  status: Status
  balances: map[Account, int]
  slots: map[0..9, bool]
  pair: Pair
  maybe: int?
  subject: string
  summary: string
  token: {
    ttl: duration
    valid: bool
  }
}
init {
  x := 0
  y := 0
  n := 0
  p := false
  q := false
  r := false
  ttl := 0
  status := created
  balances := {a: 0 for a in Account}
  slots := {i: false for i in 0..9}
  pair := Pair { a: 0, b: false }
  maybe := none
  subject := ""
  summary := "none yet"
  token.ttl := 15 min
  token.valid := false
}
"""


def reachable(it, ints, depth: int, limit: int | None = None) -> set:
    """Every state the interpreter `it` reaches within `depth` steps, with int arguments from `ints`
    (breadth first; once more than `limit` states are seen, the current level is the last)."""
    frontier = {it.initial_state()}
    seen = set(frontier)
    for _ in range(depth):
        nxt = set()
        for state in frontier:
            for action in it.spec.actions:
                for args in it.arguments(action, ints):
                    if it.enabled(action, state, args):
                        for _, after in it.outcomes(action, state, args, ints):
                            if after not in seen:
                                seen.add(after)
                                nxt.add(after)
        frontier = nxt
        if limit is not None and len(seen) > limit:
            break
    return seen


def check_expr(text: str) -> ir.Invariant:
    """Check `text` as an invariant in CONTEXT and return the invariant."""
    loaded = load_text(CONTEXT + f"invariant E: {text}\n", "expr.sf")
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec.invariants[-1]


def golden(path: Path, actual: str) -> None:
    """Compare with a golden file, or rewrite it under SPECFORGE_REGEN=1."""
    if REGEN or not path.exists():
        if not REGEN and os.environ.get("CI"):
            pytest.fail(f"golden file {path} is missing; run SPECFORGE_REGEN=1 pytest")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} is out of date; run SPECFORGE_REGEN=1 pytest and review the diff"


def passes(spec_text: str, factory, examples: int = 200) -> bool:
    """Whether the spec's generated property tests pass against the implementation `factory` builds
    (derandomized, no example database: the same examples on every run)."""
    import unittest

    from hypothesis import Phase, settings

    from specforge.testing import machine_class

    case = machine_class(spec_text, factory).TestCase
    case.settings = settings(max_examples=examples, derandomize=True, database=None,
                             phases=[Phase.explicit, Phase.reuse, Phase.generate])
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result.wasSuccessful()


def reported(loaded, code: str, words: str) -> bool:
    """Whether a diagnostic with this code says these words (in its message or hint)."""
    return any(d.code == code and words in d.message + (d.hint or "") for d in loaded.diagnostics)
