"""The XML importers refuse hostile XML: external entities (XXE, ``file://``), parameter
entities, entity expansion (billion laughs, quadratic blowup) and oversized inputs.

Blog feeds (feedparser, guarded by defusedxml) and wiki exports (defusedxml) are each
tried with every attack, read directly and fetched from a URL by ``lrs import``; a
secret in a local file never reaches a statement.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from lrs.services import imports
from lrs.store.engine import Database
from lrs.store.models import Statement
from statements.sources import SOURCES, ReadOptions, SourceError, blog_feed, wiki_history
from tests.sources.helpers import fixture, statements_of

SECRET = "TOP-SECRET-4711"
FEED_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n'
FEED_BODY = (
    b'<rss version="2.0"><channel><title>%s</title><link>https://blog.example/</link>'
    b"<item><title>%s</title><link>https://blog.example/p1</link>"
    b"<guid>https://blog.example/p1</guid><author>grace@acme.example (Grace)</author>"
    b"<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate></item></channel></rss>"
)
WIKI_BODY = (
    b'<mediawiki xml:lang="en"><siteinfo><sitename>%s</sitename>'
    b"<base>https://wiki.example/wiki/Main_Page</base></siteinfo>"
    b"<page><title>%s</title><revision><id>1</id><timestamp>2024-01-01T10:00:00Z</timestamp>"
    b'<contributor><username>Grace</username></contributor><text bytes="3">abc</text>'
    b"</revision></page></mediawiki>"
)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _laughs(levels: int = 10) -> bytes:
    entities = [b'<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        entities.append(b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10))
    return b"\n".join(entities)


def _attacks(secret: Path) -> dict[str, tuple[bytes, bytes]]:
    """(DTD internal subset or external reference, the reference to put in the text)."""
    url = secret.as_uri().encode()
    dtd = secret.with_suffix(".dtd")
    dtd.write_text(f'<!ENTITY leak "{SECRET}">')
    return {
        "external entity": (b'[<!ENTITY xxe SYSTEM "%s">]' % url, b"&xxe;"),
        "external entity, public id": (b'[<!ENTITY xxe PUBLIC "-//x//y" "%s">]' % url, b"&xxe;"),
        "parameter entity": (b'[<!ENTITY %% xxe SYSTEM "%s"> %%xxe;]' % url, b"x"),
        "external DTD": (b'SYSTEM "%s"' % dtd.as_uri().encode(), b"&leak;"),
        "billion laughs": (b"[\n" + _laughs() + b"\n]", b"&lol9;"),
        "quadratic blowup": (b'[<!ENTITY a "%s">]' % (b"a" * 50_000), b"&a;" * 50_000),
        "internal entity": (b'[<!ENTITY name "Injected">]', b"&name;"),
    }


def _document(kind: str, doctype: bytes, reference: bytes) -> bytes:
    root, body = (b"rss", FEED_BODY) if kind == "blog" else (b"mediawiki", WIKI_BODY)
    return FEED_HEAD + b"<!DOCTYPE %s %s>\n" % (root, doctype) + body % (reference, reference)


@pytest.mark.parametrize("kind", ["blog", "wiki"])
@pytest.mark.parametrize(
    "attack",
    [
        "external entity",
        "external entity, public id",
        "parameter entity",
        "external DTD",
        "billion laughs",
        "quadratic blowup",
        "internal entity",
    ],
)
def test_entities_are_refused_quickly_and_leak_nothing(
    kind: str, attack: str, secret_file: Path
) -> None:
    doctype, reference = _attacks(secret_file)[attack]
    data = _document(kind, doctype, reference)
    started = time.perf_counter()
    try:
        produced = [
            item.statement for item in SOURCES[kind].read(data, ReadOptions()) if item.statement
        ]
    except SourceError as error:
        assert SECRET not in str(error)
        produced = []
    # An external DTD is never loaded: its entity stays unknown, and the XML is broken.
    assert produced == [] or attack == "external DTD"
    assert SECRET.encode() not in orjson.dumps(produced)
    assert b"lollollol" not in orjson.dumps(produced)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("kind", ["blog", "wiki"])
def test_the_same_documents_without_entities_are_read(kind: str) -> None:
    """The attack documents are otherwise valid: the refusal is for the entities."""
    data = FEED_HEAD + (FEED_BODY if kind == "blog" else WIKI_BODY) % (b"Title", b"Page")
    assert len(statements_of(kind, data)) == 1


def test_a_public_dtd_without_entities_is_fine() -> None:
    """RSS 0.91 feeds name Netscape's DTD; it is never fetched, and the feed is read."""
    doctype = (
        b'PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"'
    )
    assert len(statements_of("blog", _document("blog", doctype, b"Post"))) == 1


def test_an_oversized_feed_is_refused_before_parsing() -> None:
    padding = b"<!-- %s -->" % (b"x" * blog_feed.MAX_FEED_BYTES)
    data = fixture("engineering.atom").replace(b"<feed", padding + b"<feed", 1)
    started = time.perf_counter()
    with pytest.raises(SourceError, match="larger than"):
        list(SOURCES["blog"].read(data, ReadOptions()))
    assert time.perf_counter() - started < 2


def test_an_oversized_wiki_export_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real bound is 512 MiB; a smaller one keeps the test light.
    monkeypatch.setattr(wiki_history, "MAX_EXPORT_BYTES", 1024)
    data = fixture("handbook.xml")
    with pytest.raises(SourceError, match="larger than 1024 bytes"):
        list(SOURCES["wiki"].read(data, ReadOptions()))


def test_deep_nesting_is_read_or_refused_but_never_crashes() -> None:
    deep = b"<div>" * 50_000 + b"</div>" * 50_000
    feed = FEED_HEAD + FEED_BODY % (b"Title", deep)
    wiki = FEED_HEAD + WIKI_BODY % (b"Title", deep)
    for kind, data in (("blog", feed), ("wiki", wiki)):
        try:
            list(SOURCES[kind].read(data, ReadOptions()))
        except SourceError as error:
            assert error.message


@contextmanager
def _serving(body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/source.xml"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("kind", ["blog", "wiki"])
@pytest.mark.parametrize("attack", ["external entity", "billion laughs"])
def test_lrs_import_from_a_url_refuses_them_and_stores_nothing(
    database: Database, secret_file: Path, kind: str, attack: str
) -> None:
    doctype, reference = _attacks(secret_file)[attack]
    with _serving(_document(kind, doctype, reference)) as url:
        summary = imports.import_source(database, kind, url, home_page="http://lrs.test")
    assert summary.error and "forbidden XML" in summary.error
    assert SECRET not in summary.error
    assert summary.stored == 0
    with database.reading() as session:
        assert session.execute(select(func.count()).select_from(Statement)).scalar_one() == 0
