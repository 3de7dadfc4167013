"""What the benchmark scripts share: the description of the machine and writing a section of docs/benchmarks.md.

Used by bench/frontend.py, bench/prove.py and bench/mutation.py. Standard library and specforge only.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the checkout this script is in is the code measured (the commands it times run with it as their working
# directory), also where another copy is installed: its sources digest and in-process runs name and use it
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
DOCUMENT_HEAD = "# Benchmarks\n\nMeasured speed of specforge. Each section says how to reproduce its numbers.\n"


# ---- the machine -----------------------------------------------------------------------------------------


def compile_sources() -> None:
    """Write the bytecode of specforge's modules, as `pip install` does for an installed copy. A checkout
    has none until a run writes it, and none is written where PYTHONDONTWRITEBYTECODE is set (as on the
    machines these benchmarks ran on): every timed process would then compile every module it imports,
    0.15-0.2 s of a `specforge prove` run's start-up that no installed specforge pays."""
    import compileall

    compileall.compile_dir(str(ROOT / "specforge"), quiet=1)



def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def source_digest(recursive: bool) -> str:
    """A short sha256 of specforge's sources, naming exactly the code that was measured.

    `recursive=False`: `specforge/*.py` (the front end) and `grammar/*.lark`, each file keyed by its name;
    `recursive=True`: `specforge/**/*.py` (back ends included) and `grammar/*.lark`, keyed by their paths."""
    import specforge

    package = Path(specforge.__file__).resolve().parent
    grammar = package / "grammar" if (package / "grammar").is_dir() else package.parent / "grammar"
    files = sorted(package.rglob("*.py") if recursive else package.glob("*.py")) + sorted(grammar.glob("*.lark"))
    digest = hashlib.sha256()
    for f in files:
        key = str(f.relative_to(package.parent)) if recursive else f.name
        digest.update(key.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def digest_scope(recursive: bool) -> str:
    return "`specforge/**/*.py` and `grammar/*.lark`" if recursive else "`specforge/*.py` and `grammar/*.lark`"


def platform_lines(libraries: list[str], recursive: bool, digest: str | None = None) -> list[str]:
    """The Markdown list items naming the CPU, RAM, OS, Python (with `libraries`, e.g. "lark 1.3.1") and the
    specforge sources measured (`digest`, or the sources as they are now). Each script adds its own lines about
    the load on the machine."""
    import specforge

    python = f"- Python {platform.python_version()} ({platform.python_implementation()})"
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores (os.cpu_count())",
        f"- RAM: {ram()}",
        f"- OS: {platform.system()} {platform.release()}",
        python + "".join(f", {lib}" for lib in libraries),
        f"- specforge {specforge.__version__}, sources {digest or source_digest(recursive)} "
        f"(first 12 hex digits of a sha256 over {digest_scope(recursive)})",
    ]


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def show_load(load: tuple[float, float, float] | None) -> str:
    return "unknown" if load is None else " / ".join(f"{x:.2f}" for x in load)


def own_cpu_time() -> float:
    """The CPU time (user + system) of this process and of its children that have ended."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class OtherLoad:
    """How much CPU other processes used while a part of the benchmark ran (Linux: /proc/stat).

    The machine's busy time over the interval, minus this process's and its children's CPU time, as a share of
    what all cores could have done in that time. 0% means the benchmark had the machine to itself."""

    def __init__(self):
        self.t0 = time.perf_counter()
        self.busy0 = self._busy()
        self.own0 = own_cpu_time()

    @staticmethod
    def _busy() -> float | None:
        try:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
        except (OSError, ValueError, IndexError):
            return None
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    def share(self) -> float | None:
        busy = self._busy()
        if busy is None or self.busy0 is None:
            return None
        other = (busy - self.busy0) - (own_cpu_time() - self.own0)
        return max(0.0, other) / ((time.perf_counter() - self.t0) * (os.cpu_count() or 1))


def show_share(share: float | None) -> str:
    return "unknown" if share is None else f"{share:.0%}"


# ---- docs/benchmarks.md ----------------------------------------------------------------------------------


def replace_section(document: str, section: str, heading: str) -> str:
    """Put `section` in place of the section titled `heading` (up to the next `## ` or `# ` heading outside a
    code fence), or append it at the end."""
    lines = document.splitlines()
    start = end = None
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if start is None and line.strip() == heading:
            start = i
        elif start is not None and (line.startswith("## ") or line.startswith("# ")):
            end = i
            break
    new = section.rstrip("\n").splitlines()
    if start is None:
        body = "\n".join(lines).rstrip("\n")
        return (body + "\n\n" if body else "") + "\n".join(new) + "\n"
    end = len(lines) if end is None else end
    tail = lines[end:]
    return "\n".join(lines[:start] + new + ([""] + tail if tail else [])) + "\n"


def children_cpu() -> float:
    """CPU seconds, user and system, of the child processes waited for so far."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def prove(path: Path, *extra: str, timeout: float = 300, cwd: Path = ROOT) -> tuple[float, float, dict | None]:
    """Wall and CPU seconds of one `specforge prove` process, and its JSON report. The checkout in `cwd`
    is the one run (`python -m` puts the working directory first on the import path)."""
    import json
    import subprocess

    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([sys.executable, "-m", "specforge", "prove", "--no-cache", "--format", "json", *extra,
                           str(path)], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
    try:
        return seconds, cpu, json.loads(done.stdout)
    except json.JSONDecodeError:
        return seconds, cpu, None


def verdict(report: dict | None) -> str:
    """The verdicts of a report's invariants (not its type bounds), each once."""
    if report is None:
        return "error"
    goals = [r for r in report["invariants"] if r["kind"] == "invariant"]
    return ", ".join(sorted({r["verdict"] for r in goals}))


def load_line(before: tuple[float, float, float] | None, other: OtherLoad) -> str:
    """The record's line on the machine's load: before the run, and the CPU others used during it."""
    share = other.share()
    return (f"- load average before: {show_load(before)}; CPU used by other processes during the run: "
            f"{show_share(share)}." + (" The machine was shared with other jobs: the times are indicative."
                                       if (share or 0) > 0.1 else ""))


def publish(lines: list[str], heading: str, record_it: bool) -> None:
    """Print a section, and with `record_it` write it into docs/benchmarks.md in place of `heading`'s."""
    section = "\n".join(lines) + "\n"
    print(section)
    if record_it:
        record(section, heading)


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of a Markdown table."""
    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers), *("| " + " | ".join(r) + " |" for r in rows)]


def record(section: str, heading: str) -> None:
    """Write `section` into docs/benchmarks.md in place of the section titled `heading`; keep the others."""
    document = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else DOCUMENT_HEAD
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_MD.write_text(replace_section(document, section, heading), encoding="utf-8")
