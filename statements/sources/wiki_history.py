"""Wiki change histories into created/edited statements.

Reads a MediaWiki XML export (``Special:Export``, ``dumpBackup.php``; any export schema
version) with defusedxml, or the JSON of the recent-changes API
(``api.php?action=query&list=recentchanges&rcprop=title|ids|sizes|flags|user|timestamp|comment``,
optionally with ``meta=siteinfo`` so that the file names its wiki). The first revision of a
page is ``created``, later ones ``edited``; the page is the object, the wiki the grouping,
and the revision id, size in bytes, size delta, minor flag and edit comment are result
extensions. Revision ids grow monotonically in MediaWiki, so they are the position.

Exports come from URLs, so the XML is untrusted: ``defusedxml`` refuses entity
declarations (billion laughs) and external references (XXE, ``file://``), and an input
larger than ``MAX_EXPORT_BYTES`` is refused before parsing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from dateutil.parser import isoparse
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from statements.vocabulary import ActivityTypes, Verbs

from ._common import (
    EXTENSION,
    Item,
    ReadOptions,
    Source,
    SourceError,
    derived_id,
    language_map,
    timestamp,
)

REVISION_ID = EXTENSION + "revision-id"
PAGE_SIZE = EXTENSION + "size-bytes"
SIZE_DELTA = EXTENSION + "size-delta"
# Exports are parsed as a stream, but every revision is kept until the end (sorted by id).
MAX_EXPORT_BYTES = 512 * 1024 * 1024
EDIT_COMMENT = EXTENSION + "edit-comment"
MINOR_EDIT = EXTENSION + "minor-edit"


@dataclass(frozen=True)
class Revision:
    """One page revision, as either input format describes it."""

    where: str
    revision_id: int
    parent_id: int | None
    title: str
    user: str
    when: dt.datetime
    size: int | None
    previous_size: int | None
    comment: str
    minor: bool
    created: bool


@dataclass(frozen=True)
class Wiki:
    name: str
    home: str
    article_path: str
    language: str

    def page_url(self, title: str) -> str:
        return self.article_path.replace("$1", quote(title.replace(" ", "_"), safe="/:_-.(),~"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return None


def _wiki_from_base(name: str, base: str, language: str) -> Wiki:
    # siteinfo/base is the URL of the main page, e.g. https://wiki.example.org/wiki/Main_Page
    parts = urlsplit(base)
    home = f"{parts.scheme}://{parts.netloc}/"
    path = parts.path.rsplit("/", 1)[0] + "/$1" if "/" in parts.path else "/wiki/$1"
    return Wiki(name or parts.netloc, home, f"{parts.scheme}://{parts.netloc}{path}", language)


def _read_export(data: bytes, options: ReadOptions) -> tuple[Wiki, list[Revision]]:
    if len(data) > MAX_EXPORT_BYTES:
        raise SourceError("document", f"the wiki export is larger than {MAX_EXPORT_BYTES} bytes")
    wiki: Wiki | None = None
    revisions: list[Revision] = []
    sizes: dict[int, int] = {}
    page_title = ""
    page_number = 0
    first_of_page = True
    language = "en"
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "mediawiki":
                    language = element.get("{http://www.w3.org/XML/1998/namespace}lang", "en")
                elif tag == "page":
                    page_number += 1
                    page_title = ""
                    first_of_page = True
                continue
            if tag == "siteinfo":
                wiki = _wiki_from_base(
                    _child_text(element, "sitename") or "",
                    options.base_url or _child_text(element, "base") or "",
                    language,
                )
                element.clear()
            elif tag == "title" and page_title == "":
                page_title = element.text or ""
            elif tag == "revision":
                revisions.append(_revision(element, page_title, page_number, sizes, first_of_page))
                first_of_page = False
                element.clear()
            elif tag == "page":
                element.clear()
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        raise SourceError(
            f"line {line}, column {column}", f"the wiki export is not well-formed XML: {reason}"
        ) from None
    except LookupError as error:
        raise SourceError("line 1", f"the wiki export declares an {error}") from None
    except DefusedXmlException as error:
        raise SourceError("document", f"the wiki export uses forbidden XML ({error})") from None
    if wiki is None:
        if not options.base_url:
            raise SourceError(
                "<siteinfo>", "the export has no <siteinfo>; give the wiki's base URL"
            )
        wiki = _wiki_from_base("", options.base_url.rstrip("/") + "/wiki/Main_Page", language)
    return wiki, revisions


def _revision(
    element: Element, title: str, page: int, sizes: dict[int, int], first_of_page: bool
) -> Revision:
    revision_text = _child_text(element, "id")
    where = f"<page> {page} ({title}), <revision> {revision_text or '?'}"
    if not revision_text or not revision_text.strip().isdigit():
        raise SourceError(where, "the revision has no numeric <id>")
    revision_id = int(revision_text)
    parent_text = _child_text(element, "parentid")
    parent_id = int(parent_text) if parent_text and parent_text.strip().isdigit() else None
    user = ""
    size: int | None = None
    for child in element:
        name = _local(child.tag)
        if name == "contributor":
            user = (_child_text(child, "username") or _child_text(child, "ip") or "").strip()
        elif name == "text" and child.get("bytes", "").isdigit():
            size = int(child.get("bytes", "0"))
    stamp = _child_text(element, "timestamp")
    try:
        when = isoparse(stamp or "")
    except ValueError:
        raise SourceError(where, f"the <timestamp> {stamp!r} is not ISO 8601") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if size is not None:
        sizes[revision_id] = size
    return Revision(
        where=where,
        revision_id=revision_id,
        parent_id=parent_id,
        title=title,
        user=user,
        when=when,
        size=size,
        previous_size=sizes.get(parent_id) if parent_id else None,
        comment=(_child_text(element, "comment") or "").strip(),
        minor=_child_text(element, "minor") is not None,
        # Exports before schema 0.5 carry no <parentid>: the page's first revision created it.
        created=not parent_id and first_of_page,
    )


def _read_recent_changes(data: bytes, options: ReadOptions) -> tuple[Wiki, list[Revision]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(
            "document", f"the recent-changes JSON is not UTF-8 ({error.reason})"
        ) from None
    except json.JSONDecodeError as error:
        raise SourceError(
            f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}"
        ) from None
    query = document.get("query") if isinstance(document, dict) else None
    changes = query.get("recentchanges") if isinstance(query, dict) else None
    if not isinstance(changes, list):
        raise SourceError("query.recentchanges", "the JSON holds no recent-changes list")
    general = query.get("general") if isinstance(query, dict) else None
    if options.base_url:
        wiki = _wiki_from_base("", options.base_url.rstrip("/") + "/wiki/Main_Page", "en")
    elif isinstance(general, dict) and general.get("base"):
        wiki = _wiki_from_base(
            str(general.get("sitename") or ""),
            str(general["base"]),
            str(general.get("lang") or "en"),
        )
    else:
        raise SourceError(
            "query.general",
            "the recent-changes JSON does not name its wiki; give the wiki's base URL "
            "(or fetch it with meta=siteinfo)",
        )
    revisions: list[Revision] = []
    for index, change in enumerate(changes):
        where = f"query.recentchanges[{index}]"
        if not isinstance(change, dict) or change.get("type") not in ("new", "edit"):
            continue  # log entries, category changes and external changes are no page edits
        try:
            revision_id = int(change["revid"])
            when = isoparse(str(change["timestamp"]))
            title = str(change["title"])
        except (KeyError, TypeError, ValueError) as error:
            raise SourceError(
                where, f"a change needs revid, title and timestamp ({error})"
            ) from None
        new_size, old_size = change.get("newlen"), change.get("oldlen")
        revisions.append(
            Revision(
                where=f"{where} (revid {revision_id})",
                revision_id=revision_id,
                parent_id=int(change.get("old_revid") or 0) or None,
                title=title,
                user=str(change.get("user") or ""),
                when=when if when.tzinfo else when.replace(tzinfo=dt.UTC),
                size=int(new_size) if isinstance(new_size, int) else None,
                previous_size=int(old_size)
                if change.get("type") == "edit" and isinstance(old_size, int)
                else None,
                comment=str(change.get("comment") or "").strip(),
                minor="minor" in change,
                created=change.get("type") == "new",
            )
        )
    return wiki, revisions


def read_wiki(data: bytes, options: ReadOptions) -> Iterator[Item]:
    """Items of a MediaWiki XML export or recent-changes JSON, by revision id."""
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        wiki, revisions = _read_recent_changes(data, options)
    else:
        wiki, revisions = _read_export(data, options)
    after = int(options.after) if options.after and options.after.isdigit() else None
    wiki_activity = {
        "objectType": "Activity",
        "id": wiki.home,
        "definition": {"type": ActivityTypes.WIKI, "name": language_map(wiki.name, wiki.language)},
    }
    for revision in sorted(revisions, key=lambda r: r.revision_id):
        if after is not None and revision.revision_id <= after:
            continue
        position = str(revision.revision_id)
        if not revision.user:
            yield Item(revision.where, position, problem="the revision names no user (suppressed?)")
            continue
        yield Item(revision.where, position, _statement(revision, wiki, wiki_activity, options))


def _statement(
    revision: Revision, wiki: Wiki, wiki_activity: dict[str, Any], options: ReadOptions
) -> dict[str, Any]:
    extensions: dict[str, Any] = {REVISION_ID: revision.revision_id}
    if revision.size is not None:
        extensions[PAGE_SIZE] = revision.size
        if revision.created:
            extensions[SIZE_DELTA] = revision.size
        elif revision.previous_size is not None:
            extensions[SIZE_DELTA] = revision.size - revision.previous_size
    if revision.comment:
        extensions[EDIT_COMMENT] = revision.comment
    if revision.minor:
        extensions[MINOR_EDIT] = True
    verb = (
        {"id": Verbs.CREATED, "display": {"en-US": "created"}}
        if revision.created
        else {"id": Verbs.EDITED, "display": {"en-US": "edited"}}
    )
    identities = options.identities
    context: dict[str, Any] = {
        "platform": "MediaWiki",
        "language": wiki.language,
        "contextActivities": {"grouping": [wiki_activity]},
    }
    team = identities.team(wiki.home, revision.user)
    if team is not None:
        context["team"] = team
    return {
        "id": derived_id("wiki", wiki.home, str(revision.revision_id)),
        "actor": identities.agent(wiki.home, revision.user),
        "verb": verb,
        "object": {
            "objectType": "Activity",
            "id": wiki.page_url(revision.title),
            "definition": {
                "type": ActivityTypes.PAGE,
                "name": language_map(revision.title, wiki.language),
            },
        },
        "result": {"extensions": extensions},
        "context": context,
        "timestamp": timestamp(revision.when),
    }


WIKI = Source(
    name="wiki",
    description="A MediaWiki XML export or the JSON of the recent-changes API",
    read=read_wiki,
)
