"""The VS Code extension folder: its TextMate grammar covers the language, and it packages.

The grammar is checked twice: here in Python (every keyword, operator and
unit of the language is matched by a pattern that gives it a scope), and,
when node and `npm ci` in editors/vscode have provided vscode-textmate and
vscode-oniguruma, by tokenizing the example specs the way VS Code does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest

from specforge.lsp.analysis import keywords
from specforge.parse import grammar_text
from specforge.units import UNITS

from .support import ROOT

VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "specforge.tmLanguage.json").read_text(encoding="utf-8"))
PACKAGE = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))
NODE_MODULES = VSCODE / "node_modules"
PLAIN = {"source.specforge", "variable.other.specforge"}  # what a word gets when no rule knows it


def patterns(rule: dict):
    """Every rule with a `match` in the grammar, nested ones included."""
    if "match" in rule:
        yield rule
    for inner in rule.get("patterns", []):
        yield from patterns(inner)


RULES = [r for rule in GRAMMAR["repository"].values() for r in patterns(rule)]


def scope_of(word: str, after: str = " x") -> str | None:
    """The scope the first rule that matches `word` (followed by `after`) gives the word itself."""
    for rule in RULES:
        m = re.match(rule["match"], word + after)
        if m is None:
            continue
        if m.group(0) == word and "name" in rule:
            return rule["name"]
        for i, captured in enumerate(m.groups(), start=1):
            if captured == word and str(i) in rule.get("captures", {}):
                return rule["captures"][str(i)]["name"]
    return None


def symbols() -> list[str]:
    """The grammar's operators spelt in Unicode (`∀`, `⇒`, ...)."""
    return sorted({s for s in re.findall(r'"([^"\\a-zA-Z0-9\s]+)"', grammar_text()) if not s.isascii()})


def test_the_grammar_is_json_with_the_scope_the_extension_names():
    [contributed] = PACKAGE["contributes"]["grammars"]
    assert GRAMMAR["scopeName"] == contributed["scopeName"] == "source.specforge"
    assert (VSCODE / contributed["path"]).resolve() == VSCODE / "syntaxes" / "specforge.tmLanguage.json"
    included = {p["include"][1:] for p in GRAMMAR["patterns"]}
    assert included == set(GRAMMAR["repository"])


@pytest.mark.parametrize("keyword", keywords())
def test_every_keyword_of_the_language_is_highlighted(keyword):
    scope = scope_of(keyword, " X-1 MUST" if keyword == "invariant" else " x")
    assert scope is not None and scope not in PLAIN, f"`{keyword}` gets no scope of its own"


@pytest.mark.parametrize("symbol", symbols())
def test_every_unicode_operator_is_highlighted(symbol):
    assert (scope_of(symbol) or "").startswith("keyword.operator.")


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_every_unit_after_a_number_is_highlighted_as_a_unit(unit):
    m = re.match(GRAMMAR["repository"]["number"]["match"], f"15 {unit} ")
    assert m and m.group(2) == unit


def test_the_keyword_list_is_the_grammars():
    assert {"spec", "invariant", "requires", "forall", "MUST", "true"} <= set(keywords())
    assert "balance" not in keywords()


# ---- with node: tokenized as VS Code does --------------------------------------------------------------

needs_textmate = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_MODULES / "vscode-textmate").is_dir(),
    reason="needs node and `npm ci` in editors/vscode (vscode-textmate, vscode-oniguruma)")


def tokenize(path) -> list[list[tuple[str, str]]]:
    done = subprocess.run(["node", str(VSCODE / "test" / "tokenize.js"), str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    return [[tuple(t) for t in json.loads(line)] for line in done.stdout.splitlines()]


@needs_textmate
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_vscode_textmate_gives_every_keyword_in_an_example_a_scope(example):
    words = set(keywords())
    tokens = [t for line in tokenize(example) for t in line]
    plain = [text for text, scope in tokens if text in words and scope in PLAIN]
    assert not plain, f"keywords tokenized as plain names: {plain}"
    assert any(scope == "entity.name.tag.invariant-id.specforge" for _, scope in tokens)
    assert any(scope == "entity.name.function.action.specforge" for _, scope in tokens)


@needs_textmate
def test_vscode_textmate_reads_comments_strings_ids_and_units(tmp_path):
    spec = tmp_path / "t.sf"
    spec.write_text('const T: duration = 15 min  # not a keyword: forall\n'
                    'invariant SEC.AUTH-3 SHOULD "and or not": ∀ x ∈ 0..3: x >= 0\n', encoding="utf-8")
    first, second, _ = tokenize(spec)
    assert ("15", "constant.numeric.specforge") in first and ("min", "keyword.other.unit.specforge") in first
    assert first[-1] == ("# not a keyword: forall", "comment.line.number-sign.specforge")
    assert ("SEC.AUTH-3", "entity.name.tag.invariant-id.specforge") in second
    assert ("and or not", "string.quoted.double.specforge") in second
    assert ("∀", "keyword.operator.logical.specforge") in second and ("..", "keyword.operator.range.specforge") in second


@pytest.mark.skipif(shutil.which("npx") is None or not (NODE_MODULES / "@vscode" / "vsce").is_dir(),
                    reason="needs npx and `npm ci` in editors/vscode (@vscode/vsce)")
def test_the_extension_packages_with_vsce(tmp_path):
    out = tmp_path / "specforge.vsix"
    subprocess.run(["npx", "--no-install", "vsce", "package", "--skip-license", "--allow-missing-repository",
                    "-o", str(out)], cwd=VSCODE, capture_output=True, text=True, timeout=300, check=True)
    names = set(zipfile.ZipFile(out).namelist())
    assert {"extension/package.json", "extension/extension.js", "extension/language-configuration.json",
            "extension/syntaxes/specforge.tmLanguage.json",
            "extension/node_modules/vscode-languageclient/package.json"} <= names
    assert not any(n.startswith("extension/node_modules/vscode-textmate/") for n in names)  # dev only


def test_the_extension_starts_the_server_command_and_calls_its_prove_command():
    from specforge.lsp.server import PROVE_COMMAND

    source = (VSCODE / "extension.js").read_text(encoding="utf-8")
    assert '"lsp"' in source and f'"{PROVE_COMMAND}"' in source
    assert PACKAGE["main"] == "./extension.js" and PACKAGE["contributes"]["languages"][0]["extensions"] == [".sf"]
