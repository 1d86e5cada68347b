"""Headless Chromium against the dashboards: start it, sign in, and tell when a page is
fully drawn (every callback answered, every graph plotted) and what its charts show.

Shared by the browser tests, the browser benchmark and the screenshot script, so that
all three mean the same thing by "drawn". Needs Debian's ``chromium`` and
``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1440, 1000)

# True once the Dash renderer has no callback pending or in flight and every graph on
# the page has plotted its figure (an SVG, not pending a redraw).
DRAWN_JS = """
const store = window.store;
if (!store || !document.getElementById('_pages_content')) { return false; }
const state = store.getState();
if (state.isLoading) { return false; }
const callbacks = Object.assign({}, state.callbacks);
delete callbacks.stored; delete callbacks.completed;
if ([].concat(...Object.values(callbacks)).length) { return false; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
const graphs = Array.from(document.querySelectorAll('.dash-graph'));
return graphs.every(g => g.querySelector('.main-svg') && !g.querySelector('.dash-graph--pending')
                       && !g.classList.contains('dash-graph--pending'));
"""

# Every graph on the page: its id, the box it is drawn in, its plot's config and the
# numbers of its traces as plotly drew them (decoded, what the reader sees).
GRAPHS_JS = """
return Array.from(document.querySelectorAll('.dash-graph')).map(g => {
  const plot = g.querySelector('.js-plotly-plot');
  const box = g.getBoundingClientRect();
  const svg = g.querySelector('.main-svg');
  const title = g.querySelector('.gtitle');
  const context = plot && plot._context ? plot._context : {};
  const buttons = Array.from(g.querySelectorAll('.modebar-btn'))
      .map(b => b.getAttribute('data-title'));
  const plain = v => (v === undefined || v === null) ? null :
      (ArrayBuffer.isView(v) ? Array.from(v) : v);
  return {
    id: g.id,
    height: box.height,
    width: box.width,
    svg_height: svg ? svg.getBoundingClientRect().height : 0,
    title: title ? title.textContent : '',
    text: g.querySelector('.infolayer') ? g.querySelector('.infolayer').textContent : '',
    config: {showSendToCloud: !!context.showSendToCloud,
             showEditInChartStudio: !!context.showEditInChartStudio,
             plotlyServerURL: context.plotlyServerURL || ''},
    buttons: buttons,
    traces: plot && plot._fullData ? plot._fullData.map(t => ({
      name: t.name || null, type: t.type || 'scatter',
      x: plain(t.x), y: plain(t.y), z: plain(t.z), labels: plain(t.labels),
      values: plain(t.values), text: plain(t.text), customdata: plain(t.customdata),
    })) : [],
  };
});
"""


@contextmanager
def chromium(window: tuple[int, int] = WINDOW) -> Iterator[Any]:
    """A headless Chromium driven by Selenium, its profile removed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}",
    ):  # fmt: skip
        options.add_argument(flag)
    downloads = os.path.join(profile, "downloads")
    os.makedirs(downloads)
    options.add_experimental_option(
        "prefs", {"download.default_directory": downloads, "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def available() -> bool:
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


def sign_in(driver: Any, base: str, username: str, password: str) -> None:
    """Open the dashboards, get sent to the login form, sign in."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/dashboards/")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    wait_drawn(driver)


def wait_drawn(driver: Any, timeout: float = 60.0, title: str | None = None) -> float:
    """Wait until the page is fully drawn; the seconds it took from the call.

    Drawn means so on two checks in a row, since between the layout arriving and its
    callbacks being queued the renderer is briefly idle. With ``title``, the page's
    title must be that too (the page router sets it), so that the page left behind is
    not taken for the page asked for."""
    started = time.monotonic()
    deadline = started + timeout
    first: float | None = None
    while time.monotonic() < deadline:
        try:
            drawn = bool(driver.execute_script(DRAWN_JS)) and (
                title is None or driver.title == title
            )
        except Exception:  # the page is being replaced between two checks
            drawn = False
        if drawn and first is not None:
            return first - started
        first = time.monotonic() if drawn else None
        time.sleep(0.02)
    raise TimeoutError(f"{driver.current_url} not drawn within {timeout} s")


def graphs(driver: Any) -> dict[str, dict[str, Any]]:
    """Every graph on the page by id (see ``GRAPHS_JS``)."""
    return {graph["id"]: graph for graph in driver.execute_script(GRAPHS_JS)}
