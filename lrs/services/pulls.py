"""Reading the sources the LRS pulls on a schedule: HTTP with conditional GET, and what
each kind of source reads and remembers between runs.

A pull is a generator of :class:`Chunk` objects: the items read from one response and
the source's state once they are stored. The scheduler (``lrs.services.sources``) stores
each chunk's items and only then takes its state, so a run that fails half-way resumes
after the last chunk it stored — and as every item has a stable statement id, reading
something twice stores nothing twice. The state of each kind:

- ``blog``: per feed URL (the feed and the WordPress comment feeds its entries name in
  ``wfw:commentRss``) the ETag / Last-Modified of the last answer and the position of
  the newest entry stored; known comment feeds are polled even when the feed itself did
  not change (a new comment does not change the posts feed).
- ``wiki``: the MediaWiki Action API (``action=query&list=recentchanges``, oldest first
  with ``rcdir=newer``, following ``continue``), from the timestamp and revision id of
  the last change stored.
- ``lrs``: another LRS's statements resource, oldest first from a little before the
  newest ``stored`` time seen, following ``more``; the ids of that overlap are kept so
  that they are not counted twice.
- ``courses``: a course CSV; the whole file is read again whenever it changed (its
  statement ids are derived from the rows, so unchanged rows are skipped).

Nothing here touches the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import orjson

from statements.sources import (
    SOURCES,
    Identities,
    Item,
    ReadOptions,
    SourceError,
    feed_links,
    read_statement_result,
)

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_PAGES = 200  # per run and source: a huge backlog is worked off over several runs
MAX_COMMENT_FEEDS = 50
WIKI_PAGE_SIZE = 500
LRS_PAGE_SIZE = 500
USER_AGENT = "lrs-sources/1"
RECENT_CHANGES_PROPS = "title|ids|sizes|flags|user|timestamp|comment"


class PullError(Exception):
    """The source could not be read: unreachable, slow, refused, or too big."""


@dataclass(frozen=True)
class SourceConfig:
    """What a pull needs to know about its source."""

    kind: str
    url: str
    identities: Identities
    username: str | None = None
    password: str | None = None
    options: Mapping[str, Any] | None = None

    def option(self, name: str) -> Any:
        return (self.options or {}).get(name)


@dataclass(frozen=True)
class Chunk:
    """Items read from one response, and the state to keep once they are stored."""

    label: str
    items: list[Item]
    state: dict[str, Any]


@dataclass(frozen=True)
class Response:
    body: bytes
    validators: dict[str, str]


class Http:
    """GET with a timeout, a size limit, Basic auth and conditional requests."""

    def __init__(
        self, *, timeout: float, username: str | None = None, password: str | None = None
    ) -> None:
        self.timeout = timeout
        self._auth = None
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    def get(
        self,
        url: str,
        *,
        validators: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response | None:
        """The body at ``url``; None when the validators show it did not change (304)."""
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if self._auth:
            sent["Authorization"] = self._auth
        if validators and validators.get("etag"):
            sent["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            sent["If-Modified-Since"] = validators["last_modified"]
        request = urllib.request.Request(url, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_RESPONSE_BYTES + 1)
                if len(body) > MAX_RESPONSE_BYTES:
                    raise PullError(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
                found = {
                    "etag": answer.headers.get("ETag") or "",
                    "last_modified": answer.headers.get("Last-Modified") or "",
                }
                return Response(body, {k: v for k, v in found.items() if v})
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return None
            raise PullError(f"{url} answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PullError(f"{url} could not be read: {reason}") from None


def pull(config: SourceConfig, state: Mapping[str, Any], http: Http) -> Iterator[Chunk]:
    """The chunks of one run of ``config``'s source, starting from ``state``."""
    readers = {"blog": _blog, "wiki": _wiki, "lrs": _lrs, "courses": _courses}
    return readers[config.kind](config, dict(state), http)


