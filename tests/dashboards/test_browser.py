"""End to end: a live server with a known data set; headless Chromium signs in, opens
every page by its URL and through the navbar, and reads the numbers off the drawn charts
(plotly's own trace data in the page) against answers this test counts by itself from
the statements it stored.

Needs Debian's ``chromium`` and ``chromium-driver``; skipped when they are absent.
Set ``LRS_SCREENSHOTS=<dir>`` to keep a PNG of every page.
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest

from benchmarks import browser as chromium
from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import users
from lrs.services.exports import CSV_HEADER
from lrs.store import migrate
from lrs.store.engine import Database
from tests.dashboards.live import bars, until
from tests.lrs.insight.data import SAFETY, actor_key, organisation, seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium.available(),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, chromedriver)",
    ),
]

PAGES = ("overview", "courses", "knowledge", "convergence", "people", "explorer", "sources")
PATHS = {page: "" if page == "overview" else page for page in PAGES}
PAGES_TITLES = {page: page.title() for page in PAGES}
MIN_HEIGHT = 200  # pixels: every chart is at least this tall as soon as it is drawn


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The live server's base URL and the ids of the statements stored."""
    from werkzeug.serving import make_server

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'lrs.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    ids = seed(database)["ids"]
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
    server = make_server("127.0.0.1", 0, app, threaded=True)  # the system picks a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=10)
    context.of(app).database.dispose()


@pytest.fixture(scope="module")
def live_server(live: tuple[str, list[str]]) -> str:
    return live[0]


@pytest.fixture(scope="module")
def driver(live_server: str) -> Iterator[Any]:
    with chromium.chromium() as browser:
        chromium.sign_in(browser, live_server, "manager", "correct horse")
        yield browser


def _shot(driver: Any, name: str) -> None:
    folder = os.environ.get("LRS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def _open(driver: Any, base: str, page: str, query: str = "") -> dict[str, dict[str, Any]]:
    driver.get(f"{base}/dashboards/{PATHS[page]}{query}")
    chromium.wait_drawn(driver)
    return _checked_graphs(driver)


def _checked_graphs(driver: Any) -> dict[str, dict[str, Any]]:
    """The page's graphs, each checked: full height at once, nothing sent to a cloud."""
    graphs = chromium.graphs(driver)
    for graph_id, graph in graphs.items():
        assert graph["height"] >= MIN_HEIGHT, (graph_id, graph["height"])
        assert graph["svg_height"] >= MIN_HEIGHT, (graph_id, graph["svg_height"])
        assert graph["config"] == {"showSendToCloud": False, "showEditInChartStudio": False,
                                   "plotlyServerURL": ""}, graph_id  # fmt: skip
        assert not [b for b in graph["buttons"] if "Chart Studio" in b or "Cloud" in b]
    return graphs


def _by_name(graph: dict[str, Any], axis: str) -> dict[str, float]:
    """Sum of each trace's ``axis`` values, by trace name."""
    return {t["name"]: sum(v for v in t[axis] if v is not None) for t in graph["traces"]}


# -- what the known data set holds, counted here from the statements themselves -----


def _kind(statement: dict[str, Any]) -> str:
    return "formal" if statement["context"]["platform"] == "LMS" else "informal"


STORED = organisation()
BY_KIND = Counter(_kind(s) for s in STORED)
BY_PERSON_KIND = Counter((s["actor"]["name"], _kind(s)) for s in STORED)
BY_PERSON = Counter(s["actor"]["name"] for s in STORED)
BY_VERB = Counter(s["verb"]["display"]["en"] for s in STORED)
SCORES = sorted(s["result"]["score"]["scaled"] for s in STORED if "score" in s.get("result", {}))
VIEWS = Counter(s["object"]["definition"]["name"]["en"] for s in STORED
                if s["verb"]["display"]["en"] == "viewed")  # fmt: skip
BY_TEAM_KIND = Counter(
    (s["context"].get("team", {}).get("name", "(no team)"), _kind(s)) for s in STORED
)


def test_every_page_by_url_draws_every_chart_at_full_height(live_server: str, driver: Any) -> None:
    """REQ-DASH-DRAW: each page opened by URL is drawn whole, no resize needed."""
    for page in PAGES:
        graphs = _open(driver, live_server, page)
        _shot(driver, page)
        if page in ("overview", "courses", "knowledge", "convergence"):
            assert len(graphs) >= 4, (page, sorted(graphs))
    errors = [
        entry for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]  # fmt: skip
    assert errors == [], "\n".join(e["message"][:300] for e in errors)


# Logs every call of plotly's resize as the page makes it (the graph, and whether its
# figure had been drawn): installed before any script of the page runs, it wraps
# ``Plotly.Plots.resize`` the moment plotly.js defines it.
RESIZE_LOG_JS = """
window.resizeLog = [];
let plotly;
Object.defineProperty(window, 'Plotly', {configurable: true, get() { return plotly; },
  set(value) {
    plotly = value;
    if (!value || !value.Plots || value.Plots.resize.logged) { return; }
    const resize = value.Plots.resize;
    value.Plots.resize = function (gd) {
      const graph = gd && gd.closest ? gd.closest('.dash-graph') : null;
      window.resizeLog.push({graph: graph ? graph.id : String(gd),
                             drawn: !!(gd && gd.data && gd.data.length)});
      return resize.apply(this, arguments);
    };
    value.Plots.resize.logged = true;
  }});
"""


def _resized_after_drawn(driver: Any) -> list[str]:
    return [e["graph"] for e in driver.execute_script("return window.resizeLog") if e["drawn"]]


def test_no_graph_is_resized_after_its_figure_is_drawn(live_server: str) -> None:
    """REQ-DASH-DRAW: a graph's box has its figure's size when the figure is drawn, so
    plotly never lays a drawn figure out again (a resize waits 100 ms and keeps the
    graph pending): not for the figure's own height, nor for a scrollbar appearing as
    the page grows. A change of the window's size still resizes the charts."""
    with chromium.chromium() as browser:
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RESIZE_LOG_JS})
        chromium.sign_in(browser, live_server, "manager", "correct horse")
        for page in PAGES:
            _open(browser, live_server, page)
            time.sleep(0.3)  # a resize observer's late call would be logged by now
            assert _resized_after_drawn(browser) == [], page
        _open(browser, live_server, "overview")
        browser.set_window_size(1100, 900)
        assert until(lambda: _resized_after_drawn(browser))


