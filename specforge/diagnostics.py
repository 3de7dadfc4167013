"""One diagnostic model for every stage, with stable codes.

Codes are grouped by stage: SF0xx reading the file, SF1xx parsing, SF2xx
checking, SF3xx the back ends. A code, once published, keeps its meaning.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from .source import SourceFile, Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


# code -> (title, what usually fixes it). docs/diagnostics.md is generated from this table.
CODE_TABLE: dict[str, tuple[str, str]] = {
    # reading
    "SF001": ("the file cannot be read", "check the path and the file's permissions"),
    "SF002": ("the path is a directory", "name the .sf files inside it"),
    "SF003": ("the file is not valid UTF-8", "save the file as UTF-8"),
    "SF004": ("the file is binary", "a spec is a text file"),
    "SF005": ("the file is too large", "split the spec; the limit is 64 MiB"),
    # parsing
    "SF101": ("unexpected character", "use the language's operators: `and`, `or`, `not`, `!=`, ..."),
    "SF102": ("unexpected token", "the message lists what may stand there; `:=` assigns, one statement per line"),
    "SF103": ("unexpected end of file", "close the bracket or finish the declaration the message names"),
    "SF104": ("unterminated string", "close the string on the same line"),
    "SF105": ("nesting too deep", "split the expression (the limit is 200 levels)"),
    "SF106": ("number literal too long", "use a constant of at most 4000 digits"),
    "SF107": ("malformed number", "`_` only between digits; a decimal has at most six places; durations are whole milliseconds"),
    "SF108": ("missing or misplaced spec header", "begin the file with `spec NAME`; one per file"),
    "SF109": ("malformed type", "a type is bool, int, nat, int[A..B], duration, map[K, V], an enum or a set"),
    "SF110": ("unknown unit", "use ms, s, min, h, d, week, B, KB, MB, percent (or their long forms), or declare it: `unit USD`"),
    "SF111": ("malformed map comprehension", "the key is the comprehension's variable: `{a: 0 for a in Account}`"),
    "SF112": ("invalid escape in string", r"the escapes are `\"` `\\` `\n` `\t`"),
    "SF113": ("too many errors", "fix the errors shown, then check again"),
    "SF114": ("malformed unit declaration", "`unit USD` declares a dimension; `unit cents = 0.01 USD` a positive part of one"),
    # checking
    "SF201": ("unknown name", "declare it, or fix the spelling the hint suggests"),
    "SF202": ("duplicate declaration", "rename one of the two"),
    "SF203": ("type mismatch", "the message names the type expected and the type found"),
    "SF204": ("dimension mismatch", "give the number a unit (`15 s`), or drop the unit from the other side"),
    "SF205": ("wrong number of arguments", "abs takes 1 argument, min and max 2 or more"),
    "SF206": ("unknown function", "the functions are abs, min and max"),
    "SF207": ("init leaves a state variable unassigned, or a record literal leaves a field out",
              "assign every state variable (every record field) in init; give every field in a literal"),
    "SF208": ("init assigns a state variable twice", "remove one of the assignments"),
    "SF209": ("assignment to a constant", "declare it in `state` if it changes"),
    "SF210": ("duplicate invariant ID", "give each invariant its own ID"),
    "SF211": ("map key of the wrong type", "index the map with a value of its key type"),
    "SF212": ("unknown or ambiguous enum value", "qualify it (`Status.paid`) or fix the spelling"),
    "SF213": ("quantifier domain is not a set, enum or range", "quantify over a set, an enum or `a..b`"),
    "SF214": ("invalid assignment target, or a block's literal reading a field it assigned before",
              "assign state variables, record fields or map entries; give a field before the fields it reads"),
    "SF215": ("requires after an assignment", "put every `requires` before the first assignment"),
    "SF216": ("constant expression cannot be evaluated", "use literals and earlier constants; no division by zero"),
    "SF217": ("empty or invalid range", "write the smaller bound first; a nat range starts at 0 or above"),
    "SF218": ("name shadows another declaration", "rename the parameter or bound variable"),
    "SF219": ("state variable read before init assigns it", "assign it earlier in init"),
    "SF220": ("unknown type, or a record literal without its type where nothing expects one",
              "declare it with `set`, `enum`, `type` or `unit`, or fix the spelling (a type other languages have, "
              "`money`, `float`, `timestamp`, `list`, gets what to write instead); write the type before the brace"),
    "SF221": ("unknown field", "use one of the record's fields"),
    "SF222": ("value outside the declared range", "use a value inside the range, or widen the range"),
    "SF223": ("a literal key outside a range-keyed map", "use a key inside the map's range"),
    "SF224": ("division by a literal zero", "divide by a value that is never 0, or guard the division"),
    "SF241": ("malformed constraint", "a constraint reads `p99(latency(ACTION)) <= 250 ms`, `error_rate <= 1 percent`, "
              "`throughput >= 100 per s` or `p95(cost(ACTION)) < 0.01 USD`, optionally `under 10_000 per min`"),
    "SF240": ("`returns` or `ensures` out of place",
              "declare the result (`-> T`), keep one `returns`, and put it after the assignments"),
    # back ends
    "SF301": ("construct the prover cannot express", "rewrite the expression; the message says what is missing"),
    "SF320": ("construct the TLA+ exporter cannot express", "rewrite the expression; the message says what is missing"),
    "SF321": ("integer outside TLC's range",
              "TLC's integers are 32-bit: scale the unit down, or check the module with Apalache"),
    "SF322": ("trace does not fit the spec",
              "export the trace from a report of this same spec (`specforge prove --format json`)"),
    "SF325": ("model too large for TLC",
              "bound the widest parameters or the sets with --bound (the message suggests values)"),
    "SF399": ("internal error in a back end", "report it with the spec that triggers it"),
}
CODES: dict[str, str] = {code: title for code, (title, _) in CODE_TABLE.items()}
STAGES = {"SF0": "Reading the file", "SF1": "Parsing", "SF2": "Checking", "SF3": "Back ends"}


def codes_markdown() -> str:
    """The body of docs/diagnostics.md."""
    out = [
        "# Diagnostics",
        "",
        "Every problem specforge finds is reported as",
        "",
        "```",
        "FILE:LINE:COLUMN: error[SFnnn]: message",
        "  LINE | the source line",
        "       |      ^^^ under the fault",
        "  = help: a fix, where one helps",
        "```",
        "",
        "`specforge check --format json` prints the same diagnostics as JSON objects with the fields",
        "`code`, `severity`, `message`, `file`, `hint`, `line`, `column`, `end_line` and `end_column`",
        "(columns count characters from 1; the end is exclusive).",
        "",
        "Codes are stable: a published code keeps its meaning. They are grouped by the stage that reports them.",
        "This page is generated from `specforge/diagnostics.py`.",
    ]
    for prefix, stage in STAGES.items():
        rows = [(c, t, f) for c, (t, f) in CODE_TABLE.items() if c.startswith(prefix)]
        if not rows:
            continue
        out += ["", f"## {stage} ({prefix}xx)", "", "| code | meaning | usual fix |", "| --- | --- | --- |"]
        out += [f"| {c} | {t} | {f} |" for c, t, f in rows]
    return "\n".join(out) + "\n"


class Diagnostic(BaseModel):
    """A positioned message about a spec. `span` is None only for file-level problems."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    severity: Severity
    message: str
    file: str
    span: Span | None = None
    hint: str | None = None

    @classmethod
    def make(cls, severity: Severity, code: str, message: str, file: str, span: Span | None = None,
             hint: str | None = None) -> Diagnostic:
        if code not in CODES:
            raise ValueError(f"unregistered diagnostic code {code}")
        from .nodes import make

        return make(cls, code=code, severity=severity, message=message, file=file, span=span, hint=hint)

    @classmethod
    def error(cls, code: str, message: str, file: str, span: Span | None = None, hint: str | None = None) -> Diagnostic:
        return cls.make(Severity.ERROR, code, message, file, span, hint)

    @classmethod
    def warning(cls, code: str, message: str, file: str, span: Span | None = None, hint: str | None = None) -> Diagnostic:
        return cls.make(Severity.WARNING, code, message, file, span, hint)

    @classmethod
    def note(cls, code: str, message: str, file: str, span: Span | None = None, hint: str | None = None) -> Diagnostic:
        return cls.make(Severity.NOTE, code, message, file, span, hint)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.span.line}:{self.span.column}" if self.span else self.file

    def render(self, source: SourceFile | None = None) -> str:
        """`file:line:col: error[SFnnn]: message`, the source line, a caret, and the hint."""
        out = [f"{self.location}: {self.severity.value}[{self.code}]: {self.message}"]
        if source is not None and self.span is not None:
            excerpt = source.excerpt(self.span)
            if excerpt:
                out.append(excerpt)
        if self.hint:
            out.append(f"  = help: {self.hint}")
        return "\n".join(out)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple:
    span = d.span
    return (d.file, span.line if span else 0, span.column if span else 0, d.code)
