"""Reference Python implementations of the example specs, bound to them by name (see README.md)."""
