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


# code -> (short title). The docs' table of codes is generated from this.
CODES: dict[str, str] = {
    # reading
    "SF001": "the file cannot be read",
    "SF002": "the path is a directory",
    "SF003": "the file is not valid UTF-8",
    "SF004": "the file is binary",
    "SF005": "the file is too large",
    # parsing
    "SF101": "unexpected character",
    "SF102": "unexpected token",
    "SF103": "unexpected end of file",
    "SF104": "unterminated string",
    "SF105": "nesting too deep",
    "SF106": "number literal too long",
    "SF107": "malformed number",
    "SF108": "missing or misplaced spec header",
    "SF109": "malformed type",
    "SF110": "unknown unit",
    "SF111": "malformed map comprehension",
    "SF112": "invalid escape in string",
    "SF113": "too many errors",
    # checking
    "SF201": "unknown name",
    "SF202": "duplicate declaration",
    "SF203": "type mismatch",
    "SF204": "dimension mismatch",
    "SF205": "wrong number of arguments",
    "SF206": "unknown function",
    "SF207": "init leaves a state variable unassigned",
    "SF208": "init assigns a state variable twice",
    "SF209": "assignment to a constant",
    "SF210": "duplicate invariant ID",
    "SF211": "map key of the wrong type",
    "SF212": "unknown or ambiguous enum value",
    "SF213": "quantifier domain is not a set, enum or range",
    "SF214": "invalid assignment target",
    "SF215": "requires after an assignment",
    "SF216": "constant expression cannot be evaluated",
    "SF217": "empty or invalid range",
    "SF218": "name shadows another declaration",
    "SF219": "state variable read before init assigns it",
    "SF220": "unknown type",
    "SF221": "unknown field",
    "SF222": "value outside the declared range",
}


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
        from .ir import make

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
