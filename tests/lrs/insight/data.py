"""A small organisation with known numbers, ingested through the real service.

Five people in two teams (ann, ben: Alpha; cat, dan: Beta; eve: no team), two courses
and a blog post, a wiki page and a forum question. 21 statements are stored, one of them
is voided: the dashboards count 20 (10 formal, 10 informal).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from statements.vocabulary import ActivityTypes, Verbs

LMS = "http://lms.example.com/courses/"
SAFETY = LMS + "safety"
PYTHON = LMS + "python"
POST = "http://blog.example.com/posts/safety-tips"
COMMENT = "http://blog.example.com/comments/1"
WIKI_PAGE = "http://wiki.example.com/pages/python-setup"
QUESTION = "http://forum.example.com/questions/1"
REPLY = "http://forum.example.com/replies/1"
TEAMS = {"ann": "Alpha", "ben": "Alpha", "cat": "Beta", "dan": "Beta"}
TAG = "http://id.tincanapi.com/activitytype/tag"
FORUM_REPLY = "http://id.tincanapi.com/activitytype/forum-reply"
QUESTION_TYPE = "http://activitystrea.ms/schema/1.0/question"
TODAY = dt.date(2026, 4, 1)


def actor_key(handle: str) -> str:
    from statements.ifi import agent_key

    key = agent_key({"mbox": f"mailto:{handle}@example.com"})
    assert key is not None
    return key


def context(
    platform: str, team: str | None, parent: str | None, tags: tuple[str, ...]
) -> dict[str, Any]:
    """A statement's context: platform, team group, parent activity and tag categories."""
    built: dict[str, Any] = {"platform": platform}
    if team:
        built["team"] = {
            "objectType": "Group",
            "name": team,
            "account": {"homePage": "http://example.com", "name": team.lower()},
        }
    activities: dict[str, Any] = {}
    if parent:
        activities["parent"] = [{"id": parent}]
    if tags:
        activities["category"] = [
            {"id": f"http://example.com/tags/{tag}",
             "definition": {"type": TAG, "name": {"en": tag}}}
            for tag in tags
        ]  # fmt: skip
    if activities:
        built["contextActivities"] = activities
    return built


def statement(
    who: str,
    verb: str,
    object_id: str,
    object_type: str,
    name: str,
    when: str,
    *,
    platform: str,
    parent: str | None = None,
    tags: tuple[str, ...] = (),
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    built: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": who.title(), "mbox": f"mailto:{who}@example.com"},
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": {
            "objectType": "Activity",
            "id": object_id,
            "definition": {"type": object_type, "name": {"en": name}},
        },
        "timestamp": f"2026-03-{when}:00Z",
        "context": context(platform, TEAMS.get(who), parent, tags),
    }
    if result:
        built["result"] = result
    return built


def organisation() -> list[dict[str, Any]]:
    course, post, page = ActivityTypes.COURSE, ActivityTypes.ARTICLE, ActivityTypes.PAGE
    lms = {"platform": "LMS"}
    return [
        # 1-10 formal
        statement("ann", Verbs.REGISTERED, SAFETY, course, "Safety basics", "02T09:00", **lms),
        statement("ann", Verbs.LAUNCHED, SAFETY, course, "Safety basics", "02T09:05", **lms),
        statement("ann", Verbs.TERMINATED, SAFETY, course, "Safety basics", "02T09:35", **lms,
                  result={"duration": "PT30M"}),
        statement("ann", Verbs.COMPLETED, SAFETY, course, "Safety basics", "03T10:00", **lms,
                  tags=("safety",), result={"completion": True}),
        statement("ann", Verbs.PASSED, SAFETY, course, "Safety basics", "03T10:01", **lms,
                  result={"success": True, "score": {"scaled": 0.9}}),
        statement("ben", Verbs.REGISTERED, SAFETY, course, "Safety basics", "02T11:00", **lms),
        statement("ben", Verbs.LAUNCHED, SAFETY, course, "Safety basics", "02T11:05", **lms),
        statement("ben", Verbs.FAILED, SAFETY, course, "Safety basics", "04T14:00", **lms,
                  result={"success": False, "score": {"scaled": 0.4}}),
        statement("cat", Verbs.LAUNCHED, PYTHON, course, "Python 101", "05T08:00", **lms),
        statement("dan", Verbs.REGISTERED, PYTHON, course, "Python 101", "05T09:00", **lms),
        # 11-20 informal
        statement("ann", Verbs.AUTHORED, POST, post, "Safety tips", "06T10:00",
                  platform="blog", tags=("safety",)),
        statement("cat", Verbs.COMMENTED, COMMENT, ActivityTypes.COMMENT, "Re: Safety tips",
                  "06T13:00", platform="blog", parent=POST),
        statement("dan", Verbs.VIEWED, POST, post, "Safety tips", "07T09:00", platform="blog"),
        statement("eve", Verbs.VIEWED, POST, post, "Safety tips", "07T10:00", platform="blog"),
        statement("ben", Verbs.LIKED, POST, post, "Safety tips", "07T11:00", platform="blog"),
        statement("cat", Verbs.CREATED, WIKI_PAGE, page, "Python setup", "08T09:00",
                  platform="wiki", tags=("python",)),
        statement("ann", Verbs.EDITED, WIKI_PAGE, page, "Python setup", "08T15:00",
                  platform="wiki", tags=("python",)),
        statement("dan", Verbs.VIEWED, WIKI_PAGE, page, "Python setup", "09T09:00",
                  platform="wiki"),
        statement("dan", Verbs.ASKED, QUESTION, QUESTION_TYPE, "How to install?", "09T10:00",
                  platform="forum"),
        statement("ann", Verbs.REPLIED, REPLY, FORUM_REPLY, "Use the installer", "09T12:00",
                  platform="forum", parent=QUESTION),
    ]  # fmt: skip


def seed(database: Database) -> dict[str, Any]:
    """Store the organisation plus one statement that is then voided; returns ids."""
    principal = credentials.create(
        database, name="seed", scopes=["all"], home_page="http://lrs.test"
    ).principal
    batch = organisation()
    doomed = statement("eve", Verbs.VIEWED, WIKI_PAGE, ActivityTypes.PAGE, "Python setup",
                       "09T11:00", platform="wiki")  # fmt: skip
    ids = store_statements(database, [*batch, doomed], version="1.0.3", principal=principal)
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": doomed["id"]},
    }
    store_statements(database, [voiding], version="1.0.3", principal=principal)
    return {"ids": ids, "principal": principal}
