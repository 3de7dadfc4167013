"""specforge: written specifications that a machine can check.

The public API: `load` reads and checks a spec file into the typed IR; the
back ends are `specforge.prove.prove` (z3), `specforge.testing` (hypothesis
property tests, `spec_test_case`) and `specforge.tla` (TLA+ export). They
import z3 and hypothesis only when they are used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Loaded", "__version__", "load", "load_text"]


def __getattr__(name: str):
    # Imported on first use, so that `specforge --version` and `--help` start without pydantic and lark.
    if name in ("Loaded", "load", "load_text"):
        from . import frontend

        return getattr(frontend, name)
    raise AttributeError(f"module 'specforge' has no attribute {name!r}")
