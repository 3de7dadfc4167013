"""`specforge lsp`: the language server on standard input and output. pygls is imported only here."""

from __future__ import annotations

import sys

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk LSP over standard input and output (the default and only way).")
def lsp(stdio: bool) -> None:
    """Run the language server for editors: diagnostics, hover, definitions, completion, prove.

    \b
    Needs the `lsp` extra: python -m pip install 'specforge[lsp]'.
    See docs/editor.md for VS Code and other editors."""
    try:
        from ..lsp.server import serve
    except ImportError as e:
        click.echo(f"specforge: the language server needs pygls ({e.name} is missing)\n"
                   "  = help: python -m pip install 'specforge[lsp]'", err=True)
        sys.exit(2)
    serve()
