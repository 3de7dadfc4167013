"""What `prove` found: a value per invariant (never a bare bool), plus findings.

Every renderer (text, JSON, SARIF, JUnit) reads this one model.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class Verdict(str, enum.Enum):
    PROVED = "proved"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


@dataclass
class Step:
    """One state of a run: the action that led to it (None for the initial state) and its values."""

    index: int
    action: str | None
    args: dict[str, str]
    state: dict[str, str]


@dataclass
class CounterexampleToInduction:
    """A state satisfying the invariants from which an action breaks one (it may be unreachable)."""

    action: str
    args: dict[str, str]
    pre: dict[str, str]
    post: dict[str, str]
    sets: dict[str, list[str]] = field(default_factory=dict)  # each set's elements


@dataclass
class ActionResult:
    action: str
    preserved: bool | None  # None: the solver could not tell
    time_ms: int


@dataclass
class InvariantResult:
    id: str
    level: str  # MUST / SHOULD / MAY
    kind: str  # "invariant", or "type" for a state variable's declared bounds
    line: int
    description: str | None
    verdict: Verdict
    # how a proof was found: "inductive", "inductive with others", "strengthened", or "exhaustive" (every
    # reachable state searched by the explicit-state engine; `reason` says how many)
    method: str | None = None
    reason: str | None = None
    supported_by: list[str] = field(default_factory=list)
    strengthening: str | None = None  # the inferred supporting invariant, in spec syntax
    trace: list[Step] | None = None
    sets: dict[str, list[str]] | None = None  # for a trace: each set's elements in that run
    counterexample: CounterexampleToInduction | None = None
    actions: list[ActionResult] = field(default_factory=list)
    time_ms: int = 0

    def to_json(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        return d


@dataclass
class Finding:
    kind: str  # "inconsistent", "dead-action", "redundant"
    message: str
    line: int
    severity: str = "warning"  # error / warning / note
    ids: list[str] = field(default_factory=list)


@dataclass
class ProofReport:
    spec: str
    file: str
    invariants: list[InvariantResult]
    findings: list[Finding]
    depth: int
    time_ms: int = 0

    def to_json(self) -> dict:
        return {
            "version": 1,
            "spec": self.spec,
            "file": self.file,
            "depth": self.depth,
            "time_ms": self.time_ms,
            "invariants": [r.to_json() for r in self.invariants],
            "findings": [asdict(f) for f in self.findings],
        }

    @property
    def must_fails(self) -> list[InvariantResult]:
        return [r for r in self.invariants if r.level == "MUST" and r.verdict is not Verdict.PROVED]
