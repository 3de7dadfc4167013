"""`specforge check`: parse and check spec files."""

from __future__ import annotations

import json
import sys

import click

from .common import EXIT_CODES_HELP, count, diag_json, exit_code, print_diagnostics_text


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools.")
@click.option("--emit-ir", is_flag=True, help="Print the typed IR of each valid spec as JSON (schema: docs/ir.schema.json).")
def check(files: tuple[str, ...], fmt: str, emit_ir: bool) -> None:
    """Parse and check spec files: syntax, names, types, units, init."""
    from ..diagnostics import Severity
    from ..frontend import load

    results = [load(f) for f in files]
    errors = sum(1 for r in results for d in r.diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for r in results for d in r.diagnostics if d.severity is Severity.WARNING)

    if emit_ir:
        print_diagnostics_text(results, stream=sys.stderr)
        docs = [json.loads(r.spec.model_dump_json(by_alias=True)) for r in results if r.ok]
        if docs:
            out = docs[0] if len(files) == 1 else docs
            click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps({
            "version": 1,
            "files": [{"file": r.path, "valid": r.ok, "diagnostics": [diag_json(d) for d in r.diagnostics]}
                      for r in results],
            "errors": errors,
            "warnings": warnings,
        }, indent=2, ensure_ascii=False))
    else:
        print_diagnostics_text(results, stream=sys.stdout)
        for r in results:
            if r.ok:
                s = r.spec
                click.echo(f"{r.path}: ok: spec {s.name}, {count(len(s.invariants), 'invariant')}, "
                           f"{count(len(s.actions), 'action')}"
                           + (f", {count(len(s.constraints), 'constraint')}" if s.constraints else ""))
        if errors:
            click.echo(f"{count(errors, 'error')} in {count(sum(1 for r in results if not r.ok), 'file')}")
    sys.exit(exit_code(results))
