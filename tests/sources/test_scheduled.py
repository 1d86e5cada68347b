"""Sources pulled on a schedule, against real HTTP servers on 127.0.0.1: fixture feeds
with ETags and WordPress comment feeds, a MediaWiki-API-shaped server with continuation,
a course CSV, a second `lrs serve`, and sources that fail, hang, answer garbage or
repeat themselves. Both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from lrs.app import create_app
from lrs.config import Settings
from lrs.errors import BadRequest, Conflict, Forbidden, NotFound
from lrs.http import context
from lrs.services import sources
from lrs.services.principal import OPERATOR, Principal
from lrs.services.sealing import SecretBox
from lrs.store.engine import Database
from lrs.store.models import PulledSource, Statement
from tests.conftest import TEST_FORWARDING_KEY
from tests.e2e.server import KEY, SECRET, serve
from tests.factories import make_statement
from tests.sources.feedserver import FixtureServer, Route, change, fixture_server, mediawiki_api
from tests.sources.helpers import fixture

HOME = "http://lrs.test"
BOX = SecretBox(TEST_FORWARDING_KEY)
POSTS = "/feed/"
DISCOVERY_COMMENTS = "/2024/03/discovery-calls/feed/"
PRICING_COMMENTS = "/2024/02/pricing-objections/feed/"
ENGINEERING_ENTRIES = 3  # the entries of engineering.atom (no comment feeds)
EMPTY_COMMENTS = b"""<?xml version="1.0"?><rss version="2.0"><channel>
<title>Comments on: Pricing objections, revisited</title>
<link>https://sales.acme.example/2024/02/pricing-objections/</link></channel></rss>"""


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with fixture_server() as running:
        yield running


def run(db: Database, name: str, timeout: float = 5.0) -> sources.RunReport:
    return sources.run_source(db, OPERATOR, name, box=BOX, home_page=HOME, timeout=timeout)


def add(db: Database, kind: str, url: str, name: str = "source", **values: Any) -> dict[str, Any]:
    return sources.add_source(
        db, OPERATOR, {"name": name, "kind": kind, "url": url, **values}, box=BOX
    )


def statement_count(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(Statement)).scalar_one())


def row(db: Database, name: str) -> PulledSource:
    with db.reading() as session:
        found = session.execute(
            sa.select(PulledSource).where(PulledSource.name == name)
        ).scalar_one()
        session.expunge(found)
        return found


def wordpress(server: FixtureServer) -> bytes:
    """The WordPress fixture feed, its comment feeds served by ``server``."""
    feed = fixture("wordpress.rss").decode()
    for path in (DISCOVERY_COMMENTS, PRICING_COMMENTS):
        feed = feed.replace(f"https://sales.acme.example{path}", server.url(path))
    return feed.encode()


def test_blog_with_comment_feeds_and_conditional_get(db_and_server: Any) -> None:
    """Posts and the comments of their wfw:commentRss feeds are stored; an unchanged feed
    answers 304 to If-None-Match and stores nothing; a new comment is picked up although
    the posts feed did not change."""
    database, server = db_and_server
    server.routes[POSTS] = Route(wordpress(server))
    server.routes[DISCOVERY_COMMENTS] = Route(fixture("wordpress-comments.rss"))
    server.routes[PRICING_COMMENTS] = Route(EMPTY_COMMENTS)
    add(database, "blog", server.url(POSTS), "sales blog")
    first = run(database, "sales blog")
    assert (first.status, first.stored, first.skipped, first.rejected) == ("ok", 4, 0, 0)
    assert statement_count(database) == 4
    again = run(database, "sales blog")
    assert (again.status, again.read, again.stored) == ("ok", 0, 0)
    assert server.hits(POSTS)[-1].headers["If-None-Match"].startswith('"')
    comments = fixture("wordpress-comments.rss").decode()
    newer = comments.replace(
        "<item>",
        """<item><title>By: Alan Turing</title>
        <link>https://sales.acme.example/2024/03/discovery-calls/#comment-32</link>
        <dc:creator><![CDATA[Alan Turing]]></dc:creator>
        <pubDate>Thu, 07 Mar 2024 08:00:00 +0000</pubDate>
        <guid isPermaLink="false">https://sales.acme.example/?p=118#comment-32</guid>
        <description>Agreed.</description></item><item>""",
        1,
    )
    server.routes[DISCOVERY_COMMENTS] = Route(newer.encode())
    third = run(database, "sales blog")
    assert (third.status, third.read, third.stored, third.skipped) == ("ok", 1, 1, 0)
    shown = sources.get_source(database, OPERATOR, "sales blog")
    assert shown["totals"] == {"stored": 5, "skipped": 0, "rejected": 0}
    assert shown["last_run"]["stored"] == 1 and shown["last_status"] == "ok"


