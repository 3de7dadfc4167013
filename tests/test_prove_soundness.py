"""The prover's verdicts on specs whose truth is known. A wrong `proved` is the worst bug there is."""

from __future__ import annotations

import pytest

from specforge.frontend import load_text
from specforge.prove import Verdict, prove


def run(text: str, depth: int = 10, timeout: float = 10.0, **options):
    loaded = load_text(text, "case.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    report = prove(loaded.spec, depth=depth, timeout=timeout, **options)
    return report, {r.id: r for r in report.invariants}


COUNTER = """\
spec Counter
state {
  x: int
  y: int
}
init {
  x := 0
  y := 0
}
action step() {
  y := y + 1
  x := x + y
}
"""


def test_an_inductive_invariant_is_proved_on_its_own():
    _, r = run(COUNTER + "invariant Y: y >= 0\n")
    assert r["Y"].verdict is Verdict.PROVED and r["Y"].method == "inductive" and r["Y"].supported_by == []


def test_an_invariant_true_only_together_with_another_is_proved_with_it():
    _, r = run(COUNTER + "invariant X: x >= 0\ninvariant Y: y >= 0\n")
    assert r["X"].verdict is Verdict.PROVED
    assert r["X"].method == "inductive with others" and r["X"].supported_by == ["Y"]


def test_a_true_invariant_needing_a_strengthening_is_proved_and_the_strengthening_shown():
    _, r = run(COUNTER + "invariant X: x >= 0\n", infer_budget=0)
    x = r["X"]
    assert x.verdict is Verdict.PROVED and x.method == "strengthened"
    assert "y" in x.strengthening  # the supporting fact is about y


def test_a_true_invariant_needing_support_is_proved_with_an_inferred_invariant_shown():
    report, r = run(COUNTER + "invariant X: x >= 0\n")
    x = r["X"]
    assert x.verdict is Verdict.PROVED and x.method == "inferred"
    (support,) = report.inferred
    assert support.supports == ["X"] and "y" in support.text and support.id in x.supported_by


def test_a_false_helper_does_not_prove_anything():
    # X is preserved only if Y holds, and Y is false: X must not be proved on Y's word.
    _, r = run(COUNTER.replace("  y := y + 1\n", "  y := y - 1\n") + "invariant X: x >= 0\ninvariant Y: y >= 0\n")
    assert r["Y"].verdict is Verdict.VIOLATED
    assert r["X"].verdict is Verdict.VIOLATED
    assert r["X"].run.steps == 1  # init, then one step to x = -1


def test_violated_at_init():
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := -1\n}\ninvariant P: x >= 0\n")
    p = r["P"]
    assert p.verdict is Verdict.VIOLATED and p.run.steps == 0
    assert p.run.states == ({"x": -1},)


def test_violated_after_several_steps_with_the_shortest_trace():
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
               "action inc() {\n  x := x + 1\n}\naction jump() {\n  requires x == 1\n  x := 2\n}\n"
               "invariant P: x < 3\n")
    found = r["P"].run
    assert r["P"].verdict is Verdict.VIOLATED
    # x = 0 -> 1 -> 2 -> 3: three steps are needed whatever the actions, and no more are shown
    assert [s["x"] for s in found.states] == [0, 1, 2, 3]
    assert found.calls[-1].action == "inc"


def test_a_violation_that_needs_two_distinct_set_elements_is_found():
    _, r = run("spec T\nset Account\nstate {\n  marked: map[Account, bool]\n}\n"
               "init {\n  marked := {a: false for a in Account}\n}\n"
               "action mark(a: Account) {\n  marked[a] := true\n}\n"
               "invariant ONE: forall a, b in Account: marked[a] and marked[b] implies a == b\n")
    one = r["ONE"]
    assert one.verdict is Verdict.VIOLATED and one.run.steps == 2
    first, second = one.run.calls[0].args["a"], one.run.calls[1].args["a"]
    assert first != second


def test_contradictory_invariants_are_named():
    report, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
                    "invariant POS: x > 0\ninvariant NEG: x < 0\ninvariant FINE: x == x\n")
    (finding,) = [f for f in report.findings if f.kind == "inconsistent"]
    assert set(finding.ids) == {"POS", "NEG"} and finding.line == 8
    assert r["POS"].verdict is Verdict.VIOLATED


