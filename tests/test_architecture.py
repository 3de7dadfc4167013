"""The package's shape, checked: its import graph has no cycles, no back end imports another or the
CLI, and a command loads its spec once.

The graph is read from the source with `ast`, nothing is imported: every `import` and `from ... import`
in a module, at the top or inside a function, is an edge; imports under `if TYPE_CHECKING:` are
not (they never run). An edge goes to the module named, or to the submodule when `from package
import name` names one. A parent package that Python imports on the way is not an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

PACKAGE = Path(__file__).resolve().parent.parent / "specforge"
EXAMPLES = PACKAGE.parent / "examples"

BACK_ENDS = ("specforge.prove", "specforge.testing", "specforge.tla")
# specforge.explore is not a back end but an engine the back ends share (like the interpreter): the prover
# proves finite specs with it, finds small-world violations and samples states for inference; `cards` finds
# its runs with it. It imports no back end.

# Edges between back ends that exist today, each with its reason; any other is a failure.
ALLOWED: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.AST) -> set[ast.AST]:
    """The import nodes under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for inner in node.body:
                hidden.update(ast.walk(inner))
    return hidden


def _imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if node in hidden:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                named = ".".join(base + ([node.module] if node.module else []))
            else:
                named = node.module or ""
            for alias in node.names:
                submodule = f"{named}.{alias.name}"
                targets.add(submodule if submodule in modules else named)
    return {t for t in targets if t in modules and t != module}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imported(m, p, modules) for m, p in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, successors = work[-1]
            w = next(successors, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _area(module: str) -> str | None:
    """The back end (or `specforge.cli`) a module belongs to, or None for a shared module."""
    for area in (*BACK_ENDS, "specforge.cli"):
        if module == area or module.startswith(area + "."):
            return area
    return None


def crossings(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Edges from a back end into another back end or the CLI, and from anywhere else into the CLI."""
    out = set()
    for module, targets in graph.items():
        mine = _area(module)
        for target in targets:
            theirs = _area(target)
            if theirs is None or theirs == mine:
                continue
            if theirs == "specforge.cli" and module in ("specforge.__main__", "specforge.fastpath"):
                continue  # the entry points (`python -m specforge`, the console script) start the CLI
            if theirs == "specforge.cli" or mine in BACK_ENDS:
                out.add((module, target))
    return out


def test_the_cycle_finder_finds_a_cycle_and_a_self_contained_graph_has_none():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_graph_reader_sees_function_level_imports_and_skips_type_checking_ones():
    graph = import_graph()
    assert "specforge.frontend" in graph["specforge.cli.check"]  # imported inside the command
    assert "specforge.prove.engine" not in graph["specforge.prove.strengthen"]  # only under TYPE_CHECKING
    assert "specforge.prove.strengthen" in graph["specforge.prove.engine"]


def test_only_the_command_line_starts_the_language_server():
    # the language server is a user interface, as the CLI is: it may use every back end (it proves the
    # invariant under the cursor), and no back end uses it
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith(("specforge.lsp", "specforge.cli")):
            continue
        assert not {t for t in targets if t.startswith("specforge.lsp")}, module


def test_the_shared_explicit_engine_imports_no_back_end():
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith("specforge.explore"):
            assert not {t for t in targets if _area(t) is not None}, module


def test_the_import_graph_has_no_cycles():
    assert cycles(import_graph()) == []


def test_no_back_end_imports_another_or_the_cli_beyond_the_known_edges():
    found = crossings(import_graph())
    assert found - ALLOWED == set(), "new imports across back ends or into the CLI"
    assert ALLOWED - found == set(), "an allowed edge is gone: remove it from ALLOWED"


def test_a_back_end_importing_another_is_a_crossing():
    graph = {"specforge.testing.generate": {"specforge.tla.trace", "specforge.run"},
             "specforge.report": {"specforge.cli.common"}, "specforge.cli.prove": {"specforge.prove"}}
    assert crossings(graph) == {("specforge.testing.generate", "specforge.tla.trace"),
                                ("specforge.report", "specforge.cli.common")}


COMMANDS = [
    ("check", ["check", "{spec}"]),
    ("prove", ["prove", "--timeout", "5", "{spec}"]),
    ("gen-tests", ["gen-tests", "{spec}", "--impl", "examples.impl.bank:BankAccount", "-o", "{out}/test_bank.py"]),
    ("export-tla", ["export-tla", "{spec}", "-o", "{out}"]),
]


@pytest.mark.parametrize("args", [c[1] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
def test_a_command_checks_its_spec_once(args, tmp_path, monkeypatch):
    from specforge import check
    from specforge.cli import main

    monkeypatch.chdir(PACKAGE.parent)  # where `examples.impl.bank` is importable
    checked = []
    run = check.Checker.run
    monkeypatch.setattr(check.Checker, "run", lambda self: checked.append(self.file) or run(self))
    spec = str(EXAMPLES / "bank.sf")
    result = CliRunner().invoke(main, [a.format(spec=spec, out=tmp_path) for a in args])
    assert result.exit_code == 0, result.output
    assert checked == [spec]
