"""A checked spec as a TLA+ module and the TLC model (.cfg) that bounds it.

Layout of the module, in definition order (TLA+ defines before use):
header comment (how to run TLC and Apalache), EXTENDS, CONSTANTS (the sets
and the model's bounds), the spec's enums and constants, the default values
of the bounds, VARIABLES, `vars`, helper operators, `TypeOK`, `Init`, one
operator per action, `Next`, `Spec`, one operator per invariant and per
declared bound, `IndInv`, and what only the model checkers use (`ModelNext`,
`StateConstraint`, `ConstInit`).
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Diagnostic, Severity
from ..ir import BoolT, EnumT, IntT, MapT, OptionT, QuantityT, RecordT, SetOfT, SetT, StructT
from ..structure import leaves as state_leaves
from ..structure import nodes, obligations, type_id
from ..thresholds import count_thresholds
from ..units import dimension
from . import diag
from . import records as tla_records
from . import strings as tla_strings
from .expr import PRECEDENCE, CannotExpress, Env, Globals, Text, Translator, atom
from .model import Bound, BoundError, Model, build_model, int_like
from .names import Names, type_name

INDENT = "    "
FIXED_NAMES = ("Init", "Next", "Spec", "vars", "TypeOK", "IndInv", "ModelNext", "StateConstraint", "ConstInit",
               "FloorDiv", "FloorMod", "AbsVal", "MinVal", "MaxVal", "MaxSteps", "StateRange", "SumOf",
               "WordCount", "StringPool")
APALACHE_LENGTH = 10


@dataclass
class TlaExport:
    """One exported module: its name, the .tla and .cfg texts, and what was reported on the way."""

    module: str
    tla: str
    cfg: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def files(self) -> dict[str, str]:
        return {f"{self.module}.tla": self.tla, f"{self.module}.cfg": self.cfg}


def comment(text: str) -> str:
    """`text` made safe inside a `\\*` comment: one line, no `(*` or `*)`, no control characters."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat in ("Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn") or cat.startswith("Z"):
            out.append(" ")
        else:
            out.append(ch)
    line = " ".join("".join(out).split())
    while "(*" in line or "*)" in line:
        line = line.replace("(*", "( *").replace("*)", "* )")
    return line


def comment_lines(text: str, width: int = 96, prefix: str = "\\* ") -> list[str]:
    wrapped = textwrap.wrap(comment(text), width=width, break_long_words=False, break_on_hyphens=False) or [""]
    return [(prefix + w).rstrip() for w in wrapped]


def _operand(text: str) -> str:
    return f"({text})" if " " in text or ".." in text else text


def tla_int(v: int) -> str:
    return str(v)


# The answers an action with `ensures` may give, past which its module records none: TLC evaluates the
# CHOOSE of the one it records for every successor it generates (the email triage's 3 million), and
# normalizes the set it ranges over first (its 38,400 records).
MAX_RECORDED_ANSWERS = 1_000


def records_answer(spec: ir.Spec, model: Model, a: ir.Action) -> bool:
    """Whether the module keeps `a`'s last answer in `result_ACTION`: the value of a `returns`; of an
    action whose effect reads its answer, the part Next binds (`Exporter.answer_type`); or one answer
    the `ensures` allow of an action whose effect does not read it (all lead to the same state), unless
    its answers are more than MAX_RECORDED_ANSWERS."""
    if a.returns is not None or a.answer is not None:
        return True
    if a.result is None or not a.ensures:
        return False
    from .size import answer_count

    return answer_count(spec, model, a) <= MAX_RECORDED_ANSWERS


def int_set(values: list[int]) -> str:
    """`{1, 5, 9}`, or `lo..hi` for a run of consecutive values."""
    if not values:
        return "{}"
    values = sorted(values)
    if len(values) > 3 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return "{" + ", ".join(tla_int(v) for v in values) + "}"


