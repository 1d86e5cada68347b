"""End to end, the pull pages: a live server holding the hand-made set of the read
side's pull tests; headless Chromium signs in, opens My learning, Who knows and Read
next by URL and through the navbar, and reads the numbers off the drawn charts and
tables against the answers counted in ``tests/lrs/insight/test_pull_answers.py``.

Needs Debian's ``chromium`` and ``chromium-driver``; skipped when they are absent.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlencode

import pytest

from benchmarks import browser as chromium
from lrs.services import users
from lrs.store import migrate
from lrs.store.engine import Database
from tests.dashboards import live
from tests.lrs.insight import knowledge_set, pull_set
from tests.lrs.insight.knowledge_set import key
from tests.lrs.insight.pull_set import GLAZE

pytestmark = live.BROWSER_ONLY

TITLES = {"me": "My learning", "experts": "Who knows", "next": "Read next"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('pull-pages') / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    knowledge_set.seed(database, pull_set.records())
    users.create(database, username="admin", password="correct horse", role="admin")
    database.dispose()
    with live.served(url, "pull-pages") as base:
        yield base


@pytest.fixture(scope="module")
def driver(live_server: str) -> Iterator[Any]:
    with chromium.chromium() as browser:
        chromium.sign_in(browser, live_server, "admin", "correct horse")
        yield browser


def _open(driver: Any, base: str, page: str, **query: str) -> dict[str, dict[str, Any]]:
    driver.get(f"{base}/dashboards/{page}?{urlencode(query)}")
    chromium.wait_drawn(driver, title=TITLES[page])
    graphs = chromium.graphs(driver)
    for graph_id, graph in graphs.items():
        assert graph["height"] >= 200 and graph["svg_height"] >= 200, graph_id
    return graphs


def test_my_learning_and_sharing_in_the_browser(live_server: str, driver: Any) -> None:
    graphs = _open(driver, live_server, "me", person=key("m01"))
    assert live.bars(driver, "me-contributions-bars") == {"Why glaze chemistry matters": 3,
                                                      "Pricing checklist": 1}  # fmt: skip
    timeline = {t["name"]: len(t["x"]) for t in graphs["me-timeline"]["traces"]}
    assert timeline == {"learning": 1, "sharing": 2}
    courses = live.table_rows(driver, "me-courses-table")
    assert courses == [
        ["Glaze Chemistry", "passed", "", "0.00", str(pull_set.FIRST_DAY.replace(day=7))]
    ]
    mine = {row[0]: row[2:] for row in live.table_rows(driver, "me-contributions-table")}
    assert mine["Why glaze chemistry matters"] == ["3", "4", "1", "7", "1", "1"]
    audience = [row[0] for row in live.table_rows(driver, "me-audience-table")]
    assert audience == ["M06", "M02", "M03", "M05", "M04", "M07"]


def test_my_timeline_compares_with_the_previous_period(live_server: str, driver: Any) -> None:
    """REQ-DASH-COMPARE: the switch draws days 0-1 (m01 passed Glaze Chemistry on day 1)
    over days 2-3, moved forward two days."""
    from selenium.webdriver.common.by import By

    day = [(pull_set.FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(4)]
    graphs = _open(driver, live_server, "me", person=key("m01"), **{"from": day[2], "to": day[3]})
    assert [t["name"] for t in graphs["me-timeline"]["traces"]] == ["sharing"]
    driver.execute_script("arguments[0].click();",
                          driver.find_element(By.ID, "me-timeline-compare"))  # fmt: skip
    deadline = time.monotonic() + 30
    while len(chromium.graphs(driver)["me-timeline"]["traces"]) < 2:
        assert time.monotonic() < deadline, "no previous period drawn"
        time.sleep(0.1)
    chromium.wait_drawn(driver, title=TITLES["me"])
    traces = {t["name"]: (t["x"], t["y"]) for t in chromium.graphs(driver)["me-timeline"]["traces"]}
    assert traces == {"sharing": ([day[3], day[2]], ["sharing", "sharing"]),
                      "previous period (learning)": ([day[3]], ["learning"])}  # fmt: skip
    assert "compare=previous" in driver.current_url


def test_who_knows_in_the_browser(live_server: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    graphs = _open(driver, live_server, "experts", topic="glaze")
    assert set(graphs) == set(), "a page of rankings draws no chart"
    assert live.bars(driver, "experts-bars") == {"M01": 9, "M02": 7, "M03": 6, "M04": 6, "M05": 5}
    title = driver.find_element(By.CSS_SELECTOR, "#experts-ranking .bar-title").text
    assert title == "Top 5 of 5 people who know about glaze, by points"
    # Each name opens the Explorer on that person's statements.
    link = driver.find_element(By.LINK_TEXT, "M01").get_attribute("href")
    assert "/dashboards/explorer?" in link and f"person={key('m01')}" in unquote(link)
    ranked = driver.find_element(By.ID, "experts-list").text
    assert ranked.index("1. M01") < ranked.index("2. M02") < ranked.index("5. M05")
    assert "passed the course Glaze Chemistry · 5 points" in ranked
    assert "commented on Why glaze chemistry matters · 2 points (2)" in ranked
    assert "Ties: the most recent evidence first" in driver.find_element(By.ID, "experts-rule").text
    # Typing another topic ranks again, and the topic goes in the URL.
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "experts-topic")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE, "kiln", Keys.ENTER)
    deadline = time.monotonic() + 20
    while "topic=kiln" not in driver.current_url:
        assert time.monotonic() < deadline, (driver.current_url, box.get_attribute("value"))
        time.sleep(0.05)
    chromium.wait_drawn(driver)
    assert live.bars(driver, "experts-bars") == {"M10": 4, "M08": 3}


def test_read_next_in_the_browser(live_server: str, driver: Any) -> None:
    assert _open(driver, live_server, "next", course=GLAZE) == {}
    read = {"Why glaze chemistry matters": 3, "Glazes/Overview": 2, "Pricing checklist": 1}
    assert live.bars(driver, "next-bars") == read
    writers = [(row[0], row[2], row[3]) for row in live.table_rows(driver, "next-writers-table")]
    post, link = "Why glaze chemistry matters", "words: chemistry, glaze"
    assert writers == [("M01", post, link), ("M02", post, link)]


def test_the_navbar_opens_the_pull_pages(live_server: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, live_server, "me")
    assert "M01" in driver.find_element(By.ID, "me-directory").text
    for page in TITLES:
        driver.find_element(By.ID, f"nav-{page}").click()
        chromium.wait_drawn(driver, title=TITLES[page])
        assert driver.current_url.split("?")[0].endswith(f"/dashboards/{page}")


def test_a_table_link_opens_the_explorer_inside_the_app(live_server: str, driver: Any) -> None:
    """A link of a pull page's Markdown table to the Explorer changes the location inside
    the app (the page is not loaded again) and the Explorer is drawn on its statements."""
    from selenium.webdriver.common.by import By

    _open(driver, live_server, "next", course=GLAZE)
    link = driver.find_element(By.CSS_SELECTOR, "#next-table a")
    target = link.get_attribute("href")
    driver.execute_script("window.stillHere = true; arguments[0].click()", link)
    chromium.wait_drawn(driver, title="Explorer")
    assert driver.execute_script("return window.stillHere === true")
    assert driver.current_url.split("?")[0] == target.split("?")[0]
    assert "activity=" in driver.current_url
