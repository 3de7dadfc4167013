"""Every wait is bounded: a call of the implementation that hangs fails the test with the call and the run
so far; the generated file carries a non-default bound; failing tests hide specforge's own frames."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from specforge.frontend import load_text
from specforge.testing import SpecRunner, SpecViolation
from specforge.testing.generate import generate
from specforge.testing.runner import CallTimedOut, deadline

SPEC = "spec Slow\nstate {\n  n: int\n}\ninit {\n  n := 0\n}\naction poke(k: int) {\n  requires k > 0 else Bad\n  n := n + k\n}\n"


class Hangs:
    def __init__(self):
        self.n = 0

    def poke(self, k):
        if k > 0:
            self.n += k
        if self.n >= 3:
            try:
                while True:  # hangs, and an `except Exception` of its own cannot swallow the bound
                    time.sleep(0.01)
            except Exception:
                pass


def test_a_call_that_hangs_fails_with_the_call_and_the_run_so_far():
    runner = SpecRunner(load_text(SPEC, "slow.sf").spec, Hangs, call_timeout=0.2)
    runner.apply("poke", {"k": 1})
    runner.apply("poke", {"k": 1})
    started = time.monotonic()
    with pytest.raises(SpecViolation) as caught:
        runner.apply("poke", {"k": 1})
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "poke(k=1): no answer within 0.2 s" in message and "--call-timeout" in message
    assert "poke(k=1); poke(k=1); poke(k=1)" in message  # the calls so far


def test_the_deadline_leaves_a_fast_block_alone_and_restores_the_alarm():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with deadline(1.0):
        pass
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with pytest.raises(CallTimedOut):
        with deadline(0.05):
            time.sleep(1)


def test_the_generated_file_states_a_bound_other_than_the_default():
    plain = generate(SPEC, "slow.sf", "slow:Hangs", "t.py")
    bounded = generate(SPEC, "slow.sf", "slow:Hangs", "t.py", call_timeout=0.5)
    assert "call_timeout" not in plain and "    call_timeout = 0.5  # seconds one call may take" in bounded


def test_a_failing_property_test_shows_the_violation_not_specforges_frames(tmp_path):
    (tmp_path / "slow.py").write_text("class Wrong:\n    def __init__(self):\n        self.n = 0\n"
                                      "    def poke(self, k):\n        self.n += 2 * k\n")
    (tmp_path / "slow.sf").write_text(SPEC)
    (tmp_path / "test_slow.py").write_text(generate(SPEC, "slow.sf", "slow:Wrong", "test_slow.py"))
    import os

    from .support import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's specforge
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_slow.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1 and "SpecViolation" in done.stdout
    assert "specforge/testing/runner.py" not in done.stdout, done.stdout[-3000:]
