"""The language server over the same front end: `specforge lsp` (needs the `lsp` extra, pygls).

`analysis` and `verdicts` are plain Python (no pygls) so they can be tested
and reused; `server` speaks LSP and imports pygls.
"""
