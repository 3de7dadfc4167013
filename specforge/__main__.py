"""`python -m specforge`: the same command line as `specforge`, through the same fast entry point."""

from .fastpath import main

main()
