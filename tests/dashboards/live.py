"""What the browser tests share: the app served on 127.0.0.1 in a thread, and a wait for
a page to get somewhere (Dash replaces elements as its callbacks answer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from benchmarks import browser as chromium
from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context

BROWSER_ONLY = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium.available(),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, chromedriver)",
    ),
]
"""The ``pytestmark`` of a module of browser tests."""


@contextmanager
def served(database_url: str, secret_key: str) -> Iterator[str]:
    """The app on ``database_url`` at a port the system picks; yields its base URL."""
    app = create_app(Settings(database_url=database_url, secret_key=secret_key,
                              forwarding_worker=False, sources_worker=False))  # fmt: skip
    try:
        with serving(app) as base:
            yield base
    finally:
        context.of(app).database.dispose()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The WSGI ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """The first true answer of ``check``; an error it raises counts as "not yet" until
    the timeout (the element is being replaced by a callback)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
            if found:
                return found
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there in time")
        time.sleep(0.05)


def table_rows(driver: Any, table_id: str) -> list[list[str]]:
    """The text of each cell of each body row of the table ``table_id``."""
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.ID, table_id)
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def bars(driver: Any, table_id: str) -> dict[str, float]:
    """A bar table's values by label, each with a bar as long as its share of the
    largest value (24 characters for the largest, to an eighth of a character)."""
    rows = table_rows(driver, table_id)
    values = {name: float(value) for name, value, _bar in rows}
    largest = max(values.values())
    for name, value, bar in rows:
        full = bar.count("█")
        eighths = 8 * full + (" ▏▎▍▌▋▊▉".index(bar[full:]) if bar[full:] else 0)
        assert eighths == max(1, round(8 * 24 * float(value) / largest)), (name, bar)
    return values
