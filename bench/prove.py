"""Benchmark of the specforge prover: how long `specforge prove` takes, and what it costs over plain z3.

Generates specs deterministically (a fixed seed; each file is a pure function of
the arguments) with N invariants and M actions over a small account model (int
state variables with guards, an enum, durations, a `set Account` with
`map[Account, int]` balances and forall-invariants). Every invariant is
inductive together with the others, so every one of them is proved; the script
stops if one is not. Then it times

* `prove(spec)` in process, after `load(path)` (timed apart), with the time of
  each phase of the pipeline (consistency, initial state, induction, bounded
  search, sanity checks);
* a baseline that discharges the SAME induction obligations with plain z3
  calls: the same encoding (specforge.prove.encode.Encoder), one solver per
  action with every target asserted plainly (no tracking, no unsat cores),
  push/check/pop per target. It does nothing else;
* the scaling of both with the number of obligations (a linear fit, R² and the
  log-log slope);
* `specforge prove --jobs 1` against `--jobs 2` as processes, on several files
  given on one command line and on one large file;
* a re-run that the result cache can answer, if the CLI has one
  (`--no-cache` in `specforge prove --help`).

It prints Markdown; with --record it also writes the results into the "Prover"
section of docs/benchmarks.md (other sections are kept).

Uses the standard library, specforge and z3 only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__:
    from . import _common as common
else:  # run as a script: bench/ is on sys.path
    import _common as common

ROOT = common.ROOT
DEFAULT_OUT = ROOT / "bench" / "out"
BENCHMARKS_MD = common.BENCHMARKS_MD
SECTION_HEADING = "## Prover (`specforge prove`)"
DEFAULT_SEED = 20240617
DEFAULT_RUNS = 3
DEFAULT_CLI_RUNS = 2
# A size is timed again (up to --runs) only while its runs so far took less than this.
SIZE_BUDGET_S = 15.0
LOAD_REPEATS = 3

# (invariants, actions). The first five are the main grid; the last two vary M at fixed N.
DEFAULT_SIZES = [(10, 16), (50, 16), (100, 16), (250, 16), (500, 16), (100, 10), (100, 20)]
# --jobs: several files on one command line, and one large file
JOBS_FILES = 4
JOBS_FILE_SIZE = (100, 16)
JOBS_BIG_SIZE = (250, 16)
JOBS_LARGE_SIZE = (500, 24)  # one file whose proof takes long enough that the start-up matters less
JOBS_HUGE_SIZE = (1000, 24)  # one file whose proof is long against the start-up (cold runs only)
CACHE_SIZE = (250, 16)
# In process, with hit and miss counts: does a re-run's time grow with the size?
CACHE_COUNT_SIZES = [(50, 16), (250, 16)]
# The run that counts calls to the cache-key hash (a separate, instrumented run).
DIAG_SIZE = (250, 16)
# The overhead with the generated invariants all of one shape (next to the mixed spec of the same size).
SHAPE_SIZES = [(100, 16, "int"), (100, 16, "forall")]

# Trivially true invariants (`x >= -k`) and no action: the growth target is 20,000 in under 60 s.
GROWTH_SIZES = [2_000, 5_000, 10_000, 20_000]
GROWTH_TARGET_S = 60.0
OVERHEAD_TARGET = 1.3  # specforge / plain z3
JOBS_TARGET = 1.7  # --jobs 1 / --jobs 2


# ---- spec generation ---------------------------------------------------------------------------
#
# The model: one account (balance, reserved funds, a daily withdrawal total, failed
# log-ins, a request queue, a freeze flag, a mode, a session lifetime and a clock)
# and a ledger of sub-accounts (`map[Account, int]` balances, open flags). The 13
# core invariants below are inductive together under every action of the pool;
# each generated invariant is implied by them (a weaker bound, a derived
# relation), so the whole set is inductive and everything is proved.

_HEADER = """\
set Account
enum Mode { idle, active, suspended, closed }

# Per-account and account-wide ceiling.
const LIMIT: int = 1_000_000
# Largest amount a single withdrawal may take out.
const MAX_WITHDRAWAL: int = 2_500
# Largest total that may be withdrawn in one day.
const DAILY_LIMIT: int = 5_000
# Failed log-ins before the account is locked.
const MAX_ATTEMPTS: int = 5
# Most requests that may wait in the queue.
const MAX_PENDING: int = 1_000
# Security policy: no session lives longer than this.
const MAX_TTL: duration = 15 min

state {
  balance: int
  reserved: int
  withdrawn_today: int
  attempts: int
  pending: nat
  frozen: bool
  mode: Mode
  ttl: duration
  elapsed: duration
  balances: map[Account, int]
  is_open: map[Account, bool]
}

