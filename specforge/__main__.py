"""`python -m specforge`: the same command line as `specforge`."""

from .cli import main

main(prog_name="specforge")
