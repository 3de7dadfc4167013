"""`specforge prove`: decide every invariant with z3."""

from __future__ import annotations

import os
import sys

import click

from .common import EXIT_CODES_HELP, ExitCode, Progress, exit_code, print_diagnostics_text


@click.command(epilog=EXIT_CODES_HELP)
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
    from ..frontend import load

    if output is not None and not os.path.isdir(os.path.dirname(os.path.abspath(output))):
        raise click.BadParameter(f"the directory of {output} does not exist", param_hint="--output")
    loaded = [load(f) for f in files]
    if any(not r.ok for r in loaded):
        print_diagnostics_text(loaded, stream=sys.stderr)
        sys.exit(exit_code(loaded))
    from ..diagnostics import Diagnostic
    from ..prove import prove as prove_spec
    from ..prove.cache import open_cache
    from ..prove.encode import Unsupported
    from ..report import RENDERERS

    progress = Progress()
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
