"""Open-loop load with the spec as the oracle.

Arrivals are scheduled, not waited for: the i-th call is due at `i / rate` seconds after the start,
whatever the calls before it are doing, so a slow implementation does not lower the load it is
offered. Each call's latency is measured from its scheduled time to its answer, so the time a call
waited for a free session (or for the generator) is counted, not omitted (coordinated omission).

A *session* is one fresh implementation (a factory call, or a `{instance}` of an HTTP service) with the
spec's model beside it: a `SpecRunner` that chooses each call as the property tests do and checks its
outcome (a success where every guard holds, the named refusal where one fails). A session makes one
call at a time; a due call goes to an idle session, or to a new one (up to `max_sessions`), or waits
for one. The state is read back only when a session ends (a GET per call would double the load):
a call answered against the model's expectation is a violation, and the session that made it is
retired, since its model no longer tells what the implementation holds.
"""

from __future__ import annotations

import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from ..testing.binding import Binding, BindingError
from ..testing.machine import Dice, SpecRunner, SpecViolation

HISTORY = 20  # calls a session keeps for its messages
KEPT_VIOLATIONS = 20  # distinct violation messages a run keeps


class LoadError(RuntimeError):
    """The run cannot start: the implementation cannot be made or reached."""


@dataclass(frozen=True)
class Call:
    action: str
    scheduled: float  # seconds after the start
    latency: float  # seconds from the scheduled time to the answer
    lag: float  # seconds from the scheduled time to the send
    outcome: str  # "ok", "refused" or "violation"
    cost: Fraction | None = None  # what the implementation reported the call cost, if it reports costs


@dataclass
class Outcome:
    calls: list[Call] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)  # distinct messages, at most KEPT_VIOLATIONS
    state_violations: int = 0  # sessions whose state, read at their end, differs from the model
    setup_failures: int = 0  # fresh implementations that could not be made during the run
    unfinished: int = 0  # calls still in flight when the run ended
    unsent: int = 0  # calls due that no session was free to make before the end (--max-sessions)
    sessions: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, call: Call, message: str | None = None) -> None:
        with self.lock:
            self.calls.append(call)
            if message is not None:
                self.violation(message)

    def violation(self, message: str) -> None:
        first = message.split("\n")[0]
        if len(self.violations) < KEPT_VIOLATIONS and all(v.split("\n")[0] != first for v in self.violations):
            self.violations.append(message)


class _Timed:
    """The binding, with the send and answer times of its last call."""

    def __init__(self, inner: Binding):
        self._inner = inner
        self.sent = self.answered = 0.0
        self.cost: Fraction | None = None

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def call(self, obj, action, args):
        self.sent = time.perf_counter()
        try:
            return self._inner.call(obj, action, args)
        finally:
            self.answered = time.perf_counter()
            self.cost = self._inner.cost_of(obj)  # after the answer: reading it is not in the latency


class LoadRunner(SpecRunner):
    """A `SpecRunner` that checks each call's outcome, and reads the state back only at the end of the
    session (`verify`) or, with `every`, after each call (not before it: the state was checked after
    the call before, and a read there would delay the send)."""

    trusting = False  # the model stands in for the implementation's state
    every = False
    timed: _Timed | None = None

    def observe(self):
        if self.trusting and not (self.every and self.timed is not None and self.timed.answered):
            return self.model
        return super().observe()

    def verify(self, invariant_ids) -> None:
        self.trusting = False
        self._observed = None
        self.expect_state("at the end of the session")
        self.check_invariants(invariant_ids)


class Session:
    def __init__(self, spec, factory: Callable, binding: Binding, cache: dict, seed: int, source: str | None,
                 every: bool = False):
        self.timed = _Timed(binding)
        self.runner = LoadRunner(spec, factory, self.timed, source, cache=cache)
        self.runner.trusting, self.runner.every, self.runner.timed = True, every, self.timed
        self.rng = random.Random(seed)
        self.inbox: queue.Queue = queue.Queue()
        self.retired = False
        self.refusals = 0
        self.call = self.next_call()  # chosen before it is due: the choice is not in the call's latency

    def refused(self) -> bool:
        """Whether the last call was refused as the spec says (the runner counted one more refusal)."""
        refusals = sum(self.runner.failures.values())
        refused, self.refusals = refusals > self.refusals, refusals
        return refused

    def next_call(self):
        dice = Dice(self.rng.getrandbits(64))
        action = self.runner.choose_action(dice)
        return action.name, self.runner.arguments(action, dice)


