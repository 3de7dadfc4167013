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


# ---- the table-driven loop (parse._Driver) against lark's own --------------------------------------------

def _every_spec_text() -> list[tuple[str, str]]:
    texts = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for folder in ("examples", "tests") for p in sorted((ROOT / folder).glob("**/*.sf"))]
    from .test_bad_inputs import CASES

    return texts + [(f"bad input: {c[0]}", c[1]) for c in CASES]


def _lowered(parse, text: str):
    """What a parse gives: the lowered declarations and the lowering's diagnostics, or the error raised."""
    from specforge import parse as p

    p._lowering().reset("t.sf")
    try:
        return "ok", parse(text), list(p._lowering().diagnostics)
    except Exception as e:  # noqa: BLE001 - the kind of error is what is compared
        return "error", type(e).__name__, list(p._lowering().diagnostics)


def test_the_table_driven_loop_is_in_use():
    from specforge import parse as p

    assert p._driver() is not None, "lark's table is no longer laid out as parse._Driver reads it"


def test_the_table_driven_loop_lowers_every_spec_as_lark_does():
    from specforge import parse as p

    texts = _every_spec_text()
    assert len(texts) > 100
    valid = 0
    for name, text in texts:
        by_lark = _lowered(p.parser().parse, text)
        if by_lark[0] == "ok" or by_lark[1] == "Fatal":
            assert _lowered(p._driver().parse, text) == by_lark, name
            valid += by_lark[0] == "ok"
        else:  # a syntax error: the loop stops, and lark parses again for the error (`parse._parse`)
            assert _lowered(p._driver().parse, text)[1] in ("_NoAction", "UnexpectedCharacters"), name
    assert valid > 50


def test_a_syntax_error_gets_the_same_diagnostics_with_and_without_the_loop(monkeypatch):
    from specforge import parse as p
    from specforge.frontend import load_text

    texts = _every_spec_text()
    with_loop = [load_text(text, "t.sf").diagnostics for _, text in texts]
    monkeypatch.setattr(p, "_driver", lambda: None)
    without = [load_text(text, "t.sf").diagnostics for _, text in texts]
    assert with_loop == without
    assert sum(1 for d in with_loop if d) > 50
