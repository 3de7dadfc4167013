"""Benchmark of the prover on the worked examples (examples/*.sf): time to a verdict for each.

Each example is one `specforge prove --no-cache --format json FILE` process, timed on the wall clock
from start to exit, with its CPU time (user and system). The examples are what a user reads first
and what CI proves on every run (tests/test_prove_soundness.py); a slowdown of one of them is a
regression of the prover that the synthetic benchmarks (bench/prove.py) and the protocols
(bench/protocols.py) can miss: a change for transfers once made examples/cart.sf ten times slower
for a whole stop before a loaded CI machine ran out of time on it.

It prints Markdown; with --record it also writes the "Examples" section of docs/benchmarks.md.
Standard library and specforge only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys

from _common import (
    ROOT,
    OtherLoad,
    load_average,
    load_line,
    markdown_table,
    platform_lines,
    prove,
    publish,
    verdict,
    version,
)

HEADING = "## Examples (`specforge prove` on examples/*.sf)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per example; the median is shown (default 3)")
    args = parser.parse_args()
    load_before, other = load_average(), OtherLoad()
    rows = []
    for path in sorted((ROOT / "examples").glob("*.sf")):
        runs = sorted((prove(path) for _ in range(max(1, args.repeat))), key=lambda r: r[0])
        seconds, cpu, report = runs[len(runs) // 2]
        obligations = len(report["invariants"]) if report else 0
        row = [f"`{path.name}`", verdict(report), str(obligations), f"{seconds:.2f}", f"{cpu:.2f}",
               f"{max(r[0] for r in runs):.2f}"]
        rows.append(row)
        print(" | ".join(row), file=sys.stderr)
    headers = ["spec", "verdict", "obligations", "median s", "CPU s (that run)", "slowest s"]
    lines = [HEADING, "", f"Reproduce: `python bench/examples.py --record`. Each example is proved {args.repeat} "
             "times, each a process from start to exit on the wall clock (`specforge prove --no-cache`, Python's "
             "start-up included); the median run is shown with its CPU time, and the slowest run beside it.", "",
             *platform_lines([f"z3 {version('z3-solver')}"], recursive=True),
             load_line(load_before, other),
             "", *markdown_table(headers, rows)]
    publish(lines, HEADING, args.record)


if __name__ == "__main__":
    main()
