"""Parallel proving gives the verdicts of serial proving: a process pool for one spec (tasks by action),
one pool for a command with several files (tasks by file), and any `concurrent.futures.Executor`,
a Dask cluster's included."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.frontend import load_text
from specforge.prove import prove
from specforge.prove.engine import PARALLEL_THRESHOLD, process_pool

from .support import ROOT


def many(n: int, broken: bool = False, dead: bool = False) -> str:
    lines = ["spec Many\nset Account\nstate {\n  bal: map[Account, int]\n  total: int\n  count: nat\n}\n",
             "init {\n  bal := {a: 0 for a in Account}\n  total := 0\n  count := 0\n}\n",
             "action deposit(a: Account, n: int) {\n  requires n > 0 else Bad\n  bal[a] := bal[a] + n\n"
             "  total := total + n\n  count := count + 1\n}\n",
             "action withdraw(a: Account, n: int) {\n  requires n > 0 else Bad\n"
             + ("" if broken else "  requires n <= bal[a] else Insufficient\n")
             + "  bal[a] := bal[a] - n\n  total := total - n\n}\n",
             "action reset_count() {\n  count := 0\n}\n"]
    if dead:  # an action the invariants rule out, and invariants that follow from others: sanity findings
        lines.append("action overdrawn(a: Account) {\n  requires bal[a] < -1000 else Closed\n  count := 0\n}\n")
    for k in range(n):
        lines.append(f"invariant B-{k}: forall a in Account: bal[a] >= -{k}\n")
        lines.append(f"invariant T-{k}: count >= -{k}\n")
    return "".join(lines)


def spec(text: str):
    loaded = load_text(text, "many.sf")
    assert loaded.ok
    return loaded.spec


def outcome(report) -> list[tuple]:
    return [(r.id, r.verdict.value, r.method, tuple(r.supported_by or ()), r.run.steps if r.run else None)
            for r in report.invariants] + [(f.kind, f.message, tuple(f.ids)) for f in report.findings]


class RecordingPool(ProcessPoolExecutor):
    """A process pool that notes which prover method each task runs."""

    def __init__(self, jobs: int):
        super().__init__(max_workers=jobs, mp_context=process_pool(jobs)._mp_context)
        self.methods: list[str] = []
        self.tasks: list[tuple] = []  # (method, its arguments)
        self.payloads: list[int] = []  # the size of the copy of the spec each task carried

    def submit(self, fn, /, *args, **kwargs):
        self.methods.append(args[4])  # _remote(key, payload, depth, timeout, method, args)
        self.tasks.append((args[4], args[5]))
        self.payloads.append(len(args[1]))
        return super().submit(fn, *args, **kwargs)


@pytest.mark.parametrize("broken", [False, True], ids=["all proved", "some violated"])
def test_a_process_pool_gives_the_verdicts_and_findings_of_serial_proving(broken):
    """The induction and dead-action checks go to the pool (the spec has enough obligations; the initial
    state satisfies them all, which one question in this process settles), and the redundancy check runs
    here meanwhile: same verdicts, same findings."""
    s = spec(many(PARALLEL_THRESHOLD, broken, dead=True))
    serial = prove(s, depth=3)
    with RecordingPool(2) as pool:
        parallel = prove(s, depth=3, executor=pool)
    assert outcome(parallel) == outcome(serial)
    assert {"check_action", "dead_checks"} <= set(pool.methods)
    assert "initial_checks" not in pool.methods
    verdicts = {r.verdict.value for r in serial.invariants}
    assert verdicts == ({"proved", "violated"} if broken else {"proved"})
    kinds = {f.kind for f in serial.findings}  # an action is dead by the proved invariants alone
    assert kinds == ({"redundant"} if broken else {"dead-action", "redundant"})


def test_a_violation_in_the_initial_state_found_by_a_worker_is_the_serial_one():
    text = many(PARALLEL_THRESHOLD).replace("  total := 0\n", "  total := 5\n") + "invariant Z-0: total <= 0\n"
    s = spec(text)
    serial = prove(s, depth=2)
    with RecordingPool(2) as pool:
        parallel = prove(s, depth=2, executor=pool)
    assert outcome(parallel) == outcome(serial)
    assert "initial_checks" in pool.methods  # one obligation breaks: each is checked on its own, by the workers
    z = next(r for r in serial.invariants if r.id == "Z-0")
    assert z.verdict.value == "violated" and z.run.steps == 0


def test_an_obligation_that_fails_initially_supports_no_proof_of_the_first_round():
    """The first induction round starts before the initial state is checked, over every obligation. Here
    Z-0 breaks initially and W-0 is preserved by `dec` only assuming Z-0: that round proves W-0 with Z-0,
    the proof must not stand, and W-0 is violated as in a serial run."""
    text = many(PARALLEL_THRESHOLD).replace("  count: nat\n}", "  count: nat\n  p: int\n  q: int\n}").replace(
        "  count := 0\n}", "  count := 0\n  p := 1\n  q := 0\n}") + (
        "action step() {\n  p := p + 1\n  q := q + 1\n}\n"
        "action dec() {\n  requires p > 0 else Empty\n  q := q - 1\n}\n"
        "invariant Z-0: p == q\ninvariant W-0: q >= 0\n")
    s = spec(text)
    serial = prove(s, depth=2)
    with RecordingPool(2) as pool:
        parallel = prove(s, depth=2, executor=pool)
    assert outcome(parallel) == outcome(serial)
    first = [args for method, args in pool.tasks if method == "check_action"]
    assert first and all("Z-0" in candidates for _, candidates, _ in first[:2]), "the first round assumed Z-0"
    verdicts = {r.id: (r.verdict.value, r.run.steps if r.run else None) for r in serial.invariants}
    assert verdicts["Z-0"] == ("violated", 0) and verdicts["W-0"] == ("violated", 1)


def test_the_longest_induction_tasks_are_sent_first():
    """Tasks go to the workers by how many of their targets read what the action writes, most first:
    `deposit` writes what all 65 targets read, `reset_count` what the T- invariants and count's bound read
    (33), `withdraw` what the B- invariants read (32); the spec declares them deposit, withdraw,
    reset_count. The answers are read in the declared order, as a serial run reads them."""
    s = spec(many(PARALLEL_THRESHOLD))
    serial = prove(s, depth=2)
    with RecordingPool(2) as pool:
        parallel = prove(s, depth=2, executor=pool)
    assert [args[0] for method, args in pool.tasks if method == "check_action"] == ["deposit", "reset_count", "withdraw"]
    assert outcome(parallel) == outcome(serial)


def test_the_workers_share_the_bounded_search_and_find_the_serial_runs():
    """Without the explicit search, the violations come from the bounded search: its targets are cut into
    shares, each worker unrolls the transitions for its own, and every violation is found at the depth
    the serial search finds it."""
    lines = ["spec Counters\nstate {\n  count: nat\n  total: int\n}\ninit {\n  count := 0\n  total := 0\n}\n",
             "action add(n: int) {\n  requires n > 0 else Bad\n  total := total + n\n  count := count + 1\n}\n",
             "action take(n: int) {\n  requires n > 0 else Bad\n  total := total - n\n}\n"]
    lines += [f"invariant T-{k}: total >= -{k}\n" for k in range(PARALLEL_THRESHOLD)]  # take(k + 1): one step
    lines += [f"invariant C-{k}: count <= {k}\n" for k in (1, 2, 3)]  # k + 1 calls of add
    s = spec("".join(lines))
    options = {"depth": 5, "explore_size": -1, "infer_budget": 0}
    serial = prove(s, **options)
    with RecordingPool(2) as pool:
        parallel = prove(s, executor=pool, **options)
    assert pool.methods.count("bounded_checks") >= 2
    assert outcome(parallel) == outcome(serial)
    steps = {r.id: r.run.steps for r in serial.invariants if r.run}
    assert steps == {"C-1": 2, "C-2": 3, "C-3": 4, **{f"T-{k}": 1 for k in range(PARALLEL_THRESHOLD)}}


def test_any_executor_serves_and_its_workers_rebuild_the_prover_from_the_ir():
    s = spec(many(PARALLEL_THRESHOLD))
    with ProcessPoolExecutor(max_workers=2) as pool:  # spawn or fork: whatever the platform gives
        assert outcome(prove(s, depth=2, executor=pool)) == outcome(prove(s, depth=2))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_workers_forked_at_the_first_task_get_no_copy_of_the_spec_and_others_do():
    """A pool that forks its workers at its first task hands them the Prover itself: its tasks carry no
    copy of the spec. A pool whose workers were already running (here, forked by a task before this
    spec was loaded) gets the copy with every task, and its workers rebuild the Prover from it."""
    s = spec(many(PARALLEL_THRESHOLD))
    serial = outcome(prove(s, depth=2))
    with RecordingPool(2) as fresh:
        assert outcome(prove(s, depth=2, executor=fresh)) == serial
    assert fresh.payloads and set(fresh.payloads) == {0}
    with RecordingPool(2) as running:
        assert ProcessPoolExecutor.submit(running, os.getpid).result() != os.getpid()
        assert outcome(prove(s, depth=2, executor=running)) == serial
    assert running.payloads and min(running.payloads) > 0


# One thread lets go of many z3 terms while another makes new ones: what happened in CI when a pool's manager
# thread ran the garbage collector over terms the prover had left in reference cycles (the process aborted
# inside z3, exit 134). Without specforge's setting, this crashed or hung about one run in two.
RELEASE_WHILE_MAKING = """
import sys, threading
import specforge.prove
import z3
sys.setswitchinterval(1e-6)
x = z3.Int("x")
doomed = [[x + (k * 100000 + i) for i in range(20000)] for k in range(4)]
def release():
    while doomed:
        doomed.pop()
