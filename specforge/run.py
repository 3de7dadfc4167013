"""A run of a spec as a value: the elements of its sets, its states, and the calls between them.

A value travels one way: a z3 model (or an explored state) becomes typed values
(`specforge.values`), they make a `Run`, and every consumer reads the `Run`:
the text/SARIF/JUnit reports print it through `values.show`, the JSON report
carries it whole (`Run.to_json`), and `gen-tests --replay` and
`export-tla --trace` read it back (`Run.from_json`, checked against the spec).
Nothing parses a printed value.

The values are the interpreter's (see `specforge.values`): ints (durations in
milliseconds), bools, enum members and set elements by name, `FrozenMap`s
holding every key of their domain, and a `State` (leaf path -> value) per
state. `states[i + 1]` is the state after `calls[i]` from `states[i]`.

Producing a run (the prover does this in prove/model.py; an explicit-state
engine does the same with the interpreter's states):

    run = Run.of(spec, sets={"Account": ("Account1", "Account2")},
                 states=[state0, state1],                 # Mappings: leaf path -> value
                 calls=[("deposit", {"a": "Account1", "amount": 5})],
                 breaks="BAL-1")                          # the invariant the last state breaks

`Run.of` freezes the values and checks the shape (one call between each two
states, every leaf, every parameter); `InvariantResult(run=run, ...)` carries
it. The element names are the run's own: a replay and a TLA+ trace use
exactly these sets, at exactly these sizes (an empty set included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import ir
from .structure import leaves
from .values import Decoder, FrozenMap, State, Universe, Value, ValueFormatError, freeze, show, to_json

REPORT_VERSION = 2
"""The format version of `specforge prove --format json` (2: runs as typed values; 1 printed them as text)."""

REGENERATE = "specforge prove SPEC --format json > REPORT.json"


class RunError(ValueError):
    """A run (or a report holding runs) that does not fit the spec; the message says what does not."""


@dataclass(frozen=True)
class Types:
    """The types of a run's values, from its spec: each state leaf, each action's parameters, each enum."""

    leaves: tuple[tuple[str, ir.Type], ...]
    params: Mapping[str, tuple[tuple[str, ir.Type], ...]]
    enums: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, spec: ir.Spec) -> Types:
        return cls(tuple(leaves(spec)),
                   {a.name: tuple((p.name, p.type.resolved) for p in a.choices) for a in spec.actions},
                   {e.name: tuple(m.name for m in e.members) for e in spec.enums})

    @property
    def leaf_types(self) -> dict[str, ir.Type]:
        return dict(self.leaves)


@dataclass(frozen=True)
class Call:
    """One call of an action, with its arguments (parameter -> value, in the action's order)."""

    action: str
    args: FrozenMap


@dataclass(frozen=True)
class Run:
    """A run of a spec. `breaks` names the invariant (or `type:<path>` bound) its last state breaks, if any.

    Two runs are equal when their sets, states, calls and `breaks` are; `types` only describes them."""

    sets: Universe
    states: tuple[State, ...]
    calls: tuple[Call, ...]
    breaks: str | None = None
    types: Types = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    # ---- producing ---------------------------------------------------------------------------------------

    @classmethod
    def of(cls, spec: ir.Spec, sets: Mapping[str, Iterable], states: Iterable[Mapping[str, Value]],
           calls: Iterable[tuple[str, Mapping[str, Value]]], breaks: str | None = None,
           types: Types | None = None) -> Run:
        """A run from plain values (see the module's docstring); `RunError` when its shape does not fit."""
        types = types or Types.of(spec)
        states, calls = list(states), list(calls)
        _check_shape(types, states, calls)
        try:
            universe = Universe({s.name: tuple(sets.get(s.name, ())) for s in spec.sets})
        except ValueError as e:
            raise RunError(str(e)) from None
        frozen = tuple(State((p, freeze(state[p])) for p, _ in types.leaves) for state in states)
        made = tuple(Call(a, FrozenMap((p, freeze(args[p])) for p, _ in types.params[a] if p in args))
                     for a, args in calls)
        run = cls(universe, frozen, made, breaks, types)
        _check_values(run)
        return run

    # ---- reading -----------------------------------------------------------------------------------------

    @property
    def steps(self) -> int:
        return len(self.calls)

    def show_call(self, i: int, limit: int | None = None) -> str:
        """Call `i` as the spec would write it: `deposit(a=Account1, amount=5)`; with the answer after an
        arrow when the action's effect reads it (`triage(e=Email1) -> Triage {...}`)."""
        call = self.calls[i]
        types = dict(self.types.params[call.action])
        args = ", ".join(f"{p}={show(v, types[p], limit)}" for p, v in call.args.items() if p != ir.RESULT)
        answer = f" -> {show(call.args[ir.RESULT], types[ir.RESULT], limit)}" if ir.RESULT in call.args else ""
        return f"{call.action}({args}){answer}"

    def show_value(self, i: int, path: str, limit: int | None = None) -> str:
        """The value of `path` in state `i`, as the spec would write it."""
        return show(self.states[i][path], self.types.leaf_types[path], limit)

    def show_sets(self) -> str:
        """`Account = {Account1, Account2}; Item = {}`: the run's world."""
        return "; ".join(f"{name} = {{{', '.join(map(str, elements))}}}" for name, elements in self.sets.items())

    # ---- typed JSON -----------------------------------------------------------------------------------------

    def to_json(self) -> dict:
        """The run in typed JSON: `{"breaks", "sets", "vars", "states", "calls"}`; `vars` and `states` form an
        ITF trace (each state an object of leaf path -> value, with `#meta.index`)."""
        types = self.types.leaf_types
        return {
            "breaks": self.breaks,
            "sets": {name: {"#set": list(elements)} for name, elements in self.sets.items()},
            "vars": list(types),
            "states": [{"#meta": {"index": i}, **{p: to_json(v, types[p]) for p, v in state.items()}}
                       for i, state in enumerate(self.states)],
            "calls": [{"action": c.action,
                       "args": {p: to_json(v, dict(self.types.params[c.action])[p]) for p, v in c.args.items()}}
                      for c in self.calls],
        }

    @classmethod
    def from_json(cls, doc, spec: ir.Spec) -> Run:
        """A run read from `to_json`'s form and checked against `spec`; `RunError` says what does not fit."""
        return _Reader(spec).run(doc)


class _Reader:
    def __init__(self, spec: ir.Spec):
        self.spec = spec
        self.types = Types.of(spec)

    def run(self, doc) -> Run:
        if not isinstance(doc, dict):
            raise RunError("the run is not a JSON object")
        sets = self.sets(doc.get("sets"))
        decoder = Decoder(self.types.enums, sets)
        try:
            states = [self.state(decoder, s, i) for i, s in enumerate(_list(doc, "states"))]
            calls = [self.call(decoder, c, i) for i, c in enumerate(_list(doc, "calls"), start=1)]
        except ValueFormatError as e:
            raise RunError(str(e)) from None
        breaks = doc.get("breaks")
        if breaks is not None and not isinstance(breaks, str):
            raise RunError(f"`breaks` is {breaks!r}, not an invariant ID")
        return Run.of(self.spec, sets, states, calls, breaks, self.types)

    def sets(self, doc) -> Universe:
        if not isinstance(doc, dict):
            raise RunError("the run has no `sets` (each set's elements in that run)")
        out = {}
        for s in self.spec.sets:
            entry = doc.get(s.name)
            elements = entry.get("#set") if isinstance(entry, dict) else None
            if not isinstance(elements, list) or not all(isinstance(e, str) for e in elements):
                raise RunError(f"the run gives no elements for set {s.name} ({{\"#set\": [names]}})")
            out[s.name] = tuple(elements)
        extra = sorted(set(doc) - set(out))
        if extra:
            raise RunError(f"the run has sets the spec does not declare: {', '.join(extra)}")
        try:
            return Universe(out)
        except ValueError as e:
            raise RunError(str(e)) from None

    def state(self, decoder: Decoder, doc, i: int) -> dict[str, Value]:
        if not isinstance(doc, dict):
            raise RunError(f"state {i} is not a JSON object")
        meta = doc.get("#meta", {})
        if isinstance(meta, dict) and meta.get("index", i) != i:
            raise RunError(f"state {i} is numbered {meta.get('index')}")
        shown = {k: v for k, v in doc.items() if k != "#meta"}
        types = self.types.leaf_types
        if set(shown) != set(types):
            raise RunError(f"state {i} has the variables {', '.join(sorted(shown)) or 'none'}; the spec's are "
                           f"{', '.join(types) or 'none'}")
        return {p: decoder.read(shown[p], t, f"state {i}, `{p}`") for p, t in types.items()}

    def call(self, decoder: Decoder, doc, i: int) -> tuple[str, dict[str, Value]]:
        action = doc.get("action") if isinstance(doc, dict) else None
        if action not in self.types.params:
            raise RunError(f"step {i}: the spec has no action `{action}`")
        params = dict(self.types.params[action])
        args = doc.get("args")
        if not isinstance(args, dict) or not _takes(args, params):
            given = ", ".join(args) if isinstance(args, dict) else "none"
            raise RunError(f"step {i}: `{action}` takes ({', '.join(params)}), the run gives ({given})")
        return action, {p: decoder.read(args[p], t, f"step {i}, `{p}`") for p, t in params.items() if p in args}


def _takes(args: Mapping, params: Iterable[str]) -> bool:
    """Whether a call's arguments are the action's: every parameter, and the answer (`ir.Action.answer`)
    or not (a refused call answers nothing)."""
    given, params = set(args), set(params)
    return given == params or given == params - {ir.RESULT}


def _check_shape(types: Types, states: list[Mapping], calls: list[tuple[str, Mapping]]) -> None:
    if len(states) != len(calls) + 1:
        raise RunError(f"a run of {len(states)} states has {len(states) - 1} calls, not {len(calls)}")
    names = [p for p, _ in types.leaves]
    for i, state in enumerate(states):
        if set(state) != set(names):
            raise RunError(f"state {i} has the variables {', '.join(sorted(state)) or 'none'}; the spec's "
                           f"are {', '.join(names) or 'none'}")
    for i, (action, args) in enumerate(calls, start=1):
        if action not in types.params:
            raise RunError(f"step {i}: the spec has no action `{action}`")
        params = [p for p, _ in types.params[action]]
        if not _takes(args, params):
            raise RunError(f"step {i}: `{action}` takes ({', '.join(params)}), the run gives ({', '.join(args)})")


def _check_values(run: Run) -> None:
    """Every value is one of its type (in this run's sets): a producer's slip is a `RunError` here, not a
    report that cannot be read back."""
    decoder = Decoder(run.types.enums, run.sets)
    for i, state in enumerate(run.states):
        for path, t in run.types.leaves:
            _fits(decoder, state[path], t, f"state {i}, `{path}`")
    for i, call in enumerate(run.calls, start=1):
        for name, t in run.types.params[call.action]:
            if name in call.args:
                _fits(decoder, call.args[name], t, f"step {i}, `{name}`")


def _fits(decoder: Decoder, value: Value, t: ir.Type, where: str) -> None:
    try:
        back = decoder.read(to_json(value, t), t, where)
    except (TypeError, ValueError, AttributeError):
        back = _NOTHING
    if not _same(back, value):
        raise RunError(f"{where}: {value!r} is not a value of type {show_type(t)} in this run")


_NOTHING = object()


def _same(a, b) -> bool:
    """Equal, and of the same Python types (`True` is not the int 1)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def show_type(t: ir.Type) -> str:
    """A type as the spec writes it (`map[Account, int]`), for messages."""
    if isinstance(t, ir.MapT):
        return f"map[{show_type(t.key)}, {show_type(t.value)}]"
    if isinstance(t, ir.SetOfT):
        return f"set[{show_type(t.element)}]"
    if isinstance(t, ir.OptionT) and t.value is not None:
        return f"{show_type(t.value)}?"
    if isinstance(t, ir.IntT):
        if t.low is not None and t.high is not None:
            return f"int[{t.low}..{t.high}]"
        return "nat" if t.low == 0 else "int"
    if isinstance(t, ir.QuantityT):
        from .units import dimension

        return dimension(t.dimension).type_name
    return getattr(t, "name", t.kind)


def _list(doc: dict, key: str) -> list:
    value = doc.get(key)
    if not isinstance(value, list):
        raise RunError(f"the run has no list `{key}`")
    return value


# ---- runs in a `specforge prove --format json` report ----------------------------------------------------------


def report_results(document, spec: ir.Spec) -> list[dict]:
    """The results (`invariants[]`) for `spec` in a prove report (one spec's, or `{"specs": [...]}`), after
    checking the report's format version."""
    if not isinstance(document, dict):
        raise RunError("the report is not a `specforge prove --format json` document")
    version = document.get("version")
    if version is None:
        raise RunError("the report has no format `version`: it is not `specforge prove --format json` output. "
                       f"Write one with `{REGENERATE}`")
    if version != REPORT_VERSION:
        raise RunError(f"the report is in format version {version}; this specforge reads version {REPORT_VERSION} "
                       "(runs as typed values, maps whole). Regenerate it with the current specforge: "
                       f"`{REGENERATE}`")
    reports = document.get("specs", [document])
    mine = [r for r in reports if isinstance(r, dict) and r.get("spec") == spec.name]
    if not mine:
        names = ", ".join(str(r.get("spec")) for r in reports if isinstance(r, dict)) or "none"
        raise RunError(f"the report has no spec {spec.name} (it has: {names})")
    return [inv for r in mine for inv in r.get("invariants", []) if isinstance(inv, dict)]


def report_run(document, spec: ir.Spec, invariant: str) -> Run:
    """The violating run of `invariant` in a prove report, read and checked against `spec`."""
    results = report_results(document, spec)
    result = next((r for r in results if r.get("id") == invariant), None)
    if result is None:
        ids = ", ".join(str(r.get("id")) for r in results) or "none"
        raise RunError(f"the report has no invariant `{invariant}` for spec {spec.name} (it has: {ids})")
    return result_run(result, spec)


def result_run(result: dict, spec: ir.Spec) -> Run:
    """The run of one result of a prove report (an entry of `invariants`), read and checked against `spec`."""
    if result.get("verdict") != "violated" or not result.get("run"):
        raise RunError(f"`{result.get('id')}` is {result.get('verdict')}, not violated: there is no run to replay")
    try:
        run = Run.from_json(result["run"], spec)
    except RunError as e:
        raise RunError(f"the run of {result.get('id')} does not fit spec {spec.name}: {e}") from None
    if run.breaks != result.get("id"):
        raise RunError(f"the run of {result.get('id')} says it breaks {run.breaks}")
    return run


def report_runs(document, spec: ir.Spec) -> list[Run]:
    """Every violating run for `spec` in a prove report, in the report's order."""
    return [result_run(r, spec) for r in report_results(document, spec)
            if r.get("verdict") == "violated" and r.get("run")]
