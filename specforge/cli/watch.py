"""`specforge watch`: check and prove specs again each time one is saved.

Saves are noticed by polling modification times (no dependency, works on
every file system); a save during a proof is picked up right after it. Each
proof is bounded by --timeout per solver check and uses the prove cache, so
re-proving after a small edit mostly reads answers. Ctrl-C stops it with
exit code 0: stopping a watch is not a failure.
"""

from __future__ import annotations

import os
import sys
import time

import click

from .common import count, print_diagnostics_text, prover_failure


@click.command("watch")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--no-prove", is_flag=True, help="Only check; do not prove.")
@click.option("--depth", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many steps the search for a violating run explores (as in prove).")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=10.0, show_default=True,
              help="Seconds z3 may spend on each solver check (as in prove).")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=0.5, show_default=True,
              help="Seconds between two looks at the files' modification times.")
def watch(files: tuple[str, ...], no_prove: bool, depth: int, timeout: float, interval: float) -> None:
    """Check (and prove) FILE... now, then again each time one of them is saved. Ctrl-C stops.

    \b
    Exit codes: 0 when stopped with Ctrl-C; 2 usage error."""
    seen: dict[str, int | None] = {}
    try:
        while True:
            now = {f: _mtime(f) for f in files}
            changed = [f for f in files if f not in seen or now[f] != seen[f]]
            seen = now  # taken before the run: a save during it is noticed on the next look
            if changed:
                _run(changed, not no_prove, depth, timeout)
                click.echo(f"[{time.strftime('%H:%M:%S')}] watching {count(len(files), 'file')}; Ctrl-C stops")
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("specforge: watch stopped")
        sys.exit(0)


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None  # missing now; the check reports it, and its return is a change


def _run(files: list[str], prove: bool, depth: int, timeout: float) -> None:
    from ..frontend import load

    loaded = [load(f) for f in files]
    print_diagnostics_text(loaded, stream=sys.stdout)
    for r in loaded:
        if not r.ok:
            errors = sum(1 for d in r.diagnostics if d.severity.value == "error")
            click.echo(f"{r.path}: {count(errors, 'error')}")
        elif not prove:
            click.echo(f"{r.path}: ok: spec {r.spec.name}")
    valid = [r for r in loaded if r.ok]
    if prove and valid:
        _prove(valid, depth, timeout)


def _prove(loaded: list, depth: int, timeout: float) -> None:
    from ..prove import prove
    from ..prove.cache import open_cache
    from ..report import text

    with open_cache() as cache:
        for r in loaded:
            try:
                report = prove(r.spec, depth, timeout, cache=cache)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # keep watching: the next save may fix it
                click.echo(prover_failure(r, e)[0])
                continue
            click.echo(text([report]), nl=False)
