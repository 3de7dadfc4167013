"""The z3 back end: `prove(spec)` gives a verdict per invariant. Imports z3."""

import z3

from .engine import DEFAULT_DEPTH, DEFAULT_TIMEOUT, Prover, prove
from .result import Finding, InvariantResult, ProofReport, Verdict

# Python frees a z3 term on whatever thread its garbage collector runs: a term caught in a reference
# cycle may be released by a pool's manager thread, or by the editor server's main thread, while this
# thread is inside z3. z3's contexts are not thread-safe, and a release racing a call crashed the
# process (CI, exit 134). With this switch a release from another thread is queued under a lock and
# carried out by the context's own thread.
z3.Z3_enable_concurrent_dec_ref(z3.main_ctx().ref())

__all__ = ["DEFAULT_DEPTH", "DEFAULT_TIMEOUT", "Finding", "InvariantResult", "ProofReport", "Prover", "Verdict",
           "prove"]
