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


def _replicate(db: Database, after: int, stored: int) -> None:
    """Fill the store up to ``stored`` statements by copying the rows of statements with
    seq above ``after`` (statements, their facts, tags and agent index rows) under new
    seqs, ids and actor keys, then rebuild the rollups: bulk SQL, far faster than ingest,
    and the same tables and indexes a merge works on."""
    from sqlalchemy import String, func, insert, select

    from lrs.store import facts
    from lrs.store.models import LearningFact, LearningFactTag, Statement, table

    for copy in range(1, 1000):
        with db.writing() as session:
            top = int(session.execute(select(func.max(Statement.seq))).scalar_one())
            wanted = min(stored - top, top - after)
            if wanted <= 0:
                break
            offset, last = top - after, after + wanted
            suffix = f"~copy{copy}"
            if db.dialect == "postgresql":
                tail = func.lpad(func.to_hex(Statement.seq + offset), 12, "0")
            else:
                tail = func.printf("%012x", Statement.seq + offset)
            for model, changed in (
                (Statement, {"seq": Statement.seq + offset,
                             "id": func.substr(Statement.id, 1, 24, type_=String) + tail,
                             "actor_key": Statement.actor_key + suffix}),
                (LearningFact, {"seq": LearningFact.seq + offset,
                                "actor_key": LearningFact.actor_key + suffix}),
                (LearningFactTag, {"seq": LearningFactTag.seq + offset}),
            ):  # fmt: skip
                columns = list(table(model).columns)
                values = [changed.get(c.name, c) for c in columns]
                seq = table(model).c.seq
                session.execute(
                    insert(table(model)).from_select(
                        [c.name for c in columns],
                        select(*values).where(seq > after, seq <= last),
                    )
                )
            _copy_agent_rows(session, after, last, offset, suffix)
    with db.writing() as session:
        facts.rebuild_rollups(session)


def _copy_agent_rows(session: Any, after: int, last: int, offset: int, suffix: str) -> None:
    """The agent index rows of seqs in (after, last] under seq + ``offset``, each agent
    key + ``suffix``: the new keys' numbers are computed here (``lrs.store.keys``) and
    mapped in SQL through a temporary table."""
    from sqlalchemy import text

    from lrs.store.keys import key_number

    named = session.execute(
        text(
            "SELECT DISTINCT number, key FROM index_key JOIN statement_agent"
            " ON agent_number = number WHERE seq > :after AND seq <= :last"
        ),
        {"after": after, "last": last},
    ).all()
    copies = [{"number": key_number(key + suffix), "key": key + suffix} for _n, key in named]
    session.execute(text("INSERT INTO index_key (number, key) VALUES (:number, :key)"), copies)
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS key_copy (old BIGINT, new BIGINT)"))
    session.execute(text("DELETE FROM key_copy"))
    session.execute(
        text("INSERT INTO key_copy (old, new) VALUES (:old, :new)"),
        [
            {"old": number, "new": copy["number"]}
            for (number, _key), copy in zip(named, copies, strict=True)
        ],
    )
    session.execute(
        text(
            "INSERT INTO statement_agent (seq, agent_number, role) SELECT seq + :offset, new,"
            " role FROM statement_agent JOIN key_copy ON old = agent_number"
            " WHERE seq > :after AND seq <= :last"
        ),
        {"offset": offset, "after": after, "last": last},
    )


def measure_merge(
    kind: str, stored: int, each: int, ingested: int, checkpoints: Sequence[int]
) -> list[Any]:
    """Two persons acting ``each`` statements and ``ingested`` statements of the demo
    organisation stored through ingest, the store filled up to each checkpoint by copies
    of the latter; there the time to merge the two persons and to undo the merge, as the
    service calls take them (each one transaction, answer included)."""
    from lrs.services import persons

    base = demo_statements(people=300, days=365, seed=2024)
    one = {"name": "Ada (LMS)", "account": {"homePage": "https://lms.example.com", "name": "a1"}}
    two = {"name": "Ada (blog)", "mbox": "mailto:ada@blog.example.com"}
    first = _acted_by(base, one, each) + _acted_by(base[1:], two, each)
    results: list[Any] = []
    with _database(kind) as db:
        loading = _store(db, first + scaled(base, ingested), 1000)
        print(json.dumps({"ingested": len(first) + ingested, "seconds": round(loading)}),
              flush=True)  # fmt: skip
        for checkpoint in sorted(checkpoints):
            started = time.perf_counter()
            _replicate(db, len(first), checkpoint)
            filling = time.perf_counter() - started
            keep = persons.find(db, OPERATOR, "account:https://lms.example.com|a1")["id"]
            other = persons.find(db, OPERATOR, "mbox:mailto:ada@blog.example.com")["id"]
            started = time.perf_counter()
            merged = persons.merge(db, OPERATOR, keep, other)
            merge_seconds = time.perf_counter() - started
            started = time.perf_counter()
            persons.undo(db, OPERATOR, merged["changes"][0]["id"])
            undo_seconds = time.perf_counter() - started
            with db.reading() as session:
                from sqlalchemy import func, select

                from lrs.store.models import LearningFact

                count = session.execute(select(func.count()).select_from(LearningFact)).scalar()
            result = {"database": kind, "stored_facts": count, "each": each,
                      "statements_of_merged_person": merged["statements"],
                      "merge_seconds": round(merge_seconds, 3),
                      "undo_seconds": round(undo_seconds, 3),
                      "fill_seconds": round(filling)}  # fmt: skip
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
    parser.add_argument("--ingested", type=int, default=30_000,
                        help="demo statements stored through ingest before copies")  # fmt: skip
    parser.add_argument("--checkpoints", default="100000,1000000",
                        help="store sizes at which to merge and undo")  # fmt: skip
    args = parser.parse_args(argv)
    if args.what == "merge":
        points = [int(n) for n in args.checkpoints.split(",") if n.strip()]
        measure_merge(args.database, max(points), args.each, args.ingested, points)
        return 0
    result = measure_ingest(args.database, args.statements, args.batch, args.rounds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