def test_charts_are_drawn_by_the_cartesian_bundle(live_server: str, driver: Any) -> None:
    """REQ-DASH-DRAW: the charts are drawn by plotly.js's cartesian bundle (bar, pie,
    heatmap, scatter: every trace the pages draw), a third of the full bundle that
    every page load parses and runs, of the major version plotly for Python writes
    figures for; the full bundle is never fetched."""
    import plotly.offline

    _open(driver, live_server, "overview")
    version = driver.execute_script("return window.Plotly && window.Plotly.version")
    assert version.split(".")[0] == plotly.offline.get_plotlyjs_version().split(".")[0]
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name.split('?')[0])"
    )
    assert [name for name in fetched if name.endswith(f"plotly-cartesian-{version}.min.js")]
    assert not [name for name in fetched if name.endswith("/plotly.min.js")]


RESOURCES_JS = """
return performance.getEntriesByType('resource').map(e => ({
  path: new URL(e.name).pathname, transfer: e.transferSize}));
"""


def test_a_page_by_url_asks_the_server_only_for_what_changes(live_server: str, driver: Any) -> None:
    """REQ-DASH-LOAD: opened again by its address, a page fetches its layout and callbacks'
    list once each (preloaded with the HTML) and its callbacks' answers; every script and
    style sheet, the lazily drawn components' too, comes from the browser's cache without
    asking the server again (no 304)."""
    for page in ("knowledge", "overview", "explorer"):
        _open(driver, live_server, page)  # the files are cached
        _open(driver, live_server, page)
        fetched = driver.execute_script(RESOURCES_JS)
        asked = [r["path"].removeprefix("/dashboards/") for r in fetched if r["transfer"]]
        assert sorted(set(asked) - {"_dash-update-component"}) == [
            "_dash-dependencies", "_dash-layout",
        ], (page, asked)  # fmt: skip
        assert asked.count("_dash-layout") == asked.count("_dash-dependencies") == 1, page
        lazy = [r["path"] for r in fetched if "/async-" in r["path"]]
        assert lazy and all(re.search(r"\.v[\w-]+m\d+\.", path) for path in lazy), lazy
    warnings = [entry["message"] for entry in driver.get_log("browser")
                if "preload" in entry["message"]]  # fmt: skip
    assert warnings == []


