"""Parallel proving gives the verdicts of serial proving: a process pool for one spec (tasks by action),
one pool for a command with several files (tasks by file), and any `concurrent.futures.Executor`,
a Dask cluster's included."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.frontend import load_text
from specforge.prove import prove
from specforge.prove.engine import PARALLEL_THRESHOLD, process_pool

from .support import ROOT


def many(n: int, broken: bool = False) -> str:
    lines = ["spec Many\nset Account\nstate {\n  bal: map[Account, int]\n  total: int\n  count: nat\n}\n",
             "init {\n  bal := {a: 0 for a in Account}\n  total := 0\n  count := 0\n}\n",
             "action deposit(a: Account, n: int) {\n  requires n > 0 else Bad\n  bal[a] := bal[a] + n\n"
             "  total := total + n\n  count := count + 1\n}\n",
             "action withdraw(a: Account, n: int) {\n  requires n > 0 else Bad\n"
             + ("" if broken else "  requires n <= bal[a] else Insufficient\n")
             + "  bal[a] := bal[a] - n\n  total := total - n\n}\n",
             "action reset_count() {\n  count := 0\n}\n"]
    for k in range(n):
        lines.append(f"invariant B-{k}: forall a in Account: bal[a] >= -{k}\n")
        lines.append(f"invariant T-{k}: total >= -{k} and count >= 0\n")
    return "".join(lines)


def spec(text: str):
    loaded = load_text(text, "many.sf")
    assert loaded.ok
    return loaded.spec


def outcome(report) -> list[tuple]:
    return [(r.id, r.verdict.value, r.method, tuple(r.supported_by or ()), r.run.steps if r.run else None)
            for r in report.invariants]


@pytest.mark.parametrize("broken", [False, True], ids=["all proved", "some violated"])
def test_a_process_pool_gives_the_verdicts_of_serial_proving(broken):
    s = spec(many(PARALLEL_THRESHOLD, broken))
    serial = prove(s, depth=3)
    with process_pool(2) as pool:
        parallel = prove(s, depth=3, executor=pool)
    assert outcome(parallel) == outcome(serial)
    assert any(r.verdict.value == "violated" for r in serial.invariants) == broken


def test_any_executor_serves_and_its_workers_rebuild_the_prover_from_the_ir():
    s = spec(many(PARALLEL_THRESHOLD))
    with ProcessPoolExecutor(max_workers=2) as pool:  # spawn or fork: whatever the platform gives
        assert outcome(prove(s, depth=2, executor=pool)) == outcome(prove(s, depth=2))


def test_one_pool_serves_a_command_with_several_files_and_reports_as_serial(tmp_path):
    files = [str(ROOT / "examples" / f"{name}.sf") for name in ("bank", "ledger", "order")]
    broken = tmp_path / "broken.sf"
    broken.write_text(many(3, broken=True))
    files.append(str(broken))

    def verdicts(*extra):
        result = CliRunner().invoke(main, ["prove", "--no-cache", "--format", "json", "--depth", "4", *extra, *files])
        doc = json.loads(result.output)
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


def test_an_unreachable_dask_scheduler_is_a_usage_error():
    pytest.importorskip("distributed")
    result = CliRunner().invoke(main, ["prove", "--no-cache", "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "1", str(ROOT / "examples" / "bank.sf")])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output
