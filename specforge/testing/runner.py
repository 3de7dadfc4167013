"""The spec as the oracle of a model-based test.

`SpecRunner` holds an implementation object and the spec's own model of its
state (the IR interpreter) side by side, and checks every step:

- when every guard holds, the call must not raise, and afterwards every state
  variable read through the binding must equal the model's value;
- when a guard with `else ERROR` is false (the first false one, in order), the
  call must raise an exception whose class or a base class is named ERROR, and
  the observed state must be unchanged;
- a guard without `else` is an assumption: the action is not called where it
  is false;
- after every step, every invariant must hold on the observed state.

What it calls is chosen by `specforge.testing.choices` (mixed in); a failing
run is cut down by `specforge.testing.shorten`; `SpecMachine`
(specforge.testing.machine) drives a runner from hypothesis.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager

from .. import ir
from ..evaluate import EvaluationError
from ..interpret import Interpreter
from ..run import show_type
from ..values import State, Universe, Value, ordered, show
from .binding import Binding, BindingError
from .choices import SHAPE, Choices, Shape, _swarm
from .defaults import DEFAULT_CALL_TIMEOUT
from .preflight import check_binding, factory_problems

# How many elements each `set` has: one size per run, drawn from these (small universes make
# collisions likely, larger ones make room for several parties); a replay uses at least SET_SIZE.
SET_SIZES = (1, 2, 3)
SET_SIZE = max(SET_SIZES)


class SpecViolation(AssertionError):
    """The implementation does not follow the spec; the message says where, in spec terms.

    `kind` says what went wrong without the values (the action, the guard, the exception's class, the
    variables that differ, the invariant): a shorter run that fails with the same kind fails the same
    way (see `specforge.testing.shorten.shortest`)."""

    def __init__(self, message: str, kind: tuple = ()):
        super().__init__(message)
        self.kind = kind


class CallTimedOut(BaseException):
    """A call of the implementation took longer than its bound (a BaseException, so that an implementation's
    own `except Exception` cannot swallow it)."""


@contextmanager
def deadline(seconds: float | None):
    """Interrupt the block after `seconds` with `CallTimedOut`. Uses SIGALRM, so it bounds the block only in
    the main thread of a POSIX process (where pytest runs tests); elsewhere the block runs unbounded."""
    usable = (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise CallTimedOut()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class SpecRunner(Choices):
    """An implementation and the spec's model of its state side by side, checked at every step."""

    def __init__(self, spec: ir.Spec, factory: Callable[[], object], binding: Binding | None = None,
                 source: str | None = None, set_size: int = SET_SIZE, cache: dict | None = None,
                 swarm: int | None = None, call_timeout: float | None = DEFAULT_CALL_TIMEOUT):
        self.spec = spec
        self.call_timeout = call_timeout  # seconds a call may take (None or 0: no bound)
        self.off = _swarm(spec, swarm)  # actions this run does not choose while it can choose another
        self.cache = {} if cache is None else cache  # argument pools; share it between runners of one spec
        self.size = set_size
        self.refusals: set[tuple] = set()  # why actions were refused in this run (see _refusal)
        self.visited: set[State] = set()  # the model's states in this run
        self.failures: dict[tuple[str, int], int] = {}  # (action, guard index): how often it refused, this run
        self.successes: dict[str, int] = {}  # action: how often it succeeded, this run
        self._observed: State | None = None  # the implementation's state as last read
        # a replay passes the run's own universe (its elements, at its sizes) instead of a size
        self.interp = Interpreter(spec, set_size if isinstance(set_size, Universe) else Universe.named(spec, set_size))
        self.shape = self.cache.get(SHAPE)
        if self.shape is None:
            self.shape = self.cache[SHAPE] = Shape(spec, self.interp.leaf_types)
        self.binding = binding or Binding()
        check_binding(spec, self.binding)  # a key the spec does not have is a mistake, never ignored
        self.lines = (source or "").splitlines()
        self.history: list[tuple[str, Mapping[str, object]]] = []  # the calls made: (action, arguments)
        self.model = self.interp.initial_state()
        self.visited.add(self.model)
        self.factory = factory
        self.impl = _make(factory, spec, self.interp.universe)
        self.expect_state("the initial state")

    # ---- one step ---------------------------------------------------------------------------

    def apply(self, name: str, args: Mapping[str, object]) -> None:
        __tracebackhide__ = True  # pytest shows the SpecViolation, not specforge's own frames
        action = self.interp.action(name)
        answered = action.answer is not None  # the effect reads the answer: known only after the call
        try:
            failed = self.interp.failed_guard(action, self.model, args)
            after = self.interp.effect(action, self.model, args) if failed is None and not answered else None
        except EvaluationError:
            return  # a guard or an assignment has no value here (a division by zero): the spec says nothing
        if failed is not None and failed.error is None:
            return  # an assumption about the caller: the action is never called where it is false
        self.history.append((name, args))
        before = self.observe()
        self._observed = None  # the call may change what the implementation shows
        try:
            with deadline(self.call_timeout):
                answer = self.binding.call(self.impl, action, args)
        except BindingError:
            raise
        except CallTimedOut:
            raise SpecViolation(f"{_call_text(name, args)}: no answer within {self.call_timeout:g} s (a call that "
                                f"hangs, or a slow one: raise the bound with gen-tests --call-timeout){self._steps()}",
                                ("timeout", name)) from None
        except KeyboardInterrupt:
            raise KeyboardInterrupt(f"interrupted in {_call_text(name, args)}{self._steps()}") from None
        except Exception as exc:
            call = _call_text(name, args)
            if failed is None:
                raise SpecViolation(f"{call}: every guard holds, so the call must succeed, but it raised "
                                    f"{type(exc).__name__}: {exc}{self._steps()}",
                                    ("raised", name, type(exc).__name__)) from exc
            guard = action.guards[failed.index]
            if not self.binding.error_matches(exc, failed.error):
                raise SpecViolation(f"{call}: the guard `{self._text(guard)}` is false, so the call must raise "
                                    f"{failed.error}, but it raised {type(exc).__name__}: {exc}{self._steps()}",
                                    ("wrong error", name, failed.index, type(exc).__name__)) from exc
            self.refusals.add(self._refusal(action))
            self.failures[(name, failed.index)] = self.failures.get((name, failed.index), 0) + 1
            after = self.observe()
            if after != before:
                raise SpecViolation(f"{call} raised {failed.error} as it should, but changed the state: "
                                    f"{_diff(before, after, 'before', 'after')}{self._steps()}",
                                    ("changed", name, failed.index, _differing(before, after))) from exc
            return
        if failed is not None:
            guard = action.guards[failed.index]
            raise SpecViolation(f"{_call_text(name, args)}: the guard `{self._text(guard)}` is false, so the "
                                f"call must raise {failed.error}, but it returned normally{self._steps()}",
                                ("returned", name, failed.index))
        value = self.answer_value(action, args, answer) if action.result is not None else None
        if answered:
            try:
                after = self.interp.effect(action, self.model, {**args, ir.RESULT: value})
            except EvaluationError as e:
                raise SpecViolation(f"{_call_text(name, args)} answered {show(value, action.result.resolved)}, "
                                    f"with which its effect has no meaning: {e}{self._steps()}",
                                    ("effect", name)) from e
        self.model = after  # every guard holds: checked above
        self.visited.add(self.model)
        self.successes[name] = self.successes.get(name, 0) + 1
        if self.observe() != self.model:
            self._mismatch(f"after {_call_text(name, args)}", name)
        if action.result is not None:
            self.check_result(action, args, value)

    def answer_value(self, action: ir.Action, args: Mapping[str, object], answer: object) -> Value:
        """What a successful call answered, as a value of the action's result type (a violation if it is none)."""
        __tracebackhide__ = True
        call, t = _call_text(action.name, args), action.result.resolved
        try:
            value = self.binding.to_model(answer, t, self.interp, f"the result of {call}")
            fits = self.interp.fits(t, value)
        except (BindingError, TypeError, ValueError):
            fits = False
        if not fits:
            raise SpecViolation(f"{call} answered {answer!r}, which is not a value of its result type "
                                f"{show_type(t)}{self._steps()}", ("result type", action.name))
        return value

    def check_result(self, action: ir.Action, args: Mapping[str, object], value: Value) -> None:
        """A successful call's answer (a value of its result type: `answer_value`), against the action's
        `returns` and `ensures`, in the state after the call (which has just been checked to be the model's)."""
        __tracebackhide__ = True
        call, t = _call_text(action.name, args), action.result.resolved
        expected = self.interp.result(action, self.model, args)
        if action.returns is not None and expected != value:
            raise SpecViolation(f"{call} answered {show(value, t)}, but `{self._text(action.returns)}` says "
                                f"{show(expected, t)}{self._steps()}", ("returns", action.name))
        try:
            broken = self.interp.broken_postconditions(action, self.model, args, value)
        except EvaluationError as e:
            raise SpecViolation(f"{call} answered {show(value, t)}, on which its postconditions have no meaning: "
                                f"{e}{self._steps()}", ("ensures", action.name)) from e
        if broken:
            e = broken[0]
            raise SpecViolation(f"{call} answered {show(value, t)}, which breaks {e.id} `{self._text(e.cond)}`"
                                f"{self._steps()}", ("ensures", action.name, e.id))

    def expect_state(self, when: str) -> None:
        __tracebackhide__ = True
        if self.observe() != self.model:
            self._mismatch(when, None)

    def _mismatch(self, when: str, action: str | None) -> None:
        __tracebackhide__ = True
        raise SpecViolation(f"{when}: {_diff(self.model, self.observe(), 'the spec says', 'the implementation has')}"
                            f"{self._steps()}", ("state", action, _differing(self.model, self.observe())))

    def check_invariant(self, invariant_id: str) -> None:
        __tracebackhide__ = True
        observed = self.observe()  # read once per step: every invariant is checked on the same reading
        try:
            ok = self.interp.holds(invariant_id, observed)
        except EvaluationError as e:
            raise SpecViolation(f"invariant {invariant_id} cannot be evaluated on the implementation's state: {e}"
                                f"{self._steps()}", ("invariant", invariant_id)) from e
        if not ok:
            inv = self.interp.invariants.get(invariant_id)
            what = f" ({inv.description})" if inv is not None and inv.description else ""
            raise SpecViolation(f"invariant {invariant_id}{what} does not hold in the implementation's state "
                                f"{_show_state(observed)}{self._steps()}", ("invariant", invariant_id))

    def check_invariants(self, invariant_ids: Iterable[str] | None = None) -> None:
        """Each of `invariant_ids` (by default the spec's invariants), in order, on the observed state."""
        __tracebackhide__ = True
        for invariant_id in self.interp.invariants if invariant_ids is None else invariant_ids:
            self.check_invariant(invariant_id)

    def observe(self) -> State:
        """The implementation's state through the binding; read again only after a call into it."""
        if self._observed is None:
            self._observed = self.binding.observe(self.impl, self.interp)
        return self._observed

    def _text(self, node) -> str:
        line = node.span.line
        if 0 < line <= len(self.lines) and node.span.end_line == line:
            return self.lines[line - 1][node.span.column - 1:node.span.end_column - 1]
        return "guard"

    def _steps(self) -> str:
        calls = "; ".join(_call_text(name, args) for name, args in self.history)
        return "\n  the calls so far: " + (calls or "none")