# Records the outputs of every callback request the page makes.
RECORD_CALLBACKS_JS = """
window.__outputs = [];
const fetched = window.fetch;
window.fetch = function (url, options) {
  if (String(url).includes('_dash-update-component')) {
    window.__outputs.push(JSON.parse(options.body).output);
  }
  return fetched.apply(this, arguments);
};
"""


def test_a_page_by_url_calls_only_its_own_callbacks(live_server: str, driver: Any) -> None:
    """REQ-DASH-LOAD: opened by its address, a page comes with its frame filled (filter
    bar, links, filters in words): neither the router nor the frame's callbacks are
    called, only the page's own, each once; through the navbar the frame follows."""
    from selenium.webdriver.common.by import By

    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CALLBACKS_JS}
    )
    frame = ("_pages_content.children", "filter-range.value", "nav-overview.href",
             "filter-note.children")  # fmt: skip
    try:
        for page in ("overview", "knowledge", "courses"):
            _open(driver, live_server, page, "?range=90d")
            outputs = driver.execute_script("return window.__outputs")
            assert outputs and len(outputs) == len(set(outputs)), (page, outputs)
            assert [o for o in outputs if any(part in o for part in frame)] == [], page
            assert driver.find_element(By.ID, "filter-range").get_attribute("value") == "90d"
            assert "range=90d" in driver.find_element(By.ID, "nav-people").get_attribute("href")
            assert "active" in driver.find_element(By.ID, f"nav-{page}").get_attribute("class")
        driver.find_element(By.ID, "nav-explorer").click()
        until(lambda: "active" in driver.find_element(By.ID, "nav-explorer").get_attribute("class"))
        chromium.wait_drawn(driver)
        assert driver.current_url.endswith("/dashboards/explorer?range=90d")
        assert "active" not in driver.find_element(By.ID, "nav-courses").get_attribute("class")
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )


def test_the_navbar_opens_every_page(live_server: str, driver: Any) -> None:
    """REQ-DASH-NAV: the navbar reaches every page, each drawn whole."""
    from selenium.webdriver.common.by import By

    _open(driver, live_server, "overview")
    for page in PAGES:
        driver.find_element(By.ID, f"nav-{page}").click()
        deadline = time.monotonic() + 20
        while not driver.current_url.rstrip("/").endswith(PATHS[page] or "dashboards"):
            assert time.monotonic() < deadline, driver.current_url
            time.sleep(0.05)
        chromium.wait_drawn(driver)
        _checked_graphs(driver)
        assert driver.find_element(By.ID, f"nav-{page}").get_attribute("class").count("active")


