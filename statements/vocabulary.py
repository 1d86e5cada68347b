"""Verbs and activity types of the field's vocabularies (ADL, cmi5, the xAPI Video
Profile, Activity Streams, the Tin Can registry, acrossx, TLA, Open edX, Moodle), and the
classification of a statement as formal or informal learning.

Classification looks at IRIs only, never at display names: the object's activity type
first, then the verb, then the context (a course among the context activities, the cmi5
category, a registration). A discussion is informal even inside a course; a module, AU,
video or question inside a course is formal and rolls up to its course
(``course_id``). Administrators add rules of their own (``Rules``) without code. The
same meaning arrives under several IRIs in real data (ActivityStreams with and without
``/schema/1.0/``, ADL legacy and w3id), so every IRI maps to one *concept*; stored
statements are never rewritten.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import isodate

from statements.ifi import agent_key
from statements.timestamps import parse_timestamp

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
AS = "http://activitystrea.ms/schema/1.0/"
AS_SHORT = "http://activitystrea.ms/"
TINCAN = "http://id.tincanapi.com/verb/"
ACROSSX = "https://w3id.org/xapi/acrossx/verbs/"
TLA = "https://w3id.org/xapi/tla/verbs/"
ADL_TYPE = "http://adlnet.gov/expapi/activities/"
AS_TYPE = "http://activitystrea.ms/schema/1.0/"
TINCAN_TYPE = "http://id.tincanapi.com/activitytype/"
# The verb that voids the statement its object refers to (its rules: ``statements.schema``).
VOIDED_VERB = ADL + "voided"


class Verbs:
    """The verb IRIs our importers and demo emit (ADL, ActivityStreams, Tin Can registry)."""

    REGISTERED: Final = ADL + "registered"
    LAUNCHED: Final = ADL + "launched"
    INITIALIZED: Final = ADL + "initialized"
    PROGRESSED: Final = ADL + "progressed"
    COMPLETED: Final = ADL + "completed"
    PASSED: Final = ADL + "passed"
    FAILED: Final = ADL + "failed"
    SCORED: Final = ADL + "scored"
    ANSWERED: Final = ADL + "answered"
    TERMINATED: Final = ADL + "terminated"
    EXPERIENCED: Final = ADL + "experienced"
    AUTHORED: Final = AS + "author"
    COMMENTED: Final = ADL + "commented"
    LIKED: Final = AS + "like"
    SHARED: Final = ADL + "shared"
    CREATED: Final = AS + "create"
    EDITED: Final = ACROSSX + "edited"
    VIEWED: Final = TINCAN + "viewed"
    ASKED: Final = ADL + "asked"
    REPLIED: Final = TINCAN + "replied"
    VOIDED: Final = VOIDED_VERB


class ActivityTypes:
    """Activity type IRIs from the xAPI registry used for our sources."""

    COURSE: Final = ADL_TYPE + "course"
    MODULE: Final = ADL_TYPE + "module"
    ASSESSMENT: Final = ADL_TYPE + "assessment"
    LESSON: Final = ADL_TYPE + "lesson"
    INTERACTION: Final = ADL_TYPE + "cmi.interaction"
    QUESTION: Final = ADL_TYPE + "question"
    BLOG: Final = TINCAN_TYPE + "blog"
    ARTICLE: Final = AS_TYPE + "article"
    COMMENT: Final = AS_TYPE + "comment"
    PAGE: Final = AS_TYPE + "page"
    WIKI: Final = "http://xapi.jisc.ac.uk/activities/wiki"
    DISCUSSION: Final = TINCAN_TYPE + "discussion"
    TAG: Final = TINCAN_TYPE + "tag"


VIDEO = "https://w3id.org/xapi/video/verbs/"
OPENEDX = "https://w3id.org/xapi/openedx/verb/"
DOD_ISD = "https://w3id.org/xapi/dod-isd/verbs/"
CMI5_TYPE = "https://w3id.org/xapi/cmi5/activitytype/"
CMI5_CATEGORY: Final = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
TINCAN_LMS_COURSE: Final = TINCAN_TYPE + "lms/course"
VIDEO_TYPE: Final = "https://w3id.org/xapi/video/activity-type/video"

# Where each term comes from, as the documentation names it.
SOURCES: Final = {
    "adl": "ADL vocabulary",
    "cmi5": "cmi5",
    "video": "xAPI Video Profile",
    "as": "Activity Streams",
    "tincan": "Tin Can registry",
    "acrossx": "acrossx",
    "tla": "TLA",
    "openedx": "Open edX",
    "moodle": "Moodle",
    "dod-isd": "DoD ISD",
    "jisc": "Jisc",
    "brindlewaye": "Moodle (xAPI terms of brindlewaye.com)",
}

# Verdicts a verb gives a statement whose object type says nothing.
FORMAL = "formal"
INFORMAL = "informal"
OTHER = "other"
BY_CONTEXT = "by context"
"""Formal inside a course (a course in the context, cmi5, a registration), else informal."""
BY_TYPE = "by type"
"""The verb says nothing of learning: the object type or the context decides, else other."""

# action class -> the verdict of its verbs when the object type is unknown, and why.
_ACTIONS: Final[dict[str, tuple[str, str]]] = {
    "enrol": (FORMAL, "enrolment in a course"),
    "progress": (FORMAL, "an attempt's progress (launch, session, attempt)"),
    "achieve": (FORMAL, "a completion, pass or credit"),
    "fail": (FORMAL, "a failed attempt"),
    "assess": (FORMAL, "a score or an answer"),
    "contribute": (INFORMAL, "adds knowledge for others (posts, edits, comments)"),
    "react": (INFORMAL, "a reaction to someone's content"),
    "consume": (BY_CONTEXT, "reading or watching: course content inside a course, else informal"),
    "moderate": (BY_TYPE, "moderation or removal: counts where it happens"),
    "session": (OTHER, "signing in or out of a system is no learning"),
    "admin": (OTHER, "voiding removes a statement and is no learning"),
}

# concept -> (action class, (IRI, source) pairs that mean it)
_CONCEPTS: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    "registered": (
        "enrol",
        (
            (ADL + "registered", "adl"),
            (ACROSSX + "enrolled", "acrossx"),
            (TLA + "registered", "tla"),
        ),
    ),
    "unregistered": ("enrol", ((TINCAN + "unregistered", "tincan"),)),
    "launched": ("progress", ((ADL + "launched", "adl"),)),
    "initialized": ("progress", ((ADL + "initialized", "adl"),)),
    "attempted": ("progress", ((ADL + "attempted", "adl"),)),
    "progressed": ("progress", ((ADL + "progressed", "adl"),)),
    "resumed": ("progress", ((ADL + "resumed", "adl"), (TLA + "resumed", "tla"))),
    "suspended": ("progress", ((ADL + "suspended", "adl"), (TLA + "suspended", "tla"))),
    "terminated": ("progress", ((ADL + "terminated", "adl"),)),
    "abandoned": ("progress", ((ADL_W3ID + "abandoned", "cmi5"),)),
    "completed": ("achieve", ((ADL + "completed", "adl"),)),
    "passed": ("achieve", ((ADL + "passed", "adl"),)),
    "mastered": ("achieve", ((ADL + "mastered", "adl"),)),
    "satisfied": ("achieve", ((ADL_W3ID + "satisfied", "cmi5"),)),
    "waived": ("achieve", ((ADL_W3ID + "waived", "cmi5"),)),
    "earned": ("achieve", ((TINCAN + "earned", "tincan"), (TLA + "achieved", "tla"))),
    "failed": ("fail", ((ADL + "failed", "adl"),)),
    "scored": ("assess", ((ADL + "scored", "adl"), (TLA + "scored", "tla"))),
    "answered": (
        "assess",
        ((ADL + "answered", "adl"), (ADL + "responded", "adl"), (ACROSSX + "evaluated", "acrossx")),
    ),
    "authored": (
        "contribute",
        (
            (AS + "author", "as"),
            (AS + "post", "as"),
            (AS_SHORT + "post", "as"),
            (ACROSSX + "posted", "acrossx"),
            (DOD_ISD + "published", "dod-isd"),
        ),
    ),
    "created": (
        "contribute",
        (
            (AS + "create", "as"),
            (AS_SHORT + "create", "as"),
            (DOD_ISD + "created", "dod-isd"),
            (ADL + "authored", "adl"),
        ),
    ),
    "edited": (
        "contribute",
        (
            (ACROSSX + "edited", "acrossx"),
            (AS + "update", "as"),
            (AS_SHORT + "update", "as"),
            (DOD_ISD + "edited", "dod-isd"),
            (DOD_ISD + "updated", "dod-isd"),
            (DOD_ISD + "revised", "dod-isd"),
        ),
    ),
    "commented": (
        "contribute",
        ((ADL + "commented", "adl"), (AS + "comment", "as"), (AS_SHORT + "comment", "as")),
    ),
    "replied": ("contribute", ((TINCAN + "replied", "tincan"),)),
    "asked": ("contribute", ((ADL + "asked", "adl"),)),
    "shared": (
        "contribute",
        (
            (ADL + "shared", "adl"),
            (AS + "share", "as"),
            (AS_SHORT + "share", "as"),
            (ACROSSX + "shared", "acrossx"),
        ),
    ),
    "tagged": ("contribute", ((AS + "tag", "as"),)),
    "liked": (
        "react",
        (
            (AS + "like", "as"),
            (AS_SHORT + "like", "as"),
            (ACROSSX + "liked", "acrossx"),
            (AS + "favorite", "as"),
            (TINCAN + "voted-up", "tincan"),
            (TINCAN + "rated", "tincan"),
        ),
    ),
    "voted": (
        "react",
        ((OPENEDX + "voted", "openedx"), (TINCAN + "voted-down", "tincan"), (AS + "dislike", "as")),
    ),
    "bookmarked": ("react", ((TINCAN + "bookmarked", "tincan"), (AS + "save", "as"))),
    "followed": ("react", ((AS + "follow", "as"), (AS + "join", "as"))),
    "viewed": (
        "consume",
        (
            (TINCAN + "viewed", "tincan"),
            (AS + "read", "as"),
            (AS_SHORT + "read", "as"),
            (ADL + "experienced", "adl"),
            (VIDEO + "played", "video"),
            (AS + "watch", "as"),
            (AS + "listen", "as"),
        ),
    ),
    "paused": ("consume", ((VIDEO + "paused", "video"),)),
    "seeked": ("consume", ((VIDEO + "seeked", "video"),)),
    "interacted": ("consume", ((ADL + "interacted", "adl"),)),
    "navigated": ("consume", ((DOD_ISD + "navigated", "dod-isd"),)),
    "searched": ("consume", ((ACROSSX + "searched", "acrossx"), (AS + "search", "as"))),
    "attended": ("consume", ((ADL + "attended", "adl"), (AS + "attend", "as"))),
    "reported": (
        "moderate",
        ((ACROSSX + "reported", "acrossx"), (OPENEDX + "unreported", "openedx")),
    ),
    "deleted": ("moderate", ((DOD_ISD + "deleted", "dod-isd"), (AS + "delete", "as"))),
    "logged-in": (
        "session",
        (
            ("https://brindlewaye.com/xAPITerms/verbs/loggedin/", "brindlewaye"),
            ("https://brindlewaye.com/xAPITerms/verbs/loggedout/", "brindlewaye"),
            (ADL + "logged-in", "adl"),
            (ADL + "logged-out", "adl"),
        ),
    ),
    "voided": ("admin", ((VOIDED_VERB, "adl"),)),
}

CONCEPT_OF_VERB: Final[dict[str, str]] = {
    iri: concept for concept, (_, pairs) in _CONCEPTS.items() for iri, _ in pairs
}
ACTION_OF_CONCEPT: Final[dict[str, str]] = {
    concept: action for concept, (action, _) in _CONCEPTS.items()
}
VERDICT_OF_CONCEPT: Final[dict[str, str]] = {
    concept: _ACTIONS[action][0] for concept, action in ACTION_OF_CONCEPT.items()
}


def _acting(action: str) -> tuple[str, ...]:
    return tuple(concept for concept, (act, _) in _CONCEPTS.items() if act == action)


# Concept groups, each defined here once: the ingest rollups count with them and the
# read side (lrs.insight.concepts) asks its questions with them.
CONTRIBUTE: Final = _acting("contribute")
"""Informal work that adds knowledge: posts, edits, comments, replies, questions..."""
REACT: Final = _acting("react")
"""Reactions to someone's content without adding to it (likes...)."""
CONSUME: Final = _acting("consume")
"""Reading, watching, searching, attending."""
AUTHORING: Final = ("authored", "created", "asked")
"""Statements that create a piece of content: their actor is its author."""
EDITING: Final = ("edited",)
"""Changes to existing content."""
WRITING: Final = (*AUTHORING, *EDITING)
"""What counts as writing a piece of content: a post, page or question, or an edit."""
RESPONDING: Final = ("commented", "replied")
"""Answers to someone's content: a comment or a reply."""
RESPONSES: Final = (*RESPONDING, *EDITING, *REACT)
"""What a person does to someone's content, as the knowledge flow counts it: answers,
edits and reactions."""
ENROLLED: Final = ("registered",)
"""Enrolment by verb; a statement with a registration on a course enrols its actor too
(``enrols``), as cmi5 LMSs send no ``registered`` verb."""
STARTED: Final = ("launched", "initialized", "attempted", "progressed", "resumed", "terminated")
COMPLETED: Final = ("completed", "satisfied", "passed", "mastered", "waived")
PASSED: Final = ("passed", "mastered")
FAILED: Final = ("failed",)
SATISFIED: Final = ("satisfied",)
"""cmi5: the LMS says the course's (or block's) moveOn criteria are met (cmi5 9.3.9)."""
SESSION_END: Final = ("terminated", "abandoned")
"""Statements that end a session: their ``result.duration`` is the session's time."""
ATTEMPT_END: Final = ("completed", "passed", "failed", "mastered")
"""Statements that end an attempt (a module done, an assessment judged): their
``result.duration`` is the attempt's time, as course exports without sessions carry it."""
JUDGED: Final = (*PASSED, *FAILED)
"""Statements that judge an attempt: their ``result.score`` is a course score."""
PROGRESS: Final[dict[str, tuple[str, ...]]] = {
    "enrolled": ENROLLED,
    "started": STARTED,
    "completed": COMPLETED,
    "passed": PASSED,
    "failed": FAILED,
    "satisfied": SATISFIED,
}
"""The stages of a course funnel and the concepts that reach each."""


