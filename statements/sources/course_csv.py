"""Course records (CSV as LMSs export them) into registered/launched/completed/passed/failed/
scored statements.

One row is one event of one learner: ``learner, course, module, event, score, duration,
timestamp`` (common spellings of these headers are accepted, see ``COLUMNS``), plus the
optional ``learner_name``, ``team`` and ``module_type``. The course is the object of
``registered`` and of course-level events; otherwise the module (or assessment) is the object
and the course its ``contextActivities.parent`` and ``grouping``. Every statement of a
learner in a course carries the same ``registration`` (UUID v5 of learner and course).
The position is the line number.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import isodate
from dateutil.parser import isoparse

from statements.vocabulary import ActivityTypes, Verbs

from ._common import Item, ReadOptions, Source, SourceError, derived_id, language_map, timestamp

DEFAULT_BASE_URL = "http://lms.localhost/"

# canonical column -> accepted header spellings (compared case-insensitively, _ = space)
COLUMNS: dict[str, tuple[str, ...]] = {
    "learner": (
        "learner",
        "user",
        "username",
        "user name",
        "learner id",
        "user id",
        "email",
        "learner email",
    ),
    "learner_name": ("learner name", "full name", "name"),
    "course": ("course", "course id", "course name", "course title"),
    "module": ("module", "module name", "activity", "lesson", "unit"),
    "module_type": ("module type", "activity type"),
    "event": ("event", "status", "action", "verb"),
    "score": ("score", "grade", "result"),
    "duration": ("duration", "time spent"),
    "timestamp": ("timestamp", "date", "datetime", "event time", "completed at", "time stamp"),
    "team": ("team", "department", "group"),
}
REQUIRED = ("learner", "course", "event", "timestamp")

EVENTS: dict[str, str] = {
    "registered": "registered",
    "enrolled": "registered",
    "enrol": "registered",
    "enroll": "registered",
    "enrolment": "registered",
    "enrollment": "registered",
    "launched": "launched",
    "started": "launched",
    "opened": "launched",
    "completed": "completed",
    "complete": "completed",
    "finished": "completed",
    "passed": "passed",
    "pass": "passed",
    "failed": "failed",
    "fail": "failed",
    "scored": "scored",
    "graded": "scored",
}
VERBS = {
    "registered": Verbs.REGISTERED,
    "launched": Verbs.LAUNCHED,
    "completed": Verbs.COMPLETED,
    "passed": Verbs.PASSED,
    "failed": Verbs.FAILED,
    "scored": Verbs.SCORED,
}
_ASSESSMENT_WORDS = re.compile(r"\b(quiz|test|exam|assessment|certification)\b", re.IGNORECASE)
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")


def _spelled(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").replace("-", " ").split())


def _header_map(fieldnames: list[str]) -> dict[str, str]:
    """Canonical column -> header; a header named twice is refused, as a row would keep
    only its last value without a word (``Score`` and ``score`` are one name, headers
    being compared as ``COLUMNS`` spells them; empty headers are never read)."""
    seen: dict[str, str] = {}
    for raw in fieldnames:
        spelled = _spelled(raw)
        if spelled and spelled in seen:
            twice = (
                f"the column {raw!r} is named twice"
                if raw == seen[spelled]
                else f"the columns {seen[spelled]!r} and {raw!r} are one name"
            )
            raise SourceError("line 1", f"{twice}; rename or remove one")
        seen[spelled] = raw
    found: dict[str, str] = {}
    for raw in fieldnames:
        spelled = _spelled(raw)
        for column, spellings in COLUMNS.items():
            if column not in found and spelled in spellings:
                found[column] = raw
                break
    return found


def _decode(data: bytes, encoding: str | None) -> str:
    name = encoding or "utf-8-sig"
    try:
        codecs.lookup(name)
    except LookupError:
        raise SourceError("file", f"unknown encoding {name!r}") from None
    try:
        return data.decode(name)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(
            f"line {line}",
            f"the file is not {name.removesuffix('-sig').upper()} "
            f"(byte 0x{data[error.start]:02x} cannot be decoded); give its encoding",
        ) from None


def parse_score(text: str) -> dict[str, float]:
    """``85``, ``85%`` -> 85 of 100; ``17/20`` -> 17 of 20; ``0.85`` (a fraction ≤ 1) -> scaled."""
    value = text.strip().replace(",", ".")
    if "/" in value:
        raw_text, max_text = value.split("/", 1)
        raw, top = float(raw_text), float(max_text)
    else:
        raw = float(value.rstrip("%").strip())
        if "." in value and not value.endswith("%") and 0 <= raw <= 1:
            return {"scaled": raw}
        top = 100.0
    if top <= 0 or not 0 <= raw <= top:
        raise ValueError(f"score {text!r} is outside 0..{top:g}")
    return {"raw": raw, "min": 0.0, "max": top, "scaled": round(raw / top, 4)}


def parse_duration(text: str) -> str:
    """ISO 8601 (``PT25M``), a clock (``1:25:30``, ``25:30``) or seconds -> ISO 8601."""
    value = text.strip()
    if value.upper().startswith("P"):
        isodate.parse_duration(value.upper())
        return value.upper()
    clock = _CLOCK.fullmatch(value)
    if clock:
        seconds = int(clock.group(1) or 0) * 3600 + int(clock.group(2)) * 60 + int(clock.group(3))
    else:
        seconds = round(float(value))
    if seconds < 0:
        raise ValueError(f"duration {text!r} is negative")
    return f"PT{seconds}S"


def read_courses(data: bytes, options: ReadOptions) -> Iterator[Item]:
    """Items of a course-records CSV, in file order."""
    text = _decode(data, options.encoding)
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns = _header_map(list(reader.fieldnames or []))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise SourceError(
            "line 1",
            f"missing required column(s): {', '.join(missing)} "
            f"(found: {', '.join(reader.fieldnames or []) or 'nothing'})",
        )
    base = (options.base_url or DEFAULT_BASE_URL).rstrip("/") + "/"
    after = int(options.after) if options.after and options.after.isdigit() else 0
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if line <= after:
                continue
            values = {name: (row.get(raw) or "").strip() for name, raw in columns.items()}
            if not any(values.values()):
                continue
            where = f"line {line}"
            try:
                statement = _statement(values, base, options)
            except ValueError as error:
                yield Item(where, str(line), problem=str(error))
                continue
            yield Item(where, str(line), statement)
    except csv.Error as error:
        # The broken record starts on the line after the last good one.
        raise SourceError(f"line {line + 1}", f"not valid CSV: {error}") from None


def _activity(base: str, kind: str, name: str, activity_type: str, language: str) -> dict[str, Any]:
    identifier = (
        name if name.startswith(("http://", "https://")) else f"{base}{kind}/{quote(name, safe='')}"
    )
    return {
        "objectType": "Activity",
        "id": identifier,
        "definition": {"type": activity_type, "name": language_map(name, language)},
    }


def _statement(values: dict[str, str], base: str, options: ReadOptions) -> dict[str, Any]:
    for column in REQUIRED:
        if not values.get(column):
            raise ValueError(f"the {column} is empty")
    event = EVENTS.get(values["event"].lower())
    if event is None:
        raise ValueError(
            f"unknown event {values['event']!r} (expected one of {', '.join(sorted(VERBS))})"
        )
    try:
        when = isoparse(values["timestamp"])
    except ValueError:
        raise ValueError(f"the timestamp {values['timestamp']!r} is not ISO 8601") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    learner, course_name, module_name = (
        values["learner"],
        values["course"],
        values.get("module", ""),
    )
    course = _activity(base, "courses", course_name, ActivityTypes.COURSE, "en")
    result: dict[str, Any] = {}
    if values.get("score"):
        try:
            result["score"] = parse_score(values["score"])
        except ValueError as error:
            raise ValueError(f"the score {values['score']!r} is not a number: {error}") from None
    if values.get("duration"):
        try:
            result["duration"] = parse_duration(values["duration"])
        except (ValueError, isodate.ISO8601Error):
            raise ValueError(f"the duration {values['duration']!r} is not a duration") from None
    if event == "scored" and "score" not in result:
        raise ValueError("a scored event needs a score")
    if event == "completed":
        result["completion"] = True
    elif event == "passed":
        result.update(success=True, completion=True)
    elif event == "failed":
        result["success"] = False
    identities = options.identities
    name: str | None = values.get("learner_name") or None
    email = learner if "@" in learner else None
    registration = derived_id("registration", base, learner, course["id"])
    context: dict[str, Any] = {"registration": registration, "platform": "LMS"}
    if module_name and event != "registered":
        kind = values.get("module_type", "").lower()
        if kind == "assessment" or (not kind and _ASSESSMENT_WORDS.search(module_name)):
            module_type = ActivityTypes.ASSESSMENT
        elif kind == "lesson":
            module_type = ActivityTypes.LESSON
        else:
            module_type = ActivityTypes.MODULE
        target = _activity(
            base, f"courses/{quote(course_name, safe='')}/modules", module_name, module_type, "en"
        )
        if module_name.startswith(("http://", "https://")):
            target["id"] = module_name
        context["contextActivities"] = {"parent": [course], "grouping": [course]}
    else:
        target = course
    team = identities.team(base, learner, name=name, email=email)
    if team is None and values.get("team"):
        team = {
            "objectType": "Group",
            "name": values["team"],
            "account": {"homePage": f"{base}teams", "name": values["team"]},
        }
    if team is not None:
        context["team"] = team
    statement: dict[str, Any] = {
        "id": derived_id(
            "courses", base, learner, course_name, module_name, event, timestamp(when)
        ),
        "actor": identities.agent(base, learner, name=name, email=email),
        "verb": {"id": VERBS[event], "display": {"en-US": event}},
        "object": target,
        "context": context,
        "timestamp": timestamp(when),
    }
    if result:
        statement["result"] = result
    return statement


COURSES = Source(
    name="courses",
    description="A course-records CSV: learner, course, module, event, score, duration, timestamp",
    read=read_courses,
)
