"""What an editor asks about one version of a spec: its diagnostics and where each name is declared.

Built from the front end's declarations (`Loaded.items`), which exist also
while the spec has errors, so go-to-definition and completion keep working
in a half-written file. No LSP types here: positions are the front end's
(lines and columns from 1, columns counting characters); the server converts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache

from .. import ir
from ..frontend import Loaded, load_text
from ..lower import InitBlock, RecordTypeDecl, StateBlock
from ..source import SourceFile, Span

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# an invariant ID as the grammar reads it (BANK-1, SEC.AUTH-3)
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*")

BUILTIN_TYPES = ("bool", "int", "nat", "duration", "decimal", "datasize", "frequency", "map")
FUNCTIONS = ("abs", "min", "max")


@cache
def keywords() -> tuple[str, ...]:
    """The grammar's keywords: every quoted word in grammar/specforge.lark."""
    from ..parse import grammar_text

    return tuple(sorted(set(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', grammar_text()))))


@cache
def units() -> tuple[str, ...]:
    from ..units import UNITS

    return tuple(UNITS)


@dataclass(frozen=True)
class Symbol:
    """A declared name: where the name itself stands, and the declaration around it."""

    name: str
    kind: str  # const, state, field, set, enum, member, action, param, bound, invariant, error
    span: Span
    decl: Span
    container: str | None = None  # a member's enum, a parameter's action, a field's record


@dataclass
class Index:
    """Every declaration of one spec text, by name."""

    globals: dict[str, Symbol] = field(default_factory=dict)
    invariants: dict[str, ir.Invariant] = field(default_factory=dict)
    invariant_symbols: dict[str, Symbol] = field(default_factory=dict)
    members: dict[str, list[Symbol]] = field(default_factory=dict)  # enum member name -> its symbols
    fields: dict[str, list[Symbol]] = field(default_factory=dict)  # record field name -> its symbols
    errors: dict[str, list[Symbol]] = field(default_factory=dict)  # error name -> every `else NAME`
    actions: list[ir.Action] = field(default_factory=list)
    bodies: list = field(default_factory=list)  # (declaration span, its expressions) for bound variables


class Analysis:
    """One version of one document: the front end's verdict and the index over its declarations."""

    def __init__(self, text: str, path: str):
        self.loaded: Loaded = load_text(text, path)
        self.source: SourceFile = self.loaded.source
        self.index = _index(self.loaded.items, self.source)
        self.verdicts: dict | None = None  # the server's memo of the invariants' last verdicts
        self._lines: list[str] | None = None

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.text.split("\n")
        return self._lines

    @property
    def diagnostics(self):
        return self.loaded.diagnostics

    # ---- what stands at a position --------------------------------------------------------------

    def word_at(self, line: int, column: int, pattern: re.Pattern = _IDENT) -> tuple[str, int] | None:
        """The word under the cursor and the column it starts at."""
        text = self.source.line_text(line)
        for m in pattern.finditer(text):
            if m.start() <= column - 1 <= m.end():
                return m.group(), m.start() + 1
        return None

    def invariant_at(self, line: int, column: int) -> ir.Invariant | None:
        found = self.word_at(line, column, _ID)
        return self.index.invariants.get(found[0]) if found else None

    def definitions(self, line: int, column: int) -> list[Symbol]:
        """Where the name under the cursor is declared (an error name: every guard that raises it)."""
        inv = self.invariant_at(line, column)
        if inv is not None:
            return [self.index.invariant_symbols[inv.id]]
        found = self.word_at(line, column)
        if found is None:
            return []
        word, start = found
        qualifier = self._qualifier(line, start)
        if qualifier is not None:
            members = [s for s in self.index.members.get(word, []) if s.container == qualifier]
            return members or self.index.fields.get(word, [])
        local = self._local(word, line, column)
        if local is not None:
            return [local]
        if word in self.index.globals:
            return [self.index.globals[word]]
        return self.index.members.get(word) or self.index.errors.get(word) or self.index.fields.get(word, [])

    def _qualifier(self, line: int, start: int) -> str | None:
        """`Status` for the cursor on `paid` in `Status.paid` (or `token` for `token.ttl`)."""
        before = self.source.line_text(line)[: start - 1]
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*$", before)
        return m.group(1) if m else None

    def _local(self, word: str, line: int, column: int) -> Symbol | None:
        """A bound variable or a parameter visible at the position."""
        for decl, exprs in self.index.bodies:
            if not _contains(decl, line, column):
                continue
            for root in exprs:
                for node in ir.walk(root):
                    if isinstance(node, ir.Quantifier | ir.MapComprehension) and node.var == word \
                            and _contains(node.span, line, column):
                        return Symbol(word, "bound", node.var_span, node.span)
        for action in self.index.actions:
            if _contains(action.span, line, column):
                for p in action.params:
                    if p.name == word:
                        return Symbol(word, "param", _name_span(self.source, p.span, word), p.span, action.name)
        return None

    def completions(self, line: int, column: int) -> list[tuple[str, str]]:
        """(label, kind) for what may be typed at the position: after `Enum.` its members, after a
        number a unit, elsewhere every name in scope, keyword, type and function (not invariant IDs:
        no expression names one)."""
        before = self.source.line_text(line)[: column - 1]
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*[A-Za-z0-9_]*$", before)
        if m:
            qualifier = m.group(1)
            return [(s.name, s.kind) for symbols in (*self.index.members.values(), *self.index.fields.values())
                    for s in symbols if s.container == qualifier]
        if re.search(r"(?<![A-Za-z_])[0-9][0-9_]*(\.[0-9_]+)?\s+[A-Za-z]*$", before):
            return [(u, "unit") for u in units()]
        out = [(name, s.kind) for name, s in self.index.globals.items()]
        out += [(name, "member") for name in self.index.members]
        action = self.enclosing_action(line, column)
        if action is not None:
            out += [(p.name, "param") for p in action.params]
            out += [(name, "error") for name in self.index.errors]
        out += [(k, "keyword") for k in keywords()]
        out += [(t, "type") for t in BUILTIN_TYPES] + [(f, "function") for f in FUNCTIONS]
        out += [(u, "unit") for u in units()]
        seen: set[str] = set()
        return [c for c in out if not (c[0] in seen or seen.add(c[0]))]

    def outline(self) -> list[Symbol]:
        """The declarations in the order of the file, for an editor's outline."""
        found = [*self.index.globals.values(), *self.index.invariant_symbols.values()]
        return sorted(found, key=lambda s: (s.decl.line, s.decl.column))

    def enclosing_action(self, line: int, column: int) -> ir.Action | None:
        return next((a for a in self.index.actions if _contains(a.span, line, column)), None)

    def declaration_text(self, symbol: Symbol, max_lines: int = 12) -> str:
        """The source of a declaration, as written (at most max_lines lines)."""
        last = min(symbol.decl.end_line, symbol.decl.line + max_lines - 1)
        lines = [self.source.line_text(n) for n in range(symbol.decl.line, last + 1)]
        if lines:
            lines[0] = lines[0][symbol.decl.column - 1:]
            if last == symbol.decl.end_line and symbol.decl.end_line == symbol.decl.line:
                lines[0] = lines[0][: symbol.decl.end_column - symbol.decl.column]
        if last < symbol.decl.end_line:
            lines.append("...")
        return "\n".join(lines)


class Documents:
    """The analysis of each open document, redone only when its text changes (requests reuse it)."""

    def __init__(self) -> None:
        self._analyses: dict[str, Analysis] = {}
        self._lock = threading.Lock()
        self.analysed = 0  # how many analyses were made (for the tests)

    def get(self, uri: str, text: str, path: str) -> Analysis:
        with self._lock:
            found = self._analyses.get(uri)
            if found is None or found.source.text != text:
                found = self._analyses[uri] = Analysis(text, path)
                self.analysed += 1
            return found

    def forget(self, uri: str) -> None:
        with self._lock:
            self._analyses.pop(uri, None)


def _contains(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def _name_span(source: SourceFile, decl: Span, name: str) -> Span:
    """The span of the declared name itself: its first whole-word occurrence in the declaration."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_.\-]){re.escape(name)}(?![A-Za-z0-9_])")
    for line in range(decl.line, decl.end_line + 1):
        text = source.line_text(line)
        start = decl.column - 1 if line == decl.line else 0
        m = pattern.search(text, start)
        if m:
            return Span.at(line, m.start() + 1, line, m.end() + 1)
    return decl


def _index(items: list, source: SourceFile) -> Index:
    index = Index()
    for item in items:
        adder = _ADDERS.get(type(item))
        if adder is not None:
            adder(index, item, source)
    return index


def _add_global(index: Index, name: str, kind: str, decl: Span, source: SourceFile) -> None:
    index.globals.setdefault(name, Symbol(name, kind, _name_span(source, decl, name), decl))


def _add_const(index: Index, c: ir.Const, source: SourceFile) -> None:
    _add_global(index, c.name, "const", c.span, source)
    index.bodies.append((c.span, [c.value]))


def _add_set(index: Index, s: ir.SetDecl, source: SourceFile) -> None:
    _add_global(index, s.name, "set", s.span, source)


def _add_enum(index: Index, e: ir.EnumDecl, source: SourceFile) -> None:
    _add_global(index, e.name, "enum", e.span, source)
    for m in e.members:
        index.members.setdefault(m.name, []).append(Symbol(m.name, "member", m.span, e.span, e.name))


def _add_state(index: Index, block: StateBlock, source: SourceFile) -> None:
    for f in block.fields:
        _add_global(index, f.name, "state", f.span, source)
        _add_fields(index, f, source)


def _add_fields(index: Index, f: ir.StateField, source: SourceFile) -> None:
    if isinstance(f.type, ir.RecordTypeRef):
        for inner in f.type.fields:
            symbol = Symbol(inner.name, "field", _name_span(source, inner.span, inner.name), inner.span, f.name)
            index.fields.setdefault(inner.name, []).append(symbol)
            _add_fields(index, inner, source)


def _add_init(index: Index, block: InitBlock, source: SourceFile) -> None:
    index.bodies.append((block.span, [e for a in block.assignments for e in (a.target, a.value)]))


def _add_invariant(index: Index, inv: ir.Invariant, source: SourceFile) -> None:
    if inv.id in index.invariants:
        return
    index.invariants[inv.id] = inv
    index.invariant_symbols[inv.id] = Symbol(inv.id, "invariant", _name_span(source, inv.span, inv.id), inv.span)
    index.bodies.append((inv.span, [inv.expr]))


def _add_action(index: Index, a: ir.Action, source: SourceFile) -> None:
    _add_global(index, a.name, "action", a.span, source)
    index.actions.append(a)
    exprs = []
    for s in a.body:
        if isinstance(s, ir.Requires):
            exprs.append(s.cond)
            if s.error and s.error_span is not None:
                index.errors.setdefault(s.error, []).append(Symbol(s.error, "error", s.error_span, s.span, a.name))
        else:
            exprs += [s.target, s.value]
    index.bodies.append((a.span, exprs))


_ADDERS = {
    ir.Const: _add_const,
    ir.SetDecl: _add_set,
    ir.EnumDecl: _add_enum,
    StateBlock: _add_state,
    InitBlock: _add_init,
    ir.Invariant: _add_invariant,
    ir.Action: _add_action,
    RecordTypeDecl: lambda index, d, source: _add_global(index, d.name, "record type", d.span, source),
}
