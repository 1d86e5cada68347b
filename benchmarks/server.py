"""Starting and stopping the real server (``lrs serve``) against a fresh database."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks.client import XapiHttp

KEY = "bench-key"
SECRET = "bench-secret-not-for-production"
POSTGRES_ADMIN_URL = os.environ.get(
    "LRS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    database_url: str
    process: subprocess.Popen[bytes]

    def client(self) -> XapiHttp:
        return XapiHttp(self.base_url, KEY, SECRET)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, empty database of ``kind`` (sqlite or postgresql), removed afterwards."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="lrs-bench-"))
        try:
            yield f"sqlite:///{folder / 'lrs.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"lrs_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def serve(database_url: str, *, workers: int = 2, threads: int = 4) -> Iterator[RunningServer]:
    """Run ``lrs serve`` on a free loopback port until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "LRS_DATABASE_URL": database_url,
        "LRS_API_KEY": KEY,
        "LRS_API_SECRET": SECRET,
        "LRS_LOG_LEVEL": "WARNING",
        "LRS_FORWARDING_WORKER": "false",
        "LRS_SOURCES_WORKER": "false",
    }
    command = [
        sys.executable, "-m", "lrs.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    server = RunningServer(f"http://127.0.0.1:{port}", database_url, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(server: RunningServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    client = server.client()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            error = server.process.stderr.read().decode() if server.process.stderr else ""
            raise RuntimeError(f"the server exited early:\n{error}")
        with contextlib.suppress(OSError):
            if client.request("GET", "/xapi/about").status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within a minute")
