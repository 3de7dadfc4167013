"""specforge: written specifications that a machine can check.

The public API: `load` reads and checks a spec file into the typed IR; the
back ends are `specforge.prove.prove` (z3), `specforge.testing` (hypothesis
property tests, `spec_test_case`) and `specforge.tla` (TLA+ export). They
import z3 and hypothesis only when they are used.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .frontend import Loaded, load, load_text  # noqa: E402

__all__ = ["Loaded", "__version__", "load", "load_text"]
