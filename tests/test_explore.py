"""The explicit-state engine (specforge.explore) against brute force, TLC and the prover's promises.

- Differential: on the random specs of tests/test_prove_differential.py, the engine at the brute
  force's bounds (Item with 0..2 elements, int arguments -3..5, no state range cut, no symmetry)
  reaches exactly the brute force's states, with the same diameter and the same shortest violation
  of every obligation; with symmetry, fewer states and the same shortest violations.
- Soundness: an obligation the engine proves (an exhaustive search) is never one brute force
  refutes, and an exhaustive search decides exactly what brute force decides. A table of specs
  where exhaustion must not be a proof (a set, a cut integer range, a pool of values, an undefined
  operation, the budget).
- The prover: Peterson's algorithm is proved by exhaustion, its buggy twin violated by the shortest
  run, which replays on the interpreter and reads back as the prover's runs do.
"""

from __future__ import annotations

import itertools

import pytest

from specforge.evaluate import Env
from specforge.explore import SHALLOW_DEPTH, Budget, explore, sample
from specforge.explore.instance import build, interval
from specforge.explore.search import Search
from specforge.explore.symmetry import Canonical
from specforge.frontend import load, load_text
from specforge.ir import MapT, SetT
from specforge.prove import Verdict, prove
from specforge.run import Run
from specforge.structure import leaves, obligation_ids

from .support import ROOT
from .test_prove_differential import INT_ARGS, ITEMS, generate, replay
from .test_prove_differential import explore as brute_force

SEEDS = range(60)
NO_CUT = (-10**9, 10**9)
PROTOCOLS = ROOT / "examples" / "protocols"


