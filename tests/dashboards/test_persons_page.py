"""The Persons page: administrators search persons, see their identifiers with statement
counts, merge four identifiers of one human into one person and undo it — headless
Chromium against a live server (Debian's ``chromium`` and ``chromium-driver``); managers and members
see nothing of it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from benchmarks import browser as chromium
from lrs.insight.filters import Filters
from lrs.insight.registry import AGGREGATES
from lrs.services import statements as statement_service
from lrs.services import users
from lrs.services.principal import OPERATOR
from lrs.store import migrate
from lrs.store.engine import Database
from tests.dashboards import live
from tests.lrs.services.test_persons_merge import KEYS, known_data_set

PASSWORD = "correct horse"


def _people(url: str) -> int:
    database = Database(url)
    try:
        with database.reading() as session:
            return int(AGGREGATES["summary"].run(session, Filters())["people"][0])
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('persons') / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    statement_service.store_statements(
        database, known_data_set(), version="1.0.3", principal=OPERATOR
    )
    users.create(database, username="admin", password=PASSWORD, role="admin")
    database.dispose()
    with live.served(url, "persons-test") as base:
        yield base, url


@pytest.mark.browser
@pytest.mark.skipif(not chromium.available(), reason="needs Debian's chromium and chromedriver")
def test_an_admin_merges_four_identifiers_and_undoes_it(live_server: tuple[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, url = live_server
    assert _people(url) == 5
    with chromium.chromium() as driver:
        chromium.sign_in(driver, base, "admin", PASSWORD)
        driver.get(f"{base}/dashboards/persons")
        chromium.wait_drawn(driver)
        field = live.until(lambda: driver.find_element(By.ID, "persons-search"))
        field.send_keys("grace", Keys.ENTER)
        table = live.until(lambda: driver.find_element(By.ID, "persons-table"))
        rows = live.until(lambda: table.find_elements(By.CSS_SELECTOR, "tbody tr"))
        assert len(rows) == 4
        text = table.text
        for key in KEYS.values():
            assert key in text  # every side's identifier, with its statement count
        assert f"{KEYS['lms']} (3)" in text and f"{KEYS['wiki']} (2)" in text
        ids = {key: int(re.search(rf"^(\d+) .*{re.escape(key)}", text, re.M).group(1))  # type: ignore[union-attr]
               for key in KEYS.values()}  # fmt: skip
        driver.find_element(
            By.XPATH, f"//div[@id='persons-keep']//input[@value='{ids[KEYS['lms']]}']"
        ).click()
        for side in ("blog", "wiki", "mobile"):
            driver.find_element(
                By.XPATH, f"//div[@id='persons-others']//input[@value='{ids[KEYS[side]]}']"
            ).click()
        driver.find_element(By.ID, "persons-merge").click()
        merged = live.until(lambda: driver.find_element(By.ID, "persons-merged-statements"))
        assert merged.text == "8 statements"
        assert _people(url) == 2
        live.until(
            lambda: len(driver.find_elements(By.CSS_SELECTOR, "#persons-table tbody tr")) == 1
        )
        driver.find_element(By.ID, "persons-undo").click()
        live.until(lambda: driver.find_element(By.ID, "persons-undone"))
        assert _people(url) == 5


def test_the_page_is_for_admins_only(client: FlaskClient, database: Database) -> None:
    users.create(
        database, username="viewer", password=PASSWORD, role=users.Role("manager", teams=("Alpha",))
    )
    page = client.get("/dashboards/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post("/dashboards/login", data={
        "username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)})  # fmt: skip
    response = client.post("/dashboards/_dash-update-component", json={
        "output": "..persons-results.children...persons-keep.options...persons-others.options"
                  "...persons-others.value..",
        "outputs": [{"id": "persons-results", "property": "children"},
                    {"id": "persons-keep", "property": "options"},
                    {"id": "persons-others", "property": "options"},
                    {"id": "persons-others", "property": "value"}],
        "inputs": [{"id": "persons-find", "property": "n_clicks", "value": 1},
                   {"id": "persons-search", "property": "value", "value": ""},
                   {"id": "persons-merges", "property": "data", "value": []}],
        "changedPropIds": ["persons-find.n_clicks"], "state": [],
    })  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Administrators only" in body
