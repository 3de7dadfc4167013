"""`specforge prove`: decide every invariant with z3."""

from __future__ import annotations

import os
import sys

import click

from .common import EXIT_CODES_HELP, ExitCode, Progress, exit_code, print_diagnostics, print_diagnostics_text


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit", "markdown"]), default="text",
              show_default=True, help="text for people; json, sarif (code scanning) or junit (CI) for tools; "
                                      "markdown for a pull-request comment.")
@click.option("--depth", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="How many steps the search for a violating run explores.")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=10.0, show_default=True,
              help="Seconds z3 may spend on each solver check (an obligation takes several, so a run may "
                   "take much longer); a check that runs out leaves its obligation unknown.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that prove at once: one pool for the whole command, split by file and by action.")
@click.option("--dask", metavar="ADDRESS", default=None,
              help="Run the proof obligations on a Dask cluster (e.g. tcp://scheduler:8786) instead of local "
                   "processes; needs specforge[dask].")
@click.option("--dask-timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
              help="Seconds to wait for the Dask scheduler to answer.")
@click.option("--explore-size", type=click.IntRange(0, 6), default=3, show_default=True,
              help="The explicit-state search of small instances gives each set 0..N elements.")
@click.option("--explore-states", type=click.IntRange(1, 100_000_000), default=200_000, show_default=True,
              help="Distinct states the explicit-state search may keep (its memory budget; its time budget "
                   "is --timeout).")
@click.option("--no-explore", is_flag=True,
              help="No explicit-state search: no proof by exhaustion, violations from the SMT search only.")
@click.option("--no-cache", is_flag=True,
              help="Ignore and do not update the result caches (whole reports and single obligations, in "
                   "~/.cache/specforge; SPECFORGE_CACHE_DIR moves them).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--infer-budget", type=click.FloatRange(0, 86400), default=30.0, show_default=True,
              help="Seconds the inference of supporting invariants may take per spec (0: no inference).")
