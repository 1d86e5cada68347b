"""Export throughput and memory: ``lrs export`` of every statement, NDJSON and CSV.

``python -m benchmarks.export [--statements 1000000] [--databases sqlite,postgresql]``
bulk-loads a fresh database through the ingest's own ``write_statements`` (in big
batches, no HTTP), then runs ``lrs export`` in a subprocess per format and reports
statements per second and the subprocess's peak RSS (``os.wait4``). The whole-benchmark
harness (``python -m benchmarks``) calls ``measure_export`` on the database it filled.

The time is the whole command's, from its start (imports, settings) to its last byte;
its CPU time (user + system) is reported beside it, since on a shared machine the wall
clock also measures the others' work.

Targets: NDJSON ≥ 50,000 statements/s and private memory ≤ 256 MB at 1,000,000
statements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from lrs.services import exports
from lrs.services.exports import ExportSpec
from lrs.services.principal import OPERATOR
from lrs.services.statements import write_statements
from lrs.store import migrate
from lrs.store.engine import Database
from statements import enrich

FORMATS = ("ndjson", "csv")
LOAD_BATCH = 5000
AUTHORITY = {
    "objectType": "Agent",
    "name": "benchmark",
    "account": {"homePage": "http://lrs.bench", "name": "bench"},
}
VERBS = (
    "http://adlnet.gov/expapi/verbs/launched",
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/commented",
    "http://adlnet.gov/expapi/verbs/experienced",
)
TYPES = (
    "http://adlnet.gov/expapi/activities/course",
    "http://adlnet.gov/expapi/activities/assessment",
    "http://id.tincanapi.com/activitytype/blog",
    "http://activitystrea.ms/schema/1.0/page",
)


def synthetic(index: int, start: dt.datetime) -> dict[str, Any]:
    """A realistic course/blog statement (about 900 bytes), deterministic per index."""
    person = index % 5000
    activity = index % 2000
    moment = start + dt.timedelta(seconds=index * 7)
    return {
        "id": str(uuid.UUID(int=index + 1, version=4)),
        "actor": {"objectType": "Agent", "name": f"Person {person}",
                  "mbox": f"mailto:person{person}@example.org"},
        "verb": {"id": VERBS[index % len(VERBS)],
                 "display": {"en-US": VERBS[index % len(VERBS)].rsplit("/", 1)[-1]}},
        "object": {
            "objectType": "Activity",
            "id": f"http://example.org/activities/{activity}",
            "definition": {"name": {"en-US": f"Activity {activity}"},
                           "type": TYPES[activity % len(TYPES)]},
        },
        "result": {"score": {"scaled": (index % 100) / 100}, "success": index % 3 != 0,
                   "completion": True, "duration": f"PT{index % 50}M"},
        "context": {
            "registration": str(uuid.UUID(int=person * 7919 + activity, version=4)),
            "platform": "benchmark",
            "contextActivities": {
                "grouping": [{"id": f"http://example.org/courses/{activity % 40}"}]
            },
        },
        "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }  # fmt: skip


def bulk_load(url: str, count: int) -> dict[str, Any]:
    """Store ``count`` synthetic statements directly through the store, in big batches."""
    database = Database(url)
    migrate.upgrade(database.engine)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    began = time.perf_counter()
    for first in range(0, count, LOAD_BATCH):
        now = dt.datetime.now(dt.UTC)
        batch = [
            enrich(synthetic(i, start), statement_id=None, stored=now,
                   authority=AUTHORITY, version="2.0.0")
            for i in range(first, min(count, first + LOAD_BATCH))
        ]  # fmt: skip
        with database.writing() as session:
            write_statements(session, batch, now, may_define=True, stamped=now)
    seconds = time.perf_counter() - began
    database.dispose()
    return {"statements": count, "seconds": round(seconds, 1)}


def _run_export(url: str, fmt: str) -> dict[str, Any]:
    env = {**os.environ, "LRS_DATABASE_URL": url}
    command = [sys.executable, "-m", "lrs.cli", "export", "--format", fmt, "-o", os.devnull]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    peak_kb = private_kb = 0
    # The child's own high-water mark (VmHWM): getrusage's ru_maxrss of a child counts
    # the memory of the benchmark process it was forked from. VmHWM includes the pages of
    # a memory-mapped SQLite file, which the kernel can drop at will, so the memory the
    # export itself holds is sampled apart (RssAnon: heap and buffers).
    while True:
        # Reaped here for its CPU time (user + system): on a shared machine the wall
        # clock says how busy the others were as much as what the export cost.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        high_water, anonymous = _memory_kb(process.pid)
        peak_kb, private_kb = max(peak_kb, high_water), max(private_kb, anonymous)
        time.sleep(0.05)
    seconds = time.perf_counter() - began
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"lrs export --format {fmt} failed: {error}")
    return {
        "seconds": seconds,
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_private_mb": round(private_kb / 1024, 1),
    }


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmHWM, RssAnon) of a process in KiB; zeros once it is gone."""
    found = {"VmHWM:": 0, "RssAnon:": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name = line.split(maxsplit=1)[0] if line.strip() else ""
                if name in found:
                    found[name] = int(line.split()[1])
    except OSError:
        pass
    return found["VmHWM:"], found["RssAnon:"]


def measure_export(url: str, quick: bool = False) -> dict[str, Any]:
    """Export every statement of ``url`` in each format; statements/s and peak RSS."""
    database = Database(url)
    total = exports.count(database, OPERATOR, ExportSpec())
    database.dispose()
    figures: dict[str, Any] = {"statements": total}
    for fmt in FORMATS:
        run = _run_export(url, fmt)
        figures[fmt] = {
            "statements_per_second": round(total / run["seconds"]) if run["seconds"] else 0,
            "seconds": round(run["seconds"], 2),
            "cpu_seconds": run["cpu_seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "peak_private_mb": run["peak_private_mb"],
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    from benchmarks.server import fresh_database

    parser = argparse.ArgumentParser(prog="python -m benchmarks.export", description=__doc__)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    for kind in [name.strip() for name in args.databases.split(",") if name.strip()]:
        with fresh_database(kind) as url:
            print(f"== {kind}: loading {args.statements:,} statements...", flush=True)
            load = bulk_load(url, args.statements)
            print(f"   loaded in {load['seconds']} s", flush=True)
            results[kind] = {"load": load, "export": measure_export(url)}
            for fmt in FORMATS:
                f = results[kind]["export"][fmt]
                print(f"   {fmt}: {f['statements_per_second']:,} statements/s, "
                      f"{f['cpu_seconds']} s of CPU, peak RSS {f['peak_rss_mb']} MB "
                      f"(private {f['peak_private_mb']} MB)",
                      flush=True)  # fmt: skip
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
