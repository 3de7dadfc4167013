"""The `specforge` command. Thin: each command loads, renders, and picks an exit code.

Exit codes (shared by every subcommand):
  0  success: every spec is valid (and, for `prove`, every MUST invariant holds)
  1  a spec has errors (syntax, names, types, units, ...)
  2  usage error, or an input file that cannot be read
  3  an invariant does not hold (used by `prove` and the test bridge)
"""

from __future__ import annotations

import enum
import json
import os
import sys

import click

from . import __version__


class ExitCode(enum.IntEnum):
    OK = 0
    SPEC_ERRORS = 1
    USAGE = 2
    DOES_NOT_HOLD = 3
    STALE = 4  # a generated file no longer matches its spec (gen-tests --check)


EXIT_CODES_HELP = """\b
Exit codes:
  0  success: every spec is valid (prove: and every MUST invariant is proved)
  1  a spec has errors
  2  usage error, a file that cannot be read, or an internal error
  3  a MUST invariant is violated or unknown (prove)
  4  a generated file is out of date (gen-tests --check)"""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "-V", "--version", prog_name="specforge")
def main() -> None:
    """Turn written specifications (.sf files) into something a machine can check.

    \b
    Start with:
      specforge check examples/bank.sf
    """


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools.")
@click.option("--emit-ir", is_flag=True, help="Print the typed IR of each valid spec as JSON (schema: docs/ir.schema.json).")
def check(files: tuple[str, ...], fmt: str, emit_ir: bool) -> None:
    """Parse and check spec files: syntax, names, types, units, init."""
    from .diagnostics import Severity
    from .frontend import load

    results = [load(f) for f in files]
    errors = sum(1 for r in results for d in r.diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for r in results for d in r.diagnostics if d.severity is Severity.WARNING)

    if emit_ir:
        _print_diagnostics_text(results, stream=sys.stderr)
        docs = [json.loads(r.spec.model_dump_json(by_alias=True)) for r in results if r.ok]
        if docs:
            out = docs[0] if len(files) == 1 else docs
            click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps({
            "version": 1,
            "files": [{"file": r.path, "valid": r.ok, "diagnostics": [_diag_json(d) for d in r.diagnostics]}
                      for r in results],
            "errors": errors,
            "warnings": warnings,
        }, indent=2, ensure_ascii=False))
    else:
        _print_diagnostics_text(results, stream=sys.stdout)
        for r in results:
            if r.ok:
                s = r.spec
                click.echo(f"{r.path}: ok: spec {s.name}, {_count(len(s.invariants), 'invariant')}, "
                           f"{_count(len(s.actions), 'action')}")
        if errors:
            click.echo(f"{_count(errors, 'error')} in {_count(sum(1 for r in results if not r.ok), 'file')}")
    sys.exit(_exit_code(results))


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True, help="text for people; json, sarif (code scanning) or junit (CI) for tools.")
@click.option("--depth", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many steps the search for a violating run explores.")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=10.0, show_default=True,
              help="Seconds the solver may spend on each obligation; past it the verdict is unknown.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Discharge proof obligations in this many parallel processes.")
@click.option("--no-cache", is_flag=True,
              help="Ignore and do not update the result cache (~/.cache/specforge; SPECFORGE_CACHE_DIR moves it).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
def prove(files: tuple[str, ...], fmt: str, depth: int, timeout: float, jobs: int, no_cache: bool,
          output: str | None) -> None:
    """Prove every invariant of each spec, or show a run that breaks it.

    \b
    Each invariant gets one verdict:
      proved    it holds in every reachable state, for every size of every set
      violated  a run from the initial state breaks it (the trace is shown)
      unknown   neither within the depth and time limit (the reason is shown)
    MUST invariants decide the exit code; SHOULD ones are warnings, MAY ones notes.
    """
    from .frontend import load

    if output is not None and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        raise click.BadParameter(f"the directory of {output} does not exist", param_hint="--output")
    loaded = [load(f) for f in files]
    if any(not r.ok for r in loaded):
        _print_diagnostics_text(loaded, stream=sys.stderr)
        sys.exit(_exit_code(loaded))
    from .diagnostics import Diagnostic
    from .prove import prove as prove_spec
    from .prove.cache import open_cache
    from .prove.encode import Unsupported
    from .report import RENDERERS

    progress = _Progress()
    reports = []
    with open_cache(not no_cache) as cache:
        for r in loaded:
            try:
                reports.append(prove_spec(r.spec, depth, timeout, progress=progress, cache=cache, jobs=jobs))
            except Unsupported as e:
                progress.done()
                diag = Diagnostic.error("SF301", str(e), r.path, getattr(e.node, "span", None))
                click.echo(diag.render(r.source), err=True)
                sys.exit(ExitCode.SPEC_ERRORS)
            except Exception as e:  # the safety net: a message, never a traceback
                progress.done()
                click.echo(f"{r.path}: error[SF399]: internal error in the prover: {type(e).__name__}: {e}\n"
                           "  = help: please report it with the spec that triggers it", err=True)
                sys.exit(ExitCode.USAGE)
    progress.done()
    rendered = RENDERERS[fmt](reports)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(rendered)
        except OSError as e:
            click.echo(f"specforge: cannot write {output}: {e.strerror or e}", err=True)
            sys.exit(ExitCode.USAGE)
    else:
        click.echo(rendered, nl=False)
    sys.exit(ExitCode.DOES_NOT_HOLD if any(r.must_fails for r in reports) else ExitCode.OK)


class _Progress:
    """Progress on stderr, shown only once a run has taken a couple of seconds."""

    def __init__(self, after: float = 2.0):
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._after = after
        self._last = 0.0
        self._tty = sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        now = self._clock()
        if now - self._start < self._after or now - self._last < 0.5:
            return
        self._last = now
        line = f"specforge: {message} ({now - self._start:.0f} s)"
        if self._tty:
            click.echo("\r\033[K" + line, file=sys.stderr, nl=False)
        else:
            click.echo(line, file=sys.stderr)

    def done(self) -> None:
        if self._tty and self._last:
            click.echo("\r\033[K", file=sys.stderr, nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the IR that `check --emit-ir` prints."""
    from .ir_schema import ir_schema

    click.echo(json.dumps(ir_schema(), indent=2, sort_keys=True))


def _exit_code(results) -> int:
    if any(r.unreadable for r in results):
        return ExitCode.USAGE
    if any(not r.ok for r in results):
        return ExitCode.SPEC_ERRORS
    return ExitCode.OK


def _print_diagnostics_text(results, stream) -> None:
    for r in results:
        for d in r.diagnostics:
            click.echo(d.render(r.source), file=stream)


def _diag_json(d) -> dict:
    row = d.model_dump(mode="json", exclude={"span"})
    if d.span is not None:
        row.update(d.span.model_dump())
    return row


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# Thin command modules: each imports its back end only when it runs.
from .cli_gen_tests import gen_tests  # noqa: E402
from .cli_lsp import lsp  # noqa: E402
from .tla_cli import export_tla  # noqa: E402

main.add_command(gen_tests)
main.add_command(export_tla)
main.add_command(lsp)

if __name__ == "__main__":  # pragma: no cover
    main()
