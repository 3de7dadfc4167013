"""The z3 back end: `prove(spec)` gives a verdict per invariant. Imports z3."""

from .engine import DEFAULT_DEPTH, DEFAULT_TIMEOUT, Prover, prove
from .result import Finding, InvariantResult, ProofReport, Verdict

__all__ = ["DEFAULT_DEPTH", "DEFAULT_TIMEOUT", "Finding", "InvariantResult", "ProofReport", "Prover", "Verdict",
           "prove"]
