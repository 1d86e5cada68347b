"""Valid statements of every shape are accepted, for 1.0.3 and 2.0.0, and returned unchanged
apart from contextActivities normalisation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from statements import validate
from tests.factories import (
    VERB_VOIDED,
    make_activity,
    make_agent,
    make_attachment,
    make_group,
    make_statement,
    make_statement_ref,
    make_sub_statement,
    make_verb,
)

VERSIONS = ["1.0.3", "2.0.0"]

INTERACTIONS: list[dict[str, Any]] = [
    {"interactionType": "true-false", "correctResponsesPattern": ["true"]},
    {
        "interactionType": "choice",
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": [{"id": "golf", "description": {"en-US": "Golf"}}, {"id": "tetris"}],
    },
    {"interactionType": "fill-in", "correctResponsesPattern": ["Bob's your uncle"]},
    {"interactionType": "long-fill-in", "correctResponsesPattern": ["{lang=en}essay"]},
    {
        "interactionType": "matching",
        "correctResponsesPattern": ["ben[.]3"],
        "source": [{"id": "ben", "description": {"en-US": "Ben"}}],
        "target": [{"id": "3", "description": {"en-US": "Three"}}],
    },
    {
        "interactionType": "performance",
        "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"],
        "steps": [{"id": "pong"}, {"id": "dg"}],
    },
    {
        "interactionType": "sequencing",
        "correctResponsesPattern": ["a[,]b"],
        "choices": [{"id": "a"}, {"id": "b"}],
    },
    {
        "interactionType": "likert",
        "correctResponsesPattern": ["likert_3"],
        "scale": [{"id": "likert_0", "description": {"sr-Latn-RS": "loše"}}, {"id": "likert_3"}],
    },
    {"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]},
    {"interactionType": "other", "correctResponsesPattern": ["(35.937432,-86.868896)"]},
]


def _shapes() -> list[Any]:
    full_context = {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": make_agent("ines"),
        "team": make_group(mbox="mailto:team@example.com"),
        "contextActivities": {
            "parent": [make_activity("http://example.com/parent")],
            "grouping": [{"id": "http://example.com/grouping"}],
            "category": [{"id": "http://example.com/category"}],
            "other": [{"id": "http://example.com/other"}],
        },
        "revision": "rev_10_3_2",
        "platform": "Example virtual meeting software",
        "language": "tlh",
        "statement": make_statement_ref(),
        "extensions": {"http://example.com/ext": {"nested": [1, None, "x"]}},
    }
    return [
        pytest.param(make_statement(), id="minimal"),
        pytest.param(make_statement(id=None), id="no-id"),
        pytest.param(
            make_statement(actor={"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}),
            id="actor-sha1",
        ),
        pytest.param(make_statement(actor={"openid": "http://openid.example.org/1"}), id="openid"),
        pytest.param(
            make_statement(
                actor={"account": {"homePage": "http://www.example.com", "name": "xAPI account"}}
            ),
            id="account",
        ),
        pytest.param(make_statement(actor=make_group()), id="anonymous-group"),
        pytest.param(
            make_statement(actor=make_group(openid="http://openid.example.org/g")),
            id="identified-group",
        ),
        pytest.param(
            make_statement(actor={"objectType": "Group", "mbox": "mailto:g@example.com"}),
            id="identified-group-no-members",
        ),
        pytest.param(make_statement(object={"id": "http://example.com/a"}), id="bare-activity"),
        pytest.param(make_statement(object=make_activity(definition={})), id="empty-definition"),
        pytest.param(make_statement(object=make_agent("obj")), id="object-agent"),
        pytest.param(make_statement(object=make_group()), id="object-group"),
        pytest.param(make_statement(object=make_statement_ref()), id="statement-ref"),
        pytest.param(
            make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref()),
            id="voiding",
        ),
        pytest.param(make_statement(object=make_sub_statement()), id="sub-statement"),
        pytest.param(
            make_statement(
                object=make_sub_statement(
                    object=make_statement_ref(),
                    result={"success": True},
                    context={"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
                    timestamp="2015-11-18T12:17:00+00:00",
                )
            ),
            id="sub-statement-full",
        ),
        pytest.param(
            make_statement(
                result={
                    "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
                    "success": True,
                    "completion": False,
                    "response": "We agreed on some example actions.",
                    "duration": "PT1H0M0.1S",
                    "extensions": {"http://example.com/null": None},
                }
            ),
            id="result",
        ),
        pytest.param(make_statement(result={"score": {"scaled": -1.0}}), id="scaled-minus-one"),
        pytest.param(make_statement(result={"duration": "P1DT12H36M0.1237S"}), id="fine-duration"),
        pytest.param(make_statement(result={"duration": "P4W"}), id="week-duration"),
        pytest.param(make_statement(context=full_context), id="full-context"),
        pytest.param(
            make_statement(
                object=make_agent("x"), context={"registration": str(full_context["registration"])}
            ),
            id="context-with-agent-object",
        ),
        pytest.param(make_statement(timestamp="2008-09-15T15:53:00.601+00:00"), id="ts-offset"),
        pytest.param(make_statement(timestamp="20080915T155300Z"), id="ts-basic"),
        pytest.param(make_statement(timestamp="2099-09-15T15:53:00Z"), id="ts-future"),
        pytest.param(
            make_statement(timestamp="2008-09-15T15:53:00.123456789Z"), id="ts-nanoseconds"
        ),
        pytest.param(make_statement(stored="2008-09-15T15:53:00.601Z"), id="stored"),
        pytest.param(make_statement(version="1.0"), id="version-1.0"),
        pytest.param(make_statement(version="1.0.9"), id="version-1.0.9"),
        pytest.param(make_statement(authority=make_agent("auth")), id="authority-agent"),
        pytest.param(
            make_statement(
                authority=make_group(
                    {"account": {"homePage": "http://example.com/oauth", "name": "consumer"}},
                    make_agent("user"),
                )
            ),
            id="authority-oauth-group",
        ),
        pytest.param(make_statement(attachments=[make_attachment()]), id="attachment"),
        pytest.param(
            make_statement(
                attachments=[
                    make_attachment(
                        usageType="http://adlnet.gov/expapi/attachments/signature",
                        contentType="application/octet-stream",
                        fileUrl=None,
                    )
                ]
            ),
            id="signature-attachment",
        ),
        pytest.param(make_statement(verb={"id": "http://example.com/v"}), id="verb-no-display"),
        pytest.param(
            make_statement(verb=make_verb(display={"de": "besucht", "zh-Hant": "x"})),
            id="verb-languages",
        ),
        pytest.param(
            make_statement(actor=make_agent(mbox="mailto:Alice@Example.COM")), id="mbox-case"
        ),
        pytest.param(make_statement(object=make_activity("http://例え.jp/パス")), id="unicode-iri"),
    ]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("statement", _shapes())
def test_valid_statements_are_accepted_unchanged(statement: dict[str, Any], version: str) -> None:
    """XAPI-00014, XAPI-00034, XAPI-00037, XAPI-00119: valid statements pass as sent."""
    before = copy.deepcopy(statement)
    assert validate(statement, version) == before
    assert statement == before


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("definition", INTERACTIONS, ids=lambda d: d["interactionType"])
def test_every_interaction_type_is_accepted(definition: dict[str, Any], version: str) -> None:
    """XAPI-00049..00055: each interactionType with its own component lists."""
    statement = make_statement(object=make_activity(definition=definition))
    assert validate(statement, version) == statement


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("where", ["statement", "sub_statement"])
def test_single_context_activity_is_normalised_to_array(version: str, where: str) -> None:
    """XAPI-00096: a single contextActivities object is returned as an array."""
    parent = {"id": "http://example.com/parent"}
    context = {"contextActivities": {"parent": parent, "other": [parent]}}
    if where == "statement":
        statement = make_statement(context=context)
    else:
        statement = make_statement(object=make_sub_statement(context=context))
    original = copy.deepcopy(statement)
    result: dict[str, Any] = dict(validate(statement, version))
    holder = result if where == "statement" else result["object"]
    assert holder["context"]["contextActivities"] == {"parent": [parent], "other": [parent]}
    assert statement == original, "the input must not be mutated"


def test_numbers_are_kept_as_given() -> None:
    """XAPI-00002: numbers are not coerced (an int stays an int)."""
    statement = make_statement(result={"score": {"raw": 5, "min": 0, "max": 10.0}})
    score = validate(statement, "1.0.3")["result"]["score"]  # type: ignore[typeddict-item]
    assert type(score["raw"]) is int
    assert type(score["max"]) is float


def test_any_1_0_x_request_version_uses_1_0_3_rules() -> None:
    """Communication 3.3: any 1.0.x header means 1.0.3 rules (no 2.0 context agents)."""
    statement = make_statement(version="1.0.1")
    assert validate(statement, "1.0.1") == statement
    with pytest.raises(ValueError, match="unsupported"):
        validate(statement, "0.95")


def test_2_0_context_agents_and_groups_are_accepted() -> None:
    """xAPI 2.0 (IEEE 9274.1.1) context.contextAgents and context.contextGroups."""
    context = {
        "contextAgents": [
            {
                "objectType": "contextAgent",
                "agent": make_agent("player"),
                "relevantTypes": ["https://example.com/types/player"],
            },
            {"objectType": "contextAgent", "agent": make_agent("coach")},
        ],
        "contextGroups": [
            {
                "objectType": "contextGroup",
                "group": make_group(mbox="mailto:team-1@example.com"),
                "relevantTypes": ["https://example.com/types/team"],
            }
        ],
    }
    statement = make_statement(context=context, version="2.0.0")
    assert validate(statement, "2.0.0") == statement
    sub = make_statement(object=make_sub_statement(context=context))
    assert validate(sub, "2.0.0") == sub
