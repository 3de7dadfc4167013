"""The hypothesis back end: the spec as the oracle of property tests of a real implementation.

- `specforge gen-tests SPEC --impl MODULE:FACTORY -o FILE` writes a pytest file;
- `spec_test_case(spec_path, factory)` gives the same test without a file;
- `Binding` adapts an implementation whose names differ from the spec's.
Imports hypothesis.
"""

from .binding import Binding, BindingError
from .generate import GenerationError, generate, load_spec, machine_class, replay, spec_test_case
from .machine import PHASES, SpecMachine, SpecRunner, SpecViolation

__all__ = ["PHASES", "Binding", "BindingError", "GenerationError", "SpecMachine", "SpecRunner", "SpecViolation", "generate",
           "load_spec", "machine_class", "replay", "spec_test_case"]