@pytest.fixture
def db_and_server(database: Database, server: FixtureServer) -> tuple[Database, FixtureServer]:
    return database, server


def test_wiki_recent_changes_follow_continuation(db_and_server: Any) -> None:
    """list=recentchanges, oldest first, page after page through `continue`; the next
    run starts at the last change's timestamp and stores only what is new."""
    database, server = db_and_server
    changes = [
        change(101, "Onboarding", "AdaL", "2024-01-10T09:00:00Z", new=True),
        change(102, "Onboarding", "AlanT", "2024-01-11T09:00:00Z"),
        change(103, "Release process", "AdaL", "2024-01-12T09:00:00Z", new=True),
        change(104, "Release process", "GraceH", "2024-01-12T09:00:00Z"),
        change(105, "Onboarding", "GraceH", "2024-01-13T09:00:00Z"),
    ]
    server.routes["/w/api.php"] = Route(mediawiki_api(changes), content_type="application/json")
    add(database, "wiki", server.url("/w/api.php"), "handbook", every="1h")
    first = run(database, "handbook")
    assert (first.status, first.stored, first.rejected) == ("ok", 5, 0)
    pages = [h for h in server.hits("/w/api.php") if h.query.get("list") == "recentchanges"]
    assert len(pages) == 3 and "rccontinue" in pages[1].query
    assert all(p.query["rcdir"] == "newer" for p in pages)
    changes.append(change(106, "Security", "AlanT", "2024-01-14T09:00:00Z", new=True))
    second = run(database, "handbook")
    assert (second.status, second.read, second.stored, second.skipped) == ("ok", 1, 1, 0)
    last = [h for h in server.hits("/w/api.php") if h.query.get("list") == "recentchanges"][-1]
    assert last.query["rcstart"] == "2024-01-13T09:00:00Z"
    assert statement_count(database) == 6


def test_course_csv_at_a_url(db_and_server: Any) -> None:
    database, server = db_and_server
    server.routes["/export/courses.csv"] = Route(fixture("courses.csv"), content_type="text/csv")
    add(database, "courses", server.url("/export/courses.csv"), "lms export", every="1d")
    first = run(database, "lms export")
    assert (first.status, first.read, first.stored) == ("ok", 9, 9)
    assert run(database, "lms export").read == 0  # 304: not changed
    grown = (
        fixture("courses.csv")
        + b"ada@acme.example,Ada,Secure Coding,,enrolled,,,2024-01-12T09:00:00Z\n"
    )
    server.routes["/export/courses.csv"] = Route(grown, content_type="text/csv")
    third = run(database, "lms export")
    assert (third.read, third.stored, third.skipped) == (10, 1, 9)


def test_course_csv_with_a_column_named_twice_at_a_url(db_and_server: Any) -> None:
    database, server = db_and_server
    header, rest = fixture("courses.csv").split(b"\n", 1)
    twice = Route(header + b",event\n" + rest, content_type="text/csv")
    server.routes["/export/twice.csv"] = twice
    add(database, "courses", server.url("/export/twice.csv"), "twice", every="1d")
    report = run(database, "twice")
    assert report.status == "error" and report.stored == 0
    assert report.error == "the column 'event' is named twice; rename or remove one"
    assert row(database, "twice").last_error == report.error
    assert statement_count(database) == 0


