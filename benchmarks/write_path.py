"""The write path in process: CPU per statement by stage, SQL per request, bytes per table.

    python -m benchmarks.write_path --database sqlite|postgresql [--load 50000]
        [--keep NAME] [--batches 20] [--singles 100] [--trips]

Grows a store through the ingest service (``store_statements``, batches of 1,000, the
replicated demo organisation of ``benchmarks.curve``) to ``--load`` statements, then
stores ``--batches`` batches of 100 and ``--singles`` single statements of statements
the store has not seen, and prints for each: CPU seconds of this process per statement,
split by stage (validation, lookups, statement and index rows, the reads for activities
and agents, persons and facts, the writes sent together, outbox, commit), wall time, the
SQL statements sent per request through SQLAlchemy's events (an executemany counts once,
a COPY not at all) and, on PostgreSQL with ``--trips``, the round trips the request took
(each answer ending in ReadyForQuery in libpq's trace: BEGIN, each statement or
pipeline, a COPY, COMMIT; the trace costs CPU itself, so CPU is measured without it).
Last, the bytes of each table and index per statement stored (PostgreSQL: each table
with its TOAST, ``pg_table_size``, and each index alone; SQLite: the ``dbstat`` pages).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction

from benchmarks.curve import _database, statement_at
from benchmarks.dataset import demo_statements
from lrs.services import credentials, forwarding, persons
from lrs.services import statements as service
from lrs.store import facts as fact_store
from lrs.store import migrate
from lrs.store import statements as statement_store
from lrs.store.engine import Database

LOAD_BATCH = 1000
STAGES: dict[str, tuple[Any, str]] = {
    "validate": (service, "_validate_all"),
    "lookups": (service, "_fresh"),
    "enrich": (service, "enrich"),
    "rows": (service, "_new_row"),
    "statement+index rows": (statement_store, "insert_statements"),
    "activities+agents (reads)": (service, "_activities_and_agents"),
    "facts (vocabulary)": (service, "learning_fact"),
    "persons": (persons, "count_as_persons"),
    "facts (reads)": (fact_store, "prepare"),
    "writes together": (service, "_write_together"),
    "outbox": (forwarding, "enqueue"),
    "commit": (SessionTransaction, "commit"),
}


class Meter:
    """CPU seconds per stage and SQL statements sent, while ``on``."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.sql = 0
        self.trips = 0
        self.on = False

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return function(*args, **kwargs)
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[name] += time.process_time() - started

        return timed


@contextlib.contextmanager
def metered(engine: sa.Engine, *, trips: bool = False) -> Iterator[Meter]:
    meter = Meter()
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in STAGES.values()]
    for name, (owner, attr) in STAGES.items():
        setattr(owner, attr, meter.wrap(name, getattr(owner, attr)))

    def count(*_args: Any) -> None:
        if meter.on:
            meter.sql += 1

    # PostgreSQL: every answer that ends with ReadyForQuery is one round trip (a ping,
    # BEGIN, a statement, a pipeline's sync, a COPY, COMMIT), read from libpq's trace of
    # the connections checked out while the meter is on.
    trace = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed when the meter ends)

    def traced(dbapi_connection: Any, *_args: Any) -> None:
        pgconn = getattr(dbapi_connection, "pgconn", None)
        if pgconn is not None:
            pgconn.trace(trace.fileno())

    def untraced(dbapi_connection: Any, *_args: Any) -> None:
        pgconn = getattr(dbapi_connection, "pgconn", None)
        if pgconn is not None:
            pgconn.untrace()

    event.listen(engine, "before_cursor_execute", count)
    if trips:
        event.listen(engine.pool, "checkout", traced)
        event.listen(engine.pool, "checkin", untraced)
    try:
        yield meter
    finally:
        event.remove(engine, "before_cursor_execute", count)
        if trips:
            event.remove(engine.pool, "checkout", traced)
            event.remove(engine.pool, "checkin", untraced)
        for owner, attr, function in saved:
            setattr(owner, attr, function)
        trace.seek(0)
        meter.trips = sum(line.count("\tReadyForQuery") for line in trace)
        trace.close()


