"""`specforge load`: drive a running implementation at a target rate, open loop, with the spec as the
oracle, and judge it against budgets. The work is in specforge.load."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitCode, print_diagnostics_text

LOAD_HELP = """\b
Exit codes: 0 every MUST budget met, 1 the spec has errors, 2 usage error, a binding
file's mistake or an implementation that cannot be started, 3 a MUST budget broken or
unjudged (too few samples). Without an error_rate budget, `error_rate <= 0%` applies:
any call answered against the spec fails the run."""


@click.command("load", epilog=LOAD_HELP)
@click.argument("spec_file", metavar="SPEC")
@click.option("--http", "http_binding", default=None, metavar="BINDING.toml",
              help="Load a live HTTP service bound to the spec by this file (docs/http.md); needs --base-url.")
@click.option("--base-url", default=None, metavar="URL", help="With --http: where the service runs.")
@click.option("--impl", default=None, metavar="MODULE:FACTORY",
              help="Load a Python implementation instead: each session calls FACTORY for a fresh object.")
@click.option("--rate", default="50/s", show_default=True, metavar="RATE",
              help="Calls offered per unit of time, open loop: `200/s`, `6000 per min`.")
@click.option("--duration", default="10 s", show_default=True, metavar="TIME",
              help="How long calls are sent: `10 s`, `500 ms`, `2 min` (at most 1 h).")
@click.option("--budget", "budgets", multiple=True, metavar="BUDGET",
              help="A budget, repeatable: `p99(latency(withdraw)) <= 250 ms`, `SHOULD p95(latency) < 1 s`, "
                   "`error_rate <= 1%`, `throughput >= 100/s` (docs/load.md). Added to the binding file's.")
@click.option("--max-sessions", type=click.IntRange(1, 4096), default=256, show_default=True,
              help="Fresh implementations (HTTP: `{instance}`s) in use at most; a due call waits for a free one "
                   "(the wait counts in its latency).")
@click.option("--timeout", type=click.FloatRange(0.001, 600), default=None,
              help="Seconds each HTTP request may take (default: the binding file's, else 5).")
@click.option("--observe", type=click.Choice(["end", "every"]), default="end", show_default=True,
              help="When the state is read back and compared with the spec's: at the end of each session, or "
                   "also after every call (untimed, but one more request per call: a refusal that changed the "
                   "state is then caught where it happens).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the choice of calls.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write the results as JSON to this file (`-`: standard output, instead of the table).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              help="Write an HTML report with a latency plot (inline SVG) to this file.")
def load_command(spec_file: str, http_binding: str | None, base_url: str | None, impl: str | None, rate: str,
                 duration: str, budgets: tuple[str, ...], max_sessions: int, timeout: float | None, observe: str,
                 seed: int, json_out: str | None, html_out: str | None) -> None:
    """Drive an implementation of SPEC at --rate for --duration and check every answer against SPEC.

    Calls are chosen as the property tests choose them (mostly successes, at the
    guards' boundaries, some refusals) and sent at scheduled times whatever the
    answers before them are doing (open loop); each call's latency is measured from
    its scheduled time. Prints per-action latency percentiles (nearest-rank),
    throughput, errors (spec violations, apart from the refusals the spec expects)
    and a verdict per budget.
    """
    from ..frontend import load
    from ..load.budget import BudgetError, from_constraint, parse_budget, parse_duration_ms, parse_rate

    loaded = load(spec_file)
    if not loaded.ok:
        print_diagnostics_text([loaded], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if loaded.unreadable else ExitCode.SPEC_ERRORS)
    spec = loaded.spec
    if (impl is None) == (http_binding is None):
        raise click.UsageError("give either --http BINDING.toml --base-url URL or --impl MODULE:FACTORY")
    try:
        per_second = float(parse_rate(rate))
        seconds = float(parse_duration_ms(duration)) / 1000
    except BudgetError as e:
        raise click.BadParameter(str(e)) from None
    if not 0 < seconds <= 3600:
        raise click.BadParameter("the duration must be above 0 and at most 1 h", param_hint="--duration")
    if per_second > 100_000:
        raise click.BadParameter("at most 100000/s", param_hint="--rate")
    factory, binding, target, texts, sessions, grace = _target(spec, spec_file, http_binding, base_url, impl,
                                                               timeout, max_sessions)
    actions = [a.name for a in spec.actions]
    try:
        parsed = [from_constraint(c) for c in spec.constraints] + [parse_budget(t, actions) for t in (*texts, *budgets)]
    except BudgetError as e:
        raise click.BadParameter(str(e), param_hint="--budget") from None
    if not any(b.metric == "error_rate" for b in parsed):
        parsed.append(parse_budget("error_rate <= 0%"))
    _run(spec, spec_file, loaded.source.text, factory, binding, target, per_second, seconds, parsed, sessions, grace, seed,
         json_out, html_out, observe)


def _target(spec, spec_file, http_binding, base_url, impl, timeout, max_sessions):
    """(factory, binding, description, the binding file's budgets, sessions at most, grace seconds)."""
    from ..testing.binding import Binding

    if http_binding is not None:
        from ..testing.http import BindingFileError, HttpBinding, HttpService, read_binding_file

        if not base_url:
            raise click.UsageError("--http needs --base-url URL (where the service runs)")
        try:
            http = read_binding_file(http_binding, spec)
        except BindingFileError as e:
            click.echo(str(e), err=True)
            sys.exit(ExitCode.USAGE)
        if timeout is not None:
            http.timeout = timeout
        try:
            import httpx  # noqa: F401
        except ImportError:
            click.echo("specforge load --http needs httpx: pip install 'specforge[http]'", err=True)
            sys.exit(ExitCode.USAGE)
        binding = HttpBinding(http)
        # without `{instance}` every fresh implementation resets the one service: one session at a time
        sessions = max_sessions if http.per_instance else 1
        return (HttpService(binding, base_url), binding, base_url, http.budgets, sessions, http.timeout)
    from ..testing.preflight import factory_problems, import_factory

    factory, problems = import_factory(impl)
    if factory is not None:
        problems = factory_problems(factory, spec, impl)
    for p in problems:
        click.echo(f"{spec_file}: error: {p}", err=True)
    if problems:
        sys.exit(ExitCode.USAGE)
    return factory, Binding(), impl, (), max_sessions, timeout or 5.0


def _run(spec, spec_file, source, factory, binding, target, rate, seconds, budgets, sessions, grace, seed,
         json_out, html_out, observe) -> None:
    from ..load.engine import LoadError, LoadRun
    from ..load.report import dumps, html_page, results, table
    from ..structure import obligation_ids

    progress = _progress if sys.stderr.isatty() else None
    run = LoadRun(spec, factory, binding, rate, seconds, tuple(obligation_ids(spec)), sessions, grace, seed, progress,
                  source, observe)
    try:
        run.warm(int(rate * 0.02) + 1)
    except LoadError as e:
        click.echo(f"{spec_file}: error: {e}", err=True)
        sys.exit(ExitCode.USAGE)
    except KeyboardInterrupt:
        click.echo(f"{spec_file}: interrupted before the first call: nothing measured", err=True)
        sys.exit(ExitCode.USAGE)
    outcome = run.run()
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    close = getattr(factory, "close", None)
    if close is not None:
        close()
    r = results(spec_file, target, rate, seconds, outcome, budgets)
    if json_out == "-":
        click.echo(dumps(r), nl=False)
    else:
        click.echo(table(r), nl=False)
        if json_out:
            Path(json_out).write_text(dumps(r), encoding="utf-8")
    if html_out:
        Path(html_out).write_text(html_page(r), encoding="utf-8")
    sys.exit(r.exit_code)


def _progress(outcome, now: float, sent: int) -> None:
    calls = outcome.calls
    errors = sum(1 for c in calls if c.outcome == "violation")
    recent = sorted(c.latency for c in calls[-200:])
    p = f"{recent[len(recent) // 2] * 1000:.1f} ms" if recent else "-"
    click.echo(f"\r\033[K  {now:6.1f} s  sent {sent}  answered {len(calls)}  errors {errors}  "
               f"median of the last {len(recent)}: {p}", err=True, nl=False)
