"""Text -> lark tree, with every failure turned into a positioned diagnostic.

The grammar lives in grammar/specforge.lark (shipped inside the package as
specforge/grammar/specforge.lark). Newlines separate statements; the
post-lexer below drops the ones that only continue an expression.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex
from lark.parse_tree_builder import ExpandSingleChild

from .diagnostics import Diagnostic
from .lexer import FastLexer
from .lower import INIT_UNREADABLE, RECORD_IN_TYPE, Dropped, Fatal, Item, Lowering
from .source import SourceFile, Span
from .units import UNITS

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ERRORS = 50

# Tokens after which a line break continues the expression.
_CONTINUE_AFTER = frozenset(
    "+ - * / % == = != ≠ < <= ≤ > >= ≥ and ∧ or ∨ not ¬ implies => ⇒ → iff <=> ⇔ in ∈ .. . := , : "
    "then else if forall exists ∀ ∃ for".split()
)
# Tokens before which a line break continues the expression (a leading operator).
# `-` is left out: it is also unary, and a line that starts with it is more
# likely a mistake than a continuation.
_CONTINUE_BEFORE = frozenset(
    "+ * / % == = != ≠ < <= ≤ > >= ≥ and ∧ or ∨ implies => ⇒ → iff <=> ⇔ in ∈ .. . then else } ".split()
)
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")

# Kinds of open bracket.
_EXPR, _BLOCK, _FIELDS = "expr", "block", "fields"


class _Newlines(PostLex):
    """Drops the newlines that continue an expression; folds the rest into one.

    Brackets are tracked by kind: inside `( )`, `[ ]`, an enum body and an
    expression's `{ }` every line break is a continuation; inside a block
    (`state`, `init`, a nested record, an action body) and at the top level a
    line break ends a statement unless an operator on either side of it
    continues the expression.
    """

    always_accept = ("_NL",)

    def __init__(self) -> None:
        self.open_brackets: list[Token] = []

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        kinds: list[str] = []
        opened: list[Token] = []
        self.open_brackets = opened
        prev: Token | None = None
        prev2: Token | None = None
        pending: Token | None = None
        result_type = False  # between an action's `->` and the `{` of its body
        for tok in stream:
            if tok.type == "_NL":
                if kinds and kinds[-1] is _EXPR:
                    if ";" in tok.value:
                        yield tok  # a `;` inside brackets: let the parser report it
                    continue
                if prev is None or prev.value in _CONTINUE_AFTER or (prev.value == "{" and prev.type != "STRING"):
                    continue
                pending = tok
                continue
            value = tok.value
            if pending is not None:
                if value not in _CONTINUE_BEFORE:
                    yield pending
                pending = None
            if tok.type != "STRING":
                if value == "->" and not kinds:
                    result_type = True
                if value in _OPEN:
                    block = result_type and value == "{" and not kinds
                    kinds.append(_BLOCK if block else _bracket_kind(value, prev, prev2, kinds))
                    opened.append(tok)
                    result_type = result_type and not block
                elif value in _CLOSE and kinds:
                    kinds.pop()
                    opened.pop()
            yield tok
            prev2, prev = prev, tok


def _bracket_kind(value: str, prev: Token | None, prev2: Token | None, kinds: list[str]) -> str:
    if value != "{" or prev is None:
        return _EXPR
    at_statement_level = not kinds or kinds[-1] is not _EXPR
    if prev.value == "state" and not kinds:
        return _FIELDS
    if prev.value == "init" and not kinds:
        return _BLOCK
    if prev.value == ")" and at_statement_level:
        return _BLOCK  # action NAME(...) {
    if prev.value == ":" and kinds and kinds[-1] is _FIELDS and prev2 is not None and prev2.type == "NAME":
        return _FIELDS  # a nested record: `token: {`
    return _EXPR


def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, from grammar/."""
    try:
        return resources.files("specforge").joinpath("grammar/specforge.lark").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        root = Path(__file__).resolve().parent.parent
        return (root / "grammar" / "specforge.lark").read_text(encoding="utf-8")


