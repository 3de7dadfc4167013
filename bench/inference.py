"""Benchmark of the inference on specs outside the protocol corpus (bench/probes): what `specforge prove`
says of each, and how long it takes, beside an older revision of specforge on the same files.

The probes are specs of kinds examples/protocols/ did not have when they were written: a bounded buffer,
reliable broadcast, chain replication, an election by majority (in one term, and over many terms), a lease
on a clock, an alternating bit protocol, an MSI cache, money in flight between branches, tokens in
escrow... Each `NAME_bug.sf` is
`NAME.sf` with one `# BUG:` line, and should be violated; every other probe should be proved. They were
written to find where the prover falls short, so a probe that is not is a finding, not a failure of the
script.

For each probe it runs, as separate processes, `specforge prove --no-cache --format json FILE` with this
checkout and, with `--against REV`, with that revision checked out beside it (`git worktree add`, removed
after): verdict, seconds on the wall clock from start to exit, and the number of invariants inferred. It
prints Markdown; with --record it also writes its section of docs/benchmarks.md. Standard library and
specforge only; `--against` needs git. See bench/README.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import (
    ROOT,
    OtherLoad,
    compile_sources,
    load_average,
    load_line,
    markdown_table,
    platform_lines,
    prove,
    publish,
    verdict,
)

PROBES = Path(__file__).resolve().parent / "probes"
HEADING = "## Inference on specs outside the corpus (`bench/inference.py`)"


def expected(path: Path) -> str:
    return "violated" if path.stem.endswith("_bug") else "proved"


def measured(path: Path, cwd: Path) -> list[str]:
    seconds, _, report = prove(path, cwd=cwd, timeout=900)
    found = verdict(report)
    mark = "" if found == expected(path) else " (!)"
    return [found + mark, f"{seconds:.1f}", str(len(report["inferred"])) if report else "?"]


def checkout(rev: str, where: Path) -> Path:
    target = where / "old"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(target), rev], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "specforge")], check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--against", metavar="REV", help="also run the probes with this git revision")
    parser.add_argument("probes", nargs="*", help="only the probes whose file name contains one of these")
    args = parser.parse_args()
    compile_sources()
    paths = [p for p in sorted(PROBES.glob("*.sf")) if not args.probes or any(s in p.name for s in args.probes)]
    load_before, other = load_average(), OtherLoad()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        old = checkout(args.against, Path(scratch)) if args.against else None
        try:
            for path in paths:
                row = [f"`{path.name}`", expected(path), *measured(path, ROOT)]
                if old is not None:
                    row += measured(path, old)
                rows.append(row)
                print(" | ".join(row), file=sys.stderr)
        finally:
            if old is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False,
                               capture_output=True)
    headers = ["probe", "expected", "verdict", "s", "inferred"]
    if old is not None:
        headers += [f"verdict at {args.against}", f"s at {args.against}", f"inferred at {args.against}"]
    wrong = sum(1 for r in rows if "(!)" in r[2])
    lines = [HEADING, "", "Reproduce: `python bench/inference.py"
             + (f" --against {args.against}" if args.against else "") + " --record`. Each time is one process from "
             "start to exit on the wall clock (`specforge prove --no-cache`, the default budgets: 30 s of "
             "inference, 600 s in all). `(!)` marks a verdict that is not the expected one: a `_bug` probe should "
             "be violated, every other one proved.", "",
             *platform_lines([], recursive=True),
             load_line(load_before, other),
             "", *markdown_table(headers, rows), "",
             f"{len(rows) - wrong} of {len(rows)} probes get the expected verdict" + (
                 f"; at {args.against}, {sum(1 for r in rows if '(!)' not in r[5])}." if old is not None else ".")]
    publish(lines, HEADING, args.record)


if __name__ == "__main__":
    main()
