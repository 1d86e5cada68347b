"""Ingest: statements/s and request latency for several batch sizes and client counts."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from benchmarks.server import RunningServer
from benchmarks.stats import summary_ms


def _batches(statements: Sequence[dict[str, Any]], size: int) -> Iterator[bytes]:
    """Request bodies of ``size`` statements, without ids so that the LRS assigns them."""
    for start in itertools.count(0, size):
        chunk = [statements[(start + i) % len(statements)] for i in range(size)]
        body = [{k: v for k, v in s.items() if k != "id"} for s in chunk]
        yield orjson.dumps(body[0] if size == 1 else body)


def run_ingest(
    server: RunningServer,
    statements: Sequence[dict[str, Any]],
    *,
    batch_size: int,
    clients: int,
    seconds: float,
    max_statements: int,
) -> dict[str, Any]:
    """POST batches from ``clients`` threads for ``seconds`` (or ``max_statements``)."""
    bodies = _batches(statements, batch_size)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[int] = []
    sent = 0
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal sent
        client = server.client()
        try:
            while time.monotonic() < deadline:
                with lock:
                    if sent >= max_statements:
                        return
                    sent += batch_size
                    body = next(bodies)
                reply = client.request("POST", "/xapi/statements", body)
                with lock:
                    latencies.append(reply.seconds)
                    if reply.status != 200:
                        failures.append(reply.status)
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    stored = (len(latencies) - len(failures)) * batch_size
    return {
        "batch_size": batch_size,
        "clients": clients,
        "statements": stored,
        "seconds": round(elapsed, 2),
        "statements_per_second": round(stored / elapsed, 1) if elapsed else 0.0,
        "failed_requests": len(failures),
        "latency": summary_ms(latencies),
    }


def bulk_load(
    server: RunningServer, statements: Sequence[dict[str, Any]], *, clients: int = 4
) -> dict[str, Any]:
    """Store every statement (batches of 1000) as fast as the server takes them."""
    return run_ingest(
        server, statements, batch_size=1000, clients=clients, seconds=3600.0,
        max_statements=len(statements),
    )  # fmt: skip
