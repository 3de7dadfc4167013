"""The grammar itself: conflict-free, and shipped inside the package."""

from __future__ import annotations

import lark

from specforge.parse import grammar_text

from .support import ROOT


def test_the_grammar_has_no_lalr_conflicts():
    # strict mode turns every shift/reduce conflict (and terminal collision) into an error
    lark.Lark(grammar_text(), parser="lalr", lexer="basic", strict=True)


def test_the_packaged_grammar_is_the_one_in_grammar_dir():
    assert grammar_text() == (ROOT / "grammar" / "specforge.lark").read_text(encoding="utf-8")
