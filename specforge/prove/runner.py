"""Proving several specs, in parallel processes when asked."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from .. import ir
from .engine import prove
from .result import ProofReport


def _prove_one(args) -> ProofReport:
    spec, depth, timeout = args
    return prove(spec, depth, timeout)


def prove_all(specs: list[ir.Spec], depth: int, timeout: float, jobs: int = 1,
              progress: Callable[[str], None] | None = None) -> list[ProofReport]:
    if jobs <= 1 or len(specs) <= 1:
        reports = []
        for spec in specs:
            reports.append(prove(spec, depth, timeout, progress=progress))
        return reports
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_prove_one, [(s, depth, timeout) for s in specs]))
