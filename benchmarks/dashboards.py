"""Dashboard benchmark: each page's queries and figures at N facts, on SQLite and PostgreSQL.

    python -m benchmarks.dashboards --facts 1000000 --databases sqlite,postgresql

Loads N synthetic statements' worth of rows straight into ``statement`` (a minimal row,
needed by the foreign key) and ``learning_fact`` (plus tags), rebuilds the rollups,
then runs each page's callbacks (``dashboards.panels``: the same code the Dash callbacks
call) under a few filter sets: all at once as a browser sends them, and one after
another. It prints p50/p95 per page and the slowest callback's p95; a JSON report (with
every callback's p95) is written with ``--report``. The data is random but seeded: 2,000
people in 20 teams, 200 courses, 3,000 pages and posts, one year of days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboards import figures, panels
from lrs.insight.filters import Filters
from lrs.store import facts, migrate, payloads, persons
from lrs.store.engine import Database
from lrs.store.models import ActorDay, LearningFact, LearningFactTag, Person
from statements.vocabulary import ACTION_OF_CONCEPT, CONCEPT_OF_VERB

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
END = dt.date(2026, 11, 24)
VERB_OF = {concept: verb for verb, concept in reversed(list(CONCEPT_OF_VERB.items()))}
FORMAL = [
    ("registered", 6),
    ("launched", 20),
    ("initialized", 10),
    ("progressed", 20),
    ("terminated", 15),
    ("completed", 8),
    ("passed", 6),
    ("failed", 3),
    ("answered", 12),
]
INFORMAL = [("viewed", 60), ("liked", 10), ("commented", 10), ("edited", 8), ("authored", 4),
            ("created", 3), ("replied", 3), ("asked", 2)]  # fmt: skip
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
PAGE_TYPE = "http://activitystrea.ms/schema/1.0/page"


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def fact_rows(n: int, seed: int = 7) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(fact row, tags) for seq 1..n."""
    rng = random.Random(seed)
    formal = _weighted(FORMAL)
    informal = _weighted(INFORMAL)
    people = [f"mbox:mailto:person{i}@example.com" for i in range(2000)]
    teams = [f"Team {i:02d}" for i in range(20)]
    tags = [f"topic-{i}" for i in range(50)]
    start = END - dt.timedelta(days=364)
    for seq in range(1, n + 1):
        person = rng.randrange(2000)
        day = start + dt.timedelta(days=int(rng.triangular(0, 364, 300)))
        hour = min(23, max(0, int(rng.gauss(13, 3))))
        when = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=dt.UTC)
        kind = "formal" if rng.random() < 0.45 else "informal"
        if kind == "formal":
            concept = rng.choices(*formal)[0]
            course = rng.randrange(200)
            activity = f"http://lms.example.com/courses/{course}"
            row_type, name, space, content = COURSE_TYPE, f"Course {course}", activity, activity
            platform = "LMS"
        else:
            concept = rng.choices(*informal)[0]
            page = int(rng.paretovariate(1.2)) % 3000
            activity = f"http://wiki.example.com/pages/{page}"
            row_type, name, space, content = PAGE_TYPE, f"Page {page}", None, activity
            platform = "wiki" if page % 2 else "blog"
        scored = concept in ("passed", "failed", "answered")
        row = {
            "seq": seq,
            "day": day,
            "hour": hour,
            "weekday": day.isoweekday(),
            "timestamp": when,
            "actor_key": people[person],
            "actor_name": f"Person {person}",
            "verb_id": VERB_OF[concept],
            "concept": concept,
            "activity_id": activity,
            "activity_type": row_type,
            "activity_name": name,
            "content_id": content,
            "source_kind": kind,
            "base_kind": kind,
            "space_id": space,
            "course_id": space,
            "named_course": space,
            "platform": platform,
            "team": teams[person % 20],
            "registration": None,
            "score_scaled": round(rng.betavariate(5, 2), 3) if scored else None,
            "success": (concept == "passed") if scored else None,
            "completion": True if concept == "completed" else None,
            "duration_seconds": float(rng.randrange(60, 3600)) if concept == "terminated" else None,
        }
        chosen = (
            [tags[(person + seq) % 50]]
            if ACTION_OF_CONCEPT[concept] != "consume" and seq % 3 == 0
            else []
        )
        yield row, chosen


