"""A violating run found by `specforge prove`, as a TLA+ behaviour TLC replays.

The trace module extends the spec's module with a step counter. Its initial
predicate is the spec's `Init` together with the recorded initial state; its
next-state relation is the spec's `Next` together with the recorded action
(with its arguments) and the recorded next state. Its one invariant,
`TraceNotConfirmed`, is false exactly in the last recorded state when that
state breaks the invariant the run is about. So TLC confirms the trace by
reporting `Invariant TraceNotConfirmed is violated`, with the whole run as
its error trace; a run that is not a behaviour of the spec stops early
(TLC reports a deadlock at the last state it could match), and a run that
does not end in a violation deadlocks at its end. See docs/tla.md.

Values are read back from the report's spec notation: `101`, `false`,
`15 min`, `paid`, `Account1`, `{Account1: 0, Account2: 5}`. The prover shows
at most 20 entries of a map; for a map shown in part, TLC checks only the
entries shown (and a warning says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Severity
from ..interpret import split_entries
from ..ir import BoolT, EnumT, IntT, MapT, QuantityT, SetT
from ..structure import leaves as state_leaves
from ..units import UNITS
from . import diag
from .model import Bound, build_model, int_like
from .module import INDENT, Exporter, TlaExport, comment, comment_lines, int_set


class TraceError(ValueError):
    """The report's trace cannot be exported for this spec (wrong spec, not violated, unreadable)."""


@dataclass
class MapValue:
    entries: list[tuple[object, object]]
    partial: bool = False  # the report showed only some entries (or none: `{…}`)


@dataclass
class Element:
    set: str
    name: str


@dataclass
class Reader:
    """Reads printed values by their spec type."""

    spec: ir.Spec
    sets: dict[str, list[str]]
    partial: list[str] = field(default_factory=list)  # what was shown only in part

    def read(self, text: str, t, what: str):
        text = text.strip()
        if isinstance(t, BoolT):
            if text not in ("true", "false"):
                raise TraceError(f"{what}: `{text}` is not true or false")
            return text == "true"
        if isinstance(t, IntT):
            if not re.fullmatch(r"-?\d+", text):
                raise TraceError(f"{what}: `{text}` is not an integer")
            return int(text)
        if isinstance(t, QuantityT):
            m = re.fullmatch(r"(-?\d+)\s*([A-Za-z]*)", text)
            if not m or (m.group(2) and m.group(2) not in UNITS):
                raise TraceError(f"{what}: `{text}` is not a duration")
            return int(m.group(1)) * (UNITS[m.group(2)][1] if m.group(2) else 1)
        if isinstance(t, EnumT):
            members = next(e for e in self.spec.enums if e.name == t.name).members
            if text not in {m.name for m in members}:
                raise TraceError(f"{what}: `{text}` is not a value of enum {t.name}")
            return text
        if isinstance(t, SetT):
            if text not in self.sets.get(t.name, []):
                raise TraceError(f"{what}: `{text}` is not an element of {t.name} in this run "
                                 f"({', '.join(self.sets.get(t.name, [])) or 'empty'})")
            return Element(t.name, text)
        if isinstance(t, MapT):
            if not (text.startswith("{") and text.endswith("}")):
                raise TraceError(f"{what}: `{text}` is not a map")
            body = text[1:-1].strip()
            partial = body == "…" or body.endswith(", …")
            body = "" if body == "…" else body.removesuffix(", …")
            entries = []
            for part in split_entries(body):
                k, sep, v = part.partition(": ")
                if not sep:
                    raise TraceError(f"{what}: `{part}` is not a map entry `key: value`")
                entries.append((self.read(k, t.key, what), self.read(v, t.value, what)))
            if partial:
                self.partial.append(what)
            return MapValue(entries, partial)
        raise TraceError(f"{what}: cannot read a value of this type")



def _result_dict(result) -> dict:
    return result.to_json() if hasattr(result, "to_json") else dict(result)


