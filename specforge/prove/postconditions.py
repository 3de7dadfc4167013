"""The obligations of action results: what `returns` and `ensures` promise, as targets of the prover.

An action `f(...) -> T` with postconditions gives obligations that hold in a state when every call
from it that the guards let through (and that has a meaning) keeps the promise:

- with `returns R`, one per `ensures E` (ID `f.ensures.N`): R, read in the state after the call,
  satisfies E. A violation is a reachable state and a call whose answer breaks E.
- without `returns`, one for the contract as a whole (ID `f.ensures`): some value of T satisfies
  every `ensures` of f. A violation is a reachable state and a call that no implementation can
  answer: the contract cannot be met there.

They are state properties (a call is quantified inside them), so the prover handles them as it
handles the definedness of calls: induction, the bounded search, the initial state. The explicit
search does not see them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import z3

from .. import ir
from ..values import show
from . import defined
from .encode import Encoder, Env
from .model import Renderer

_FRESH = itertools.count()


@dataclass
class ResultObligation:
    id: str
    line: int
    description: str
    formula: Callable[[dict], z3.BoolRef]
    violation: Callable[[dict], tuple[z3.BoolRef, Callable[[z3.ModelRef], str]]]


def obligations(enc: Encoder, render: Renderer) -> list[ResultObligation]:
    out = []
    for a in enc.spec.actions:
        if not a.ensures:
            continue
        if a.returns is not None:
            for e in a.ensures:
                out.append(ResultObligation(
                    e.id, e.span.line, f"every call of `{a.name}` answers a result that meets {e.id}",
                    lambda s, a=a, e=e: _always(enc, a, s, lambda post, p: _agrees(enc, a, e, post, p)),
                    lambda s, a=a, e=e: _breaking(enc, render, a, e, s)))
        else:
            formula = (lambda s: z3.BoolVal(True)) if _met_anywhere(enc, a) else \
                (lambda s, a=a: _always(enc, a, s, lambda post, p, s=s: _some_result(enc, a, s, post, p)))
            out.append(ResultObligation(
                f"{a.name}.ensures", a.span.line,
                f"every call of `{a.name}` the guards let through has a result its `ensures` allow",
                formula, lambda s, a=a: _unmeetable(enc, render, a, s)))
    return out


def _names_elements(t: ir.Type) -> bool:
    if isinstance(t, ir.SetT):
        return True
    if isinstance(t, ir.StructT):
        return any(_names_elements(ft) for _, ft in t.fields)
    if isinstance(t, (ir.OptionT, ir.SetOfT)):
        return _names_elements(t.value if isinstance(t, ir.OptionT) else t.element)
    return False


def _met_anywhere(enc: Encoder, a: ir.Action) -> bool:
    """Whether a contract that reads only its result (and constants) has an answer: then it has one from
    every state and for every call. Decided once, with the result a free constant rather than under a
    quantifier: z3 finds a witness for `words(result.summary) <= 60` at once, and not inside `exists`."""
    if _names_elements(a.result.resolved):
        return False  # a set may be empty in some world: then no element answers
    reads = (n for e in a.ensures for n in ir.walk(e.cond) if isinstance(n, ir.Name))
    if any(n.ref is ir.RefKind.VAR or (n.ref is ir.RefKind.PARAM and n.name != ir.RESULT) for n in reads):
        return False
    r, bounds = _result_var(enc, a)
    s = z3.Solver()
    s.set("timeout", 10_000)
    s.add(*bounds, _all_ensures(enc, a, {}, {}, r))
    return s.check() == z3.sat


def _call(enc: Encoder, a: ir.Action, state: dict, tag: str):
    """Fresh arguments of a call from `state` that the guards let through and that has a meaning: the
    arguments, the conditions on them, and the state after the call.

    When the effect reads the answer (`ir.Action.answer`), the state after the call depends on it: the
    answer is then `params[result]`, left out of the conditions, and its own conditions (its type, the
    `ensures`, a meaning of the effect) are `answering(params)`, which `_some_result` and `_unmeetable`
    quantify over it."""
    params, bounds = enc.params(a, f"{tag}{next(_FRESH)}")
    guards, post = enc.transition(a, state, params)
    meaning = defined.action(enc, a, state, params).formula()
    if a.answer is None:
        return params, [*bounds, *guards, meaning], post
    # enc.params bounds the answer last, and transition_states adds its `ensures` after the guards
    answer_bounds = enc.bounds(a.result.resolved, params[ir.RESULT])
    outer = bounds[:-1] if answer_bounds is not None else bounds
    return params, [*outer, *guards[:-1]], post


def _quantified(a: ir.Action, params: dict) -> list[z3.ExprRef]:
    """The arguments a promise is for all of: every parameter, and not the answer (a contract is met when
    some answer meets it)."""
    return [v for k, v in params.items() if a.answer is None or k != ir.RESULT]


def _always(enc: Encoder, a: ir.Action, state: dict, promise: Callable[[dict, dict], z3.BoolRef]) -> z3.BoolRef:
    params, conditions, post = _call(enc, a, state, "post")
    body = z3.Implies(z3.And(*conditions), promise(post, params))
    quantified = _quantified(a, params)
    return z3.ForAll(quantified, body) if quantified else body


def _answering(enc: Encoder, a: ir.Action, state: dict, post: dict, params: dict) -> z3.BoolRef:
    """What an answer the effect reads must be: of its type, meeting every `ensures` in the state it makes,
    with an effect that has a meaning."""
    r = params[ir.RESULT]
    bounds = enc.bounds(a.result.resolved, r)
    return z3.And(*([] if bounds is None else [bounds]), _all_ensures(enc, a, post, params, r),
                  defined.action(enc, a, state, params).formula())


def _result_value(enc: Encoder, a: ir.Action, post: dict, params: dict) -> z3.ExprRef:
    return enc.expr(a.returns.value, Env(post, params))


def _agrees(enc: Encoder, a: ir.Action, e: ir.Ensures, post: dict, params: dict) -> z3.BoolRef:
    return enc.expr(e.cond, Env(post, {**params, ir.RESULT: _result_value(enc, a, post, params)}))


def _result_var(enc: Encoder, a: ir.Action) -> tuple[z3.ExprRef, list[z3.BoolRef]]:
    """A fresh value of the result's type, and its type bounds."""
    holder = ir.Action(span=a.span, name=f"{a.name}.result", body=[],
                       params=[ir.Param(span=a.result.span, name=ir.RESULT, type=a.result)])
    values, bounds = enc.params(holder, f"r{next(_FRESH)}")
    return values[ir.RESULT], bounds


