"""The dashboards' front-end files are served by every worker from its first request on.

Dash wires itself lazily, on a process's first request (its script registry, the page
router): with gunicorn's threads, a second request arriving while the first was still
wiring was answered 500 ``DependencyException`` for React, and the page stayed blank.
Here `lrs serve` runs with several workers of several threads; its workers are killed
(gunicorn starts fresh, cold ones) and every script and style sheet the page lists is
fetched at once, on every round: all must answer 200 with their content.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from lrs.services import users
from lrs.store import migrate
from lrs.store.engine import Database
from tests.e2e.server import Server, serve

pytestmark = pytest.mark.slow

WORKERS = 3
THREADS = 8
ROUNDS = 2
ASSET = re.compile(r'(?:src|href)="(/dashboards/(?:_dash-component-suites|assets)/[^"]+)"')


def _sign_in(server: Server) -> requests.Session:
    browser = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=WORKERS * THREADS)
    browser.mount("http://", adapter)
    form = browser.get(f"{server.base}/dashboards/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = browser.post(
        f"{server.base}/dashboards/login",
        data={"csrf_token": token.group(1), "username": "manager", "password": "correct horse",
              "next": "/dashboards/"},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 200 and "_dash-config" in answer.text
    return browser


def _fresh_workers(server: Server) -> None:
    """Kill every worker; gunicorn replaces them with cold ones."""
    old = server.workers()
    for pid in old:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = server.workers()
        if len(now) == WORKERS and not set(now) & set(old):
            return
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not replace its workers: {server.workers()}")


def test_every_asset_answers_200_on_cold_workers(tmp_path: Path) -> None:
    """REQ-DASH-ASSETS: scripts and styles answer 200 on every worker's first requests."""
    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    users.create(database, username="manager", password="correct horse", role="admin")
    database.dispose()
    with serve(
        url, tmp_path / "serve.log", workers=WORKERS, threads=THREADS,
        extra_env={"LRS_DASHBOARDS": "true", "LRS_FORWARDING_WORKER": "false",
                   "LRS_SOURCES_WORKER": "false"},
    ) as server:  # fmt: skip
        browser = _sign_in(server)
        page = browser.get(f"{server.base}/dashboards/", timeout=30).text
        assets = sorted(set(ASSET.findall(page)))
        assert any("react-dom" in a for a in assets) and any("prop-types" in a for a in assets)
        failures: list[str] = []
        fetched = 0
        for _ in range(ROUNDS):
            _fresh_workers(server)
            with ThreadPoolExecutor(max_workers=WORKERS * THREADS) as pool:
                answers = list(
                    pool.map(
                        lambda path: (path, browser.get(server.base + path, timeout=60)),
                        assets * WORKERS,
                    )
                )
            for path, answer in answers:
                fetched += 1
                if answer.status_code != 200 or not answer.content:
                    failures.append(f"{answer.status_code} {path}")
        assert failures == [], "\n".join(failures[:20]) + "\n" + server.output()[-3000:]
        assert fetched == ROUNDS * WORKERS * len(assets)
        assert "DependencyException" not in server.output()
