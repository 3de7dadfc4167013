"""What `prove` found: a value per invariant (never a bare bool), plus findings.

Every renderer (text, JSON, SARIF, JUnit) reads this one model. A violating
run and a counterexample to induction are `specforge.run.Run` values (typed,
whole), never text.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields

from ..run import REPORT_VERSION, Run


class Verdict(str, enum.Enum):
    PROVED = "proved"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


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
    # how a proof was found: "inductive", "inductive with others", "inferred" (with inferred invariants
    # among its support), "strengthened", or "exhaustive" (every reachable state searched by the
    # explicit-state engine; `reason` says how many)
    method: str | None = None
    reason: str | None = None
    supported_by: list[str] = field(default_factory=list)
    strengthening: str | None = None  # the inferred supporting invariant, in spec syntax
    run: Run | None = None  # for `violated`: the run from init whose last state breaks it
    # for `unknown`: a state satisfying the invariants from which one call breaks this one (it may be
    # unreachable), as a run of that one call (`breaks` names this obligation)
    counterexample: Run | None = None
    actions: list[ActionResult] = field(default_factory=list)
    time_ms: int = 0

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["verdict"] = self.verdict.value
        d["run"] = self.run.to_json() if self.run else None
        d["counterexample"] = self.counterexample.to_json() if self.counterexample else None
        d["actions"] = [{"action": a.action, "preserved": a.preserved, "time_ms": a.time_ms} for a in self.actions]
        return d


@dataclass
class InferredInvariant:
    """A supporting invariant the prover inferred and proved, in spec syntax, ready to paste."""

    id: str
    text: str
    supports: list[str]  # the invariants whose proofs use it

    def declaration(self) -> str:
        return (f'invariant {self.id} SHOULD "Inferred by specforge prove; supports {", ".join(self.supports)}":\n'
                f"  {self.text}\n")


@dataclass
class Finding:
    kind: str  # "inconsistent", "dead-action", "redundant", "constraints"
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
    inferred: list[InferredInvariant] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "version": REPORT_VERSION,
            "spec": self.spec,
            "file": self.file,
            "depth": self.depth,
            "time_ms": self.time_ms,
            "invariants": [r.to_json() for r in self.invariants],
            "findings": [asdict(f) for f in self.findings],
            "inferred": [asdict(i) for i in self.inferred],
        }

    @property
    def must_fails(self) -> list[InvariantResult]:
        return [r for r in self.invariants if r.level == "MUST" and r.verdict is not Verdict.PROVED]
