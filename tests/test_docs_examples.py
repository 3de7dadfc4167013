"""The examples in the documentation are what specforge really accepts and prints.

Every fenced ```sf block of README.md, docs/language.md and docs/prove.md is
extracted. A block that is a complete spec (optional comments, then `spec`)
must check clean, unless it is immediately followed (after at most
MAX_PROSE_LINES lines of prose) by a ```console block whose first line is
`$ specforge check NAME.sf` or `$ specforge prove [OPTIONS] NAME.sf`: then the
spec is written to NAME.sf in a fresh directory, the command is run there,
and what it prints must be exactly the rest of the console block. Prove
output holds solver times, so there every `123 ms` is compared as `N ms`.
A ```sf block that is not a complete spec (a fragment) is skipped.

Outputs that do not follow their spec are checked too:
- a block whose first line is `$ specforge check PATH` for a file of this
  repository (README.md's `examples/bank.sf`) is run from the repository root;
- every other shown `$ specforge check` must be in DERIVED, which says how to
  build the spec it is about (the manual's section 10 shows the garage of
  section 1 with a misspelt name).
Shown `specforge prove` runs that do not follow their spec (prove.md's
`--depth 20 deep.sf`, cut short with `...`) are not checked.

Links between the docs must lead to files and headings that exist.

To fix a failure, change the documentation to show what the tool does; if
it is the tool that is wrong, fix the tool instead.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.frontend import load_text

from .support import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "language.md", ROOT / "docs" / "prove.md", ROOT / "docs" / "tla.md",
        ROOT / "docs" / "testing.md", ROOT / "docs" / "http.md", ROOT / "docs" / "load.md"]

# How many non-blank lines of prose may stand between a spec and the console
# block that shows what specforge prints for it.
MAX_PROSE_LINES = 3

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_SPEC_START = re.compile(r"\s*spec\b")
_COMMAND = re.compile(r"^\$ (specforge (?:check|prove)\b.*)$")


@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    end: int  # 1-based line of the closing fence

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def is_complete_spec(self) -> bool:
        for line in self.text.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            return bool(_SPEC_START.match(line))
        return False

    @property
    def command(self) -> list[str] | None:
        """`["check", "span.sf"]` for a console block that starts with `$ specforge check span.sf`."""
        first = self.text.splitlines()[0] if self.text else ""
        m = _COMMAND.match(first)
        return shlex.split(m.group(1))[1:] if m else None

    @property
    def shown_output(self) -> str:
        return self.text.split("\n", 1)[1] if "\n" in self.text else ""


def blocks(doc: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order (nested fences, as in lists, included)."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        lang = info.split()[0] if info else ""
        out.append(Block(doc, i + 1, lang, "\n".join(body) + ("\n" if body else ""), j + 1))
        i = j + 1
    return out


def _prose_between(doc_lines: list[str], first: Block, second: Block) -> int:
    between = doc_lines[first.end : second.line - 1]
    return sum(1 for line in between if line.strip())


def _output_of(block: Block, all_blocks: list[Block], doc_lines: list[str]) -> Block | None:
    """The console block that shows what specforge prints for this spec, if there is one."""
    k = all_blocks.index(block)
    if k + 1 >= len(all_blocks):
        return None
    nxt = all_blocks[k + 1]
    if nxt.lang != "console" or nxt.command is None:
        return None
    if _prose_between(doc_lines, block, nxt) > MAX_PROSE_LINES:
        return None
    return nxt


@dataclass
class Example:
    spec: Block
    output: Block | None


def _collect() -> tuple[list[Example], list[Block], list[Block]]:
    examples: list[Example] = []
    fragments: list[Block] = []
    consoles: list[Block] = []
    for doc in DOCS:
        doc_lines = doc.read_text(encoding="utf-8").splitlines()
        found = blocks(doc)
        for b in found:
            if b.lang == "sf":
                if b.is_complete_spec:
                    examples.append(Example(b, _output_of(b, found, doc_lines)))
                else:
                    fragments.append(b)
            elif b.command is not None:
                consoles.append(b)
    return examples, fragments, consoles


EXAMPLES, FRAGMENTS, CONSOLES = _collect()
CLEAN = [e for e in EXAMPLES if e.output is None]
SHOWN = [e for e in EXAMPLES if e.output is not None]
PAIRED = {e.output.where for e in SHOWN}


def _ids(items) -> list[str]:
    return [(i.spec if isinstance(i, Example) else i).where for i in items]


def _normalise_times(text: str) -> str:
    """Prove output with every solver time replaced by `N ms`, whatever its width."""
    return re.sub(r" *\b\d+ ms\b", " N ms", text)


def _run(args: list[str], cwd: Path, cache: Path, monkeypatch) -> str:
    """What `specforge ARGS` prints (standard output and error, as a terminal shows them) when run in cwd."""
    monkeypatch.chdir(cwd)
    # a fresh cache, so that no answer (and no time) comes from an earlier run
    monkeypatch.setenv("SPECFORGE_CACHE_DIR", str(cache))
    return CliRunner().invoke(main, args, catch_exceptions=False).output


def _compare(shown: Block, actual: str) -> None:
    expected = shown.shown_output
    if shown.command[0] == "prove":
        expected, actual = _normalise_times(expected), _normalise_times(actual)
    assert actual == expected, (
        f"{shown.where} shows other output than `specforge {' '.join(shown.command)}` prints.\n"
        f"--- shown ---\n{expected}--- printed ---\n{actual}"
    )


def _run_shown(shown: Block, spec_text: str, tmp_path: Path, monkeypatch) -> None:
    files = [a for a in shown.command if a.endswith(".sf")]
    assert len(files) == 1, f"{shown.where}: name exactly one .sf file after `$ specforge`"
    work = tmp_path / "work"
    work.mkdir()
    (work / files[0]).write_text(spec_text, encoding="utf-8")
    _compare(shown, _run(shown.command, work, tmp_path / "cache", monkeypatch))


# ---- the docs are found at all ------------------------------------------------------------


def test_the_docs_hold_spec_examples_to_check():
    by_doc = {doc.name: sum(1 for e in EXAMPLES if e.spec.doc == doc) for doc in DOCS}
    assert by_doc["language.md"] >= 20, by_doc
    assert by_doc["prove.md"] >= 2, by_doc
    assert len(SHOWN) >= 5


# ---- complete specs, and fragments ----------------------------------------------------------


_SKIPPED_FRAGMENTS = [
    pytest.param(Example(f, None), id=f.where,
                 marks=pytest.mark.skip(reason=f"{f.where} is a fragment, not a complete spec (no `spec` header)"))
    for f in FRAGMENTS
]


@pytest.mark.parametrize("example", [*[pytest.param(e, id=e.spec.where) for e in CLEAN], *_SKIPPED_FRAGMENTS])
def test_a_spec_shown_without_output_checks_clean(example: Example):
    block = example.spec
    loaded = load_text(block.text, "example.sf")
    rendered = "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    assert loaded.ok and not loaded.diagnostics, f"the spec at {block.where} does not check clean:\n{rendered}"


@pytest.mark.parametrize("example", SHOWN, ids=_ids(SHOWN))
def test_a_spec_shown_with_output_prints_exactly_that_output(example: Example, tmp_path, monkeypatch):
    _run_shown(example.output, example.spec.text, tmp_path, monkeypatch)


# ---- console blocks that do not follow their spec ------------------------------------------


def _errors_section_output() -> Block:
    """The output shown in section 10 of the manual."""
    doc = ROOT / "docs" / "language.md"
    heading = doc.read_text(encoding="utf-8").splitlines().index("## 10. Errors") + 1
    shown = [c for c in CONSOLES if c.doc == doc and c.line > heading]
    assert shown, "section 10 of the manual no longer shows an error"
    return shown[0]


def _garage_with_misspelt_guard() -> str:
    """The garage of section 1 of the manual with `free` misspelt in the guard of `enter`."""
    garage = next(e.spec for e in EXAMPLES if e.spec.doc.name == "language.md" and "# garage.sf" in e.spec.text)
    assert garage.text.count("requires free > 0") == 1
    return garage.text.replace("requires free > 0", "requires fre > 0")


# Outputs whose spec the text describes instead of showing it right above:
# what the test is called -> (the console block, the spec it shows the output of).
DERIVED = {
    "the errors section of the manual shows the first garage with `free` misspelt":
        (_errors_section_output, _garage_with_misspelt_guard),
}


@pytest.mark.parametrize("name", list(DERIVED))
def test_an_output_shown_for_a_spec_described_in_words_is_what_specforge_prints(name, tmp_path, monkeypatch):
    output, spec = DERIVED[name]
    _run_shown(output(), spec(), tmp_path, monkeypatch)


REPO_RUNS = [c for c in CONSOLES if c.command[0] == "check" and c.where not in PAIRED
             and any(a.endswith(".sf") for a in c.command)
             and all((ROOT / a).is_file() for a in c.command if a.endswith(".sf"))]


@pytest.mark.parametrize("shown", REPO_RUNS, ids=_ids(REPO_RUNS))
def test_a_check_of_a_file_in_the_repository_prints_what_is_shown(shown: Block, tmp_path, monkeypatch):
    _compare(shown, _run(shown.command, ROOT, tmp_path / "cache", monkeypatch))


def test_every_check_output_the_docs_show_is_verified_by_one_of_these_tests():
    derived = {output().where for output, _ in DERIVED.values()}
    repo = {c.where for c in REPO_RUNS}
    unchecked = [c.where for c in CONSOLES if c.command[0] == "check" and c.where not in PAIRED | derived | repo]
    assert not unchecked, (
        "these outputs are not checked: put the spec right before each one "
        f"(at most {MAX_PROSE_LINES} lines of prose between), or add it to DERIVED: {unchecked}"
    )


# ---- links --------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: `3.9 Order and visibility` -> `39-order-and-visibility`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


LINKS = [(doc, m.group(1)) for doc in DOCS
         for m in re.finditer(r"\]\(([^)\s]+)\)",
                              re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.S | re.M))
         if not re.match(r"[a-z]+:", m.group(1))]


@pytest.mark.parametrize("doc, link", LINKS, ids=[f"{d.relative_to(ROOT).as_posix()}->{link}" for d, link in LINKS])
def test_a_link_between_the_docs_leads_to_a_file_and_heading_that_exist(doc: Path, link: str):
    path, _, anchor = link.partition("#")
    target = (doc.parent / path).resolve() if path else doc
    assert target.exists(), f"{doc.name} links to {link}, but {path} does not exist"
    if anchor:
        assert target.is_file() and anchor in _anchors(target), f"{doc.name} links to {link}: no such heading"
