"""A real HTTP server on 127.0.0.1 for the scheduled-source tests: fixture feeds with
ETags, a MediaWiki-Action-API-shaped endpoint with continuation, and sources that fail,
hang, answer garbage or repeat themselves. It records every request it answers."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

Query = dict[str, str]


@dataclass
class Route:
    """What one path answers: a body (or a function of the query), a status, a delay."""

    body: bytes | Callable[[Query], bytes] = b""
    status: int = 200
    content_type: str = "application/xml"
    delay: float = 0.0
    conditional: bool = True


@dataclass
class Seen:
    path: str
    query: Query
    headers: dict[str, str]


@dataclass
class FixtureServer:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]


@contextmanager
def fixture_server() -> Iterator[FixtureServer]:
    state = FixtureServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            state.requests.append(Seen(parts.path, query, dict(self.headers.items())))
            route = state.routes.get(parts.path)
            if route is None:
                self.send_error(404)
                return
            if route.delay:
                time.sleep(route.delay)
            body = route.body(query) if callable(route.body) else route.body
            etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
            if route.conditional and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            if route.conditional:
                self.send_header("ETag", etag)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # unless the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- a MediaWiki-shaped api.php --------------------------------------------------------------

GENERAL = {
    "mainpage": "Main Page",
    "base": "https://wiki.acme.example/wiki/Main_Page",
    "sitename": "Acme Handbook",
    "lang": "en",
    "server": "https://wiki.acme.example",
    "articlepath": "/wiki/$1",
}


def change(revid: int, title: str, user: str, when: str, *, new: bool = False) -> dict[str, Any]:
    return {
        "type": "new" if new else "edit", "ns": 0, "title": title, "pageid": revid // 10,
        "revid": revid, "old_revid": 0 if new else revid - 1, "rcid": revid + 1000,
        "user": user, "oldlen": 0 if new else 100, "newlen": 120, "timestamp": when,
        "comment": f"revision {revid}",
    }  # fmt: skip


def mediawiki_api(changes: list[dict[str, Any]], page_size: int = 2) -> Callable[[Query], bytes]:
    """``action=query`` with ``meta=siteinfo`` or ``list=recentchanges`` (``rcdir=newer``,
    ``rcstart``, and ``rccontinue`` of the form ``timestamp|rcid`` as MediaWiki sends)."""

    def answer(query: Query) -> bytes:
        if query.get("action") != "query":
            return orjson.dumps({"error": {"code": "badvalue"}})
        if query.get("meta") == "siteinfo":
            return orjson.dumps({"batchcomplete": "", "query": {"general": GENERAL}})
        ordered = sorted(changes, key=lambda c: (c["timestamp"], c["rcid"]))
        if "rcstart" in query:
            start = query["rcstart"]
            ordered = [c for c in ordered if c["timestamp"] >= start]
        if "rccontinue" in query:
            stamp, rcid = query["rccontinue"].split("|")
            ordered = [c for c in ordered if (c["timestamp"], c["rcid"]) >= (stamp, int(rcid))]
        page, rest = ordered[:page_size], ordered[page_size:]
        document: dict[str, Any] = {"query": {"recentchanges": page}}
        if rest:
            document["continue"] = {
                "rccontinue": f"{rest[0]['timestamp']}|{rest[0]['rcid']}",
                "continue": "-||",
            }
        else:
            document["batchcomplete"] = ""
        return orjson.dumps(document)

    return answer