def test_overview_numbers_read_off_the_charts(live_server: str, driver: Any) -> None:
    """REQ-DASH-NUMBERS: the overview's charts show the counts of the stored statements."""
    from selenium.webdriver.common.by import By

    graphs = _open(driver, live_server, "overview")
    assert driver.find_element(By.ID, "overview-kpi-statements").text == str(len(STORED))
    assert driver.find_element(By.ID, "overview-kpi-formal").text == str(BY_KIND["formal"])
    over_time = _by_name(graphs["overview-over-time"], "y")
    assert over_time == dict(BY_KIND)
    [mix] = graphs["overview-mix"]["traces"]
    assert dict(zip(mix["labels"], mix["values"], strict=True)) == dict(BY_KIND)
    people = graphs["overview-top-people"]
    for trace in people["traces"]:
        shown = dict(zip(trace["y"], trace["x"], strict=True))
        expected = {name: c for (name, kind), c in BY_PERSON_KIND.items() if kind == trace["name"]}
        assert {k: v for k, v in shown.items() if v} == expected, trace["name"]

    # A filter narrows every chart; the URL carries it.
    graphs = _open(driver, live_server, "overview", "?kind=formal")
    assert _by_name(graphs["overview-over-time"], "y") == {"formal": BY_KIND["formal"]}
    assert driver.find_element(By.ID, "overview-kpi-informal").text == "0"

    # The activity picker is searched by name; the summary names what is chosen.
    _open(driver, live_server, "overview")
    driver.find_element(By.ID, "filter-activity").click()
    [search] = driver.find_elements(
        By.CSS_SELECTOR, "[data-radix-popper-content-wrapper] input:not([type=radio])"
    )
    search.send_keys("Safety bas")
    time.sleep(0.5)
    options = driver.find_elements(By.CSS_SELECTOR, "[role=option]")
    assert [o.text for o in options] == ["Safety basics"]
    options[0].click()
    deadline = time.monotonic() + 30
    while "activity=" not in driver.current_url:
        assert time.monotonic() < deadline, "picking an activity did not filter"
        time.sleep(0.1)
    chromium.wait_drawn(driver)
    assert dict(parse_qsl(urlsplit(driver.current_url).query))["activity"] == SAFETY
    note = driver.find_element(By.ID, "filter-note").text
    assert "activity: Safety basics" in note and "http" not in note
    safety = sum(s["object"]["id"] == SAFETY for s in STORED)
    assert driver.find_element(By.ID, "overview-kpi-statements").text == str(safety)

    # The switch draws the week before over this week, lined up day by day.
    _open(driver, live_server, "overview", "?from=2026-03-06&to=2026-03-12")
    driver.execute_script(
        "arguments[0].click();", driver.find_element(By.ID, "overview-over-time-compare")
    )
    deadline = time.monotonic() + 30
    while "previous period" not in _by_name(chromium.graphs(driver)["overview-over-time"], "y"):
        assert time.monotonic() < deadline, "no previous period drawn"
        time.sleep(0.1)
    chromium.wait_drawn(driver)
    drawn = _by_name(_checked_graphs(driver)["overview-over-time"], "y")
    before = sum("2026-02-27" <= s["timestamp"][:10] <= "2026-03-05" for s in STORED)
    assert drawn["previous period"] == before
    # The switch is in the URL: the view opened again by it is drawn compared at once.
    assert "compare=previous" in driver.current_url
    graphs = _open(
        driver, live_server, "overview", "?from=2026-03-06&to=2026-03-12&compare=previous"
    )
    daily: dict[str, set[str]] = {}
    for s in STORED:
        if "2026-02-27" <= s["timestamp"][:10] <= "2026-03-05":
            daily.setdefault(s["timestamp"][:10], set()).add(s["actor"]["mbox"])
    assert _by_name(graphs["overview-over-time"], "y")["previous period"] == before
    people = _by_name(graphs["overview-people-over-time"], "y")["previous period"]
    assert people == sum(len(who) for who in daily.values()) > 0


def test_courses_knowledge_and_convergence_numbers(live_server: str, driver: Any) -> None:
    """REQ-DASH-NUMBERS: scores, views and the team mix as counted from the statements."""
    graphs = _open(driver, live_server, "courses")
    [scores] = graphs["courses-scores"]["traces"]
    assert sum(scores["y"]) == len(SCORES) == 2

    _open(driver, live_server, "knowledge")
    # Posts and wiki pages are ranked apart (bar tables): together, every view.
    posts = bars(driver, "knowledge-top-read-posts-bars")
    pages = bars(driver, "knowledge-top-read-pages-bars")
    assert {**posts, **pages} == dict(VIEWS) and posts and pages

    graphs = _open(driver, live_server, "convergence")
    mix = graphs["convergence-mix"]
    for trace in mix["traces"]:
        counts = dict(zip(trace["y"], trace["customdata"], strict=True))
        expected = {team: c for (team, kind), c in BY_TEAM_KIND.items() if kind == trace["name"]}
        assert counts == expected, trace["name"]
    # A few people: each one a point that opens their statements, and the chart says so.
    scatter = graphs["convergence-scatter"]
    scored = {s["actor"]["mbox"].removeprefix("mailto:").split("@")[0] for s in STORED
              if "score" in s.get("result", {})}  # fmt: skip
    drawn = [key for trace in scatter["traces"] for key in trace["customdata"] or []]
    assert sorted(drawn) == sorted(urlencode({"person": actor_key(who)}) for who in scored)
    assert f"{len(scored)} people, one point each" in scatter["text"]