def course_of(course_id: str | None, activity_id: str | None = None) -> str | None:
    """The course a fact counts towards: its ``course_id`` (a course found in the
    statement, its context or its registration). Content that names no course is no
    course of its own: only courses are rows of the funnel."""
    del activity_id
    return course_id


# Activity types -> (source, verdict, why). "course" types are courses: rows of the
# funnel and evidence that a statement happens inside one.
COURSE = "course"
_TYPES: Final[dict[str, tuple[str, str, str]]] = {
    ADL_TYPE + "course": ("adl", COURSE, "a course"),
    CMI5_TYPE + "course": ("cmi5", COURSE, "a cmi5 course"),
    "https://w3id.org/xapi/cmi5/activities/course": ("cmi5", COURSE, "a cmi5 course (draft IRI)"),
    TINCAN_LMS_COURSE: ("moodle", COURSE, "an LMS course (Moodle)"),
    **{
        ADL_TYPE + name: ("adl", FORMAL, f"course content ({name})")
        for name in (
            "module",
            "lesson",
            "assessment",
            "attempt",
            "interaction",
            "objective",
            "cmi.interaction",
            "question",
            "simulation",
            "performance",
        )
    },
    CMI5_TYPE + "block": ("cmi5", FORMAL, "a block of a cmi5 course"),
    "https://w3id.org/xapi/cmi5/activities/block": ("cmi5", FORMAL, "a cmi5 block (draft IRI)"),
    TINCAN_TYPE + "lms/module": ("moodle", FORMAL, "a module of an LMS course"),
    TINCAN_TYPE + "unit": ("tincan", FORMAL, "a unit of a course"),
    TINCAN_TYPE + "school-assignment": ("tincan", FORMAL, "an assignment"),
    TINCAN_TYPE + "solution": ("openedx", FORMAL, "the solution of a problem"),
    TINCAN_TYPE + "certificate": ("tincan", FORMAL, "a certificate"),
    **{
        ADL_TYPE + name: (
            "adl",
            BY_CONTEXT,
            f"{name}: course content inside a course, else informal",
        )
        for name in ("media", "link", "file", "profile", "meeting")
    },
    VIDEO_TYPE: ("video", BY_CONTEXT, "a video: course content inside a course, else informal"),
    TINCAN_TYPE + "resource": (
        "tincan",
        BY_CONTEXT,
        "a resource: course content inside a course, else informal",
    ),
    TINCAN_TYPE + "document": (
        "tincan",
        BY_CONTEXT,
        "a document: course content inside a course, else informal",
    ),
    **{
        TINCAN_TYPE + name: ("tincan", INFORMAL, f"{why}, informal even inside a course")
        for name, why in (
            ("blog", "a blog"),
            ("discussion", "a discussion"),
            ("forum-reply", "a forum reply"),
            ("forum-topic", "a forum topic"),
            ("tag", "a tag"),
            ("chat-message", "chat"),
            ("chat-channel", "chat"),
            ("tweet", "a short post"),
            ("wiki", "a wiki"),
            ("wiki-page", "a wiki page"),
            ("forum", "a forum"),
            ("comment", "a comment"),
            ("social-network", "a social network"),
        )
    },
    **{
        AS_TYPE + name: ("as", INFORMAL, f"{why}, informal even inside a course")
        for name, why in (
            ("article", "a post"),
            ("comment", "a comment"),
            ("page", "a wiki or web page"),
            ("question", "a question to peers"),
            ("answer", "an answer to peers"),
            ("note", "a note"),
            ("bookmark", "a bookmark"),
            ("review", "a review"),
            ("file", "a shared file"),
            ("collection", "a shared collection"),
            ("group", "a group"),
            ("person", "a person"),
        )
    },
    AS_SHORT + "comment": ("as", INFORMAL, "a comment, informal even inside a course"),
    "http://xapi.jisc.ac.uk/activities/wiki": ("jisc", INFORMAL, "a wiki"),
    "https://w3id.org/xapi/acrossx/activities/page": ("acrossx", INFORMAL, "a web page"),
    "https://w3id.org/xapi/acrossx/activities/message": ("acrossx", INFORMAL, "a message"),
    "https://w3id.org/xapi/acrossx/activities/webpage": ("acrossx", INFORMAL, "a web page"),
    TINCAN_TYPE + "lms": ("moodle", OTHER, "the LMS site itself: a container, never a course"),
    TINCAN_TYPE + "source": ("moodle", OTHER, "the sending system: a category, never a course"),
}
COURSE_TYPES: Final = frozenset(t for t, (_, verdict, _) in _TYPES.items() if verdict == COURSE)
FORMAL_TYPES: Final = frozenset(
    t for t, (_, verdict, _) in _TYPES.items() if verdict in {COURSE, FORMAL}
)
INFORMAL_TYPES: Final = frozenset(t for t, (_, verdict, _) in _TYPES.items() if verdict == INFORMAL)
CONTEXT_TYPES: Final = frozenset(
    t for t, (_, verdict, _) in _TYPES.items() if verdict == BY_CONTEXT
)
FORMAL_CONCEPTS: Final = frozenset(c for c, v in VERDICT_OF_CONCEPT.items() if v == FORMAL)
INFORMAL_CONCEPTS: Final = frozenset(c for c, v in VERDICT_OF_CONCEPT.items() if v == INFORMAL)
# Categories (contextActivities.category) that say where a statement happens.
_CATEGORIES: Final[dict[str, tuple[str, str, str]]] = {
    CMI5_CATEGORY: ("cmi5", COURSE, "a cmi5 statement: it happens inside a course"),
    "https://w3id.org/xapi/cmi5/context/categories/moveon": (
        "cmi5",
        COURSE,
        "a cmi5 statement that counts towards moveOn",
    ),
    "https://w3id.org/xapi/video": (
        "video",
        BY_CONTEXT,
        "the xAPI Video Profile: the video decides",
    ),
}