def test_a_dead_action_is_reported():
    report, _ = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant P: x >= 0\n"
                    "action never() {\n  requires x < 0 else Impossible\n  x := 1\n}\n"
                    "action fine() {\n  requires x >= 0\n  x := x + 1\n}\n")
    dead = [f for f in report.findings if f.kind == "dead-action"]
    assert [f.ids for f in dead] == [["never"]] and dead[0].line == 9


@pytest.mark.parametrize("invariant,verdict", [
    ("ttl <= 15 min", Verdict.PROVED),
    ("ttl == 15 minutes", Verdict.PROVED),
    ("ttl < 15 min", Verdict.VIOLATED),
    ("ttl <= 899 s + 999 ms", Verdict.VIOLATED),
    ("ttl * 4 == 1 h", Verdict.PROVED),
])
def test_units_convert_exactly(invariant, verdict):
    _, r = run(f"spec T\nstate {{\n  ttl: duration\n}}\ninit {{\n  ttl := 900 s\n}}\ninvariant U: {invariant}\n")
    assert r["U"].verdict is verdict


def test_a_declared_type_bound_is_an_obligation_not_an_assumption():
    _, r = run("spec T\nstate {\n  n: nat\n}\ninit {\n  n := 0\n}\naction dec() {\n  n := n - 1\n}\n"
               "invariant TRUE: n == n\n")
    t = r["type:n"]
    assert t.verdict is Verdict.VIOLATED and t.run.states[-1] == {"n": -1}


@pytest.mark.parametrize("expr,verdict", [
    ("-7 / 2 == -4", Verdict.PROVED),   # floor division, as in Python
    ("-7 % 2 == 1", Verdict.PROVED),
    ("7 / -2 == -4", Verdict.PROVED),
    ("7 % -2 == -1", Verdict.PROVED),
    ("-7 / 2 == -3", Verdict.VIOLATED),
])
@pytest.mark.parametrize("explore", [3, -1], ids=["explicit search too", "z3 alone"])
def test_division_is_floor_division(expr, verdict, explore):
    _, r = run(f"spec T\nstate {{\n  x: int\n}}\ninit {{\n  x := 0\n}}\ninvariant D: {expr}\n",
               explore_size=explore)
    assert r["D"].verdict is verdict


def test_an_initial_violation_z3_finds_is_not_overruled_by_the_explicit_search(monkeypatch):
    """If the encoding and the evaluator disagree (a bug in one of them), the explicit search's finding
    nothing never turns into a proof, and the run z3 found is not reported either (it does not replay on
    the interpreter, prove/replay.py): the verdict is unknown and says so. Here the encoding is made to
    take `/` as SMT-LIB's division, so z3 finds `7 / -2 == -4` false initially while the interpreter,
    evaluating it as the language says, finds it true in the one reachable state."""
    from specforge.prove import encode

    monkeypatch.setattr(encode, "_floor_div", lambda a, b: a / b)
    monkeypatch.setitem(encode._ARITH, encode.ir.BinOp.DIV, lambda a, b: a / b)
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant D: 7 / -2 == -4\n")
    assert r["D"].verdict is Verdict.UNKNOWN and r["D"].run is None
    assert "does not replay on the spec's interpreter (D holds in the last state)" in r["D"].reason


def test_a_bounded_search_never_proves_a_violation_it_cannot_reach():
    # P breaks after 12 steps; with depth 5 (and no explicit search) the verdict must be unknown, never proved.
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
               "invariant P: x < 12\n", depth=5, explore_size=-1)
    p = r["P"]
    assert p.verdict is Verdict.UNKNOWN
    assert "5 steps" in p.reason
    assert p.counterexample is not None and p.counterexample.calls[0].action == "inc"
    assert p.counterexample.states == ({"x": 11}, {"x": 12}) and p.counterexample.breaks == "P"


def test_the_explicit_search_finds_the_same_violation_beyond_the_smt_depth():
    # the explicit engine is not bounded by --depth: its run is a real one, and the shortest
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
               "invariant P: x < 12\n", depth=5)
    assert r["P"].verdict is Verdict.VIOLATED and r["P"].run.steps == 12
    assert [s["x"] for s in r["P"].run.states] == list(range(13))


def test_the_same_spec_is_violated_when_the_depth_reaches_the_bug():
    _, r = run("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
               "invariant P: x < 12\n", depth=12)
    assert r["P"].verdict is Verdict.VIOLATED and r["P"].run.steps == 12