def test_top_contributors_by_kind_read_off_the_chart(live_server: str, driver: Any) -> None:
    """REQ-DASH-NUMBERS: contributors ranked with their posts, edits and comments, as
    counted from the statements' verbs (posts: author, create, asked; edits: edited;
    comments: commented, replied); likes and views are no contribution."""
    kinds = {"author": "posts", "create": "posts", "asked": "posts", "edited": "edits",
             "commented": "comments", "replied": "comments"}  # fmt: skip
    counted = Counter(
        (s["actor"]["name"], kinds[s["verb"]["display"]["en"]])
        for s in STORED
        if _kind(s) == "informal" and s["verb"]["display"]["en"] in kinds
    )
    graphs = _open(driver, live_server, "knowledge")
    drawn = {
        (name, trace["name"]): value
        for trace in graphs["knowledge-contributors"]["traces"]
        for name, value in zip(trace["y"], trace["x"], strict=True)
        if value
    }
    assert drawn == dict(counted)


def test_top_contributors_and_the_courses_they_completed(live_server: str, driver: Any) -> None:
    """REQ-DASH-NUMBERS: the convergence page's table of the top contributors and the
    courses each completed, as counted from the statements."""
    from selenium.webdriver.common.by import By

    made = Counter(s["actor"]["name"] for s in STORED
                   if _kind(s) == "informal" and s["verb"]["display"]["en"]
                   in ("author", "create", "asked", "edited", "commented", "replied"))  # fmt: skip
    done: dict[str, set[str]] = {}
    for s in STORED:
        if _kind(s) == "formal" and s["verb"]["display"]["en"] in ("completed", "passed"):
            done.setdefault(s["actor"]["name"], set()).add(s["object"]["definition"]["name"]["en"])
    _open(driver, live_server, "convergence")
    _wait_text(driver, "convergence-contributors-note", "contributors")
    cells = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in driver.find_elements(By.CSS_SELECTOR, "#convergence-contributors tbody tr")
    ]
    shown = {row[0]: (int(row[2]), int(row[3]), row[5]) for row in cells}
    assert shown == {
        name: (count, len(done.get(name, ())), "; ".join(sorted(done.get(name, ()))))
        for name, count in made.items()
    }


def test_overview_counters_show_their_change_against_the_period_before(
    live_server: str, driver: Any
) -> None:
    """REQ-DASH-NUMBERS: every overview counter with its change against the previous
    period of the same length, as counted from the statements (7-9 March against 4-6)."""
    from selenium.webdriver.common.by import By

    def between(first: str, last: str, kind: str | None = None) -> int:
        return sum(1 for s in STORED if first <= s["timestamp"][:10] <= last
                   and kind in (None, _kind(s)))  # fmt: skip

    _open(driver, live_server, "overview", "?from=2026-03-07&to=2026-03-09")
    for key, kind in (("statements", None), ("formal", "formal"), ("informal", "informal")):
        now = between("2026-03-07", "2026-03-09", kind)
        then = between("2026-03-04", "2026-03-06", kind)
        text = driver.find_element(By.ID, f"overview-kpi-{key}-change").text
        expected = f"{now - then:+,} ({(now - then) / then:+.0%})" if then else "new: none"
        assert text.startswith(expected) and text.endswith("2026-03-04 to 2026-03-06"), key
    _open(driver, live_server, "overview")
    assert driver.find_element(By.ID, "overview-kpi-statements-change").text == ""