def spec_of(text: str):
    loaded = load_text(text, "case.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


def brute_bounds(spec) -> dict:
    """The brute force's calls: every int parameter takes -3..5."""
    return {(a.name, p.name): INT_ARGS for a in spec.actions for p in a.params}


# ---- against brute force ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engine_reaches_the_brute_forces_states_and_shortest_violations(seed):
    spec = spec_of(generate(seed))
    expected = brute_force(spec)
    bounds = dict(domains=brute_bounds(spec), state_range=NO_CUT, symmetric=False)
    everything = explore(spec, ITEMS, checks=[], **bounds)
    assert sum(s.states for s in everything.searched) == expected.states
    assert max(s.depth for s in everything.searched) == expected.diameter
    found = explore(spec, ITEMS, **bounds)
    assert {tid: v.length for tid, v in found.violations.items()} == expected.first


@pytest.mark.parametrize("seed", SEEDS)
def test_symmetry_keeps_every_shortest_violation_with_fewer_states(seed):
    spec = spec_of(generate(seed))
    bounds = dict(domains=brute_bounds(spec), state_range=NO_CUT)
    plain = explore(spec, ITEMS, symmetric=False, **bounds)
    reduced = explore(spec, ITEMS, symmetric=True, **bounds)
    assert {t: v.length for t, v in reduced.violations.items()} == {t: v.length for t, v in plain.violations.items()}
    for size in range(ITEMS + 1):
        vector = {s.name: size for s in spec.sets}
        every = Search(spec, build(spec, vector, bounds["domains"], NO_CUT), [], symmetric=False).run(Budget())
        fewer = Search(spec, build(spec, vector, bounds["domains"], NO_CUT), [], symmetric=True).run(Budget())
        assert len(fewer.nodes) == len(orbits(spec, every.states())), vector  # one state per class of renamings


NESTED = ("spec T\nset Client\nset Server\nstate {\n  link: map[Client, map[Server, bool]]\n"
          "  free: map[Server, bool]\n  seen: map[Server, map[Client, bool]]\n}\n"
          "init {\n  link := {c: {s: false for s in Server} for c in Client}\n  free := {s: true for s in Server}\n"
          "  seen := {s: {c: false for c in Client} for s in Server}\n}\n"
          "action connect(c: Client, s: Server) {\n  requires free[s]\n  link[c][s] := true\n  free[s] := false\n"
          "  seen[s][c] := true\n}\naction disconnect(c: Client, s: Server) {\n  requires link[c][s]\n"
          "  link[c][s] := false\n  free[s] := true\n}\n")


@pytest.mark.parametrize("seed", [*SEEDS[:30], "nested"])
def test_signature_canonical_forms_partition_states_as_every_permutation_does(seed):
    spec = spec_of(NESTED if seed == "nested" else generate(seed))
    if not spec.sets:
        return
    vectors = ([{"Client": 2, "Server": 2}, {"Client": 3, "Server": 2}] if seed == "nested"
               else [{"Item": 2}, {"Item": 3}])
    for vector in vectors:
        instance = build(spec, vector, brute_bounds(spec), NO_CUT)
        states = Search(spec, instance, [], symmetric=False).run(Budget()).states()
        args = (leaves(spec), instance.universe, Env.of(spec, instance.universe).enums)
        fast, every = Canonical(*args), Canonical(*args, exhaustive=True)
        by_fast, by_every = {}, {}
        for state in states:
            by_fast.setdefault(fast.key(state), set()).add(state)
            by_every.setdefault(every.key(state), set()).add(state)
        assert sorted(map(frozenset, by_fast.values()), key=hash) == sorted(map(frozenset, by_every.values()), key=hash)
        if seed == "nested":
            assert len(by_fast) < len(states)


def orbits(spec, states) -> set[frozenset]:
    """The classes of states equal up to a renaming of Item's elements, computed by renaming each state."""
    types = dict(leaves(spec))
    items = sorted({v for s in states for p, t in types.items() if isinstance(t, MapT) for v in s[p]})

    def rename(value, t, to):
        if isinstance(t, SetT):
            return to[value]
        if isinstance(t, MapT):
            return tuple(sorted((rename(k, t.key, to), rename(v, t.value, to)) for k, v in value.items()))
        return value

    found = set()
    for s in states:
        renamings = [dict(zip(items, perm, strict=True)) for perm in itertools.permutations(items)]
        found.add(frozenset(tuple(rename(s[p], t, to) for p, t in types.items()) for to in renamings))
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engine_never_proves_what_brute_force_refutes(seed):
    spec = spec_of(generate(seed))
    expected = brute_force(spec)
    found = explore(spec)  # the defaults the prover uses
    for tid in obligation_ids(spec):
        assert not (found.proved(tid) and tid in expected.first), f"UNSOUND: {tid} proved by exhaustion"
    if found.exhaustive:  # then it decided everything, exactly as brute force did
        assert {t: v.length for t, v in found.violations.items()} == expected.first


def test_the_random_specs_include_exhaustive_proofs_and_cut_searches():
    outcomes = {explore(spec_of(generate(seed))).exhaustive for seed in SEEDS}
    assert outcomes == {True, False}


# ---- when exhausting is a proof, and when it is not ------------------------------------------------------------

COUNTER = "spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"

NOT_A_PROOF = [
    # (why, spec, the obligation that must not be proved by exhaustion)
    ("a set: four marked nodes break it, three cannot",
     "spec T\nset Node\nstate {\n  on: map[Node, bool]\n}\ninit {\n  on := {n: false for n in Node}\n}\n"
     "action mark(n: Node) {\n  on[n] := true\n}\n"
     "invariant FEW: not (exists a in Node: exists b in Node: exists c in Node: exists d in Node:\n"
     "  a != b and a != c and a != d and b != c and b != d and c != d and on[a] and on[b] and on[c] and on[d])\n",
     "FEW"),
    ("unbounded int state cut by the range", COUNTER + "action inc() {\n  x := x + 1\n}\ninvariant P: x >= 0\n", "P"),
    ("a parameter from a pool: 7 is not in it",
     COUNTER + "action put(v: int) {\n  x := v\n}\ninvariant SQ: x * x != 49\n", "SQ"),
    ("an undefined operation", COUNTER + "action f(d: int[0..2]) {\n  x := 10 / d\n}\ninvariant P: x <= 10\n", "P"),
    ("an undefined guard: z3 may let the call happen",
     COUNTER + "action f(d: int[0..2]) {\n  requires 10 / d > 20\n  x := 1\n}\ninvariant P: x == 0\n", "P"),
    ("an invariant without a value in a reachable state",
     COUNTER + "action flip() {\n  x := 1 - x\n}\ninvariant P: 10 / x >= 0 or x == 0\ninvariant Q: 10 / x != 7\n", "Q"),
]


@pytest.mark.parametrize(("why", "text", "tid"), NOT_A_PROOF, ids=[c[0] for c in NOT_A_PROOF])
def test_an_exhausted_search_is_no_proof_when_it_was_bounded(why, text, tid):
    spec = spec_of(text)
    found = explore(spec)
    assert not found.proved(tid)
    assert (not found.exhaustive and found.limits) or tid in found.undecided  # and it says why
    result = {r.id: r for r in prove(spec).invariants}[tid]
    assert result.method != "exhaustive"


def test_a_violation_beyond_the_small_sets_is_left_to_the_smt_search():
    spec = spec_of(NOT_A_PROOF[0][1])
    assert "FEW" not in explore(spec).violations  # three nodes are not enough
    result = {r.id: r for r in prove(spec).invariants}["FEW"]
    assert result.verdict is Verdict.VIOLATED and len(result.run.sets["Node"]) >= 4


def test_a_value_outside_the_pool_is_left_to_the_smt_search():
    spec = spec_of(NOT_A_PROOF[2][1])
    assert "SQ" not in explore(spec).violations
    result = {r.id: r for r in prove(spec).invariants}["SQ"]
    assert result.verdict is Verdict.VIOLATED and result.run.states[-1]["x"] in (7, -7)


PROOFS = [
    # (why, spec, states): each invariant is true but not inductive, so induction alone leaves it open
    ("a guard interval gives the parameter every value",
     "spec T\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := 0\n  y := 0\n}\n"
     "action put(v: int) {\n  requires 0 <= v and v <= 3\n  y := x\n  x := v\n}\ninvariant P: x + y <= 6\n", 16),
    ("an int that stays within the range is searched whole",
     COUNTER + "action flip() {\n  x := 1 - x\n}\ninvariant P: x <= 1\n", 2),
]


@pytest.mark.parametrize(("why", "text", "states"), PROOFS, ids=[c[0] for c in PROOFS])
def test_a_finite_spec_is_proved_by_exhaustive_search(why, text, states):
    result = {r.id: r for r in prove(spec_of(text)).invariants}["P"]
    assert result.verdict is Verdict.PROVED and result.method == "exhaustive"
    assert result.reason == f"proved by exhaustive search of {states} state{'s' if states > 1 else ''}"


def test_the_budget_makes_a_search_bounded_evidence():
    spec = spec_of((PROTOCOLS / "peterson.sf").read_text())
    found = explore(spec, budget=Budget(states=5))
    assert not found.exhaustive and any("state budget" in why for why in found.limits)


def test_guard_intervals_bound_a_parameter_by_constants_only():
    spec = spec_of("spec T\nconst MAX: int = 9\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
                   "action f(a: nat, b: int) {\n  requires a < MAX and b in 2..4\n  requires b <= x\n  x := x + a\n}\n")
    action = spec.actions[0]
    e = Env.of(spec, {})
    assert interval("a", action.params[0].type.resolved, action, e) == (0, 8)
    assert interval("b", action.params[1].type.resolved, action, e) == (2, 4)  # `b <= x` reads state: ignored
    assert build(spec, {}).partial == []  # 9 and 3 values: every one of them is tried


# ---- the prover with the engine ---------------------------------------------------------------------------------


def test_petersons_algorithm_is_proved_by_exhausting_its_20_states():
    report = prove(load(str(PROTOCOLS / "peterson.sf")).spec)
    results = {r.id: r for r in report.invariants}
    assert all(r.verdict is Verdict.PROVED for r in report.invariants)
    assert results["MUTEX-1"].reason == "proved by exhaustive search of 20 states"  # not inductive on its own
    assert report.time_ms < 5000


def test_the_buggy_peterson_is_violated_by_its_shortest_run_which_replays():
    spec = load(str(PROTOCOLS / "peterson_bug.sf")).spec
    r = {r.id: r for r in prove(spec).invariants}["MUTEX-1"]
    assert r.verdict is Verdict.VIOLATED and r.run.steps == 6
    assert r.run.states[-1]["pc"] == {"p0": "critical", "p1": "critical"}
    replay(spec, "MUTEX-1", r)  # every step enabled, every state as the run has it, the invariant false at the end
    assert Run.from_json(r.to_json()["run"], spec) == r.run  # what export-tla --trace and gen-tests --replay read


def test_a_run_found_in_a_small_world_names_its_elements_like_the_provers():
    spec = spec_of("spec T\nset Node\nstate {\n  owner: map[Node, bool]\n  held: int\n}\n"
                   "init {\n  owner := {n: false for n in Node}\n  held := 0\n}\n"
                   "action take(n: Node) {\n  requires not owner[n]\n  owner[n] := true\n  held := held + 1\n}\n"
                   "invariant ONE: held <= 1\n")
    r = {r.id: r for r in prove(spec).invariants}["ONE"]
    assert r.verdict is Verdict.VIOLATED and r.run.steps == 2
    assert r.run.sets == {"Node": ("Node1", "Node2")}
    assert r.run.states[-1]["owner"] == {"Node1": True, "Node2": True}
    replay(spec, "ONE", r)


# ---- samples for inference ------------------------------------------------------------------------------------


def test_sample_gives_the_reachable_states_of_each_size():
    spec = spec_of("spec T\nset Node\nstate {\n  on: map[Node, bool]\n}\ninit {\n  on := {n: false for n in Node}\n}\n"
                   "action mark(n: Node) {\n  on[n] := true\n}\n")
    samples = sample(spec, [1, 2, 3])
    assert [s.sizes for s in samples] == [{"Node": 1}, {"Node": 2}, {"Node": 3}]
    # up to renaming, a state is how many nodes are on: n + 1 of them; without symmetry 2 ** n
    assert [len(s.states) for s in samples] == [2, 3, 4]
    assert [len(s.states) for s in sample(spec, [1, 2, 3], symmetric=False)] == [2, 4, 8]
    assert all(s.complete for s in samples)
    assert set(samples[2].universe["Node"]) == {"Node1", "Node2", "Node3"}


def test_progress_goes_to_stderr_only_when_it_is_a_terminal_or_when_asked(capsys):
    from specforge.explore import stderr_progress

    assert stderr_progress() is None  # pytest's stderr is no terminal
    show = stderr_progress(force=True)
    show("explicit search: 10 states")
    assert capsys.readouterr().err == "explicit search: 10 states\n"


def test_a_search_stopped_because_everything_is_violated_is_not_called_exhaustive():
    found = explore(load(str(PROTOCOLS / "peterson_bug.sf")).spec)
    assert found.violations["MUTEX-1"].length == 6
    assert not found.exhaustive and "already violated" in found.limits[0]


def test_sample_takes_a_state_bound_per_instance_and_a_deadline():
    import time

    spec = spec_of("spec T\nset Node\nstate {\n  on: map[Node, bool]\n}\ninit {\n  on := {n: false for n in Node}\n}\n"
                   "action mark(n: Node) {\n  on[n] := true\n}\n")
    cut = sample(spec, [{"Node": 3}, {"Node": 3}], max_states=2, symmetric=False)
    assert [len(s.states) for s in cut] == [3, 3] and not any(s.complete for s in cut)  # init + 2 new each
    assert sample(spec, [1, 2], deadline=time.monotonic() - 1) == []


def test_an_action_with_many_int_parameters_keeps_its_calls_few_and_says_so():
    spec = spec_of("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\n"
                   "action f(a: int[0..63], b: int[0..63], c: int[0..63]) {\n  x := a + b + c\n}\n")
    instance = build(spec, {})
    assert len(instance.calls["f"]) <= 4096 and instance.partial  # not 262,144 calls from every state
    assert not explore(spec).exhaustive


CLOCKED = """\
spec Clocked
set Node
const TERM: duration = 10 s
state {
  now: duration
  acting: map[Node, bool]
}
init {
  now := 0 s
  acting := {n: false for n in Node}
}
invariant ONE: forall a, b in Node: acting[a] and acting[b] implies a == b
action tick(d: duration) {
  requires d > 0 s else BadTick
  now := now + d
}
action act(n: Node) {
  requires now < TERM else Late
  acting[n] := true
}
"""


def test_every_instance_is_searched_shallow_first_so_a_clock_does_not_hide_the_larger_ones():
    """`now` (a duration: no integer range cuts it) grows without bound, so the instances of 0 and 1 nodes
    have no last level; the violation
    needs two nodes. Searched one instance to the end after another, a budget of 20,000 states went to
    the first two and found nothing; shallow first, the two-node instance is reached at once."""
    spec = load_text(CLOCKED, "clocked.sf").spec
    found = explore(spec, 2, budget=Budget(seconds=600, states=20_000))
    assert "ONE" in found.violations and found.violations["ONE"].length == 2
    assert len(found.violations["ONE"].instance.universe["Node"]) == 2
    assert not found.exhaustive


def test_an_instance_the_shallow_pass_cut_is_searched_again_to_the_end():
    """A violation deeper than the shallow pass (the 14th tick) is still found, in the second pass."""
    spec = load_text("""\
spec Late
set Node
state {
  now: nat
  seen: map[Node, bool]
}
init {
  now := 0
  seen := {n: false for n in Node}
}
invariant EARLY: now <= 13
action tick() {
  now := now + 1
}
action see(n: Node) {
  seen[n] := true
}
""", "late.sf").spec
    found = explore(spec, 1, budget=Budget(seconds=600, states=20_000))
    assert found.violations["EARLY"].length == 14 > SHALLOW_DEPTH


@pytest.mark.parametrize("name", ["two_phase_commit", "multi_lock_server"])
def test_the_search_keeps_each_instance_s_first_states_as_the_sample_would_give_them(name):
    """`explore(..., keep=N)`: an instance searched past N states, or to the end, keeps exactly the
    states `sample(spec, [sizes], N)` gives, in the same order (the inference then does not sample it
    again); one the budget cut before is not kept."""
    spec = load(str(PROTOCOLS / f"{name}.sf")).spec
    found = explore(spec, 2, keep=40)
    assert found.samples
    for key, kept in found.samples.items():
        again = sample(spec, [dict(key)], 40)[0]
        assert kept.universe == again.universe and kept.states == again.states, key
    assert not explore(spec, 2, keep=40, budget=Budget(states=3)).samples.keys() - {
        k for k, s in found.samples.items() if len(s.states) <= 4}