init {
  balance := 0
  reserved := 0
  withdrawn_today := 0
  attempts := 0
  pending := 0
  frozen := false
  mode := idle
  ttl := 0
  elapsed := 0
  balances := {a: 0 for a in Account}
  is_open := {a: false for a in Account}
}
"""

# (level, description, expression)
_CORE = [
    ("MUST", "The balance is never negative", "balance >= 0"),
    ("MUST", "The balance stays under the ceiling", "balance <= LIMIT"),
    ("MUST", "Reservations are covered by the balance", "0 <= reserved <= balance"),
    ("MUST", "Daily withdrawals stay within the allowance", "0 <= withdrawn_today <= DAILY_LIMIT"),
    ("MUST", "Failed log-ins are counted up to the lock-out", "0 <= attempts <= MAX_ATTEMPTS"),
    ("SHOULD", "The queue stays bounded", "pending <= MAX_PENDING"),
    ("MUST", "A frozen account is suspended", "frozen implies mode == suspended"),
    ("MUST", "A closed account holds no money", "mode == closed implies balance == 0 and reserved == 0"),
    ("MUST", "Sessions are bounded", "0 <= ttl <= MAX_TTL"),
    ("SHOULD", "The clock never runs backwards", "elapsed >= 0"),
    ("MUST", "No sub-account is overdrawn", "forall a in Account: balances[a] >= 0"),
    ("MUST", "No sub-account grows beyond the ceiling", "forall a in Account: balances[a] <= LIMIT"),
    ("MUST", "A closed sub-account holds no money", "forall a in Account: not is_open[a] implies balances[a] == 0"),
]

# (name, parameters, guards, assignments); a spec with M actions takes the first M.
_ACTIONS = [
    ("activate", "", ["mode == idle else AlreadyActive"], ["mode := active"]),
    ("deposit", "amount: int",
     ["amount > 0 else InvalidAmount", "not frozen else AccountFrozen", "mode == active else NotActive",
      "balance + amount <= LIMIT else BalanceCeilingExceeded"],
     ["balance := balance + amount"]),
    ("withdraw", "amount: int",
     ["amount > 0 else InvalidAmount", "not frozen else AccountFrozen", "mode == active else NotActive",
      "amount <= MAX_WITHDRAWAL else LimitExceeded",
      "withdrawn_today + amount <= DAILY_LIMIT else DailyLimitExceeded",
      "amount <= balance - reserved else InsufficientFunds"],
     ["balance := balance - amount", "withdrawn_today := withdrawn_today + amount"]),
    ("open_account", "a: Account", ["not is_open[a] else AlreadyOpen"], ["is_open[a] := true"]),
    ("credit", "a: Account, amount: int",
     ["amount > 0 else InvalidAmount", "is_open[a] else AccountClosed",
      "balances[a] + amount <= LIMIT else BalanceCeilingExceeded"],
     ["balances[a] := balances[a] + amount"]),
    ("reserve", "amount: int",
     ["amount > 0 else InvalidAmount", "mode == active else NotActive",
      "reserved + amount <= balance else InsufficientFunds"],
     ["reserved := reserved + amount"]),
    ("release", "amount: int", ["amount > 0 else InvalidAmount", "amount <= reserved else NothingReserved"],
     ["reserved := reserved - amount"]),
    ("start_new_day", "", [], ["withdrawn_today := 0"]),
    ("fail_login", "", ["attempts < MAX_ATTEMPTS else LockedOut"], ["attempts := attempts + 1"]),
    ("debit", "a: Account, amount: int",
     ["amount > 0 else InvalidAmount", "is_open[a] else AccountClosed",
      "amount <= balances[a] else InsufficientFunds"],
     ["balances[a] := balances[a] - amount"]),
    ("freeze", "", ["not frozen else AlreadyFrozen", "mode == active or mode == suspended else NotActive"],
     ["frozen := true", "mode := suspended"]),
    ("unfreeze", "", ["frozen else NotFrozen"], ["frozen := false", "mode := active"]),
    ("transfer", "src: Account, dst: Account, amount: int",
     ["src != dst else SameAccount", "amount > 0 else InvalidAmount", "is_open[src] else AccountClosed",
      "is_open[dst] else AccountClosed", "balances[src] >= amount else InsufficientFunds",
      "balances[dst] + amount <= LIMIT else BalanceCeilingExceeded"],
     ["balances[src] := balances[src] - amount", "balances[dst] := balances[dst] + amount"]),
    ("enqueue", "qty: nat", ["pending + qty <= MAX_PENDING else QueueFull"], ["pending := pending + qty"]),
    ("login_ok", "", ["not frozen else AccountFrozen"], ["attempts := 0"]),
    ("close_account", "a: Account", ["is_open[a] else AccountClosed", "balances[a] == 0 else NonZeroBalance"],
     ["is_open[a] := false"]),
    ("renew", "dt: duration", ["dt >= 0 s else NegativeTtl", "mode == active else NotActive"],
     ["ttl := min(MAX_TTL, dt)"]),
    ("tick", "dt: duration", ["dt >= 0 ms"], ["elapsed := elapsed + dt", "ttl := max(0, ttl - dt)"]),
    ("dequeue", "qty: nat", ["qty <= pending else QueueEmpty"], ["pending := pending - qty"]),
    ("sweep", "a: Account",
     ["is_open[a] else AccountClosed", "mode == active else NotActive", "not frozen else AccountFrozen",
      "balance + balances[a] <= LIMIT else BalanceCeilingExceeded"],
     ["balance := balance + balances[a]", "balances[a] := 0"]),
    ("set_level", "level: int[0..100]", ["level <= MAX_PENDING else QueueFull"], ["pending := level"]),
    ("close", "",
     ["mode == active else NotActive", "not frozen else AccountFrozen", "balance == 0 else NonZeroBalance",
      "reserved == 0 else FundsReserved"],
     ["mode := closed"]),
    ("suspend", "", ["mode == active else NotActive"], ["mode := suspended"]),
    ("resume", "", ["mode == suspended else NotSuspended", "not frozen else AccountFrozen"], ["mode := active"]),
]
MAX_ACTIONS = len(_ACTIONS)

_CAPS = {"balance": "LIMIT", "reserved": "LIMIT", "withdrawn_today": "DAILY_LIMIT",
         "attempts": "MAX_ATTEMPTS", "pending": "MAX_PENDING"}
_LEVELS = ["MUST"] * 6 + ["SHOULD"] * 3 + ["MAY"]


def _num(rng: random.Random) -> str:
    """A positive literal, sometimes written with digit separators."""
    n = rng.choice([rng.randint(1, 99), rng.randint(100, 9_999), rng.randint(10_000, 5_000_000)])
    return f"{n:_}" if n >= 10_000 and rng.random() < 0.5 else str(n)


SHAPES = {
    "mixed": "mixed: bounds, arithmetic, the mode, durations, quantifiers",
    "int": "int bounds and arithmetic only (cheap solver calls)",
    "forall": "forall/exists over `Account` only (costlier solver calls)",
}


def _derived(rng: random.Random, shape: str = "mixed") -> tuple[str, str]:
    """An invariant implied by the core ones. Returns (description, expression)."""
    roll = rng.random()
    if shape == "int":
        roll *= 0.60
    elif shape == "forall":
        roll = 0.80 + roll * 0.20
    var = rng.choice(list(_CAPS))
    cap = _CAPS[var]
    if roll < 0.45:  # a weaker bound on one variable
        return f"`{var}` stays within a bound", rng.choice([
            f"{var} >= -{_num(rng)}", f"{var} > -{_num(rng)}", f"{var} != -{_num(rng)}", f"0 <= {var}",
            f"{var} <= {cap} + {_num(rng)}", f"{var} < {cap} + {_num(rng)}", f"0 <= {var} <= {cap} + {_num(rng)}",
        ])
    if roll < 0.60:  # arithmetic over several variables and constants
        return "an arithmetic bound holds", rng.choice([
            f"balance + reserved <= 2 * LIMIT + {_num(rng)}", "balance - reserved >= 0",
            f"reserved <= balance + {_num(rng)}",
            f"withdrawn_today + MAX_WITHDRAWAL <= DAILY_LIMIT + MAX_WITHDRAWAL + {_num(rng)}",
            f"attempts * 100 <= MAX_ATTEMPTS * 100 + {_num(rng)}", f"max({var}, 0) <= {cap} + {_num(rng)}",
            f"abs({var}) <= {cap} + {_num(rng)}", f"LIMIT / 10 + {var} >= -{_num(rng)}",
        ])
    if roll < 0.72:  # the mode and the freeze flag
        return "the account's mode is consistent", rng.choice([
            "frozen implies mode != active", "mode == closed implies reserved <= balance",
            f"mode == closed implies {var} <= {cap}", "frozen implies mode == suspended or mode == closed",
            "mode == idle or mode == active or mode == suspended or mode == closed",
            f"mode == closed implies balance <= {_num(rng)}",
        ])
    if roll < 0.80:  # durations with units
        return "the session lifetime stays bounded", rng.choice([
            f"ttl <= MAX_TTL + {rng.randint(1, 60)} s", "elapsed >= 0 s and ttl >= 0 ms",
            f"0 <= ttl <= MAX_TTL + {rng.randint(1, 900)} ms", "ttl + 30 s <= MAX_TTL + 1 min",
        ])
    return "the sub-accounts stay consistent", rng.choice([  # quantifiers over the set
        f"forall a in Account: balances[a] >= -{_num(rng)}", f"forall a in Account: balances[a] <= LIMIT + {_num(rng)}",
        "forall a in Account: 0 <= balances[a] <= LIMIT",
        f"forall a in Account: not is_open[a] implies balances[a] <= {_num(rng)}",
        "not (exists a in Account: balances[a] < 0)",
        f"forall a in Account: balances[a] + balance <= 2 * LIMIT + {_num(rng)}",
        "forall a in Account: balances[a] > 0 implies is_open[a]",
    ])


def generate_spec(invariants: int, actions: int, seed: int, tag: str = "", shape: str = "mixed") -> str:
    """A spec with `invariants` invariants (the core ones first) and the first `actions` actions of the pool.

    `shape` chooses the generated invariants' shapes (see SHAPES); the core ones are always there."""
    if not 1 <= actions <= MAX_ACTIONS:
        raise ValueError(f"actions must be between 1 and {MAX_ACTIONS}")
    rng = random.Random(f"{seed}:prove:{invariants}:{actions}:{tag}" + ("" if shape == "mixed" else f":{shape}"))
    name = f"ProveBench{invariants}x{actions}{tag}"
    lines = ["# Generated by bench/prove.py; do not edit.",
             f'spec {name} "{invariants} invariants and {actions} actions over an account and its sub-accounts."',
             "", _HEADER]
    for i, (level, description, expr) in enumerate(_CORE[:invariants], 1):
        lines += [f'invariant CORE-{i} {level} "{description}":', f"  {expr}"]
    for i in range(len(_CORE) + 1, invariants + 1):
        description, expr = _derived(rng, shape)
        lines += [f'invariant INV-{i} {rng.choice(_LEVELS)} "{description} ({i})":', f"  {expr}"]
    lines.append("")
    for name_, params, guards, assigns in _ACTIONS[:actions]:
        lines.append(f"action {name_}({params}) {{")
        lines += [f"  requires {g}" for g in guards]
        lines += [f"  {a}" for a in assigns]
        lines += ["}", ""]
    return "\n".join(lines)


# ---- the plain-z3 baseline ------------------------------------------------------------------------


def plain_z3_induction(spec, timeout_s: float) -> dict:
    """The induction obligations of `spec`, discharged with plain z3 calls.

    The same targets specforge checks (the invariants and the state variables'
    type bounds), built by the same Encoder; one solver per action with every
    target asserted plainly over the pre-state, plus the parameters' bounds and
    the guards; then for each target push, assert its negation over the
    post-state, check, pop. Every answer must be unsat (the spec is inductive).
    """
    import z3

    from specforge.prove.encode import Encoder

    started = time.perf_counter()
    cpu = time.process_time()
    enc = Encoder(spec)
    formulas = [lambda s, inv=inv: enc.invariant(inv, s) for inv in spec.invariants]
    for leaf in enc.leaves:
        if enc.bounds(leaf.type, z3.Const("probe", enc.sort(leaf.type))) is not None:
            formulas.append(lambda s, t=leaf.type, p=leaf.path: enc.bounds(t, s[p]))
    pre = enc.state("pre")
    hypotheses = [f(pre) for f in formulas]
    checking = 0.0
    obligations = 0
    not_unsat = []
    for action in spec.actions:
        params, bounds = enc.params(action, "p")
        guards, post = enc.transition(action, pre, params)
        s = z3.Solver()
        s.set("timeout", max(1, int(timeout_s * 1000)))
        s.add(*hypotheses)
        s.add(*bounds, *guards)
        for i, f in enumerate(formulas):
            s.push()
            s.add(z3.Not(f(post)))
            t0 = time.perf_counter()
            r = s.check()
            checking += time.perf_counter() - t0
            obligations += 1
            if r != z3.unsat:
                not_unsat.append((action.name, i, str(r)))
            s.pop()
    return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu, "check": checking,
            "obligations": obligations, "targets": len(formulas), "not_unsat": not_unsat}