def test_the_funnel_order_from_the_url_is_drawn(live_server: str, driver: Any) -> None:
    """REQ-DASH-NUMBERS: the worst pass rate is findable: ``sort=pass_rate`` draws the
    lowest pass rate first, the rates read off the chart as counted from the statements
    (passed / people judged, a fail after no pass); ``sort=mean_score`` puts the course
    without scores last."""
    judged: dict[str, dict[str, set[str]]] = {}
    for statement in STORED:
        verb = statement["verb"]["display"]["en"]
        course = statement["object"].get("definition", {}).get("name", {}).get("en")
        if verb in ("passed", "failed", "launched", "registered") and course:
            people = judged.setdefault(course, {"passed": set(), "failed": set()})
            if verb in ("passed", "failed"):
                people[verb].add(statement["actor"]["name"])
    rates = {course: 100 * len(p["passed"]) / len(p["passed"] | p["failed"])
             if p["passed"] | p["failed"] else 0.0 for course, p in judged.items()}  # fmt: skip
    graphs = _open(driver, live_server, "courses", "?sort=pass_rate")
    passing = next(t for t in graphs["courses-rates"]["traces"] if t["name"].startswith("pass"))
    assert list(zip(passing["y"], passing["x"], strict=True)) == sorted(
        rates.items(), key=lambda item: (item[1], item[0])
    )
    graphs = _open(driver, live_server, "courses", "?sort=mean_score")
    passing = next(t for t in graphs["courses-rates"]["traces"] if t["name"].startswith("pass"))
    assert list(passing["y"]) == ["Safety basics", "Python 101"]


def _matches(statement: dict[str, Any], wanted: dict[str, str]) -> bool:
    """Whether ``statement`` is in the slice ``wanted`` (the Explorer's URL filters)."""
    day = statement["timestamp"][:10]
    checks = {
        "activity": statement["object"]["id"],
        "person": actor_key(statement["actor"]["mbox"].removeprefix("mailto:").split("@")[0]),
        "team": statement["context"].get("team", {}).get("name"),
        "kind": _kind(statement),
        "verb": statement["verb"]["id"],
    }
    return all(
        checks[key] == value for key, value in wanted.items() if key in checks
    ) and wanted.get("from", day) <= day <= wanted.get("to", day)


def _drill(driver: Any, graph_id: str, nth: int = 0) -> dict[str, str]:
    """Click a bar, point or slice of ``graph_id`` (or a name of a bar table); the
    Explorer's filters it opened."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    marks = driver.find_elements(
        By.CSS_SELECTOR, f"#{graph_id} .trace .point path, #{graph_id} .trace .points path, "
        f"#{graph_id} .slice path.surface, #{graph_id} table a",
    )  # fmt: skip
    assert marks, graph_id
    ActionChains(driver).move_to_element(marks[nth]).pause(0.2).click().perform()
    deadline = time.monotonic() + 20
    while "/dashboards/explorer" not in driver.current_url:
        assert time.monotonic() < deadline, f"a click on {graph_id} did not open the Explorer"
        time.sleep(0.05)
    chromium.wait_drawn(driver, title="Explorer")
    query = dict(parse_qsl(urlsplit(driver.current_url).query))
    assert query.pop("back").startswith("/dashboards/")
    return query


def test_a_click_on_every_page_opens_its_statements(
    live: tuple[str, list[str]], driver: Any
) -> None:
    """REQ-DASH-DRILL: a click leads to exactly that slice's statements, and back."""
    from selenium.webdriver.common.by import By

    live_server, stored_ids = live
    ann = actor_key("ann")
    for page, query, graph_id in (
        ("overview", "", "overview-top-activities"),
        ("courses", "", "courses-funnel"),
        ("knowledge", "", "knowledge-top-read-pages"),
        ("convergence", "", "convergence-mix"),
        ("people", f"?person={quote(ann)}", "people-timeline"),
    ):
        _open(driver, live_server, page, query)
        wanted = _drill(driver, graph_id)
        assert set(wanted) - {"person"}, (page, wanted)  # the click narrowed something
        expected = sum(_matches(s, wanted) for s in STORED)
        assert expected > 0, wanted
        count = driver.find_element(By.ID, "explorer-count").text
        assert count == f"{expected} statements", (page, wanted, count)
        driver.find_element(By.ID, "explorer-back").click()
        chromium.wait_drawn(driver, title=PAGES_TITLES[page])
        assert urlsplit(driver.current_url).path.rstrip("/").endswith(PATHS[page] or "dashboards")

    # An Explorer row opens its statement, exactly as stored, with its id.
    _open(driver, live_server, "explorer", "?kind=formal")
    opener = driver.find_elements(By.CSS_SELECTOR, "#explorer-table button")[0]
    statement_id = opener.text
    assert statement_id in stored_ids
    opener.click()
    shown = _wait_text(driver, "explorer-statement", statement_id)
    assert json.loads(shown)["id"] == statement_id
    assert driver.find_element(By.ID, "explorer-statement-title").text.endswith(statement_id)


