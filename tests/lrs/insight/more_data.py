"""A second small organisation with known numbers, ingested through the real service.

Five people (fay, gus: Gamma; hal: Delta; ivy and an unnamed kim: no team), three
courses and three pieces of content, stored in two batches so that an activity met under
two names is named by the rollup merge as well as within a batch. It pins what the
organisation of ``data.py`` leaves open: completions followed by contributions with the
same tag (before, at the same instant, later, by someone else, with another tag),
activities stored under two names or none, content read only by its author, and a
person without a name.
"""

from __future__ import annotations

import uuid
from typing import Any

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from statements.vocabulary import ActivityTypes, Verbs
from tests.lrs.insight.data import context

LMS = "http://lms.example.com/courses/"
ETHICS = LMS + "ethics"
PRIVACY = LMS + "privacy"
DRILL = LMS + "fire-drill"  # never named
WIKI = "http://wiki.example.com/pages/"
GUIDE = WIKI + "style-guide"
FAQ = WIKI + "faq"
NOTE = "http://blog.example.com/posts/untitled"  # never named
FAQ_COMMENT = "http://wiki.example.com/comments/1"
GUIDE_COMMENT = "http://wiki.example.com/comments/2"
TEAMS = {"fay": "Gamma", "gus": "Gamma", "hal": "Delta"}
NAMELESS = frozenset({"kim"})


def statement(
    who: str,
    verb: str,
    object_id: str,
    object_type: str,
    name: str | None,
    timestamp: str,
    *,
    platform: str,
    parent: str | None = None,
    tags: tuple[str, ...] = (),
    result: dict[str, Any] | None = None,
    teamless: bool = False,
) -> dict[str, Any]:
    """A statement at an exact ``timestamp``; ``name=None`` leaves the object unnamed."""
    actor: dict[str, Any] = {"objectType": "Agent", "mbox": f"mailto:{who}@example.com"}
    if who not in NAMELESS:
        actor["name"] = who.title()
    definition: dict[str, Any] = {"type": object_type}
    if name is not None:
        definition["name"] = {"en": name}
    built: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": object_id, "definition": definition},
        "timestamp": timestamp,
        "context": context(platform, None if teamless else TEAMS.get(who), parent, tags),
    }
    if result:
        built["result"] = result
    return built