def find_result(report: dict, spec: ir.Spec, invariant: str) -> dict:
    """The result for `invariant` in a `prove --format json` document (one report or several)."""
    reports = report.get("specs", [report]) if isinstance(report, dict) else []
    mine = [r for r in reports if isinstance(r, dict) and r.get("spec") == spec.name]
    if not mine:
        names = ", ".join(str(r.get("spec")) for r in reports if isinstance(r, dict)) or "none"
        raise TraceError(f"the report has no spec {spec.name} (it has: {names})")
    for r in mine:
        for inv in r.get("invariants", []):
            if inv.get("id") == invariant:
                return inv
    ids = ", ".join(inv.get("id", "?") for r in mine for inv in r.get("invariants", []))
    raise TraceError(f"the report has no invariant `{invariant}` for spec {spec.name} (it has: {ids})")


@dataclass
class Run:
    """A violated result's run, read by the spec's types and checked against the spec: its invariant id, each
    set's elements, each state (leaf path -> value) and each step after the first (action, arguments)."""

    id: str
    sets: dict[str, list[str]]
    states: list[dict]
    steps: list[tuple[ir.Action, dict]]
    partial: list[str]  # the values the report showed only in part (maps cut short)


def read_run(spec: ir.Spec, result) -> Run:
    """The run of a violated result (`prove`'s `InvariantResult`, or its entry in `--format json`), read and
    checked against `spec`; `TraceError` says what does not fit."""
    r = _result_dict(result)
    if r.get("verdict") != "violated" or not r.get("trace"):
        raise TraceError(f"`{r.get('id')}` is {r.get('verdict')}, not violated: there is no run to replay")
    trace = r["trace"]
    sets = r.get("sets")
    if sets is None:
        sets = _elements_shown(spec, trace)
    sets = {s.name: list(sets.get(s.name, [])) for s in spec.sets}
    reader = Reader(spec, sets)
    leaf_types = dict(state_leaves(spec))
    actions = {a.name: a for a in spec.actions}
    states, steps = [], []
    for i, step in enumerate(trace):
        if step.get("index", i) != i:
            raise TraceError(f"step {i} of the trace is numbered {step.get('index')}")
        shown = step.get("state", {})
        if set(shown) != set(leaf_types):
            raise TraceError(f"step {i} shows the variables {', '.join(sorted(shown)) or 'none'}; the spec's are "
                             f"{', '.join(leaf_types)}")
        states.append({p: reader.read(shown[p], t, f"step {i}, `{p}`") for p, t in leaf_types.items()})
        action = step.get("action")
        if i == 0:
            if action is not None:
                raise TraceError("the trace's first step is not the initial state")
            continue
        if action not in actions:
            raise TraceError(f"step {i}: the spec has no action `{action}`")
        act = actions[action]
        args = step.get("args", {})
        if set(args) != {p.name for p in act.params}:
            raise TraceError(f"step {i}: `{action}` takes ({', '.join(p.name for p in act.params)}), "
                             f"the trace gives ({', '.join(args)})")
        steps.append((act, {p.name: reader.read(args[p.name], p.type.resolved, f"step {i}, `{p.name}`")
                            for p in act.params}))
    return Run(r.get("id"), sets, states, steps, reader.partial)


def _elements_shown(spec: ir.Spec, trace: list[dict]) -> dict[str, list[str]]:
    """Without the report's `sets`: each set's elements as the trace shows them."""
    found: dict[str, set[str]] = {s.name: set() for s in spec.sets}
    pattern = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    texts = [v for step in trace for v in [*step.get("state", {}).values(), *step.get("args", {}).values()]]
    for s in spec.sets:
        for text in texts:
            found[s.name].update(w for w in pattern.findall(text) if re.fullmatch(rf"{s.name}\d+", w))
    return {k: sorted(v, key=lambda w: (len(w), w)) for k, v in found.items()}


