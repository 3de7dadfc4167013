"""What kind of process runs specforge, for the few choices that depend on it.

`ONE_SHOT` is true when the process ends after its command's specs: every command run from the command
line (`fastpath.main`) but `lsp` and `watch`. The front end then freezes what a load built
(`frontend._no_gc`); a long-lived process (the language server, a test session) does not, since a
cycle frozen there would never be collected.
"""

from __future__ import annotations

ONE_SHOT = False
