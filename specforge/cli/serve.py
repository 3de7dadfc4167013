"""`specforge serve`: a warm process that runs `check`, `prove`, `export-tla` and `diff` for other
processes (see specforge/serve.py)."""

from __future__ import annotations

import signal
import sys

import click

from .common import ExitCode


@click.command("serve")
@click.option("--socket", "path", type=click.Path(dir_okay=False), default=None,
              help="The Unix socket to listen on (default: specforge-UID/serve.sock under $XDG_RUNTIME_DIR, "
                   "else under $TMPDIR or /tmp).")
@click.option("--idle-timeout", type=click.FloatRange(0, 7 * 86400), default=1800.0, show_default=True,
              help="Stop after this many seconds without a command (0: never).")
@click.option("--print-socket", is_flag=True, help="Print the socket's path and exit (for SPECFORGE_SERVER).")
def serve(path: str | None, idle_timeout: float, print_socket: bool) -> None:
    """Keep specforge loaded and run commands for other processes, so that they skip the start-up.

    \b
    A command pays about half a second before it proves anything (the interpreter, the libraries, the
    parser); the server pays it once. With SPECFORGE_SERVER set to its socket, `specforge check`,
    `prove`, `export-tla` and `diff` run in a fresh copy of the server (forked, so nothing carries over
    from one command to the next) with the caller's directory, environment and terminal; --jobs
    workers are forked from that copy. The same command line gives the same output and exit code.

    \b
      specforge serve &
      export SPECFORGE_SERVER=$(specforge serve --print-socket)
      specforge prove --jobs 2 specs/*.sf

    \b
    A client whose specforge sources or interpreter differ from the server's runs the command itself
    (a note says so): restart the server after upgrading. Ctrl-C in the client stops its command on
    the server. SIGTERM or Ctrl-C stops the server. Needs a Unix-like system.

    \b
    Exit codes: 0 stopped (idle, SIGTERM or Ctrl-C); 2 it cannot listen (the reason is printed)."""
    from .. import serve as server_module

    if print_socket:
        click.echo(path or server_module.default_socket())
        return
    if not hasattr(server_module.socket, "AF_UNIX") or not hasattr(server_module.socket, "send_fds"):
        click.echo("specforge: serve needs Unix sockets that pass file descriptors (Linux, macOS, BSD)", err=True)
        sys.exit(ExitCode.USAGE)
    root = click.get_current_context().find_root().command  # the `specforge` group: what the children run
    server = server_module.Server(path or server_module.default_socket(), idle_timeout or None, root)
    try:
        server.bind()
    except server_module.ServeError as e:
        click.echo(f"specforge: {e}", err=True)
        sys.exit(ExitCode.USAGE)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server_module.warm()
        import gc

        gc.freeze()  # what the warm-up built is shared with every child; their collectors leave it alone
        server._say(f"listening on {server.path}; set {server_module.ENV}={server.path} to use it")
        server.serve_forever()
    except KeyboardInterrupt:
        server._say("stopping")
    finally:
        server.close()
