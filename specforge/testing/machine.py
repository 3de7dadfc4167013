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

`SpecMachine` drives a runner from a hypothesis `RuleBasedStateMachine`; the
generated test files and `spec_test_case` both build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from .. import ir
from ..interpret import EvaluationError, Interpreter, State, Universe
from ..ir import BoolT, EnumT, IntT, SetT
from .binding import Binding, BindingError

# Elements drawn for each `set`: a small pool of distinct values.
SET_SIZE = 3
_FLIP = {ir.CmpOp.LT: ir.CmpOp.GT, ir.CmpOp.LE: ir.CmpOp.GE, ir.CmpOp.GT: ir.CmpOp.LT, ir.CmpOp.GE: ir.CmpOp.LE,
         ir.CmpOp.EQ: ir.CmpOp.EQ, ir.CmpOp.NE: ir.CmpOp.NE}


class SpecViolation(AssertionError):
    """The implementation does not follow the spec; the message says where, in spec terms."""


class SpecRunner:
    def __init__(self, spec: ir.Spec, factory: Callable[[], object], binding: Binding | None = None,
                 source: str | None = None, set_size: int = SET_SIZE):
        self.spec = spec
        self.interp = Interpreter(spec, Universe.named(spec, set_size))
        self.binding = binding or Binding()
        self.lines = (source or "").splitlines()
        self.history: list[str] = []
        self.model = self.interp.initial_state()
        self.impl = factory()
        self.expect_state("the initial state")

    # ---- one step ---------------------------------------------------------------------------

    def apply(self, name: str, args: Mapping[str, object]) -> None:
        action = self.interp.action(name)
        call = _call_text(name, args)
        failed = self.interp.failed_guard(action, self.model, args)
        if failed is not None and failed.error is None:
            return  # an assumption about the caller: the action is never called where it is false
        self.history.append(call)
        before = self.observe()
        try:
            self.binding.call(self.impl, action, args)
        except BindingError:
            raise
        except Exception as exc:
            if failed is None:
                raise SpecViolation(f"{call}: every guard holds, so the call must succeed, but it raised "
                                    f"{type(exc).__name__}: {exc}{self._steps()}") from exc
            guard = action.guards[failed.index]
            if not self.binding.error_matches(exc, failed.error):
                raise SpecViolation(f"{call}: the guard `{self._text(guard)}` is false, so the call must raise "
                                    f"{failed.error}, but it raised {type(exc).__name__}: {exc}{self._steps()}"
                                    ) from exc
            after = self.observe()
            if after != before:
                raise SpecViolation(f"{call} raised {failed.error} as it should, but changed the state: "
                                    f"{_diff(before, after, 'before', 'after')}{self._steps()}") from exc
            return
        if failed is not None:
            guard = action.guards[failed.index]
            raise SpecViolation(f"{call}: the guard `{self._text(guard)}` is false, so the call must raise "
                                f"{failed.error}, but it returned normally{self._steps()}")
        self.model = self.interp.step(action, self.model, args)
        self.expect_state(f"after {call}")

    def expect_state(self, when: str) -> None:
        observed = self.observe()
        if observed != self.model:
            raise SpecViolation(f"{when}: {_diff(self.model, observed, 'the spec says', 'the implementation has')}"
                                f"{self._steps()}")

    def check_invariant(self, invariant_id: str) -> None:
        observed = self.observe()
        try:
            ok = self.interp.holds(invariant_id, observed)
        except EvaluationError as e:
            raise SpecViolation(f"invariant {invariant_id} cannot be evaluated on the implementation's state: {e}"
                                f"{self._steps()}") from e
        if not ok:
            inv = self.interp.invariants.get(invariant_id)
            what = f" ({inv.description})" if inv is not None and inv.description else ""
            raise SpecViolation(f"invariant {invariant_id}{what} does not hold in the implementation's state "
                                f"{_show_state(observed)}{self._steps()}")

    def check_invariants(self) -> None:
        for invariant_id in self.interp.invariants:
            self.check_invariant(invariant_id)

    def observe(self) -> State:
        return self.binding.observe(self.impl, self.interp)

    def _text(self, node) -> str:
        line = node.span.line
        if 0 < line <= len(self.lines) and node.span.end_line == line:
            return self.lines[line - 1][node.span.column - 1:node.span.end_column - 1]
        return "guard"

    def _steps(self) -> str:
        return "\n  the calls so far: " + ("; ".join(self.history) if self.history else "none")

    # ---- arguments ----------------------------------------------------------------------------

    def arguments(self, action: ir.Action, data: st.DataObject) -> dict[str, object]:
        """Arguments drawn from the types and the guards: mostly valid, always near the boundaries,
        sometimes just outside them so that every failure mode is exercised."""
        args: dict[str, object] = {}
        for p in action.params:
            t = p.type.resolved
            if isinstance(t, BoolT):
                strategy = st.booleans()
            elif isinstance(t, (EnumT, SetT)):
                strategy = st.sampled_from(self.interp.values(t))
            else:
                strategy = self.int_strategy(action, p, args)
            args[p.name] = data.draw(strategy, label=p.name)
        return args

    def int_strategy(self, action: ir.Action, param: ir.Param, known: Mapping[str, object]) -> st.SearchStrategy:
        t = param.type.resolved
        low, high = t.low if isinstance(t, IntT) else None, t.high if isinstance(t, IntT) else None
        values = set(_static_boundaries(self.spec, action, param))
        lo_guard, hi_guard = None, None
        for op, other in _comparisons(action, param.name):
            try:
                v = self.interp.evaluate(other, self.model, known)
            except Exception:  # it reads a parameter not drawn yet, or divides by zero
                continue
            if not isinstance(v, int) or isinstance(v, bool):
                continue
            values.update((v - 1, v, v + 1))
            if op in (ir.CmpOp.GT, ir.CmpOp.GE):
                bound = v + (1 if op is ir.CmpOp.GT else 0)
                lo_guard = bound if lo_guard is None else max(lo_guard, bound)
            elif op in (ir.CmpOp.LT, ir.CmpOp.LE):
                bound = v - (1 if op is ir.CmpOp.LT else 0)
                hi_guard = bound if hi_guard is None else min(hi_guard, bound)
        values = sorted(v for v in values if (low is None or v >= low) and (high is None or v <= high))
        lo = lo_guard if lo_guard is not None else (low if low is not None else min(values, default=0) - 10)
        hi = hi_guard if hi_guard is not None else (high if high is not None else max(values, default=0) + 10)
        if low is not None:
            lo = max(lo, low)
        if high is not None:
            hi = min(hi, high)
        inside = st.integers(lo, hi) if lo <= hi else st.integers(min(values, default=0), max(values, default=0))
        return st.one_of(st.sampled_from(values), inside) if values else inside


