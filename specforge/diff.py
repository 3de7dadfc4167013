"""A semantic diff of two versions of a spec, decided by z3 under the spec's types.

Both versions are encoded with ONE encoder built from the new spec (its sorts, its state
leaves), the old version's parts read through a view of it that holds the old constants and
the old `init`. So `x <= MAX` with MAX raised from 10 to 20 compares as "weaker", and an old
part that reads something the new spec no longer declares is reported as not comparable, with
the name it misses.

What is compared:
- invariants, matched by ID (or by an identical body under a new ID: renamed): equivalent,
  stronger, weaker or incomparable over every state the declared types allow, with a witness
  state for each direction that differs, and level changes;
- actions, matched by name: calls the guards accept in one version and refuse in the other (a
  witness state and call each way), failure modes added, removed or renamed, and the effects:
  a state and call both versions accept on which their results differ;
- `init`: the leaves whose first value changed;
- behaviour: whether every run of the new spec is a run of the old one. When every new step is
  an old step from the same state (and `init` agrees), that holds for runs of any length; else a
  bounded search from the new `init` gives the shortest run whose last step the old spec does
  not allow.

The CI gate (`SpecDiff.blocking`): a MUST invariant removed, weakened, made incomparable or moved
to a lower level, or a failure mode dropped, blocks unless it is accepted by ID (`--accept`).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field

import z3

from . import ir
from .prove.cache import digest
from .prove.encode import Encoder, Env, Unsupported, aggregated_sets, sized_sets
from .prove.model import Renderer
from .prove.sums import set_sum
from .run import Run
from .values import show, to_json

DEFAULT_DEPTH = 6
_VIEW_OFFSET = 10**7  # fresh-name counter of the old version's view: its names never meet the new ones'


class NotComparable(Exception):
    """An old part reads something the new spec does not declare."""


@dataclass
class Witness:
    """A state (and, for an action, a call) that tells two versions apart, in typed values
    (`specforge.values`); `types` gives each leaf's and parameter's type, for printing and JSON."""

    state: dict[str, object]
    args: dict[str, object] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)
    note: str | None = None
    types: dict[str, ir.Type] = field(default_factory=dict, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"state": {k: to_json(v, self.types[k]) for k, v in self.state.items()},
                "args": {k: to_json(v, self.types[k]) for k, v in self.args.items()},
                "sets": self.sets, **({"note": self.note} if self.note else {})}

    def text(self) -> str:
        state = ", ".join(f"{k} = {show(v, self.types[k])}" for k, v in self.state.items())
        call = ", ".join(f"{k}={show(v, self.types[k])}" for k, v in self.args.items())
        sets = "; ".join(f"{s} = {{{', '.join(e)}}}" for s, e in self.sets.items())
        text = f"state {state}" + (f"; call ({call})" if self.args else "") + (f"; {sets}" if sets else "")
        return text + (f" ({self.note})" if self.note else "")


@dataclass
class InvariantChange:
    id: str
    kind: str  # added, removed, renamed, equivalent, stronger, weaker, incomparable, not comparable, unknown
    old_id: str | None = None
    old_level: str | None = None
    new_level: str | None = None
    line: int | None = None
    only_old: Witness | None = None  # a state the old invariant allows and the new one does not
    only_new: Witness | None = None  # a state the new invariant allows and the old one does not
    reason: str | None = None

    @property
    def weakened(self) -> bool:
        """Whether the change can let through a state the old version refused."""
        return (self.kind in ("removed", "weaker", "incomparable", "not comparable", "unknown")
                or _lower(self.old_level, self.new_level))


@dataclass
class ActionChange:
    name: str
    kind: str  # added, removed, changed, unchanged, not comparable
    line: int | None = None
    accepts_more: Witness | None = None  # a call the new guards accept and the old refuse
    accepts_fewer: Witness | None = None  # a call the old guards accept and the new refuse
    effect: Witness | None = None  # a call both accept whose results differ
    errors_added: list[str] = field(default_factory=list)
    errors_removed: list[str] = field(default_factory=list)
    errors_renamed: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None


@dataclass
class Behaviour:
    refines: bool | None  # every run of NEW is a run of OLD (None: not decided)
    how: str
    run: Run | None = None  # a shortest run NEW allows whose last step OLD does not take alike
    note: str | None = None  # why that last step (or, with no calls, the initial state) is not OLD's


@dataclass
class SpecDiff:
    old: str
    new: str
    invariants: list[InvariantChange]
    actions: list[ActionChange]
    init: list[tuple[str, object, object, ir.Type]]  # leaf, old value, new value, its type
    behaviour: Behaviour
    accepted: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[str]:
        """What fails the CI gate: each item says what was weakened and how, unless accepted."""
        out = []
        for c in self.invariants:
            if c.old_level == "MUST" and c.weakened and c.kind != "added":
                if c.id not in self.accepted and (c.old_id or c.id) not in self.accepted:
                    how = (f"moved from MUST to {c.new_level}" if _lower(c.old_level, c.new_level) and
                           c.kind in ("equivalent", "stronger") else c.kind)
                    out.append(f"MUST invariant {c.old_id or c.id} {how}")
        for a in self.actions:
            for error in a.errors_removed:
                if f"{a.name}.{error}" not in self.accepted and error not in self.accepted:
                    out.append(f"failure mode {error} of `{a.name}` dropped")
        return out

    def to_json(self) -> dict:
        def change(c) -> dict:
            d = asdict(c)
            for k in list(d):
                w = getattr(c, k)
                if isinstance(w, Witness):
                    d[k] = w.to_json()
            return d

        return {"format": 1, "old": self.old, "new": self.new,
                "invariants": [change(c) for c in self.invariants],
                "actions": [change(a) for a in self.actions],
                "init": [{"leaf": p, "old": to_json(a, t), "new": to_json(b, t)} for p, a, b, t in self.init],
                "behaviour": {"refines": self.behaviour.refines, "how": self.behaviour.how,
                              "note": self.behaviour.note,
                              "run": self.behaviour.run.to_json() if self.behaviour.run else None},
                "blocking": self.blocking, "accepted": self.accepted}


_LEVELS = {"MUST": 3, "SHOULD": 2, "MAY": 1}


def _lower(old: str | None, new: str | None) -> bool:
    return old is not None and new is not None and _LEVELS[new] < _LEVELS[old]


# ---- the comparison ----------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: ir.Spec, new: ir.Spec, timeout: float, depth: int):
        self.oldspec, self.newspec = old, new
        self.enc = Encoder(new)
        # sums the old version takes over sets get their axioms too (prove/sums.py)
        sized = sized_sets(old)
        for name in aggregated_sets(old):
            if name in self.enc.set_sorts and name not in self.enc.set_sums:
                self.enc.set_sums[name] = set_sum(name, self.enc.set_sorts[name], self.enc.set_members[name],
                                                  name in sized)
        self.view = copy.copy(self.enc)  # the old version, read through the new declarations
        self.view.spec = old
        self.view.consts = {c.name: c for c in old.consts}
        self.view._fresh = _VIEW_OFFSET
        self.render = Renderer(self.enc)
        self.timeout_ms = max(1, int(timeout * 1000))
        self.depth = depth
        self.state = self.enc.state("d")
        self.types = [b for b in self.enc.type_invariants(self.state).values()]

    def solver(self) -> z3.Solver:
        s = z3.Solver()
        s.set("timeout", self.timeout_ms)
        s.add(*self.enc.background())
        return s

    def _encode(self, enc: Encoder, fn):
        try:
            return fn()
        except (KeyError, Unsupported) as e:
            missing = e.args[0] if e.args else "?"
            raise NotComparable(f"the old version reads `{missing}`, which the new spec does not declare "
                                f"the same way") from None

    def witness(self, *facts, params=None, action: ir.Action | None = None) -> Witness | None | str:
        """A model of the facts as a witness, None when there is none, "unknown" when z3 cannot tell."""
        s = self.solver()
        s.add(*self.types, *facts)
        r = s.check()
        if r == z3.unsat:
            return None
        if r == z3.unknown:
            return "unknown"
        m = self._small(s, [*self.state.values(), *(params or {}).values()])
        names = self.render._names(m)
        state = {leaf.path: self.render.value(m, self.state[leaf.path], leaf.type, names) for leaf in self.enc.leaves}
        args = ({p.name: self.render.value(m, params[p.name], p.type.resolved, names) for p in action.params}
                if action is not None else {})
        types = {leaf.path: leaf.type for leaf in self.enc.leaves}
        types.update({p.name: p.type.resolved for p in (action.params if action is not None else [])})
        return Witness(state, args, self.render.sets(m), types=types)

    def _small(self, s: z3.Solver, terms) -> z3.ModelRef:
        """After sat: a model whose integers are small where the solver can keep them so."""
        ints = [t for t in terms if z3.is_int(t)]
        for bound in (10, 1000):
            if not ints:
                break
            s.push()
            s.add(*[z3.And(v >= -bound, v <= bound) for v in ints])
            if s.check() == z3.sat:
                m = s.model()
                s.pop()
                return m
            s.pop()
        s.check()
        return s.model()

    # -- invariants

    def invariants(self) -> list[InvariantChange]:
        old = {i.id: i for i in self.oldspec.invariants}
        new = {i.id: i for i in self.newspec.invariants}
        bodies_old = {digest(i.expr): i.id for i in self.oldspec.invariants if i.id not in new}
        out, renamed_from = [], {}
        for inv in self.newspec.invariants:
            if inv.id not in old and digest(inv.expr) in bodies_old:
                renamed_from[inv.id] = bodies_old.pop(digest(inv.expr))
        gone = set(renamed_from.values())
        for inv in self.newspec.invariants:
            before = old.get(inv.id) or old.get(renamed_from.get(inv.id, ""))
            if before is None:
                out.append(InvariantChange(inv.id, "added", new_level=inv.level.value, line=inv.span.line))
                continue
            change = self.compare(before, inv)
            if inv.id in renamed_from:
                change.old_id = before.id
                if change.kind == "equivalent":
                    change.kind = "renamed"
            out.append(change)
        for inv in self.oldspec.invariants:
            if inv.id not in new and inv.id not in gone:
                out.append(InvariantChange(inv.id, "removed", old_level=inv.level.value, line=inv.span.line))
        return out

    def compare(self, before: ir.Invariant, after: ir.Invariant) -> InvariantChange:
        change = InvariantChange(after.id, "equivalent", old_level=before.level.value, new_level=after.level.value,
                                 line=after.span.line)
        try:
            fo = self._encode(self.view, lambda: self.view.expr(before.expr, Env(dict(self.state))))
        except NotComparable as e:
            change.kind, change.reason = "not comparable", str(e)
            return change
        fn = self.enc.expr(after.expr, Env(dict(self.state)))
        only_old = self.witness(fo, z3.Not(fn))
        only_new = self.witness(fn, z3.Not(fo))
        if "unknown" in (only_old, only_new):
            change.kind, change.reason = "unknown", "z3 could not compare them within the time limit"
            return change
        change.only_old, change.only_new = only_old, only_new
        change.kind = {(False, False): "equivalent", (True, False): "stronger", (False, True): "weaker",
                       (True, True): "incomparable"}[(only_old is not None, only_new is not None)]
        return change

    # -- actions

    def actions(self) -> list[ActionChange]:
        old = {a.name: a for a in self.oldspec.actions}
        new = {a.name: a for a in self.newspec.actions}
        out = []
        for a in self.newspec.actions:
            if a.name not in old:
                out.append(ActionChange(a.name, "added", a.span.line,
                                        errors_added=_errors(a)))
            else:
                out.append(self.compare_action(old[a.name], a))
        for a in self.oldspec.actions:
            if a.name not in new:
                out.append(ActionChange(a.name, "removed", a.span.line, errors_removed=_errors(a)))
        return out

    def _signature(self, a: ir.Action) -> list[tuple[str, str]]:
        return [(p.name, digest(p.type.resolved)) for p in a.choices]

    def compare_action(self, before: ir.Action, after: ir.Action) -> ActionChange:
        change = ActionChange(after.name, "unchanged", after.span.line)
        olds, news = _errors(before), _errors(after)
        renamed = [(g.error, h.error) for g, h in zip(before.guards, after.guards, strict=False)
                   if g.error and h.error and g.error != h.error and digest(g.cond) == digest(h.cond)
                   and g.error not in news and h.error not in olds]
        change.errors_renamed = renamed
        change.errors_removed = [e for e in olds if e not in news and e not in dict(renamed)]
        change.errors_added = [e for e in news if e not in olds and e not in {n for _, n in renamed}]
        if self._signature(before) != self._signature(after):
            change.kind, change.reason = "not comparable", "its parameters changed (names or types)"
            if self._signature(before)[:len(before.params)] == self._signature(after)[:len(after.params)]:
                change.reason = "its effect reads its answer in one version only, or the answer's type changed"
            return change
        params, bounds = self.enc.params(after, "d")
        try:
            g_old, post_old = self._encode(self.view, lambda: self.view.transition(before, dict(self.state), params))
        except NotComparable as e:
            change.kind, change.reason = "not comparable", str(e)
            return change
        g_new, post_new = self.enc.transition(after, dict(self.state), params)
        old_ok, new_ok = z3.And(*g_old), z3.And(*g_new)
        more = self.witness(*bounds, new_ok, z3.Not(old_ok), params=params, action=after)
        fewer = self.witness(*bounds, old_ok, z3.Not(new_ok), params=params, action=after)
        differs = [post_old[p] != post_new[p] for p in post_new if p in post_old]
        effect = self.witness(*bounds, old_ok, new_ok, z3.Or(*differs), params=params, action=after) if differs else None
        if "unknown" in (more, fewer, effect):
            change.kind, change.reason = "not comparable", "z3 could not compare them within the time limit"
            return change
        if isinstance(effect, Witness):
            m_leaves = [p for p in post_new if p in post_old]
            effect.note = self._effect_note(after, params, bounds, old_ok, new_ok, post_old, post_new, m_leaves)
        change.accepts_more, change.accepts_fewer, change.effect = more, fewer, effect
        if more or fewer or effect or change.errors_added or change.errors_removed or change.errors_renamed:
            change.kind = "changed"
        return change

    def _effect_note(self, action, params, bounds, old_ok, new_ok, post_old, post_new, leaves) -> str:
        for p in leaves:
            s = self.solver()
            s.add(*self.types, *bounds, old_ok, new_ok, post_old[p] != post_new[p])
            if s.check() == z3.sat:
                return f"`{p}` differs"
        return "the results differ"

    # -- init and behaviour

    def init(self) -> list[tuple[str, object, object]]:
        try:
            io = self._encode(self.view, self.view.init_state)
        except NotComparable:
            return []
        inew = self.enc.init_state()
        out = []
        for leaf in self.enc.leaves:
            p = leaf.path
            if p not in io or p not in inew:
                continue
            w = self.witness(io[p] != inew[p])
            if isinstance(w, Witness):
                s = self.solver()
                s.add(io[p] != inew[p])
                s.check()
                m = s.model()
                names = self.render._names(m)
                out.append((p, self.render.value(m, io[p], leaf.type, names),
                            self.render.value(m, inew[p], leaf.type, names), leaf.type))
        return out

    def behaviour(self, actions: list[ActionChange], init_changed: bool) -> Behaviour:
        steps_agree = all(a.kind == "unchanged" or (a.kind == "changed" and a.accepts_more is None
                                                    and a.effect is None)
                          for a in actions if a.kind != "removed")
        if steps_agree and not init_changed:
            return Behaviour(True, "every step of the new spec is a step of the old one from the same state, "
                                   "and init is the same: every run of the new spec is a run of the old one")
        old = {a.name: a for a in self.oldspec.actions}
        for k in range(self.depth + 1):
            found = self._bmc(k, old)
            if isinstance(found, Behaviour):
                return found
            if found == "unknown":
                return Behaviour(None, f"undecided: z3 could not finish the search at {k} steps")
        return Behaviour(None, f"no run of up to {self.depth + 1} steps does what the old spec cannot; "
                               "beyond that, not decided (a step of the new spec differs from the old one "
                               "in some state the runs searched do not reach)")

    def _bmc(self, k: int, old: dict[str, ir.Action]):
        """A run of k new steps from the new init, then one step the old spec does not take alike
        (for k == 0 and a changed init: the initial state itself)."""
        s = self.solver()  # a fresh solver per depth: scoped checks over lambdas can come back unknown
        init_new = self.enc.init_state()
        states = [self.enc.state(f"b{k}.0")]
        s.add(*[states[0][p] == init_new[p] for p in states[0]])
        choices = []
        for i in range(k):
            nxt = self.enc.state(f"b{k}.{i + 1}")
            choice = z3.Int(f"step@{k}.{i}")
            options = []
            for j, a in enumerate(self.newspec.actions):
                params, bounds = self.enc.params(a, f"b{k}.{i}")
                guards, post = self.enc.transition(a, states[-1], params)
                s.add(z3.Implies(choice == j, z3.And(*bounds, *guards, *[nxt[p] == post[p] for p in nxt])))
                options.append((a, params))
            s.add(choice >= 0, choice < len(self.newspec.actions))
            states.append(nxt)
            choices.append((choice, options))
        endings: list[tuple[ir.Action | None, dict, dict, z3.BoolRef]] = []
        if k == 0:
            try:
                init_old = self._encode(self.view, self.view.init_state)
                differs = [init_old[p] != init_new[p] for p in init_new if p in init_old]
                if differs:
                    endings.append((None, {}, {}, z3.Or(*differs)))
            except NotComparable:
                pass
        for a in self.newspec.actions:
            params, bounds = self.enc.params(a, f"b{k}.last")
            guards, post = self.enc.transition(a, states[-1], params)
            if a.name not in old:
                escape = z3.BoolVal(True)
            elif self._signature(old[a.name]) != self._signature(a):
                continue
            else:
                try:
                    g_old, post_old = self._encode(self.view, lambda a=a, params=params: self.view.transition(
                        old[a.name], dict(states[-1]), params))
                except NotComparable:
                    continue
                escape = z3.Or(z3.Not(z3.And(*g_old)), *[post_old[p] != post[p] for p in post if p in post_old])
            endings.append((a, params, post, z3.And(*bounds, *guards, escape)))
        if not endings:
            return None
        last = z3.Int(f"last@{k}")
        s.add(last >= 0, last < len(endings), *[z3.Implies(last == i, c) for i, (_, _, _, c) in enumerate(endings)])
        r = s.check()
        if r == z3.unsat:
            return None
        if r == z3.unknown:
            return "unknown"
        m = s.model()
        names = self.render._names(m)
        states = [self._state(m, states[0], names)] + [self._state(m, st, names) for st in states[1:]]
        calls = []
        for choice, options in choices:
            a, params = options[m.eval(choice, model_completion=True).as_long()]
            calls.append((a.name, self._args(m, a, params, names)))
        a, params, post, _ = endings[m.eval(last, model_completion=True).as_long()]
        if a is None:
            note = "the old spec starts in another state"
        else:
            calls.append((a.name, self._args(m, a, params, names)))
            states.append(self._state(m, post, names))
            note = (f"`{a.name}` is not an action of the old spec" if a.name not in old else
                    "the old spec refuses this last call here, or ends in another state")
        run = Run.of(self.newspec, self.render.sets(m), states, calls)
        return Behaviour(False, "the new spec allows a run the old one does not", run, note)

    def _state(self, m, state, names) -> dict:
        return {leaf.path: self.render.value(m, state[leaf.path], leaf.type, names) for leaf in self.enc.leaves}

    def _args(self, m, a, params, names) -> dict:
        return {p.name: self.render.value(m, params[p.name], p.type.resolved, names) for p in a.params}


def _errors(a: ir.Action) -> list[str]:
    return list(dict.fromkeys(g.error for g in a.guards if g.error))


def diff(old: ir.Spec, new: ir.Spec, old_name: str = "OLD", new_name: str = "NEW", timeout: float = 10.0,
         depth: int = DEFAULT_DEPTH, accepted: list[str] | None = None) -> SpecDiff:
    d = _Differ(old, new, timeout, depth)
    actions = d.actions()
    init = d.init()
    return SpecDiff(old_name, new_name, d.invariants(), actions, init, d.behaviour(actions, bool(init)),
                    list(accepted or []))


# ---- rendering ------------------------------------------------------------------------------------


_WHAT = {"stronger": "stronger (the new version allows fewer states)",
         "weaker": "WEAKER (the new version allows more states)",
         "incomparable": "INCOMPARABLE (each allows a state the other refuses)"}


def render_text(d: SpecDiff) -> str:
    lines = [f"specforge diff {d.old} -> {d.new}", "", "invariants:"]
    for c in d.invariants:
        what = _WHAT.get(c.kind, c.kind)
        if c.old_id:
            what += f" (was {c.old_id})"
        if _lower(c.old_level, c.new_level) or (c.old_level and c.new_level and c.old_level != c.new_level):
            what += f"; level {c.old_level} -> {c.new_level}"
        lines.append(f"  {c.id:<14} {what}" + (f": {c.reason}" if c.reason else ""))
        if c.only_new:
            lines.append(f"      allowed only by the new version: {c.only_new.text()}")
        if c.only_old:
            lines.append(f"      allowed only by the old version: {c.only_old.text()}")
    lines += ["", "actions:"]
    for a in d.actions:
        lines.append(f"  {a.name:<14} {a.kind}" + (f": {a.reason}" if a.reason else ""))
        if a.accepts_more:
            lines.append(f"      accepts more: {a.accepts_more.text()}")
        if a.accepts_fewer:
            lines.append(f"      accepts fewer: {a.accepts_fewer.text()}")
        if a.effect:
            lines.append(f"      different effect: {a.effect.text()}")
        for old, new in a.errors_renamed:
            lines.append(f"      failure mode {old} renamed {new}")
        for e in a.errors_added:
            lines.append(f"      failure mode {e} added")
        for e in a.errors_removed:
            lines.append(f"      failure mode {e} REMOVED")
    if d.init:
        lines += ["", "init:"] + [f"  {p}: {show(a, t)} -> {show(b, t)}" for p, a, b, t in d.init]
    lines += ["", f"behaviour: {d.behaviour.how}"]
    run = d.behaviour.run
    if run is not None:
        state = ", ".join(f"{p} = {run.show_value(0, p)}" for p in run.types.leaf_types)
        lines.append(f"  0. init  [{state}]" + (f"  <- {d.behaviour.note}" if not run.calls else ""))
        for i in range(run.steps):
            state = ", ".join(f"{p} = {run.show_value(i + 1, p)}" for p in run.types.leaf_types)
            last = i == run.steps - 1
            lines.append(f"  {i + 1}. {run.show_call(i)}  [{state}]" + (f"  <- {d.behaviour.note}" if last else ""))
    blocking = d.blocking
    lines.append("")
    if blocking:
        lines.append("BLOCKING (accept each with --accept ID if it is intended):")
        lines += [f"  - {b}" for b in blocking]
    else:
        lines.append("no guarantee weakened" + (f" (accepted: {', '.join(d.accepted)})" if d.accepted else ""))
    return "\n".join(lines) + "\n"


def render_markdown(d: SpecDiff) -> str:
    lines = [f"### specforge diff `{d.old}` → `{d.new}`", ""]
    blocking = d.blocking
    lines.append("**Guarantees weakened:** " + ("; ".join(blocking) if blocking else "none") + "")
    lines += ["", "| invariant | change | level | witness |", "| --- | --- | --- | --- |"]
    for c in d.invariants:
        level = (c.old_level or "") + (f" → {c.new_level}" if c.new_level and c.new_level != c.old_level else "")
        w = c.only_new or c.only_old
        what = c.kind + (f" (was `{c.old_id}`)" if c.old_id else "")
        lines.append(f"| `{c.id}` | {what} | {level} | {_md(w.text()) if w else ''} |")
    lines += ["", "| action | change | details |", "| --- | --- | --- |"]
    for a in d.actions:
        details = []
        if a.accepts_more:
            details.append("accepts more: " + a.accepts_more.text())
        if a.accepts_fewer:
            details.append("accepts fewer: " + a.accepts_fewer.text())
        if a.effect:
            details.append("effect differs: " + a.effect.text())
        details += [f"`{o}` renamed `{n}`" for o, n in a.errors_renamed]
        details += [f"`{e}` added" for e in a.errors_added] + [f"**`{e}` removed**" for e in a.errors_removed]
        if a.reason:
            details.append(a.reason)
        lines.append(f"| `{a.name}` | {a.kind} | {_md('<br>'.join(details))} |")
    lines += ["", f"**Behaviour:** {d.behaviour.how}"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


__all__ = ["ActionChange", "Behaviour", "InvariantChange", "SpecDiff", "Witness", "diff", "render_markdown",
           "render_text"]

