"""A warm specforge process that runs commands for other processes: `specforge serve`.

A `specforge prove` pays about half a second before it proves anything: the interpreter, then
click, pydantic, lark and z3, then the spec. On a spec that takes two or three seconds that start-up
is the part no number of workers shortens (issue 13: `--jobs 2` could not reach 1.7x on such specs).
A server pays it once. With `SPECFORGE_SERVER` naming its socket, the `specforge` entry point
(fastpath.py) sends `check`, `prove`, `export-tla` and `diff` command lines to it instead of running
them, and only the standard library is loaded on the way.

For each command the server forks a child: a copy of the warm process, with everything imported and
the parser and z3 used once. The child takes the client's standard input, output and error (the file
descriptors themselves, passed over the Unix socket), its working directory and its environment, runs
the command line exactly as `specforge` would, and sends back the exit code. Its `--jobs` workers are
forked from it, so they start warm too. Each command is a new process: nothing one command does is
seen by the next.

Safety:
* the socket is a file only its owner may open (in a directory only they may enter), and a peer of
  another user is turned away where the system says who the peer is (Linux's SO_PEERCRED);
* a client runs here only when the server's sources are its own (`fingerprint`: the interpreter and
  the path, size and modification time of every source file); otherwise it is told so and runs the
  command itself;
* a client that goes away (Ctrl-C) takes its command with it: the server kills the child's process
  group, the workers included;
* a server with nothing to do for `--idle-timeout` seconds stops.

The client half (`forward`) is imported by the entry point before anything else: standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time

ENV = "SPECFORGE_SERVER"
# Commands a server runs: those that read only specs (never the user's own code, which would need the
# client's import path) and that are worth the trip.
FORWARDED = frozenset({"check", "prove", "export-tla", "diff"})
PROTOCOL = 1
_MAX_MESSAGE = 4 << 20
# A child whose client left is stopped this many seconds later unless it ends first (it may just be
# ending: a client leaves as soon as it has read the exit code).
LEAVE_GRACE = 0.5


def default_socket() -> str:
    """Where `specforge serve` listens unless told: a directory of the user's own under the runtime
    directory (or the temporary one)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(base, f"specforge-{os.getuid()}", "serve.sock")


def fingerprint() -> str:
    """The interpreter, what its start-up read from the environment (the import path and the hash seed,
    which a forked child cannot take from its client) and specforge's sources as they are on disk now
    (path, size, modification time of each file): a server answers only a client whose fingerprint is
    its own."""
    package = os.path.dirname(os.path.abspath(__file__))
    started = "\0".join(os.environ.get(name, "") for name in ("PYTHONPATH", "PYTHONHASHSEED"))
    h = hashlib.sha256(f"{PROTOCOL}\0{sys.executable}\0{sys.version}\0{started}\0{package}".encode())
    grammar = os.path.join(os.path.dirname(package), "grammar")
    for top in (package, grammar):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".py", ".lark")):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(f"{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


# ---- the client ------------------------------------------------------------------------------------------


def forward(path: str, args: list[str]) -> int | None:
    """Run the command line on the server at `path`: its exit code, or None when no server there takes
    it (the caller then runs it itself; a note on standard error says why)."""
    if args[:1] == [] or args[0] not in FORWARDED or not hasattr(socket, "send_fds"):
        return None
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
    except OSError as e:
        _note(f"no server answers at {path} ({e.strerror or e}); running the command here")
        return None
    with conn:
        try:
            cwd = os.getcwd()
        except OSError:  # a directory removed under the client: let the command itself say so
            return None
        request = {"protocol": PROTOCOL, "fingerprint": fingerprint(), "argv": args, "cwd": cwd,
                   "env": dict(os.environ)}
        fds = [_usable(fd) for fd in (0, 1, 2)]
        try:
            socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], fds)
            reader = conn.makefile("rb")
            accepted, last = False, None
            while last is None:  # "accepted" and the exit code, in either order; or "refused"
                doc = _message(reader)
                if doc is None:
                    break
                if "refused" in doc or "exit" in doc:
                    last = doc
                accepted = accepted or bool(doc.get("accepted"))
            if not accepted and (last is None or "refused" in last):
                reason = "it closed the connection" if last is None else last["refused"]
                _note(f"the server at {path} did not take the command ({reason}); running it here")
                return None
        except KeyboardInterrupt:
            return 130  # closing the connection stops the command on the server
        except OSError as e:
            _note(f"lost the server at {path} ({e.strerror or e})")
            return 2
        finally:
            for fd, mine in zip(fds, (0, 1, 2), strict=True):
                if fd != mine:
                    os.close(fd)
    code = last.get("exit") if last is not None else None
    if not isinstance(code, int):
        _note(f"the server's process for this command ended without finishing it ({path})")
        return 2
    return code


def _usable(fd: int) -> int:
    """`fd`, or /dev/null in its place when this process has no such descriptor (a closed stdin)."""
    try:
        os.fstat(fd)
        return fd
    except OSError:
        return os.open(os.devnull, os.O_RDWR)


