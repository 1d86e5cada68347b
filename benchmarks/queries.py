"""Reads: GET /statements latency for each filter, and paging through `more`.

    python -m benchmarks.queries DATABASE_URL [--per-kind 40] [--deep 50] [--cpu 200]

measures a store that is already loaded (a copy: the server stores its benchmark
credential in it), with the query parameters drawn from statements it holds: over HTTP
(``lrs serve``), each query type's first page and its `more` pages to ``--deep``; and
with ``--cpu``, the CPU time the application takes for a page in process (the Flask test
client, the database's own work excluded for PostgreSQL).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
import sqlalchemy as sa

from benchmarks.client import Reply
from benchmarks.server import KEY, SECRET, RunningServer, serve
from benchmarks.stats import summary_ms
from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.store.engine import Database
from lrs.store.models import Statement

# How deep the `more` chains of each filter are followed.
MORE_PAGES = 10


def _agent_param(actor: dict[str, Any]) -> str:
    identity = {k: actor[k] for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor}
    return quote(orjson.dumps(identity).decode())


def sample_queries(
    statements: Sequence[dict[str, Any]], rng: random.Random, per_kind: int
) -> dict[str, list[str]]:
    """Query strings per filter kind, drawn from the data that was loaded."""
    actors = [s["actor"] for s in statements if s["actor"].get("objectType") != "Group"]
    verbs = Counter(s["verb"]["id"] for s in statements)
    objects = [s["object"]["id"] for s in statements if "definition" in s["object"]]
    contexts = [s.get("context") or {} for s in statements]
    registrations = [c["registration"] for c in contexts if "registration" in c]
    parents = [
        a["id"]
        for c in contexts
        for role in ("parent", "grouping")
        for a in (c.get("contextActivities") or {}).get(role, [])
    ]

    def pick(values: Sequence[Any]) -> list[Any]:
        return [rng.choice(values) for _ in range(per_kind)] if values else []

    return {
        "agent": [f"agent={_agent_param(a)}" for a in pick(actors)],
        "verb": [f"verb={quote(v)}" for v in pick(list(verbs))],
        "activity": [f"activity={quote(a)}" for a in pick(objects)],
        "registration": [f"registration={r}" for r in pick(registrations)],
        "related_activities": [
            f"activity={quote(a)}&related_activities=true" for a in pick(parents)
        ],
        "related_agents": [f"agent={_agent_param(a)}&related_agents=true" for a in pick(actors)],
        # The same filters in another order, format or response type.
        "ascending": [f"verb={quote(v)}&ascending=true" for v in pick(list(verbs))],
        "format_ids": [f"agent={_agent_param(a)}&format=ids" for a in pick(actors)],
        "format_canonical": [f"activity={quote(a)}&format=canonical" for a in pick(objects)],
        "attachments": [f"verb={quote(v)}&attachments=true" for v in pick(list(verbs))],
    }


def run_queries(
    server: RunningServer,
    statements: Sequence[dict[str, Any]],
    *,
    per_kind: int,
    seed: int = 7,
    deep: int = MORE_PAGES,
) -> dict[str, Any]:
    """p50/p95 of each filter kind, plus page 1 vs page 10 of `more`, and with ``deep``
    beyond ``MORE_PAGES`` the pages after the tenth up to that one."""
    rng = random.Random(seed)
    client = server.client()
    results: dict[str, Any] = {}
    try:
        client.request("GET", "/xapi/statements?limit=1")  # warm the connection pools
        queries_by_kind = sample_queries(statements, rng, per_kind)
        queries_by_kind["since_until"] = _stored_windows(client, rng, per_kind)
        deeper: dict[str, Any] = {}
        deepest: dict[str, Any] = {}
        for kind, queries in queries_by_kind.items():
            latencies = []
            for query in queries:
                reply = client.request("GET", f"/xapi/statements?{query}&limit=100")
                if reply.status != 200:
                    raise RuntimeError(f"{kind} query failed: {reply.status} {reply.body[:200]!r}")
                latencies.append(reply.seconds)
            results[kind] = summary_ms(latencies)
            chains = _follow_more(client, queries[: max(1, per_kind // 5)], max(deep, MORE_PAGES))
            deeper[kind] = summary_ms([s for page, s in chains if page <= MORE_PAGES])
            if deep > MORE_PAGES:
                deepest[kind] = summary_ms([s for page, s in chains if page > MORE_PAGES])
        results["more_pages"] = _paging(client, per_kind)
        results["more_by_filter"] = deeper
        if deepest:
            results[f"more_by_filter_to_{deep}"] = deepest
    finally:
        client.close()
    return results


def _stored_windows(client: Any, rng: random.Random, count: int) -> list[str]:
    """One-minute since/until windows at random between the oldest and newest `stored`."""
    newest = client.request("GET", "/xapi/statements?limit=1").json()["statements"]
    oldest = client.request("GET", "/xapi/statements?limit=1&ascending=true").json()
    if not newest:
        return []
    first = dt.datetime.fromisoformat(oldest["statements"][0]["stored"])
    last = dt.datetime.fromisoformat(newest[0]["stored"])
    span = max(0.0, (last - first).total_seconds() - 60)
    windows = []
    for _ in range(count):
        since = first + dt.timedelta(seconds=rng.uniform(0, span))
        until = since + dt.timedelta(seconds=60)
        windows.append(f"since={quote(since.isoformat())}&until={quote(until.isoformat())}")
    return windows


def _follow_more(
    client: Any, queries: Sequence[str], pages: int = MORE_PAGES
) -> list[tuple[int, float]]:
    """(page, latency) of pages 2 to ``pages`` of the `more` chain of each query: a
    filter must cost the same on every page, however deep."""
    latencies: list[tuple[int, float]] = []
    for query in queries:
        reply = client.request("GET", f"/xapi/statements?{query}&limit=100")
        for page in range(2, pages + 1):
            more = _more(reply)
            if not more:
                break
            reply = client.request("GET", more)
            if reply.status != 200:
                raise RuntimeError(f"more page failed: {reply.status} {reply.body[:200]!r}")
            latencies.append((page, reply.seconds))
    return latencies


def _more(reply: Any) -> str | None:
    """The path and query of a page's `more` link, or None at the last page."""
    if reply.status != 200:
        return None
    if reply.body.startswith(b"--"):  # multipart/mixed: the statements are the first part
        part = reply.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]
        reply = Reply(reply.status, part, reply.seconds)
    more = reply.json()["more"]
    return urlsplit(more).path + "?" + urlsplit(more).query if more else None