def test_a_source_that_repeats_items(db_and_server: Any) -> None:
    """The same entry twice in a feed, and the same feed under a second source: stored
    once (the statement ids derive from the items)."""
    database, server = db_and_server
    feed = fixture("engineering.atom").decode()
    start = feed.index("<entry>")
    end = feed.index("</entry>") + len("</entry>")
    repeated = feed[:end] + feed[start:end] + feed[end:]
    server.routes["/repeats.atom"] = Route(repeated.encode(), conditional=False)
    add(database, "blog", server.url("/repeats.atom"), "repeats")
    report = run(database, "repeats")
    assert report.status == "ok"
    assert report.skipped >= 1
    stored = statement_count(database)
    assert stored == report.stored
    add(database, "blog", server.url("/repeats.atom"), "same feed again")
    other = run(database, "same feed again")
    assert (other.stored, statement_count(database)) == (0, stored)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(b"oops", status=500), "answered 500"),
        (Route(b"<html><body>Not a feed</body></html>", content_type="text/html"), "not an Atom"),
        (Route(b"\x00\xff garbage \x00"), ""),
        (Route(fixture("engineering.atom"), delay=3.0), "timed out"),
    ],
    ids=["fails", "html", "garbage", "times-out"],
)
def test_failures_are_recorded_and_backed_off(
    db_and_server: Any, route: Route, message: str
) -> None:
    """A failed run records its error, keeps nothing half-done in the cursor, and waits
    longer after each failure in a row; the next good run clears the failures."""
    database, server = db_and_server
    server.routes["/broken"] = route
    add(database, "blog", server.url("/broken"), "broken", every="15m")
    report = run(database, "broken", timeout=1.0)
    assert report.status == "error" and report.error
    assert message in report.error
    first = row(database, "broken")
    assert first.failures == 1 and first.last_error and first.claim is None
    assert first.next_run - first.last_started == dt.timedelta(minutes=15)
    run(database, "broken", timeout=1.0)
    second = row(database, "broken")
    assert second.failures == 2
    assert second.next_run - second.last_started == dt.timedelta(minutes=30)
    server.routes["/broken"] = Route(fixture("engineering.atom"))
    healed = run(database, "broken")
    assert healed.status == "ok" and healed.stored == ENGINEERING_ENTRIES
    assert row(database, "broken").failures == 0


def test_backoff_doubles_and_is_capped() -> None:
    assert sources.backoff(900, 1) == dt.timedelta(minutes=15)
    assert sources.backoff(900, 2) == dt.timedelta(minutes=30)
    assert sources.backoff(900, 3) == dt.timedelta(hours=1)
    assert sources.backoff(900, 40) == dt.timedelta(days=1)


def test_one_source_is_run_by_one_worker_at_a_time(db_and_server: Any) -> None:
    """Several workers (threads here, processes or machines in production) claim due
    sources in the database: a due source is pulled once, and a claim whose lease ran
    out (its worker died) is taken over."""
    database, server = db_and_server
    server.routes["/slow.rss"] = Route(fixture("engineering.atom"), delay=0.5)
    add(database, "blog", server.url("/slow.rss"), "slow")
    reports: list[list[sources.RunReport]] = []

    def worker() -> None:
        reports.append(sources.run_due(database, box=BOX, home_page=HOME, timeout=5))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in reports) == 1
    assert len(server.hits("/slow.rss")) == 1
    # the next run is in 15 min
    assert sources.run_due(database, box=BOX, home_page=HOME, timeout=5) == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert len(sources.run_due(database, box=BOX, home_page=HOME, timeout=5, now=later)) == 1
    with database.writing() as session:  # a worker that died holding the claim
        session.execute(sa.update(PulledSource).values(
            claim="dead", claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
            next_run=dt.datetime.now(dt.UTC)))  # fmt: skip
    reports = sources.run_due(database, box=BOX, home_page=HOME, timeout=5)
    assert [r.status for r in reports] == ["ok"]
    with database.writing() as session:  # ... and one that is still running it
        session.execute(sa.update(PulledSource).values(
            claim="alive", claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
            next_run=dt.datetime.now(dt.UTC)))  # fmt: skip
    assert sources.run_due(database, box=BOX, home_page=HOME, timeout=5) == []
    assert run(database, "slow").status == "busy"


def test_paused_sources_are_not_due(db_and_server: Any) -> None:
    database, server = db_and_server
    server.routes["/feed.atom"] = Route(fixture("engineering.atom"))
    add(database, "blog", server.url("/feed.atom"), "paused", active=False)
    assert sources.run_due(database, box=BOX, home_page=HOME, timeout=5) == []
    resumed = sources.set_active(database, OPERATOR, "paused", True)
    assert resumed["active"] is True
    reports = sources.run_due(database, box=BOX, home_page=HOME, timeout=5)
    assert [r.stored for r in reports] == [ENGINEERING_ENTRIES]