def _wait_text(driver: Any, element_id: str, text: str) -> str:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + 20
    seen = ""
    while time.monotonic() < deadline:
        found = driver.find_elements(By.ID, element_id)
        seen = found[0].text if found else ""
        if text in seen:
            return str(seen)
        time.sleep(0.05)
    raise AssertionError(f"#{element_id} never showed {text!r}; saw {seen[:200]!r}")


def _download(driver: Any, link_id: str) -> list[dict[str, str]]:
    """Click the link ``link_id``; the rows of the CSV file the browser saved."""
    from selenium.webdriver.common.by import By

    folder = Path(driver.downloads)
    for old in folder.iterdir():
        old.unlink()
    link = driver.find_element(By.ID, link_id)
    # The link's own click (it may sit below the fold of the window).
    driver.execute_script("arguments[0].click();", link)
    deadline = time.monotonic() + 30
    while True:
        done = [f for f in folder.iterdir() if f.suffix == ".csv"]
        if done and not [f for f in folder.iterdir() if f.suffix == ".crdownload"]:
            break
        assert time.monotonic() < deadline, f"{link_id} downloaded nothing"
        time.sleep(0.05)
    with done[0].open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _sums(rows: list[dict[str, str]], keys: tuple[str, ...], value: str) -> dict[Any, int]:
    totals: Counter[Any] = Counter()
    for row in rows:
        key = tuple(row[k] or "(no team)" for k in keys)
        totals[key[0] if len(key) == 1 else key] += int(float(row[value]))
    return dict(totals)


def test_every_page_downloads_its_numbers(live: tuple[str, list[str]], driver: Any) -> None:
    """REQ-DASH-NUMBERS-CSV: one download a page, its numbers counted here independently."""
    live_server, stored_ids = live
    _open(driver, live_server, "overview")
    rows = _download(driver, "overview-over-time-numbers")
    assert _sums(rows, ("source_kind",), "statements") == dict(BY_KIND)

    _open(driver, live_server, "courses")
    rows = _download(driver, "courses-scores-numbers")
    assert sum(int(row["results"]) for row in rows) == len(SCORES)

    _open(driver, live_server, "knowledge")
    rows = _download(driver, "knowledge-top-read-posts-numbers")
    rows += _download(driver, "knowledge-top-read-pages-numbers")
    assert {row["name"]: int(row["count"]) for row in rows} == dict(VIEWS)

    _open(driver, live_server, "convergence")
    rows = _download(driver, "convergence-mix-numbers")
    assert _sums(rows, ("team", "source_kind"), "statements") == dict(BY_TEAM_KIND)

    ann = actor_key("ann")
    _open(driver, live_server, "people", f"?person={quote(ann)}")
    rows = _download(driver, "people-timeline-numbers")
    assert sum(int(row["statements"]) for row in rows) == BY_PERSON["Ann"]

    # The Explorer's CSV is the /api/export format: a statement a row, team included.
    _open(driver, live_server, "explorer", "?kind=informal")
    rows = _download(driver, "explorer-csv")
    assert tuple(rows[0]) == CSV_HEADER
    # The seed stores the organisation's statements in order, then one it voids.
    ids = zip(STORED, stored_ids[: len(STORED)], strict=True)
    assert [row["statement_id"] for row in rows] == [i for s, i in ids if _kind(s) == "informal"]
    assert Counter((row["team"] or "(no team)", row["source_kind"]) for row in rows) == {
        key: n for key, n in BY_TEAM_KIND.items() if key[1] == "informal"
    }
