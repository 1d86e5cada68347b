"""Blog feeds (Atom 1.0, RSS 2.0, WordPress comment feeds) into authored/commented statements.

Each post becomes ``authored`` (ActivityStreams ``author``) on an ``article`` with the blog
in ``contextActivities.grouping`` and its tags/categories as ``tag`` activities in
``contextActivities.other``. Each comment (an entry of a WordPress comment feed, or any entry
whose link carries a ``#comment-`` fragment) becomes ``commented`` on a ``comment`` activity
with the post as ``contextActivities.parent``. Feeds list the newest first; items are
yielded oldest first and the position is ``timestamp|statement id``.

Feeds come from URLs, so the XML is untrusted. feedparser already turns off external
entities and strips every entity declaration but plain-text ones before it parses; on
top of that a feed that declares entities at all (XXE, ``file://`` references, billion
laughs) is refused before feedparser sees it — checked by ``defusedxml`` on the same
expat parser — and so is a feed larger than ``MAX_FEED_BYTES`` (feedparser needs about
a second per megabyte; real feeds are well below one).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import time
import xml.sax
import xml.sax.handler
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import defusedxml.sax
import feedparser
from defusedxml import DefusedXmlException

from statements.vocabulary import ActivityTypes, Verbs

from ._common import Item, ReadOptions, Source, SourceError, derived_id, language_map, timestamp

_TAGS = re.compile(r"<[^>]+>")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_SITE_COMMENT_TITLE = re.compile(r"^Comment on (?P<post>.+) by (?P<author>.+)$")
MAX_FEED_BYTES = 8 * 1024 * 1024


def _text(value: str | None, limit: int = 280) -> str:
    text = html.unescape(_TAGS.sub(" ", value or ""))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _language(value: Any) -> str:
    if isinstance(value, str) and _LANGUAGE.fullmatch(value.strip()):
        return value.strip()
    return "en"


def _when(entry: Any) -> dt.datetime | None:
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _refuse_unsafe(data: bytes) -> None:
    if len(data) > MAX_FEED_BYTES:
        raise SourceError("document", f"the feed is larger than {MAX_FEED_BYTES} bytes")
    try:
        # Entity declarations of any kind (internal, external, parameter) are refused;
        # a DOCTYPE naming an external DTD (RSS 0.91) is allowed, as it is never loaded.
        defusedxml.sax.parseString(
            data, xml.sax.handler.ContentHandler(), forbid_entities=True, forbid_external=False
        )
    except DefusedXmlException as error:
        raise SourceError("document", f"the feed uses forbidden XML ({error})") from None
    except (xml.sax.SAXException, LookupError, UnicodeError, ValueError):
        pass  # whether the feed is well-formed is feedparser's to say, below


def _parse(data: bytes) -> Any:
    _refuse_unsafe(data)
    parsed = feedparser.parse(data)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):
        where = f"line {problem.getLineNumber()}, column {problem.getColumnNumber()}"
        raise SourceError(where, f"the feed is not well-formed XML: {problem.getMessage()}")
    if isinstance(
        problem, (feedparser.CharacterEncodingUnknown, feedparser.CharacterEncodingOverride)
    ):
        # The declared encoding is unknown or does not decode the bytes: a guess could
        # silently garble every name, so the feed is refused.
        raise SourceError("line 1", f"the feed's character encoding is wrong: {problem}")
    if not parsed.get("version"):
        raise SourceError("line 1", "this is not an Atom or RSS feed")
    return parsed


@dataclass(frozen=True)
class FeedLinks:
    """Where a feed's blog lives and the comment feeds (``wfw:commentRss``) its entries
    name, newest entry first."""

    blog: str
    comment_feeds: list[str]


def feed_links(data: bytes) -> FeedLinks:
    """The blog link and comment-feed URLs of a feed."""
    parsed = _parse(data)
    found: list[str] = []
    for entry in parsed.entries:
        url = str(entry.get("wfw_commentrss") or "").strip()
        if url.startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return FeedLinks(str(parsed.feed.get("link") or ""), found)


def read_feed(data: bytes, options: ReadOptions) -> Any:
    """Items of an Atom or RSS feed, oldest first."""
    parsed = _parse(data)
    feed = parsed.feed
    title = str(feed.get("title") or "")
    comment_feed = title.startswith(("Comments on:", "Comments for"))
    link = str(feed.get("link") or options.base_url or "")
    if not link:
        raise SourceError("feed", "the feed names no link to its blog; give its base URL")
    language = _language(feed.get("language") or feed.get("title_detail", {}).get("language"))
    if comment_feed and title.startswith("Comments on:"):
        blog_url = options.base_url or _origin(link)
        blog_name = None
    else:
        blog_url = link if options.base_url is None else options.base_url
        blog_name = None if comment_feed else title
    blog_url = blog_url.rstrip("/") + "/"
    blog: dict[str, Any] = {
        "objectType": "Activity",
        "id": blog_url,
        "definition": {"type": ActivityTypes.BLOG},
    }
    if blog_name:
        blog["definition"]["name"] = language_map(blog_name, language)
    items: list[tuple[str, Item]] = []
    for number, entry in enumerate(parsed.entries, start=1):
        entry_link = str(entry.get("link") or "")
        where = f"entry {number} ({entry.get('id') or entry_link or 'no id'})"
        is_comment = comment_feed or "#comment-" in entry_link
        when = _when(entry)
        problem = None
        if when is None:
            problem = "has no published or updated date"
        elif not (entry_link or entry.get("id")):
            problem = "has neither a link nor an id"
        if problem is not None:
            items.append(("", Item(where, "", problem=problem)))
            continue
        assert when is not None
        if is_comment:
            statement = _comment(entry, when, blog, title, language, options)
        else:
            statement = _post(entry, when, blog, blog_url, language, options)
        position = f"{statement['timestamp']}|{statement['id']}"
        items.append((position, Item(where, position, statement)))
    items.sort(key=lambda pair: pair[0])
    for position, item in items:
        if options.after is not None and position and position <= options.after:
            continue
        yield item


def _actor(
    entry: Any, base: str, options: ReadOptions
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author") or None
    email = detail.get("email") or None
    user = name or email or "anonymous"
    identities = options.identities
    return (
        identities.agent(base, user, name=name, email=email),
        identities.team(base, user, name=name, email=email),
    )


def _context(blog: dict[str, Any], team: dict[str, Any] | None, language: str) -> dict[str, Any]:
    context: dict[str, Any] = {"contextActivities": {"grouping": [blog]}, "language": language}
    if team is not None:
        context["team"] = team
    return context


def _post(
    entry: Any, when: dt.datetime, blog: dict[str, Any], blog_url: str, language: str,
    options: ReadOptions,
) -> dict[str, Any]:  # fmt: skip
    post_id = str(entry.get("link") or entry.get("id"))
    actor, team = _actor(entry, blog_url, options)
    definition: dict[str, Any] = {
        "type": ActivityTypes.ARTICLE,
        "name": language_map(_text(entry.get("title"), 200) or post_id, language),
    }
    summary = _text(entry.get("summary"))
    if summary:
        definition["description"] = language_map(summary, language)
    context = _context(blog, team, language)
    tags: list[dict[str, Any]] = []
    for tag in entry.get("tags") or []:
        term = str(tag.get("term") or "").strip()
        if not term:
            continue
        slug = quote(term.lower().replace(" ", "-"), safe="-_.~")
        tag_activity = {
            "objectType": "Activity",
            "id": f"{blog_url}tag/{slug}",
            "definition": {"type": ActivityTypes.TAG, "name": language_map(term, language)},
        }
        if tag_activity["id"] not in {t["id"] for t in tags}:
            tags.append(tag_activity)
    if tags:
        context["contextActivities"]["other"] = tags
    return {
        "id": derived_id("blog", "authored", str(entry.get("id") or post_id)),
        "actor": actor,
        "verb": {"id": Verbs.AUTHORED, "display": {"en-US": "authored"}},
        "object": {"objectType": "Activity", "id": post_id, "definition": definition},
        "context": context,
        "timestamp": timestamp(when),
    }


def _comment(
    entry: Any, when: dt.datetime, blog: dict[str, Any], feed_title: str, language: str,
    options: ReadOptions,
) -> dict[str, Any]:  # fmt: skip
    link = str(entry.get("link") or entry.get("id"))
    post_url = link.split("#", 1)[0]
    post_title = None
    if feed_title.startswith("Comments on:"):
        post_title = feed_title.removeprefix("Comments on:").strip()
    else:
        match = _SITE_COMMENT_TITLE.match(str(entry.get("title") or ""))
        if match:
            post_title = match.group("post")
    actor, team = _actor(entry, str(blog["id"]), options)
    post: dict[str, Any] = {
        "objectType": "Activity",
        "id": post_url,
        "definition": {"type": ActivityTypes.ARTICLE},
    }
    if post_title:
        post["definition"]["name"] = language_map(post_title, language)
    definition: dict[str, Any] = {
        "type": ActivityTypes.COMMENT,
        "name": language_map(f"Comment on {post_title or post_url}", language),
    }
    text = _text(entry.get("summary"))
    if text:
        definition["description"] = language_map(text, language)
    context = _context(blog, team, language)
    context["contextActivities"]["parent"] = [post]
    return {
        "id": derived_id("blog", "commented", str(entry.get("id") or link)),
        "actor": actor,
        "verb": {"id": Verbs.COMMENTED, "display": {"en-US": "commented"}},
        "object": {"objectType": "Activity", "id": link, "definition": definition},
        "context": context,
        "timestamp": timestamp(when),
    }


BLOG = Source(
    name="blog",
    description="An Atom or RSS 2.0 feed of a blog, or a WordPress comment feed",
    read=read_feed,
)