def test_a_failed_guard_leaves_the_state_unchanged():
    # withdraw guards the balance; without the guard the invariant would break
    _, r = run("spec T\nstate {\n  b: int\n}\ninit {\n  b := 0\n}\n"
               "action deposit(n: int) {\n  requires n > 0 else Bad\n  b := b + n\n}\n"
               "action withdraw(n: int) {\n  requires n > 0 else Bad\n  requires n <= b else Insufficient\n"
               "  b := b - n\n}\ninvariant P: b >= 0\n")
    assert r["P"].verdict is Verdict.PROVED


def test_missing_guard_is_caught_with_a_real_trace():
    _, r = run("spec T\nstate {\n  b: int\n}\ninit {\n  b := 0\n}\n"
               "action withdraw(n: int) {\n  requires n > 0 else Bad\n  b := b - n\n}\ninvariant P: b >= 0\n")
    found = r["P"].run
    assert r["P"].verdict is Verdict.VIOLATED and found.steps == 1
    assert found.calls[0].args["n"] > 0 and found.states[1]["b"] < 0


def test_assignments_run_in_order():
    # the second assignment sees the first: x ends as 2, so P holds; a simultaneous reading would give 1
    _, r = run("spec T\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := 0\n  y := 0\n}\n"
               "action go() {\n  requires x == 0\n  y := 1\n  x := y + 1\n}\n"
               "invariant P: x == 0 or x == 2\n")
    assert r["P"].verdict is Verdict.PROVED


def test_a_map_entry_update_changes_only_that_entry():
    _, r = run("spec T\nset Account\nstate {\n  bal: map[Account, int]\n}\n"
               "init {\n  bal := {a: 0 for a in Account}\n}\n"
               "action pay(a: Account, n: int) {\n  requires n > 0\n  bal[a] := bal[a] + n\n}\n"
               "invariant P: forall a in Account: bal[a] >= 0\n")
    assert r["P"].verdict is Verdict.PROVED


def test_a_transfer_without_the_distinctness_guard_is_still_safe_but_one_that_drops_it_breaks_conservation():
    spec = ("spec T\nset Account\nconst TOTAL: int = 0\nstate {\n  bal: map[Account, int]\n}\n"
            "init {\n  bal := {a: 0 for a in Account}\n}\n"
            "action transfer(s: Account, d: Account, n: int) {\n  requires n > 0\n  requires bal[s] >= n\n"
            "  bal[s] := bal[s] - n\n  bal[d] := bal[d] + n\n}\n"
            "invariant NONNEG: forall a in Account: bal[a] >= 0\n")
    _, r = run(spec)
    assert r["NONNEG"].verdict is Verdict.PROVED
    _, r = run(spec.replace("  requires bal[s] >= n\n", ""))
    assert r["NONNEG"].verdict is Verdict.VIOLATED


def test_every_example_is_proved():
    from pathlib import Path

    from specforge.frontend import load

    for path in sorted((Path(__file__).parent.parent / "examples").glob("*.sf")):
        report = prove(load(str(path)).spec)
        assert not report.must_fails, (path.name, [(i.id, i.verdict, i.reason) for i in report.must_fails])
        assert all(i.verdict is Verdict.PROVED for i in report.invariants), path.name


def test_a_set_may_be_empty():
    # z3's sorts are never empty, a spec's sets may be: `exists` must not be proved on that assumption
    _, r = run("spec T\nset Account\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
               "invariant SOME: exists a in Account: true\ninvariant ALL: forall a in Account: x == 0\n")
    assert r["SOME"].verdict is Verdict.VIOLATED and r["SOME"].run.sets == {"Account": ()}
    assert r["ALL"].verdict is Verdict.PROVED


def test_a_trace_names_the_set_elements_it_uses():
    _, r = run("spec T\nset Item\nstate {\n  x: int\n}\ninit {\n  x := 2\n}\n"
               "invariant I: forall k in 0..x: forall i in Item: k > 0\n")
    assert r["I"].verdict is Verdict.VIOLATED and len(r["I"].run.sets["Item"]) >= 1


# `mark` needs three distinct nodes. Sampled at up to two nodes it never fires, so
# `forall n in Node: not marked[n]` looks true there, and with it QUIET would be
# inductive; at three nodes both are false.
ONLY_AT_THREE = """\
spec OnlyAtThree
set Node
state {
  marked: map[Node, bool]
  alarm: bool
}
init {
  marked := {n: false for n in Node}
  alarm := false
}
action mark(a: Node, b: Node, c: Node) {
  requires a != b and b != c and a != c
  marked[a] := true
}
action ring(n: Node) {
  requires marked[n]
  alarm := true
}
invariant QUIET: not alarm
"""