class Exporter:
    """Everything one export needs: the spec, the model, the names, the translator."""

    def __init__(self, spec: ir.Spec, model: Model, must_only: bool = False):
        self.spec = spec
        self.model = model
        self.must_only = must_only
        self.file = spec.file
        self.diagnostics: list[Diagnostic] = []
        self.names = Names()
        self.renamed: list[tuple[str, str, str]] = []  # (what, spec name, TLA+ name)
        fixed = {n: self.names.claim(n) for n in FIXED_NAMES}
        self.fixed = fixed
        self.module = self._claim("module", spec.name)
        self.sets = {s.name: self._claim("set", s.name) for s in spec.sets}
        self.enums = {e.name: self._claim("enum", e.name) for e in spec.enums}
        self.consts = {c.name: self._claim("constant", c.name) for c in spec.consts}
        self.vars = {f.name: self._claim("state variable", f.name) for f in spec.state}
        self.actions = {a.name: self._claim("action", a.name) for a in spec.actions}
        self.invariants = {inv.id: self.names.claim("Inv_" + inv.id) for inv in spec.invariants}
        # an action with a result it determines (`returns`) or a contract on an answer its effect does
        # not read (`ensures`, `records_answer`): its last answer, a set of at most one record [result |-> value, PARAM |-> argument, ...], {} until the
        # action is the last one taken
        answering = [a for a in spec.actions if records_answer(spec, model, a)]
        self.results = {a.name: self.names.claim(f"result_{a.name}") for a in answering}
        # the `ensures` checked on that record (of an effect that reads the answer, Next asks them instead)
        self.ensures = {e.id: self.names.claim("Ens_" + e.id.replace(".", "_")) for a in answering for e in a.ensures
                        if a.answer is None}
        self.leaves = state_leaves(spec)
        self.leaf_types = dict(self.leaves)
        self.bounded = [o.leaf for o in obligations(spec) if o.leaf is not None]  # the type obligations
        self.type_invariants = {p: self.names.claim("Type_" + p) for p, _ in self.bounded}
        self.param_domains = {key: self.names.claim(f"Dom_{key[0]}_{key[1]}") for key in model.domains}
        self.domain_values = {key: self.names.claim(f"{name}_Values") for key, name in self.param_domains.items()}
        self.state_range_values = self.names.claim("StateRange_Values")
        self.fields: dict[str, dict[str, str]] = {}  # record path -> spec field -> TLA+ field
        for f in spec.state:
            self._record_fields(f.name, f.type.resolved)
        self.elements = self._elements()
        type_names: set[str] = set()
        self.uninterpreted = {s.name: type_name(s.name, type_names) for s in spec.sets}
        domains = {**self.sets, **self.enums}
        helpers = {"div": fixed["FloorDiv"], "mod": fixed["FloorMod"], "abs": fixed["AbsVal"],
                   "min": fixed["MinVal"], "max": fixed["MaxVal"], "sum": fixed["SumOf"],
                   "words": fixed["WordCount"]}
        self.globals = Globals(self.consts, domains, helpers)
        self.tr = Translator(self.globals)

    # ---- names ----------------------------------------------------------------------------------

    def _claim(self, what: str, name: str) -> str:
        got = self.names.claim(name)
        if got != name:
            self.renamed.append((what, name, got))
        return got

    def _record_fields(self, path: str, t) -> None:
        if isinstance(t, RecordT):
            local = Names()
            self.fields[path] = {}
            for name, ft in t.fields:
                got = local.claim(name)
                if got != name:
                    self.renamed.append(("field", f"{path}.{name}", got))
                self.fields[path][name] = got
                self._record_fields(f"{path}.{name}", ft)

    def _elements(self) -> dict[str, list[str]]:
        out = {}
        for s in self.spec.sets:
            chosen = self.model.sets[s.name]
            if isinstance(chosen, int):
                out[s.name] = [self.names.claim(f"{s.name}{i}") for i in range(1, chosen + 1)]
            else:
                names = []
                for e in chosen:
                    if self.model.rename_elements:
                        names.append(self.names.claim(e))
                        continue
                    if self.names.is_taken(e) or self.names.claim(e) != e:
                        raise BoundError(f"the element name `{e}` of `{s.name}` is already a name in the module; "
                                         "choose another")
                    names.append(e)
                out[s.name] = names
        return out

    def leaf_text(self, path: str) -> str:
        """The TLA+ text reading a state leaf in the current state: `balance`, `token.ttl`."""
        parts = path.split(".")
        text = self.vars[parts[0]]
        prefix = parts[0]
        for part in parts[1:]:
            text += "." + self.fields[prefix][part]
            prefix += "." + part
        return text

    def pre_state(self) -> dict[str, Text | None]:
        return {p: atom(self.leaf_text(p)) for p, _ in self.leaves}

    # ---- types ------------------------------------------------------------------------------------

    def type_set(self, t) -> str:
        """The set of values of a type, for TypeOK (declared int bounds are separate invariants)."""
        if isinstance(t, BoolT):
            return "BOOLEAN"
        if isinstance(t, ir.StringT):
            return "STRING"
        if isinstance(t, (IntT, QuantityT)):
            return "Int"
        if isinstance(t, EnumT):
            return self.enums[t.name]
        if isinstance(t, SetT):
            return self.sets[t.name]
        if isinstance(t, MapT):
            return f"[{self.key_set(t.key)} -> {self.type_set(t.value)}]"
        if isinstance(t, SetOfT):
            return f"SUBSET {_operand(self.key_set(t.element))}"
        if isinstance(t, (StructT, OptionT)):
            return tla_records.type_set(t, self.type_set)
        if isinstance(t, RecordT):
            raise AssertionError("records are handled by record_set")
        raise AssertionError(t)

    def key_set(self, t) -> str:
        if isinstance(t, IntT) and t.low is not None and t.high is not None:
            return f"{tla_int(t.low)}..{tla_int(t.high)}"
        return self.type_set(t)

    def record_set(self, path: str, t) -> str:
        if isinstance(t, RecordT):
            fields = ", ".join(f"{self.fields[path][n]}: {self.record_set(f'{path}.{n}', ft)}" for n, ft in t.fields)
            return f"[{fields}]"
        return self.type_set(t)

    def apalache_type(self, t, path: str = "", nested: bool = False) -> str:
        if isinstance(t, BoolT):
            return "Bool"
        if isinstance(t, ir.StringT):
            return "Str"
        if isinstance(t, (IntT, QuantityT)):
            return "Int"
        if isinstance(t, EnumT):
            return "Str"
        if isinstance(t, SetT):
            return self.uninterpreted[t.name]
        if isinstance(t, MapT):
            text = f"{self.apalache_type(t.key, nested=True)} -> {self.apalache_type(t.value, nested=True)}"
            return f"({text})" if nested else text
        if isinstance(t, SetOfT):
            return f"Set({self.apalache_type(t.element, nested=True)})"
        if isinstance(t, RecordT):
            fields = ", ".join(f"{self.fields[path][n]}: {self.apalache_type(ft, f'{path}.{n}', nested=True)}"
                               for n, ft in t.fields)
            return "{ " + fields + " }"
        if isinstance(t, (StructT, OptionT)):
            return tla_records.apalache_type(t, lambda ft: self.apalache_type(ft, nested=True))
        raise AssertionError(t)

    def bound_expr(self, t, text: str, names: Names) -> str | None:
        """The declared bounds of a value of type t (as the prover's `type:` obligations), or None."""
        if isinstance(t, IntT):
            if t.low is not None and t.high is not None:
                return f"{text} \\in {tla_int(t.low)}..{tla_int(t.high)}"
            if t.low is not None:
                return f"{text} >= {tla_int(t.low)}"
            if t.high is not None:
                return f"{text} <= {tla_int(t.high)}"
            return None
        if isinstance(t, MapT):
            inner_names = names.child()
            k = inner_names.claim("k")
            inner = self.bound_expr(t.value, f"{text}[{k}]", inner_names)
            return None if inner is None else f"\\A {k} \\in DOMAIN {text} : {inner}"
        if isinstance(t, SetOfT) and isinstance(t.element, IntT) and t.element.low is not None \
                and t.element.high is not None:
            return f"{text} \\subseteq {tla_int(t.element.low)}..{tla_int(t.element.high)}"
        if isinstance(t, (StructT, OptionT)):
            return tla_records.nested(t, text, lambda ft, x: self.bound_expr(ft, x, names),
                                      lambda: names.child().claim("v"))
        return None

    def range_expr(self, t, text: str, names: Names) -> str | None:
        """`text` (of type t) within StateRange, wherever it holds integers."""
        if isinstance(t, (IntT, QuantityT)):
            return f"{text} \\in {self.fixed['StateRange']}"
        if isinstance(t, MapT):
            inner_names = names.child()
            k = inner_names.claim("k")
            inner = self.range_expr(t.value, f"{text}[{k}]", inner_names)
            return None if inner is None else f"\\A {k} \\in DOMAIN {text} : {inner}"
        if isinstance(t, (StructT, OptionT)):
            return tla_records.nested(t, text, lambda ft, x: self.range_expr(ft, x, names),
                                      lambda: names.child().claim("v"))
        return None

    # ---- diagnostics --------------------------------------------------------------------------------

    def report(self, e: CannotExpress, where: str) -> None:
        span = getattr(e.node, "span", None)
        self.diagnostics.append(diag.diagnostic(Severity.ERROR, diag.CANNOT_EXPRESS, f"{where}: {e}", self.file,
                                                span, e.hint))

    def expr(self, e: ir.Expr, env: Env, where: str) -> Text:
        try:
            return self.tr.expr(e, env)
        except CannotExpress as err:
            self.report(err, where)
            return atom("FALSE")

    # ---- assignments -----------------------------------------------------------------------------------

    def execute(self, assigns: list[ir.Assign], state: dict[str, Text | None], names: Names,
                params: dict[str, str], where: str) -> tuple[list[tuple[str, str]], set[str]]:
        """Run assignments in order on `state` (leaf -> current value text), as the prover does:
        each sees the values assigned before it. A value that a later assignment reads is named
        in a LET (returned), so that no expression is copied."""
        later: list[set[str]] = [set() for _ in range(len(assigns) + 1)]
        for i in range(len(assigns) - 1, -1, -1):
            later[i] = later[i + 1] | self.reads(assigns[i])
        lets: list[tuple[str, str]] = []
        changed: set[str] = set()
        counts: dict[str, int] = {}
        for i, a in enumerate(assigns):
            env = Env(state, names, params)
            try:
                value = self.tr.expr(a.value, env)
                path, new = self.assign(a.target, value, env)
            except CannotExpress as err:
                self.report(err, where)
                continue
            changed.add(path)
            if path in later[i + 1]:
                counts[path] = counts.get(path, 0) + 1
                name = names.claim(f"{path.replace('.', '_')}_{counts[path]}")
                lets.append((name, new.text))
                state[path] = atom(name)
            else:
                state[path] = new
        return lets, changed

    def assign(self, target: ir.Expr, value: Text, env: Env) -> tuple[str, Text]:
        path = ir.state_path(target)
        if path is not None:
            if path not in self.leaf_types:
                raise CannotExpress(f"`{path}` is a record; assign its fields one by one", target)
            return path, value
        if isinstance(target, ir.Index):
            base = self.tr.expr(target.base, env)
            key = self.tr.text(target.key, env)
            updated = f"[{base.operand()} EXCEPT ![{key}] = {value.operand(0)}]"
            kt = getattr(target.base.type, "key", None)
            if isinstance(kt, IntT):
                # EXCEPT at a key outside the domain would leave the map as it is: the spec gives such a
                # write no meaning, so TLC stops with an error there, as the interpreter and prove do
                where = f"line {target.span.line}" if target.span else "a write"
                updated = (f"IF {key} \\in DOMAIN {base.operand()} THEN {updated} "
                           f"ELSE Assert(FALSE, \"{where}: a key outside the map's range has no meaning\")")
            return self.assign(target.base, atom(f"({updated})" if isinstance(kt, IntT) else updated), env)
        raise CannotExpress("this cannot be assigned", target)

    def reads(self, a: ir.Assign) -> set[str]:
        out: set[str] = set()
        self._reads(a.value, out)
        t = a.target
        if isinstance(t, ir.Index):
            self._reads(t, out)  # an entry update reads the map it updates
        return out

    def _reads(self, e, out: set[str]) -> None:
        path = ir.state_path(e)
        if path is not None:
            out.update(p for p, _ in self.leaves if p == path or p.startswith(path + "."))
            return
        for k, v in e.__dict__.items():
            if k in ("type", "span", "var_span"):
                continue
            if isinstance(v, ir._Expr):
                self._reads(v, out)
            elif isinstance(v, list):
                for x in v:
                    if isinstance(x, ir._Expr):
                        self._reads(x, out)

    def final_values(self, state: dict[str, Text | None], changed: set[str],
                     initial: bool) -> list[tuple[str, str]]:
        """(variable, value) for every top-level variable some assignment changed (all of them in init)."""
        out = []
        for f in self.spec.state:
            var = self.vars[f.name]
            mine = [p for p, _ in self.leaves if p == f.name or p.startswith(f.name + ".")]
            if not any(p in changed for p in mine):
                continue
            t = f.type.resolved
            if not isinstance(t, RecordT):
                out.append((var, state[f.name].operand(PRECEDENCE["="])))
            elif initial:
                out.append((var, self.record_value(f.name, t, state)))
            else:
                updates = []
                for p in mine:
                    if p in changed:
                        fields = "".join("." + self._field_of(p, i) for i in range(1, len(p.split("."))))
                        updates.append(f"!{fields} = {state[p].operand(0)}")
                out.append((var, f"[{var} EXCEPT {', '.join(updates)}]"))
        return out

    def _field_of(self, path: str, i: int) -> str:
        parts = path.split(".")
        return self.fields[".".join(parts[:i])][parts[i]]

    def record_value(self, path: str, t, state) -> str:
        if isinstance(t, RecordT):
            inner = ", ".join(f"{self.fields[path][n]} |-> {self.record_value(f'{path}.{n}', ft, state)}"
                              for n, ft in t.fields)
            return f"[{inner}]"
        value = state.get(path)
        return value.operand(0) if value is not None else "FALSE"

    # ---- the module ---------------------------------------------------------------------------------

    def build(self) -> TlaExport:
        lines: list[str] = []
        lines += self.header()
        lines += self.constants()
        lines += self.definitions()
        lines += self.variables()
        lines += self.helpers()
        lines += self.type_ok()
        lines += self.init()
        for a in self.spec.actions:
            lines += self.action(a)
        lines += self.next_and_spec()
        lines += self.invariant_defs()
        lines += self.model_defs()
        lines.append("=" * 77)
        if self.globals.big_literals:
            for node in self.globals.big_literals:
                self.diagnostics.append(diag.diagnostic(
                    Severity.WARNING, diag.TLC_INT_RANGE,
                    f"{node.value} is outside TLC's integers (-{2**31 - 1}..{2**31 - 1}); TLC rejects the module",
                    self.file, node.span))
        return TlaExport(self.module, "\n".join(lines) + "\n", self.cfg(), self.diagnostics)

    def header(self) -> list[str]:
        m = self.module
        title = f" MODULE {m} "
        left = max(4, (77 - len(title)) // 2)
        lines = ["-" * left + title + "-" * max(4, 77 - left - len(title))]
        source = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        lines += comment_lines(f"Generated by `specforge export-tla` from {source} (spec {self.spec.name}); "
                               "regenerate it rather than editing it.")
        if self.spec.description:
            lines += comment_lines(self.spec.description)
        lines += [
            "\\*",
            f"\\* TLC checks the bounded model in {m}.cfg (every bound is explained there):",
            f"\\*   java -cp tla2tools.jar tlc2.TLC -config {m}.cfg {m}.tla",
            "\\* Apalache (symbolic; ConstInit gives the constants):",
            f"\\*   apalache-mc typecheck {m}.tla",
            f"\\*   apalache-mc check --cinit=ConstInit --init=IndInv --inv=IndInv --length=1 {m}.tla",
            f"\\*   apalache-mc check --cinit=ConstInit --inv=IndInv --length={APALACHE_LENGTH} {m}.tla",
            "\\* The first check proves IndInv inductive (it holds for every size of the sets given in",
            "\\* ConstInit); the second looks for a violation in runs of up to "
            f"{APALACHE_LENGTH} steps.",
        ]
        if self.renamed:
            lines.append("\\* Names changed for TLA+ (keywords, standard or generated names):")
            lines += [f"\\*   {what} {comment(old)} is {new}" for what, old, new in self.renamed]
        finite_sets = any(c.func == "card" for c in nodes(self.spec, ir.Call))
        sequences = tla_strings.uses_len(self.spec)
        lines += ["", f"EXTENDS Integers, {'FiniteSets, ' if finite_sets else ''}{'Sequences, ' if sequences else ''}TLC",
                  ""]
        return lines

    def constants(self) -> list[str]:
        decls: list[tuple[str, str, str | None]] = []  # (type, name, comment)
        for s in self.spec.sets:
            decls.append((f"Set({self.uninterpreted[s.name]})", self.sets[s.name], f"set {s.name}"))
        for key, name in self.param_domains.items():
            decls.append(("Set(Int)", name, f"the values of parameter {key[1]} of {key[0]}"))
        decls.append(("Int", self.fixed["MaxSteps"], "TLC explores runs of at most this many actions"))
        decls.append(("Set(Int)", self.fixed["StateRange"], "TLC explores no further from integer state outside"))
        lines = ["\\* The spec's sets and the model's bounds: their values are in the .cfg file.", "CONSTANTS"]
        for i, (t, name, note) in enumerate(decls):
            lines.append(f"{INDENT}\\* @type: {t};")
            lines.append(f"{INDENT}{name}{',' if i < len(decls) - 1 else ''}  \\* {comment(note)}")
        return lines + [""]

    def definitions(self) -> list[str]:
        lines = []
        for e in self.spec.enums:
            members = ", ".join(f'"{m.name}"' for m in e.members)
            lines += [f"\\* enum {e.name}: its values are strings", f"{self.enums[e.name]} == {{{members}}}"]
        for c in self.spec.consts:
            lines.append(f"{self.consts[c.name]} == {self.const_value(c)}")
        if lines:
            lines.append("")
        lines.append("\\* The default values of the bounds (the .cfg binds each bound to one of these).")
        for key, name in self.domain_values.items():
            lines.append(f"{name} == {int_set(self.model.domains[key])}")
        low, high = self.model.state_range
        lines.append(f"{self.state_range_values} == {tla_int(low)}..{tla_int(high)}")
        return lines + [""]

    def const_value(self, c: ir.Const) -> str:
        t = c.type.resolved
        v = c.evaluated
        if isinstance(t, BoolT):
            return "TRUE" if v else "FALSE"
        if isinstance(t, EnumT):
            return f'"{v}"'
        if isinstance(t, ir.StringT):
            return tla_strings.literal_text(v, c.value)
        if isinstance(t, StructT):
            return self.expr(c.value, Env({}, self.names.child()), f"constant {c.name}").text
        if isinstance(v, int) and abs(v) > 2**31 - 1:
            self.diagnostics.append(diag.diagnostic(
                Severity.WARNING, diag.TLC_INT_RANGE,
                f"constant `{c.name}` = {v} is outside TLC's integers; TLC rejects the module", self.file, c.span))
        text = tla_int(v)
        if isinstance(t, QuantityT):
            dim = dimension(t.dimension)
            written = comment(c.value.text) if isinstance(c.value, ir.QuantityLit) else f"a {dim.type_name}"
            text += f"  \\* {written}, in {dim.base_unit}{'s' if dim.base_unit == 'millionth' else ''}"
        return text

    def variables(self) -> list[str]:
        if not self.spec.state and not self.results:
            return ["vars == <<>>", ""]
        declared = [(self.vars[f.name], self.apalache_type(f.type.resolved, f.name), None) for f in self.spec.state]
        declared += [(var, f"Set({self.result_apalache_type(self.action_of(name))})",
                      f"the last answer of {comment(name)}: {{}} until it is the last action taken")
                     for name, var in self.results.items()]
        lines = ["VARIABLES"]
        for i, (var, apalache, about) in enumerate(declared):
            if about:
                lines.append(f"{INDENT}\\* {about}")
            lines.append(f"{INDENT}\\* @type: {apalache};")
            lines.append(f"{INDENT}{var}{',' if i < len(declared) - 1 else ''}")
        return lines + ["", f"vars == <<{', '.join(var for var, _, _ in declared)}>>", ""]

    def action_of(self, name: str) -> ir.Action:
        return next(a for a in self.spec.actions if a.name == name)

    def result_fields(self, a: ir.Action) -> list[tuple[str, str, ir.Type]]:
        """The fields of an answer record: (TLA+ field, spec name, type): the result, then the arguments
        (of an action with `ensures` and no `returns`, only those its `ensures` read: one answer stands
        for all its contract allows, and arguments nothing reads would multiply the states TLC keeps,
        by the strings of the pool for each string parameter)."""
        read = None if a.returns is not None else {n.name for e in a.ensures for n in ir.walk(e.cond)
                                                   if isinstance(n, ir.Name) and n.ref is ir.RefKind.PARAM}
        if a.answer is not None:  # the part of the answer Next binds; the ensures are asked in Next
            return [(tla_records.field(ir.RESULT), ir.RESULT, self.answer_type(a))]
        return [(tla_records.field(ir.RESULT), ir.RESULT, a.result.resolved),
                *((tla_records.field(p.name), p.name, p.type.resolved) for p in a.params
                  if read is None or p.name in read)]

    def result_apalache_type(self, a: ir.Action) -> str:
        return "{ " + ", ".join(f"{f}: {self.apalache_type(t, nested=True)}" for f, _, t in self.result_fields(a)) + " }"

    def helpers(self) -> list[str]:
        local = self.names.child()
        a, b = local.claim("a"), local.claim("b")
        f = self.fixed
        return [
            "\\* Floor division and its remainder, as in the spec language (and Python): TLC's \\div and %",
            "\\* differ for negative divisors. Division by zero is an error in TLC.",
            f"{f['FloorDiv']}({a}, {b}) == IF {b} > 0 THEN {a} \\div {b} ELSE (-{a}) \\div (-{b})",
            f"{f['FloorMod']}({a}, {b}) == {a} - {b} * {f['FloorDiv']}({a}, {b})",
            f"{f['AbsVal']}({a}) == IF {a} >= 0 THEN {a} ELSE -{a}",
            f"{f['MinVal']}({a}, {b}) == IF {a} <= {b} THEN {a} ELSE {b}",
            f"{f['MaxVal']}({a}, {b}) == IF {a} >= {b} THEN {a} ELSE {b}",
            "",
            *self.sum_helper(),
            *tla_strings.pool_definition(self.spec, f["StringPool"]),
            *tla_strings.words_table(self.spec, f["WordCount"]),
        ]

    def sum_helper(self) -> list[str]:
        """SumOf(f), the sum of a function's values, for `sum` and `count`; only in a spec that has them."""
        if next(nodes(self.spec, ir.Aggregate), None) is None:
            return []
        local = self.names.child()
        fn, x, y = local.claim("f"), local.claim("x"), local.claim("y")
        s = self.fixed["SumOf"]
        return [
            "\\* The sum of a function's values (the spec's `sum` and `count`), one element at a time.",
            f"RECURSIVE {s}(_)",
            f"{s}({fn}) == IF DOMAIN {fn} = {{}} THEN 0",
            f"{INDENT}ELSE LET {x} == CHOOSE {x} \\in DOMAIN {fn} : TRUE",
            f"{INDENT}     IN {fn}[{x}] + {s}([{y} \\in DOMAIN {fn} \\ {{{x}}} |-> {fn}[{y}]])",
            "",
        ]

    def type_ok(self) -> list[str]:
        items = [f"{self.vars[f.name]} \\in {self.record_set(f.name, f.type.resolved)}" for f in self.spec.state]
        for name, var in self.results.items():
            fields = ", ".join(f"{f}: {self.type_set(t)}" for f, _, t in self.result_fields(self.action_of(name)))
            items.append(f"{var} \\subseteq [{fields}]")
        return ["\\* The kind of every variable; declared int bounds are the Type_ invariants below.",
                *self.conjunction(self.fixed["TypeOK"], items), ""]

    def conjunction(self, head: str, items: list[str], op: str = "/\\") -> list[str]:
        if not items:
            return [f"{head} == " + ("TRUE" if op == "/\\" else "FALSE")]
        return [f"{head} =="] + [f"{INDENT}{op} {item}" for item in items]

    def init(self) -> list[str]:
        state: dict[str, Text | None] = {p: None for p, _ in self.leaves}
        names = self.names.child()
        lets, _ = self.execute(self.spec.init, state, names, {}, "init")
        items = [f"{var} = {value}" for var, value in self.final_values(state, {p for p, _ in self.leaves}, True)]
        items += [f"{var} = {{}}" for var in self.results.values()]
        return [f"{self.fixed['Init']} ==", *self.body(lets, items, [], 1), ""]

    def body(self, lets: list[tuple[str, str]], items: list[str], guards: list[str], depth: int) -> list[str]:
        """Guards as conjuncts, then the assignments (inside a LET when values are named)."""
        pad = INDENT * depth
        lines = [f"{pad}/\\ {g}" for g in guards]
        if lets:
            lines.append(f"{pad}/\\ LET {lets[0][0]} == {lets[0][1]}")
            lines += [f"{pad}       {name} == {value}" for name, value in lets[1:]]
            inner = items or ["TRUE"]
            lines.append(f"{pad}   IN  /\\ {inner[0]}")
            lines += [f"{pad}       /\\ {item}" for item in inner[1:]]
        else:
            lines += [f"{pad}/\\ {item}" for item in items]
        if not lines:
            lines = [f"{pad}TRUE"]
        return lines

    def action(self, a: ir.Action) -> list[str]:
        names = self.names.child()
        params = {p.name: names.claim(p.name) for p in a.choices}
        where = f"action `{a.name}`"
        guards = []
        for p in a.choices:
            bound = self.bound_expr(p.type.resolved, params[p.name], names)
            if bound is not None and int_like(p.type.resolved):
                guards.append(f"{bound}  \\* the declared type of {comment(p.name)}")
        env = Env(self.pre_state(), names, params)
        for g in a.guards:
            cond = self.expr(g.cond, env, where).text
            note = f"else {g.error}" if g.error else "an assumption about the caller"
            guards.append(f"{cond}  \\* {comment(note)}")
        state = self.pre_state()
        lets, changed = self.execute(a.assignments, state, names, params, where)
        values = self.final_values(state, changed, False)
        items = [f"{var}' = {value}" for var, value in values]
        post = Env(state, names, params)
        guard, answer = self.answer_allowed(a, post, names, lets)
        items += guard
        items += self.answers(a, post, params, where, answer)
        touched = {var for var, _ in values}
        untouched = [self.vars[f.name] for f in self.spec.state if self.vars[f.name] not in touched]
        if untouched:
            items.append(f"UNCHANGED <<{', '.join(untouched)}>>")
        head = self.actions[a.name] + (f"({', '.join(params[p.name] for p in a.choices)})" if a.choices else "")
        return [f"\\* action {comment(a.name)}", f"{head} ==", *self.body(lets, items, guards, 1), ""]

    def answers(self, a: ir.Action, post: Env, params: dict[str, str], where: str, answer: str | None) -> list[str]:
        """The last-answer variables after `a`: its own answer (the `returns` value, read after the call, or
        `answer`, one the `ensures` allow), with the arguments; every other action's none."""
        out = []
        for name, var in self.results.items():
            if name != a.name:
                out.append(f"{var}' = {{}}")
                continue
            value = self.expr(a.returns.value, post, where).text if a.returns is not None else answer
            fields = [f"{tla_records.field(ir.RESULT)} |-> {value}",
                      *(f"{f} |-> {params[name]}" for f, name, _ in self.result_fields(a)[1:])]
            out.append(f"{var}' = {{[{', '.join(fields)}]}}")
        return out

    def answer_allowed(self, a: ir.Action, post: Env, names, lets: list[tuple[str, str]]) -> tuple[list[str], str | None]:
        """What Next asks of the answer of an action with `ensures` and no `returns`, and the answer it
        records in `result_ACTION` (None: none); the `ensures` are read in the state after the call.

        When the effect reads the answer, Next binds only the part it reads (`answer_type`), and asks
        that some whole answer with that part meets the `ensures`: an existential TLC stops evaluating
        at its first witness, so the successors are one per part read, not one per answer (the email
        triage's 2 routes, not 38,400 answers). The part bound is the answer recorded.

        When the effect does not read it, every answer leads to the same state: the one recorded is the
        first the `ensures` allow, and when none does (a contract no implementation can meet) any
        answer, so that an Ens_ invariant reports the contract broken after the call."""
        if a.returns is not None or a.result is None or not a.ensures:
            return [], None
        t = a.result.resolved
        if a.answer is not None:
            read = post.params[ir.RESULT]
            if self.answer_type(a) is t:
                return [f"{self.expr(e.cond, post, e.id).text}  \\* {comment(e.id)}" for e in a.ensures], read
            whole = names.claim("answer")
            inner = Env(post.state, names, {**post.params, ir.RESULT: whole})
            same = [f"{whole}.{tla_records.field(f)} = {read}.{tla_records.field(f)}" for f, _ in self.answer_type(a).fields]
            body = " /\\ ".join([*same, *(self.expr(e.cond, inner, e.id).operand() for e in a.ensures)])
            return [f"\\E {whole} \\in {self.domain_of(a, ir.RESULT, t)} : {body}  "
                    f"\\* {comment(', '.join(e.id for e in a.ensures))}"], read
        if a.name not in self.results:
            return [], None
        w, allowed, answer = names.claim("answer"), names.claim("Allowed"), names.claim("Answer")
        inner = Env(post.state, names, {**post.params, ir.RESULT: w})
        lets.append((f"{allowed}({w})", " /\\ ".join(self.expr(e.cond, inner, e.id).operand() for e in a.ensures)))
        domain = self.domain_of(a, ir.RESULT, t)
        lets.append((answer, f"IF \\E {w} \\in {domain} : {allowed}({w}) THEN CHOOSE {w} \\in {domain} : {allowed}({w}) "
                             f"ELSE CHOOSE {w} \\in {domain} : TRUE"))
        return [], answer

    def answer_type(self, a: ir.Action) -> ir.Type:
        return tla_records.answer_part(a)

    def param_domain(self, a: ir.Action, p: ir.Param) -> str:
        """The values Next binds a parameter to (for an answer, the part the effect reads)."""
        answer = p.name == ir.RESULT and a.answer is not None
        return self.domain_of(a, p.name, self.answer_type(a) if answer else p.type.resolved)

    def domain_of(self, a: ir.Action, name: str, t: ir.Type) -> str:
        if int_like(t):
            return self.param_domains[(a.name, name)]
        if isinstance(t, BoolT):
            return "BOOLEAN"
        if isinstance(t, ir.StringT):  # the strings the explicit search tries too (finite.string_pool)
            return self.fixed["StringPool"]
        if isinstance(t, EnumT):
            return self.enums[t.name]
        if isinstance(t, SetT):
            return self.sets[t.name]
        if isinstance(t, SetOfT):
            return self.type_set(t)
        if isinstance(t, (StructT, OptionT)):
            ints = tla_records.int_values(self.spec)
            strings = self.fixed["StringPool"]  # a string field takes the pool, as a string parameter does
            return tla_records.param_domain(t, lambda ft: strings if isinstance(ft, ir.StringT) else self.key_set(ft),
                                            lambda ft: int_set(ints(ft)))
        raise AssertionError(t)

    def next_and_spec(self) -> list[str]:
        items = []
        for a in self.spec.actions:
            name = self.actions[a.name]
            if not a.choices:
                items.append(name)
                continue
            local = self.names.child()
            binders = [(local.claim(p.name), self.param_domain(a, p)) for p in a.choices]
            bound = ", ".join(f"{n} \\in {d}" for n, d in binders)
            items.append(f"\\E {bound} : {name}({', '.join(n for n, _ in binders)})")
        f = self.fixed
        return [*self.conjunction(f["Next"], items, "\\/"), "",
                f"{f['Spec']} == {f['Init']} /\\ [][{f['Next']}]_{f['vars']}", ""]

    def invariant_defs(self) -> list[str]:
        lines = []
        for inv in self.spec.invariants:
            env = Env(self.pre_state(), self.names.child())
            text = self.expr(inv.expr, env, f"invariant {inv.id}").text
            about = f"{inv.id} ({inv.level.value})" + (f": {inv.description}" if inv.description else "")
            lines += comment_lines(about)
            lines += [f"{self.invariants[inv.id]} == {text}", ""]
        for path, t in self.bounded:
            text = self.bound_expr(t, self.leaf_text(path), self.names.child())
            lines += comment_lines(f"{type_id(path)} (MUST): `{path}` stays within its declared type")
            lines += [f"{self.type_invariants[path]} == {text}", ""]
        lines += self.ensures_defs()
        all_invs = [self.fixed["TypeOK"], *self.invariants.values(), *self.type_invariants.values(),
                    *self.ensures.values()]
        lines += ["\\* Every invariant together: Apalache's inductive check (see the header).",
                  *self.conjunction(self.fixed["IndInv"], all_invs), ""]
        return lines

    def ensures_defs(self) -> list[str]:
        """Each `ensures`, over its action's last answer: checked in the state the call left (the current
        one), with the answer and the arguments read from the record."""
        lines = []
        for name, var in self.results.items():
            a = self.action_of(name)
            for e in a.ensures if a.answer is None else []:
                names = self.names.child()
                r = names.claim("r")
                fields = {spec: f"{r}.{f}" for f, spec, _ in self.result_fields(a)}
                env = Env(self.pre_state(), names, fields)
                text = self.expr(e.cond, env, f"{e.id}")
                lines += comment_lines(f"{e.id} (MUST): every answer of `{name}` meets this postcondition")
                lines += [f"{self.ensures[e.id]} == \\A {r} \\in {var} : {text.operand()}", ""]
        return lines

    def model_defs(self) -> list[str]:
        f = self.fixed
        names = self.names.child()
        ranges = [self.range_expr(t, self.leaf_text(p), names) for p, t in self.leaves]
        constraint = [f'TLCGet("level") <= {f["MaxSteps"]}', *[r for r in ranges if r is not None]]
        cinit = [f"{self.sets[s.name]} = {{{', '.join(self.apalache_element(s.name, e) for e in self.elements[s.name])}}}"
                 for s in self.spec.sets]
        cinit += [f"{name} = {self.domain_values[key]}" for key, name in self.param_domains.items()]
        cinit += [f"{f['MaxSteps']} = {self.model.max_steps}", f"{f['StateRange']} = {self.state_range_values}"]
        return [
            "\\* ---- for the model checkers ----",
            "\\* TLC calls a state without successors a deadlock; a spec has no such notion (where no action",
            "\\* applies, the state simply stays), so TLC runs Next or a step that changes nothing.",
            f"{f['ModelNext']} == {f['Next']} \\/ UNCHANGED {f['vars']}",
            "",
            "\\* TLC goes no further from a state reached after MaxSteps actions (TLC counts the initial",
            "\\* state as level 1), or whose integers have left StateRange; it still checks that state.",
            *self.conjunction(f["StateConstraint"], constraint),
            "",
            "\\* Apalache's values of the constants (TLC takes them from the .cfg file).",
            *self.conjunction(f["ConstInit"], cinit),
            "",
        ]

    def apalache_element(self, set_name: str, element: str) -> str:
        return f'"{element}_OF_{self.uninterpreted[set_name]}"'

    # ---- the model (.cfg) ------------------------------------------------------------------------------

    def cfg(self) -> str:
        f = self.fixed
        m = self.model
        lines = [
            f"\\* The bounded model of {comment(self.spec.name)} that TLC checks; generated by `specforge export-tla`.",
            "\\* TLC's verdict holds for these bounds only. Change one with --bound NAME=VALUES (docs/tla.md).",
            f"\\*   java -cp tla2tools.jar tlc2.TLC -config {self.module}.cfg {self.module}.tla",
            "CONSTANTS",
        ]
        thresholds = count_thresholds(self.spec)
        for s in self.spec.sets:
            origin = m.notes.get(s.name, "default")
            size = len(self.elements[s.name])
            lines.append(f"{INDENT}\\* set {comment(s.name)}: {size} model values ({origin})")
            for k, line in sorted({(k, line) for sets, k, line in thresholds if s.name in sets and k > size}):
                # "at most K" over the set holds in every model of K elements or fewer: TLC cannot break it
                lines.append(f"{INDENT}\\* the count of line {line} goes over its limit only with {k} elements: "
                             f"to let TLC try, --bound {comment(s.name)}={k} and MaxSteps={max(k, m.max_steps)}")
            lines.append(f"{INDENT}{self.sets[s.name]} = {{{', '.join(self.elements[s.name])}}}")
        for key, name in self.param_domains.items():
            origin = m.notes.get(f"{key[0]}.{key[1]}") or m.notes.get(key[1]) or \
                "default: the spec's numbers c-1, c, c+1 and -2..3, within the parameter's type"
            lines.append(f"{INDENT}\\* {comment(key[0])}({comment(key[1])}): {int_set(m.domains[key])} ({origin})")
            lines.append(f"{INDENT}{name} <- {self.domain_values[key]}")
        origin = m.notes.get("MaxSteps", "default")
        lines.append(f"{INDENT}\\* runs of at most {m.max_steps} actions ({origin})")
        lines.append(f"{INDENT}{f['MaxSteps']} = {m.max_steps}")
        low, high = m.state_range
        origin = m.notes.get("StateRange", "default: twice the largest of the spec's numbers")
        lines.append(f"{INDENT}\\* integer state explored within {low}..{high} ({origin})")
        lines.append(f"{INDENT}{f['StateRange']} <- {self.state_range_values}")
        lines += [
            f"INIT {f['Init']}",
            f"NEXT {f['ModelNext']}",
            f"CONSTRAINT {f['StateConstraint']}",
            "INVARIANT",
            f"{INDENT}{f['TypeOK']}",
        ]
        for inv in self.spec.invariants:
            if self.must_only and inv.level is not ir.Level.MUST:
                lines.append(f"{INDENT}\\* not checked (--must-only): {self.invariants[inv.id]}, "
                             f"{comment(inv.id)} ({inv.level.value})")
                continue
            lines.append(f"{INDENT}{self.invariants[inv.id]}  \\* {comment(inv.id)} ({inv.level.value})")
        for path, _ in self.bounded:
            lines.append(f"{INDENT}{self.type_invariants[path]}  \\* {comment(type_id(path))}")
        for eid, name in self.ensures.items():
            lines.append(f"{INDENT}{name}  \\* {comment(eid)}")
        return "\n".join(lines) + "\n"


def export_tla(spec: ir.Spec, bounds: list[Bound] | tuple[Bound, ...] = (), must_only: bool = False) -> TlaExport:
    """The TLA+ module and TLC model of a checked spec. Raises `BoundError` for a bad bound. With
    `must_only`, the .cfg checks only the MUST invariants (and the type bounds), so that TLC's verdict
    and `specforge prove`'s exit code speak of the same invariants."""
    from .size import overflow_warnings, size_warnings

    model = build_model(spec, bounds)
    export = Exporter(spec, model, must_only).build()
    export.diagnostics.extend(size_warnings(spec, model) + overflow_warnings(spec, model))
    return export

