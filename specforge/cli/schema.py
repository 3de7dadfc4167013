"""`specforge schema`: the JSON Schema of the IR."""

from __future__ import annotations

import json

import click


@click.command()
def schema() -> None:
    """Print the JSON Schema of the IR that `check --emit-ir` prints."""
    from ..ir_schema import ir_schema

    click.echo(json.dumps(ir_schema(), indent=2, sort_keys=True))
