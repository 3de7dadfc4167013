"""The prover's machinery: node coverage, the result cache, parallel obligations."""

from __future__ import annotations

from specforge import ir
from specforge.frontend import load_text
from specforge.prove import Verdict, prove
from specforge.prove.cache import Cache
from specforge.prove.encode import HANDLERS

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


def test_moving_an_invariant_keeps_its_results_but_changing_one_does_not(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    prove(spec(LEDGER + INVARIANTS), cache=cache)
    cache.hits = cache.misses = 0
    prove(spec(LEDGER + "\n\n# a comment moves every line\n" + INVARIANTS), cache=cache)
    assert cache.misses == 0
    cache.hits = cache.misses = 0
    prove(spec(LEDGER + INVARIANTS.replace("bal[a] == 0", "bal[a] <= 0")), cache=cache)
    assert cache.misses > 0


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
