"""Starting and stopping the real server (``lrs serve``) against a fresh database."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks.client import XapiHttp
from lrs.cli.child import child_server

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
    env = {
        **os.environ,
        "LRS_DATABASE_URL": database_url,
        "LRS_API_KEY": KEY,
        "LRS_API_SECRET": SECRET,
        "LRS_LOG_LEVEL": "WARNING",
        "LRS_FORWARDING_WORKER": "false",
        "LRS_SOURCES_WORKER": "false",
    }
    with tempfile.TemporaryDirectory(prefix="lrs-bench-log-") as folder:
        log = Path(folder) / "server.log"
        with child_server(env, log, workers=workers, threads=threads) as child:
            yield RunningServer(child.base_url, database_url, child.process)
