"""What Basic auth costs a request, in process, on a fresh store of each database.

``python -m benchmarks.auth [--requests N] [--database sqlite|postgresql]`` creates a
credential, times its first check (bcrypt) and then N checks of the same secret, which a
worker remembers but still confirms against the store on every request (the credential
is active with the same hash, the client's address is not backing off), so that a
revocation holds at once. Prints one JSON line per database.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from benchmarks.server import fresh_database
from benchmarks.stats import summary_ms
from lrs.services import credentials
from lrs.store.engine import Database
from lrs.store.migrate import upgrade

ADDRESS = "192.0.2.1"


def measure(kind: str, requests: int) -> dict[str, Any]:
    """The first check's seconds and the remembered checks' percentiles."""
    with fresh_database(kind) as url:
        db = Database(url)
        try:
            upgrade(db.engine)
            made = credentials.create(db, name="bench", scopes=["all"], home_page="http://b")
            started = time.perf_counter()
            assert credentials.authenticate(db, made.key, made.secret, address=ADDRESS)
            first = time.perf_counter() - started
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                credentials.authenticate(db, made.key, made.secret, address=ADDRESS)
                samples.append(time.perf_counter() - started)
            credentials.revoke(db, made.key)
            refused = credentials.authenticate(db, made.key, made.secret, address=ADDRESS)
        finally:
            db.dispose()
    return {
        "database": kind,
        "first_check_ms": round(first * 1000, 1),
        "remembered": summary_ms(samples),
        "refused_after_revoke": refused is None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.auth", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args(argv)
    for kind in args.database or ["sqlite", "postgresql"]:
        print(json.dumps(measure(kind, min(max(args.requests, 1), 100_000))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
