"""A real server for end-to-end tests: `lrs serve` (gunicorn) in a subprocess on
127.0.0.1 and a free port, stopped by its own PID; its workers found through /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

LRS = str(Path(sys.executable).with_name("lrs"))
KEY = "e2e-key"
SECRET = "e2e-secret-Zq7Kx3Pv9"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def xapi(self) -> str:
        return f"{self.base}/xapi"

    def workers(self) -> list[int]:
        """PIDs of the gunicorn workers: the children of the master process."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command may hold spaces and parentheses: the ppid follows the last ")".
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(
    database_url: str,
    log: Path,
    *,
    workers: int = 3,
    threads: int = 4,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Run `lrs serve` until the block ends, its output going to ``log``; waits until it
    answers /xapi/about."""
    port = free_port()
    env = {
        **os.environ,
        "LRS_DATABASE_URL": database_url,
        "LRS_API_KEY": KEY,
        "LRS_API_SECRET": SECRET,
        "LRS_SECRET_KEY": "e2e-session-key",
        "LRS_DASHBOARDS": "false",
        **(extra_env or {}),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [LRS, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--threads", str(threads)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"lrs serve exited:\n{server.output()}")
        try:
            if requests.get(f"{server.xapi}/about", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"lrs serve did not answer within {timeout} s:\n{server.output()}")
