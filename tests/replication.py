"""A PostgreSQL primary and its streaming read replica, made and run for the replica tests.

The primary is a fresh cluster (``initdb``) on a free loopback port; the replica is a
``pg_basebackup -R`` of it on another port, streaming from it. Being made from a fresh
cluster, the pair takes seconds whatever the main test server holds. When the tests run
as root (CI, the dev machines) the PostgreSQL programs run as user ``postgres``.
``LRS_TEST_PG_BINDIR`` names the folder of those programs when they are not where
Debian puts them (``/usr/lib/postgresql/<version>/bin``) nor on ``PATH``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

DATABASE = "lrs"
PRIMARY_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
max_connections = 60
shared_buffers = 32MB
wal_level = replica
max_wal_senders = 4
fsync = off
full_page_writes = off
"""


def bindir() -> Path | None:
    """Where initdb, pg_ctl and pg_basebackup are; None when PostgreSQL is not installed."""
    configured = os.environ.get("LRS_TEST_PG_BINDIR")
    if configured:
        return Path(configured)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("pg_basebackup")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ReplicatedPair:
    """A running primary and replica; ``close`` stops both and removes their files."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.as_postgres = os.geteuid() == 0
        self.base = Path(tempfile.mkdtemp(prefix="lrs-replication-"))
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self.primary_dir = self.base / "primary"
        self.replica_dir = self.base / "replica"
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.primary_url = self._url(self.primary_port)
        self.replica_url = self._url(self.replica_port)

    def _url(self, port: int, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.programs / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Make and start both servers, and the ``lrs`` database (on the primary)."""
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust",
                  "--no-sync", "--encoding=UTF8", "--locale=C")  # fmt: skip
        settings = PRIMARY_SETTINGS.format(port=self.primary_port, sockets=self.base)
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        self._pg_ctl(self.primary_dir, "start")
        admin = sa.create_engine(
            self._url(self.primary_port, "postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        admin.dispose()
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port),
                  "-U", "postgres", "-D", str(self.replica_dir), "-R", "-X", "stream",
                  "-c", "fast", "--no-sync")  # fmt: skip
        # Read after postgresql.conf, so the copy of the primary's settings is overridden.
        with (self.replica_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.start_replica()

    def _pg_ctl(self, data: Path, action: str, *args: str) -> None:
        log = self.base / f"{data.name}.log"
        self._run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", action, *args)

    def start_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "start")

    def stop_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "stop", "-m", "fast")

    def _replica(self, sql: str) -> object:
        engine = sa.create_engine(self.replica_url, poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                return connection.exec_driver_sql(sql).scalar()
        finally:
            engine.dispose()

    def pause_replay(self) -> None:
        self._replica("SELECT pg_wal_replay_pause()")
        self._wait(lambda: self._replica("SELECT pg_get_wal_replay_pause_state()") == "paused")

    def resume_replay(self) -> None:
        self._replica("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        primary = sa.create_engine(self.primary_url, poolclass=sa.NullPool)
        with primary.connect() as connection:
            lsn = connection.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar()
        primary.dispose()
        self._wait(
            lambda: self._replica(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") is True
        )

    @staticmethod
    def _wait(done: object, timeout: float = 30.0) -> None:
        assert callable(done)
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not get there in time")
            time.sleep(0.05)

    def close(self) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                self._pg_ctl(data, "stop", "-m", "immediate")
        shutil.rmtree(self.base, ignore_errors=True)
