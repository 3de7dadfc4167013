"""`python -m specforge.cli`: the same command line as `specforge`."""

from . import main

main(prog_name="specforge")
