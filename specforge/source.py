"""Source text, spans, and the excerpt-with-caret renderer."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A region of a source file. Lines and columns start at 1; ends are exclusive."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def at(cls, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> Span:
        from .nodes import make

        return make(cls, line=line, column=column, end_line=line if end_line is None else end_line,
                    end_column=column + 1 if end_column is None else end_column)

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return Span.at(self.line, self.column, other.end_line, other.end_column)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass
class SourceFile:
    """The decoded text of one spec file and a fast line index into it."""

    path: str
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._line_starts = starts

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def excerpt(self, span: Span, max_width: int = 160) -> str:
        """The first line of the span, and a caret line under the fault.

        Tabs in the source are copied into the caret line so the carets stay
        under the right characters whatever the terminal's tab width.
        """
        text = self.line_text(span.line)
        if not text and span.line > self.line_count:
            return ""
        start = max(span.column - 1, 0)
        if span.end_line == span.line:
            end = max(span.end_column - 1, start + 1)
        else:
            end = max(len(text), start + 1)
        if len(text) > max_width:
            # Keep the fault visible on very long lines.
            cut = max(0, min(start - max_width // 4, len(text) - max_width))
            text = ("…" if cut else "") + text[cut : cut + max_width]
            shift = cut - (1 if cut else 0)
            start, end = start - shift, min(end - shift, len(text) + 1)
        pad = "".join("\t" if ch == "\t" else " " for ch in text[:start])
        gutter = f"{span.line:>4} | "
        return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {pad}{'^' * max(end - start, 1)}"