def first_batch() -> list[dict[str, Any]]:
    course, page, post = ActivityTypes.COURSE, ActivityTypes.PAGE, ActivityTypes.ARTICLE
    comment = ActivityTypes.COMMENT
    lms = {"platform": "LMS"}
    wiki = {"platform": "wiki"}
    ethics = "Ethics in practice"
    return [
        # formal
        statement("fay", Verbs.REGISTERED, ETHICS, course, ethics, "2026-05-01T09:00:00Z", **lms),
        statement("fay", Verbs.LAUNCHED, ETHICS, course, ethics, "2026-05-01T09:10:00Z", **lms),
        statement("fay", Verbs.TERMINATED, ETHICS, course, ethics, "2026-05-01T10:10:00Z", **lms,
                  result={"duration": "PT1H"}),
        statement("fay", Verbs.COMPLETED, ETHICS, course, ethics, "2026-05-04T10:00:00Z", **lms,
                  tags=("ethics",)),
        statement("fay", Verbs.COMPLETED, PRIVACY, course, "Privacy", "2026-05-05T08:00:00.250Z",
                  **lms, tags=("privacy",)),
        statement("gus", Verbs.LAUNCHED, ETHICS, course, ethics, "2026-05-02T08:00:00Z", **lms),
        statement("gus", Verbs.COMPLETED, ETHICS, course, ethics, "2026-05-04T12:00:00Z", **lms,
                  tags=("ethics",)),
        statement("hal", Verbs.COMPLETED, ETHICS, course, ethics, "2026-05-02T00:00:00Z", **lms,
                  tags=("ethics",)),
        statement("hal", Verbs.PASSED, ETHICS, course, ethics, "2026-05-08T00:00:00Z", **lms,
                  tags=("ethics",), result={"success": True, "score": {"scaled": 0.8}}),
        statement("hal", Verbs.LAUNCHED, DRILL, course, None, "2026-05-01T07:00:00Z", **lms),
        statement("hal", Verbs.TERMINATED, DRILL, course, None, "2026-05-01T07:30:00Z", **lms,
                  result={"duration": "PT30M"}),
        statement("ivy", Verbs.REGISTERED, DRILL, course, None, "2026-05-03T09:00:00Z", **lms),
        statement("kim", Verbs.LAUNCHED, PRIVACY, course, None, "2026-05-06T09:00:00Z", **lms),
        # informal
        statement("fay", Verbs.AUTHORED, GUIDE, page, "Style guide v2", "2026-05-03T09:00:00Z",
                  **wiki, tags=("ethics",)),  # before fay's ethics completion
        statement("fay", Verbs.EDITED, GUIDE, page, "Style guide v2",
                  "2026-05-06T23:00:00+01:00", **wiki, tags=("ethics",)),  # 22:00 UTC
        statement("fay", Verbs.COMMENTED, FAQ_COMMENT, comment, "Re: FAQ",
                  "2026-05-07T08:00:00Z", **wiki, parent=FAQ, tags=("ethics",)),
        statement("fay", Verbs.AUTHORED, NOTE, post, None, "2026-05-05T08:00:00.250Z",
                  platform="blog", tags=("privacy",)),  # the instant of the completion
        statement("gus", Verbs.EDITED, GUIDE, page, "Style guide v2", "2026-05-07T10:00:00Z",
                  **wiki, tags=("privacy",)),
        statement("hal", Verbs.COMMENTED, GUIDE_COMMENT, comment, "Re: Style guide",
                  "2026-05-03T06:00:00Z", **wiki, parent=GUIDE, tags=("ethics",)),
        statement("gus", Verbs.LIKED, GUIDE, page, "Style guide v2", "2026-05-06T00:00:00Z",
                  **wiki, tags=("ethics",)),  # a reaction, not a contribution
        statement("ivy", Verbs.AUTHORED, FAQ, page, "FAQ", "2026-05-02T10:00:00Z", **wiki),
        statement("ivy", Verbs.VIEWED, FAQ, page, "Frequently asked questions",
                  "2026-05-02T11:00:00Z", **wiki),
    ]  # fmt: skip


def second_batch() -> list[dict[str, Any]]:
    course, page, post = ActivityTypes.COURSE, ActivityTypes.PAGE, ActivityTypes.ARTICLE
    wiki = {"platform": "wiki"}
    return [
        statement("gus", Verbs.REGISTERED, ETHICS, course, "Ethics", "2026-05-02T07:00:00Z",
                  platform="LMS"),
        statement("gus", Verbs.VIEWED, GUIDE, page, "Style guide", "2026-05-07T09:00:00Z", **wiki),
        statement("hal", Verbs.VIEWED, GUIDE, page, "Style guide", "2026-05-07T09:30:00Z", **wiki),
        statement("gus", Verbs.VIEWED, GUIDE, page, "Style guide", "2026-05-08T09:00:00Z", **wiki,
                  teamless=True),
        statement("fay", Verbs.VIEWED, GUIDE, page, None, "2026-05-08T10:00:00Z", **wiki),
        statement("kim", Verbs.VIEWED, NOTE, post, None, "2026-05-09T10:00:00Z",
                  platform="blog"),
    ]  # fmt: skip


def seed(database: Database) -> None:
    """Store the two batches, one transaction each."""
    principal = credentials.create(
        database, name="seed", scopes=["all"], home_page="http://lrs.test"
    ).principal
    for batch in (first_batch(), second_batch()):
        store_statements(database, batch, version="1.0.3", principal=principal)
