"""Deliberately buggy variants of the implementations in `examples/impl/`.

Each module exposes `MUTANTS`, a list of classes; every one of them breaks its
spec in some reachable state, and its docstring says how and what catches it.
"""
