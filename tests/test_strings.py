"""Strings: the type, literals, `len` and `words` in every back end, checked against one definition of a
word (strings.word_count), the brute-force interpreter, the property tests and TLC."""

from __future__ import annotations

import pytest
import z3

from specforge import finite
from specforge.frontend import load_text
from specforge.interpret import Interpreter
from specforge.prove import Verdict, prove
from specforge.prove.strenc import words
from specforge.strings import word_count
from specforge.tla import export_tla
from specforge.values import Universe, show

from .support import passes, reported
from .test_tla_support import needs_tlc, run_tlc, write

SUMMARIES = """\
spec Summaries
enum Route { auto, human }
const MAX_WORDS: int = 60
state {
  subject: string
  summary: string
  route: Route
}
init {
  subject := ""
  summary := ""
  route := auto
}
invariant SUM-1 MUST: words(summary) <= MAX_WORDS
invariant SUM-2 MUST: len(subject) <= 200
invariant SUM-3 MUST: route == human or subject == "" or summary != ""
action summarise(s: string, text: string, priority: string) {
  requires s != "" else MissingSubject
  requires len(s) <= 200 else SubjectTooLong
  requires priority in {"low", "high"} else UnknownPriority
  requires words(text) <= MAX_WORDS else TooLong
  subject := s
  summary := if text == "" then "(empty)" else text
  route := if priority == "high" then human else auto
}
"""
WORD_GUARD = "  requires words(text) <= MAX_WORDS else TooLong\n"

SAMPLES = ["", " ", "a", "two words", "  two  words ", "tab\tand\nnew line\r", "x" * 70, " ".join(["w"] * 61),
           "naïve café", "\t\t"]


@pytest.mark.parametrize(("s", "count"), [("", 0), (" ", 0), ("a", 1), ("  two  words ", 2),
                                          ("tab\tand\nnew line\r", 4), ("naïve café", 2), ("a-b,c", 1)])
def test_a_word_is_a_maximal_run_of_non_whitespace(s, count):
    assert word_count(s) == count


@pytest.mark.parametrize("s", SAMPLES)
def test_the_provers_words_is_the_same_count(s):
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(words()(z3.StringVal(s)) != word_count(s))
    assert solver.check() == z3.unsat


def check(text: str):
    return load_text(text, "summaries.sf")


@pytest.mark.parametrize(("text", "code", "words_"), [
    ("invariant X: len(3) > 0\n", "SF203", "`len` needs a string"),
    ("invariant X: words(subject, summary) > 0\n", "SF205", "takes 1 argument"),
    ("invariant X: subject < summary\n", "SF203", ""),
    ("invariant X: subject == 3\n", "SF203", ""),
    ('invariant X: subject + "a" == summary\n', "SF203", ""),
    ('invariant X: subject == "unterminated\n', "SF104", "unterminated string"),
])
def test_a_misused_string_is_reported(text, code, words_):
    loaded = check(SUMMARIES + text)
    assert reported(loaded, code, words_), [d.render(loaded.source) for d in loaded.diagnostics]


def test_a_spec_may_define_its_own_len():
    loaded = check("spec P\nunit words\nstate { x: int }\ninit { x := 0 }\n"
                   "def len(n: int): int = n * 2\ninvariant X: len(3) == 6 and 3 words > 0 words\n")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]


def test_the_prover_proves_the_word_limit_and_finds_the_summary_that_breaks_it():
    assert all(r.verdict is Verdict.PROVED for r in prove(check(SUMMARIES).spec).invariants)
    spec = check(SUMMARIES.replace(WORD_GUARD, "")).spec
    sum1 = next(r for r in prove(spec).invariants if r.id == "SUM-1")
    assert sum1.verdict is Verdict.VIOLATED
    last = sum1.run.states[-1]
    assert word_count(last["summary"]) > 60
    # the run is one the interpreter makes: replayed step by step, it ends in the same state
    interp = Interpreter(spec, Universe.named(spec, 0))
    state = interp.initial_state()
    for call in sum1.run.calls:
        state = interp.effect(call.action, state, call.args)
    assert dict(state) == dict(last)
    assert show(last["summary"], spec.state[1].type.resolved).startswith('"w w')


