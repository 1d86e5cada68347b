"""How cost grows with the store: the same measurements at 250 k, 1 M and 4 M statements.

    python -m benchmarks.curve [--quick] [--databases sqlite,postgresql]
        [--sizes sqlite=250000,1000000 --sizes postgresql=250000,1000000,4000000]
        [--deadline 14:45] [--plot docs/performance-curve.png]

One database per kind grows from empty to each size in turn through the ingest's own
service (``store_statements``, batches of 1,000, no HTTP, ``LOADERS`` processes on
PostgreSQL), with the demo organisation's statements replicated as more people. At each
size the real server (``lrs serve``) is started and measured: ingest (batches of 100
from 4 clients, and single statements from 4 clients), the p95 of each GET /statements
query type, each dashboard page's p95, and the bytes the database takes per statement.
The results go to a JSON file after every size (an interrupted run keeps what it
measured), a table is printed and a plot is drawn with matplotlib.

Loading millions of statements takes long on a small machine: ``--deadline`` (UTC,
HH:MM) stops the growth there and measures the size reached, which the report names.
A database kept with ``--keep NAME`` is resumed: the load goes on from what it holds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.dashboards import measure as measure_pages
from benchmarks.dataset import demo_statements, replicate
from benchmarks.ingest import run_ingest
from benchmarks.queries import run_queries
from benchmarks.server import KEY, POSTGRES_ADMIN_URL, SECRET, fresh_database, serve
from benchmarks.storage import stored_bytes
from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store import migrate
from lrs.store.engine import Database

SIZES = {"sqlite": (250_000, 1_000_000), "postgresql": (250_000, 1_000_000, 4_000_000)}
QUICK_SIZES = {"sqlite": (2_000, 5_000), "postgresql": (2_000, 5_000)}
LOAD_BATCH = 1000
LOADERS = {"sqlite": 1, "postgresql": 2}
# Statements drawn from the loaded range to pick the query parameters from.
QUERY_SAMPLE = 5000
nan = float("nan")


def statement_at(base: Sequence[dict[str, Any]], index: int) -> dict[str, Any]:
    """The ``index``-th statement of the endless replicated data set, without an id."""
    replica, position = divmod(index, len(base))
    statement = base[position]
    if replica == 0:
        return {key: value for key, value in statement.items() if key != "id"}
    return replicate(statement, replica)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.curve", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a check that it runs)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", action="append", default=[], help="KIND=N,N,... (repeatable)")
    parser.add_argument("--deadline", default=None, help="UTC HH:MM: stop growing at this time")
    parser.add_argument("--keep", default=None, help="PostgreSQL database / SQLite file to keep")
    parser.add_argument("--seconds", type=float, default=None, help="per ingest measurement")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/curve.json"))
    parser.add_argument("--plot", type=Path, default=None, help="PNG of the curve")
    parser.add_argument("--report", type=Path, nargs="+", help="only print and plot these")
    args = parser.parse_args(argv)
    if args.report:
        return _report(args.report, args.plot)
    sizes = dict(QUICK_SIZES if args.quick else SIZES)
    for item in args.sizes:
        kind, _, values = item.partition("=")
        sizes[kind] = tuple(int(value) for value in values.split(","))
    deadline = _deadline(args.deadline)
    people, days = (60, 60) if args.quick else (300, 365)
    print(f"generating the demo organisation ({people} people, {days} days)...", flush=True)
    base = demo_statements(people=people, days=days, seed=2024)
    results: dict[str, Any] = _previous(args.output) if args.keep else {}
    results.update(
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine={"cpus": os.cpu_count()},
        quick=args.quick,
    )
    results.setdefault("databases", {})
    for kind in [name.strip() for name in args.databases.split(",") if name.strip()]:
        points = results["databases"].setdefault(kind, [])
        with _database(kind, args.keep) as url:
            for size in sizes[kind]:
                reached = _grow(url, kind, base, size, deadline)
                seconds = args.seconds or (2.0 if args.quick else 20.0)
                point = _measure(url, kind, base, reached, seconds, quick=args.quick)
                point["target_size"] = size
                points[:] = [p for p in points if p["target_size"] != size] + [point]
                _save(args.output, results)
                if reached < size:
                    print(f"   {kind}: stopped at {reached:,} of {size:,} (deadline)", flush=True)
                    break
    print(table(results))
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}")
    print(f"report written to {args.output}")
    return 0


def _report(paths: list[Path], plot_path: Path | None) -> int:
    """The table and plot of earlier runs, their databases side by side."""
    results: dict[str, Any] = {"databases": {}}
    for path in paths:
        results["databases"].update(json.loads(path.read_text())["databases"])
    print(table(results))
    if plot_path:
        plot(results, plot_path)
    return 0


def _deadline(text: str | None) -> float | None:
    if not text:
        return None
    hour, minute = (int(part) for part in text.split(":"))
    now = dt.datetime.now(dt.UTC)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return time.time() + (at - now).total_seconds()


def _previous(path: Path) -> dict[str, Any]:
    if path.exists():
        previous: dict[str, Any] = json.loads(path.read_text())
        return previous
    return {}


def _save(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))


@contextlib.contextmanager
def _database(kind: str, keep: str | None) -> Iterator[str]:
    """A fresh database, or the kept one (created when missing)."""
    if keep is None:
        with fresh_database(kind) as url:
            yield url
        return
    if kind == "sqlite":
        yield f"sqlite:///{Path(keep).with_suffix('.db').resolve()}"
        return
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": keep}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{keep}"')
    admin.dispose()
    yield sa.make_url(POSTGRES_ADMIN_URL).set(database=keep).render_as_string(hide_password=False)


def _count(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM statement")).scalar_one())


def _grow(url: str, kind: str, base: Sequence[dict[str, Any]], size: int, deadline: Any) -> int:
    """Load statements until the store holds ``size`` (or the deadline); the count reached."""
    database = Database(url)
    try:
        migrate.upgrade(database.engine)
        credentials.ensure(database, key=KEY, secret=SECRET, home_page="http://127.0.0.1")
        start = _count(database)
    finally:
        database.dispose()
    if start >= size:
        return start
    loaders = LOADERS[kind]
    print(f"   {kind}: loading {start:,} -> {size:,} with {loaders} process(es)", flush=True)
    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_load, args=(url, base, start, size, part, loaders, deadline))
        for part in range(loaders)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    database = Database(url)
    try:
        reached = _count(database)
    finally:
        database.dispose()
    elapsed = time.perf_counter() - began
    rate = (reached - start) / elapsed if elapsed else 0.0
    print(f"   {kind}: {reached:,} stored ({rate:,.0f} statements/s in-process)", flush=True)
    return reached


def _load(url: str, base: Sequence[dict[str, Any]], start: int, stop: int, part: int,
          parts: int, deadline: float | None) -> None:  # fmt: skip
    """One loader process: every ``parts``-th batch of [start, stop) from batch ``part``."""
    database = Database(url)
    principal = credentials.internal_principal(
        database, name="bench", scopes=["all"], home_page="http://127.0.0.1"
    )
    try:
        first = start + part * LOAD_BATCH
        for offset in range(first, stop, LOAD_BATCH * parts):
            if deadline is not None and time.time() > deadline:
                return
            batch = [statement_at(base, i) for i in range(offset, min(stop, offset + LOAD_BATCH))]
            store_statements(database, batch, version="1.0.3", principal=principal)
    finally:
        database.dispose()


def _measure(url: str, kind: str, base: Sequence[dict[str, Any]], stored: int, seconds: float,
             *, quick: bool) -> dict[str, Any]:  # fmt: skip
    """Every figure of the curve at the size the store has now."""
    rng = random.Random(stored)
    sample = [statement_at(base, rng.randrange(stored)) for _ in range(QUERY_SAMPLE)]
    point: dict[str, Any] = {"statements": stored, "bytes_per_statement": _bytes(url) / stored}
    cap = 2_000 if quick else 40_000
    with serve(url, workers=2) as server:
        batches = run_ingest(
            server, sample, batch_size=100, clients=4, seconds=seconds, max_statements=cap
        )
        single = run_ingest(
            server, sample, batch_size=1, clients=4, seconds=seconds / 2, max_statements=cap
        )
        point["ingest"] = {"batch_100": batches, "single": single}
        rate, p95 = batches["statements_per_second"], single["latency"]["p95_ms"]
        print(f"   {kind} at {stored:,}: ingest {rate:,.0f} st/s (batches of 100), "
              f"single POST p95 {p95} ms", flush=True)  # fmt: skip
        point["reads"] = run_queries(server, sample, per_kind=10 if quick else 40)
    database = Database(url)
    try:
        point["dashboards"] = measure_pages(database, repeat=1 if quick else 3)
    finally:
        database.dispose()
    point["measured"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return point


def _bytes(url: str) -> int:
    """What the database takes (``benchmarks.storage.stored_bytes``)."""
    return stored_bytes(url)


def _read_p95(point: dict[str, Any]) -> dict[str, float]:
    reads: dict[str, Any] = point["reads"]
    nested = {"more_pages": "more {}", "more_by_filter": "{}, more pages 2-10"}
    out = {name: float(values["p95_ms"]) for name, values in reads.items() if name not in nested}
    for group, label in nested.items():
        for name, values in reads.get(group, {}).items():
            out[label.format(name)] = float(values["p95_ms"])
    return out


def _page_p95(point: dict[str, Any]) -> dict[str, float]:
    return {name: float(values["p95"]) for name, values in point["dashboards"].items()}


def table(results: dict[str, Any]) -> str:
    """The curve as Markdown tables: one column per size, one row per figure."""
    lines: list[str] = []
    for kind, points in results["databases"].items():
        if not points:
            continue
        points = sorted(points, key=lambda p: p["statements"])
        header = " | ".join(f"{p['statements']:,}" for p in points)
        lines += ["", f"## {kind}: how cost grows", "", f"| statements stored | {header} |",
                  "|---" * (len(points) + 1) + "|"]  # fmt: skip

        ingest = [(p["ingest"]["batch_100"], p["ingest"]["single"]) for p in points]
        rows = {
            "ingest st/s, batches of 100, 4 clients": [
                f"{batch['statements_per_second']:,.0f}" for batch, _ in ingest
            ],
            "ingest st/s, single POSTs, 4 clients": [
                f"{single['statements_per_second']:,.0f}" for _, single in ingest
            ],
            "single POST p95 ms": [f"{single['latency']['p95_ms']}" for _, single in ingest],
            "bytes per statement": [f"{p['bytes_per_statement']:,.0f}" for p in points],
        }
        for name in _read_p95(points[0]):
            rows[f"GET {name} p95 ms"] = [f"{_read_p95(p).get(name, nan)}" for p in points]
        for name in _page_p95(points[0]):
            rows[f"page {name} p95 s"] = [f"{_page_p95(p).get(name, nan):.3f}" for p in points]
        lines += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows.items()]
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> None:
    """Four panels against statements stored: ingest rate, query p95, page p95, storage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    styles = {"sqlite": "--", "postgresql": "-"}
    for kind, points in results["databases"].items():
        points = sorted(points, key=lambda p: p["statements"])
        if not points:
            continue
        x = [p["statements"] / 1e6 for p in points]
        style = styles.get(kind, "-")
        axes[0][0].plot(x, [p["ingest"]["batch_100"]["statements_per_second"] for p in points],
                        style, marker="o", label=f"{kind}, batches of 100")  # fmt: skip
        axes[0][0].plot(x, [p["ingest"]["single"]["statements_per_second"] for p in points],
                        style, marker="x", label=f"{kind}, single")  # fmt: skip
        for name in _read_p95(points[0]):
            axes[0][1].plot(x, [_read_p95(p).get(name) for p in points], style, marker=".",
                            label=f"{kind} {name}")  # fmt: skip
        pages = sorted({name.split(" / ")[0] for name in _page_p95(points[0])})
        for page in pages:
            worst = [max(v for n, v in _page_p95(p).items() if n.startswith(page)) for p in points]
            axes[1][0].plot(x, worst, style, marker=".", label=f"{kind} {page}")
        axes[1][1].plot(x, [p["bytes_per_statement"] for p in points], style, marker="o",
                        label=kind)  # fmt: skip
    titles = (
        ("ingest (statements/s)", "statements/s"),
        ("GET /statements p95", "ms"),
        ("dashboard page p95 (worst filter set)", "s"),
        ("storage per statement", "bytes"),
    )
    for axis, (title, unit) in zip([a for row in axes for a in row], titles, strict=True):
        axis.set_title(title)
        axis.set_xlabel("statements stored (millions)")
        axis.set_ylabel(unit)
        axis.set_xlim(left=0)
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=6, ncol=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
