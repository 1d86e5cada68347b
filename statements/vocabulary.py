"""Verbs and activity types of courses, blogs and wikis, and the classification of a
statement as formal or informal learning.

Classification looks at IRIs only, never at display names, and at the pair (verb, object
activity type) plus the statement's context: "commented" on a blog post is informal,
"answered" on a course interaction is formal. The same meaning arrives under several IRIs
in real data (ActivityStreams with and without ``/schema/1.0/``, ADL legacy and w3id), so
every IRI maps to one *concept*; stored statements are never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import isodate

from statements.fields import parse_timestamp
from statements.ifi import agent_key
from statements.schema import VOIDED_VERB

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


# concept -> (action class, IRIs that mean it)
_CONCEPTS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "registered": ("enrol", (ADL + "registered", ACROSSX + "enrolled")),
    "launched": ("consume", (ADL + "launched",)),
    "initialized": ("progress", (ADL + "initialized",)),
    "attempted": ("progress", (ADL + "attempted",)),
    "progressed": ("progress", (ADL + "progressed",)),
    "resumed": ("progress", (ADL + "resumed", TLA + "resumed")),
    "suspended": ("progress", (ADL + "suspended", TLA + "suspended")),
    "terminated": ("progress", (ADL + "terminated",)),
    "abandoned": ("progress", (ADL_W3ID + "abandoned",)),
    "completed": ("achieve", (ADL + "completed",)),
    "passed": ("achieve", (ADL + "passed",)),
    "mastered": ("achieve", (ADL + "mastered",)),
    "satisfied": ("achieve", (ADL_W3ID + "satisfied",)),
    "waived": ("achieve", (ADL_W3ID + "waived",)),
    "earned": ("achieve", (TINCAN + "earned", TLA + "achieved")),
    "failed": ("fail", (ADL + "failed",)),
    "scored": ("assess", (ADL + "scored", TLA + "scored")),
    "answered": ("assess", (ADL + "answered", ADL + "responded")),
    "authored": (
        "contribute",
        (
            AS + "author",
            AS + "post",
            AS_SHORT + "post",
            ACROSSX + "posted",
            "https://w3id.org/xapi/dod-isd/verbs/published",
        ),
    ),
    "created": (
        "contribute",
        (
            AS + "create",
            AS_SHORT + "create",
            "https://w3id.org/xapi/dod-isd/verbs/created",
            ADL + "authored",
        ),
    ),
    "edited": (
        "contribute",
        (
            ACROSSX + "edited",
            AS + "update",
            AS_SHORT + "update",
            "https://w3id.org/xapi/dod-isd/verbs/edited",
            "https://w3id.org/xapi/dod-isd/verbs/updated",
            "https://w3id.org/xapi/dod-isd/verbs/revised",
        ),
    ),
    "commented": ("contribute", (ADL + "commented", AS + "comment", AS_SHORT + "comment")),
    "replied": ("contribute", (TINCAN + "replied",)),
    "asked": ("contribute", (ADL + "asked",)),
    "shared": ("contribute", (ADL + "shared", AS + "share", AS_SHORT + "share")),
    "tagged": ("contribute", (AS + "tag",)),
    "liked": (
        "react",
        (
            AS + "like",
            AS_SHORT + "like",
            ACROSSX + "liked",
            AS + "favorite",
            TINCAN + "voted-up",
            TINCAN + "rated",
        ),
    ),
    "bookmarked": ("react", (TINCAN + "bookmarked", AS + "save")),
    "viewed": (
        "consume",
        (
            TINCAN + "viewed",
            AS + "read",
            AS_SHORT + "read",
            ADL + "experienced",
            "https://w3id.org/xapi/video/verbs/played",
        ),
    ),
    "searched": ("consume", (ACROSSX + "searched", AS + "search")),
    "attended": ("consume", (ADL + "attended",)),
    "voided": ("admin", (VOIDED_VERB,)),
}

CONCEPT_OF_VERB: Final[dict[str, str]] = {
    iri: concept for concept, (_, iris) in _CONCEPTS.items() for iri in iris
}
ACTION_OF_CONCEPT: Final[dict[str, str]] = {
    concept: action for concept, (action, _) in _CONCEPTS.items()
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
ENROLLED: Final = ("registered",)
STARTED: Final = ("launched", "initialized", "attempted", "progressed", "resumed", "terminated")
COMPLETED: Final = ("completed", "satisfied", "passed", "mastered", "waived")
PASSED: Final = ("passed", "mastered")
FAILED: Final = ("failed",)
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
}
"""The stages of a course funnel and the concepts that reach each."""


def course_of(space_id: str | None, activity_id: str | None) -> str | None:
    """The course a fact counts towards: the container it belongs to (its space, from
    grouping or parent), else its activity itself."""
    return activity_id if space_id is None else space_id


FORMAL_TYPES: Final = frozenset(
    {
        ADL_TYPE + name
        for name in (
            "course",
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
    }
    | {
        "https://w3id.org/xapi/cmi5/activitytype/course",
        "https://w3id.org/xapi/cmi5/activitytype/block",
        "https://w3id.org/xapi/cmi5/activities/course",
        "https://w3id.org/xapi/cmi5/activities/block",
    }
)
INFORMAL_TYPES: Final = frozenset(
    {
        TINCAN_TYPE + name
        for name in (
            "blog",
            "discussion",
            "forum-reply",
            "forum-topic",
            "tag",
            "chat-message",
            "tweet",
            "wiki",
            "wiki-page",
        )
    }
    | {
        AS_TYPE + name
        for name in ("article", "comment", "page", "question", "note", "bookmark", "review", "file")
    }
    | {
        "http://xapi.jisc.ac.uk/activities/wiki",
        "https://w3id.org/xapi/acrossx/activities/page",
    }
)
FORMAL_CONCEPTS: Final = frozenset(
    {
        "registered",
        "launched",
        "initialized",
        "attempted",
        "progressed",
        "resumed",
        "suspended",
        "terminated",
        "abandoned",
        "completed",
        "passed",
        "mastered",
        "satisfied",
        "waived",
        "failed",
        "scored",
        "answered",
    }
)
INFORMAL_CONCEPTS: Final = frozenset(
    {
        "authored",
        "created",
        "edited",
        "commented",
        "replied",
        "asked",
        "shared",
        "tagged",
        "liked",
        "bookmarked",
    }
)


def concept_of(verb_id: str) -> str:
    """The concept a verb IRI means, or ``other``."""
    return CONCEPT_OF_VERB.get(verb_id, "other")


def source_kind(concept: str, activity_type: str | None, context_types: set[str]) -> str:
    """``formal``, ``informal`` or ``other`` for a (concept, object type, context) triple."""
    if activity_type in FORMAL_TYPES or context_types & FORMAL_TYPES:
        return "formal"
    if activity_type in INFORMAL_TYPES or context_types & INFORMAL_TYPES:
        return "informal"
    if concept in FORMAL_CONCEPTS:
        return "formal"
    if concept in INFORMAL_CONCEPTS:
        return "informal"
    return "other"


def learning_fact(statement: Mapping[str, Any]) -> dict[str, Any] | None:
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
    context_types = {
        activity["definition"]["type"]
        for listed in context_activities.values()
        for activity in listed
        if "type" in (activity.get("definition") or {})
    }
    concept = concept_of(verb_id)
    activity_type = definition.get("type")
    activity_id = target.get("id") if is_activity else None
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
        "source_kind": source_kind(concept, activity_type, context_types),
        "space_id": _space_of(context_activities, target if is_activity else None),
        "platform": context.get("platform"),
        "team": _team_of(context),
        "registration": (context.get("registration") or "").lower() or None,
        "score_scaled": _score(result.get("score")),
        "success": result.get("success"),
        "completion": result.get("completion"),
        "duration_seconds": _seconds(result.get("duration")),
        "tags": _tags_of(context_activities),
    }


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
        low = score.get("min", 0)
        return float((score["raw"] - low) / (score["max"] - low))
    return None


def _seconds(duration: str | None) -> float | None:
    if not duration:
        return None
    try:
        parsed = isodate.parse_duration(duration)
    except (isodate.ISO8601Error, ValueError):
        return None
    if isinstance(parsed, dt.timedelta):
        return parsed.total_seconds()
    return float(parsed.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds())
