"""`specforge export-tla`: write a spec's TLA+ module and TLC model, or a violating run as a trace.

Its own module so that the TLA+ back end is imported only when the command runs.
"""

from __future__ import annotations

import json
import os
import sys

import click

from .common import EXIT_CODES_HELP, ExitCode, print_diagnostics_text

BOUND_HELP = ("Override a bound of the model, repeatable: a set (`Account=3`, `Account={a, b}`, `Account=0`), "
              "an int parameter (`amount=0..5`, `amount={1, 5, 9}`, `deposit.amount=7`; durations in ms), "
              "`MaxSteps=N` or `StateRange=LO..HI`. Defaults: docs/tla.md.")


@click.command("export-tla", epilog=EXIT_CODES_HELP)
@click.argument("spec_file", metavar="SPEC")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="The directory to write SPECNAME.tla and SPECNAME.cfg to (created if missing).")
@click.option("--bound", "bounds", multiple=True, metavar="NAME=VALUES", help=BOUND_HELP)
@click.option("--trace", "report", type=click.Path(dir_okay=False), default=None,
              help="Also write a trace module replaying the violating run of --invariant in this report "
                   "(`specforge prove --format json` output).")
@click.option("--from-prove", is_flag=True,
              help="Like --trace, but run the prover now to find the run (with --depth and --timeout).")
@click.option("--invariant", "invariant_id", default=None, metavar="ID",
              help="The violated invariant (or `type:VAR` bound) whose run --trace/--from-prove exports.")
@click.option("--must-only", is_flag=True,
              help="Check only the MUST invariants (and the type bounds) in the .cfg, so that TLC's verdict "
                   "matches `specforge prove`'s exit code; SHOULD and MAY invariants are listed as comments.")
@click.option("--depth", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="With --from-prove: the prover's search depth.")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=10.0, show_default=True,
              help="With --from-prove: seconds per solver check.")
def export_tla(spec_file: str, outdir: str, bounds: tuple[str, ...], report: str | None, from_prove: bool,
               invariant_id: str | None, must_only: bool, depth: int, timeout: float) -> None:
    """Write SPEC as a TLA+ module with the bounded model TLC checks (docs/tla.md).

    \b
    Then run TLC on it:
      java -cp tla2tools.jar tlc2.TLC -config DIR/NAME.cfg DIR/NAME.tla
    With --trace REPORT.json --invariant ID (or --from-prove --invariant ID) it also
    writes NAME_Trace.tla and .cfg: the violating run as a behaviour TLC replays.
    """
    from ..diagnostics import Severity
    from ..frontend import load
    from ..tla import BoundError, TraceError, export_trace, parse_bound
    from ..tla import export_tla as export

    if report is not None and from_prove:
        raise click.UsageError("give either --trace REPORT.json or --from-prove, not both")
    if (report is not None or from_prove) and not invariant_id:
        raise click.UsageError("--trace and --from-prove need --invariant ID: the violated invariant to replay")
    if invariant_id and report is None and not from_prove:
        raise click.UsageError("--invariant goes with --trace REPORT.json or --from-prove")
    try:
        parsed = [parse_bound(b) for b in bounds]
    except BoundError as e:
        raise click.BadParameter(str(e), param_hint="--bound") from None
    loaded = load(spec_file)
    if not loaded.ok:
        print_diagnostics_text([loaded], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if loaded.unreadable else ExitCode.SPEC_ERRORS)
    spec = loaded.spec
    try:
        if report is None and not from_prove:
            exports = [export(spec, parsed, must_only)]
        else:
            result = _result(spec, report, invariant_id, depth, timeout)
            exports = list(export_trace(spec, result, parsed))
    except BoundError as e:
        raise click.BadParameter(str(e), param_hint="--bound") from None
    except TraceError as e:
        click.echo(f"{spec_file}: error[SF322]: {e}", err=True)
        sys.exit(ExitCode.USAGE)
    diagnostics = [d for x in exports for d in x.diagnostics]
    for d in _unique(diagnostics):
        click.echo(d.render(loaded.source), err=True)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        sys.exit(ExitCode.SPEC_ERRORS)
    try:
        os.makedirs(outdir, exist_ok=True)
        for x in exports:
            for name, text in x.files().items():
                path = os.path.join(outdir, name)
                with open(path, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
                click.echo(f"wrote {path}")
    except OSError as e:
        click.echo(f"specforge: cannot write to {outdir}: {e.strerror or e}", err=True)
        sys.exit(ExitCode.USAGE)
    sys.exit(ExitCode.OK)


def _result(spec, report: str | None, invariant_id: str, depth: int, timeout: float):
    from ..tla import TraceError, find_result

    if report is not None:
        try:
            with open(report, encoding="utf-8") as fh:
                document = json.load(fh)
        except (OSError, ValueError) as e:
            raise TraceError(f"cannot read the report {report}: {e}") from None
        return find_result(document, spec, invariant_id)
    from ..prove import prove

    proof = prove(spec, depth, timeout)
    result = next((r for r in proof.invariants if r.id == invariant_id), None)
    if result is None:
        raise TraceError(f"spec {spec.name} has no invariant `{invariant_id}` "
                         f"(it has: {', '.join(r.id for r in proof.invariants) or 'none'})")
    return result


def _unique(diagnostics):
    seen = set()
    for d in diagnostics:
        key = (d.code, d.message, d.span.line if d.span else 0, d.span.column if d.span else 0)
        if key not in seen:
            seen.add(key)
            yield d
