"""Load and faults against the real server: `lrs serve --workers 3` (gunicorn) on
loopback, on SQLite and PostgreSQL. Client threads post single statements, batches,
voiding statements and documents while gunicorn workers are killed with SIGKILL. Then:
every acknowledged statement is stored exactly once, every batch is stored whole or not
at all, acknowledged document merges are all there, and the store is consistent (index
rows, facts, rollups). Bounded: a fixed number of requests and kills, well under two
minutes per database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from lrs.store.engine import Database
from tests.e2e.server import KEY, SECRET, serve
from tests.factories import VERB_VOIDED, make_activity, make_agent, make_statement, make_verb
from tests.security.consistency import problems

pytestmark = pytest.mark.slow

CLIENTS = 6
OPERATIONS_PER_CLIENT = 60
KILLS = 3
TIME_LIMIT = 60.0  # seconds of load at most, whatever the machine
HEADERS = {"X-Experience-API-Version": "1.0.3"}
STATE = {"activityId": "http://example.com/activities/e2e", "stateId": "progress"}


@dataclass
class Outcome:
    """What the clients sent and what the server acknowledged."""

    acknowledged: set[str] = field(default_factory=set)
    unacknowledged: list[list[dict[str, Any]]] = field(default_factory=list)
    batches: list[list[str]] = field(default_factory=list)
    merged_keys: dict[str, set[str]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def _client(
    server_xapi: str, index: int, outcome: Outcome, deadline: float, kills_done: threading.Event
) -> None:
    rng = random.Random(index)
    session = requests.Session()
    session.auth = (KEY, SECRET)
    session.headers.update(HEADERS)
    actor = make_agent(f"load{index}")
    agent_param = json.dumps(actor)
    mine: list[str] = []
    outcome.merged_keys[agent_param] = set()
    # At least OPERATIONS_PER_CLIENT operations, and on until every kill has happened: a
    # fast machine must not finish its load before the faults it is meant to survive.
    for step in itertools.count():
        if time.monotonic() > deadline or (step >= OPERATIONS_PER_CLIENT and kills_done.is_set()):
            return
        kind = rng.random()
        try:
            if kind < 0.2:
                key = f"k{step}"
                response = session.post(
                    f"{server_xapi}/activities/state",
                    params={**STATE, "agent": agent_param},
                    json={key: step},
                    timeout=30,
                )
                outcome.count(response.status_code)
                if response.status_code == 204:
                    outcome.merged_keys[agent_param].add(key)
                continue
            if kind < 0.3 and mine:
                target = mine.pop(rng.randrange(len(mine)))
                ref = {"objectType": "StatementRef", "id": target}
                batch = [make_statement(actor=actor, verb=make_verb(VERB_VOIDED), object=ref)]
            else:
                size = 1 if kind < 0.6 else rng.randint(2, 12)
                batch = [
                    make_statement(
                        actor=actor,
                        object=make_activity(f"http://example.com/activities/{rng.randrange(20)}"),
                    )
                    for _ in range(size)
                ]
            with outcome.lock:
                outcome.batches.append([s["id"] for s in batch])
            body: Any = batch[0] if len(batch) == 1 else batch
            response = session.post(f"{server_xapi}/statements", json=body, timeout=30)
            outcome.count(response.status_code)
            if response.status_code == 200:
                with outcome.lock:
                    outcome.acknowledged.update(s["id"] for s in batch)
                if batch[0]["verb"]["id"] != VERB_VOIDED:
                    mine.extend(s["id"] for s in batch)
            else:
                with outcome.lock:
                    outcome.unacknowledged.append(batch)
        except requests.RequestException:
            outcome.count(0)
            with outcome.lock:
                outcome.unacknowledged.append(batch if kind >= 0.2 else [])


def _killer(
    server: Any, kills: list[int], stop: threading.Event, kills_done: threading.Event
) -> None:
    rng = random.Random(7)
    try:
        _kill_workers(server, kills, stop, rng)
    finally:
        kills_done.set()


def _kill_workers(server: Any, kills: list[int], stop: threading.Event, rng: random.Random) -> None:
    while len(kills) < KILLS and not stop.wait(1.5):
        workers = server.workers()
        if not workers:
            continue
        victim = rng.choice(workers)
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            continue
        kills.append(victim)


def _stored(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(
                connection.execute(sa.text("SELECT id, count(*) FROM statement GROUP BY id")).all()
            )
    finally:
        engine.dispose()


def test_acknowledged_statements_survive_killed_workers_and_nothing_is_half_stored(
    database_url: str, tmp_path: Path
) -> None:
    outcome = Outcome()
    kills: list[int] = []
    started = time.monotonic()
    with serve(database_url, tmp_path / "serve.log", workers=3, threads=4) as server:
        stop = threading.Event()
        kills_done = threading.Event()
        killer = threading.Thread(target=_killer, args=(server, kills, stop, kills_done))
        deadline = time.monotonic() + TIME_LIMIT
        clients = [
            threading.Thread(target=_client, args=(server.xapi, i, outcome, deadline, kills_done))
            for i in range(CLIENTS)
        ]
        killer.start()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        stop.set()
        killer.join()
        assert len(kills) == KILLS, "the load ended before every worker kill"
        # Re-sending what was not acknowledged is safe: stored ones are identical (200).
        session = requests.Session()
        session.auth = (KEY, SECRET)
        for batch in (b for b in outcome.unacknowledged if b):
            response = session.post(f"{server.xapi}/statements", json=batch, headers=HEADERS)
            assert response.status_code in (200, 400), response.text
        state = {
            agent: session.get(
                f"{server.xapi}/activities/state", headers=HEADERS, params={**STATE, "agent": agent}
            ).json()
            for agent, keys in outcome.merged_keys.items()
            if keys
        }
    elapsed = time.monotonic() - started

    stored = _stored(database_url)
    assert outcome.acknowledged, outcome.statuses
    assert all(stored.get(i) == 1 for i in outcome.acknowledged)
    for batch in outcome.batches:
        present = [i in stored for i in batch]
        assert all(present) or not any(present), batch
    for agent, keys in outcome.merged_keys.items():
        if keys:
            assert keys <= set(state[agent]), agent
    database = Database(database_url)
    try:
        assert problems(database) == []
    finally:
        database.dispose()
    assert not [s for s in outcome.statuses if s >= 500 and s != 502], outcome.statuses
    assert elapsed < 120
    report = {
        "requests": sum(outcome.statuses.values()),
        "statuses": outcome.statuses,
        "worker_kills": len(kills),
        "acknowledged_statements": len(outcome.acknowledged),
        "batches": len(outcome.batches),
        "seconds": round(elapsed, 1),
    }
    print(f"\nload-and-fault: {json.dumps(report)}")
    assert uuid.UUID(next(iter(outcome.acknowledged)))
