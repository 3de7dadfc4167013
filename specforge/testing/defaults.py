"""The generated tests' hypothesis settings unless `gen-tests --examples/--steps` say otherwise.

A module of its own, free of hypothesis, so that the command line can show them in `--help`
without importing the test machinery."""

DEFAULT_EXAMPLES = 100
DEFAULT_STEPS = 50
DEFAULT_CALL_TIMEOUT = 5.0  # seconds one call of the implementation may take before the test fails