other = threading.Thread(target=release)
other.start()
made = [x * i for i in range(120000)]
other.join()
print("survived", len(made))
"""


def test_a_z3_term_freed_on_another_thread_does_not_crash_the_prover():
    try:
        done = subprocess.run([sys.executable, "-c", RELEASE_WHILE_MAKING], capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("z3 hung while one thread freed terms and another made them")
    assert done.returncode == 0, f"z3 crashed (exit {done.returncode}): {done.stderr[-2000:]}"
    assert done.stdout.strip() == "survived 120000"


def test_one_pool_serves_a_command_with_several_files_and_reports_as_serial(tmp_path):
    files = [str(ROOT / "examples" / f"{name}.sf") for name in ("bank", "ledger", "order")]
    broken = tmp_path / "broken.sf"
    broken.write_text(many(3, broken=True))
    files.append(str(broken))

    def verdicts(*extra):
        result = CliRunner().invoke(main, ["prove", "--no-cache", "--format", "json", "--depth", "4", *extra, *files])
        doc = json.loads(result.stdout)
        return result.exit_code, [(s["spec"], [(i["id"], i["verdict"]) for i in s["invariants"]]) for s in doc["specs"]]

    assert verdicts("--jobs", "2") == verdicts()


def test_a_dask_cluster_gives_the_verdicts_of_serial_proving():
    distributed = pytest.importorskip("distributed")
    s = spec(many(PARALLEL_THRESHOLD, broken=True))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            executor = client.get_executor()
            assert outcome(prove(s, depth=3, executor=executor)) == outcome(prove(s, depth=3))
            address = cluster.scheduler_address
            result = CliRunner().invoke(main, ["prove", "--no-cache", "--depth", "3", "--dask", address,
                                               str(ROOT / "examples" / "ledger.sf")])
            assert result.exit_code == 0, result.output
            # several files: each is sent to the cluster as text, and parsed there
            files = [str(ROOT / "examples" / f"{name}.sf") for name in ("ledger", "bank")]
            on_cluster = CliRunner().invoke(main, ["prove", "--no-cache", "--depth", "3", "--format", "json",
                                                   "--dask", address, *files])
            here = CliRunner().invoke(main, ["prove", "--no-cache", "--depth", "3", "--format", "json", *files])
            assert on_cluster.exit_code == here.exit_code == 0, on_cluster.output
            assert _verdicts(on_cluster.stdout) == _verdicts(here.stdout)


def _verdicts(report: str) -> list:
    return [(s["spec"], [(i["id"], i["verdict"]) for i in s["invariants"]]) for s in json.loads(report)["specs"]]


def test_an_unreachable_dask_scheduler_is_a_usage_error():
    pytest.importorskip("distributed")
    result = CliRunner().invoke(main, ["prove", "--no-cache", "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "1", str(ROOT / "examples" / "bank.sf")])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output


def test_a_file_with_errors_stops_a_parallel_command_before_any_report(tmp_path):
    """Files are sent to the pool as they are read; one with errors stops the others' work."""
    bad = tmp_path / "bad.sf"
    bad.write_text("spec Bad\nstate { x: int }\ninit { x := y }\n")
    good = str(ROOT / "examples" / "bank.sf")
    result = CliRunner().invoke(main, ["prove", "--no-cache", "--jobs", "2", good, good, str(bad)])
    assert result.exit_code == 1
    assert "bad.sf:3:" in result.output and "invariant" not in result.output.lower()


