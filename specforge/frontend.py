"""The front end in one call: read, parse, lower and check a spec file."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import ir, process
from .check import check
from .diagnostics import Diagnostic, has_errors, sort_key
from .parse import InputError, parse_items, read_source
from .source import SourceFile


@dataclass
class Loaded:
    """A spec file after the front end: the typed IR when it is valid, and every diagnostic."""

    path: str
    source: SourceFile | None
    spec: ir.Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # True when the file itself could not be read (missing, a directory, not UTF-8, binary)
    unreadable: bool = False
    # the declarations as parsed (checked in place where the checker got to them), also when the
    # spec has errors: the language server finds names in them while the text is being written
    items: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.diagnostics)


@contextmanager
def _no_gc():
    """The front end allocates many small acyclic objects; the cyclic collector
    only slows it down (measured: 2.5x on a 20,000-invariant spec)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # A command that loads its specs and ends (process.ONE_SHOT) moves what a load built to the
            # collector's permanent generation: the first full collection after the load would walk all
            # of it for nothing (0.25 s of a 2.3 s `check` of 20,000 invariants). Not in a long-lived
            # process (the language server, tests): a cycle frozen there would never be collected.
            if process.ONE_SHOT:
                gc.freeze()
            gc.enable()


def load(path: str) -> Loaded:
    try:
        source = read_source(path)
    except InputError as e:
        return Loaded(path, None, None, [e.diagnostic], unreadable=True)
    return load_source(source)


def load_text(text: str, path: str = "<spec>") -> Loaded:
    return load_source(SourceFile(path, text))


def load_source(source: SourceFile) -> Loaded:
    with _no_gc():
        parsed = parse_items(source)
        result = check(parsed)
    diagnostics = _dedupe(parsed.diagnostics + result.diagnostics)
    spec = result.spec if not has_errors(diagnostics) else None
    return Loaded(source.path, source, spec, diagnostics, items=parsed.items)


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in sorted(diagnostics, key=sort_key):
        key = (d.code, d.span.line if d.span else 0, d.span.column if d.span else 0, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