def _copy(state: Mapping[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = orjson.loads(orjson.dumps(state))
    return copied


# --- blog ----------------------------------------------------------------------------------


def _blog(config: SourceConfig, state: dict[str, Any], http: Http) -> Iterator[Chunk]:
    feeds: dict[str, dict[str, Any]] = dict(state.get("feeds") or {})
    known: list[str] = list(state.get("comment_feeds") or [])
    blog: str | None = config.option("base_url") or state.get("blog")
    answer = http.get(config.url, validators=feeds.get(config.url))
    if answer is not None:
        links = feed_links(answer.body)
        blog = config.option("base_url") or links.blog or _origin(config)
        known = list(dict.fromkeys(links.comment_feeds + known))[:MAX_COMMENT_FEEDS]
        items = _feed_items(answer.body, config, feeds.get(config.url), config.option("base_url"))
        feeds[config.url] = _feed_state(feeds.get(config.url), answer, items)
        yield Chunk(config.url, items, _copy({"feeds": feeds, "comment_feeds": known,
                                              "blog": blog}))  # fmt: skip
    for url in known:
        comments = http.get(url, validators=feeds.get(url))
        if comments is None:
            continue
        # A comment feed links to its post, not to the blog: give it the blog's URL.
        items = _feed_items(comments.body, config, feeds.get(url), blog or _origin(config))
        feeds[url] = _feed_state(feeds.get(url), comments, items)
        yield Chunk(url, items, _copy({"feeds": feeds, "comment_feeds": known, "blog": blog}))
    if answer is None:
        yield Chunk(config.url, [], _copy({"feeds": feeds, "comment_feeds": known, "blog": blog}))


def _origin(config: SourceConfig) -> str:
    parts = urlsplit(config.url)
    return f"{parts.scheme}://{parts.netloc}/"


def _feed_items(
    body: bytes, config: SourceConfig, feed: Mapping[str, Any] | None, base_url: str | None
) -> list[Item]:
    after = (feed or {}).get("after")
    options = ReadOptions(identities=config.identities, base_url=base_url, after=after)
    return list(SOURCES["blog"].read(body, options))


def _feed_state(
    previous: Mapping[str, Any] | None, answer: Response, items: list[Item]
) -> dict[str, Any]:
    positions = [item.position for item in items if item.position]
    after = max(positions, default=(previous or {}).get("after"))
    return {**answer.validators, **({"after": after} if after else {})}


# --- wiki ----------------------------------------------------------------------------------


def _wiki(config: SourceConfig, state: dict[str, Any], http: Http) -> Iterator[Chunk]:
    site = http.get(_api_url(config.url, action="query", meta="siteinfo", siprop="general",
                             format="json"))  # fmt: skip
    general = _siteinfo(site.body if site else b"")
    rcstart, after = state.get("rcstart"), state.get("after")
    carry: dict[str, str] = {}
    for _ in range(MAX_PAGES):
        params = {
            "action": "query", "format": "json", "list": "recentchanges",
            "rcprop": RECENT_CHANGES_PROPS, "rctype": "edit|new", "rcdir": "newer",
            "rclimit": str(WIKI_PAGE_SIZE), **({"rcstart": rcstart} if rcstart else {}),
            **carry,
        }  # fmt: skip
        answer = http.get(_api_url(config.url, **params))
        if answer is None:
            return
        document = _json(answer.body, "the recent-changes answer")
        query = document.get("query") if isinstance(document, dict) else None
        if not isinstance(query, dict):
            raise SourceError("query", "the answer holds no query (is this api.php?)")
        query["general"] = general
        options = ReadOptions(identities=config.identities, after=str(after) if after else None)
        items = list(SOURCES["wiki"].read(orjson.dumps(document), options))
        changes = [c for c in query.get("recentchanges") or [] if isinstance(c, dict)]
        stamps = [str(c["timestamp"]) for c in changes if c.get("timestamp")]
        revisions = [int(i.position) for i in items if i.position.isdigit()]
        rcstart = max(stamps, default=rcstart)
        after = max(revisions, default=after)
        yield Chunk(answer_label(config.url, carry), items, {"rcstart": rcstart, "after": after})
        follow = document.get("continue")
        if not isinstance(follow, dict) or not follow:
            return
        carry = {str(k): str(v) for k, v in follow.items()}


def answer_label(url: str, carry: Mapping[str, str]) -> str:
    return f"{url} ({', '.join(f'{k}={v}' for k, v in carry.items())})" if carry else url


def _api_url(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _siteinfo(body: bytes) -> dict[str, Any]:
    document = _json(body, "the site information") if body else {}
    query = document.get("query") if isinstance(document, dict) else None
    general = query.get("general") if isinstance(query, dict) else None
    if not isinstance(general, dict) or not general.get("base"):
        raise SourceError("query.general", "the wiki does not describe itself (meta=siteinfo)")
    return general


def _json(body: bytes, what: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SourceError("document", f"{what} is not JSON: {error}") from None


# --- another LRS ---------------------------------------------------------------------------

LRS_FILTERS = ("verb", "activity", "agent", "registration", "related_activities",
               "related_agents")  # fmt: skip


def _lrs(config: SourceConfig, state: dict[str, Any], http: Http) -> Iterator[Chunk]:
    base = config.url.rstrip("/") + "/"
    headers = {"X-Experience-API-Version": config.option("xapi_version") or "1.0.3"}
    # `since` is exclusive, and another statement may be stored within the same instant
    # after this run read it: ask from OVERLAP before the newest `stored` seen, and skip
    # the ids already stored in that window.
    latest: str | None = state.get("since")
    recent: dict[str, str] = dict(state.get("recent") or {})
    params = {"ascending": "true", "limit": str(LRS_PAGE_SIZE)}
    params.update({k: str(config.option(k)) for k in LRS_FILTERS if config.option(k)})
    if latest:
        params["since"] = _format(_moment(latest) - OVERLAP)
    url = urljoin(base, "statements") + "?" + urlencode(params)
    for _ in range(MAX_PAGES):
        answer = http.get(url, headers=headers)
        if answer is None:
            return
        page = read_statement_result(answer.body)
        items = []
        for item in page.items:
            statement_id = str((item.statement or {}).get("id", "")).lower()
            if statement_id and statement_id in recent:
                continue  # stored by an earlier run: the overlap window
            items.append(item)
            if not (item.position and statement_id and _is_moment(item.position)):
                continue
            recent[statement_id] = item.position
            if latest is None or _moment(item.position) > _moment(latest):
                latest = item.position
        if latest is not None:
            window = _moment(latest) - OVERLAP
            recent = {k: v for k, v in recent.items() if _moment(v) >= window}
        yield Chunk(url, items, {"since": latest, "recent": recent})
        if not page.more:
            return
        url = urljoin(base, page.more)


OVERLAP = dt.timedelta(seconds=1)


def _is_moment(text: str) -> bool:
    try:
        _moment(text)
    except ValueError:
        return False
    return True


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _format(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# --- courses -------------------------------------------------------------------------------


def _courses(config: SourceConfig, state: dict[str, Any], http: Http) -> Iterator[Chunk]:
    answer = http.get(config.url, validators=state.get("validators"))
    if answer is None:
        return
    options = ReadOptions(
        identities=config.identities,
        base_url=config.option("base_url"),
        encoding=config.option("encoding"),
    )
    items = list(SOURCES["courses"].read(answer.body, options))
    yield Chunk(config.url, items, {"validators": answer.validators})
