"""specforge: written specifications that a machine can check.

The public API: `load` reads and checks a spec file into the typed IR.
The back ends (prove, generate_tests, export_tla) import z3 and hypothesis
only when they are used.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .frontend import Loaded, load, load_text  # noqa: E402

__all__ = ["Loaded", "__version__", "load", "load_text"]
