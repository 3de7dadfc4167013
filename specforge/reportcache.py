"""The whole-report cache of `specforge prove`: an unchanged run answers before z3, lark or
pydantic load.

The key is a hash of everything the printed report depends on: each file's path and bytes,
specforge's version and code (`code_build`: a changed or upgraded file is a new key, so a fix to the
prover is never answered with a report the old code wrote), which z3 is installed (found, not
imported), and
the options that change verdicts or their rendering. The value is the rendered report and the
exit code. Only reports without an `unknown` verdict are stored: a later run with more time or a
quieter machine may decide what this one could not. The per-obligation cache
(`specforge.prove.cache`) stays the fallback when a spec changed.

Entries are files in one directory (`$SPECFORGE_CACHE_DIR/reports`, by default under
`~/.cache/specforge`), so CI can keep the directory between runs; at most `MAX_REPORTS` are kept,
the least recently used evicted first. Unusable storage never fails a run: the cache is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from . import __version__

MAX_REPORTS = 512
FORMAT = 3  # 2: JSON reports carry runs as typed values (report format version 2)


def cache_dir() -> Path:
    """Where specforge keeps its caches: $SPECFORGE_CACHE_DIR, else $XDG_CACHE_HOME/specforge or ~/.cache/specforge."""
    base = os.environ.get("SPECFORGE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "specforge")
    return Path(base)


def _z3_build() -> str:
    """Which z3 is installed, without importing it (that takes longer than answering from the cache):
    where its core module lies, its size and its modification time change with every install."""
    import importlib.util

    spec = importlib.util.find_spec("z3")
    if spec is None or not spec.origin:
        return "none"
    core = Path(spec.origin).with_name("z3core.py")
    try:
        st = core.stat()
    except OSError:
        return spec.origin
    return f"{core}:{st.st_size}:{st.st_mtime_ns}"


_CODE_BUILD: str | None = None


def code_build() -> str:
    """specforge's version and a fingerprint of its installed code, computed once per process. The
    version alone let a development install, or a re-install of the same version, answer from
    reports its earlier code wrote."""
    global _CODE_BUILD
    if _CODE_BUILD is None:
        _CODE_BUILD = f"{__version__}+{fingerprint(os.path.dirname(os.path.abspath(__file__)))}"
    return _CODE_BUILD


def fingerprint(root: str) -> str:
    """A hash of each source and grammar file's path, size and modification time under `root`,
    found with stat alone (under 1 ms for the package)."""
    h = hashlib.sha256()
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in sorted(entries, key=lambda e: e.name):
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif e.name.endswith((".py", ".lark")):
                    st = e.stat()
                    h.update(f"{e.path}:{st.st_size}:{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def prove_options(fmt: str, depth: int, timeout: float, explore: int, explore_states: int, infer_budget: float,
                  time_budget: float) -> tuple:
    """The options of `prove` that change its report, in the order the key hashes them (the fast entry
    point and the command line build it with this one function, so their keys cannot drift apart)."""
    return ("prove", fmt, depth, timeout, explore, explore_states, infer_budget, time_budget)


def key(files: Sequence[str], options: Sequence[object]) -> str | None:
    """The key of a run over `files` with `options`, or None when a file cannot be read (the
    normal path then reports it)."""
    h = hashlib.sha256()
    h.update(json.dumps(["specforge", code_build(), FORMAT, _z3_build(), *map(str, options)]).encode())
    for f in files:
        try:
            data = Path(f).read_bytes()
        except OSError:
            return None
        h.update(b"\0" + f.encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


class ReportCache:
    def __init__(self, root: Path | None = None, limit: int = MAX_REPORTS):
        self.root = (root or cache_dir()) / "reports"
        self.limit = limit

    def get(self, k: str) -> tuple[str, int] | None:
        path = self.root / f"{k}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)  # recently used: evicted last
            return entry["report"], int(entry["exit"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, k: str, report: str, exit_code: int) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".{k}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"report": report, "exit": exit_code}), encoding="utf-8")
            os.replace(tmp, self.root / f"{k}.json")  # atomic: a concurrent reader sees all or nothing
            self._evict()
        except OSError:
            pass

    def _evict(self) -> None:
        entries = []
        for p in self.root.glob("*.json"):
            try:
                entries.append((p.stat().st_mtime, p))
            except OSError:
                continue
        if len(entries) <= self.limit:
            return
        entries.sort()
        for _, p in entries[: len(entries) - self.limit]:
            try:
                p.unlink()
            except OSError:
                pass
