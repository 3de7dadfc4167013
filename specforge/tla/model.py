"""The finite model TLC checks: how big each set is, which values each integer
parameter takes, how long a run may be, and how far integer state may stray.

TLC explores every reachable state, so everything unbounded in a spec gets a
bound here (the defaults come from `specforge.finite`, shared with the explicit-state engine). Each has a documented default (docs/tla.md) and can be overridden
with `--bound NAME=VALUES`:

| NAME | VALUES | default |
| --- | --- | --- |
| a set (`Account`) | `3` (elements `Account1..Account3`), `0` (empty) or `{a, b}` | `DEFAULT_SET_SIZE` elements |
| a parameter (`amount`, or `deposit.amount` for one action) | `0..5`, `{1, 5, 9}` or `7` | the spec's values (below) |
| `MaxSteps` | `N`: runs of at most N actions | `DEFAULT_MAX_STEPS` |
| `StateRange` | `LO..HI`: integer state outside it is not explored further | `-M..M` (below) |

The default values of an integer parameter are the boundary values of the
spec's own numbers: for every constant and literal c of the parameter's kind
(plain ints, or durations in milliseconds), c - 1, c and c + 1, plus the small
range -2..3, kept to what the parameter's declared type allows. A parameter
whose declared range has at most `FULL_RANGE_LIMIT` values takes all of them.
M is twice the largest magnitude among those values (at least 10), capped at
TLC's largest integer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import ir
from ..finite import default_domain, int_like, spec_numbers, state_bound
from .expr import TLC_MAX_INT

DEFAULT_SET_SIZE = 2
DEFAULT_MAX_STEPS = 5

MODEL_CONSTANTS = ("MaxSteps", "StateRange")


class BoundError(ValueError):
    """A `--bound` that names nothing, or whose values do not fit what it names."""


@dataclass(frozen=True)
class Bound:
    """One parsed `--bound NAME=VALUES`."""

    name: str
    count: int | None = None  # `3`
    ints: tuple[int, ...] | None = None  # `{1, 5, 9}`, `0..5` or `7`
    low_high: tuple[int, int] | None = None  # `0..5`, kept as a range
    elements: tuple[str, ...] | None = None  # `{a, b}` for a set


_INT = r"-?\d+"
_RANGE = re.compile(rf"^\s*({_INT})\s*\.\.\s*({_INT})\s*$")
_SINGLE = re.compile(rf"^\s*({_INT})\s*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
MAX_RANGE_VALUES = 100_000


def parse_bound(text: str) -> Bound:
    """`amount=0..5`, `amount={1, 5, 9}`, `Account=3`, `Account={a, b}`, `MaxSteps=6`."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not _NAME.match(name):
        raise BoundError(f"`{text}` is not NAME=VALUES (e.g. `amount=0..5`, `Account=3`)")
    values = values.strip()
    if m := _RANGE.match(values):
        low, high = int(m.group(1)), int(m.group(2))
        if low > high:
            raise BoundError(f"`{name}={values}`: the range is empty; write the smaller bound first")
        if high - low >= MAX_RANGE_VALUES:
            raise BoundError(f"`{name}={values}`: a range of more than {MAX_RANGE_VALUES:,} values")
        return Bound(name, ints=tuple(range(low, high + 1)), low_high=(low, high))
    if m := _SINGLE.match(values):
        n = int(m.group(1))
        return Bound(name, count=n if n >= 0 else None, ints=(n,))
    if values.startswith("{") and values.endswith("}"):
        items = [v.strip() for v in values[1:-1].split(",") if v.strip()]
        if all(_SINGLE.match(v) for v in items):
            return Bound(name, ints=tuple(dict.fromkeys(int(v) for v in items)))
        if all(_IDENT.match(v) for v in items):
            if len(set(items)) != len(items):
                raise BoundError(f"`{name}={values}`: the elements are not distinct")
            return Bound(name, elements=tuple(items))
        raise BoundError(f"`{name}={values}`: list either integers or element names, comma-separated")
    raise BoundError(f"`{name}={values}`: VALUES is `N`, `LO..HI` or `{{v1, v2, ...}}`")


# ---- the model ---------------------------------------------------------------------------------------


@dataclass
class Model:
    """The bounds of one export: set elements, parameter domains, run length, state range."""

    sets: dict[str, list[str] | int]  # set -> explicit element names, or a number of elements
    domains: dict[tuple[str, str], list[int]]  # (action, param) -> values
    max_steps: int
    state_range: tuple[int, int]
    # element names that clash with a name of the module: an error for names a user chose with
    # --bound, a rename for the names of a prover's trace
    rename_elements: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # bound -> where its values come from, when not a default