# ---- timing prove() in process, phase by phase ---------------------------------------------------

# Prover methods timed as phases, if the engine has them (it is timed as a whole regardless).
PHASES = [("_consistency", "consistency"), ("_initial", "initial state"), ("_houdini", "induction"),
          ("_bmc", "bounded search"), ("_sanity", "sanity")]


class _PhaseClock:
    """Wraps Prover's phase methods on the class, so that prove() itself is what is called and timed."""

    def __init__(self):
        from specforge.prove import engine

        self.engine = engine
        self.times: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.current = "setup"
        self._saved: dict[str, object] = {}

    def __enter__(self):
        cls = self.engine.Prover
        for method, label in PHASES:
            original = cls.__dict__.get(method)
            if original is None:
                continue
            self._saved[method] = original

            def wrapper(prover, *args, _original=original, _label=label, **kwargs):
                outer, self.current = self.current, _label
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    return _original(prover, *args, **kwargs)
                finally:
                    self.times[_label] = self.times.get(_label, 0.0) + time.perf_counter() - t0
                    self.cpu[_label] = self.cpu.get(_label, 0.0) + time.process_time() - c0
                    self.current = outer

            setattr(cls, method, wrapper)
        return self

    def __exit__(self, *exc):
        for method, original in self._saved.items():
            setattr(self.engine.Prover, method, original)
        return False


@dataclass
class ProveRun:
    wall: float
    cpu: float
    phases: dict[str, float]
    phase_cpu: dict[str, float] = field(default_factory=dict)


def timed_prove(spec, timeout_s: float) -> tuple[ProveRun, object]:
    from specforge.prove import prove

    with _PhaseClock() as clock:
        cpu = time.process_time()
        t0 = time.perf_counter()
        report = prove(spec, timeout=timeout_s)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu
    return ProveRun(wall, cpu, dict(clock.times), dict(clock.cpu)), report


def check_report(report, case: str, invariants: int) -> None:
    """Every invariant (and type bound) must be proved, and every declared invariant must be there."""
    declared = [r for r in report.invariants if r.kind == "invariant"]
    bad = [r for r in report.invariants if r.verdict.value != "proved"]
    if len(declared) != invariants or bad:
        lines = [f"FAILED: {case}: expected {invariants} invariants, all proved; got {len(declared)}"]
        for r in bad[:10]:
            lines.append(f"  {r.id}: {r.verdict.value}: {r.reason}")
        sys.exit("\n".join(lines))


