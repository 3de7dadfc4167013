"""Strings: the `string` type, literals, `len(s)` and `words(s)`.

`len(s)` counts characters (Unicode code points). `words(s)` counts words: maximal runs of characters
that are not whitespace, where whitespace is a space, a tab, a line feed or a carriage return
(`words("  two  words ")` is 2, `words("")` is 0). Both are built in but not reserved: a spec's own
`def len(...)` is what its calls mean, and `unit words` may name a unit.

Strings compare with `==` and `!=` and are members of literal sets (`s in {"low", "high"}`); they
have no order. This module is the front end's part and the one definition of `words` that the
interpreter, the prover's encoding (prove/strenc.py) and the tests are checked against.
"""

from __future__ import annotations

from . import ir
from .nodes import make

WHITESPACE = " \t\n\r"
FUNCTIONS = {"len": "the number of characters of a string", "words": "the number of words of a string"}
STRING = make(ir.StringT)
COUNT = make(ir.IntT, low=0)


def word_count(s: str) -> int:
    """Maximal runs of non-whitespace characters (space, tab, line feed, carriage return)."""
    count, inside = 0, False
    for ch in s:
        if ch in WHITESPACE:
            inside = False
        elif not inside:
            count, inside = count + 1, True
    return count


def apply(func: str, s: str) -> int:
    return len(s) if func == "len" else word_count(s)


def check_call(c, e: ir.Call, args: list[ir.Expr]) -> ir.Expr:
    """`len(s)` and `words(s)`: one string argument, a count."""
    if len(args) != 1:
        c.error("SF205", f"`{e.func}` takes 1 argument, not {len(args)}", e.span, f"`{e.func}(s)`: {FUNCTIONS[e.func]}")
        return c.with_(e, args=args)
    (s,) = args
    if s.type is None:
        return c.with_(e, args=args)
    if not isinstance(s.type, ir.StringT):
        c.error("SF203", f"`{e.func}` needs a string, but this is {c.show(s.type)}", s.span,
                f"`{e.func}(s)` is {FUNCTIONS[e.func]}; declare `s: string`")
        return c.with_(e, args=args)
    return c.with_(e, args=args, type=COUNT)
