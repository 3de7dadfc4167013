"""The `specforge` entry point: `prove` of unchanged files answers from the whole-report cache
before click, pydantic, lark or z3 load (issue 13: a cached re-run >= 20x faster than a cold one;
loading click alone costs more than answering).

Only the standard library and `reportcache` are imported here. The command line is read the
way click reads it, but only for the plain forms of `prove`'s options; anything else (help, an
unknown option, `--`, `--no-cache`, `--write-support`, a value that does not convert) goes to
the real command line unchanged, so the fast path can only ever answer what the real one
would have stored under the same key.
"""

from __future__ import annotations

import os
import sys

# option -> (its name in the key, how click converts its value); None: a flag
_VALUED = {
    "--format": ("fmt", str), "--depth": ("depth", int), "--timeout": ("timeout", float),
    "--jobs": ("jobs", int), "-j": ("jobs", int), "--dask": ("dask", str), "--dask-timeout": ("dask_timeout", float),
    "--explore-size": ("explore_size", int), "--explore-states": ("explore_states", int),
    "-o": ("output", str), "--output": ("output", str), "--infer-budget": ("infer_budget", float),
    "--time-budget": ("time_budget", float),
}
_FLAGS = {"--no-explore": "no_explore"}
_DEFAULTS = {"fmt": "text", "depth": 10, "timeout": 10.0, "explore_size": 3, "explore_states": 200_000,
             "infer_budget": 30.0, "time_budget": 600.0, "output": None, "no_explore": False}
_FORMATS = ("text", "json", "sarif", "junit", "markdown")
# click's ranges: a value outside one is a usage error for the real command, never a cached answer
RANGES = {"depth": (0, 1000), "timeout": (0.1, 86400), "jobs": (1, 64), "dask_timeout": (0.1, 3600),
          "explore_size": (0, 6), "explore_states": (1, 100_000_000), "infer_budget": (0, 86400),
          "time_budget": (0, 86400)}


def parse_prove(args: list[str]) -> tuple[list[str], dict] | None:
    """`prove`'s files and options as click would read them, or None where this reader is not sure."""
    files: list[str] = []
    opts = dict(_DEFAULTS)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            files.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in _FLAGS and not eq:
            opts[_FLAGS[name]] = True
            continue
        if name not in _VALUED or (eq and not name.startswith("--")):
            return None
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        dest, convert = _VALUED[name]
        try:
            opts[dest] = convert(value)
        except ValueError:
            return None
    if not files or opts["fmt"] not in _FORMATS:
        return None
    if any(dest in opts and not lo <= opts[dest] <= hi for dest, (lo, hi) in RANGES.items()):
        return None
    return files, opts


def cached_prove(args: list[str]) -> int | None:
    """The stored report's exit code after printing it, or None when the real command must run."""
    parsed = parse_prove(args)
    if parsed is None:
        return None
    files, o = parsed
    output = o["output"]
    if output is not None and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        return None
    from . import reportcache

    whole = reportcache.key(files, reportcache.prove_options(
        o["fmt"], o["depth"], o["timeout"], -1 if o["no_explore"] else o["explore_size"], o["explore_states"],
        o["infer_budget"], o["time_budget"]))
    hit = None if whole is None else reportcache.ReportCache().get(whole)
    if hit is None:
        return None
    report, code = hit
    if output is None:
        sys.stdout.write(report)
        sys.stdout.flush()
        return code
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(report)
    except OSError:
        return None  # the real command says why
    return code


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["prove"]:
        code = cached_prove(args[1:])
        if code is not None:
            sys.exit(code)
    server = os.environ.get("SPECFORGE_SERVER")
    if server:  # a warm `specforge serve` runs the command (see serve.py)
        from .serve import forward

        code = forward(server, args)
        if code is not None:
            sys.exit(code)
    from . import process

    process.ONE_SHOT = args[:1] not in (["lsp"], ["watch"], ["serve"])
    from .cli import main as cli_main

    cli_main(prog_name="specforge")
