"""The language server (pygls): diagnostics as you type, hover, definitions, completion, prove.

Each document version is analysed once (front end and index, about 60 ms on
a 500-line spec) and every request on that version reuses the analysis.
Positions cross the boundary here: the front end counts lines and
characters from 1, LSP counts lines from 0 and characters in the encoding
the client chose (UTF-16 unless it says otherwise).
"""

from __future__ import annotations

import threading
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..diagnostics import Severity
from ..source import Span
from .analysis import Analysis, Documents, Symbol
from .proving import Outcome, prove_invariant
from .verdicts import LastVerdict, describe, from_cache, from_reports, report_candidates

PROVE_COMMAND = "specforge.proveInvariant"
DEFAULT_PROVE_LIMIT = 30.0  # seconds: the editor waits for the answer

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}
_COMPLETION_KIND = {
    "const": lsp.CompletionItemKind.Constant,
    "state": lsp.CompletionItemKind.Variable,
    "set": lsp.CompletionItemKind.Class,
    "enum": lsp.CompletionItemKind.Enum,
    "member": lsp.CompletionItemKind.EnumMember,
    "field": lsp.CompletionItemKind.Field,
    "action": lsp.CompletionItemKind.Function,
    "param": lsp.CompletionItemKind.Variable,
    "error": lsp.CompletionItemKind.Event,
    "keyword": lsp.CompletionItemKind.Keyword,
    "type": lsp.CompletionItemKind.TypeParameter,
    "function": lsp.CompletionItemKind.Function,
    "unit": lsp.CompletionItemKind.Unit,
}
_SYMBOL_KIND = {
    "const": lsp.SymbolKind.Constant,
    "state": lsp.SymbolKind.Variable,
    "set": lsp.SymbolKind.Class,
    "enum": lsp.SymbolKind.Enum,
    "action": lsp.SymbolKind.Function,
    "invariant": lsp.SymbolKind.Property,
}
_KIND_WORD = {"state": "state variable", "member": "enum value", "param": "parameter", "bound": "bound variable",
              "field": "record field", "error": "error"}


class SpecServer(LanguageServer):
    """A LanguageServer that keeps one analysis per open document and the verdicts it has proved."""

    def __init__(self) -> None:
        super().__init__("specforge", __version__)
        self.documents = Documents()
        self._verdicts: dict[str, tuple[str, list[lsp.Diagnostic]]] = {}  # uri -> (text proved, verdicts)
        self._lock = threading.Lock()
        self.options: dict = {}

    # ---- documents ---------------------------------------------------------------------------

    def analysis(self, uri: str) -> Analysis:
        return self.documents.get(uri, self.workspace.get_text_document(uri).source, to_fs_path(uri) or uri)

    def forget(self, uri: str) -> None:
        self.documents.forget(uri)
        with self._lock:
            self._verdicts.pop(uri, None)

    def publish(self, uri: str) -> None:
        a = self.analysis(uri)
        diagnostics = [self.diagnostic(a, d) for d in a.diagnostics]
        proved_text, verdicts = self._verdicts.get(uri, ("", []))
        if proved_text == a.source.text:
            diagnostics += verdicts
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics, version))

    # ---- positions -------------------------------------------------------------------------------------

    def range(self, a: Analysis, span: Span | None) -> lsp.Range:
        if span is None:
            return lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
        lines = a.lines()
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(lines, lsp.Position(span.line - 1, span.column - 1))
        end = codec.position_to_client_units(lines, lsp.Position(span.end_line - 1, span.end_column - 1))
        return lsp.Range(start, end)

    def position(self, a: Analysis, pos: lsp.Position) -> tuple[int, int]:
        """The front end's (line, column) of an LSP position."""
        at = self.workspace.position_codec.position_from_client_units(a.lines(), lsp.Position(pos.line, pos.character))
        return at.line + 1, at.character + 1

    def diagnostic(self, a: Analysis, d) -> lsp.Diagnostic:
        message = d.message + (f"\nhelp: {d.hint}" if d.hint else "")
        return lsp.Diagnostic(self.range(a, d.span), message, severity=_SEVERITY[d.severity], code=d.code,
                              source="specforge")

    # ---- verdicts ----------------------------------------------------------------------------------------

    def last_verdict(self, a: Analysis, invariant_id: str) -> LastVerdict | None:
        if a.verdicts is None:
            found: dict[str, LastVerdict] = {}
            if a.loaded.spec is not None:
                found = from_cache(a.loaded.spec)
            if not found and a.loaded.spec is not None:
                path = Path(a.source.path)
                root = Path(self.workspace.root_path) if self.workspace.root_path else None
                reports = self.options.get("reports")
                configured = [str(r) for r in reports] if isinstance(reports, list) else []
                found = from_reports(a.loaded.spec.name, path, report_candidates(path, configured, root))
            a.verdicts = found
        return a.verdicts.get(invariant_id)

    def record(self, uri: str, a: Analysis, symbol: Symbol, outcome: Outcome) -> None:
        severity = lsp.DiagnosticSeverity.Information if outcome.verdict == "proved" else \
            lsp.DiagnosticSeverity.Warning
        diag = lsp.Diagnostic(self.range(a, symbol.span), outcome.message, severity=severity, code="prove",
                              source="specforge")
        with self._lock:
            proved_text, verdicts = self._verdicts.get(uri, ("", []))
            keep = [v for v in verdicts if not v.message.startswith(f"{outcome.id}:")] \
                if proved_text == a.source.text else []
            self._verdicts[uri] = (a.source.text, keep + [diag])
            a.verdicts = None  # read again: the run has just recorded its verdicts in the cache


