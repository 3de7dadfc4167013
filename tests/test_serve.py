"""`specforge serve`: a warm process runs commands for other processes, with their output, exit code,
directory and environment, and nothing else changes (specforge/serve.py)."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from bench.prove import generate_spec
from specforge import serve

ROOT = Path(__file__).resolve().parent.parent
BANK = str(ROOT / "examples" / "bank.sf")

pytestmark = pytest.mark.skipif(not hasattr(socket, "send_fds"), reason="needs Unix sockets that pass descriptors")

VIOLATED = """\
spec Broken "An invariant the action breaks."
state {
  n: int
}
init {
  n := 0
}
invariant B-1 MUST "n stays small": n <= 1
action up() {
  n := n + 1
}
"""


class Running:
    """A `specforge serve` subprocess and what it has logged so far."""

    def __init__(self, path: str, *extra: str):
        self.path = path
        self.proc = subprocess.Popen([sys.executable, "-m", "specforge", "serve", "--socket", path, *extra],
                                     stderr=subprocess.PIPE, text=True, cwd=ROOT, env=environment())
        self.lines: list[str] = []
        self.wait_for("listening on")

    def wait_for(self, pattern: str, seconds: float = 60) -> str:
        """The first log line (so far or to come) matching `pattern`."""
        deadline = time.monotonic() + seconds
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if re.search(pattern, line):
                    return line
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the server never logged {pattern!r}: {self.lines}")
            ready, _, _ = select.select([self.proc.stderr], [], [], left)
            if ready:
                line = self.proc.stderr.readline()
                if not line:
                    raise AssertionError(f"the server ended before logging {pattern!r}: {self.lines}")
                self.lines.append(line.rstrip("\n"))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        finally:
            self.proc.kill()
        self.lines.extend(self.proc.stderr.read().splitlines())
        return code


@pytest.fixture
def sockdir():
    # a short path: a Unix socket's name has a limit near 100 bytes
    d = tempfile.mkdtemp(prefix="sf-serve-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def server(sockdir):
    running = Running(os.path.join(sockdir, "s.sock"), "--idle-timeout", "300")
    yield running
    assert running.stop() == 0
    assert not os.path.exists(running.path), "the server leaves its socket behind"


def environment(**extra: str) -> dict[str, str]:
    """This environment with these sources first on the import path, from any directory (a server answers
    only a client that runs its own sources and started as it did)."""
    environ = {k: v for k, v in os.environ.items() if k != serve.ENV}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    environ.update(extra)
    return environ


def specforge(*args: str, server: str | None = None, cwd=ROOT, env: dict | None = None, **kw):
    environ = environment(**(env or {}))
    if server is not None:
        environ[serve.ENV] = server
    return subprocess.run([sys.executable, "-m", "specforge", *args], capture_output=True, text=True, cwd=cwd,
                          env=environ, timeout=300, **kw)


def _verdicts(stdout: str) -> list:
    doc = json.loads(stdout)
    return [(i["id"], i["verdict"], i.get("method"), i.get("supported_by"), i.get("trace")) for i in doc["invariants"]]


def test_a_command_the_server_runs_prints_and_exits_as_it_would_alone(server, tmp_path):
    broken = tmp_path / "broken.sf"
    broken.write_text(VIOLATED)
    bad = tmp_path / "bad.sf"
    bad.write_text("spec Bad\nstate {\n  n: int\n}\ninvariant X MUST: n >=\n")
    for path, code in ((BANK, 0), (str(broken), 3)):
        alone = specforge("prove", "--no-cache", "--format", "json", path)
        served = specforge("prove", "--no-cache", "--format", "json", path, server=server.path)
        assert (served.returncode, alone.returncode) == (code, code), served.stderr
        assert _verdicts(served.stdout) == _verdicts(alone.stdout)
        server.wait_for(rf"prove --no-cache --format json {re.escape(path)}: exit {code} in")
    alone = specforge("check", str(bad))
    served = specforge("check", str(bad), server=server.path)
    assert served.returncode == alone.returncode == 1
    assert (served.stdout, served.stderr) == (alone.stdout, alone.stderr)
    assert f"{bad}:6:1: error" in served.stdout
    server.wait_for(rf"check {re.escape(str(bad))}: exit 1 in .* s, CPU")


def test_the_command_runs_in_the_clients_directory_with_its_environment(server, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(BANK, work / "bank.sf")
    cache = tmp_path / "cache"
    served = specforge("prove", "bank.sf", "--format", "json", "-o", "out.json", server=server.path, cwd=work,
                       env={"SPECFORGE_CACHE_DIR": str(cache)})
    assert served.returncode == 0, served.stderr
    assert json.loads((work / "out.json").read_text())["spec"] == "BankAccount"
    assert cache.is_dir() and any(cache.rglob("*")), "the client's SPECFORGE_CACHE_DIR was not the command's"
    server.wait_for(r"prove bank.sf --format json -o out.json: exit 0")


def test_the_jobs_workers_of_a_served_command_prove_what_one_process_proves(server, tmp_path):
    spec = tmp_path / "p60.sf"
    spec.write_text(generate_spec(60, 8, 7))
    alone = specforge("prove", "--no-cache", "--format", "json", str(spec))
    served = specforge("prove", "--no-cache", "--format", "json", "--jobs", "2", str(spec), server=server.path)
    assert served.returncode == alone.returncode == 0, served.stderr
    assert [v[:2] for v in _verdicts(served.stdout)] == [v[:2] for v in _verdicts(alone.stdout)]
    server.wait_for(r"--jobs 2 .*: exit 0")


def test_without_a_server_at_the_path_the_command_runs_here(sockdir):
    served = specforge("prove", "--no-cache", BANK, server=os.path.join(sockdir, "none.sock"))
    assert served.returncode == 0
    assert "3 of 3 proved" in served.stdout
    assert "no server answers at" in served.stderr and "running the command here" in served.stderr


def test_a_server_running_other_sources_turns_the_command_away_and_it_runs_here(sockdir):
    s = serve.Server(os.path.join(sockdir, "s.sock"), None, log=open(os.devnull, "w"))  # noqa: SIM115 (runs nothing)
    s.fingerprint = "the sources of another checkout"
    s.bind()
    answered: list = []

    def one_request():
        conn, _ = s.listener.accept()
        with conn:
            answered.append(s.handle(conn))

    t = threading.Thread(target=one_request)
    t.start()
    try:
        served = specforge("prove", "--no-cache", BANK, server=s.path)
    finally:
        t.join(30)
        s.close()
    assert answered == [None], "the request was run, not turned away"
    assert served.returncode == 0 and "3 of 3 proved" in served.stdout
    assert "did not take the command (the server runs other sources" in served.stderr


def fake_server(path: str, *replies: dict) -> threading.Thread:
    """A server that takes one request and answers with `replies`, then closes the connection."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def answer():
        with listener:
            conn, _ = listener.accept()
            with conn:
                _, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
                for fd in fds:
                    os.close(fd)
                for reply in replies:
                    conn.sendall(json.dumps(reply).encode() + b"\n")

    t = threading.Thread(target=answer)
    t.start()
    return t