def test_files_with_errors_are_reported_as_serial_although_the_workers_parse_them(tmp_path):
    """With several files the workers parse them; the errors are still every file's, in file order, and
    nothing is proved."""
    bad = tmp_path / "bad.sf"
    bad.write_text("spec Bad\nstate { x: int }\ninit { x := y }\n")
    worse = tmp_path / "worse.sf"
    worse.write_text("spec W\nstate {\n  x: int\n}\ninit {\n  x := 0\n}\ninvariant A: x >=\n")
    good = str(ROOT / "examples" / "ledger.sf")
    args = ["prove", "--no-cache", good, str(bad), good, str(worse)]
    serial = CliRunner().invoke(main, args)
    pooled = CliRunner().invoke(main, [*args, "--jobs", "2"])
    assert serial.exit_code == pooled.exit_code == 1
    assert pooled.output == serial.output
    assert "bad.sf:3:" in pooled.output and "worse.sf:9:1:" in pooled.output and "proved" not in pooled.output


def test_a_construct_the_prover_cannot_express_is_reported_from_a_worker(monkeypatch, tmp_path):
    from specforge import ir
    from specforge.prove import encode

    from .test_prove_engine import UNENCODABLE

    # as if the prover had no encoding of calls (the workers are forked after this, and see it too)
    monkeypatch.setattr(encode, "HANDLERS", {k: v for k, v in encode.HANDLERS.items() if k is not ir.Call})
    path = tmp_path / "t.sf"
    path.write_text(UNENCODABLE, encoding="utf-8")
    args = ["prove", "--no-cache", "--no-explore", str(path), str(path)]
    serial = CliRunner().invoke(main, args)
    pooled = CliRunner().invoke(main, [*args, "--jobs", "2"])
    assert serial.exit_code == pooled.exit_code == 1
    assert pooled.output == serial.output
    # every construct, as serial (a worker once reported only the first the prover met)
    assert [line.split(": error")[0] for line in pooled.output.splitlines() if "error[SF301]" in line] == [
        f"{path}:6:14", f"{path}:8:12", f"{path}:9:8"]


def test_with_several_files_the_command_parses_none_of_them(monkeypatch):
    """The workers parse the files they prove; the command only reads them (it parses them only to report
    errors a worker found)."""
    from specforge import frontend

    def parsed_here(path):
        raise AssertionError(f"the command parsed {path} itself")

    monkeypatch.setattr(frontend, "load", parsed_here)
    files = [str(ROOT / "examples" / f"{name}.sf") for name in ("ledger", "bank")]
    result = CliRunner().invoke(main, ["prove", "--no-cache", "--depth", "3", "--jobs", "2", *files])
    assert result.exit_code == 0, result.output
    assert "Ledger" in result.output and "Bank" in result.output
