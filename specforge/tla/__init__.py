"""The TLA+ back end: a checked spec as a module TLC and Apalache accept, with the bounded
model TLC runs (`export_tla`), and a violating run of `prove` as a trace TLC can replay
(`export_trace`). See docs/tla.md."""

from .expr import HANDLERS, CannotExpress
from .model import Bound, BoundError, parse_bound
from .module import TlaExport, export_tla
from .trace import TraceError, export_trace, find_result

__all__ = ["HANDLERS", "Bound", "BoundError", "CannotExpress", "TlaExport", "TraceError", "export_tla", "export_trace",
           "find_result", "parse_bound"]
