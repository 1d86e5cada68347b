"""``python -m benchmarks [--quick]``: the whole benchmark, every database, one report."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.dashboards import measure as measure_pages
from benchmarks.dataset import demo_statements, scaled
from benchmarks.export import measure_export
from benchmarks.ingest import bulk_load, run_ingest
from benchmarks.queries import run_queries
from benchmarks.server import fresh_database, serve
from benchmarks.storage import measure_storage
from lrs.store.engine import Database

BATCH_SIZES = (1, 10, 100, 1000)
CLIENT_COUNTS = (1, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small and short (for CI)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--statements", type=int, default=None, help="stored before reads")
    parser.add_argument("--seconds", type=float, default=None, help="per ingest scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    total = args.statements or (20_000 if args.quick else 1_000_000)
    seconds = args.seconds or (2.0 if args.quick else 15.0)
    people, days = (60, 60) if args.quick else (300, 365)

    print(f"generating the demo organisation ({people} people, {days} days)...", flush=True)
    base = demo_statements(people=people, days=days, seed=2024)
    dataset = scaled(base, total)
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "demo_statements": len(base),
        "stored_statements": total,
        "databases": {},
    }
    for kind in [name.strip() for name in args.databases.split(",") if name.strip()]:
        print(f"== {kind}", flush=True)
        results["databases"][kind] = _one_database(kind, dataset, seconds, args)
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"benchmark-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(report.table(results))
    print(f"\nreport written to {path}")
    return 0


def _one_database(kind: str, dataset: list[dict[str, Any]], seconds: float, args: Any) -> Any:
    out: dict[str, Any] = {"ingest": [], "reads": {}, "dashboards": {}, "export": {}}
    with fresh_database(kind) as url, serve(url, workers=args.workers) as server:
        ingested = 0
        cap = max(2_000, len(dataset) // 20)
        for batch_size in BATCH_SIZES:
            for clients in CLIENT_COUNTS:
                result = run_ingest(
                    server, dataset, batch_size=batch_size, clients=clients,
                    seconds=seconds, max_statements=cap,
                )  # fmt: skip
                ingested += result["statements"]
                out["ingest"].append(result)
                print(f"   ingest batch={batch_size:<5} clients={clients}: "
                      f"{result['statements_per_second']:>8.0f} st/s, "
                      f"p95 {result['latency']['p95_ms']} ms", flush=True)  # fmt: skip
        remaining = dataset[: max(0, len(dataset) - ingested)]
        load = bulk_load(server, remaining) if remaining else {"statements": 0}
        out["bulk_load"] = load
        print(f"   loaded {load['statements']} more statements", flush=True)
        out["reads"] = run_queries(server, dataset, per_kind=10 if args.quick else 40)
        for name, figures in out["reads"].items():
            print(f"   read {name}: {figures}", flush=True)
        out["storage"] = measure_storage(url)
        print(f"   storage: {out['storage']['bytes_per_statement']:,} bytes/statement", flush=True)
        out["dashboards"] = _dashboards(url, repeat=1 if args.quick else 3)
        out["export"] = measure_export(url, quick=args.quick)
    return out


def _dashboards(url: str, *, repeat: int) -> dict[str, Any]:
    """Every dashboard page's queries and figures on the loaded store, p50/p95 seconds."""
    database = Database(url)
    try:
        return measure_pages(database, repeat)
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