def load(database: Database, n: int, chunk: int = 20_000) -> float:
    """Fill the store with n facts; returns seconds taken."""
    began = time.perf_counter()
    empty = payloads.encode({}).hex()
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.exec_driver_sql(
                "INSERT INTO statement (seq, id, stored, timestamp, verb_id, actor_key, "
                "object_kind, voided, version, payload) SELECT n, "
                "lpad(to_hex(n), 8, '0') || '-0000-4000-8000-000000000000', now(), now(), "
                "'v', 'a', 'Activity', false, '1.0.3', "
                f"decode('{empty}', 'hex') "
                f"FROM generate_series(1, {n}) AS n"
            )
        else:
            connection.exec_driver_sql(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
                f"WHERE n < {n}) INSERT INTO statement (seq, id, stored, timestamp, verb_id, "
                "actor_key, object_kind, voided, version, payload) SELECT n, "
                "printf('%08x-0000-4000-8000-000000000000', n), '2026-11-24 00:00:00', "
                f"'2026-11-24 00:00:00', 'v', 'a', 'Activity', 0, '1.0.3', X'{empty}' FROM s"
            )
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for row, chosen in fact_rows(n):
        rows.append(row)
        tags += [{"seq": row["seq"], "tag": tag} for tag in chosen]
        if len(rows) >= chunk:
            _insert(database, rows, tags)
            rows, tags = [], []
            print(f"  {row['seq']:>9,} facts", end="\r", file=sys.stderr)
    _insert(database, rows, tags)
    with database.writing() as session:
        facts.rebuild_rollups(session)
    add_persons(database)
    _analyze(database)
    return time.perf_counter() - began


def add_persons(database: Database) -> int:
    """A person (``lrs.store.persons``) for each of the people the facts name that has
    none, as ingest would have made them: a member's role links to one. Returns how
    many were made."""
    A = ActorDay
    with database.writing() as session:
        known = set(session.execute(sa.select(Person.key)).scalars())
        people = session.execute(
            sa.select(A.actor_key, sa.func.max(A.actor_name), sa.func.max(A.team))
            .group_by(A.actor_key)
        ).all()  # fmt: skip
        seen = {
            str(key): persons.NewIdentifier(str(key), name, team or None)
            for key, name, team in people
            if key not in known
        }
        persons.resolve(session, seen, dt.datetime.combine(END, dt.time(), dt.UTC))
    return len(seen)


