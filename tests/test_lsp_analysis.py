"""The language server's analysis (no LSP): it answers at every position of every half-written spec."""

from __future__ import annotations

import random

import pytest

from specforge.lsp.analysis import Analysis

from .support import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))


def half_written(text: str, rng: random.Random) -> list[str]:
    """The text cut short at random places, and with a random slice deleted: what an editor holds mid-edit."""
    out = []
    for _ in range(6):
        cut = rng.randrange(len(text))
        out.append(text[:cut])
        end = min(len(text), cut + rng.randrange(1, 40))
        out.append(text[:cut] + text[end:])
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_question_about_a_half_written_spec_gets_an_answer(example):
    rng = random.Random(example.stem)
    for text in half_written(example.read_text(encoding="utf-8"), rng):
        a = Analysis(text, example.name)
        lines = text.split("\n")
        for _ in range(40):
            line = rng.randrange(len(lines)) + 1
            column = rng.randrange(len(lines[line - 1]) + 1) + 1
            for symbol in a.definitions(line, column):
                assert 1 <= symbol.span.line <= len(lines)
                assert a.declaration_text(symbol)
            assert isinstance(a.completions(line, column), list)


def test_a_name_declared_after_a_broken_declaration_is_still_found():
    text = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")
    broken = text.replace("balance := balance + amount", "balance = balance + amount")  # a syntax error in deposit
    a = Analysis(broken, "bank.sf")
    assert not a.loaded.ok
    line = broken.split("\n").index("  requires amount <= MAX_WITHDRAWAL else LimitExceeded") + 1
    [symbol] = a.definitions(line, broken.split("\n")[line - 1].index("MAX_WITHDRAWAL") + 1)
    assert (symbol.kind, symbol.span.line) == ("const", 5)
    assert "withdraw" in {label for label, kind in a.completions(line, 3) if kind == "action"}


def test_a_record_type_is_found_where_a_state_variable_or_a_literal_names_it():
    text = (ROOT / "examples" / "inbox.sf").read_text(encoding="utf-8")
    a = Analysis(text, "inbox.sf")
    lines = text.split("\n")
    declared = next(i for i, line in enumerate(lines, start=1) if line.startswith("type Triage"))
    use = next(i for i, line in enumerate(lines, start=1) if "triage: map[Email, Triage]" in line)
    [symbol] = a.definitions(use, lines[use - 1].index("Triage") + 1)
    assert (symbol.kind, symbol.span.line) == ("record type", declared)
