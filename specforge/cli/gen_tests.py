"""`specforge gen-tests`: the spec as a pytest file.

This module holds only the click command, so that `specforge --help` and
`specforge check` do not import hypothesis; the work is in specforge.testing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..testing.defaults import DEFAULT_CALL_TIMEOUT, DEFAULT_EXAMPLES, DEFAULT_STEPS
from .common import ExitCode, print_diagnostics_text


@click.command("gen-tests")
@click.argument("spec_file", metavar="SPEC")
@click.option("--impl", default=None, metavar="MODULE:FACTORY",
              help="The implementation: a module importable by the tests and the class or function in it that "
                   "returns a fresh object in the initial state, e.g. bank:Account.")
@click.option("--http", "http_binding", default=None, metavar="BINDING.toml",
              help="Test a live HTTP service instead, bound to the spec by this file (docs/http.md); "
                   "needs --base-url and `pip install 'specforge[http]'`.")
@click.option("--base-url", default=None, metavar="URL",
              help="With --http: where the service runs, e.g. http://127.0.0.1:8000 (the tests take "
                   "SPECFORGE_BASE_URL instead when it is set).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The test file to write.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 4 if OUTPUT differs from what this command would write (for CI).")
@click.option("--replay", "replay_report", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A `specforge prove --format json` report: each violated trace becomes a pinned test.")
@click.option("--examples", type=click.IntRange(1, 100_000), default=DEFAULT_EXAMPLES, show_default=True,
              help="Hypothesis examples (runs of actions) per test.")
@click.option("--steps", type=click.IntRange(1, 10_000), default=DEFAULT_STEPS, show_default=True,
              help="Actions per run at most.")
@click.option("--call-timeout", type=click.FloatRange(0, 86_400), default=DEFAULT_CALL_TIMEOUT, show_default=True,
              help="Seconds one call of the implementation may take; past it the test fails with the call and "
                   "the run so far (0: no bound).")
def gen_tests(spec_file: str, impl: str | None, http_binding: str | None, base_url: str | None, output: str,
              check: bool, replay_report: str | None, examples: int, steps: int, call_timeout: float) -> None:
    """Write a hypothesis property test of an implementation against SPEC.

    Each step chooses an action and arguments with regard to the guards (mostly
    ones that succeed and lead somewhere new, at and around every boundary,
    sometimes ones a guard refuses), runs it on the
    implementation and on the spec's own model of the state, and checks that
    they agree: no exception where every guard holds; the named exception and
    an unchanged state where a guard fails; every invariant after every step.

    \b
    Exit codes: 0 written (or current, with --check), 1 the spec has errors,
    2 usage error or unreadable input, 4 OUTPUT is out of date (--check).
    """
    from ..frontend import load
    from ..testing.generate import GenerationError, generate

    loaded = load(spec_file)
    if not loaded.ok:
        print_diagnostics_text([loaded], stream=sys.stderr)
        sys.exit(ExitCode.USAGE if loaded.unreadable else ExitCode.SPEC_ERRORS)
    if (impl is None) == (http_binding is None):
        raise click.UsageError("give either --impl MODULE:FACTORY or --http BINDING.toml --base-url URL")
    http = _check_http(loaded.spec, http_binding, base_url) if http_binding is not None else None
    if http is None and not check:
        from ..testing.preflight import check_implementation

        problems = check_implementation(loaded.spec, impl) if ":" in impl else []
        for p in problems:
            click.echo(f"{spec_file}: {'warning' if p.warning else 'error'}: {p}", err=True)
        errors = [p for p in problems if not p.warning]
        if errors:
            click.echo(f"{len(errors)} error{'s' if len(errors) > 1 else ''} with --impl {impl}: nothing written",
                       err=True)
            sys.exit(ExitCode.USAGE)
    report = None
    if replay_report:
        try:
            report = json.loads(Path(replay_report).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise click.BadParameter(f"cannot read the report: {e}", param_hint="--replay") from None
    try:
        code = generate(loaded.source.text, spec_file, impl, output, report, examples, steps, spec=loaded.spec,
                        call_timeout=call_timeout, http=http)
    except (GenerationError, KeyError) as e:
        click.echo(f"specforge: {e}", err=True)
        sys.exit(ExitCode.USAGE)
    path = Path(output)
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != code:
            click.echo(f"{output} is out of date with {spec_file}; regenerate it:\n"
                       f"  specforge gen-tests {spec_file} {_target(impl, http)} -o {output}", err=True)
            sys.exit(ExitCode.STALE)
        click.echo(f"{output} is current")
        return
    if not path.parent.is_dir():
        raise click.BadParameter(f"the directory of {output} does not exist", param_hint="--output")
    path.write_text(code, encoding="utf-8")
    click.echo(f"wrote {output}")


def _check_http(spec, binding_path: str, base_url: str | None) -> tuple[str, str]:
    """The binding file read against the spec (its mistakes, at their lines, exit 2) and the base URL."""
    from ..testing.http import BindingFileError, read_binding_file

    if not base_url:
        raise click.UsageError("--http needs --base-url URL (where the service runs)")
    try:
        read_binding_file(binding_path, spec)
    except BindingFileError as e:
        click.echo(str(e), err=True)
        sys.exit(ExitCode.USAGE)
    return binding_path, base_url


def _target(impl: str | None, http: tuple[str, str] | None) -> str:
    return f"--impl {impl}" if http is None else f"--http {http[0]} --base-url {http[1]}"
