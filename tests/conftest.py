"""Every test run gets caches of its own: an answer remembered from an earlier run (or from the user's
~/.cache/specforge) must never decide a test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SPECFORGE_CACHE_DIR", str(tmp_path_factory.mktemp("specforge-cache")))
    yield
    mp.undo()