class Term(NamedTuple):
    """One row of the vocabulary table (docs/vocabularies.md shows them all)."""

    iri: str
    source: str
    role: str
    verdict: str
    reason: str


def terms() -> list[Term]:
    """Every verb, activity type and category the classification knows, with its verdict
    when nothing else is known and why."""
    rows: list[Term] = []
    for concept, (action, pairs) in _CONCEPTS.items():
        verdict, why = _ACTIONS[action]
        for iri, source in pairs:
            rows.append(Term(iri, SOURCES[source], f"verb ({concept})", verdict, why))
    for iri, (source, verdict, why) in _TYPES.items():
        rows.append(Term(iri, SOURCES[source], "activity type", verdict, why))
    for iri, (source, verdict, why) in _CATEGORIES.items():
        rows.append(Term(iri, SOURCES[source], "category", verdict, why))
    return rows


class Verdict(NamedTuple):
    """``formal``, ``informal`` or ``other`` for a statement, and why."""

    kind: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """An administrator's rule: a statement matching every given field gets ``kind``
    (``formal``, ``informal`` or ``ignore``, which is ``other``)."""

    kind: str
    verb: str | None = None
    type: str | None = None
    platform: str | None = None
    prefix: str | None = None
    reason: str | None = None

    @property
    def verdict_kind(self) -> str:
        return OTHER if self.kind == "ignore" else self.kind

    def matches(self, verb_id: str, activity_type: str | None, platform: str | None,
                activity_id: str | None) -> bool:  # fmt: skip
        return (
            (self.verb is None or self.verb == verb_id)
            and (self.type is None or self.type == activity_type)
            and (self.platform is None or self.platform == platform)
            and (self.prefix is None or (activity_id or "").startswith(self.prefix))
        )

    def describe(self) -> str:
        given = [f"{name} {value}" for name, value in (
            ("verb", self.verb), ("type", self.type), ("platform", self.platform),
            ("prefix", self.prefix)) if value is not None]  # fmt: skip
        return self.reason or "rule: " + ", ".join(given)