def _count(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM statement")).scalar_one())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.write_path", description=__doc__)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--load", type=int, default=50_000, help="statements stored first")
    parser.add_argument("--keep", default=None, help="PostgreSQL database / SQLite file to keep")
    parser.add_argument("--batches", type=int, default=20, help="batches of 100 measured")
    parser.add_argument("--singles", type=int, default=100, help="single statements measured")
    parser.add_argument("--no-storage", action="store_true", help="skip the bytes per table")
    parser.add_argument("--trips", action="store_true", help="count PostgreSQL's round trips")
    args = parser.parse_args(argv)
    base = demo_statements(people=300, days=365, seed=2024)
    with _database(args.database, args.keep) as url:
        database = Database(url)
        try:
            migrate.upgrade(database.engine)
            principal = credentials.internal_principal(
                database, name="bench", scopes=["all"], home_page="http://127.0.0.1"
            )
            stored = _count(database)
            began = time.perf_counter()
            for offset in range(stored, args.load, LOAD_BATCH):
                batch = [
                    statement_at(base, i)
                    for i in range(offset, min(args.load, offset + LOAD_BATCH))
                ]
                service.store_statements(database, batch, version="1.0.3", principal=principal)
            if stored < args.load:
                rate = (args.load - stored) / (time.perf_counter() - began)
                print(f"loaded {stored:,} -> {args.load:,} ({rate:,.0f} statements/s)")
            stored = max(stored, args.load)
            # Statements the store has not seen: further along the endless data set.
            position = stored
            for size, requests in ((100, args.batches), (1, args.singles)):
                if not requests:
                    continue
                backends = _backend_cpu(database)
                with metered(database.engine, trips=args.trips) as meter:
                    cpu, wall = 0.0, 0.0
                    for _ in range(requests):
                        batch = [statement_at(base, position + i) for i in range(size)]
                        position += size
                        meter.on = True
                        started, clock = time.process_time(), time.perf_counter()
                        service.store_statements(
                            database, batch, version="1.0.3", principal=principal
                        )
                        cpu += time.process_time() - started
                        wall += time.perf_counter() - clock
                        meter.on = False
                count = size * requests
                after = _backend_cpu(database)
                server = sum(cpu - backends.get(pid, 0.0) for pid, cpu in after.items())
                print(f"\n{args.database}, {stored:,} stored, {requests} requests of {size}:")
                print(
                    f"  CPU {cpu / count * 1e3:.3f} ms/statement, wall {wall / count * 1e3:.3f}"
                    f" ms/statement, SQL {meter.sql / requests:.1f} per request"
                    + (f", {meter.trips / requests:.1f} round trips" if args.trips else "")
                )
                if after:
                    print(f"  PostgreSQL's CPU {server / count * 1e3:.3f} ms/statement")
                for name, seconds in sorted(meter.cpu.items(), key=lambda item: -item[1]):
                    print(f"    {name:24} {seconds / count * 1e6:8.0f} µs/statement")
            if not args.no_storage:
                _storage(database)
        finally:
            database.dispose()
    return 0


def _backend_cpu(database: Database) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database (on this machine,
    read from /proc; nothing elsewhere or on SQLite)."""
    if database.engine.dialect.name != "postgresql":
        return {}
    with database.engine.connect() as connection:
        pids = connection.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        found: dict[int, float] = {}
        for pid in pids:
            try:
                text = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2 :].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _storage(database: Database) -> None:
    with database.engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM statement")).scalar_one()
        if database.engine.dialect.name == "postgresql":
            total = connection.execute(
                sa.text("SELECT pg_database_size(current_database())")
            ).scalar_one()
            rows = connection.execute(
                sa.text(
                    "SELECT c.relname, c.relkind, CASE c.relkind WHEN 'r' THEN "
                    "pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') "
                    "ORDER BY 3 DESC"
                )
            ).all()
        else:
            total = connection.exec_driver_sql(
                "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"
            ).scalar_one()
            rows = connection.exec_driver_sql(
                "SELECT d.name, coalesce(m.type, 'table'), sum(d.pgsize) FROM dbstat d "
                "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name ORDER BY 3 DESC"
            ).all()
    print(f"\nbytes per statement at {count:,}: {total / count:,.0f} in all")
    for name, kind, size in rows:
        if size / count >= 1:
            print(
                f"  {size / count:8,.0f}  {'index' if kind in ('i', 'index') else 'table'}  {name}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
