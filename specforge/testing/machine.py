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

import inspect
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
        self.impl = factory(**_set_arguments(factory, self.interp.universe))
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
        """Values at and around every boundary the guards and invariants draw, and an interval inside.

        Boundaries are found numerically: a comparison is evaluated as a
        function of the value being drawn, and where it is linear its root is a
        boundary. That covers `amount <= balance` (exactly the balance), `abs(d)
        <= 20` (20 and -20), and, through the state variables the action
        assigns, `now < issued_at + ttl` tested by another action or an
        invariant (the `dt` that reaches the expiry exactly).
        """
        t = param.type.resolved
        low, high = (t.low, t.high) if isinstance(t, IntT) else (None, None)
        static = set(_static_boundaries(self.spec, action, param))
        dynamic: set[int] = set()  # boundaries that depend on the current state: the valuable ones
        lo_guard, hi_guard = None, None
        name = param.name
        for guard in action.guards:
            for cmp in _compares(guard.cond):
                def f(v, cmp=cmp):
                    return self._difference(cmp, self.model, {**known, name: v})
                for root in _roots(f):
                    dynamic.update((root - 1, root, root + 1))
            for op, other in _direct(guard.cond, name):
                try:
                    v = self.interp.evaluate(other, self.model, known)
                except Exception:
                    continue
                if isinstance(v, int) and not isinstance(v, bool):
                    if op in (ir.CmpOp.GT, ir.CmpOp.GE):
                        bound = v + (op is ir.CmpOp.GT)
                        lo_guard = bound if lo_guard is None else max(lo_guard, bound)
                    elif op in (ir.CmpOp.LT, ir.CmpOp.LE):
                        bound = v - (op is ir.CmpOp.LT)
                        hi_guard = bound if hi_guard is None else min(hi_guard, bound)
        dynamic.update(self._reaching(action, name, known))

        def fits(v: int) -> bool:
            return (low is None or v >= low) and (high is None or v <= high)

        dynamic_values = sorted(v for v in dynamic if fits(v))
        static_values = sorted(v for v in static - dynamic if fits(v))
        every = dynamic_values + static_values
        lo = lo_guard if lo_guard is not None else (low if low is not None else min(every, default=0) - 10)
        hi = hi_guard if hi_guard is not None else (high if high is not None else max(every, default=0) + 10)
        if low is not None:
            lo = max(lo, low)
        if high is not None:
            hi = min(hi, high)
        inside = st.integers(lo, hi) if lo <= hi else st.integers(min(every, default=0), max(every, default=0))
        # a third each: the state's own boundaries, the spec's constants and literals, the interval
        parts = [st.sampled_from(v) for v in (dynamic_values, static_values) if v] + [inside]
        return st.one_of(*parts)

    def _difference(self, cmp: ir.Compare, state, params) -> int | None:
        """left - right of a numeric comparison, or None when it cannot be evaluated."""
        try:
            left = self.interp.evaluate(cmp.left, state, params)
            right = self.interp.evaluate(cmp.right, state, params)
        except Exception:
            return None
        if isinstance(left, bool) or isinstance(right, bool) or not isinstance(left, int) \
                or not isinstance(right, int):
            return None
        return left - right

    def _reaching(self, action: ir.Action, name: str, known: Mapping[str, object]) -> set[int]:
        """Values of the parameter that put a state variable the action assigns exactly on a
        boundary some comparison of the spec tests (and one either side)."""
        out: set[int] = set()
        assigned = {ir.state_path(a.target) for a in action.assignments} - {None}
        numeric = [p for p in assigned if isinstance(self.interp.leaf_types.get(p), (IntT, ir.QuantityT))]
        if not numeric:
            return out
        comparisons = [c for c in self._spec_comparisons() if not _mentions_local(c)]
        for path in numeric:
            targets: set[int] = set()
            for cmp in comparisons:
                def g(v, cmp=cmp, path=path):
                    return self._difference(cmp, {**self.model, path: v}, {})
                targets.update(_roots(g))
            if not targets:
                continue

            def post(v, path=path):
                try:
                    return self._assigned(action, {**known, name: v}).get(path)
                except Exception:
                    return None
            for target in targets:
                for root in _roots(lambda v, target=target: None if post(v) is None else post(v) - target):
                    out.update((root - 1, root, root + 1))
        return out

    def _assigned(self, action: ir.Action, args: Mapping[str, object]) -> dict:
        """The state after the action's assignments, guards not consulted."""
        current = dict(self.model)
        env = self.interp.env.with_state(current, args)
        for a in action.assignments:
            self.interp._assign(a.target, self.interp.evaluate(a.value, current, args), env, current)
        return current

    def _spec_comparisons(self) -> list[ir.Compare]:
        cached = getattr(self, "_all_comparisons", None)
        if cached is None:
            roots = [g.cond for a in self.spec.actions for g in a.guards] + [i.expr for i in self.spec.invariants]
            cached = [c for r in roots for c in _compares(r)]
            self._all_comparisons = cached
        return cached


def _compares(e: ir.Expr):
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Compare):
            yield node
        for value in node.__dict__.values():
            if isinstance(value, ir.EXPR_CLASSES):
                stack.append(value)


def _mentions_local(e: ir.Expr) -> bool:
    """Whether an expression reads a parameter or a bound variable (not evaluable on a state alone)."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Name) and node.ref in (ir.RefKind.PARAM, ir.RefKind.BOUND):
            return True
        for value in node.__dict__.values():
            if isinstance(value, ir.EXPR_CLASSES):
                stack.append(value)
    return False


def _roots(f: Callable[[int], int | None]) -> set[int]:
    """Where f is linear around 0 on either side, the integer nearest its root."""
    out: set[int] = set()
    for sign in (1, -1):
        a, b, c = f(0), f(sign), f(2 * sign)
        if a is None or b is None or c is None:
            continue
        slope = (b - a) * sign
        if slope == 0 or (c - b) * sign != slope:
            continue
        root = -a / slope
        if abs(root) < 10**12 and (root * sign >= 0 or sign == 1):
            out.add(round(root))
    return out


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


def _direct(cond: ir.Expr, param: str):
    """(op, other side) for every comparison `param op other` in a guard (either way round)."""
    for e in _compares(cond):
        if _is_param(e.left, param):
            yield e.op, e.right
        elif _is_param(e.right, param):
            yield _FLIP[e.op], e.left


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
