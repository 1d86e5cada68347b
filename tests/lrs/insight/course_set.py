"""A seeded set of course records whose answers the tests compute on their own.

Twenty people in three teams (and three without one) take three courses over six weeks:
they enrol, launch, complete modules (with a duration), pass or fail a scored assessment
(with a duration), and on the cmi5-like course end sessions with ``terminated`` (whose
duration covers the session). Each record is kept as a plain ``Record`` beside the
statement made from it, so that a test can count what a question should answer from the
records alone, with the definitions the README states, and compare with the read side.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from statements.vocabulary import ActivityTypes, Verbs

LMS = "http://lms.example.org/courses/"
COURSES = {LMS + "welding": "Welding safety", LMS + "forklift": "Forklift licence",
           LMS + "first-aid": "First aid (cmi5)"}  # fmt: skip
CMI5 = LMS + "first-aid"
TEAMS = ("Assembly", "Logistics", "Quality")
FIRST_DAY = dt.date(2026, 2, 2)
LAST_DAY = dt.date(2026, 3, 15)
VERBS = {
    "registered": Verbs.REGISTERED, "launched": Verbs.LAUNCHED, "completed": Verbs.COMPLETED,
    "passed": Verbs.PASSED, "failed": Verbs.FAILED, "terminated": Verbs.TERMINATED,
}  # fmt: skip


@dataclass(frozen=True)
class Record:
    """One course statement as the tests see it."""

    person: str
    team: str | None
    course: str
    verb: str
    when: dt.datetime
    module: str | None = None
    seconds: int | None = None
    score: float | None = None

    @property
    def day(self) -> dt.date:
        return self.when.date()


def people() -> dict[str, str | None]:
    """handle -> team (None: no team)."""
    handles = [f"p{n:02d}" for n in range(1, 21)]
    return {h: (TEAMS[n % 3] if n < 17 else None) for n, h in enumerate(handles)}


def records(seed: int = 17) -> list[Record]:
    rng = random.Random(seed)
    made: list[Record] = []
    for person, team in people().items():
        for course in rng.sample(sorted(COURSES), rng.randint(1, 3)):
            when = dt.datetime.combine(
                FIRST_DAY + dt.timedelta(days=rng.randint(0, 30)), dt.time(9), dt.UTC
            )
            steps: list[tuple[str, dt.datetime, dict[str, Any]]] = []
            if rng.random() < 0.8:
                steps.append(("registered", when, {}))
            if rng.random() < 0.15:
                made += [Record(person, team, course, v, w, **more) for v, w, more in steps]
                continue  # enrolled only
            for module in ("intro", "practice"):
                when += dt.timedelta(days=rng.randint(0, 4), minutes=rng.randint(1, 50))
                steps.append(("launched", when, {"module": module}))
                if rng.random() < 0.2:
                    break  # stalled in this module
                minutes = rng.randint(5, 40)
                when += dt.timedelta(minutes=minutes)
                steps.append(("completed", when, {"module": module, "seconds": minutes * 60}))
                if course == CMI5:
                    # The session's duration covers the module's and a little more.
                    when += dt.timedelta(minutes=2)
                    steps.append(
                        ("terminated", when, {"module": module, "seconds": (minutes + 2) * 60})
                    )
            else:
                for _attempt in range(2):
                    when += dt.timedelta(days=rng.randint(0, 3), hours=1)
                    score = rng.randint(30, 100) / 100
                    minutes = rng.randint(10, 30)
                    verb = "passed" if score >= 0.6 else "failed"
                    steps.append(
                        (verb, when, {"module": "exam", "seconds": minutes * 60, "score": score})
                    )
                    if verb == "passed":
                        steps.append(("completed", when + dt.timedelta(minutes=1), {}))
                        break
            made += [Record(person, team, course, v, w, **more) for v, w, more in steps]
    return [r for r in made if r.day <= LAST_DAY]


def statement(record: Record) -> dict[str, Any]:
    course_object = {"id": record.course, "definition": {
        "type": ActivityTypes.COURSE, "name": {"en": COURSES[record.course]}}}  # fmt: skip
    built: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"name": record.person.upper(), "mbox": f"mailto:{record.person}@example.org"},
        "verb": {"id": VERBS[record.verb], "display": {"en": record.verb}},
        "object": course_object,
        "timestamp": record.when.isoformat().replace("+00:00", "Z"),
        "context": {"platform": "LMS"},
    }
    if record.module:
        built["object"] = {"id": f"{record.course}/{record.module}", "definition": {
            "type": ActivityTypes.MODULE, "name": {"en": record.module}}}  # fmt: skip
        built["context"]["contextActivities"] = {"parent": [course_object]}
    if record.team:
        built["context"]["team"] = {
            "objectType": "Group", "name": record.team,
            "account": {"homePage": "http://example.org", "name": record.team.lower()},
        }  # fmt: skip
    result: dict[str, Any] = {}
    if record.seconds is not None:
        result["duration"] = f"PT{record.seconds}S"
    if record.score is not None:
        result["score"] = {"scaled": record.score}
        result["success"] = record.verb == "passed"
    if result:
        built["result"] = result
    return built


def seed(database: Database, made: list[Record]) -> None:
    principal = credentials.create(
        database, name="courses", scopes=["all"], home_page="http://lrs.test"
    ).principal
    store_statements(database, [statement(r) for r in made], version="1.0.3", principal=principal)
