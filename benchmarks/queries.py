"""Reads: GET /statements latency for each filter, and paging through `more`."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from benchmarks.server import RunningServer
from benchmarks.stats import summary_ms

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
    }


def run_queries(
    server: RunningServer, statements: Sequence[dict[str, Any]], *, per_kind: int, seed: int = 7
) -> dict[str, Any]:
    """p50/p95 of each filter kind, plus page 1 vs page 10 of `more`."""
    rng = random.Random(seed)
    client = server.client()
    results: dict[str, Any] = {}
    try:
        client.request("GET", "/xapi/statements?limit=1")  # warm the connection pools
        queries_by_kind = sample_queries(statements, rng, per_kind)
        queries_by_kind["since_until"] = _stored_windows(client, rng, per_kind)
        deeper: dict[str, Any] = {}
        for kind, queries in queries_by_kind.items():
            latencies = []
            for query in queries:
                reply = client.request("GET", f"/xapi/statements?{query}&limit=100")
                if reply.status != 200:
                    raise RuntimeError(f"{kind} query failed: {reply.status} {reply.body[:200]!r}")
                latencies.append(reply.seconds)
            results[kind] = summary_ms(latencies)
            deeper[kind] = summary_ms(_follow_more(client, queries[: max(1, per_kind // 5)]))
        results["more_pages"] = _paging(client, per_kind)
        results["more_by_filter"] = deeper
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


def _follow_more(client: Any, queries: Sequence[str], pages: int = MORE_PAGES) -> list[float]:
    """Latencies of pages 2 to ``pages`` of the `more` chain of each query: a filter
    must cost the same on every page, however deep."""
    latencies: list[float] = []
    for query in queries:
        reply = client.request("GET", f"/xapi/statements?{query}&limit=100")
        for _ in range(pages - 1):
            more = reply.json()["more"] if reply.status == 200 else None
            if not more:
                break
            reply = client.request("GET", urlsplit(more).path + "?" + urlsplit(more).query)
            if reply.status != 200:
                raise RuntimeError(f"more page failed: {reply.status} {reply.body[:200]!r}")
            latencies.append(reply.seconds)
    return latencies


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
