"""The `specforge` command. Thin: each command loads, renders, and picks an exit code.

Exit codes (shared by every subcommand):
  0  success: every spec is valid (and, for `prove`, every MUST invariant holds)
  1  a spec has errors (syntax, names, types, units, ...)
  2  usage error, or an input file that cannot be read
  3  an invariant does not hold (used by `prove` and the test bridge)
"""

from __future__ import annotations

import click

from .. import __version__
from .common import EXIT_CODES_HELP, ExitCode


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "-V", "--version", prog_name="specforge")
def main() -> None:
    """Turn written specifications (.sf files) into something a machine can check.

    \b
    Start with:
      specforge check examples/bank.sf
    """



# One module per command, each importing its back end only when it runs.
from .cards import cards  # noqa: E402
from .check import check  # noqa: E402
from .diff import diff  # noqa: E402
from .export_tla import export_tla  # noqa: E402
from .gen_tests import gen_tests  # noqa: E402
from .load import load_command  # noqa: E402
from .lsp import lsp  # noqa: E402
from .prove import prove  # noqa: E402
from .schema import schema  # noqa: E402
from .serve import serve  # noqa: E402
from .trace import trace  # noqa: E402
from .watch import watch  # noqa: E402

for _command in (check, prove, schema, gen_tests, export_tla, diff, cards, trace, load_command, lsp, watch, serve):
    main.add_command(_command)

__all__ = ["EXIT_CODES_HELP", "ExitCode", "main"]

if __name__ == "__main__":  # pragma: no cover
    main()
