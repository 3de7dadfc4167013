"""What `specforge load` costs per request over a plain client loop: the same service, the same requests.

The example Flask service (examples/web/bank_service.py, "correct") runs in a child process on a free port
of 127.0.0.1. One load session (the spec's SpecRunner choosing and checking each call, as `specforge load`
runs it, the state read back only at the end) makes N calls one after another; every request it sends is
recorded. A plain httpx loop then sends exactly those requests (the same accounts, so the same answers)
one after another. Both are timed on the wall clock and on this process's CPU clock; the runs alternate,
and the median of the repeats is reported. The difference per request is what the oracle and the choice
of calls add to each request on the client side.

    python bench/load.py [--calls 2000] [--repeats 3] [--write]

`--write` records the result in docs/benchmarks.md (section "Load (`specforge load`)").
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
import _common as common  # noqa: E402

ROOT = common.ROOT
HEADING = "## Load (`specforge load`)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(port: int) -> subprocess.Popen:
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "examples.web.bank_service", "correct", str(port)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/accounts/none", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the example service did not start")


def load_session(url: str, calls: int, seed: int) -> tuple[float, float, list]:
    """(wall s, CPU s, the requests sent) for `calls` calls of one load session."""
    from specforge.frontend import load
    from specforge.load.engine import Session
    from specforge.testing.http import HttpBinding, HttpService, read_binding_file

    loaded = load(str(ROOT / "examples/bank.sf"))
    sent: list = []

    class Recording(HttpBinding):
        def send(self, obj, request, args):
            fields = {name: args[name] for name in request.body}
            sent.append((request.method, obj.url(request.path, args), fields))
            return super().send(obj, request, args)

    binding = Recording(read_binding_file(ROOT / "examples/web/bank.toml", loaded.spec))
    service = HttpService(binding, url)
    session = Session(loaded.spec, service, binding, {}, seed, loaded.source.text)
    del sent[:]  # the set-up (a fresh account, its state read once) is not timed; the replay makes it too
    setup = [("POST", f"/accounts/{session.runner.impl.id}", {})]
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        name, args = session.next_call()
        session.runner.apply(name, args)
        del session.runner.history[:-20]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    service.close()
    return wall, cpu, setup + sent


def plain_loop(url: str, requests: list) -> tuple[float, float]:
    import httpx

    with httpx.Client(base_url=url, timeout=5) as client:
        (method, path, body), rest = requests[0], requests[1:]
        client.request(method, path, json=body)
        wall, cpu = time.perf_counter(), time.process_time()
        for method, path, body in rest:
            client.request(method, path, json=body)
        return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_service(port)
    other = common.OtherLoad()
    before = common.load_average()
    rows = []
    try:
        for seed in range(args.repeats):
            lw, lc, requests = load_session(url, args.calls, seed)
            pw, pc = plain_loop(url, requests)
            n = len(requests) - 1
            rows.append((lw / n, lc / n, pw / n, pc / n, n))
            print(f"repeat {seed}: {n} requests; load {lw / n * 1e6:.0f} us wall {lc / n * 1e6:.0f} us CPU; "
                  f"plain {pw / n * 1e6:.0f} us wall {pc / n * 1e6:.0f} us CPU", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    section = "\n".join([
        HEADING, "",
        f"`python bench/load.py --calls {args.calls} --repeats {args.repeats}`: one `specforge load` session "
        "(calls chosen and checked "
        "by the spec's runner, the state read at the end only) against a plain httpx loop sending exactly the "
        "same requests, one after another, to the example Flask service (`examples/web/bank_service.py`, "
        f"werkzeug's threaded server in a child process on 127.0.0.1). Median of {args.repeats} alternating "
        f"repeats, per request ({rows[0][4]} requests each):", "",
        "| | wall per request | client CPU per request |", "| --- | ---: | ---: |",
        f"| plain httpx loop | {med[2] * 1e6:.0f} µs | {med[3] * 1e6:.0f} µs |",
        f"| `specforge load` session | {med[0] * 1e6:.0f} µs | {med[1] * 1e6:.0f} µs |",
        f"| overhead of `load` | {(med[0] - med[2]) * 1e6:+.0f} µs | {(med[1] - med[3]) * 1e6:+.0f} µs |", "",
        "The client CPU time is the figure to read: the wall clock also holds the service's time and, on a "
        "shared machine, other processes' turns, which swamp a difference this small. "
        "The overhead is the choice of each call (guards evaluated on the model, argument pools, cached per "
        "state) and its check (the model's step, the outcome compared); an open-loop run adds a thread "
        "hand-over per call. The machine is shared with other work (up to 8 processes on 2 cores): "
        f"load average {common.show_load(before)} before, other processes used "
        f"{common.show_share(other.share())} of the CPU meanwhile; read the figures as an order of magnitude.",
        "", *common.platform_lines([f"httpx {common.version('httpx')}", f"flask {common.version('flask')}"], True),
    ]) + "\n"
    print(section)
    if args.write:
        common.record(section, HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
