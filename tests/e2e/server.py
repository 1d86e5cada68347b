"""A real server for end-to-end tests: `lrs serve` (gunicorn) in a subprocess on
127.0.0.1 and a free port (``lrs.cli.child``, shared with the benchmarks), stopped by
its own PID; its workers found through /proc."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lrs.cli.child import ChildServer, child_server

LRS = str(Path(sys.executable).with_name("lrs"))
KEY = "e2e-key"
SECRET = "e2e-secret-Zq7Kx3Pv9"


class Server(ChildServer):
    """A running ``lrs serve`` with what the end-to-end tests ask of it."""

    @property
    def base(self) -> str:
        return self.base_url

    @property
    def xapi(self) -> str:
        return f"{self.base_url}/xapi"

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
    env = {
        **os.environ,
        "LRS_DATABASE_URL": database_url,
        "LRS_API_KEY": KEY,
        "LRS_API_SECRET": SECRET,
        "LRS_SECRET_KEY": "e2e-session-key",
        "LRS_DASHBOARDS": "false",
        **(extra_env or {}),
    }
    with child_server(env, log, workers=workers, threads=threads) as child:
        yield Server(child.process, child.base_url, child.log)