@click.option("--write-support", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the inferred supporting invariants the proofs use to this file, ready to paste.")
@click.option("--time-budget", type=click.FloatRange(0, 86400), default=600.0, show_default=True,
              help="Seconds the proof of one spec may take in all (0: no bound); what is left undecided when it "
                   "runs out is unknown, saying so. --timeout bounds each solver check.")
def prove(files: tuple[str, ...], fmt: str, depth: int, timeout: float, jobs: int, dask: str | None,
          dask_timeout: float, explore_size: int, explore_states: int, no_explore: bool, no_cache: bool,
          output: str | None, infer_budget: float, write_support: str | None, time_budget: float) -> None:
    """Prove every invariant of each spec, or show a run that breaks it.

    \b
    Each invariant gets one verdict:
      proved    it holds in every reachable state, for every size of every set
                (a spec without sets may be proved by searching every reachable state)
      violated  a run from the initial state breaks it (the trace is shown)
      unknown   neither within the depth and time limit (the reason is shown)
    MUST invariants decide the exit code; SHOULD ones are warnings, MAY ones notes.
    """
    for path, hint in ((output, "--output"), (write_support, "--write-support")):
        if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise click.BadParameter(f"the directory of {path} does not exist", param_hint=hint)
    from ..reportcache import ReportCache, prove_options
    from ..reportcache import key as report_key

    # a cached report is text: the inferred invariants to write need the run itself
    whole = None if no_cache or write_support else report_key(
        files, prove_options(fmt, depth, timeout, -1 if no_explore else explore_size, explore_states, infer_budget,
                             time_budget))
    if whole is not None:
        hit = ReportCache().get(whole)
        if hit is not None:
            _emit(hit[0], output)
            sys.exit(hit[1])
    from ..frontend import load

    explore = -1 if no_explore else explore_size
    executor = _executor(jobs, dask, dask_timeout)
    # several files on a pool: each is read here and sent whole, as text, to a worker that checks and
    # proves it, so this process parses none of them; one file: this process reads it and its actions
    # are the tasks
    sources = _sources(files) if executor and len(files) > 1 else None
    by_file = [_by_file(executor, source, depth, timeout, not no_cache, explore, explore_states, infer_budget,
                        time_budget or None) for source in sources] if sources else []
    loaded = [] if by_file else [load(f) for f in files]
    if by_file and _any_invalid(by_file):
        _abandon(executor)
        loaded = [load(f) for f in files]  # the errors, read here in file order
    if any(not r.ok for r in loaded):
        _abandon(executor)
        print_diagnostics_text(loaded, stream=sys.stderr)
        sys.exit(exit_code(loaded))
    from ..diagnostics import Diagnostic
    from ..prove import prove as prove_spec
    from ..prove.cache import open_cache
    from ..prove.encode import Unsupported
    from ..report import RENDERERS

    progress = Progress()
    reports = []
    with open_cache(not no_cache) as cache, _shutdown(executor):
        for i in range(len(files)):
            path, source = (sources[i].path, sources[i]) if by_file else (loaded[i].path, loaded[i].source)
            try:
                reports.append(by_file[i].result() if by_file else
                               prove_spec(loaded[i].spec, depth, timeout, progress=progress, cache=cache,
                                          executor=executor, explore_size=explore, explore_states=explore_states,
                                          infer_budget=infer_budget, time_budget=time_budget or None))
            except Unsupported as e:
                progress.done()
                _abandon(executor)
                print_diagnostics([Diagnostic.error("SF301", str(p), path, getattr(p.node, "span", None))
                          for p in e.problems], source)
                sys.exit(ExitCode.SPEC_ERRORS)
            except Exception as e:  # the safety net: a message, never a traceback
                progress.done()
                _abandon(executor)
                print_diagnostics([Diagnostic.error("SF399", f"internal error in the prover: {type(e).__name__}: {e}", path,
                                          hint="please report it with the spec that triggers it")], source)
                sys.exit(ExitCode.USAGE)
    progress.done()
    rendered = RENDERERS[fmt](reports)
    code = ExitCode.DOES_NOT_HOLD if any(r.must_fails for r in reports) else ExitCode.OK
    if whole is not None and not any(res.verdict.value == "unknown" for r in reports for res in r.invariants):
        ReportCache().put(whole, rendered, int(code))  # an unknown may be decided by a later run: never stored
    if write_support:
        _emit(_support_text(reports), write_support)
    _emit(rendered, output)
    sys.exit(code)


def _support_text(reports) -> str:
    """The inferred invariants of each spec, as declarations to paste at the end of it."""
    out = []
    for r in reports:
        if r.inferred:
            out.append(f"# Inferred by specforge prove for spec {r.spec} ({r.file}): paste at the end of the spec.")
            out.extend(inv.declaration() for inv in r.inferred)
    return "\n".join(out)


def _emit(rendered: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(rendered)
        except OSError as e:
            click.echo(f"specforge: cannot write {output}: {e.strerror or e}", err=True)
            sys.exit(ExitCode.USAGE)
    else:
        click.echo(rendered, nl=False)


def _executor(jobs: int, dask: str | None, wait: float = 30.0):
    """The command's one executor: a Dask cluster's, a local process pool for --jobs N > 1, or none."""
    if dask:
        try:
            from distributed import Client
        except ImportError:
            raise click.UsageError("--dask needs the Dask extra: pip install 'specforge[dask]'") from None
        try:
            return Client(dask, timeout=wait).get_executor()
        except (OSError, TimeoutError) as e:
            raise click.UsageError(f"cannot reach the Dask scheduler at {dask}: {e}") from None
    if jobs > 1:
        from ..prove.engine import process_pool

        return process_pool(jobs)
    return None


def _sources(files: tuple[str, ...]):
    """Each file read and decoded (not parsed), or None when one cannot be read: then the files are loaded
    here, one after another, and the error reported as for one file."""
    from ..parse import InputError, read_source

    try:
        return [read_source(f) for f in files]
    except InputError:
        return None


def _by_file(executor, source, depth: int, timeout: float, cache: bool, explore_size: int,
             explore_states: int, infer_budget: float, time_budget: float | None):
    from ..prove.engine import prove_source

    return executor.submit(prove_source, source.path, source.text, depth, timeout, cache, explore_size,
                           explore_states, infer_budget, time_budget)


def _any_invalid(futures) -> bool:
    """Whether a worker found a spec with errors (`prove_source` answered None), as soon as one does: the
    other files' proofs are then not waited for. A task that raised is not invalid here: its error is
    reported in file order after."""
    from concurrent.futures import as_completed

    return any(f.exception() is None and f.result() is None for f in as_completed(futures))


def _abandon(executor) -> None:
    """Stop a pool whose work is no longer wanted (a file has errors, so nothing is proved): queued tasks
    are dropped and local workers stopped rather than waited for."""
    if executor is None:
        return
    executor.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()
    client = getattr(executor, "_client", None)
    if client is not None:
        client.close()


class _shutdown:
    def __init__(self, executor):
        self.executor = executor

    def __enter__(self):
        return self.executor

    def __exit__(self, *exc) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            client = getattr(self.executor, "_client", None)
            if client is not None:
                client.close()