def _hover_text(server: SpecServer, a: Analysis, line: int, column: int) -> str | None:
    inv = a.invariant_at(line, column)
    if inv is not None:
        symbol = a.index.invariant_symbols[inv.id]
        head = f"**invariant {inv.id}** · {inv.level.value}" + (f" · {inv.description}" if inv.description else "")
        verdict = describe(server.last_verdict(a, inv.id)) if a.loaded.ok else \
            "last verdict: none while the spec has errors"
        return f"{head}\n\n```specforge\n{a.declaration_text(symbol)}\n```\n\n{verdict}"
    symbols = a.definitions(line, column)
    if not symbols:
        return None
    s = symbols[0]
    head = f"**{_KIND_WORD.get(s.kind, s.kind)}** `{s.name}`"
    if s.kind == "error":
        raisers = sorted({x.container for x in symbols})
        return f"{head}, raised by {', '.join(raisers)}"
    if s.container:
        head += f" of `{s.container}`"
    return f"{head}\n\n```specforge\n{a.declaration_text(s)}\n```"


def build_server() -> SpecServer:
    server = SpecServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: SpecServer, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        ls.options = options if isinstance(options, dict) else {}

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SpecServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SpecServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SpecServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(params.text_document.uri, []))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: SpecServer, params: lsp.HoverParams) -> lsp.Hover | None:
        a = ls.analysis(params.text_document.uri)
        text = _hover_text(ls, a, *ls.position(a, params.position))
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text)) if text else None

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: SpecServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        uri = params.text_document.uri
        a = ls.analysis(uri)
        return [lsp.Location(uri, ls.range(a, s.span)) for s in a.definitions(*ls.position(a, params.position))]

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["."]))
    def completion(ls: SpecServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        a = ls.analysis(params.text_document.uri)
        items = [lsp.CompletionItem(label, kind=_COMPLETION_KIND.get(kind), detail=kind)
                 for label, kind in a.completions(*ls.position(a, params.position))]
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def outline(ls: SpecServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        a = ls.analysis(params.text_document.uri)
        return [lsp.DocumentSymbol(s.name, _SYMBOL_KIND[s.kind], ls.range(a, s.decl), ls.range(a, s.span),
                                   detail=s.kind) for s in a.outline()]

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    def lenses(ls: SpecServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        """A "prove" link above each invariant (the editor runs the command when it is clicked)."""
        uri = params.text_document.uri
        a = ls.analysis(uri)
        return [lsp.CodeLens(ls.range(a, s.span), lsp.Command("prove", PROVE_COMMAND, arguments=[uri, s.name]))
                for s in a.index.invariant_symbols.values()]

    @server.thread()
    @server.command(PROVE_COMMAND)
    def prove_command(ls: SpecServer, *args) -> dict:
        """Arguments: the document's URI, then an LSP position or an invariant ID, then optionally a
        time limit in seconds. Returns the verdict and shows it."""
        try:
            outcome, where = _prove(ls, *args)
        except _Refused as e:
            ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"specforge: {e}"))
            return {"error": str(e)}
        a, symbol, uri = where
        ls.record(uri, a, symbol, outcome)
        ls.publish(uri)
        kind = lsp.MessageType.Info if outcome.verdict == "proved" else lsp.MessageType.Warning
        ls.window_show_message(lsp.ShowMessageParams(kind, f"specforge: {outcome.message}"))
        return outcome.to_json()

    return server


class _Refused(Exception):
    pass


def _prove(ls: SpecServer, uri=None, at=None, limit=None, *rest):
    if not isinstance(uri, str) or at is None or rest:
        raise _Refused(f"{PROVE_COMMAND} takes a document URI, a position or an invariant ID, and a time limit")
    a = ls.analysis(uri)
    if a.loaded.spec is None:
        raise _Refused("the spec has errors: fix them before proving")
    if isinstance(at, dict):
        line, column = ls.position(a, lsp.Position(int(at.get("line", 0)), int(at.get("character", 0))))
        inv = a.invariant_at(line, column)
    else:
        inv = a.index.invariants.get(str(at))
    if inv is None:
        raise _Refused("no invariant ID under the cursor: put it on the ID after `invariant`")
    limit = float(limit if limit is not None else ls.options.get("proveTimeLimit", DEFAULT_PROVE_LIMIT))
    depth = int(ls.options.get("depth", 10))
    try:
        outcome = prove_invariant(a.loaded.spec, inv.id, limit, depth)
    except Exception as e:  # an encoding the prover lacks (SF301) or a bug: a message, never a dead server
        raise _Refused(f"the prover stopped: {type(e).__name__}: {e}") from e
    return outcome, (a, a.index.invariant_symbols[inv.id], uri)


def serve() -> None:
    """Serve one client over standard input and output until it says exit."""
    build_server().start_io()