def _paging(client: Any, repeats: int) -> dict[str, Any]:
    first: list[float] = []
    tenth: list[float] = []
    for _ in range(max(1, repeats // 5)):
        path = "/xapi/statements?limit=100"
        for page in range(1, 11):
            reply = client.request("GET", path)
            (first if page == 1 else tenth if page == 10 else []).append(reply.seconds)
            more = reply.json()["more"]
            if not more:
                break
            path = urlsplit(more).path + "?" + urlsplit(more).query
    return {"page_1": summary_ms(first), "page_10": summary_ms(tenth)}


def timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def stored_sample(url: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` statements drawn at random from a loaded store."""
    database = Database(url)
    try:
        with database.reading() as session:
            low, high = session.execute(sa.select(sa.func.min(Statement.seq),
                                                  sa.func.max(Statement.seq))).one()  # fmt: skip
            if low is None:
                return []
            seqs = [rng.randint(low, high) for _ in range(count)]
            rows = session.execute(sa.select(Statement.payload).where(Statement.seq.in_(seqs)))
            return [row.payload for row in rows]
    finally:
        database.dispose()


def cpu_per_page(url: str, statements: Sequence[dict[str, Any]], pages: int) -> dict[str, Any]:
    """Milliseconds of this process's CPU for a first page and for a tenth `more` page of
    each query type, through the application in process: what the server spends on a
    page besides the database's own work (all of it on SQLite)."""
    settings = Settings(database_url=url, secret_key="bench", dashboards=False,
                        forwarding_worker=False, sources_worker=False, api_key=KEY,
                        api_secret=SECRET, log_level="WARNING")  # fmt: skip
    app = create_app(settings)
    client = app.test_client()
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
    queries_by_kind = sample_queries(statements, random.Random(7), max(1, pages // 10))
    results: dict[str, Any] = {}
    for kind, queries in {"all": [""], **queries_by_kind}.items():
        first: list[float] = []
        tenth: list[float] = []
        while len(first) < pages:
            for query in queries:
                path = f"/xapi/statements?{query}&limit=100".replace("?&", "?")
                for page in range(1, MORE_PAGES + 1):
                    started = time.process_time()
                    response = client.get(path, headers=headers)
                    body = response.get_data()
                    spent = time.process_time() - started
                    (first if page == 1 else tenth if page == MORE_PAGES else []).append(spent)
                    more = _more(Reply(response.status_code, body, spent))
                    if not more:
                        break
                    path = more
        results[kind] = {"page_1": summary_ms(first), "page_10": summary_ms(tenth)}
    context.of(app).database.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.queries", description=__doc__)
    parser.add_argument("database_url", help="a loaded store (a copy: it gets a credential)")
    parser.add_argument("--per-kind", type=int, default=40, help="queries of each type")
    parser.add_argument("--deep", type=int, default=50, help="follow `more` to this page")
    parser.add_argument("--cpu", type=int, default=0, help="pages measured in process")
    parser.add_argument("--output", type=Path, default=None, help="JSON of the results")
    args = parser.parse_args(argv)
    statements = stored_sample(args.database_url, 5000, random.Random(11))
    results: dict[str, Any] = {"statements_sampled": len(statements)}
    if args.cpu:
        results["cpu"] = cpu_per_page(args.database_url, statements, args.cpu)
    else:
        with serve(args.database_url) as server:
            results["http"] = run_queries(
                server, statements, per_kind=args.per_kind, deep=args.deep
            )
    if args.output:
        args.output.write_text(json.dumps(results, indent=2))
    print(_table(results))
    return 0


def _table(results: dict[str, Any]) -> str:
    """One line per query type: p50 / p95 ms of each group of pages measured."""
    groups = results.get("cpu") or {}
    if "http" in results:
        http = results["http"]
        groups = {
            kind: {"page_1": figures, **{
                name: http[name][kind] for name in http if name.startswith("more_by_filter")
            }}
            for kind, figures in http.items() if not kind.startswith("more")
        }  # fmt: skip
        groups["all"] = http["more_pages"]
    lines = []
    for kind, pages in groups.items():
        cells = [f"{name} {f['p50_ms']} / {f['p95_ms']}" for name, f in pages.items()]
        lines.append(f"{kind:<20} " + "   ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