class TraceExporter:
    def __init__(self, spec: ir.Spec, result, bounds: list[Bound] | tuple[Bound, ...] = ()):
        self.spec = spec
        run = read_run(spec, result)
        self.id, self.sets, self.states, self.steps = run.id, run.sets, run.states, run.steps
        self.partial = run.partial
        self.trace = _result_dict(result)["trace"]  # the values as the report printed them, for comments
        self.leaf_types = dict(state_leaves(spec))
        model = build_model(spec, bounds)
        model.sets = {name: list(elements) for name, elements in self.sets.items()}
        model.rename_elements = True
        model.notes.update({name: "the run's elements" for name in self.sets})
        for (action, param), values in self._arguments().items():
            model.domains[(action, param)] = sorted(set(model.domains[(action, param)]) | values)
            model.notes[f"{action}.{param}"] = "the model's values and the run's arguments"
        self.base = Exporter(spec, model)
        target_invariants = {inv.id: inv for inv in spec.invariants}
        if self.id in target_invariants:
            self.target = self.base.invariants[self.id]
        elif self.id.startswith("type:") and self.id[5:] in self.base.type_invariants:
            self.target = self.base.type_invariants[self.id[5:]]
        else:
            raise TraceError(f"the spec has no invariant `{self.id}`")

    def _arguments(self) -> dict[tuple[str, str], set[int]]:
        out: dict[tuple[str, str], set[int]] = {}
        for act, args in self.steps:
            for p in act.params:
                if int_like(p.type.resolved):
                    out.setdefault((act.name, p.name), set()).add(args[p.name])
        return out

    # ---- rendering values ---------------------------------------------------------------------------

    def value(self, v) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return f'"{v}"'
        if isinstance(v, Element):
            return self.element_names[v.set][v.name]
        if isinstance(v, MapValue):
            if not v.entries:
                return "<<>>"
            return "(" + " @@ ".join(f"{self.value(k)} :> {self._paren(self.value(x))}" for k, x in v.entries) + ")"
        raise AssertionError(v)

    @staticmethod
    def _paren(text: str) -> str:
        return f"({text})" if text.startswith("-") else text

    def state_conjuncts(self, state: dict, primed: bool) -> list[str]:
        out = []
        prime = "'" if primed else ""
        for path in self.leaf_types:
            parts = path.split(".")
            access = self.base.vars[parts[0]] + prime + self.base.leaf_text(path)[len(self.base.vars[parts[0]]):]
            v = state[path]
            if isinstance(v, MapValue) and v.partial:
                out += [f"{access}[{self.value(k)}] = {self.value(x)}" for k, x in v.entries]
            else:
                out.append(f"{access} = {self.value(v)}")
        return out

    # ---- the module ---------------------------------------------------------------------------------

    def build(self) -> tuple[TlaExport, TlaExport]:
        base = self.base.build()
        names = self.base.names
        self.element_names = {s: dict(zip(self.sets[s], self.base.elements[s], strict=True)) for s in self.sets}
        module = names.claim(f"{base.module}_Trace")
        step = names.claim("step")
        n = {k: names.claim(k) for k in ("TraceLength", "TraceInit", "TraceNext", "TraceNotConfirmed")}
        step_ops = [names.claim(f"TraceStep{i}") for i in range(len(self.states))]
        m = base.module
        title = f" MODULE {module} "
        left = max(4, (77 - len(title)) // 2)
        lines = ["-" * left + title + "-" * max(4, 77 - left - len(title))]
        lines += comment_lines(f"A run of spec {self.spec.name} that `specforge prove` found to break {self.id}, "
                               f"as a behaviour for TLC to replay. Generated by `specforge export-tla --trace`.")
        lines += [
            "\\* TLC confirms the run when it reports `Invariant "
            f"{n['TraceNotConfirmed']} is violated` after {len(self.steps)} steps:",
            f"\\*   java -cp tla2tools.jar tlc2.TLC -config {module}.cfg {module}.tla",
            "\\* A deadlock instead means the run is not a behaviour of the spec from that state on (or",
            "\\* does not end in the violation); see docs/tla.md.",
            "",
            f"EXTENDS {m}",
            "",
        ]
        elements = [name for s in self.spec.sets for name in self.base.elements[s.name]]
        if elements:
            lines += ["\\* The elements of the sets in this run (model values).", f"CONSTANTS {', '.join(elements)}", ""]
        lines += ["\\* @type: Int;", f"VARIABLE {step}", "", f"{n['TraceLength']} == {len(self.steps)}", ""]
        lines += ["\\* step 0: the initial state", f"{step_ops[0]} ==",
                  *([f"{INDENT}/\\ {c}" for c in self.state_conjuncts(self.states[0], False)] or [f"{INDENT}TRUE"]), ""]
        for i, (act, args) in enumerate(self.steps, start=1):
            shown = ", ".join(f"{k}={self.trace[i]['args'][k]}" for k in args)
            call = self.base.actions[act.name]
            if act.params:
                call += "(" + ", ".join(self.value(args[p.name]) for p in act.params) + ")"
            lines += comment_lines(f"step {i}: {act.name}({shown})")
            lines += [f"{step_ops[i]} ==", f"{INDENT}/\\ {call}",
                      *[f"{INDENT}/\\ {c}" for c in self.state_conjuncts(self.states[i], True)], ""]
        f = self.base.fixed
        lines += [f"{n['TraceInit']} ==", f"{INDENT}/\\ {f['Init']}", f"{INDENT}/\\ {step} = 0",
                  f"{INDENT}/\\ {step_ops[0]}", ""]
        lines += ["\\* Each step is a step of the spec (Next), the recorded action, and the recorded state.",
                  f"{n['TraceNext']} ==", f"{INDENT}/\\ {f['Next']}", f"{INDENT}/\\ {step}' = {step} + 1"]
        if self.steps:
            lines.append(f"{INDENT}/\\ \\/ {step} = 0 /\\ {step_ops[1]}")
            lines += [f"{INDENT}   \\/ {step} = {i - 1} /\\ {step_ops[i]}" for i in range(2, len(self.steps) + 1)]
        else:
            lines.append(f"{INDENT}/\\ FALSE")
        lines += ["",
                  *comment_lines(f"False exactly at the end of the run when {self.id} is broken there: TLC "
                                 "reporting this invariant violated confirms the trace."),
                  f"{n['TraceNotConfirmed']} == ~({step} = {n['TraceLength']} /\\ ~{self.target})", "",
                  "=" * 77]
        tla = "\n".join(lines) + "\n"
        cfg = self.cfg(module, elements, n)
        diagnostics = list(base.diagnostics)
        for what in self.partial:
            diagnostics.append(diag.diagnostic(Severity.WARNING, diag.TRACE_PARTIAL,
                                               f"{what} is shown only in part in the report; TLC checks the "
                                               "entries shown", self.spec.file))
        return base, TlaExport(module, tla, cfg, diagnostics)

    def cfg(self, module: str, elements: list[str], n: dict[str, str]) -> str:
        base_cfg = self.base.cfg().splitlines()
        start = base_cfg.index("CONSTANTS") + 1
        end = next(i for i, line in enumerate(base_cfg) if line.startswith("INIT "))
        lines = [
            f"\\* Replays the run of {comment(self.spec.name)} that breaks {comment(self.id)}; generated by "
            "`specforge export-tla --trace`.",
            f"\\*   java -cp tla2tools.jar tlc2.TLC -config {module}.cfg {module}.tla",
            "CONSTANTS",
            *[f"{INDENT}{e} = {e}" for e in elements],
            *base_cfg[start:end],
            f"INIT {n['TraceInit']}",
            f"NEXT {n['TraceNext']}",
            f"INVARIANT {n['TraceNotConfirmed']}",
        ]
        return "\n".join(lines) + "\n"


def export_trace(spec: ir.Spec, result, bounds: list[Bound] | tuple[Bound, ...] = ()) -> tuple[TlaExport, TlaExport]:
    """The spec's module (its model widened to the run's sets and arguments) and the trace module.

    `result` is an `InvariantResult` or its JSON form (an entry of `invariants` in
    `specforge prove --format json`). Raises `TraceError` when it cannot be replayed."""
    return TraceExporter(spec, result, bounds).build()


__all__ = ["TraceError", "export_trace", "find_result", "int_set"]
