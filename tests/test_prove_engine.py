"""The prover's machinery: node coverage, the result cache, parallel obligations."""

from __future__ import annotations

import hashlib
import json

import pytest

from specforge import ir
from specforge.frontend import load, load_text
from specforge.prove import Prover, Verdict, prove
from specforge.prove.cache import Cache, digest, plain
from specforge.prove.encode import HANDLERS

from .support import ROOT
from .test_results import COUNTER

LEDGER = """\
spec Ledger
set Account
enum Status { open, closed }
state {
  bal: map[Account, int]
  status: map[Account, Status]
  total: int
}
init {
  bal := {a: 0 for a in Account}
  status := {a: open for a in Account}
  total := 0
}
action deposit(a: Account, n: int) {
  requires n > 0 else Bad
  requires status[a] == open else Closed
  bal[a] := bal[a] + n
  total := total + n
}
action withdraw(a: Account, n: int) {
  requires n > 0 else Bad
  requires n <= bal[a] else Insufficient
  bal[a] := bal[a] - n
  total := total - n
}
action close(a: Account) {
  requires bal[a] == 0 else NotEmpty
  status[a] := closed
}
"""
INVARIANTS = "".join(f"invariant N{i}: forall a in Account: bal[a] >= {-i}\n" for i in range(12)) + \
    "invariant C: forall a in Account: status[a] == closed implies bal[a] == 0\n"


def spec(text: str) -> ir.Spec:
    loaded = load_text(text, "ledger.sf")
    assert loaded.ok, [d.render(loaded.source) for d in loaded.diagnostics]
    return loaded.spec


def verdicts(report):
    """Everything but the witness values, which z3 may pick differently in another process."""
    return {r.id: (r.verdict, r.method, tuple(r.supported_by),
                   [c.action for c in r.run.calls] if r.run else None) for r in report.invariants}


def test_every_expression_node_has_an_encoding_or_is_a_domain_only():
    # Range is read by the quantifier, comprehension and membership handlers, never encoded alone
    assert set(HANDLERS) | {ir.Range} == set(ir.EXPR_CLASSES)


