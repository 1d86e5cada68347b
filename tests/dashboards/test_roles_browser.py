"""One browser test per role: headless Chromium signs in to a live server holding the
known data set (``tests.lrs.insight.data``) and checks what the pages show and what they
do not — an admin sees everyone and manages users, a manager of Alpha sees Alpha's
people only, a member sees only their own person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks import browser as chromium
from lrs.services import users
from lrs.store import migrate
from lrs.store.engine import Database
from tests.dashboards import live
from tests.lrs.insight.data import seed

PASSWORD = "correct horse"
ROLES = {
    "admin": users.Role("admin"),
    "manager": users.Role("manager", teams=("Alpha",)),
    "member": users.Role("member", person="ann@example.com"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium.available(), reason="needs Debian's chromium and chromedriver"),
]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('roles') / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    seed(database)
    for name, role in ROLES.items():
        users.create(database, username=name, password=PASSWORD, role=role)
    database.dispose()
    with live.served(url, "roles-test") as base:
        yield base


def _overview(driver: Any, base: str) -> tuple[str, str]:
    """The statements counter and the page's text (charts included) of the overview."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/dashboards/?range=all")
    chromium.wait_drawn(driver)
    counter = live.until(lambda: driver.find_element(By.ID, "overview-kpi-statements").text)
    return counter, driver.page_source


def _names(source: str) -> set[str]:
    return {
        name for name in ("Ann", "Ben", "Cat", "Dan", "Eve") if re.search(rf"\b{name}\b", source)
    }


def test_an_admin_sees_everyone_and_creates_a_member(live_server: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium.chromium() as driver:
        chromium.sign_in(driver, live_server, "admin", PASSWORD)
        counter, source = _overview(driver, live_server)
        assert counter == "20"
        assert {"Ann", "Ben", "Cat", "Dan"} <= _names(source)
        driver.find_element(By.ID, "nav-users").click()
        live.until(lambda: driver.find_element(By.ID, "users"))
        driver.find_element(By.ID, "new-username").send_keys("dana")
        driver.find_element(By.ID, "new-password").send_keys(PASSWORD)
        for option in driver.find_elements(By.CSS_SELECTOR, "#new-role option"):
            if option.text == "member":
                option.click()
        driver.find_element(By.ID, "new-person").send_keys("dan@example.com")
        driver.find_element(By.ID, "create-user").click()
        message = live.until(lambda: driver.find_element(By.ID, "message").text)
        assert message == "Created dana (member)."
        row = driver.find_element(By.ID, "user-dana").text
        assert "member" in row and "Dan (mbox:mailto:dan@example.com)" in row


def test_a_manager_sees_their_team_only(live_server: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium.chromium() as driver:
        chromium.sign_in(driver, live_server, "manager", PASSWORD)
        counter, source = _overview(driver, live_server)
        assert counter == "12"
        assert _names(source) == {"Ann", "Ben"}
        assert driver.find_element(By.ID, "nav-role").text == "(Alpha)"
        assert not driver.find_elements(By.ID, "nav-users")
        # Another team in the URL is not among the filter bar's teams: it is dropped, and
        # the page shows the manager's team again, never Beta's 7 statements.
        driver.get(f"{live_server}/dashboards/?range=all&team=Beta")
        chromium.wait_drawn(driver)
        live.until(
            lambda: (
                driver.find_element(By.ID, "overview-kpi-statements").text == "12"
                and "Beta" not in driver.current_url
            )
        )
        assert _names(driver.page_source) == {"Ann", "Ben"}
        driver.get(f"{live_server}/dashboards/users")
        assert "forbidden" in driver.page_source


def test_a_member_sees_only_themselves(live_server: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium.chromium() as driver:
        chromium.sign_in(driver, live_server, "member", PASSWORD)
        assert driver.current_url == f"{live_server}/dashboards/me"  # a member's home
        counter, source = _overview(driver, live_server)
        assert counter == "8"
        assert _names(source) == {"Ann"}
        driver.get(f"{live_server}/dashboards/explorer?range=all")
        chromium.wait_drawn(driver)
        count = live.until(lambda: driver.find_element(By.ID, "explorer-count").text)
        assert count == "8 statements"
        assert _names(driver.page_source) <= {"Ann"}
        driver.get(f"{live_server}/dashboards/persons")
        chromium.wait_drawn(driver)
        assert "administrators only" in driver.page_source
