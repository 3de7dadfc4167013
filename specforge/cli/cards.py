"""`specforge cards`: test cards from the spec, for people and as pinned pytest cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import ExitCode, print_diagnostics_text


@click.command("cards")
@click.argument("spec_file", metavar="SPEC")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the cards (Markdown: Given / When / Then) here instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--impl", default=None, metavar="MODULE:FACTORY",
              help="With --pytest: the implementation the pinned cases run against.")
@click.option("--pytest", "pytest_out", type=click.Path(dir_okay=False), default=None,
              help="Also write every card as a pinned pytest case against --impl.")
@click.option("--dead-check/--no-dead-check", default=True, show_default=True,
              help="Prove the spec first, so that a failure mode no reachable state triggers is shown dead.")
def cards(spec_file: str, output: str | None, fmt: str, impl: str | None, pytest_out: str | None,
          dead_check: bool) -> None:
    """Write a test card for every action (a shortest run in which it succeeds) and every failure mode
    (a shortest run that ends in a call it refuses), found by the explicit-state engine.

    \b
    Exit codes: 0 written, 1 the spec has errors, 2 usage error, 3 a failure mode is dead
    (no reachable state triggers it) or no card was found for it.
    """
    from ..frontend import load

    if (impl is None) != (pytest_out is None):
        raise click.UsageError("--pytest FILE and --impl MODULE:FACTORY go together")
    loaded = load(spec_file)
    if not loaded.ok:
        print_diagnostics_text([loaded], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if loaded.unreadable else ExitCode.SPEC_ERRORS)
    from ..cards import find_cards, markdown, pytest_file

    proved = None
    if dead_check:
        from ..prove import prove

        proved = [r.id for r in prove(loaded.spec).invariants if r.verdict.value == "proved"]
    found = find_cards(loaded.spec, proved=proved)
    if fmt == "json":
        text = json.dumps([{"action": c.action, "error": c.error, "status": c.status, "reason": c.reason,
                            "run": c.run.to_json() if c.run else None} for c in found], indent=2)
    else:
        text = markdown(loaded.spec, found, loaded.source.text)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)
    if pytest_out:
        Path(pytest_out).write_text(pytest_file(loaded.spec, found, loaded.source.text, spec_file, impl, pytest_out),
                                    encoding="utf-8")
        click.echo(f"wrote {pytest_out}")
    missing = [c for c in found if c.run is None]
    for c in missing:
        click.echo(f"{spec_file}: {c.title}: {c.status}: {c.reason}", err=True)
    sys.exit(ExitCode.DOES_NOT_HOLD if missing else ExitCode.OK)