def _message(reader) -> dict | None:
    line = reader.readline(_MAX_MESSAGE)
    if not line.endswith(b"\n"):
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _note(text: str) -> None:
    print(f"specforge: {text}", file=sys.stderr, flush=True)


# ---- the server ------------------------------------------------------------------------------------------


class Server:
    """Listens on a Unix socket and runs each command it is sent in a forked child of this process."""

    def __init__(self, path: str, idle_timeout: float | None, command=None, log=None):
        self.path = path
        self.command = command  # the `specforge` click group the children run
        self.idle_timeout = idle_timeout
        self.log = log or sys.stderr
        self.fingerprint = fingerprint()
        self.children: dict[int, _Child] = {}
        self.listener: socket.socket | None = None
        self._wake: tuple[int, int] | None = None  # the pipe SIGCHLD writes to

    # -- setting up and tearing down

    def bind(self) -> None:
        """The socket, in a directory only this user may enter; a stale socket (no server behind it) is
        replaced, a live one is an error."""
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if st.st_uid != os.getuid():
            raise ServeError(f"{directory} belongs to another user: choose a socket elsewhere with --socket")
        if os.path.exists(self.path):
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.path)
            except OSError:
                os.unlink(self.path)  # stale: its server is gone
            else:
                raise ServeError(f"a server already listens on {self.path} (stop it, or choose another --socket)")
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(self.path)
        except OSError as e:
            listener.close()
            raise ServeError(f"cannot listen on {self.path}: {e.strerror or e}") from None
        finally:
            os.umask(old)
        listener.listen(16)
        self.listener = listener

    def close(self) -> None:
        if self._wake is not None:
            import signal

            signal.set_wakeup_fd(-1)
            for fd in self._wake:
                os.close(fd)
            self._wake = None
        for pid, child in list(self.children.items()):
            _kill_group(pid)
            if child.conn is not None:
                child.conn.close()
        self.reap(block=True)
        if self.listener is not None:
            self.listener.close()
            self.listener = None
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    # -- the loop

    def serve_forever(self) -> None:
        import selectors
        import signal

        assert self.listener is not None
        last = time.monotonic()
        # a child's end wakes the loop at once (its exit is logged with its time)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        self._wake = (wake_r, wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        with selectors.DefaultSelector() as sel:
            sel.register(self.listener, selectors.EVENT_READ)
            sel.register(wake_r, selectors.EVENT_READ)
            while True:
                for child in self.reap():
                    if child.conn is not None:
                        sel.unregister(child.conn)
                        child.conn.close()
                now = time.monotonic()
                for pid, child in self.children.items():
                    if child.left is not None and now - child.left > LEAVE_GRACE:
                        _kill_group(pid)  # its client is gone: so is its command
                if self.children:
                    last = now
                elif self.idle_timeout and now - last > self.idle_timeout:
                    self._say(f"no command for {self.idle_timeout:g} s: stopping")
                    return
                for key, _ in sel.select(timeout=0.25):
                    if key.fileobj == wake_r:
                        while _drain(wake_r):
                            pass
                    elif key.fileobj is self.listener:
                        conn, _ = self.listener.accept()
                        try:
                            pid = self.handle(conn)
                        except Exception as e:  # noqa: BLE001 - one bad request never stops the server
                            self._say(f"a request failed: {type(e).__name__}: {e}")
                            pid = None
                        if pid is None:
                            conn.close()
                        else:
                            sel.register(conn, selectors.EVENT_READ, pid)
                    else:  # the client closed its end (it sends nothing after its request)
                        child = self.children[key.data]
                        sel.unregister(key.fileobj)
                        key.fileobj.close()
                        child.conn, child.left = None, time.monotonic()

    def handle(self, conn: socket.socket) -> int | None:
        """Read one request, then fork the child that runs it: the child's pid, or None when turned away."""
        try:
            conn.settimeout(10)
            request, fds = _receive(conn)
            conn.settimeout(None)
        except (OSError, ValueError) as e:
            self._say(f"a request could not be read: {e}")
            return None
        refusal = self._refusal(conn, request)
        if refusal is not None:
            for fd in fds:
                os.close(fd)
            _send(conn, {"refused": refusal})
            self._say(f"turned away {' '.join(request.get('argv') or [])!r}: {refusal}")
            return None
        try:
            pid = os.fork()
        except OSError as e:  # the client runs the command itself
            for fd in fds:
                os.close(fd)
            _send(conn, {"refused": f"the server cannot start a process ({e.strerror or e})"})
            self._say(f"could not fork for {' '.join(request['argv'])!r}: {e}")
            return None
        if pid == 0:  # the child: never returns
            others = [c.conn.fileno() for c in self.children.values() if c.conn is not None]
            _run_child(self.command, self.listener, (*(self._wake or ()), *others), conn, request, fds)
        for fd in fds:
            os.close(fd)
        self.children[pid] = _Child(time.monotonic(), request["argv"], conn)
        _send(conn, {"accepted": True})  # (the child's exit code may already be on its way: either order)
        return pid

    def _refusal(self, conn: socket.socket, request: dict) -> str | None:
        uid = _peer_uid(conn)
        if uid is not None and uid != os.getuid():
            return "the client is another user"
        if request.get("protocol") != PROTOCOL:
            return "another version of specforge's server protocol"
        if request.get("fingerprint") != self.fingerprint:
            return "the server runs other sources or another interpreter: restart it"
        argv = request.get("argv")
        if not (isinstance(argv, list) and argv and argv[0] in FORWARDED and all(isinstance(a, str) for a in argv)):
            return "not a command a server runs"
        if not isinstance(request.get("cwd"), str) or not isinstance(request.get("env"), dict):
            return "a malformed request"
        return None

    def reap(self, block: bool = False) -> list[_Child]:
        """The children that ended (all of them with `block`), each logged and forgotten."""
        done = []
        while self.children:
            try:
                pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            child = self.children.pop(pid, None)
            if child is not None:
                code = os.waitstatus_to_exitcode(status)
                how = f"exit {code}" if code >= 0 else f"stopped by signal {-code}"
                if child.left is not None and code < 0:
                    how += " (its client left)"
                self._say(f"{' '.join(child.argv)}: {how} in {time.monotonic() - child.started:.2f} s, CPU "
                          f"{usage.ru_utime + usage.ru_stime:.2f} s (process {pid})")
                done.append(child)
        return done

    def _say(self, text: str) -> None:
        print(f"specforge serve: {text}", file=self.log, flush=True)