def test_administration_rules(database: Database) -> None:
    with pytest.raises(BadRequest) as bad:
        add(database, "gopher", "http://127.0.0.1:9/")
    assert bad.value.path == "kind"
    with pytest.raises(BadRequest) as bad:
        add(database, "blog", "file:///etc/passwd")
    assert bad.value.path == "url"
    for every in ("5s", "soon", "9d"):
        with pytest.raises(BadRequest) as bad:
            add(database, "blog", "http://127.0.0.1:9/", every=every)
        assert bad.value.path == "every"
    with pytest.raises(BadRequest):
        add(database, "lrs", "http://127.0.0.1:9/xapi", username="only-a-user")
    assert add(database, "blog", "http://127.0.0.1:9/", every="2h")["every_seconds"] == 7200
    with pytest.raises(Conflict):
        add(database, "blog", "http://127.0.0.1:9/other")
    reader = Principal(1, "r", "reader", frozenset({"statements/read"}), {}, "r")
    with pytest.raises(Forbidden):
        sources.list_sources(database, reader)
    with pytest.raises(NotFound):
        sources.get_source(database, OPERATOR, "missing")
    sources.remove_source(database, OPERATOR, "source")
    assert sources.list_sources(database, OPERATOR) == []


# --- LRS to LRS -------------------------------------------------------------------------------


@pytest.fixture
def other_lrs(tmp_path: Path) -> Iterator[str]:
    """A second `lrs serve` with its own SQLite store; its xAPI endpoint."""
    with serve(
        f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other.log", workers=1, threads=2,
        extra_env={"LRS_SOURCES_WORKER": "false", "LRS_FORWARDING_WORKER": "false",
                   "LRS_MAX_PAGE_SIZE": "50"},
    ) as running:  # fmt: skip
        yield running.xapi


def post(endpoint: str, statements: list[dict[str, Any]]) -> None:
    answer = requests.post(
        f"{endpoint}/statements", json=statements, auth=(KEY, SECRET), timeout=10,
        headers={"X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text


def test_lrs_to_lrs_sync(database: Database, other_lrs: str) -> None:
    """`since` + `more` against another live LRS: every statement once, in pages, with
    optional filters; the next run stores only what is new."""
    verb = "http://adlnet.gov/expapi/verbs/completed"
    batch = [make_statement() for _ in range(sources_page_plus_some())]
    completed = [make_statement(verb={"id": verb}) for _ in range(3)]
    post(other_lrs, batch + completed)
    add(database, "lrs", other_lrs, "upstream", username=KEY, password=SECRET)
    add(database, "lrs", other_lrs, "completions", username=KEY, password=SECRET,
        options={"verb": verb, "xapi_version": "2.0.0"})  # fmt: skip
    first = run(database, "upstream")
    assert (first.status, first.stored, first.skipped) == ("ok", len(batch) + 3, 0)
    only = run(database, "completions")
    assert (only.status, only.read, only.skipped) == ("ok", 3, 3)
    later = [make_statement() for _ in range(2)]
    post(other_lrs, later)
    second = run(database, "upstream")
    assert (second.status, second.read, second.stored) == ("ok", 2, 2)
    assert run(database, "upstream").read == 0
    assert statement_count(database) == len(batch) + 5


def sources_page_plus_some() -> int:
    # More than two pages of the other LRS (LRS_MAX_PAGE_SIZE=50 there), so that the
    # pull follows `more`.
    return 130


def test_lrs_source_with_wrong_credentials(database: Database, other_lrs: str) -> None:
    add(database, "lrs", other_lrs, "wrong", username=KEY, password="not-the-secret")
    report = run(database, "wrong")
    assert report.status == "error" and report.error and "401" in report.error


def test_the_server_runs_due_sources_by_itself(settings: Settings, server: FixtureServer) -> None:
    """The sources worker of a server process pulls a new source without being asked."""
    app = create_app(dataclasses.replace(settings, sources_worker=True, sources_poll_seconds=1))
    database = context.of(app).database
    try:
        server.routes["/feed.atom"] = Route(fixture("engineering.atom"))
        add(database, "blog", server.url("/feed.atom"), "by itself")
        deadline = time.monotonic() + 30
        while row(database, "by itself").last_status is None and time.monotonic() < deadline:
            time.sleep(0.2)
        ran = row(database, "by itself")
        assert (ran.last_status, ran.total_stored) == ("ok", ENGINEERING_ENTRIES)
    finally:
        for worker in context.of(app).workers:
            worker.stop()
        database.dispose()
