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
import sys

import click

from . import __version__


class ExitCode(enum.IntEnum):
    OK = 0
    SPEC_ERRORS = 1
    USAGE = 2
    DOES_NOT_HOLD = 3


EXIT_CODES_HELP = """\b
Exit codes:
  0  every spec is valid
  1  a spec has errors
  2  usage error, or a file that cannot be read
  3  an invariant does not hold (prove)"""


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


if __name__ == "__main__":  # pragma: no cover
    main()
