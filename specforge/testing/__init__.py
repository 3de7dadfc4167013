"""The hypothesis back end: the spec as the oracle of property tests of a real implementation.

- `specforge gen-tests SPEC --impl MODULE:FACTORY -o FILE` writes a pytest file;
- `spec_test_case(spec_path, factory)` gives the same test without a file;
- `Binding` adapts an implementation whose names differ from the spec's.
Its names are imported on first use, so that `specforge.testing.defaults` (read by the
command line) comes without hypothesis.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "Binding": "binding", "BindingError": "binding",
    "GenerationError": "generate", "generate": "generate", "load_spec": "generate", "machine_class": "generate",
    "replay": "generate", "spec_test_case": "generate",
    "PHASES": "machine", "SpecMachine": "machine", "SpecRunner": "machine", "SpecViolation": "machine",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'specforge.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)


__all__ = ["PHASES", "Binding", "BindingError", "GenerationError", "SpecMachine", "SpecRunner", "SpecViolation", "generate",
           "load_spec", "machine_class", "replay", "spec_test_case"]