def test_a_candidate_true_at_size_two_but_false_at_three_proves_nothing(monkeypatch):
    from specforge.explore import sample
    from specforge.prove import candidates, infer
    from specforge.prove.engine import Prover

    monkeypatch.setattr(infer, "LARGEST_SAMPLE", 2)  # the samples see one or two nodes only
    spec = load_text(ONLY_AT_THREE, "case.sf").spec
    vocab = candidates.vocabulary(spec, 2)
    masks, full = candidates.truth(vocab, sample(spec, infer.sizes_up_to(spec, 2)))
    assert "forall n1 in Node: not marked[n1]" in {candidates.text(vocab, c)
                                                   for c in candidates.clauses(vocab, masks, full, 2)}
    found = infer.infer(Prover(spec), ["QUIET"], set(), 30)
    assert found.support == [] and found.goals == []
    # the whole prover, its explicit search of small worlds off so that the inference gets the goal
    report, r = run(ONLY_AT_THREE, explore_size=-1)
    quiet = r["QUIET"]
    assert quiet.verdict is Verdict.VIOLATED and report.inferred == []
    assert quiet.run.steps == 2 and len(quiet.run.sets["Node"]) == 3  # mark, ring: three nodes needed


GROUP = """\
spec Group
set Node
state {
  joined: set[Node]
  acked: map[Node, set[Node]]
  leaving: set[Node]
}
init {
  joined := {}
  acked := {n: {} for n in Node}
  leaving := {}
}
invariant G-1: forall n in Node: forall m in Node: m in acked[n] implies m in joined
action join(n: Node) {
  requires n not in joined else AlreadyMember
  joined := add(joined, n)
}
action ack(n: Node, m: Node) {
  requires m in joined else NotMember
  requires m not in leaving else Leaving
  acked[n] := add(acked[n], m)
}
action start_leave(m: Node) {
  requires m in joined else NotMember
  leaving := add(leaving, m)
}
action leave(m: Node) {
  requires m in leaving else NotLeaving
  requires forall n in Node: m not in acked[n] else StillAcked
  joined := remove(joined, m)
  leaving := remove(leaving, m)
}
action ghost(n: Node, m: Node) {
  requires m in acked[n] else NotAcked
  requires m not in joined else Joined
  leaving := add(leaving, m)
}
"""


def test_an_action_the_short_question_leaves_open_is_judged_on_small_instances_and_a_dead_one_by_z3(monkeypatch):
    """z3's short question is made to answer nothing (as when building a state takes it long): the live
    actions are then settled by a reachable state of a small instance that lets them fire, and only
    `ghost` (dead: its guards contradict G-1) is asked again, with the whole time limit."""
    from specforge.prove import engine

    asked = []
    full = engine.Prover._dead_checks

    def slow(self, names, proved, limit_ms):
        asked.append((sorted(names), limit_ms))
        return [(n, None) for n in names] if limit_ms is not None else full(self, names, proved, limit_ms)

    monkeypatch.setattr(engine.Prover, "_dead_checks", slow)
    report = prove(load_text(GROUP, "group.sf").spec, explore_size=-1)
    assert [f.ids for f in report.findings if f.kind == "dead-action"] == [["ghost"]]
    assert asked == [(["ack", "ghost", "join", "leave", "start_leave"], engine.QUICK_DEAD_MS), (["ghost"], None)]


def test_an_action_no_answer_of_which_its_ensures_allow_is_dead_and_the_finding_says_why():
    """`quote` is enabled from n = 2, but its effect reads its answer and no answer meets its `ensures`
    after the call: it can never fire, and the finding names the `ensures`, not the guards alone."""
    text = ("spec Q\nstate {\n  n: int\n}\ninit {\n  n := 0\n}\naction bump() {\n  n := n + 1\n}\n"
            "action quote() -> int[0..9] {\n  requires n >= 2 else TooEarly\n  n := n + result\n"
            "  ensures result >= n + 5\n}\n")
    report = prove(load_text(text, "q.sf").spec)
    (dead,) = [f for f in report.findings if f.kind == "dead-action"]
    assert dead.ids == ["quote"] and "with an answer its `ensures` allow" in dead.message