@pytest.mark.parametrize("replies,code,note", [
    ([{"exit": 3}, {"accepted": True}], 3, ""),  # the child's exit code may come before "accepted"
    ([{"accepted": True}, {"exit": 0}], 0, ""),
    ([{"accepted": True}], 2, "ended without finishing it"),  # the child died: its output may be partial
    ([{"refused": "busy"}], None, "did not take the command (busy); running it here"),
    ([], None, "did not take the command (it closed the connection)"),
], ids=["exit-first", "accepted-first", "no-exit", "refused", "closed"])
def test_the_client_reads_the_servers_answers_in_any_order(sockdir, capsys, replies, code, note):
    path = os.path.join(sockdir, "fake.sock")
    t = fake_server(path, *replies)
    try:
        assert serve.forward(path, ["check", "x.sf"]) == code
    finally:
        t.join(30)
    assert note in capsys.readouterr().err


def test_commands_that_run_the_users_code_are_not_sent(server):
    assert serve.forward(server.path, ["load", "examples/bank.sf"]) is None
    assert serve.forward(server.path, ["--version"]) is None
    served = specforge("--version", server=server.path)
    assert served.returncode == 0 and served.stderr == ""


def test_a_client_that_leaves_takes_its_command_with_it(server, tmp_path):
    spec = tmp_path / "long.sf"
    spec.write_text(generate_spec(1500, 24, 11))  # several seconds of proving, warm or not (600x24 took under 1.5 s)
    environ = environment(**{serve.ENV: server.path})
    client = subprocess.Popen([sys.executable, "-m", "specforge", "prove", "--no-cache", "--jobs", "2", str(spec)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ, cwd=ROOT)
    time.sleep(1.5)
    assert client.poll() is None, "the proof ended before the client could leave: use a larger spec"
    client.kill()
    client.wait(30)
    line = server.wait_for(r"long.sf: ", seconds=30)
    assert "stopped by signal 9 (its client left)" in line
    # the child's --jobs workers went with it: no process is left in its process group
    group = int(re.search(r"\(process (\d+)\)", line).group(1))
    deadline = time.monotonic() + 10
    while _in_group(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _in_group(group)


def _in_group(group: int) -> list[int]:
    """The processes of a process group, from /proc (field 5 of each process's stat)."""
    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to list the processes")
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and fields[0] != "Z":  # (state, ppid, pgrp, ...); a zombie is gone already
            found.append(int(pid))
    return found


def test_a_second_server_on_the_same_socket_is_refused(server):
    second = specforge("serve", "--socket", server.path, "--idle-timeout", "1")
    assert second.returncode == 2
    assert "a server already listens on" in second.stderr


def test_a_stale_socket_is_replaced_and_an_idle_server_stops(sockdir):
    path = os.path.join(sockdir, "s.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()  # the file stays, with no server behind it
    running = Running(path, "--idle-timeout", "1")
    assert running.proc.wait(30) == 0
    running.stop()
    assert any("no command for 1 s: stopping" in line for line in running.lines)
    assert not os.path.exists(path)


def test_the_default_socket_is_in_a_directory_of_the_users_own(monkeypatch, sockdir):
    monkeypatch.setenv("XDG_RUNTIME_DIR", sockdir)
    printed = specforge("serve", "--print-socket", env={"XDG_RUNTIME_DIR": sockdir})
    assert printed.stdout.strip() == serve.default_socket() == os.path.join(sockdir, f"specforge-{os.getuid()}",
                                                                             "serve.sock")


def test_the_fingerprint_names_the_interpreter_and_what_its_start_up_read(monkeypatch):
    first = serve.fingerprint()
    assert serve.fingerprint() == first
    monkeypatch.setenv("PYTHONHASHSEED", "12345")  # a forked child keeps the server's hash seed
    seeded = serve.fingerprint()
    assert seeded != first
    monkeypatch.setattr(sys, "executable", "/another/python")
    assert serve.fingerprint() not in (first, seeded)
