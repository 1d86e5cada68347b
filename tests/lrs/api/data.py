"""Known statements for the export, aggregate and forwarding tests: one formal, one
informal, one other, one voided (with its voiding statement)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import VERB_VOIDED, make_activity, make_agent, make_statement, make_verb

REGISTRATION = "5f1c0a4e-7d3b-4f55-9a8e-0c2b7f6d1a11"
COURSE = "http://example.com/courses/safety"
BLOG_POST = "http://example.com/blog/posts/1"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
COMMENTED = "http://adlnet.gov/expapi/verbs/commented"
ODD_VERB = "http://example.com/verbs/pondered"


def known_statements() -> dict[str, dict[str, Any]]:
    """name -> statement; ``voiding`` voids ``voided``."""
    passed = make_statement(
        actor=make_agent("alice"),
        verb=make_verb(PASSED),
        object=make_activity(
            COURSE + "/final-test",
            definition={
                "name": {"en-US": "Final test"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        ),
        result={
            "score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "duration": "PT1H2M",
        },
        context={
            "registration": REGISTRATION,
            "contextActivities": {"grouping": [{"id": COURSE}]},
        },
        timestamp="2026-03-02T10:00:00.000Z",
    )
    commented = make_statement(
        actor=make_agent("bob", name="=Bob"),
        verb=make_verb(COMMENTED),
        object=make_activity(
            BLOG_POST,
            definition={
                "name": {"en-US": "On safety"},
                "type": "http://id.tincanapi.com/activitytype/blog",
            },
        ),
        timestamp="2026-03-03T10:00:00.000Z",
    )
    other = make_statement(
        actor=make_agent("carol"),
        verb=make_verb(ODD_VERB),
        object=make_activity("http://example.com/things/1", definition=None),
        timestamp="2026-03-04T10:00:00.000Z",
    )
    voided = make_statement(actor=make_agent("dave"), timestamp="2026-03-05T10:00:00.000Z")
    voiding = make_statement(
        actor=make_agent("dave"),
        verb=make_verb(VERB_VOIDED),
        object={"objectType": "StatementRef", "id": voided["id"]},
    )
    return {
        "passed": passed,
        "commented": commented,
        "other": other,
        "voided": voided,
        "voiding": voiding,
    }


def fresh_id() -> str:
    return str(uuid.uuid4())
