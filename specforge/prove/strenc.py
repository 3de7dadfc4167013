"""Strings in z3: the sequence theory's strings, `len` as their length, and `words` as a recursive
function z3 unfolds on demand.

`words(s)` is defined exactly as strings.word_count counts, by the ends of words: a position ends a
word when its character is not whitespace and the next one is (or there is none), so

    words(s) = 0                                            if s is empty
    words(s) = [s ends a word at 0] + words(s without its first character)

A recursive definition is exact, not an approximation: a model z3 finds is a real counterexample,
and what z3 cannot settle by unfolding comes back `unknown` (never `proved`). Spec text never
reaches z3 as code: literals become `StringVal`s.
"""

from __future__ import annotations

import z3

from .. import ir
from ..strings import WHITESPACE

_WORDS: dict[int, z3.FuncDeclRef] = {}  # per z3 context: the definition is added once


def sort() -> z3.SortRef:
    return z3.StringSort()


def literal(enc, e: ir.StringLit, env) -> z3.ExprRef:
    return z3.StringVal(e.value)


def call(func: str, s: z3.ExprRef) -> z3.ExprRef:
    return z3.Length(s) if func == "len" else words()(s)


def words() -> z3.FuncDeclRef:
    ctx = z3.main_ctx()
    key = id(ctx)
    f = _WORDS.get(key)
    if f is None:
        f = z3.RecFunction("words", z3.StringSort(), z3.IntSort())
        s = z3.String("words!s")
        n = z3.Length(s)

        def space(c):
            return z3.Or(*(c == z3.StringVal(w) for w in WHITESPACE))
        ends = z3.And(z3.Not(space(s.at(0))), z3.Or(n == 1, space(s.at(1))))
        z3.RecAddDefinition(f, [s], z3.If(n == 0, 0, z3.If(ends, 1, 0) + f(z3.SubString(s, 1, n - 1))))
        _WORDS[key] = f
    return f
