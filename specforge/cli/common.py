"""What every command shares: exit codes, diagnostics on a stream, progress on stderr."""

from __future__ import annotations

import enum
import sys

import click


class ExitCode(enum.IntEnum):
    OK = 0
    SPEC_ERRORS = 1
    USAGE = 2
    DOES_NOT_HOLD = 3
    STALE = 4  # a generated file no longer matches its spec (gen-tests --check)


EXIT_CODES_HELP = """\b
Exit codes:
  0  success: every spec is valid (prove: and every MUST invariant is proved)
  1  a spec has errors
  2  usage error, a file that cannot be read, or an internal error
  3  a MUST invariant is violated or unknown (prove)
  4  a generated file is out of date (gen-tests --check)"""


def exit_code(results) -> int:
    if any(r.unreadable for r in results):
        return ExitCode.USAGE
    if any(not r.ok for r in results):
        return ExitCode.SPEC_ERRORS
    return ExitCode.OK


def print_diagnostics_text(results, stream) -> None:
    for r in results:
        for d in r.diagnostics:
            click.echo(d.render(r.source), file=stream)


def diag_json(d) -> dict:
    row = d.model_dump(mode="json", exclude={"span"})
    if d.span is not None:
        row.update(d.span.model_dump())
    return row


def count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Progress:
    """Progress on stderr, shown only once a run has taken a couple of seconds."""

    def __init__(self, after: float = 2.0):
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._after = after
        self._last = 0.0
        self._tty = sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        now = self._clock()
        if now - self._start < self._after or now - self._last < 0.5:
            return
        self._last = now
        line = f"specforge: {message} ({now - self._start:.0f} s)"
        if self._tty:
            click.echo("\r\033[K" + line, file=sys.stderr, nl=False)
        else:
            click.echo(line, file=sys.stderr)

    def done(self) -> None:
        if self._tty and self._last:
            click.echo("\r\033[K", file=sys.stderr, nl=False)