def test_the_search_pool_tries_each_count_the_spec_names_and_one_past_it():
    pool = finite.string_pool(check(SUMMARIES).spec)
    assert "" in pool and "low" in pool and "high" in pool
    assert {word_count(s) for s in pool} >= {60, 61} and {len(s) for s in pool} >= {200, 201}
    assert pool.index(" ".join(["w"] * 61)) < finite.SEARCH_STRINGS  # the exhaustive search takes it


class Summariser:
    def __init__(self):
        self.subject, self.summary, self.route = "", "", "auto"

    def summarise(self, s: str, text: str, priority: str) -> None:
        if s == "":
            raise MissingSubject()
        if len(s) > 200:
            raise SubjectTooLong()
        if priority not in ("low", "high"):
            raise UnknownPriority()
        if len(text.split()) > 60:
            raise TooLong()
        self.subject, self.summary = s, text or "(empty)"
        self.route = "human" if priority == "high" else "auto"


class MissingSubject(Exception):
    pass


class SubjectTooLong(Exception):
    pass


class UnknownPriority(Exception):
    pass


class TooLong(Exception):
    pass


class CountsSpaces(Summariser):
    """Counts words as spaces plus one: `a  b` (two spaces) is three words, so a summary of 60 words
    with a double space is refused."""

    def summarise(self, s, text, priority):
        if text and text.count(" ") + 1 > 60 and len(text.split()) <= 60:
            raise TooLong()
        super().summarise(s, text, priority)


class TruncatesSubject(Summariser):
    """Keeps the first 100 characters of the subject."""

    def summarise(self, s, text, priority):
        super().summarise(s, text, priority)
        self.subject = s[:100]


def test_the_property_tests_pass_an_implementation_and_catch_string_mistakes():
    assert passes(SUMMARIES, Summariser)
    assert not passes(SUMMARIES, TruncatesSubject)
    assert not passes(SUMMARIES.replace('"low", "high"', '"low", "high", "a  b"'), CountsSpaces)


def test_tla_writes_strings_and_counts_words_from_a_table():
    x = export_tla(check(SUMMARIES).spec)
    assert x.ok, x.diagnostics
    assert "EXTENDS Integers, Sequences, TLC" in x.tla
    assert '("two words" :> 2)' in x.tla and "Len(s) <= 200" in x.tla
    assert "subject \\in STRING" in x.tla


@needs_tlc
@pytest.mark.parametrize(("text", "verdict"), [
    (SUMMARIES, "Model checking completed. No error has been found."),
    (SUMMARIES.replace(WORD_GUARD, ""), "Error: Invariant Inv_SUM_1 is violated."),
])
def test_tlc_agrees_with_prove_on_strings(text, verdict, tmp_path):
    x = export_tla(check(text).spec)
    write(tmp_path, x)
    assert verdict in run_tlc(tmp_path, x.module)


@pytest.mark.parametrize(("ensures", "verdict"), [
    ("words(result) <= 60 and words(result) >= 1", Verdict.PROVED),  # "a" meets it
    ("words(result) > 3 and len(result) < 5", Verdict.VIOLATED),  # four words need at least 7 characters
])
def test_a_contract_on_a_string_result_is_met_or_reported_unmeetable(ensures, verdict):
    text = ("spec Echo\nstate { calls: nat }\ninit { calls := 0 }\n"
            f"action say(s: string) -> string {{\n  requires s != \"\" else Empty\n  calls := calls + 1\n"
            f"  ensures {ensures}\n}}\n")
    report = prove(check(text).spec)
    contract = next(r for r in report.invariants if r.id == "say.ensures")
    assert contract.verdict is verdict, contract.reason
