"""Persons: in-process ingest throughput (the cost of resolving agents to persons) and the
time to merge and split two persons at a large store.

``python -m benchmarks.persons ingest [--statements N] [--batch B] [--database sqlite]``
stores the demo organisation's statements through the ingest service in batches and
prints statements per second; ``python -m benchmarks.persons merge [--each K]
[--checkpoints 100000,1000000]`` stores two people acting K statements each, then the
demo organisation's up to each checkpoint, and there times merging the two persons and
undoing the merge.
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


def _acted_by(
    statements: Sequence[dict[str, Any]], actor: dict[str, Any], count: int
) -> list[dict[str, Any]]:
    """``count`` copies of demo statements (without ids) acted by ``actor``."""
    copies = []
    for index in range(count):
        copy = dict(statements[index % len(statements)])
        copy.pop("id", None)
        copies.append({**copy, "actor": actor})
    return copies


def measure_merge(kind: str, stored: int, each: int, checkpoints: Sequence[int]) -> list[Any]:
    """Two persons acting ``each`` statements, then others up to ``stored``; at every
    checkpoint (statements stored) the time to merge them and to undo the merge."""
    from lrs.services import persons

    base = demo_statements(people=300, days=365, seed=2024)
    one = {"name": "Ada (LMS)", "account": {"homePage": "https://lms.example.com", "name": "a1"}}
    two = {"name": "Ada (blog)", "mbox": "mailto:ada@blog.example.com"}
    first = _acted_by(base, one, each) + _acted_by(base[1:], two, each)
    rest = scaled(base, max(0, stored - len(first)))
    results: list[Any] = []
    with _database(kind) as db:
        loading = _store(db, first, 1000)
        done = len(first)
        for checkpoint in sorted(checkpoints):
            if checkpoint > done:
                loading += _store(db, rest[done - len(first) : checkpoint - len(first)], 1000)
                done = checkpoint
            keep = persons.find(db, OPERATOR, "account:https://lms.example.com|a1")["id"]
            other = persons.find(db, OPERATOR, "mbox:mailto:ada@blog.example.com")["id"]
            started = time.perf_counter()
            merged = persons.merge(db, OPERATOR, keep, other)
            merge_seconds = time.perf_counter() - started
            started = time.perf_counter()
            persons.undo(db, OPERATOR, merged["changes"][0]["id"])
            undo_seconds = time.perf_counter() - started
            result = {"database": kind, "stored": done, "each": each,
                      "statements_of_merged_person": merged["statements"],
                      "merge_seconds": round(merge_seconds, 3),
                      "undo_seconds": round(undo_seconds, 3),
                      "load_per_second": round(done / loading)}  # fmt: skip
            print(json.dumps(result), flush=True)
            results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.persons", description=__doc__)
    parser.add_argument("what", choices=["ingest", "merge"])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--each", type=int, default=10_000, help="statements of each person")
    parser.add_argument("--checkpoints", default="100000,1000000",
                        help="store sizes at which to merge and undo")  # fmt: skip
    args = parser.parse_args(argv)
    if args.what == "merge":
        points = [int(n) for n in args.checkpoints.split(",") if n.strip()]
        measure_merge(args.database, max(points), args.each, points)
        return 0
    result = measure_ingest(args.database, args.statements, args.batch, args.rounds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