class ServeError(Exception):
    """A server that cannot start, with what to do about it."""


class _Child:
    """A command running in a forked child."""

    __slots__ = ("started", "argv", "conn", "left")

    def __init__(self, started: float, argv: list[str], conn: socket.socket):
        self.started = started
        self.argv = argv
        self.conn: socket.socket | None = conn  # None once its client closed the connection
        self.left: float | None = None  # when its client left


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    fds = list(fds)
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("the request did not carry the client's three standard streams")
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 16)
        if not more or len(data) > _MAX_MESSAGE:
            for fd in fds:
                os.close(fd)
            raise ValueError("the request ended early")
        data += more
    request = json.loads(data)
    if not isinstance(request, dict):
        for fd in fds:
            os.close(fd)
        raise ValueError("the request is not a JSON object")
    return request, fds


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def _send(conn: socket.socket, doc: dict) -> None:
    try:
        conn.sendall(json.dumps(doc).encode() + b"\n")
    except OSError:
        pass  # the client left: nothing to tell it


def _peer_uid(conn: socket.socket) -> int | None:
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None  # the socket's permissions alone keep other users out
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _kill_group(pid: int) -> None:
    import signal

    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


def _run_child(command, listener, inherited: tuple[int, ...], conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the client's command, send its exit code, and end. (`inherited`: the
    server's descriptors that are not the child's business, closed at once.)"""
    code = 70
    try:
        import signal

        os.setpgid(0, 0)  # a group of its own: the server can stop it and its workers together
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        for fd in inherited:
            os.close(fd)
        if listener is not None:
            listener.close()
        import fcntl

        # out of the way first: a received descriptor may itself be 0, 1 or 2 (a server started without them)
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]
        for fd in fds:
            os.close(fd)
        for target, fd in enumerate(high):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None  # chosen again from the client's TMPDIR
        sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1 if os.isatty(1) else -1)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
        sys.argv = ["specforge", *request["argv"]]
        code = run_command(command, request["argv"])
    except BaseException as e:  # noqa: BLE001 - the child must always answer and end
        try:
            print(f"specforge: the server could not run the command: {type(e).__name__}: {e}", file=sys.stderr)
        except Exception:  # noqa: BLE001
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        _send(conn, {"exit": code})
        os._exit(code if 0 <= code < 256 else 1)  # the server's log shows it


def run_command(command, argv: list[str]) -> int:
    """The command line run by the `specforge` click group as the `specforge` command runs it, to its exit
    code."""
    from . import process

    process.ONE_SHOT = True
    try:
        command.main(args=argv, prog_name="specforge")
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    return 0


WARM_SPEC = """\
spec Warm "Exercises the parser, the checker and the prover once."
set Item
enum Mode { idle, busy }
const CAP: int = 10
state {
  count: int
  mode: Mode
  level: map[Item, int]
}
init {
  count := 0
  mode := idle
  level := {i: 0 for i in Item}
}
invariant W-1 MUST "counted": 0 <= count <= CAP
invariant W-2 MUST "levels": forall i in Item: level[i] >= 0
action bump(i: Item, n: int) {
  requires n > 0 else Invalid
  requires count < CAP else Full
  count := count + 1
  level[i] := level[i] + n
  mode := busy
}
"""


def warm() -> None:
    """Import what the commands use and run each part once (the parser, pydantic's schemas, z3), so that
    a child starts where a command's own work starts."""
    from .frontend import load_text
    from .prove import prove
    from .report import RENDERERS  # noqa: F401

    result = load_text(WARM_SPEC, "<warm-up>")
    if result.ok:
        prove(result.spec, depth=2, timeout=5.0, infer_budget=0)
