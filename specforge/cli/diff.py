"""`specforge diff`: what changed between two versions of a spec, decided by z3."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click

from .common import EXIT_CODES_HELP, ExitCode, print_diagnostics_text


@click.command("diff", epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, metavar="OLD NEW | --rev REV FILE")
@click.option("--rev", default=None, metavar="REV",
              help="Compare FILE with its version at this git revision (e.g. HEAD, main, HEAD~1).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, json for tools, markdown for a pull-request comment.")
@click.option("--accept", "accepted", multiple=True, metavar="ID",
              help="A weakening that is intended: an invariant ID, or ACTION.ERROR for a dropped failure mode. "
                   "Repeatable. Without it a weakened MUST guarantee fails the command (exit 3).")
@click.option("--depth", type=click.IntRange(0, 100), default=6, show_default=True,
              help="Steps the search for a run that the new spec allows and the old does not explores.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds z3 may spend on each question.")
def diff(files: tuple[str, ...], rev: str | None, fmt: str, accepted: tuple[str, ...], depth: int,
         timeout: float) -> None:
    """Compare two versions of a spec: invariants, actions, init and behaviour.

    \b
    Each invariant is added, removed, renamed, equivalent, stronger, weaker or
    incomparable (with a state that tells them apart); each action's guards
    accept more or fewer calls, its failure modes and effects change or not; and
    every run of the new spec is, or is not, a run of the old one.
    A MUST invariant removed or weakened, or a failure mode dropped, exits 3
    unless accepted with --accept.
    """
    from ..frontend import load, load_text

    if rev is not None:
        if len(files) != 1:
            raise click.UsageError("with --rev give one FILE: it is compared with its version at REV")
        path = files[0]
        old_text = _git_show(rev, path)
        old = load_text(old_text, f"{path}@{rev}")
        new = load(path)
    else:
        if len(files) != 2:
            raise click.UsageError("give two files, OLD and NEW (or --rev REV FILE)")
        old, new = load(files[0]), load(files[1])
    if not (old.ok and new.ok):
        print_diagnostics_text([old, new], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if old.unreadable or new.unreadable else ExitCode.SPEC_ERRORS)
    from ..diff import diff as compare
    from ..diff import render_markdown, render_text

    result = compare(old.spec, new.spec, old.path, new.path, timeout, depth, list(accepted))
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render_markdown(result), nl=False)
    else:
        click.echo(render_text(result), nl=False)
    sys.exit(ExitCode.DOES_NOT_HOLD if result.blocking else ExitCode.OK)


def _git_show(rev: str, path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    try:
        done = subprocess.run(["git", "-C", directory, "show", f"{rev}:./{name}"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        click.echo(f"specforge: cannot run git: {e}", err=True)
        sys.exit(ExitCode.USAGE)
    if done.returncode != 0:
        click.echo(f"specforge: git cannot show {path} at {rev}: {done.stderr.decode(errors='replace').strip()}",
                   err=True)
        sys.exit(ExitCode.USAGE)
    return done.stdout.decode("utf-8", errors="replace")


__all__ = ["diff"]