def _analyze(database: Database) -> None:
    """Fresh planner statistics; on PostgreSQL also the visibility map that index-only
    scans need, as autovacuum would have set it on a store that grew over months."""
    if database.dialect == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    else:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _insert(database: Database, rows: list[dict[str, Any]], tags: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with database.writing() as session:
        session.execute(sa.insert(LearningFact), rows)
        if tags:
            session.execute(sa.insert(LearningFactTag), tags)


PERSON = "mbox:mailto:person42@example.com"
TOPIC = "topic-7"
COURSE = "http://lms.example.com/courses/7"
PULL_PANELS: dict[str, dict[str, panels.Panel]] = {
    "me": {"courses": panels.me_courses, "timeline": panels.me_timeline,
           "contributions": panels.me_contributions, "after": panels.me_after},
    "experts": {"ranking": partial(panels.experts_ranking, topic=TOPIC)},
    "next": {"reading": partial(panels.next_reading, course=COURSE)},
}  # fmt: skip
"""The pull pages' panels, opened on the benchmark's person, a tag and a course."""
PANELS = {**panels.PANELS, **PULL_PANELS}
PERSON_PAGES = ("people", "me")
FILTER_SETS = {
    "all time": Filters(),
    "last 90 days": Filters(start=END - dt.timedelta(days=89), end=END),
    "90 days, one team": Filters(start=END - dt.timedelta(days=89), end=END, team="Team 07"),
}
SERVER_WORKERS = 2
"""Worker processes that answer a page's callbacks at once: ``lrs serve``'s default. A
browser sends all of a page's callbacks together (up to six requests per host)."""


def measure(
    database: Database, repeat: int, pages: tuple[str, ...] = tuple(PANELS)
) -> dict[str, dict[str, Any]]:
    """Per page and filter set: p50/p95 of the page's callbacks answered by
    ``SERVER_WORKERS`` processes at once (what a browser waits for), of the same run one
    after another, and each callback's p95."""
    url = database.engine.url.render_as_string(hide_password=False)
    figures.use_theme()  # as the server's dashboards do
    results: dict[str, dict[str, Any]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(SERVER_WORKERS, context, _open_worker, (url,)) as pool:
        # Start the workers (imports, connections) before anything is timed.
        _measure_page(database, pool, "overview", Filters(), 1)
        for page in pages:
            for label, filters in FILTER_SETS.items():
                if page in PERSON_PAGES:
                    filters = filters.replace(person=PERSON)
                name = f"{page} / {label}"
                results[name] = _measure_page(database, pool, page, filters, repeat)
                _print(name, results[name])
    return results


_worker_database: Database | None = None


def _open_worker(url: str) -> None:
    global _worker_database
    _worker_database = Database(url)
    figures.use_theme()


def _run_in_worker(page: str, name: str, filters: Filters) -> float:
    assert _worker_database is not None
    return _run(_worker_database, PANELS[page][name], filters)


def _run(database: Database, panel: panels.Panel, filters: Filters) -> float:
    began = time.perf_counter()
    with database.reading() as session:
        panel(session, filters)
    return time.perf_counter() - began


def _measure_page(
    database: Database, pool: ProcessPoolExecutor, page: str, filters: Filters, repeat: int
) -> dict[str, Any]:
    page_panels = PANELS[page]
    each: dict[str, list[float]] = {name: [] for name in page_panels}
    sequential: list[float] = []
    concurrent: list[float] = []
    for _ in range(repeat):
        for name, panel in page_panels.items():
            each[name].append(_run(database, panel, filters))
        sequential.append(sum(times[-1] for times in each.values()))
        began = time.perf_counter()
        jobs = [pool.submit(_run_in_worker, page, name, filters) for name in page_panels]
        for job in jobs:
            job.result()
        concurrent.append(time.perf_counter() - began)
    callbacks = {name: _p95(times) for name, times in each.items()}
    slowest = max(callbacks, key=lambda name: callbacks[name])
    return {
        "p50": statistics.median(concurrent),
        "p95": _p95(concurrent),
        "sequential_p95": _p95(sequential),
        "slowest_callback": slowest,
        "slowest_callback_p95": callbacks[slowest],
        "callbacks_p95": callbacks,
    }


def _print(name: str, result: dict[str, Any]) -> None:
    print(f"  {name:<32} page p50 {result['p50']:6.3f} s  p95 {result['p95']:6.3f} s  "
          f"in sequence {result['sequential_p95']:6.3f} s  slowest callback "
          f"{result['slowest_callback']} {result['slowest_callback_p95']:6.3f} s",
          file=sys.stderr)  # fmt: skip


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _database(
    kind: str, workdir: Path, reuse: bool = False, name: str = "lrs_bench_dashboards"
) -> tuple[Database, Callable[[], None]]:
    if kind == "sqlite":
        path = workdir / "dashboards-bench.db"
        for suffix in ("", "-wal", "-shm") if not reuse else ():
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database(f"sqlite:///{path}"), lambda: None
    name = f"lrs_bench_{uuid.uuid4().hex[:8]}" if not reuse else name
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return Database(url), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("."))
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    parser.add_argument("--pages", default=",".join(PANELS), help="Pages to time, comma separated")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure the database left by an earlier run with --reuse --keep (the SQLite "
        "file in --workdir, PostgreSQL database lrs_bench_dashboards), upgraded and with its "
        "rollups rebuilt, instead of loading a new one; loads it when empty.",
    )
    args = parser.parse_args(argv)
    pages = tuple(p.strip() for p in args.pages.split(",") if p.strip() in PANELS)
    report: dict[str, Any] = {"facts": args.facts, "repeat": args.repeat, "databases": {}}
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        print(f"{kind}: loading {args.facts:,} facts", file=sys.stderr)
        database, drop = _database(kind, args.workdir, args.reuse)
        try:
            migrate.upgrade(database.engine)
            with database.reading() as session:
                stored = session.execute(sa.select(sa.func.count()).select_from(LearningFact))
                loaded = bool(stored.scalar())
            if args.reuse and loaded:
                began = time.perf_counter()
                with database.writing() as session:
                    facts.rebuild_rollups(session)
                _analyze(database)
                seconds = time.perf_counter() - began
            else:
                seconds = load(database, args.facts)
            print(f"{kind}: loaded in {seconds:.0f} s", file=sys.stderr)
            timed = measure(database, args.repeat, pages)
            report["databases"][kind] = {"load_seconds": seconds, "pages": timed}
        finally:
            database.dispose()
            if not args.keep:
                drop()
    text = json.dumps(report, indent=2)
    if args.report:
        args.report.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