@dataclass(frozen=True)
class CourseRule:
    """Activities (an exact ``id`` or an id ``prefix``) that are courses, or that belong
    to ``course`` when it is given."""

    id: str | None = None
    prefix: str | None = None
    course: str | None = None

    def course_of(self, activity_id: str) -> str | None:
        if self.id is not None:
            matches = activity_id == self.id
        else:
            matches = self.prefix is not None and activity_id.startswith(self.prefix)
        return (self.course or activity_id) if matches else None


@dataclass(frozen=True)
class Rules:
    """An administrator's classification rules (first match wins) and course rules."""

    rules: tuple[Rule, ...] = ()
    course_rules: tuple[CourseRule, ...] = ()

    def verdict(self, verb_id: str, activity_type: str | None, platform: str | None,
                activity_id: str | None) -> Verdict | None:  # fmt: skip
        for rule in self.rules:
            if rule.matches(verb_id, activity_type, platform, activity_id):
                return Verdict(rule.verdict_kind, rule.describe())
        return None

    def course(self, activity_id: str | None, space_id: str | None) -> str | None:
        """The course the first course rule gives the object, else the space."""
        for candidate in (activity_id, space_id):
            if candidate is None:
                continue
            for entry in self.course_rules:
                found = entry.course_of(candidate)
                if found is not None:
                    return found
        return None


