"""The Explorer's downloads at the size of a store: CPU seconds, wall seconds and peak
memory of each file, beside ``/api/export/statements`` of every statement.

    python -m benchmarks.explorer_export --url sqlite:///lrs.db [--cases all,team,...]

Reads a store that ``benchmarks.dashboards`` filled (its person, team and verb are the
filters tried). Each file is asked for through the app's test client (an admin signed in
to the dashboards; a credential for the API), read to its last byte, and measured in a
process of its own: the process's CPU seconds and wall seconds from the request to the
last byte, the statements written, and the peak of its private memory (RssAnon, read
after every chunk: SQLite's memory-mapped file pages are shared and the kernel drops them
at will, so they are not counted).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from base64 import b64encode
from typing import Any
from urllib.parse import quote

from benchmarks.dashboards import PERSON
from lrs.app import create_app
from lrs.config import Settings
from lrs.services import credentials, users

USER, PASSWORD = "bench-export", "bench-password-not-for-production"
KEY, SECRET = "bench-export-key", "bench-export-secret-not-for-production"
VERB = "http://id.tincanapi.com/verb/viewed"
CASES = {
    "all": "/dashboards/export.csv",
    "all-ndjson": "/dashboards/export.ndjson",
    "team": "/dashboards/export.csv?team=Team%2003",
    "verb": f"/dashboards/export.csv?verb={quote(VERB, safe='')}",
    "person": f"/dashboards/export.csv?person={quote(PERSON, safe='')}",
    "90d-informal": "/dashboards/export.csv?range=90d&kind=informal",
    "api-all": "/api/export/statements?format=csv",
    "api-all-ndjson": "/api/export/statements",
}


def _prepare(url: str) -> None:
    app = create_app(_settings(url))
    from lrs.http import context

    database = context.of(app).database
    if not any(user.username == USER for user in users.listing(database)):
        users.create(database, username=USER, password=PASSWORD, role=users.Role("admin"))
    credentials.ensure(database, key=KEY, secret=SECRET, home_page="http://lrs.bench")
    database.dispose()


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        secret_key="bench-export",
        dashboards=True,
        forwarding_worker=False,
        sources_worker=False,
    )


def measure(url: str, case: str) -> dict[str, Any]:
    """One file of ``case``, read to its end in this process."""
    app = create_app(_settings(url))
    client = app.test_client()
    headers = {}
    if case.startswith("api-"):
        headers["Authorization"] = "Basic " + b64encode(f"{KEY}:{SECRET}".encode()).decode()
    else:
        page = client.get("/dashboards/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        login = client.post(
            "/dashboards/login",
            data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert login.status_code == 303, login.status_code
    before = peak = _private_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(CASES[case], headers=headers, buffered=False)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
        peak = max(peak, _private_mb())
    response.close()
    statements = lines - 1 if "csv" in CASES[case] else lines
    return {
        "case": case,
        "statements": statements,
        "megabytes": round(size / 1e6, 1),
        "cpu_s": round(time.process_time() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "private_mb_before": round(before, 1),
        "private_mb_peak": round(peak, 1),
    }


def _private_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explorer_export")
    parser.add_argument("--url", required=True, help="database URL of a filled store")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.url, args.one)))
        return 0
    _prepare(args.url)
    for case in args.cases.split(","):
        found = subprocess.run(
            [sys.executable, "-m", "benchmarks.explorer_export", "--url", args.url, "--one", case],
            check=True,
            capture_output=True,
            text=True,
        )
        print(found.stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
