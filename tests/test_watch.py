"""`specforge watch`, run as a short-lived process: it re-checks on save and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from .support import ROOT

BANK = (ROOT / "examples" / "bank.sf").read_text(encoding="utf-8")
WAIT = 60  # seconds: a round on a loaded machine


class Watch:
    def __init__(self, tmp_path, *args: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SPECFORGE_CACHE_DIR": str(tmp_path / "cache"),
               "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "specforge", "watch", *args], cwd=tmp_path, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def round(self) -> list[str]:
        """What one check (and proof) printed, up to the line that says it watches again."""
        out: list[str] = []
        deadline = time.monotonic() + WAIT
        while not (out and "watching" in out[-1]):
            out.append(self.lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
        return out

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=WAIT)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return code, "\n".join(rest)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "bank.sf"
    path.write_text(BANK, encoding="utf-8")
    return path


def save(path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:  # a coarse clock: make the save visible
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_watch_proves_on_start_rechecks_on_save_and_exits_0_on_ctrl_c(tmp_path, spec):
    watch = Watch(tmp_path, "bank.sf", "--interval", "0.05")
    try:
        first = watch.round()
        assert "3 of 3 proved in" in "\n".join(first)
        save(spec, BANK.replace("  balance >= 0\n", "  balanse >= 0\n"))
        second = "\n".join(watch.round())
        assert "bank.sf:26:3: error[SF201]: unknown name `balanse`" in second and "bank.sf: 1 error" in second
        save(spec, BANK.replace("  requires amount <= balance else InsufficientFunds\n", ""))
        third = "\n".join(watch.round())
        assert "BANK-1  MUST    VIOLATED" in third and "2 of 3 proved" in third
        code, rest = watch.stop()
    finally:
        watch.kill()
    assert code == 0
    assert rest.endswith("specforge: watch stopped")
    assert "Traceback" not in rest


def test_watch_only_checks_with_no_prove_and_reports_a_file_that_goes_missing(tmp_path, spec):
    watch = Watch(tmp_path, "bank.sf", "--no-prove", "--interval", "0.05")
    try:
        assert watch.round()[0] == "bank.sf: ok: spec BankAccount"
        spec.unlink()
        gone = "\n".join(watch.round())
        assert "bank.sf: error[SF001]" in gone
        code, _ = watch.stop()
    finally:
        watch.kill()
    assert code == 0