def _cache_path(grammar: str) -> str | bool:
    base = os.environ.get("SPECFORGE_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "specforge-cache")
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        return False
    import hashlib

    import lark

    digest = hashlib.sha256((grammar + lark.__version__).encode()).hexdigest()[:16]
    return os.path.join(base, f"grammar-{digest}.lark-cache")


@lru_cache(maxsize=1)
def _lowering() -> Lowering:
    return Lowering()


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser, with the lowering applied inline (no intermediate tree)."""
    grammar = grammar_text()
    lark = Lark(
        grammar,
        parser="lalr",
        lexer=FastLexer,
        keep_all_tokens=True,
        maybe_placeholders=True,
        postlex=_Newlines(),
        transformer=_lowering(),
        cache=_cache_path(grammar),
    )
    _share_rule_objects(lark)
    return lark


def _share_rule_objects(lark: Lark) -> None:
    """Key lark's reduce callbacks by the very Rule objects its state table holds.

    Loaded from the cache, the table and the callbacks hold equal but distinct
    Rule objects, so every reduction's dict lookup fell through to
    `Rule.__eq__` (a Python method comparing whole expansions). With shared
    objects the lookup stops at Python's identity check. A pure speed-up: if
    lark's internals ever look different, nothing is changed.
    """
    try:
        inner = lark.parser.parser.parser
        callbacks = inner.callbacks
        rules = {a[1] for actions in inner.parse_table.states.values() for a in actions.values()
                 if not isinstance(a[1], int)}
        shared = dict(callbacks)
        for rule in rules:
            if rule in callbacks:
                shared[rule] = callbacks[rule]
        inner.callbacks = {**{k: v for k, v in callbacks.items() if isinstance(k, str)},
                           **{rule: shared[rule] for rule in rules if rule in shared}}
    except AttributeError:
        pass


class _NoAction(Exception):
    """The table has no action for a token: a syntax error, which lark itself then reports."""


class _Driver:
    """lark's LALR table run by a loop of our own, with the same lexer, post-lexer and callbacks.

    lark's loop looks up each reduction's callback in a dict keyed by its Rule objects, whose hash
    and equality are Python methods, and reads each rule's length and origin through attributes; on
    a large spec that loop was half of the parse. Here the table is flattened once into one dict per
    state of ints (a shift: the next state; a reduction: the complement of the rule's index) and the
    rules into a list. Only valid input is parsed here: at the first token the table has no action
    for, or a character no terminal matches, the caller parses the text again with lark, which
    raises the error its diagnostics are made from (`parse_items`)."""

    def __init__(self, lark: Lark) -> None:
        from lark.parsers.lalr_analysis import Shift

        inner = lark.parser.parser.parser
        table = inner.parse_table
        start = lark.options.start[0]
        rules: dict = {}
        self.rules: list[tuple[int, object, str]] = []
        self.actions: list[dict[str, int]] = []
        if sorted(table.states) != list(range(len(table.states))):
            raise ValueError("lark's LALR states are not numbered 0..n-1")
        for state in range(len(table.states)):
            row = {}
            for symbol, (action, arg) in table.states[state].items():
                if action is Shift:
                    row[symbol] = arg
                    continue
                if arg not in rules:
                    rules[arg] = len(self.rules)
                    callback = inner.callbacks[arg]
                    if len(arg.expansion) == 1 and type(callback) is ExpandSingleChild:
                        callback = None  # an inlined rule (`?rule`) of one symbol: its value is that symbol's
                    self.rules.append((len(arg.expansion), callback, arg.origin.name))
                row[symbol] = ~rules[arg]
            self.actions.append(row)
        self.start, self.end = table.start_states[start], table.end_states[start]
        self.terminal_callbacks = {k: v for k, v in inner.callbacks.items() if isinstance(k, str)}
        lexer = lark.parser.lexer
        while not isinstance(lexer, FastLexer):  # inside lark's post-lexer connector and wrapper
            lexer = getattr(lexer, "lexer", None)
            if lexer is None:
                raise ValueError("lark's lexer is not specforge's")
        self.lexer = lexer
        self.postlex = lark.options.postlex

    def parse(self, text: str):
        actions, rules, on_terminal = self.actions, self.rules, self.terminal_callbacks
        states = [self.start]
        values: list = []
        tokens = self.lexer.lex(text)
        if self.postlex is not None:
            tokens = self.postlex.process(tokens)
        end = self.end
        # the end of input is one more token, after which the start rule's reduction reaches `end`
        for token in itertools.chain(tokens, (_END,)):
            kind = token.type
            while True:
                code = actions[states[-1]].get(kind)
                if code is None:
                    raise _NoAction
                if code >= 0:
                    states.append(code)
                    values.append(on_terminal[kind](token) if kind in on_terminal else token)
                    break
                size, callback, origin = rules[~code]
                if callback is None:
                    states.pop()
                else:
                    if size:
                        children = values[-size:]
                        del states[-size:]
                        del values[-size:]
                    else:
                        children = []
                    values.append(callback(children))
                states.append(actions[states[-1]][origin])
                if states[-1] == end:
                    return values[-1]
        raise _NoAction


_END = Token("$END", "")


@lru_cache(maxsize=1)
def _driver() -> _Driver | None:
    """The table-driven loop over `parser()`'s table; None if lark's internals are not laid out as
    expected (then lark's own loop parses)."""
    try:
        return _Driver(parser())
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _parse(text: str, path: str) -> list:
    """The declarations of `text`, lowered: by `_Driver` where the text is valid, else by lark, which
    raises the error (the lowering starts afresh for it, so its diagnostics are lark's run's alone)."""
    lowering = _lowering()
    lowering.reset(path)
    driver = _driver()
    if driver is not None:
        try:
            return driver.parse(text)
        except (_NoAction, UnexpectedInput):
            lowering.reset(path)
    return parser().parse(text)


@lru_cache(maxsize=1)
def tree_parser() -> Lark:
    """The same grammar producing a plain lark tree (for tools and tests)."""
    return Lark(grammar_text(), parser="lalr", lexer="basic", propagate_positions=True,
                maybe_placeholders=True, postlex=_Newlines())


# ---- reading files ------------------------------------------------------------------


class InputError(Exception):
    """The file could not be read as text; `diagnostic` says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def read_source(path: str) -> SourceFile:
    """Read and decode a spec file, or raise InputError with a diagnostic."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(Diagnostic.error("SF002", f"{path} is a directory, not a spec file", path,
                                              hint=f"name the .sf files inside it, e.g. {path.rstrip('/')}/*.sf"))
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(Diagnostic.error("SF005", f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}",
                                              path))
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(Diagnostic.error("SF001", "no such file", path, hint="check the path")) from None
    except PermissionError:
        raise InputError(Diagnostic.error("SF001", "permission denied", path)) from None
    except OSError as e:
        raise InputError(Diagnostic.error("SF001", f"cannot read the file: {e.strerror or e}", path)) from None
    return decode(data, path)


