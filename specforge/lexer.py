"""A lexer for lark built from the grammar's own terminal definitions.

lark's basic lexer matches one terminal at a time and matches ignored
whitespace as tokens of their own; on large specs that was a third of the
front end's time. This lexer compiles every terminal of the grammar into one
alternation and walks the text with a single `finditer`, so the grammar stays
the only definition of the tokens: keywords and operators are the grammar's
string terminals, names, numbers and strings its regular expressions.

Keywords are the string terminals that a name's pattern would also match;
they are looked up after a name matches, as lark itself does. Other string
terminals are tried longest first (`<=>` before `<=` before `<`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer

_ERROR = "SF_ERROR"  # a group that matches any single character no terminal matches


class FastLexer(Lexer):
    __future_interface__ = 0

    def __init__(self, lexer_conf) -> None:
        terminals = list(lexer_conf.terminals)
        by_name = {t.name: t for t in terminals}
        name_re = re.compile(by_name["NAME"].pattern.to_regexp())
        self.keywords: dict[str, str] = {}
        literals = []
        patterns = []
        for t in terminals:
            if t.pattern.type == "str":
                if name_re.fullmatch(t.pattern.value):
                    self.keywords[t.pattern.value] = t.name
                else:
                    literals.append(t)
            elif t.name != "NAME":
                patterns.append(t)
        literals.sort(key=lambda t: (-len(t.pattern.value), t.name))
        groups = [f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in patterns]
        groups.append(f"(?P<NAME>{by_name['NAME'].pattern.to_regexp()})")
        groups += [f"(?P<{t.name}>{re.escape(t.pattern.value)})" for t in literals]
        groups.append(f"(?P<{_ERROR}>.)")
        self.regex = re.compile("|".join(groups), re.DOTALL)
        self.ignore = frozenset(lexer_conf.ignore)
        self.newline_types = frozenset(t.name for t in terminals if t.name == "_NL")

    def lex(self, text: str) -> Iterator[Token]:
        keywords = self.keywords
        ignore = self.ignore
        newline_types = self.newline_types
        line = 1
        line_start = 0
        for m in self.regex.finditer(text):
            kind = m.lastgroup
            if kind in ignore:
                continue
            start = m.start()
            value = m.group()
            if kind == _ERROR:
                raise UnexpectedCharacters(text, start, line, start - line_start + 1)
            if kind == "NAME":
                kind = keywords.get(value, "NAME")
            column = start - line_start + 1
            end = m.end()
            if kind in newline_types:
                newlines = value.count("\n")
                if newlines:
                    end_line = line + newlines
                    end_column = end - (start + value.rindex("\n"))
                    yield Token(kind, value, start, line, column, end_line, end_column, end)
                    line = end_line
                    line_start = start + value.rindex("\n") + 1
                    continue
            yield Token(kind, value, start, line, column, line, column + len(value), end)