def _make(factory: Callable, spec: ir.Spec, universe) -> object:
    """A fresh implementation; a factory the tests cannot call is a `BindingError` that names it and the fix."""
    try:
        return factory(**_set_arguments(factory, universe))
    except TypeError as e:
        problems = factory_problems(factory, spec, getattr(factory, "__qualname__", repr(factory)))
        if problems:
            raise BindingError(str(problems[0])) from e
        raise


def _set_arguments(factory: Callable, universe) -> dict[str, tuple]:
    """A factory that takes a keyword named after a set (`Node=`) receives that set's elements:
    an implementation that must know the whole set from the start (a cluster) can."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    return {name: tuple(universe[name]) for name in universe
            if name in params and params[name].kind in (inspect.Parameter.KEYWORD_ONLY,
                                                          inspect.Parameter.POSITIONAL_OR_KEYWORD)}


def _call_text(name: str, args: Mapping[str, object]) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def _show_state(state: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in state.items()) + "}"


def _show(v) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(_show(x) for x in ordered(v)) + "}"
    return repr(v)


def _differing(expected: Mapping, observed: Mapping) -> tuple[str, ...]:
    """The state variables whose values differ."""
    return tuple(k for k in expected if expected.get(k) != observed.get(k))


def _diff(expected: Mapping, observed: Mapping, left: str, right: str) -> str:
    rows = [f"`{k}`: {left} {_show(expected.get(k))}, {right} {_show(observed.get(k))}"
            for k in expected if expected.get(k) != observed.get(k)]
    return "; ".join(rows) if rows else "the states differ"