NO_RULES: Final = Rules()
RULE_KINDS: Final = ("formal", "informal", "ignore")
RULE_FIELDS: Final = ("verb", "type", "platform", "prefix")


def rules_from_mapping(data: Mapping[str, Any]) -> Rules:
    """Rules from a parsed rules file (``[[rule]]`` and ``[[course]]`` tables); raises
    ``ValueError`` naming the entry that is wrong."""
    unknown = set(data) - {"rule", "course"}
    if unknown:
        raise ValueError(f"unknown table {sorted(unknown)[0]!r}: use [[rule]] or [[course]]")
    rules: list[Rule] = []
    for index, entry in enumerate(_tables(data, "rule")):
        where = f"rule {index + 1}"
        _strings(entry, where, {*RULE_FIELDS, "kind", "reason"})
        if entry.get("kind") not in RULE_KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(RULE_KINDS)}")
        if not set(entry) & set(RULE_FIELDS):
            raise ValueError(f"{where}: give at least one of {', '.join(RULE_FIELDS)}")
        rules.append(Rule(**entry))
    courses: list[CourseRule] = []
    for index, entry in enumerate(_tables(data, "course")):
        where = f"course {index + 1}"
        _strings(entry, where, {"id", "prefix", "course"})
        if len(set(entry) & {"id", "prefix"}) != 1:
            raise ValueError(f"{where}: give exactly one of id, prefix")
        courses.append(CourseRule(**entry))
    return Rules(tuple(rules), tuple(courses))