def build_model(spec: ir.Spec, bounds: list[Bound] | tuple[Bound, ...] = ()) -> Model:
    numbers = spec_numbers(spec)
    params = {(a.name, p.name): p.type.resolved for a in spec.actions for p in chosen(a) if int_like(p.type.resolved)}
    domains = {key: default_domain(t, numbers, TLC_MAX_INT) for key, t in params.items()}
    m = state_bound(spec, domains.values(), TLC_MAX_INT)
    model = Model({s.name: DEFAULT_SET_SIZE for s in spec.sets}, domains, DEFAULT_MAX_STEPS, (-m, m))
    for b in bounds:
        _apply(spec, model, params, b)
    return model


def chosen(a: ir.Action) -> list[ir.Param]:
    """The values the model ranges over for one firing of `a`: its choices (`ir.Action.choices`), and
    an answer its `ensures` constrain but its effect does not read (the module records one)."""
    if a.result is not None and a.returns is None and a.answer is None and a.ensures:
        return [*a.choices, ir.Param(span=a.result.span, name=ir.RESULT, type=a.result)]
    return a.choices


def _apply(spec: ir.Spec, model: Model, params: dict, b: Bound) -> None:
    set_names = {s.name for s in spec.sets}
    matches = _targets(spec, params, b.name)
    if b.name in set_names:
        matches.append(("set", b.name))
    if b.name in MODEL_CONSTANTS:
        matches.append(("model", b.name))
    if not matches:
        raise BoundError(_unknown(spec, params, b.name))
    kinds = {kind for kind, _ in matches}
    if len(kinds) > 1:
        raise BoundError(f"`{b.name}` names both a {' and a '.join(sorted(kinds))}; "
                         "qualify a parameter as ACTION.PARAM")
    kind = kinds.pop()
    model.notes[b.name] = "--bound"
    if kind == "set":
        if b.elements is not None:
            model.sets[b.name] = list(b.elements)
        elif b.count is not None and b.ints is not None and b.low_high is None:
            model.sets[b.name] = b.count
        else:
            raise BoundError(f"set `{b.name}` takes a number of elements (`{b.name}=3`) or their names "
                             f"(`{b.name}={{a, b}}`)")
    elif kind == "model":
        _apply_model(model, b)
    else:
        if b.ints is None:
            raise BoundError(f"parameter `{b.name}` takes integers: `{b.name}=0..5` or `{b.name}={{1, 5, 9}}`")
        too_big = [v for v in b.ints if abs(v) > TLC_MAX_INT]
        if too_big:
            raise BoundError(f"`{b.name}`: {too_big[0]} is outside TLC's integers (±{TLC_MAX_INT})")
        for _, key in matches:
            model.domains[key] = sorted(set(b.ints))


def _apply_model(model: Model, b: Bound) -> None:
    if b.name == "MaxSteps":
        if b.count is None or b.low_high is not None:
            raise BoundError("`MaxSteps` takes a number of steps, e.g. `MaxSteps=6`")
        model.max_steps = b.count
    else:
        if b.low_high is None:
            raise BoundError("`StateRange` takes a range, e.g. `StateRange=-100..100`")
        low, high = b.low_high
        if max(abs(low), abs(high)) > TLC_MAX_INT:
            raise BoundError(f"`StateRange` must stay within TLC's integers (±{TLC_MAX_INT})")
        model.state_range = (low, high)


def _targets(spec: ir.Spec, params: dict, name: str) -> list[tuple[str, tuple[str, str]]]:
    if "." in name:
        action, param = name.split(".", 1)
        return [("parameter", (action, param))] if (action, param) in params else []
    return [("parameter", key) for key in params if key[1] == name]


def _unknown(spec: ir.Spec, params: dict, name: str) -> str:
    if "." in name:
        action, param = name.split(".", 1)
        act = next((a for a in spec.actions if a.name == action), None)
        if act is None:
            return f"`{name}`: the spec has no action `{action}`"
        if any(p.name == param for p in chosen(act)):
            return f"`{name}`: only integer and duration parameters take a domain"
        return f"`{name}`: `{action}` has no parameter `{param}`"
    known = sorted({s.name for s in spec.sets} | {p for _, p in params} | set(MODEL_CONSTANTS))
    return f"`{name}` is not a set, an integer parameter or a model bound; the names are {', '.join(known)}"