def count_hash_calls(spec, timeout_s: float) -> dict[str, tuple[int, float]] | None:
    """Calls to specforge.prove.cache.digest (the cache-key hash) and their time, per phase; None if absent."""
    try:
        from specforge.prove import cache as cache_module
    except ImportError:
        return None
    original = getattr(cache_module, "digest", None)
    if original is None:
        return None
    from specforge.prove import prove

    counts: dict[str, list] = {}
    with _PhaseClock() as clock:
        def counted(*parts):
            t0 = time.perf_counter()
            try:
                return original(*parts)
            finally:
                entry = counts.setdefault(clock.current, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - t0

        cache_module.digest = counted
        try:
            prove(spec, timeout=timeout_s)
        finally:
            cache_module.digest = original
    return {phase: (n, s) for phase, (n, s) in counts.items()}


# ---- the cases -------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    invariants: int
    actions: int
    path: Path
    lines: int
    shape: str = "mixed"
    load_s: float = 0.0
    targets: int = 0
    obligations: int = 0
    runs: list[ProveRun] = field(default_factory=list)
    plain: list[dict] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def median(self, what: str) -> float:
        if what == "prove":
            return statistics.median(r.wall for r in self.runs)
        if what == "prove_cpu":
            return statistics.median(r.cpu for r in self.runs)
        if what == "plain":
            return statistics.median(p["wall"] for p in self.plain)
        if what == "plain_cpu":
            return statistics.median(p["cpu"] for p in self.plain)
        if what == "plain_check":
            return statistics.median(p["check"] for p in self.plain)
        if what == "induction_cpu":
            return statistics.median(r.phase_cpu.get("induction", float("nan")) for r in self.runs)
        if what == "other":  # what the phases do not cover, per run
            return statistics.median(r.wall - sum(r.phases.values()) for r in self.runs)
        values = [r.phases[what] for r in self.runs if what in r.phases]
        return statistics.median(values) if values else float("nan")


def time_load(path: Path) -> float:
    from specforge.frontend import load

    best = float("inf")
    for _ in range(LOAD_REPEATS):
        gc.collect()
        t0 = time.perf_counter()
        loaded = load(str(path))
        best = min(best, time.perf_counter() - t0)
        if not loaded.ok:
            sys.exit(f"FAILED: load({path}) reported errors: {loaded.diagnostics[:3]}")
    return best


def run_size(r: SizeResult, runs: int, timeout_s: float, log) -> None:
    from specforge.frontend import load

    r.load_s = time_load(r.path)
    spec = load(str(r.path)).spec
    if len(spec.invariants) != r.invariants or len(spec.actions) != r.actions:
        sys.exit(f"FAILED: {r.name}: expected {r.invariants} invariants and {r.actions} actions, "
                 f"got {len(spec.invariants)} and {len(spec.actions)}")
    spent = 0.0
    for i in range(runs):
        if i and spent > SIZE_BUDGET_S:
            break
        # alternate which side goes first, so that drift in the machine's load hits both
        order = ["prove", "plain"] if i % 2 == 0 else ["plain", "prove"]
        for side in order:
            gc.collect()
            if side == "prove":
                run, report = timed_prove(spec, timeout_s)
                check_report(report, r.name, r.invariants)
                r.runs.append(run)
                spent += run.wall
                r.targets = len(report.invariants)
                r.findings = {}
                for f in report.findings:
                    r.findings[f.kind] = r.findings.get(f.kind, 0) + 1
                del report
            else:
                plain = plain_z3_induction(spec, timeout_s)
                if plain["not_unsat"]:
                    sys.exit(f"FAILED: {r.name}: plain z3 did not prove {plain['not_unsat'][:5]} "
                             "(the generated spec is not inductive)")
                r.plain.append(plain)
                r.obligations = plain["obligations"]
                spent += plain["wall"]
        print(f"  {r.name}: prove() {_s(r.runs[-1].wall)} (induction {_s(r.runs[-1].phases.get('induction'))}), "
              f"plain z3 {_s(r.plain[-1]['wall'])}", file=log)
    if r.targets != r.plain[-1]["targets"]:
        sys.exit(f"FAILED: {r.name}: specforge has {r.targets} targets, the baseline {r.plain[-1]['targets']}")


# ---- the CLI: --jobs and the cache ---------------------------------------------------------------------


def specforge_command() -> list[str]:
    """`specforge` of this source tree, through the same entry point as the console script (the fast path
    of a cached `prove` included): an installed script may belong to another checkout or lack the entry point
    until it is reinstalled. The environment puts ROOT first on PYTHONPATH (see main)."""
    return [sys.executable, "-m", "specforge"]


def cli_features(cmd: list[str]) -> dict[str, bool | str]:
    proc = subprocess.run([*cmd, "prove", "--help"], capture_output=True, text=True)
    text = " ".join(proc.stdout.split())
    jobs_help = ""
    if "--jobs" in text:
        after = text.split("--jobs", 1)[1]
        jobs_help = after.split(" -", 1)[0].split("INTEGER RANGE", 1)[-1].split("[default", 1)[0].strip()
    top = subprocess.run([*cmd, "--help"], capture_output=True, text=True).stdout
    return {"no_cache": "--no-cache" in text, "jobs": "--jobs" in text, "jobs_help": jobs_help,
            "serve": any(line.split()[:1] == ["serve"] for line in top.splitlines())}


@dataclass
class CliRun:
    seconds: float
    cpu: float  # user + system time of the process and every process it waited for (the workers)
    verdicts: dict[str, str]  # "file:id" -> verdict
    details: dict[str, tuple[str | None, tuple[str, ...]]]  # "file:id" -> (method, supported_by)


def compare_runs(reference: CliRun, other: CliRun) -> str:
    """Whether two runs gave the same verdicts, and the same methods and supporting invariants."""
    if other.verdicts != reference.verdicts:
        changed = [k for k in reference.verdicts if other.verdicts.get(k) != reference.verdicts[k]]
        return f"**verdicts differ** ({len(changed)}: {', '.join(k.split(':', 1)[1] for k in changed[:3])}...)"
    method = [k for k in reference.details if other.details[k][0] != reference.details[k][0]]
    support = [k for k in reference.details if other.details[k][1] != reference.details[k][1]]
    if not method and not support:
        return "same verdicts, methods and supports"
    if not method:  # where several sets of invariants suffice, z3 may name another (docs/prove.md 2.12)
        return f"same verdicts and methods; `supported_by` names another support for {len(support)} invariants"
    return (f"same verdicts; **`method` differs for {len(method)}**, `supported_by` for {len(support)} "
            "invariants")


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # not on POSIX
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(cmd: list[str], args: list[str], env: dict[str, str], expect: int | None,
            server: WarmServer | None = None) -> CliRun:
    """One `specforge prove` process, timed; with `server`, a client of that warm server (its CPU is the
    command's on the server, from the server's log)."""
    if server is not None:
        env = {**env, "SPECFORGE_SERVER": server.path}
    cpu = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([*cmd, "prove", "--format", "json", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    cpu = _children_cpu() - cpu
    if server is not None and proc.returncode == 0:
        cpu = server.last_cpu()
    if proc.returncode != 0:
        sys.exit(f"FAILED: `specforge prove {' '.join(args)}` exited with {proc.returncode}\n"
                 f"--- stderr ---\n{proc.stderr[:4000]}\n--- stdout ---\n{proc.stdout[:2000]}")
    doc = json.loads(proc.stdout)
    specs = doc["specs"] if "specs" in doc else [doc]
    verdicts = {f"{s['file']}:{i['id']}": i["verdict"] for s in specs for i in s["invariants"]}
    details = {f"{s['file']}:{i['id']}": (i.get("method"), tuple(i.get("supported_by") or ()))
               for s in specs for i in s["invariants"]}
    not_proved = [k for k, v in verdicts.items() if v != "proved"]
    if not_proved or (expect is not None and sum(1 for k in verdicts if ":type:" not in k) != expect):
        sys.exit(f"FAILED: `specforge prove {' '.join(args)}`: expected {expect} invariants, all proved; "
                 f"got {len(verdicts)} results, not proved: {not_proved[:5]}")
    return CliRun(seconds, cpu, verdicts, details)


class WarmServer:
    """`specforge serve` on a socket of its own, for the runs of the warm rows; its log says what each
    command cost in CPU on the server (the client's own CPU is only the client's)."""

    def __init__(self, cmd: list[str], env: dict[str, str]):
        self.dir = tempfile.mkdtemp(prefix="sf-bench-")
        self.path = os.path.join(self.dir, "s.sock")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed by close()
        self.proc = subprocess.Popen([*cmd, "serve", "--socket", self.path, "--idle-timeout", "0"], env=env,
                                     stderr=self.log, stdout=subprocess.DEVNULL)
        self.seen = 0
        self._wait(lambda lines: any("listening on" in line for line in lines), "to start")

    def _lines(self) -> list[str]:
        with open(self.log_path, encoding="utf-8") as fh:
            return fh.read().splitlines()

    def _wait(self, ready, what: str) -> list[str]:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines = self._lines()
            if ready(lines):
                return lines
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        sys.exit(f"FAILED: the warm server did not {what}:\n" + "\n".join(self._lines()))

    def last_cpu(self) -> float:
        """The CPU of the command the server finished last (it logs each one as its child is reaped)."""
        def done(lines):
            return len([line for line in lines if ", CPU " in line]) > self.seen

        lines = [line for line in self._wait(done, "log the command") if ", CPU " in line]
        self.seen = len(lines)
        return float(lines[-1].rsplit(", CPU ", 1)[1].split()[0])

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class JobsResult:
    label: str
    files: int
    invariants: int
    warm: bool = False  # the runs were clients of a warm `specforge serve`
    one: list[CliRun] = field(default_factory=list)
    two: list[CliRun] = field(default_factory=list)
    startup: list[float] = field(default_factory=list)  # one file: a process that loads it and the prover
    pair: list[float] = field(default_factory=list)  # two `--jobs 1` commands started at once, until both end

    @property
    def ceiling(self) -> float | None:
        """What this machine gives two copies of this very command that share nothing: twice one `--jobs 1`
        run's wall time over the wall time of two started together (2.0 on two free, equal cores)."""
        if not self.pair:
            return None
        return 2 * statistics.median(r.seconds for r in self.one) / statistics.median(self.pair)

    @property
    def bound(self) -> float | None:
        """Amdahl's bound with the work after the start-up sped up only as much as the machine speeds up two
        independent copies of it (`ceiling`) rather than 2x."""
        if not self.startup or self.ceiling is None:
            return None
        one, serial = statistics.median(r.seconds for r in self.one), statistics.median(self.startup)
        return one / (serial + max(0.0, one - serial) / self.ceiling)

    @property
    def cap(self) -> float | None:
        """The most two processes could gain with the start-up (interpreter, imports, front end) serial and
        everything after it split perfectly in two (Amdahl), from the medians measured."""
        if not self.startup:
            return None
        one, serial = statistics.median(r.seconds for r in self.one), statistics.median(self.startup)
        return one / (serial + max(0.0, one - serial) / 2)

    @property
    def speedup(self) -> float:
        return statistics.median(r.seconds for r in self.one) / statistics.median(r.seconds for r in self.two)

    @property
    def comparison(self) -> str:
        """--jobs 2 against --jobs 1 (the first run of each)."""
        return compare_runs(self.one[0], self.two[0])


def measure_jobs(cmd, env, files: list[Path], invariants: int, label: str, runs: int, no_cache: bool,
                 log, server: WarmServer | None = None) -> JobsResult:
    result = JobsResult(label, len(files), invariants, warm=server is not None)
    extra = ["--no-cache"] if no_cache else []
    for i in range(runs):
        for jobs in ([1, 2] if i % 2 == 0 else [2, 1]):
            run = run_cli(cmd, [*extra, "--jobs", str(jobs), *map(str, files)], env, invariants, server)
            (result.one if jobs == 1 else result.two).append(run)
            print(f"  {label}{', warm server' if server else ''}, --jobs {jobs}: {_s(run.seconds)} "
                  f"(CPU {_s(run.cpu)})", file=log)
        if len(files) == 1 and server is None:
            result.startup.append(time_startup(env, files[0]))
        if server is None:
            result.pair.append(run_pair(cmd, [*extra, "--jobs", "1", *map(str, files)], env))
            print(f"  {label}, two --jobs 1 at once: {_s(result.pair[-1])}", file=log)
    return result


def run_pair(cmd: list[str], args: list[str], env: dict[str, str]) -> float:
    """Wall time of two identical `specforge prove` commands started together, until both have ended: what
    the machine's two cores give work that needs no coordination at all."""
    t0 = time.perf_counter()
    procs = [subprocess.Popen([*cmd, "prove", "--format", "json", *args], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [p.communicate()[1] for p in procs]
    seconds = time.perf_counter() - t0
    for p, err in zip(procs, errors, strict=True):
        if p.returncode != 0:
            sys.exit(f"FAILED: `specforge prove {' '.join(args)}` (two at once) exited with {p.returncode}\n{err[:4000]}")
    return seconds


def time_startup(env: dict[str, str], path: Path) -> float:
    """Wall time of a new process that imports the prover and loads the spec, and stops there: the part
    of `specforge prove FILE` that no number of workers shortens."""
    code = ("import sys; from specforge.frontend import load; from specforge.prove import prove; "
            "sys.exit(0 if load(sys.argv[1]).ok else 1)")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True)
    return time.perf_counter() - t0


@dataclass
class CacheResult:
    implemented: bool
    file: str = ""
    rows: list[tuple] = field(default_factory=list)  # (what, seconds, note[, the seconds it is compared with])
    counts: list[tuple[str, str, int, int, float]] = field(default_factory=list)  # (size, what, hits, misses, s)


def measure_dask(cmd, env, files: list[Path], invariants: int, runs: int, log) -> list[tuple[str, CliRun]]:
    """The same files on a local Dask cluster of two worker processes (one thread each) and on the process
    pool of `--jobs 2`, alternating; empty when the Dask extra is not installed."""
    try:
        import distributed
    except ImportError:
        return []
    out = []
    names = [str(f) for f in files]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        for i in range(runs):
            for how in (["dask", "pool"] if i % 2 == 0 else ["pool", "dask"]):
                option = ["--dask", cluster.scheduler_address] if how == "dask" else ["--jobs", "2"]
                run = run_cli(cmd, ["--no-cache", *option, *names], env, invariants)
                out.append((how, run))
                print(f"  {how}: {_s(run.seconds)} (CPU of the command {_s(run.cpu)})", file=log)
    return out


def render_dask(rows: list[tuple[str, CliRun]], label: str) -> str:
    if not rows:
        return ""
    dask = statistics.median(r.seconds for how, r in rows if how == "dask")
    pool = statistics.median(r.seconds for how, r in rows if how == "pool")
    first = {how: r for how, r in reversed(rows)}
    return "\n".join([
        "", "", "### A Dask cluster against the process pool", "",
        f"`specforge prove --no-cache --format json --dask ADDRESS FILE...` against `--jobs 2`, on {label}, as new "
        "processes, alternating, medians. The cluster is a `distributed.LocalCluster` of two worker processes "
        "(one thread each) on this machine, started once before the runs (its start-up is not counted; the "
        "workers rebuild each spec's prover from the IR the first time they see it). The workers' CPU time is "
        "not the command's, so only wall time is compared.", "",
        "| Executor | Wall | Against `--jobs 2` | Verdicts |", "| --- | ---: | ---: | --- |",
        f"| `--jobs 2` (process pool) | {_s(pool)} | 1.00x | – |",
        f"| `--dask` (local cluster, 2 workers) | {_s(dask)} | {_ratio(pool / dask)} | "
        f"{compare_runs(first['pool'], first['dask'])} |"])


def _edit_one_invariant(text: str) -> str:
    """The same spec with one generated invariant's constant changed (still true, still inductive)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  ") and i > 0 and lines[i - 1].startswith("invariant INV-") and ">= -" in line:
            head, _, rest = line.rpartition(">= -")
            digits = "".join(ch for ch in rest if ch.isdigit() or ch == "_")
            lines[i] = f"{head}>= -{int(digits.replace('_', '')) + 1}{rest[len(digits):]}"
            return "\n".join(lines) + "\n"
    raise ValueError("no invariant of the form `x >= -n` to edit")


def measure_cache(cmd, env, path: Path, invariants: int, features, seed: int, log) -> CacheResult:
    if not features["no_cache"]:
        return CacheResult(False)
    result = CacheResult(True, path.name)
    store = Path(tempfile.mkdtemp(prefix="specforge-bench-proofs-"))
    try:
        # the grammar cache shares the directory: build it first, so that only the proof cache starts empty
        subprocess.run([*cmd, "check", str(path)], env={**env, "SPECFORGE_CACHE_DIR": str(store)},
                       capture_output=True, text=True)
        cached_env = {**env, "SPECFORGE_CACHE_DIR": str(store)}
        reference = run_cli(cmd, ["--no-cache", str(path)], cached_env, invariants)
        result.rows.append(("`--no-cache`", reference.seconds, "the reference: every obligation solved"))
        print(f"  --no-cache: {_s(reference.seconds)}", file=log)
        cold = run_cli(cmd, [str(path)], cached_env, invariants)
        result.rows.append(("first run, empty cache", cold.seconds, "solves everything and stores the results"))
        print(f"  empty cache: {_s(cold.seconds)}", file=log)
        result.rows[-1] = (*result.rows[-1][:2], result.rows[-1][2] + "; against `--no-cache`: "
                           + compare_runs(reference, cold))
        warm = run_cli(cmd, [str(path)], cached_env, invariants)
        result.rows.append(("re-run, nothing changed", warm.seconds,
                            "answered from the cache; against `--no-cache`: " + compare_runs(reference, warm)))
        print(f"  re-run: {_s(warm.seconds)}", file=log)
        edited = path.with_name(path.stem + "_edited.sf")
        edited.write_text(_edit_one_invariant(path.read_text(encoding="utf-8")), encoding="utf-8")
        after_edit = run_cli(cmd, [str(edited)], cached_env, invariants)
        result.rows.append(("re-run after changing one invariant's constant", after_edit.seconds,
                            "the same spec in another file, one literal changed"))
        print(f"  one invariant changed: {_s(after_edit.seconds)}", file=log)
        bank = str(ROOT / "examples" / "bank.sf")
        bank_cold = run_cli(cmd, ["--no-cache", bank], cached_env, None)
        run_cli(cmd, [bank], cached_env, None)  # stores the report
        bank_warm = run_cli(cmd, [bank], cached_env, None)
        result.rows.append(("examples/bank.sf: `--no-cache`", bank_cold.seconds, "a small spec: mostly start-up",
                            bank_cold.seconds))
        result.rows.append(("examples/bank.sf: re-run, nothing changed", bank_warm.seconds,
                            "answered from the cache; against `--no-cache`: " + compare_runs(bank_cold, bank_warm),
                            bank_cold.seconds))
        floor = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        result.rows.append(("`python -c pass` (the interpreter's start-up)", time.perf_counter() - floor,
                            "the floor under any cached answer; its speed-up is bank's ceiling", bank_cold.seconds))
    finally:
        shutil.rmtree(store, ignore_errors=True)
    # hit and miss counts in process, on a small spec (the CLI does not print them)
    try:
        from specforge.frontend import load_text
        from specforge.prove import prove
        from specforge.prove.cache import Cache
    except ImportError:
        return result
    for n, m in CACHE_COUNT_SIZES:
        text = generate_spec(n, m, seed)
        changed = _edit_one_invariant(text)
        store = Path(tempfile.mkdtemp(prefix="specforge-bench-proofs-"))
        try:
            cache = Cache(store / "proofs.sqlite3")
            for what, source in [("first run, empty cache", text), ("re-run, nothing changed", text),
                                 ("one invariant's constant changed", changed)]:
                cache.hits = cache.misses = 0
                spec = load_text(source, "cache.sf").spec
                gc.collect()
                t0 = time.perf_counter()
                prove(spec, cache=cache)
                result.counts.append((f"{n} × {m}", what, cache.hits, cache.misses, time.perf_counter() - t0))
            cache.close()
        finally:
            shutil.rmtree(store, ignore_errors=True)
        print(f"  in process, {n} x {m}: " + ", ".join(f"{c[1]} {_s(c[4])}" for c in result.counts[-3:]), file=log)
    return result


# ---- statistics ------------------------------------------------------------------------------------------


def trivial_spec(invariants: int) -> str:
    """One int variable and `invariants` invariants `x >= -k`, each true in every state; no action."""
    head = ["spec Trivial", "", "state {", "  x: int", "}", "", "init {", "  x := 0", "}", ""]
    return "\n".join(head + [f'invariant T{k} MUST "trivially true":\n  x >= -{k}\n' for k in range(1, invariants + 1)])


def measure_growth(cmd, env, out: Path, log) -> list[tuple[int, CliRun]]:
    """One fresh `prove --no-cache` of each trivial spec (a cold run: nothing cached)."""
    rows = []
    for n in GROWTH_SIZES:
        path = out / f"trivial_{n}.sf"
        path.write_text(trivial_spec(n), encoding="utf-8")
        print(f"  {n} trivially true invariants ...", file=log)
        rows.append((n, run_cli(cmd, ["--no-cache", str(path)], env, n)))
    return rows


def render_growth(rows: list[tuple[int, CliRun]]) -> str:
    if not rows:
        return ""
    xs = [float(n) for n, _ in rows]
    out = ["", "", "### Growth in invariants: trivially true invariants", "",
           "`specforge prove --no-cache --format json FILE` as a new process, one cold run per size, on a spec "
           "of one int variable, no action and N invariants `x >= -k` (each true in every state). Wall and CPU "
           "time (user + system, of the command and its children). Target: 20,000 in under "
           f"{GROWTH_TARGET_S:.0f} s, and linear growth.", "",
           "| Invariants | Wall | CPU | CPU / invariant |", "| ---: | ---: | ---: | ---: |"]
    for n, r in rows:
        out.append(f"| {n:,} | {_s(r.seconds)} | {_s(r.cpu)} | {_us(r.cpu / n)} |")
    largest, last = rows[-1]
    out += ["", f"Exponent k of t ~ N^k (log-log fit over the rows): wall {loglog_slope(xs, [r.seconds for _, r in rows]):.2f}, "
            f"CPU {loglog_slope(xs, [r.cpu for _, r in rows]):.2f}. {largest:,} invariants in {_s(last.seconds)}: "
            + _met(last.seconds < GROWTH_TARGET_S and largest >= 20_000, f"target < {GROWTH_TARGET_S:.0f} s")]
    return "\n".join(out)


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x; returns (a, b, R²)."""
    fit = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    total = sum((y - mean) ** 2 for y in ys)
    residual = sum((y - fit.intercept - fit.slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return fit.intercept, fit.slope, (1 - residual / total) if total else 1.0


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """The exponent k of y ~ x^k (1: linear, 2: quadratic)."""
    return statistics.linear_regression([math.log(x) for x in xs], [math.log(y) for y in ys]).slope


# ---- reporting ----------------------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.01 else f"{seconds * 1000:,.1f} ms"


def _ratio(x: float) -> str:
    return f"{x:.2f}x"


def _met(ok: bool, detail: str) -> str:
    return ("yes" if ok else "**no**") + f" ({detail})"


def render_tables(sizes: list[SizeResult], shapes: list[SizeResult], jobs: list[JobsResult],
                  cache: CacheResult | None, hashing: dict | None, diag_name: str, features: dict, args,
                  others: dict[str, float | None]) -> str:
    out: list[str] = []
    # ---- (a) overhead
    out += [
        "### Overhead over plain z3",
        "",
        "`prove(spec)` in process, after `load(path)`; the front end's time is the `load()` column, not part of "
        "`prove()`. *Induction* is the Houdini phase alone (`Prover._houdini`, timed by wrapping the method). "
        "*Plain z3* solves the same induction obligations and nothing else (see the list below the table). "
        f"Each row is the median of its runs (up to {args.runs}; a size is not repeated once its runs have taken "
        f"{SIZE_BUDGET_S:g} s); the two sides alternate within each run. Target: specforge / plain z3 "
        f"≤ {OVERHEAD_TARGET}x.",
        "",
        "| Spec | Invariants | Actions | Obligations | `load()` | `prove()` | Induction | Plain z3 | "
        "End-to-end ratio | Induction ratio (CPU) | Induction ratio (wall) | Target ≤ 1.3x (induction, CPU) | Runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for r in sizes:
        prove_s, ind, plain = r.median("prove"), r.median("induction"), r.median("plain")
        ind_cpu = r.median("induction_cpu")
        # judged on CPU time: on a shared machine a wall time also counts the time others ran
        ratio_ind = ind_cpu / r.median("plain_cpu")
        out.append(
            f"| `{r.name}` | {r.invariants} | {r.actions} | {r.obligations:,} | {_s(r.load_s)} | {_s(prove_s)} | "
            f"{_s(ind)} | {_s(plain)} | {_ratio(prove_s / plain)} | {_ratio(ratio_ind)} | "
            f"{_ratio(ind / plain)} | "
            f"{_met(ratio_ind <= OVERHEAD_TARGET, f'{ratio_ind / OVERHEAD_TARGET:.0%} of target')} | {len(r.runs)} |")
    out += [
        "",
        "What each side does:",
        "",
        "- **Plain z3** (`plain_z3_induction` in `bench/prove.py`): builds the targets (every invariant and "
        "every state variable's type bound, here `pending: nat`) with `specforge.prove.encode.Encoder`, "
        "encodes them once over the pre-state, and for each action opens one solver with all of them "
        "asserted plainly, plus the parameters' bounds and the guards; then for each target push, assert its "
        "negation over the post-state, check, pop. It asserts that every answer is unsat. It sets the same "
        "per-solver timeout as specforge. Nothing else: no consistency or initial-state check, no unsat cores.",
        "- **specforge `prove()`** checks each target first on a small solver holding only the action and the "
        "target itself over the pre-state (then its support is itself: 98% of the checks here), and the rest "
        "on a solver with every candidate behind a switch, reading the unsat core (which invariants support "
        "which). "
        "Around it: setting up the encoder and the targets, one consistency check, one initial-state check "
        "per target, and the sanity checks: one per guarded action (dead actions) and one per invariant "
        "(is it implied by all the others: a solver with all N−1 others asserted, so N solvers of N "
        "assertions). Bounded search and strengthening do not run, since everything is proved in the first "
        "induction round. The end-to-end ratio therefore compares different amounts of work by design; the "
        "induction ratio compares the same obligations.",
        "- *Obligations* = targets × actions (targets = invariants + 1 type bound): the induction checks each "
        "side makes. *Induction ratio (CPU)*: the process CPU time of the induction phase (measured around "
        "`Prover._houdini`) over plain z3's; the target is judged on it, since on a shared machine a wall time "
        "also counts the time other processes ran. The wall-time ratio beside it shows how much they did.",
        "",
        "Where `prove()` spends its time (medians; *other* is what the phases do not cover: creating the "
        "`Prover`, the strengthening loop and building the report):",
        "",
        "| Spec | `prove()` | Setup + other | Consistency | Initial state | Induction | Bounded search | Sanity | "
        "Plain z3 | of which `check()` | Findings |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    labels = [label for _, label in PHASES]
    for r in sizes:
        prove_s = r.median("prove")
        phase = {label: r.median(label) for label in labels}
        other = r.median("other")
        findings = ", ".join(f"{n} {k}" for k, n in sorted(r.findings.items())) or "none"
        out.append(f"| `{r.name}` | {_s(prove_s)} | {_s(other)} | " + " | ".join(_s(phase[label]) for label in labels)
                   + f" | {_s(r.median('plain'))} | {_s(r.median('plain_check'))} | {findings} |")
    n_redundant = max((r.findings.get("redundant", 0) for r in sizes), default=0)
    if n_redundant:
        out += ["", "The generated invariants beyond the 13 core ones are weaker forms of them (that is what makes "
                "them all inductive), so the sanity check reports most of them as redundant: a note, not an error."]
    if hashing:
        total_calls = sum(n for n, _ in hashing.values())
        total_s = sum(s for _, s in hashing.values())
        diag = next((r for r in sizes if r.name == diag_name), None)
        out += [
            "",
            f"Cache-key hashing: calls to `specforge.prove.cache.digest` during one `prove()` of `{diag_name}` "
            "(without a cache: `prove()`'s default, and what `--no-cache` does), counted in a separate, "
            "instrumented run, so the times carry the counting wrapper's own cost. The key of each induction "
            "obligation hashes the digests of all the hypotheses (a `json.dumps` of each), so a call costs time "
            "in proportion to the number of invariants, and the induction phase's calls add up to "
            "invariants² × actions.",
            "",
            "| Phase | Calls | Time in `digest` | Share of the phase (median run above) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for phase_name in ["setup", *labels]:
            if phase_name not in hashing:
                continue
            n, s = hashing[phase_name]
            share = "–"
            if diag is not None and phase_name in labels and not math.isnan(diag.median(phase_name)):
                share = f"{s / diag.median(phase_name):.0%}"
            out.append(f"| {phase_name} | {n:,} | {_s(s)} | {share} |")
        out.append(f"| total | {total_calls:,} | {_s(total_s)} | – |")
    if shapes:
        same_size = {(r.invariants, r.actions) for r in shapes}
        rows = [r for r in sizes if (r.invariants, r.actions) in same_size] + shapes
        out += [
            "",
            "The overhead depends on how much work each solver call is. The same measurement with the generated "
            "invariants (all but the 13 core ones) of one shape:",
            "",
            "| Spec | Generated invariants | `prove()` | Induction | Plain z3 | Induction ratio | "
            "Induction − plain z3, per obligation | Runs |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in rows:
            ind, plain = r.median("induction"), r.median("plain")
            out.append(f"| `{r.name}` | {SHAPES[r.shape]} | {_s(r.median('prove'))} | {_s(ind)} | {_s(plain)} | "
                       f"{_ratio(ind / plain)} | {_us((ind - plain) / r.obligations)} | {len(r.runs)} |")
    # ---- (b) scaling
    xs = [float(r.obligations) for r in sizes]
    series = [("`prove()`", [r.median("prove") for r in sizes]),
              ("induction", [r.median("induction") for r in sizes]),
              ("plain z3", [r.median("plain") for r in sizes])]
    out += [
        "",
        "### Scaling with the number of obligations",
        "",
        "Time per obligation (obligations = targets × actions) at each size; constant if the time is linear "
        "in the number of obligations.",
        "",
        "| Spec | Obligations | `prove()` / obligation | Induction / obligation | Plain z3 / obligation |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in sorted(sizes, key=lambda r: r.obligations):
        out.append(f"| `{r.name}` | {r.obligations:,} | {_us(r.median('prove') / r.obligations)} | "
                   f"{_us(r.median('induction') / r.obligations)} | {_us(r.median('plain') / r.obligations)} |")
    out += [
        "",
        "Fits over all rows: least squares t = a + b·x (x = obligations), its R², and the exponent k of "
        "t ~ x^k from a log-log fit (k = 1: linear; k = 2: quadratic). Target: linear. Counted as linear here "
        "when k ≤ 1.15 (at most about 1.15x more time per obligation for every 2.7x more obligations).",
        "",
        "| Series | a | b (per obligation) | R² | k (log-log) | Linear |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    if len(sizes) >= 3:
        for label, ys in series:
            a, b, r2 = linear_fit(xs, ys)
            k = loglog_slope(xs, ys)
            out.append(f"| {label} | {_s(a) if a >= 0 else '−' + _s(-a)} | {_us(b)} | {r2:.4f} | {k:.2f} | "
                       f"{'yes' if k <= 1.15 else '**no**'} |")
    else:
        out.append("| (fewer than 3 sizes: no fit) | – | – | – | – | – |")
    # ---- (c) --jobs
    if args.skip_cli:
        out += ["", "### `--jobs 2` against `--jobs 1`, and the result cache", "",
                "Not measured in this run (`--skip-cli`)."]
        return "\n".join(out)
    out += [
        "",
        "### `--jobs 2` against `--jobs 1`",
        "",
        f"`specforge prove --format json{' --no-cache' if features['no_cache'] else ''} --jobs J FILE...` as a "
        f"new process, wall time, median of {args.cli_runs} runs each (of {max(3, args.cli_runs // 2)} for the "
        f"{JOBS_HUGE_SIZE[0]:,}-invariant file, cold only), alternating. `specforge prove --help` "
        f"says of `--jobs`: \"{features['jobs_help'] or 'no --jobs option'}\". With several files and "
        "`--jobs 2`, the workers parse the files; with one file, the command parses it. *CPU* is the user + system time of the "
        "command and every process it started (the workers included), median: with no extra work for "
        "parallelism it would be the same for both. Target: speed-up ≥ 1.7x. The last column compares the "
        "reports of the first `--jobs 2` and `--jobs 1` runs. The rows *warm* time the same commands as "
        "clients of one `specforge serve` started before them (`SPECFORGE_SERVER` set): each command still "
        "starts a new client process, which the wall time includes, but the server has the libraries loaded "
        "and forks a copy of itself to run it; their CPU is the command's on the server (from its log).",
        "",
        "| Case | Files | Invariants (all files) | `--jobs 1` | `--jobs 2` | Speed-up | Target ≥ 1.7x | "
        "CPU, `--jobs 1` | CPU, `--jobs 2` | Reports |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for j in jobs:
        one = statistics.median(r.seconds for r in j.one)
        two = statistics.median(r.seconds for r in j.two)
        out.append(f"| {j.label}{', *warm*' if j.warm else ''} | {j.files} | {j.invariants:,} | {_s(one)} | {_s(two)} | {_ratio(j.speedup)} | "
                   f"{_met(j.speedup >= JOBS_TARGET, f'{j.speedup / JOBS_TARGET:.0%} of target')} | "
                   f"{_s(statistics.median(r.cpu for r in j.one))} | {_s(statistics.median(r.cpu for r in j.two))} | "
                   f"{j.comparison} |")
    busy = others.get("`--jobs`")
    if busy is not None and busy > 0.10:
        out += ["", f"**Other processes used {busy:.0%} of the machine's CPU while these runs took place**, so "
                "`--jobs 2` did not have two free cores: these speed-ups understate what it does on an idle "
                "machine. Rerun the benchmark on a quiet machine before drawing conclusions."]
    paired = [j for j in jobs if j.ceiling is not None]
    if paired:
        out += ["", "What the machine itself gives two processes: in each round of the runs above, two identical "
                "`--jobs 1` commands were also started together, and timed until both ended (median). Two free, "
                "equal cores would finish them in the time of one, a ceiling of 2.00x; a lower ceiling is the "
                "machine (its two virtual cores share the host with other work, and run at different and "
                "drifting speeds), not the prover. *Amdahl on this machine* bounds `--jobs 2` with the start-up "
                "serial and the rest sped up by that ceiling rather than by 2.", "",
                "| Case | Start-up | Share of `--jobs 1` | Amdahl, 2 free cores | Two `--jobs 1` at once | "
                "Ceiling | Amdahl on this machine | Measured | Measured / ceiling |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for j in paired:
            one = statistics.median(r.seconds for r in j.one)
            serial = statistics.median(j.startup) if j.startup else None
            out.append(f"| {j.label} | {_s(serial) if serial else '–'} | {f'{serial / one:.0%}' if serial else '–'} | "
                       f"{_ratio(j.cap) if j.cap else '–'} | {_s(statistics.median(j.pair))} | {_ratio(j.ceiling)} | "
                       f"{_ratio(j.bound) if j.bound else '–'} | {_ratio(j.speedup)} | {j.speedup / j.ceiling:.0%} |")
    # ---- (d) cache
    out += ["", "### Re-running with the result cache", ""]
    if cache is None or not cache.implemented:
        out += ["| Run | Wall time |", "| --- | --- |",
                "| re-run of an unchanged spec from the cache | not implemented (`specforge prove --help` has no "
                "`--no-cache`: there is no result cache) |"]
    else:
        ref = cache.rows[0][1]
        out += [
            f"`specforge prove --format json FILE` as a new process on `{cache.file}`, one run each, in this "
            "order, with a proof cache that starts empty (in a temporary `SPECFORGE_CACHE_DIR`; its grammar "
            "cache is built beforehand). The process start-up and the front end are included in every row.",
            "",
            "| Run | Wall time | Speed-up over `--no-cache` | Note |",
            "| --- | ---: | ---: | --- |",
        ]
        for what, seconds, note, *against in cache.rows:  # a row may name its own reference (bank's rows)
            out.append(f"| {what} | {_s(seconds)} | {_ratio((against[0] if against else ref) / seconds)} | {note} |")
        if cache.counts:
            out += [
                "",
                "In process, with the cache's hit and miss counts: `prove(spec, cache=Cache(path))` three times "
                "against one empty store per size (no process start-up, no front end). A hit is one stored "
                "answer reused (an obligation, an initial-state check, a sanity check).",
                "",
                "| Size | Run | Hits | Misses | `prove()` |",
                "| --- | --- | ---: | ---: | ---: |",
            ]
            for size, what, hits, misses, seconds in cache.counts:
                out.append(f"| {size} | {what} | {hits:,} | {misses:,} | {_s(seconds)} |")
    return "\n".join(out)


def machine_description(load_before, load_after, others: dict[str, float | None]) -> list[str]:
    import z3

    libraries = [f"z3 {z3.get_version_string()} (z3-solver {common.version('z3-solver')})",
                 f"lark {common.version('lark')}", f"pydantic {common.version('pydantic')}"]
    return [
        *common.platform_lines(libraries, recursive=True),
        f"- Load average (1 / 5 / 15 min) at the start: {common.show_load(load_before)}; at the end: "
        f"{common.show_load(load_after)} (this includes the benchmark's own processes).",
        "- CPU used by other processes while each part ran, as a share of all cores (from /proc/stat, minus "
        "the benchmark's own CPU time): "
        + "; ".join(f"{part}: {common.show_share(v)}" for part, v in others.items())
        + ". Anything well above 0% inflates the wall times (the CPU-time ratios are less affected), and "
        "leaves `--jobs 2` less than two free cores.",
    ]


def reproduce_command(args) -> str:
    parts = ["python bench/prove.py"]
    if args.runs != DEFAULT_RUNS:
        parts.append(f"--runs {args.runs}")
    if args.cli_runs != DEFAULT_CLI_RUNS:
        parts.append(f"--cli-runs {args.cli_runs}")
    if args.seed != DEFAULT_SEED:
        parts.append(f"--seed {args.seed}")
    if args.sizes != DEFAULT_SIZES:
        parts.append("--sizes " + ",".join(f"{n}x{m}" for n, m in args.sizes))
    if args.skip_shapes:
        parts.append("--skip-shapes")
    if args.skip_cli:
        parts.append("--skip-cli")
    if args.skip_growth:
        parts.append("--skip-growth")
    parts.append("--record")
    return " ".join(parts)


def render_section(tables: str, args, loads, others: dict[str, float | None], total_s: float) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    return "\n".join([
        SECTION_HEADING,
        "",
        "How long `specforge prove` takes on generated specs with N invariants and M actions, what it costs "
        "over discharging the same induction obligations with plain z3 calls, how it scales, what `--jobs 2` "
        "gains and what a cached re-run saves. The specs are generated by `bench/prove.py` from a fixed seed "
        f"({args.seed}): int state variables with guards, an enum, durations, and a `set Account` with "
        "`map[Account, int]` balances and forall-invariants. Every invariant is inductive together with the "
        "others, and the script stops unless every one is proved (and unless plain z3 proves every induction "
        "obligation).",
        "",
        f"Measured on {date} on:",
        "",
        *machine_description(*loads, others),
        "",
        "To reproduce, from the repository root:",
        "",
        "```sh",
        reproduce_command(args),
        "```",
        "",
        f"The whole run took {total_s:.0f} s.",
        "",
        tables,
        "",
    ])


# ---- main -----------------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        try:
            n, m = (int(x) for x in part.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected NxM[,NxM...], got {part!r}") from None
        if n < 1 or not 1 <= m <= MAX_ACTIONS:
            raise argparse.ArgumentTypeError(f"{part}: need N >= 1 and 1 <= M <= {MAX_ACTIONS}")
        out.append((n, m))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time `specforge prove` on generated specs against plain z3, its scaling, --jobs 2 and the "
                    "result cache.",
        epilog="Results are printed as Markdown; --record also writes them to docs/benchmarks.md.",
    )
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"in-process runs per size, each of prove() and of plain z3 (default {DEFAULT_RUNS}; "
                             f"a size is not repeated once its runs have taken {SIZE_BUDGET_S:g} s)")
    parser.add_argument("--cli-runs", type=int, default=DEFAULT_CLI_RUNS,
                        help=f"runs of each `specforge prove --jobs J` command (default {DEFAULT_CLI_RUNS})")
    parser.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES, metavar="NxM[,NxM...]",
                        help="invariants x actions of the in-process specs (default "
                             + ",".join(f"{n}x{m}" for n, m in DEFAULT_SIZES) + f"; M at most {MAX_ACTIONS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the spec generator (default {DEFAULT_SEED})")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="solver timeout per obligation in seconds, for both sides (default 10, as the CLI)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where the generated specs are written (default bench/out/, ignored by git)")
    parser.add_argument("--skip-shapes", action="store_true",
                        help="skip the specs whose generated invariants are all of one shape")
    parser.add_argument("--skip-cli", action="store_true",
                        help="skip the process measurements (--jobs and the cache)")
    parser.add_argument("--skip-growth", action="store_true",
                        help="Do not time the trivially true invariants (up to 20,000; about a minute).")
    parser.add_argument("--record", action="store_true",
                        help="write the results into the prover section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    common.compile_sources()  # timed processes import compiled modules, as from an installed copy
    if args.runs < 1 or args.cli_runs < 1:
        parser.error("--runs and --cli-runs must be at least 1")

    began = time.perf_counter()
    load_before = common.load_average()
    if load_before is not None and load_before[0] > 0.5 * (os.cpu_count() or 1):
        print(f"warning: the machine is busy (load average {common.show_load(load_before)} on {os.cpu_count()} cores); "
              "the times will be inflated", file=sys.stderr)
    log = sys.stderr
    args.out.mkdir(parents=True, exist_ok=True)
    cache_dir = Path(tempfile.mkdtemp(prefix="specforge-bench-cache-"))
    os.environ["SPECFORGE_CACHE_DIR"] = str(cache_dir)  # the grammar cache (and any proof cache) go here
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        def write(n: int, m: int, tag: str = "", shape: str = "mixed") -> Path:
            suffix = tag + ("" if shape == "mixed" else f"_{shape}")
            path = args.out / f"prove_{n}x{m}{suffix}.sf"
            path.write_text(generate_spec(n, m, args.seed, tag, shape), encoding="utf-8")
            return path

        sizes = []
        for n, m in args.sizes:
            path = write(n, m)
            sizes.append(SizeResult(n, m, path, len(path.read_text(encoding="utf-8").splitlines())))
        shapes = []
        if not args.skip_shapes:
            for n, m, shape in SHAPE_SIZES:
                path = write(n, m, shape=shape)
                shapes.append(SizeResult(n, m, path, len(path.read_text(encoding="utf-8").splitlines()), shape))

        # warm up: imports, the grammar, z3's first calls
        from specforge.frontend import load

        warm = load(str(sizes[0].path)).spec
        timed_prove(warm, args.timeout)
        plain_z3_induction(warm, args.timeout)

        print("in process: prove() against plain z3 ...", file=log)
        watch = common.OtherLoad()
        for r in sizes + shapes:
            run_size(r, args.runs, args.timeout, log)

        names = [r.name for r in sizes]
        diag_name = f"prove_{DIAG_SIZE[0]}x{DIAG_SIZE[1]}.sf"
        if diag_name not in names:
            diag_name = max(sizes, key=lambda r: r.obligations).name
        print(f"counting cache-key hashes in {diag_name} ...", file=log)
        hashing = count_hash_calls(load(str(args.out / diag_name)).spec, args.timeout)
        others: dict[str, float | None] = {"in process": watch.share()}

        jobs: list[JobsResult] = []
        growth: list[tuple[int, CliRun]] = []
        dask: list[tuple[str, CliRun]] = []
        cache: CacheResult | None = None
        features = {"no_cache": False, "jobs": False, "jobs_help": "", "serve": False}
        if not args.skip_cli:
            cmd = specforge_command()
            features = cli_features(cmd)
            subprocess.run([*cmd, "check", str(sizes[0].path)], env=env, capture_output=True)  # grammar cache
            n, m = JOBS_FILE_SIZE
            files = [write(n, m, f"_file{i}") for i in range(1, JOBS_FILES + 1)]
            cases = [(files, n * len(files), f"{len(files)} files of {n} invariants × {m} actions")]
            n, m = JOBS_BIG_SIZE
            cases.append(([write(n, m)], n, f"one file, {n} invariants × {m} actions"))
            n, m = JOBS_LARGE_SIZE
            cases.append(([write(n, m)], n, f"one file, {n} invariants × {m} actions"))
            n, m = JOBS_HUGE_SIZE  # a proof long against the start-up: cold runs only, fewer of them
            huge = ([write(n, m)], n, f"one file, {n:,} invariants × {m} actions")
            print("--jobs 1 against --jobs 2 ...", file=log)
            watch = common.OtherLoad()
            for paths, count, label in cases:
                jobs.append(measure_jobs(cmd, env, paths, count, label, args.cli_runs, bool(features["no_cache"]),
                                         log))
            jobs.append(measure_jobs(cmd, env, *huge, max(3, args.cli_runs // 2), bool(features["no_cache"]), log))
            if features["serve"]:
                print("--jobs 1 against --jobs 2, clients of a warm `specforge serve` ...", file=log)
                server = WarmServer(cmd, env)
                try:
                    for paths, count, label in cases:
                        jobs.append(measure_jobs(cmd, env, paths, count, label, args.cli_runs,
                                                 bool(features["no_cache"]), log, server))
                finally:
                    server.close()
            others["`--jobs`"] = watch.share()
            print("a local Dask cluster against --jobs 2 ...", file=log)
            dask = measure_dask(cmd, env, files, JOBS_FILE_SIZE[0] * len(files), args.cli_runs, log)
            print("the result cache ...", file=log)
            watch = common.OtherLoad()
            n, m = CACHE_SIZE
            cache = measure_cache(cmd, env, write(n, m), n, features, args.seed, log)
            others["cache"] = watch.share()
            if not args.skip_growth:
                print("growth in trivially true invariants ...", file=log)
                growth = measure_growth(cmd, env, args.out, log)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)

    total = time.perf_counter() - began
    tables = render_tables(sizes, shapes, jobs, cache, hashing, diag_name, features, args, others)
    tables += render_dask(dask, f"the {JOBS_FILES} files of the `--jobs` table") + render_growth(growth)
    section = render_section(tables, args, (load_before, common.load_average()), others, total)
    print(section)
    if args.record:
        common.record(section, SECTION_HEADING)
        print(f"recorded in {BENCHMARKS_MD.relative_to(ROOT)}", file=sys.stderr)
    print(f"total time {total:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