def _tables(data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    tables = data.get(name) or []
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise ValueError(f"{name}: an array of tables is expected ([[{name}]])")
    return [dict(table) for table in tables]


def _strings(entry: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    extra = set(entry) - allowed
    if extra:
        raise ValueError(f"{where}: unknown key {sorted(extra)[0]!r}")
    for name, value in entry.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{where}: {name} must be a non-empty string")


def concept_of(verb_id: str) -> str:
    """The concept a verb IRI means, or ``other``."""
    return CONCEPT_OF_VERB.get(verb_id, "other")


def source_kind(concept: str, activity_type: str | None, context_types: set[str]) -> str:
    """``formal``, ``informal`` or ``other`` for a (concept, object type, context) triple."""
    return classify(concept, activity_type, context_types, in_course=False).kind


def classify(
    concept: str, activity_type: str | None, context_types: set[str], *, in_course: bool
) -> Verdict:
    """The verdict on a statement from its verb's concept, its object's type and its
    context (the types and categories of its context activities, and whether it happens
    inside a course). The object's type decides first: a discussion is informal even
    inside a course, a module formal; then the verb; then the context."""
    action = ACTION_OF_CONCEPT.get(concept)
    if action in {"admin", "session"}:
        return Verdict(OTHER, _ACTIONS[action][1])
    typed = _TYPES.get(activity_type) if activity_type else None
    verdict = typed[1] if typed else None
    if verdict in {COURSE, FORMAL, INFORMAL} and typed:
        return Verdict(FORMAL if verdict == COURSE else verdict, typed[2])
    inside = in_course or bool(context_types & FORMAL_TYPES)
    if verdict == BY_CONTEXT and typed:
        return Verdict(FORMAL if inside else INFORMAL, typed[2])
    if action is not None:
        by_verb, why = _ACTIONS[action]
        if by_verb in {FORMAL, INFORMAL}:
            return Verdict(by_verb, why)
        if by_verb == BY_CONTEXT or inside:
            return Verdict(FORMAL if inside else INFORMAL, why)
    if inside:
        return Verdict(FORMAL, "happens inside a course")
    if context_types & INFORMAL_TYPES:
        return Verdict(INFORMAL, "happens in a blog, wiki or discussion")
    if action is not None:
        return Verdict(OTHER, f"{concept}: says nothing of learning without a known type")
    return Verdict(OTHER, "neither the verb nor the object type is a known term")


def learning_fact(statement: Mapping[str, Any], rules: Rules = NO_RULES) -> dict[str, Any] | None:
    """The narrow dashboard row of a stored statement; None for voiding statements."""
    verb_id = statement["verb"]["id"]
    if verb_id == Verbs.VOIDED:
        return None
    actor = statement["actor"]
    target = statement["object"]
    is_activity = target.get("objectType", "Activity") == "Activity"
    definition = target.get("definition") or {} if is_activity else {}
    context = statement.get("context") or {}
    context_activities = context.get("contextActivities") or {}
    concept = concept_of(verb_id)
    activity_type = definition.get("type")
    activity_id = target.get("id") if is_activity else None
    registration = (context.get("registration") or "").lower() or None
    platform = context.get("platform")
    space_id = _space_of(context_activities, target if is_activity else None)
    named_course = _course_in(context_activities, target if is_activity else None)
    context_types, in_course = _context_of(context_activities)
    in_course = in_course or named_course is not None or registration is not None
    base = classify(concept, activity_type, context_types, in_course=in_course)
    verdict = rules.verdict(verb_id, activity_type, platform, activity_id) or base
    when = parse_timestamp(statement["timestamp"])
    result = statement.get("result") or {}
    return {
        "day": when.date(),
        "hour": when.hour,
        "weekday": when.isoweekday(),
        "timestamp": when,
        "actor_key": agent_key(actor) or "anonymous",
        "actor_name": actor.get("name"),
        "verb_id": verb_id,
        "concept": concept,
        "activity_id": activity_id,
        "activity_type": activity_type,
        "activity_name": _first_value(definition.get("name")),
        "content_id": _content_of(activity_id, activity_type, context_activities),
        "source_kind": verdict.kind,
        "base_kind": base.kind,
        "space_id": space_id,
        "course_id": rules.course(activity_id, space_id) or named_course,
        "named_course": named_course,
        "platform": platform,
        "team": _team_of(context),
        "registration": registration,
        "score_scaled": _score(result.get("score")),
        "success": result.get("success"),
        "completion": result.get("completion"),
        "duration_seconds": _seconds(result.get("duration")),
        "tags": _tags_of(context_activities),
    }


def explain(statement: Mapping[str, Any], rules: Rules = NO_RULES) -> Verdict:
    """Why ``learning_fact`` gives a statement its ``source_kind``."""
    verb_id = statement["verb"]["id"]
    target = statement["object"]
    is_activity = target.get("objectType", "Activity") == "Activity"
    definition = target.get("definition") or {} if is_activity else {}
    context = statement.get("context") or {}
    context_activities = context.get("contextActivities") or {}
    activity_id = target.get("id") if is_activity else None
    verdict = rules.verdict(verb_id, definition.get("type"), context.get("platform"), activity_id)
    if verdict is not None:
        return verdict
    course_id = _course_in(context_activities, target if is_activity else None)
    context_types, in_course = _context_of(context_activities)
    in_course = in_course or course_id is not None or bool(context.get("registration"))
    return classify(concept_of(verb_id), definition.get("type"), context_types,
                    in_course=in_course)  # fmt: skip


_CONTEXT_ROLES: Final = ("grouping", "parent", "other", "category")


def _context_of(context_activities: Mapping[str, list[dict[str, Any]]]) -> tuple[set[str], bool]:
    """The types of the context activities, and whether a category or a course among them
    places the statement inside a course."""
    types: set[str] = set()
    in_course = False
    for role in _CONTEXT_ROLES:
        for activity in context_activities.get(role) or ():
            kind = (activity.get("definition") or {}).get("type")
            if kind:
                types.add(kind)
            if role == "category" and _CATEGORIES.get(activity["id"], ("", ""))[1] == COURSE:
                in_course = True
    return types, in_course or bool(types & COURSE_TYPES)


def _course_in(
    context_activities: Mapping[str, list[dict[str, Any]]], target: Mapping[str, Any] | None
) -> str | None:
    """The course a statement names: its object if that is a course, else the first
    course among its grouping, parent and other context activities (a module, AU, video
    or question rolls up to its course). An activity is a course by its type; the
    administrator's course rules come first (``Rules.course``)."""
    candidates: list[Mapping[str, Any]] = [target] if target is not None else []
    for role in ("grouping", "parent", "other"):
        candidates += context_activities.get(role) or ()
    for activity in candidates:
        if (activity.get("definition") or {}).get("type") in COURSE_TYPES:
            return str(activity["id"])
    return None


# Object types that are a response to some content: the content is their parent.
RESPONSE_TYPES: Final = frozenset(
    {
        ActivityTypes.COMMENT,
        AS_SHORT + "comment",
        TINCAN_TYPE + "forum-reply",
        TINCAN_TYPE + "chat-message",
        AS_TYPE + "answer",
    }
)
TAG_TYPES: Final = frozenset({ActivityTypes.TAG, AS_TYPE + "tag"})


def _content_of(
    activity_id: str | None,
    activity_type: str | None,
    context_activities: Mapping[str, list[dict[str, Any]]],
) -> str | None:
    # "Who comments on whose content": a comment or reply object stands for the post,
    # page or question it answers, which by convention is its contextActivities.parent.
    parents = context_activities.get("parent") or []
    if activity_type in RESPONSE_TYPES and parents:
        return str(parents[0]["id"])
    return activity_id


def _tags_of(context_activities: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    """Topics of a statement: context activities (category/other) of a tag type."""
    tags: list[str] = []
    for role in ("category", "other", "grouping", "parent"):
        for activity in context_activities.get(role) or []:
            definition = activity.get("definition") or {}
            if definition.get("type") not in TAG_TYPES:
                continue
            name = _first_value(definition.get("name")) or str(activity["id"]).rstrip("/")
            tag = name.rsplit("/", 1)[-1].strip().lower()[:200] if "://" in name else name
            tag = tag.strip().lower()[:200]
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _first_value(language_map: Mapping[str, str] | None) -> str | None:
    if not language_map:
        return None
    for tag in ("en", "en-US", "en-GB"):
        if tag in language_map:
            return language_map[tag]
    return next(iter(language_map.values()))


def _space_of(
    context_activities: Mapping[str, list[dict[str, Any]]], target: Mapping[str, Any] | None
) -> str | None:
    # The container a statement belongs to: a course, blog or wiki. Grouping names the
    # outermost container by convention (cmi5 publisher id, blog, wiki); parent the next.
    for role in ("grouping", "parent"):
        listed = context_activities.get(role) or []
        if listed:
            return str(listed[0]["id"])
    if target is not None:
        kind = (target.get("definition") or {}).get("type")
        if kind in {ActivityTypes.COURSE, ActivityTypes.BLOG, ActivityTypes.WIKI}:
            return str(target["id"])
    return None


def _team_of(context: Mapping[str, Any]) -> str | None:
    team = context.get("team")
    groups = context.get("contextGroups") or []
    if team is None and groups:
        team = groups[0].get("group")
    if not team:
        return None
    return team.get("name") or agent_key(team)


def _score(score: Mapping[str, Any] | None) -> float | None:
    if not score:
        return None
    if "scaled" in score:
        return float(score["scaled"])
    if "raw" in score and "max" in score and score["max"] != score.get("min", 0):
        raw, low, high = score["raw"], score.get("min", 0), score["max"]
        try:
            offset, span = raw - low, high - low
            if not all(math.isfinite(v) for v in (offset, span) if isinstance(v, float)):
                # raw, min and max near the ends of the float range: their differences
                # overflow (inf / inf is NaN, which SQLite stores as NULL and PostgreSQL
                # sums into every rollup of the day; x / inf a wrong 0); halved they cannot.
                offset, span = raw / 2 - low / 2, high / 2 - low / 2
            scaled = float(offset / span)
        except OverflowError:  # an integer beyond any float beside a float
            return None
        return scaled if math.isfinite(scaled) else None
    return None


# The mean Gregorian year, for durations in years or months that no calendar date can
# be moved by (past the year 9999, or fractional).
_YEAR_SECONDS = 365.2425 * 86400


def _seconds(duration: str | None) -> float | None:
    """A duration in seconds, or None when it is none or too long to be counted: a valid
    duration may run to any number of years (XAPI-00124 sets no bound), the fact's column
    and the charts that average it need a finite number."""
    if not duration:
        return None
    try:
        parsed = isodate.parse_duration(duration)
        if isinstance(parsed, dt.timedelta):
            seconds = parsed.total_seconds()
        else:
            seconds = _calendar_seconds(parsed)
    except (isodate.ISO8601Error, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) else None


def _calendar_seconds(parsed: isodate.Duration) -> float:
    try:
        return float(parsed.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds())
    except (OverflowError, ValueError):
        years = float(parsed.years) + float(parsed.months) / 12
        return years * _YEAR_SECONDS + float(parsed.tdelta.total_seconds())
