"""Names and titles are anyone's text: drawn in the dashboards' Markdown tables (bar
tables, pull pages), each shows exactly as written, in headless Chromium, whatever
Markdown or HTML it looks like, and a name that is a link still links to its target.

Needs Debian's ``chromium`` and ``chromium-driver``; skipped when they are absent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash import Dash, html

from benchmarks import browser as chromium
from dashboards.components import bar_table, escaped
from tests.dashboards import live

pytestmark = live.BROWSER_ONLY

NAMES = [
    "Data Privacy & GDPR",
    "AT&amp;T <b>bold</b> & <script>alert(1)</script>",
    r"back\slash \& \< escaped",
    "*stars* _under_ `code` [link](http://example.com) # not a heading",
    "pipes | in ~~the~~ <name> !",
    "1. not a list - item + more",
    "Ünïcödé — “quotes” 😀",
]


@pytest.fixture(scope="module")
def page() -> Iterator[str]:
    app = Dash(__name__)
    records = [
        {"name": name, "count": i + 1, "href": f"/target/{i}"} for i, name in enumerate(NAMES)
    ]
    app.layout = html.Div(bar_table(records, "name", "count", "href", "names", "names-table"))
    with live.serving(app.server) as base:
        yield f"{base}/"


def test_every_name_shows_as_written_and_links_to_its_target(page: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium.chromium() as driver:
        driver.get(page)
        rows = live.until(lambda: live.table_rows(driver, "names-table") or None)
        assert [row[0] for row in rows] == NAMES
        links = driver.find_elements(By.CSS_SELECTOR, "#names-table td:first-child a")
        assert [a.get_attribute("href") for a in links] == [
            f"{page}target/{i}" for i in range(len(NAMES))
        ]
        assert not driver.find_elements(By.CSS_SELECTOR, "#names-table b, #names-table script")


def test_the_escaped_text_has_no_markdown_left() -> None:
    assert escaped("a & b <c>") == "a &amp; b &lt;c&gt;"
    assert escaped("*x* | y") == r"\*x\* \| y"