def _all_ensures(enc: Encoder, a: ir.Action, post: dict, params: dict, result: z3.ExprRef) -> z3.BoolRef:
    env = Env(post, {**params, ir.RESULT: result})
    return z3.And(*(enc.expr(e.cond, env) for e in a.ensures))


def _some_result(enc: Encoder, a: ir.Action, state: dict, post: dict, params: dict) -> z3.BoolRef:
    if a.answer is not None:
        return z3.Exists([params[ir.RESULT]], _answering(enc, a, state, post, params))
    r, bounds = _result_var(enc, a)
    return z3.Exists([r], z3.And(*bounds, _all_ensures(enc, a, post, params, r)))


def _arguments(render: Renderer, m: z3.ModelRef, a: ir.Action, params: dict) -> str:
    names = render._names(m)
    return ", ".join(f"{p.name}={show(render.value(m, params[p.name], p.type.resolved, names), p.type.resolved)}"
                     for p in a.params)


def _breaking(enc: Encoder, render: Renderer, a: ir.Action, e: ir.Ensures, state: dict):
    params, conditions, post = _call(enc, a, state, "bad")
    value = _result_value(enc, a, post, params)
    broken = z3.Not(enc.expr(e.cond, Env(post, {**params, ir.RESULT: value})))

    def explain(m: z3.ModelRef) -> str:
        t = a.result.resolved
        answer = show(render.value(m, value, t, render._names(m)), t)
        return f"`{a.name}({_arguments(render, m, a, params)})` answers {answer}, which breaks {e.id}"
    # the breaking call itself, which the run takes as its last step (`Renderer.extend`): its answer is
    # determined, so the state it leaves, where the TLA+ module's `Ens_` invariant fails, is one too
    explain.step = (a, params, post)
    return z3.And(*conditions, broken), explain


def _unmeetable(enc: Encoder, render: Renderer, a: ir.Action, state: dict):
    params, conditions, post = _call(enc, a, state, "none")
    if a.answer is not None:
        nothing = z3.ForAll([params[ir.RESULT]], z3.Not(_answering(enc, a, state, post, params)))
    else:
        r, bounds = _result_var(enc, a)
        nothing = z3.ForAll([r], z3.Implies(z3.And(*bounds), z3.Not(_all_ensures(enc, a, post, params, r))))

    def explain(m: z3.ModelRef) -> str:
        ids = ", ".join(e.id for e in a.ensures)
        return (f"no answer of `{a.name}({_arguments(render, m, a, params)})` meets its postconditions there "
                f"({ids}): no implementation can keep this contract")
    return z3.And(*conditions, nothing), explain
