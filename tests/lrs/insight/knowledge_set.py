"""A seeded set of informal and formal records whose answers the tests compute on their own.

Twelve people in three teams (and one without) over two four-week periods: posts and
wiki pages with titles and tags, views, likes, edits and comments on them, and course
completions whose names share words (or a tag) with some of the content. Each record is
kept as a plain ``Record`` beside the statement made from it, for the tests to count
from.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from statements.vocabulary import ActivityTypes, Verbs

FIRST_DAY = dt.date(2026, 4, 6)
DAYS = 56  # two periods of 28 days
TEAMS = ("North", "South", "East")
BLOG = "http://blog.example.net/posts/"
WIKI = "http://wiki.example.net/pages/"
LMS = "http://lms.example.net/courses/"
TAG = "http://id.tincanapi.com/activitytype/tag"
COURSES = {
    LMS + "kiln": ("Kiln Safety Essentials", ("ceramics",)),
    LMS + "glaze": ("Glaze Chemistry", ()),
    LMS + "pricing": ("Pricing for Makers", ()),
}
CONTENT = {
    BLOG + "1": ("post", "Notes from the Kiln Safety course", ()),
    BLOG + "2": ("post", "Why glaze chemistry matters", ("studio",)),
    BLOG + "3": ("post", "Studio open day", ("ceramics",)),
    BLOG + "4": ("post", "Quarterly update", ()),
    WIKI + "glazes": ("page", "Glazes/Overview", ()),
    WIKI + "pricing": ("page", "Pricing checklist", ("business",)),
    WIKI + "rota": ("page", "Cleaning rota", ()),
}
VERBS = {
    "authored": Verbs.AUTHORED, "created": Verbs.CREATED, "edited": Verbs.EDITED,
    "viewed": Verbs.VIEWED, "liked": Verbs.LIKED, "commented": Verbs.COMMENTED,
    "completed": Verbs.COMPLETED, "passed": Verbs.PASSED, "failed": Verbs.FAILED,
}  # fmt: skip


@dataclass(frozen=True)
class Record:
    person: str
    team: str | None
    verb: str
    target: str  # a content, a course, or a comment's parent content
    when: dt.datetime
    comment: str | None = None  # a comment's own id
    tags: tuple[str, ...] = field(default=())

    @property
    def day(self) -> dt.date:
        return self.when.date()

    @property
    def formal(self) -> bool:
        return self.target.startswith(LMS)


def people() -> dict[str, str | None]:
    return {f"m{n:02d}": (TEAMS[n % 3] if n < 11 else None) for n in range(12)}


def records(seed: int = 5) -> list[Record]:
    rng = random.Random(seed)
    team_of = people()
    handles = sorted(team_of)
    writers = handles[:5]

    def moment(low: int = 0) -> dt.datetime:
        day = FIRST_DAY + dt.timedelta(days=rng.randint(low, DAYS - 1))
        return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), dt.UTC)

    made: list[Record] = []
    authored: dict[str, dt.datetime] = {}
    for content, (kind, _title, tags) in CONTENT.items():
        author = rng.choice(writers)
        when = moment(0)
        authored[content] = when
        verb = "authored" if kind == "post" else "created"
        made.append(Record(author, team_of[author], verb, content, when, tags=tags))
    for content, (kind, _title, tags) in CONTENT.items():
        start = (authored[content].date() - FIRST_DAY).days
        for _ in range(rng.randint(2, 9)):
            who = rng.choice(handles)
            action = rng.choices(
                ["viewed", "liked", "commented", "edited"],
                weights=[6, 2, 2, 2 if kind == "page" else 0],
            )[0]
            when = moment(start)
            if action == "commented":
                made.append(Record(who, team_of[who], "commented", content, when,
                                   comment=f"{content}#c{len(made)}"))  # fmt: skip
            else:
                made.append(Record(who, team_of[who], action, content, when, tags=tags))
    for who in handles[::2]:
        for course in rng.sample(sorted(COURSES), 2):
            _name, tags = COURSES[course]
            verb = rng.choice(["completed", "passed"])
            made.append(Record(who, team_of[who], verb, course, moment(0), tags=tags))
    # A reader who later comments on the same content, and a reader who comments first.
    made.append(Record("m07", team_of["m07"], "viewed", WIKI + "rota", _at(3, 9)))
    made.append(Record("m07", team_of["m07"], "commented", WIKI + "rota", _at(10, 9),
                       comment=WIKI + "rota#late"))  # fmt: skip
    made.append(Record("m08", team_of["m08"], "commented", WIKI + "rota", _at(2, 9),
                       comment=WIKI + "rota#early"))  # fmt: skip
    made.append(Record("m08", team_of["m08"], "viewed", WIKI + "rota", _at(12, 9)))
    return sorted(made, key=lambda r: r.when)


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(hour), dt.UTC)


def title(target: str) -> str:
    return COURSES[target][0] if target in COURSES else CONTENT[target][1]


def object_type(target: str) -> str:
    if target in COURSES:
        return ActivityTypes.COURSE
    return ActivityTypes.ARTICLE if CONTENT[target][0] == "post" else ActivityTypes.PAGE


def statement(record: Record) -> dict[str, Any]:
    target = {"id": record.target, "definition": {
        "type": object_type(record.target), "name": {"en": title(record.target)}}}  # fmt: skip
    context: dict[str, Any] = {"platform": "LMS" if record.formal else "intranet"}
    activities: dict[str, Any] = {}
    if record.tags:
        activities["category"] = [
            {"id": f"http://example.net/tags/{tag}",
             "definition": {"type": TAG, "name": {"en": tag}}}
            for tag in record.tags
        ]  # fmt: skip
    obj = target
    if record.comment:
        name = {"en": "Re: " + title(record.target)}
        obj = {"id": record.comment,
               "definition": {"type": ActivityTypes.COMMENT, "name": name}}  # fmt: skip
        activities["parent"] = [target]
    if activities:
        context["contextActivities"] = activities
    if record.team:
        context["team"] = {
            "objectType": "Group", "name": record.team,
            "account": {"homePage": "http://example.net", "name": record.team.lower()},
        }  # fmt: skip
    return {
        "id": str(uuid.uuid4()),
        "actor": {"name": record.person.upper(), "mbox": f"mailto:{record.person}@example.net"},
        "verb": {"id": VERBS[record.verb], "display": {"en": record.verb}},
        "object": obj,
        "timestamp": record.when.isoformat().replace("+00:00", "Z"),
        "context": context,
    }


def seed(database: Database, made: list[Record]) -> None:
    principal = credentials.create(
        database, name="knowledge", scopes=["all"], home_page="http://lrs.test"
    ).principal
    store_statements(database, [statement(r) for r in made], version="1.0.3", principal=principal)


def key(person: str) -> str:
    return f"mbox:mailto:{person}@example.net"
