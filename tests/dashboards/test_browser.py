"""End to end: a live server with known data, headless Chromium logs in, opens every page,
changes a filter and reads the numbers the charts show.

Needs Debian's ``chromium`` and ``chromium-driver``; skipped when they are absent.
Set ``LRS_SCREENSHOTS=<dir>`` to keep a PNG of every page.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import users
from lrs.store import migrate
from lrs.store.engine import Database
from tests.lrs.insight.data import seed

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, chromedriver)",
    ),
]


def _free_port() -> int:
    for port in range(8201, 8210):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    seed(database)
    users.create(database, username="manager", password="correct horse", role="admin")
    database.dispose()
    app = create_app(
        Settings(
            database_url=url,
            secret_key="browser-test",
            forwarding_worker=False,
            sources_worker=False,
        )
    )
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)
    context.of(app).database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _wait_for_text(driver: object, css: str, text: str, timeout: float = 20.0) -> str:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        try:
            seen = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, css))  # type: ignore[attr-defined]
        except Exception:  # the element was re-rendered between find and read
            seen = ""
        if text in seen:
            return seen
        time.sleep(0.2)
    _shot(driver, "failure")
    raise AssertionError(f"{css!r} never showed {text!r}; last saw {seen!r}")


def _shot(driver: object, name: str) -> None:
    folder = os.environ.get("LRS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))  # type: ignore[attr-defined]


def test_dashboards_in_a_browser(live_server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    driver.get(f"{live_server}/dashboards/")  # type: ignore[attr-defined]
    assert "/dashboards/login" in driver.current_url  # type: ignore[attr-defined]
    driver.find_element(By.ID, "username").send_keys("manager")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys("correct horse")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "sign-in").click()  # type: ignore[attr-defined]

    # Overview: counters and chart titles carry the known numbers.
    _wait_for_text(driver, "#overview-kpi-statements", "20")
    _wait_for_text(driver, "#overview-kpi-people", "5")
    _wait_for_text(driver, "#overview-over-time .infolayer", "20 statements")
    _wait_for_text(driver, "#overview-top-people .infolayer", "top 5 of 5")
    _wait_for_text(driver, "#overview-top-activities .infolayer", "Top 7 of 7 activities")
    time.sleep(0.5)
    _shot(driver, "overview")

    # Change a filter: only formal statements; the URL carries it.
    Select(driver.find_element(By.ID, "filter-kind")).select_by_value("formal")  # type: ignore[attr-defined]
    _wait_for_text(driver, "#overview-kpi-statements", "10")
    _wait_for_text(driver, "#overview-kpi-informal", "0")
    assert "kind=formal" in driver.current_url  # type: ignore[attr-defined]
    _shot(driver, "overview-formal")

    # Pages keep the filter in their links; reset it to see both sides again.
    Select(driver.find_element(By.ID, "filter-kind")).select_by_value("all")  # type: ignore[attr-defined]
    _wait_for_text(driver, "#overview-kpi-statements", "20")
    _wait_for_text(driver, "#overview-top-verbs .infolayer", "Top 10 of 14 verbs")
    time.sleep(3.0)

    pages = [
        ("courses", "#courses-funnel .infolayer", "2 of 2 courses"),
        ("knowledge", "#knowledge-participation .infolayer", "5 people"),
        ("convergence", "#convergence-network .infolayer", "4 of 4 links"),
        ("people", "#people-directory", "Ann — 8 statements"),
        ("explorer", "#explorer-count", "20 statements"),
    ]
    for page, css, text in pages:
        driver.find_element(By.ID, f"nav-{page}").click()  # type: ignore[attr-defined]
        _wait_for_text(driver, css, text)
        time.sleep(0.8)
        _shot(driver, page)

    # Explorer pages on the server: 20 statements, 25 a page.
    _wait_for_text(driver, "#explorer-page-note", "1-20 of 20")
    driver.find_element(By.ID, "nav-people").click()  # type: ignore[attr-defined]
    _wait_for_text(driver, "#people-directory", "Ann")
    driver.find_element(By.LINK_TEXT, "Ann — 8 statements").click()  # type: ignore[attr-defined]
    _wait_for_text(driver, "#people-body", "COURSES COMPLETED")
    _wait_for_text(driver, "#people-timeline .infolayer", "8 statements")
    time.sleep(0.5)
    _shot(driver, "person")

    errors = [
        entry for entry in driver.get_log("browser")  # type: ignore[attr-defined]
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]  # fmt: skip
    assert errors == [], "\n".join(e["message"][:300] for e in errors)
