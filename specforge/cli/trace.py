"""`specforge trace`: the traceability matrix of a spec."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitCode, print_diagnostics_text


@click.command("trace")
@click.argument("spec_file", metavar="SPEC")
@click.option("--impl", default=None, metavar="MODULE:FACTORY",
              help="The implementation: its property test is run to count what it exercises, and its methods "
                   "and exception classes are located.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "html"]), default="markdown",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option("--examples", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Property-test runs that count the coverage.")
def trace(spec_file: str, impl: str | None, fmt: str, output: str | None, examples: int) -> None:
    """Map each requirement to its evidence: proof, property test, implementation and TLA+.

    \b
    Exit codes: 0 written, 1 the spec has errors, 2 usage error or an implementation that
    cannot be imported, 3 the property test failed or a MUST invariant is not proved.
    """
    from ..frontend import load

    loaded = load(spec_file)
    if not loaded.ok:
        print_diagnostics_text([loaded], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if loaded.unreadable else ExitCode.SPEC_ERRORS)
    factory = None
    if impl is not None:
        from ..testing.preflight import import_factory

        factory, problems = import_factory(impl)
        if factory is None:
            for p in problems:
                click.echo(f"{spec_file}: error: {p}", err=True)
            sys.exit(ExitCode.USAGE)
    from ..matrix import as_json, build, markdown, page

    m = build(loaded.spec, loaded.source.text, spec_file, factory, impl, examples)
    text = {"markdown": markdown, "json": as_json, "html": page}[fmt](m)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
    unproved = [r.id for r in m.rows if r.kind == "invariant" and r.level == "MUST"
                and not (r.proof or "").startswith("proved")]
    sys.exit(ExitCode.DOES_NOT_HOLD if m.usage.failure or unproved else ExitCode.OK)
