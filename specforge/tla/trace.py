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

The run is a `specforge.run.Run`: typed values, every map whole, and the
elements of each set exactly as the run has them (an empty set included),
so TLC checks every value of every recorded state.
"""

from __future__ import annotations

from .. import ir
from ..ir import BoolT, MapT, SetOfT, SetT
from ..run import Run, RunError, report_run, result_run
from ..values import Value, ordered
from . import records as tla_records
from .model import Bound, build_model, int_like
from .module import INDENT, Exporter, TlaExport, comment, comment_lines, int_set


class TraceError(ValueError):
    """The report's trace cannot be exported for this spec (wrong spec, not violated, unreadable)."""


def find_result(report: dict, spec: ir.Spec, invariant: str) -> Run:
    """The violating run of `invariant` in a `prove --format json` document (one report or several)."""
    try:
        return report_run(report, spec, invariant)
    except RunError as e:
        raise TraceError(str(e)) from None


def _run(spec: ir.Spec, result) -> Run:
    """The run of a violated result: a `Run`, an `InvariantResult`, or its entry in `--format json`."""
    if isinstance(result, Run):
        return result
    if isinstance(result, dict):
        try:
            return result_run(result, spec)
        except RunError as e:
            raise TraceError(str(e)) from None
    if getattr(result, "run", None) is None:
        raise TraceError(f"`{result.id}` is {result.verdict.value}, not violated: there is no run to replay")
    return result.run


class TraceExporter:
    def __init__(self, spec: ir.Spec, result, bounds: list[Bound] | tuple[Bound, ...] = ()):
        self.spec = spec
        run = self.run = _run(spec, result)
        if run.breaks is None:
            raise TraceError("the run does not say which invariant it breaks")
        self.id, self.states = run.breaks, run.states
        self.sets = {name: list(elements) for name, elements in run.sets.items()}
        actions = {a.name: a for a in spec.actions}
        self.steps = [(actions[c.action], c.args) for c in run.calls]
        self.leaf_types = run.types.leaf_types
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
        elif self.id in self.base.ensures:
            # the run's last step is the call whose answer breaks it: the module's Ens_ invariant, over
            # that answer, fails in the state the call leaves
            if not run.calls or not any(e.id == self.id for e in actions[run.calls[-1].action].ensures):
                raise TraceError(f"the run of `{self.id}` does not end with a call of its action: a report of "
                                 "an older specforge; prove the spec again")
            self.target = self.base.ensures[self.id]
        elif self.id.endswith(".ensures"):
            raise TraceError(f"`{self.id}` is a contract no answer can meet: there is no answer to take as the "
                             "run's last step, so TLC cannot confirm it as a trace; the report names the call "
                             "(TLC finds it itself, as an Ens_ invariant broken right after that call, when the "
                             "module records the action's answers: see docs/tla.md)")
        else:
            raise TraceError(f"the spec has no invariant `{self.id}`")

    def _arguments(self) -> dict[tuple[str, str], set[int]]:
        out: dict[tuple[str, str], set[int]] = {}
        for act, args in self.steps:
            for p in act.choices:
                if int_like(p.type.resolved):
                    out.setdefault((act.name, p.name), set()).add(args[p.name])
        return out

    # ---- rendering values ---------------------------------------------------------------------------

    def value(self, v: Value, t: ir.Type) -> str:
        """A value of the run as a TLA+ expression (enum members are strings, set elements model values)."""
        if isinstance(t, BoolT):
            return "TRUE" if v else "FALSE"
        if isinstance(t, ir.StringT):
            from .strings import literal_text

            return literal_text(v)
        if isinstance(t, SetT):
            return self.element_names[t.name][v]
        if isinstance(t, SetOfT):
            return "{" + ", ".join(self.value(x, t.element) for x in ordered(v)) + "}"
        if isinstance(t, MapT):
            if not v:
                return "<<>>"
            return "(" + " @@ ".join(f"{self.value(k, t.key)} :> {self._paren(self.value(x, t.value))}"
                                     for k, x in v.items()) + ")"
        if isinstance(t, (ir.StructT, ir.OptionT)):
            return tla_records.value(v, t, self.value)
        if isinstance(v, str):
            return f'"{v}"'
        return str(v)

    def argument(self, act: ir.Action, p: ir.Param, v: Value) -> str:
        """A call's argument; of an answer the effect reads, the part Next binds (`records.answer_part`),
        which the module also records as the last answer."""
        if p.name == ir.RESULT and act.answer is not None and act.answer_fields is not None:
            return self.value({f: v[f] for f in act.answer_fields}, tla_records.answer_part(act))
        return self.value(v, p.type.resolved)

    @staticmethod
    def _paren(text: str) -> str:
        return f"({text})" if text.startswith("-") else text

    def state_conjuncts(self, state: dict, primed: bool) -> list[str]:
        out = []
        prime = "'" if primed else ""
        for path in self.leaf_types:
            parts = path.split(".")
            access = self.base.vars[parts[0]] + prime + self.base.leaf_text(path)[len(self.base.vars[parts[0]]):]
            out.append(f"{access} = {self.value(state[path], self.leaf_types[path])}")
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
            call = self.base.actions[act.name]
            if act.choices:
                call += "(" + ", ".join(self.argument(act, p, args[p.name]) for p in act.choices) + ")"
            lines += comment_lines(f"step {i}: {self.run.show_call(i - 1)}")
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
        return base, TlaExport(module, tla, cfg, list(base.diagnostics))

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

    `result` is a violating `Run`, an `InvariantResult` or its JSON form (an entry of `invariants` in
    `specforge prove --format json`). Raises `TraceError` when it cannot be replayed."""
    return TraceExporter(spec, result, bounds).build()


__all__ = ["TraceError", "export_trace", "find_result", "int_set"]