def _comparisons(action: ir.Action, param: str):
    """(op, other side) for every guard comparison `param op other` (either way round)."""
    stack = [g.cond for g in action.guards]
    while stack:
        e = stack.pop()
        if isinstance(e, ir.Compare):
            if _is_param(e.left, param):
                yield e.op, e.right
            elif _is_param(e.right, param):
                yield _FLIP[e.op], e.left
        for value in e.__dict__.values():
            if isinstance(value, ir.EXPR_CLASSES):
                stack.append(value)


def _is_param(e: ir.Expr, name: str) -> bool:
    return isinstance(e, ir.Name) and e.ref is ir.RefKind.PARAM and e.name == name


def _static_boundaries(spec: ir.Spec, action: ir.Action, param: ir.Param) -> set[int]:
    """Each int constant and literal the action mentions, and one either side of it."""
    found: set[int] = set()
    stack = [g.cond for g in action.guards] + [a.value for a in action.assignments]
    consts = {c.name: c.evaluated for c in spec.consts}
    while stack:
        e = stack.pop()
        value = None
        if isinstance(e, (ir.IntLit, ir.QuantityLit)):
            value = e.value
        elif isinstance(e, ir.Name) and e.ref is ir.RefKind.CONST and isinstance(consts.get(e.name), int) \
                and not isinstance(consts.get(e.name), bool):
            value = consts[e.name]
        if value is not None:
            found.update((value - 1, value, value + 1))
        for child in e.__dict__.values():
            if isinstance(child, ir.EXPR_CLASSES):
                stack.append(child)
    return found


def _call_text(name: str, args: Mapping[str, object]) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def _show_state(state: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in state.items()) + "}"


def _show(v) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _diff(expected: Mapping, observed: Mapping, left: str, right: str) -> str:
    rows = [f"`{k}`: {left} {_show(expected.get(k))}, {right} {_show(observed.get(k))}"
            for k in expected if expected.get(k) != observed.get(k)]
    return "; ".join(rows) if rows else "the states differ"


class SpecMachine(RuleBasedStateMachine):
    """A hypothesis state machine for one spec; subclasses set `spec`, `source` and `factory`.

    The generated test files subclass it with one rule per action and one
    invariant per invariant ID; `spec_test_case` builds the same class at run time.
    """

    spec: ir.Spec
    source: str = ""
    binding: Binding | None = None
    set_size: int = SET_SIZE

    @staticmethod
    def factory():  # pragma: no cover - replaced by every subclass
        raise NotImplementedError("a SpecMachine subclass names the implementation's factory")

    def __init__(self) -> None:
        super().__init__()
        self.runner = SpecRunner(self.spec, type(self).factory, self.binding, self.source, self.set_size)

    def step(self, name: str, data: st.DataObject) -> None:
        action = self.runner.interp.action(name)
        self.runner.apply(name, self.runner.arguments(action, data))

    def check(self, invariant_id: str) -> None:
        self.runner.check_invariant(invariant_id)
