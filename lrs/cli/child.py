"""`lrs serve` as a child process on a free loopback port, for the benchmarks and the
end-to-end tests: started with the settings given as environment, awaited until
``/xapi/about`` answers, and stopped by its own process id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# How long a server may take to answer after its start, and to stop after SIGTERM.
START_SECONDS = 60.0
STOP_SECONDS = 20.0
# How many ports to try when the one found free is taken before the server listens.
START_ATTEMPTS = 3


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ChildServer:
    """A running ``lrs serve``: its master process, its base URL, and its output file."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def child_server(
    env: Mapping[str, str], log: Path, *, workers: int, threads: int
) -> Iterator[ChildServer]:
    """Run ``lrs serve`` with ``env`` until the block ends, its output going to ``log``."""
    server = _start(env, log, workers=workers, threads=threads)
    try:
        yield server
    finally:
        _stop(server.process)


def _start(env: Mapping[str, str], log: Path, *, workers: int, threads: int) -> ChildServer:
    # The port is free when probed, but another process (a test running beside this one,
    # an outgoing connection) may take it before gunicorn binds it: gunicorn then exits
    # saying so, and the server is started again on another free port.
    attempts_left = START_ATTEMPTS
    while True:
        server = _spawn(env, log, workers=workers, threads=threads)
        try:
            _wait_until_up(server)
            return server
        except _PortTaken:
            _stop(server.process)
            attempts_left -= 1
            if attempts_left == 0:
                raise
        except BaseException:
            _stop(server.process)
            raise


def _spawn(env: Mapping[str, str], log: Path, *, workers: int, threads: int) -> ChildServer:
    port = free_port()
    command = [
        sys.executable, "-m", "lrs.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=dict(env), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    return ChildServer(process, f"http://127.0.0.1:{port}", log)


class _PortTaken(RuntimeError):
    """``lrs serve`` exited because its port was taken before it could listen."""


def _wait_until_up(server: ChildServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output = server.output()
            error = _PortTaken if "Connection in use" in output else RuntimeError
            raise error(f"lrs serve exited:\n{output}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/xapi/about", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"lrs serve did not answer within {START_SECONDS} s:\n{server.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # gunicorn's master stops its workers on SIGTERM. One that does not stop in time is
    # killed with its process group (which it leads, and which is ours while it is not
    # yet reaped), so that no worker outlives it.
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