def test_a_rerun_of_an_unchanged_spec_is_answered_from_the_cache(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    first = prove(spec(LEDGER + INVARIANTS), cache=cache)
    misses = cache.misses
    cache.hits = cache.misses = 0
    second = prove(spec(LEDGER + INVARIANTS), cache=cache)
    assert cache.misses == 0 and cache.hits > 0 and misses > 0
    assert verdicts(first) == verdicts(second)


def _without_spans(value):
    if isinstance(value, dict):
        return {k: _without_spans(v) for k, v in value.items() if k not in ("span", "var_span", "error_span")}
    if isinstance(value, list):
        return [_without_spans(v) for v in value]
    return value


@pytest.mark.parametrize("path", sorted([*(ROOT / "examples").glob("*.sf"), *(ROOT / "examples" / "protocols").glob("*.sf")]),
                         ids=lambda p: p.stem)
def test_a_cache_key_reads_each_part_as_pydantic_serializes_it_without_positions(path):
    """Cache keys read the IR's fields directly (pydantic's serializer would build every schema first):
    the data must be what `model_dump` gives, spans left out, for every part of every example."""
    s = load(str(path)).spec
    parts = [*s.sets, *s.enums, *s.consts, *s.state, *s.init, *s.invariants, *s.actions, *s.constraints]
    assert parts
    for part in parts:
        assert plain(part) == _without_spans(part.model_dump(mode="json", by_alias=True))
    # and a key is the hash it was: each part as json.dumps writes it, then a NUL
    texts = ["hyp:A-1", 'quote " é \u2028', 3, *parts[:3]]
    expected = hashlib.sha256(b"".join(json.dumps(p if isinstance(p, str | int) else plain(p), sort_keys=True,
                                                  separators=(",", ":")).encode() + b"\0" for p in texts))
    assert digest(*texts) == expected.hexdigest()


def test_moving_an_invariant_keeps_its_results_but_changing_one_does_not(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    prove(spec(LEDGER + INVARIANTS), cache=cache)
    cache.hits = cache.misses = 0
    prove(spec(LEDGER + "\n\n# a comment moves every line\n" + INVARIANTS), cache=cache)
    assert cache.misses == 0
    cache.hits = cache.misses = 0
    prove(spec(LEDGER + INVARIANTS.replace("bal[a] == 0", "bal[a] <= 0")), cache=cache)
    assert cache.misses > 0


# Y is preserved by `step` only assuming X (x grows by y); Z needs nothing
SUPPORTED = ("spec S\nstate {\n  x: int\n  y: int\n  z: int\n}\ninit {\n  x := 0\n  y := 0\n  z := 0\n}\n"
             "action step() {\n  y := y + 1\n  x := x + y\n}\n"
             "action bump() {\n  z := z + 1\n}\n"
             "invariant X: y >= 0\ninvariant Y: x >= 0\ninvariant Z: z >= 0\n")


def checked_targets(monkeypatch) -> list[tuple[str, str]]:
    """Every (action, target) whose preservation the prover asks z3 about from now on."""
    seen: list[tuple[str, str]] = []
    original = Prover.check_action

    def spy(self, action_name, candidates, targets):
        seen.extend((action_name, t) for t in targets)
        return original(self, action_name, candidates, targets)
    monkeypatch.setattr(Prover, "check_action", spy)
    return seen


def test_after_an_edit_only_the_changed_obligation_and_what_assumed_it_are_checked_again(tmp_path, monkeypatch):
    """A step's proof is kept under its action and target with its unsat core: it is reused in a later
    run whose hypotheses include that core (whatever else changed), and not when they do not."""
    cache = Cache(tmp_path / "c.sqlite3")
    prove(spec(SUPPORTED), cache=cache, infer_budget=0)
    seen = checked_targets(monkeypatch)
    edited = SUPPORTED.replace("invariant Z: z >= 0", "invariant Z: z >= -1")
    again = prove(spec(edited), cache=cache, infer_budget=0)
    assert sorted(seen) == [("bump", "Z"), ("step", "Z")]  # X and Y: answered by their proofs' cores
    assert verdicts(again) == verdicts(prove(spec(edited), infer_budget=0))
    assert again.invariants[1].supported_by == ["X"]
    # X changes: Y's proof assumed the X that was, so it is checked again, and the verdicts are a fresh run's
    seen.clear()
    broken = SUPPORTED.replace("invariant X: y >= 0", "invariant X: y >= 5")
    report = prove(spec(broken), cache=cache, infer_budget=0)
    assert ("step", "Y") in seen
    assert verdicts(report) == verdicts(prove(spec(broken), infer_budget=0))


# the counter of tests/test_results.py, with an action whose answer only its `ensures` constrain
CONTRACTS = COUNTER + """enum Level { low, mid, high }
action classify(x: int[0..3]) -> Level {
  ensures result != low
  ensures x > 2 implies result == high
}
"""

@pytest.mark.parametrize("change", [("ensures x > 2 implies result == high", "ensures result == low"),
                                    ("returns n * 10", "returns n * 11"),
                                    ("requires n + k <= 3 else Full", "requires n + k <= 4 else Full")])
def test_changing_a_contract_or_what_it_reads_is_proved_again_not_answered_from_the_cache(change, tmp_path):
    """A postcondition (`ACTION.ensures.N`, `ACTION.ensures`) was cached under its ID alone: after a
    run of a spec whose contract holds, one whose contract is broken was reported proved."""
    cache = Cache(tmp_path / "c.sqlite3")
    first = prove(spec(CONTRACTS), cache=cache)
    assert all(v[0] is Verdict.PROVED for v in verdicts(first).values())
    changed = CONTRACTS.replace(*change)
    assert verdicts(prove(spec(changed), cache=cache)) == verdicts(prove(spec(changed)))
    assert any(v[0] is Verdict.VIOLATED for v in verdicts(prove(spec(changed), cache=cache)).values())


def test_a_cached_violation_keeps_its_trace(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    broken = LEDGER.replace("  requires n <= bal[a] else Insufficient\n", "") + INVARIANTS
    first = prove(spec(broken), cache=cache)
    second = prove(spec(broken), cache=cache)
    n0 = {r.id: r for r in second.invariants}["N0"]
    assert n0.verdict is Verdict.VIOLATED and n0.run
    assert verdicts(first) == verdicts(second)


def test_parallel_obligations_give_the_same_verdicts_as_serial():
    text = LEDGER.replace("  requires n <= bal[a] else Insufficient\n", "") + INVARIANTS
    serial = prove(spec(text), jobs=1)
    parallel = prove(spec(text), jobs=2)
    assert verdicts(serial) == verdicts(parallel)
    assert any(r.verdict is Verdict.VIOLATED for r in parallel.invariants)


def test_two_specs_with_the_same_enum_names_prove_in_one_process():
    a = prove(spec(LEDGER + INVARIANTS))
    b = prove(spec(LEDGER + INVARIANTS))
    assert verdicts(a) == verdicts(b)


def test_two_invariants_with_the_same_expression_keep_their_own_support_when_cached(tmp_path):
    text = ("spec T\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\naction inc() {\n  x := x + 1\n}\n"
            "invariant A: x >= 0\ninvariant B: x >= 0\n")
    fresh = prove(spec(text))
    cache = Cache(tmp_path / "c.sqlite3")
    prove(spec(text), cache=cache)
    again = prove(spec(text), cache=cache)
    assert cache.hits > 0
    assert verdicts(again) == verdicts(fresh)


UNENCODABLE = """spec T
state {
  x: int
}
init { x := 0 }
invariant A: abs(x) >= 0
action step(d: int) {
  requires min(d, 3) > 0
  x := max(x, d)
}
"""


def test_every_construct_the_prover_cannot_express_is_reported_with_its_position(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from specforge.cli import main
    from specforge.prove import encode

    # as if the prover had no encoding of calls: three of them, in an invariant, a guard and an assignment
    monkeypatch.setattr(encode, "HANDLERS", {k: v for k, v in encode.HANDLERS.items() if k is not ir.Call})
    path = tmp_path / "t.sf"
    path.write_text(UNENCODABLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["prove", "--no-cache", "--no-explore", str(path)])
    assert result.exit_code == 1, result.output
    found = [line.split(": error[SF301]")[0] for line in result.output.splitlines() if "error[SF301]" in line]
    assert found == [f"{path}:6:14", f"{path}:8:12", f"{path}:9:8"]


def test_the_list_of_unsupported_constructs_survives_a_worker_process():
    import pickle

    from specforge.prove.encode import Unsupported, UnsupportedSpec

    problems = [Unsupported("no z3 encoding for Call", None), Unsupported("`r` is a record", None)]
    again = pickle.loads(pickle.dumps(UnsupportedSpec(problems)))
    assert [str(p) for p in again.problems] == [str(p) for p in problems]


def test_the_prover_has_a_bound_exactly_where_structure_lists_a_type_obligation():
    from pathlib import Path

    import z3

    from specforge.frontend import load
    from specforge.prove.encode import Encoder
    from specforge.structure import has_bounds, leaves

    specs = [load(str(p)).spec for p in sorted(Path(__file__).parent.parent.glob("examples/**/*.sf"))]
    checked = 0
    for spec in filter(None, specs):
        enc = Encoder(spec)
        for path, t in leaves(spec):
            bound = enc.bounds(t, z3.Const("probe", enc.sort(t)))
            assert (bound is not None) == has_bounds(t, members=True), f"{spec.name}: {path}"
            checked += 1
    assert checked > 20


ACC = ("spec Acc\nstate {\n  x: int\n  y: int\n}\ninit {\n  x := 0\n  y := 0\n}\ninvariant A-1: x >= 0\n"
       "action step() {\n  y := y + 1\n  x := x + y\n}\n")


def test_the_overall_time_budget_ends_the_phases_after_induction_with_an_unknown_that_says_so():
    s = spec(ACC)
    unbounded = {r.id: r for r in prove(s, explore_size=-1, infer_budget=0).invariants}["A-1"]
    assert unbounded.verdict is Verdict.PROVED and unbounded.method == "strengthened"
    spent = {r.id: r for r in prove(s, explore_size=-1, infer_budget=0, time_budget=0.001).invariants}["A-1"]
    assert spent.verdict is Verdict.UNKNOWN and "the overall time budget of 0.001 s ran out" in spent.reason


def test_the_prover_default_search_size_is_the_explicit_search_s_own():
    # the prover names it without importing the explicit search, which it loads only when a proof needs it
    from specforge import explore
    from specforge.prove import engine

    assert engine.DEFAULT_EXPLORE_SIZE == explore.DEFAULT_SIZE


def test_proving_a_spec_that_induction_proves_loads_neither_the_explicit_search_nor_inference():
    import subprocess
    import sys

    from .support import ROOT

    code = ("import sys; from specforge.frontend import load; from specforge.prove import prove; "
            f"r = prove(load({str(ROOT / 'examples' / 'bank.sf')!r}).spec); "
            "assert {i.method for i in r.invariants} == {'inductive'}, r; "
            "print(sorted(m for m in sys.modules if m.startswith(('specforge.explore', 'specforge.prove.infer'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