class LoadRun:
    """One run: `rate` calls per second for `duration` seconds against sessions made by `factory`."""

    def __init__(self, spec, factory: Callable, binding: Binding | None, rate: float, duration: float,
                 invariant_ids: tuple[str, ...], max_sessions: int = 256, grace: float = 5.0, seed: int = 0,
                 progress: Callable[[Outcome, float, int], None] | None = None, source: str | None = None,
                 observe: str = "end"):
        self.spec, self.factory, self.binding = spec, factory, binding or Binding()
        self.rate, self.duration, self.grace = rate, duration, grace
        self.invariant_ids, self.max_sessions, self.progress = invariant_ids, max_sessions, progress
        self.seeds = random.Random(seed)
        self.source = source  # the spec's text: messages quote its guards
        if observe not in ("end", "every"):
            raise ValueError("observe must be 'end' or 'every'")
        self.every = observe == "every"  # read the state after every call (untimed), not only at the end
        self.cache: dict = {}
        self.out = Outcome()
        self.idle: queue.Queue = queue.Queue()
        self.busy = 0
        self.sessions: list[Session] = []  # the live ones
        self.made = 0
        self.count_lock = threading.Lock()

    def run(self) -> Outcome:
        self.start = time.perf_counter()
        try:
            self._schedule()
        except KeyboardInterrupt:
            self.out.interrupted = True
        # the run's length: the whole duration the arrivals were spread over, or as far as it got
        self.out.seconds = min(time.perf_counter() - self.start, self.duration) if self.out.interrupted \
            else self.duration
        try:
            self._drain(0.5 if self.out.interrupted else self.grace)
            self._finish()
        except KeyboardInterrupt:  # a second Ctrl-C: the report of what was measured, at once
            self.out.interrupted = True
        self.out.sessions = self.made
        return self.out

    def _schedule(self) -> int:
        i = 0
        shown = 0.0
        while True:
            due = i / self.rate
            if due >= self.duration:
                return i
            now = time.perf_counter() - self.start
            while due > now:  # sleep in short steps: a progress line and Ctrl-C stay responsive
                time.sleep(min(due - now, 0.2))
                now = time.perf_counter() - self.start
                shown = self._show(now, i, shown)
            session = self._session(self.duration - now)
            if session is None:  # every session busy until the end: the rest could not be sent
                self.out.unsent = math.ceil(self.duration * self.rate) - i
                return i
            with self.count_lock:
                self.busy += 1  # counted from the hand-over, so that the drain waits for it
            session.inbox.put(due)
            i += 1
            shown = self._show(time.perf_counter() - self.start, i, shown)

    def _show(self, now: float, sent: int, shown: float) -> float:
        if self.progress is not None and now - shown >= 0.5:
            self.progress(self.out, now, sent)
            return now
        return shown

    def _session(self, remaining: float) -> Session | None:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        if len(self.sessions) < self.max_sessions:
            try:
                return self._new_session()
            except Exception as e:  # the service refuses a fresh instance: an error, and the call waits
                self.out.setup_failures += 1
                self.out.violation(f"making a fresh implementation: {type(e).__name__}: {e}")
        try:
            return self.idle.get(timeout=max(remaining, 0.0))
        except queue.Empty:
            return None

    def _new_session(self) -> Session:
        session = Session(self.spec, self.factory, self.binding, self.cache, self.seeds.getrandbits(64), self.source,
                          self.every)
        with self.count_lock:
            self.sessions.append(session)
            self.made += 1
        threading.Thread(target=self._work, args=(session,), daemon=True, name="specforge-load").start()
        return session

    def warm(self, count: int) -> None:
        """Make `count` sessions before the clock starts (a fresh instance costs requests of its own);
        `LoadError` when not even one can be made."""
        for _ in range(max(1, min(count, self.max_sessions))):
            try:
                self.idle.put(self._new_session())
            except (SpecViolation, BindingError) as e:
                raise LoadError(f"a fresh implementation does not start as the spec says: {e}") from None
            except Exception as e:
                raise LoadError(f"cannot make a fresh implementation: {type(e).__name__}: {e}") from None

    def _work(self, session: Session) -> None:
        call = session.call
        while True:
            due = session.inbox.get()
            if due is None:
                return
            name, args = call
            message, made = None, len(session.runner.history)
            session.timed.sent = session.timed.answered = 0.0
            session.timed.cost = None
            try:
                session.runner.apply(name, args)
                outcome = "refused" if session.refused() else "ok"
            except (SpecViolation, BindingError) as e:
                outcome, message = "violation", str(e)
            except Exception as e:  # an implementation that breaks the runner: a violation, never a crash
                outcome, message = "violation", f"{name}: {type(e).__name__}: {e}"
            if outcome != "ok" or len(session.runner.history) > made:  # else not made: the spec gives it no meaning
                answered = session.timed.answered or time.perf_counter()
                sent = session.timed.sent or answered
                self.out.record(Call(name, due, answered - self.start - due, max(sent - self.start - due, 0.0),
                                     outcome, session.timed.cost), message)
            del session.runner.history[:-HISTORY]
            if outcome == "violation":
                session.retired = True
            else:
                try:
                    call = session.next_call()
                except Exception as e:
                    session.retired = True
                    self.out.violation(f"choosing the next call: {type(e).__name__}: {e}")
            with self.count_lock:
                self.busy -= 1
            if session.retired:
                with self.count_lock:
                    self.sessions.remove(session)  # makes room for a fresh one
                return
            self.idle.put(session)

    def _drain(self, grace: float) -> None:
        """Wait for the calls in flight, at most `grace` seconds; those still out are unfinished."""
        deadline = time.perf_counter() + grace
        while time.perf_counter() < deadline:
            with self.count_lock:
                if self.busy == 0:
                    break
            time.sleep(0.01)
        with self.count_lock:
            self.out.unfinished = self.busy

    def _finish(self) -> None:
        """Stop the idle sessions and read each one's state against its model."""
        idle = []
        while True:
            try:
                idle.append(self.idle.get_nowait())
            except queue.Empty:
                break
        for session in idle:
            session.inbox.put(None)
            if self.out.interrupted:
                continue
            try:
                session.runner.verify(self.invariant_ids)
            except (SpecViolation, BindingError) as e:
                self.out.state_violations += 1
                self.out.violation(str(e))
            except Exception as e:
                self.out.state_violations += 1
                self.out.violation(f"reading the state at the end of a session: {type(e).__name__}: {e}")