def decode(data: bytes, path: str) -> SourceFile:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\0" in data:
        offset = data.index(b"\0")
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise InputError(Diagnostic.error("SF004", "this is a binary file (it holds NUL bytes), not a spec",
                                          path, Span.at(line, col), "a spec is UTF-8 text"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        raise InputError(Diagnostic.error("SF003", f"byte 0x{data[e.start]:02x} at offset {e.start} is not valid UTF-8",
                                          path, Span.at(line, col), "save the file as UTF-8")) from None
    return SourceFile(path, text)


# ---- parsing --------------------------------------------------------------------------


_DECL_START = re.compile(r"^[ \t]*(?:spec|const|set|enum|state|init|invariant|constraint|action|def|type|unit)\b(?![ \t]*:)",
                         re.MULTILINE)
_DECL_NAME = re.compile(r"^[ \t]*(?:const|set|enum|action|def|type|unit)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_FIELD_NAME = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:", re.MULTILINE)


@dataclass
class ParseResult:
    source: SourceFile
    items: list[Item]
    diagnostics: list[Diagnostic]
    # names declared by declarations that could not be read; their uses are not reported again
    unreadable_names: set[str]


def parse_items(source: SourceFile) -> ParseResult:
    """Parse a whole file into declarations, collecting every error it can.

    On a syntax error the parser resumes at the next line that starts a
    declaration, so one run reports a fault in each broken declaration.
    """
    lowering = _lowering()
    lark = parser()
    text = source.text
    items: list[Item] = []
    diagnostics: list[Diagnostic] = []
    unreadable: set[str] = set()
    starts = [m.start() for m in _DECL_START.finditer(text)]
    pos = 0
    errors = 0
    while True:
        chunk = _pad(text, pos)
        try:
            items.extend(_parse(chunk, source.path))
            diagnostics.extend(lowering.diagnostics)
            break
        except (UnexpectedInput, Fatal) as e:
            diagnostics.extend(lowering.diagnostics)
            diag = lowering_fatal(e) if isinstance(e, Fatal) else _syntax_diagnostic(e, source, lark)
            diagnostics.append(diag)
            errors += 1
            err_offset = _offset_of(source, diag)
            decl_start = max([s for s in starts if pos <= s <= err_offset], default=pos)
            next_start = min([s for s in starts if s > err_offset], default=len(text))
            if decl_start > pos:
                # the declarations before the broken one parse on their own
                try:
                    items.extend(_parse(_pad(text, pos, decl_start), source.path))
                    diagnostics.extend(lowering.diagnostics)
                except (UnexpectedInput, Fatal):
                    pass  # reported when the loop reaches it again
            unreadable.update(_declared_names(text[decl_start:next_start]))
            if errors >= MAX_ERRORS or next_start >= len(text):
                if errors >= MAX_ERRORS and next_start < len(text):
                    line, col = source.position(next_start)
                    diagnostics.append(Diagnostic.note("SF113", f"stopped after {MAX_ERRORS} syntax errors",
                                                       source.path, Span.at(line, col)))
                break
            pos = next_start
    for item in items:
        if isinstance(item, Dropped):
            unreadable.update(item.names)
    return ParseResult(source, [i for i in items if not isinstance(i, Dropped)], diagnostics, unreadable)


def lowering_fatal(e: Fatal) -> Diagnostic:
    return e.diagnostic


def _pad(text: str, start: int, end: int | None = None) -> str:
    """text[start:end], preceded by as many newlines as keep its line numbers."""
    if start == 0 and end is None:
        return text
    return "\n" * text.count("\n", 0, start) + text[start:end]


def _offset_of(source: SourceFile, diag: Diagnostic) -> int:
    if diag.span is None:
        return 0
    starts = source._line_starts
    line = min(diag.span.line, len(starts))
    return starts[line - 1] + diag.span.column - 1



def _declared_names(chunk: str) -> set[str]:
    names = set(_DECL_NAME.findall(chunk))
    if re.match(r"[ \t]*init\b", chunk):
        names.add(INIT_UNREADABLE)
    if re.match(r"[ \t]*(?:state|enum)\b", chunk):
        names.update(_FIELD_NAME.findall(chunk))
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", chunk))
    return names


# ---- syntax errors -> diagnostics -------------------------------------------------------

_TERMINAL_WORDS = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string", "_NL": "a line break",
                   "$END": "the end of the file"}
_CHAR_HINTS = {
    "&": "write `and` (or `∧`)",
    "|": "write `or` (or `∨`)",
    "!": "write `not` (or `¬`); `!=` is not equal",
    "'": 'strings use double quotes: "…"',
    "@": "this character has no meaning in a spec",
    "^": "there is no power operator; multiply, or name a constant",
}
_KEYWORDS = frozenset(
    "spec const set enum state init invariant action requires else if then for forall exists in and or not "
    "implies iff true false MUST SHOULD MAY def type with returns ensures unit per constraint under".split())


def _describe_terminal(name: str, lark: Lark) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        pattern = lark.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    return f"`{pattern.value}`" if pattern.type == "str" else name.lower()


_OPERATORS = frozenset("`+` `-` `*` `/` `%` `..` `.` `[` `==` `=` `!=` `≠` `<` `<=` `≤` `>` `>=` `≥` `in` `∈` "
                       "`and` `∧` `or` `∨` `implies` `=>` `⇒` `→` `iff` `<=>` `⇔`".split())


def _describe_expected(expected: set[str], lark: Lark) -> str:
    words = sorted({_describe_terminal(n, lark) for n in expected})
    if "a name" in words and "a number" in words and len(words) > 6:
        return "an expression"
    operators = [w for w in words if w in _OPERATORS]
    if len(operators) > 4:
        words = [w for w in words if w not in _OPERATORS] + ["an operator"]
    if len(words) > 8:
        words = words[:7] + [f"{len(words) - 7} more"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _describe_token(tok: Token) -> str:
    if tok.type == "_NL":
        return "`;`" if ";" in tok.value else "end of line"
    if tok.type == "$END":
        return "end of file"
    if tok.type == "STRING":
        return "string"
    if tok.type == "NUMBER":
        return f"number `{tok.value}`"
    if tok.value in _KEYWORDS:
        return f"keyword `{tok.value}`"
    return f"`{tok.value}`"


def _syntax_diagnostic(e: UnexpectedInput, source: SourceFile, lark: Lark) -> Diagnostic:
    path = source.path
    if isinstance(e, UnexpectedCharacters):
        line_text = source.line_text(e.line)
        ch = line_text[e.column - 1] if 0 < e.column <= len(line_text) else ""
        if ch == '"':
            line_end = len(source.line_text(e.line)) + 1
            return Diagnostic.error("SF104", "unterminated string", path, Span.at(e.line, e.column, e.line, line_end),
                                    'close it with `"` on the same line (a string cannot span lines)')
        shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
        hint = _CHAR_HINTS.get(ch, "this character is not part of the language")
        return Diagnostic.error("SF101", f"unexpected character `{shown}`", path, Span.at(e.line, e.column), hint)
    open_brackets = list(parser().options.postlex.open_brackets) if parser().options.postlex else []
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        line = source.line_count
        col = len(source.line_text(line)) + 1
        expected = getattr(e, "expected", None) or getattr(e, "accepts", None) or set()
        hint = None
        if open_brackets:
            b = open_brackets[-1]
            closer = {"(": ")", "[": "]", "{": "}"}[b.value]
            hint = f"the `{b.value}` at line {b.line}, column {b.column} is never closed: add `{closer}`"
        what = _describe_expected(set(expected), lark) if expected else "more"
        return Diagnostic.error("SF103", f"unexpected end of file; expected {what}", path, Span.at(line, col), hint)
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    expected = set(e.accepts or e.expected)
    span = Span.at(tok.line, tok.column, tok.end_line, tok.end_column)
    if tok.type == "_NL":
        span = Span.at(tok.line, tok.column)
    message = f"unexpected {_describe_token(tok)}; expected {_describe_expected(expected, lark)}"
    hint = _hint(tok, expected, lark, source)
    if hint is None and open_brackets and tok.value in _DECLARATION_KEYWORDS:
        b = open_brackets[-1]
        hint = f"is a `}}` missing? the `{b.value}` at line {b.line}, column {b.column} is still open"
    return Diagnostic.error("SF102", message, path, span, hint)


_DECLARATION_KEYWORDS = frozenset("spec const set enum state init invariant constraint action def type unit".split())
_EXPRESSION_STARTS = frozenset("if not forall exists true false".split())


def _previous_word(source: SourceFile, tok: Token) -> str | None:
    before = source.line_text(tok.line)[: tok.column - 1].rstrip()
    m = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", before)
    return m.group(0) if m else None


_TYPE_NAMES = frozenset("bool int nat duration map".split())


_OPEN_RECORD_TYPE = re.compile(r"\btype\s+[A-Za-z_]\w*\s*=\s*\{[^}]*$")


def _record_hint(tok: Token, source: SourceFile) -> str | None:
    """What users write for records: a record type's fields one per line without commas."""
    before = source.text[: tok.start_pos] if tok.start_pos is not None else ""
    if tok.type == "NAME" and _OPEN_RECORD_TYPE.search(before):
        return "separate a record type's fields with commas: `type R = { a: int, b: bool }`"
    return None


def _hint(tok: Token, expected: set[str], lark: Lark, source: SourceFile) -> str | None:
    import difflib

    value = tok.value
    expected_words = {_describe_terminal(n, lark).strip("`") for n in expected}
    line = source.line_text(tok.line)
    before_tok = line[: tok.column - 1].rstrip()
    first_on_line = not before_tok.strip()
    name_first = first_on_line or re.fullmatch(r"\s*[A-Za-z_][A-Za-z0-9_]*", before_tok)
    if name_first and tok.line > 1 and re.search(r"\belse$", source.line_text(tok.line - 1).split("#")[0].rstrip()):
        return "`else` needs the error's name on the same line (`else InvalidAmount`); the next line was read as it"
    if re.search(r"\bmap\[[^\]]*$", before_tok) and value == "}" or re.search(r"\bmap\[[^\]]*\{", line) and \
            tok.column > line.find("{", line.find("map[")):
        return RECORD_IN_TYPE
    record_hint = _record_hint(tok, source)
    if record_hint is not None:
        return record_hint
    if value == "->" and re.match(r"\s*def\b", line):  # an action's answer is `-> T`; a def's type is not
        return "a def's type follows a colon: `def NAME(PARAM: TYPE): TYPE = EXPR` (`-> T` is an action's answer)"
    if value == "{" and re.fullmatch(r"\s*type\s+[A-Za-z_]\w*", before_tok):
        return "a record type is declared with `=`: `type R = { a: int, b: bool }`"
    if value in _KEYWORDS and before_tok.endswith(":"):
        close = difflib.get_close_matches(value, sorted(_TYPE_NAMES), n=1, cutoff=0.7)
        if close:
            return f"did you mean `{close[0]}`? `{value}` is a keyword"
    name_slot = first_on_line or before_tok.endswith(("{", "(", ",", ";"))  # a variable's or a parameter's
    if value in _KEYWORDS and name_slot and line[tok.column - 1 + len(value):].lstrip().startswith(":"):
        return f"`{value}` is a keyword; rename the {'parameter' if before_tok.endswith(('(', ',')) else 'variable'}"
    # `requires x > 0 els Bad`: the misspelt keyword was read as a unit of `0`
    prev = _previous_word(source, tok)
    if prev is not None and prev not in _KEYWORDS and prev not in _TYPE_NAMES:
        close = difflib.get_close_matches(prev, sorted(_KEYWORDS), n=1, cutoff=0.75)
        if close:
            return f"did you mean `{close[0]}` instead of `{prev}`?"
        before = source.line_text(tok.line)[: tok.column - 1].rstrip()[: -len(prev)].rstrip()
        if before[-1:].isdigit() and prev not in UNITS:
            # `x := 1 y := 2`: the name after the number was read as its unit
            return f"one statement per line: start a new line (or write `;`) before `{prev}`"
    if value == "=" and ":=" in expected_words:
        return "assignments use `:=`; `=` and `==` compare"
    if value in ("must", "should", "may"):
        return f"levels are written in capitals: `{value.upper()}`"
    if value in _KEYWORDS and "NAME" in expected and value not in _DECLARATION_KEYWORDS | _EXPRESSION_STARTS:
        return f"`{value}` is a keyword and cannot be used as a name"
    if tok.type == "NAME":
        keywords = [w for w in expected_words if w in _KEYWORDS]
        close = difflib.get_close_matches(value, keywords, n=1, cutoff=0.6)
        if close:
            return f"did you mean `{close[0]}`?"
        if "_NL" in expected:
            return f"one statement per line: start a new line (or write `;`) before `{value}`"
    if value == "-" and "a name" not in expected_words:
        return "a line may not start with `-`; end the previous line with the operator to continue it"
    return None
