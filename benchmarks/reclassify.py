"""``python -m benchmarks.reclassify``: how long classification rules take to preview and
apply on a store of many statements (one million by default), per database.

The store is filled with the dashboards benchmark's facts (``benchmarks.dashboards``); the
rules change the kind of about a quarter of them and the course of some, as an
administrator's first rules file would. Measured: ``preview``, ``apply`` (with every
rollup recounted), ``apply`` again with nothing to change, and applying no rules (back
to the vocabulary's own verdicts).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from benchmarks.dashboards import load
from benchmarks.server import fresh_database
from lrs.services import classification
from lrs.store import migrate
from lrs.store.engine import Database
from statements.vocabulary import NO_RULES, Rules, rules_from_mapping

RULES: Rules = rules_from_mapping(
    {
        "rule": [
            {"platform": "blog", "kind": "ignore", "reason": "blogs are off-topic here"},
            {"prefix": "http://lms.example.com/courses/1", "kind": "informal"},
        ],
        "course": [{"prefix": "http://wiki.example.com/pages/1"}],
    }
)


def measure(kind: str, statements: int) -> dict[str, Any]:
    with fresh_database(kind) as url:
        database = Database(url)
        try:
            migrate.upgrade(database.engine)
            loaded = load(database, statements)
            print(f"  {kind}: {statements:,} facts loaded in {loaded:.0f} s", flush=True)
            found: dict[str, Any] = {"statements": statements, "load_seconds": round(loaded, 1)}
            for step, call in (
                ("preview", lambda: classification.preview(database, RULES)),
                ("apply", lambda: classification.apply(database, RULES)),
                ("apply again (no change)", lambda: classification.apply(database, RULES)),
                ("apply no rules", lambda: classification.apply(database, NO_RULES)),
            ):
                began = time.perf_counter()
                change = call()
                seconds = time.perf_counter() - began
                found[step] = {"seconds": round(seconds, 1), "kind_changes": change.total,
                               "course_changes": change.courses}  # fmt: skip
                print(f"  {kind}: {step}: {seconds:.1f} s ({change.total:,} kinds, "
                      f"{change.courses:,} courses)", flush=True)  # fmt: skip
            return found
        finally:
            database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reclassify", description=__doc__)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    results = {
        kind: measure(kind, args.statements)
        for kind in (name.strip() for name in args.databases.split(",") if name.strip())
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
