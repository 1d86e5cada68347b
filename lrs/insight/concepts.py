"""The concept groups the read side asks its questions with, each defined once.

A statement's verb maps to one concept (``statements.vocabulary``); these groups say which
concepts count as contributing, reacting or consuming knowledge, and as each stage of a
course. Those the ingest rollups also count with are defined in ``statements.vocabulary``
(pure, the lowest layer that needs them) and only named here; those only the read side
uses are defined here. What a course is — a course named by the statement, its context or
its registration — is ``statements.vocabulary.course_of``, in SQL ``course_key``; who
enrols, ``enrols``.
"""

from __future__ import annotations

from typing import Final

from lrs.store.facts import course_key, enrols
from statements.vocabulary import (
    ATTEMPT_END,
    AUTHORING,
    COMPLETED,
    CONSUME,
    CONTRIBUTE,
    EDITING,
    ENROLLED,
    FAILED,
    JUDGED,
    PASSED,
    PROGRESS,
    REACT,
    RESPONDING,
    RESPONSES,
    SATISFIED,
    SESSION_END,
    STARTED,
    WRITING,
)

POST_TYPES: Final = (
    "http://activitystrea.ms/schema/1.0/article",
    "http://activitystrea.ms/schema/1.0/note",
    "http://id.tincanapi.com/activitytype/blog",
)
"""Activity types of posts (blog articles, notes), for "most read posts"."""
PAGE_TYPES: Final = (
    "http://activitystrea.ms/schema/1.0/page",
    "http://id.tincanapi.com/activitytype/wiki-page",
    "https://w3id.org/xapi/acrossx/activities/page",
)
"""Activity types of wiki pages, for "most read pages"."""
KNOWLEDGE_CONCEPTS: Final = (
    "authored", "created", "edited", "commented", "replied", "asked", "liked",
)  # fmt: skip
"""The informal work charted over time on the knowledge page."""

__all__ = [
    "ATTEMPT_END",
    "AUTHORING",
    "COMPLETED",
    "CONSUME",
    "CONTRIBUTE",
    "EDITING",
    "ENROLLED",
    "FAILED",
    "JUDGED",
    "KNOWLEDGE_CONCEPTS",
    "PAGE_TYPES",
    "PASSED",
    "POST_TYPES",
    "PROGRESS",
    "REACT",
    "RESPONDING",
    "RESPONSES",
    "SATISFIED",
    "SESSION_END",
    "STARTED",
    "WRITING",
    "course_key",
    "enrols",
]
