"""Kill rate of a bug at a boundary only the implementation has, with and without the wide argument mode.

examples/purse.sf bounds deposits below only (`amount > 0`); examples/mutants/purse.py credits deposits
of 5,000 or more twice. The property test draws arguments from the spec's boundaries, an interval around
them and, since the wide mode, values of every magnitude past an open side. This runs the generated test
(100 runs of 50 steps, as gen-tests writes it) under N seeds with the wide mode and, side by side, with
it switched off (the draws as they were before), and prints both kill rates.

    python bench/wide_arguments.py [--seeds 20] [--record]
"""

from __future__ import annotations

import argparse
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import seed as fixed_seed  # noqa: E402
from hypothesis import settings  # noqa: E402

from examples.impl.purse import Purse  # noqa: E402
from examples.mutants.purse import LargeDepositDoubled  # noqa: E402
from specforge.testing import PHASES  # noqa: E402
from specforge.testing.choices import Pools  # noqa: E402
from specforge.testing.generate import machine_class  # noqa: E402

SECTION = "## Wide arguments (`specforge gen-tests`)"


def killed(factory, seed: int) -> bool:
    source = (ROOT / "examples" / "purse.sf").read_text()
    case = machine_class(source, factory, "examples/purse.sf").TestCase
    case.settings = settings(max_examples=100, stateful_step_count=50, deadline=None, phases=PHASES, database=None)
    case.runTest = fixed_seed(seed)(case.runTest)
    result = unittest.TestResult()
    case("runTest").run(result)
    return not result.wasSuccessful()


def rate(factory, seeds: int, wide: bool) -> int:
    saved = dict(Pools.ARGUMENTS)
    if not wide:
        Pools.ARGUMENTS.pop("wide", None)
    try:
        return sum(killed(factory, s) for s in range(seeds))
    finally:
        Pools.ARGUMENTS.clear()
        Pools.ARGUMENTS.update(saved)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--record", action="store_true", help="write the result into docs/benchmarks.md")
    args = parser.parse_args()
    before, after = rate(LargeDepositDoubled, args.seeds, False), rate(LargeDepositDoubled, args.seeds, True)
    false_alarms = sum(killed(Purse, s) for s in range(args.seeds))
    text = (f"{SECTION}\n\n`python bench/wide_arguments.py --seeds {args.seeds}`: the generated test of "
            "examples/purse.sf (100 runs of 50 steps) against examples/mutants/purse.py (a deposit of 5,000 or "
            "more is credited twice; the spec's own numbers are 0 and 1), one run per seed.\n\n"
            "| argument modes | mutant killed | correct implementation failed |\n| --- | ---: | ---: |\n"
            f"| boundaries and interval (before) | {before}/{args.seeds} | – |\n"
            f"| with the wide mode (now) | {after}/{args.seeds} | {false_alarms}/{args.seeds} |\n")
    print(text)
    if args.record:
        path = ROOT / "docs" / "benchmarks.md"
        doc = path.read_text()
        if SECTION in doc:
            start = doc.index(SECTION)
            end = doc.find("\n## ", start + len(SECTION))
            doc = doc[:start] + text + (doc[end + 1:] if end >= 0 else "")
        else:
            doc = doc.rstrip() + "\n\n" + text
        path.write_text(doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
