"""Proof results cached by a hash of each obligation.

An obligation's key is a SHA-256 over what decides its answer: the spec's
declarations (sets, enums, constants, state and init), the action, the goal,
the hypotheses, the search depth, specforge's version and code (`code_build`) and z3's version. Source
positions are left out, so moving an invariant or editing a comment keeps
its results; changing any part an obligation reads gives it a new key.

An induction step's proof is also stored under its action and goal alone with
its unsat core, and reused by any run that assumes the whole core (engine.py,
`_start_round`).

Only decided answers (proved, violated, a found strengthening) are stored; a
timeout is tried again next time. The store is one SQLite file, by default
under ~/.cache/specforge (SPECFORGE_CACHE_DIR overrides it).
"""

from __future__ import annotations

import enum
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii as _quoted
from pathlib import Path

import z3
from pydantic import BaseModel

from .. import ir
from ..reportcache import cache_dir, code_build

_SPAN_KEYS = frozenset({"span", "var_span", "error_span"})
# Bumped whenever what is stored changes shape, so older entries are never read.
FORMAT = 5


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}  # an IR class: (attribute, key) of each field but spans


def plain(value):
    """An IR node as JSON data, without source positions: what `model_dump(mode="json", by_alias=True)`
    gives with the spans left out (a test compares them), read straight from the fields. The IR's
    classes build their pydantic schemas lazily, and model_dump would build them all (0.5 s in a run's
    cache keys, most of a first run's cost on the 250x16 bench spec)."""
    if isinstance(value, BaseModel):
        fields = _FIELDS.get(type(value))
        if fields is None:
            fields = _FIELDS[type(value)] = tuple((name, f.alias or name) for name, f in type(value).model_fields.items()
                                                  if name not in _SPAN_KEYS)
        return {key: plain(getattr(value, name)) for name, key in fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k not in _SPAN_KEYS}
    return value


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        # a string (most parts: other digests) is quoted as json.dumps quotes it, without its machinery
        text = _quoted(part) if isinstance(part, str) else json.dumps(plain(part), sort_keys=True, separators=(",", ":"))
        h.update(text.encode())
        h.update(b"\0")
    return h.hexdigest()


class Digests:
    """Position-free hashes of a spec's parts, computed once per run."""

    def __init__(self, spec: ir.Spec, depth: int):
        self.context = digest("specforge", code_build(), FORMAT, "z3", z3.get_version_string(), depth,
                              *spec.sets, *spec.enums, *spec.consts, *spec.state, *spec.init)
        self.actions = {a.name: digest(a) for a in spec.actions}
        self.all_actions = digest(*sorted(self.actions.values()))
        # an invariant's digest includes its ID, so two invariants with the same
        # expression keep their own results (and their own proof supports)
        self.invariants = {i.id: digest(i.id, i.expr) for i in spec.invariants}
        self._targets: dict[str, str] = {}

    def target(self, tid: str) -> str:
        found = self.invariants.get(tid) or self._targets.get(tid)
        if found is None and tid.startswith("defined:"):
            # a definedness obligation is decided by what it is about: an invariant, an action, or init
            name = tid[len("defined:"):]
            found = self._targets[tid] = digest(tid, self.invariants.get(name) or self.actions.get(name) or "")
        action, _, rest = tid.partition(".")
        if found is None and action in self.actions and rest.startswith("ensures"):
            # a postcondition (`ACTION.ensures.N`, `ACTION.ensures`) is decided by its action: the
            # clauses, the `returns`, the guards and the effect it reads the state after
            found = self._targets[tid] = digest(tid, self.actions[action])
        if found is None:
            # a type bound is decided by the state declarations, already in the context
            found = self._targets[tid] = digest(tid)
        return found

    def key(self, kind: str, *parts: str) -> str:
        return digest(kind, self.context, *parts)

    def add_invariant(self, iid: str, expr: ir.Expr) -> None:
        """An invariant found while proving (an inferred one)."""
        self.invariants[iid] = digest(iid, expr)


class NameDigests(Digests):
    """The digests of a run without a cache: nothing is looked up, so each part is named by its name
    alone. A key is still a hex digest (the redundancy phase adds them up), but none of the spec's IR is
    serialized: that took pydantic's schema building, 0.15 s of a 2.5 s run."""

    def __init__(self, spec: ir.Spec, depth: int):
        self.context = ""
        self.actions = {a.name: digest("action", a.name) for a in spec.actions}
        self.all_actions = digest(*sorted(self.actions.values()))
        self.invariants = {i.id: digest(i.id) for i in spec.invariants}
        self._targets = {}

    def add_invariant(self, iid: str, expr: ir.Expr) -> None:
        self.invariants[iid] = digest(iid)


def verdicts_key(spec: ir.Spec) -> str:
    """Where the verdicts of the last run on this spec are kept (what an editor shows on hover).

    Unlike the obligation keys, it covers the whole spec (positions, path and
    search depth aside): a verdict is shown only for the very spec it was
    found for, and an unknown one is kept too, since it is a record of the
    last run and not an answer to reuse."""
    return digest("last-verdicts", FORMAT, spec.name, *spec.sets, *spec.enums, *spec.consts, *spec.state,
                  *spec.init, *spec.invariants, *spec.actions)


def record_verdicts(cache: Cache, spec: ir.Spec, report) -> None:
    if not cache.enabled:
        return
    cache.put(verdicts_key(spec), {"depth": report.depth, "verdicts": {
        r.id: {"verdict": r.verdict.value, "method": r.method, "reason": r.reason, "supported_by": r.supported_by,
               "time_ms": r.time_ms} for r in report.invariants}})


def default_path() -> Path:
    return cache_dir() / "proofs.sqlite3"


class Cache:
    """A key -> JSON store. Unusable storage (read-only home, a locked file) silently disables it."""

    enabled = True

    def __init__(self, path: Path | None = None):
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        try:
            path = path or default_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=5)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        except (OSError, sqlite3.Error):
            self._db = None

    def get(self, key: str):
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(row[0])

    def put(self, key: str, value) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?)", (key, json.dumps(value)))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.commit()
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None


class NoCache(Cache):
    enabled = False

    def __init__(self):
        self.hits = 0
        self.misses = 0
        self._db = None


@contextmanager
def open_cache(enabled: bool = True) -> Iterator[Cache]:
    cache = Cache() if enabled else NoCache()
    try:
        yield cache
    finally:
        cache.close()
