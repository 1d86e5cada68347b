"""Every validation rule, broken once, is rejected with a StatementError at the right path.

Cases mirror the ADL conformance suite's 400 expectations (1.0.3 and 2.0 configs).
"""

from __future__ import annotations

from typing import Any

import pytest

from statements import StatementError, validate
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
from tests.statements.assertions import assert_rejected

SIG = "http://adlnet.gov/expapi/attachments/signature"
UUID = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"


def _p(case_id: str, statement: Any, path: str) -> Any:
    return pytest.param(statement, path, id=case_id)


STRUCTURE = [
    _p("not-an-object", ["x"], ""),
    _p("missing-actor", make_statement(actor=None), "actor"),
    _p("missing-verb", make_statement(verb=None), "verb"),
    _p("missing-object", make_statement(object=None), "object"),
    _p("key-case-id", {**make_statement(), "iD": UUID}, "iD"),
    _p("key-case-actor", {**make_statement(), "Actor": make_agent()}, "Actor"),
    _p("key-case-version", {**make_statement(), "Version": "1.0.3"}, "Version"),
    _p("unknown-key", {**make_statement(), "foo": 1}, "foo"),
    _p("null-value", make_statement(actor=make_agent() | {"name": None}), "actor.name"),
    _p(
        "null-context-field", make_statement(context={"registration": None}), "context.registration"
    ),
    _p(
        "null-in-language-map",
        make_statement(verb=make_verb(display={"en-US": None})),
        "verb.display.en-US",
    ),
]

IDS = [
    _p("id-numeric", make_statement(id=12345), "id"),
    _p("id-object", make_statement(id={"key": "value"}), "id"),
    _p("id-too-long", make_statement(id="AA97B177-9383-4934-8543-0F91A7A028368"), "id"),
    _p("id-bad-letter", make_statement(id="MA97B177-9383-4934-8543-0F91A7A02836"), "id"),
    _p("id-empty", make_statement(id=""), "id"),
]

ACTORS = [
    _p("agent-no-ifi", make_statement(actor={"name": "x"}), "actor"),
    _p(
        "agent-two-ifis",
        make_statement(actor=make_agent(openid="http://openid.example.org/1")),
        "actor",
    ),
    _p(
        "agent-objecttype-case",
        make_statement(actor=make_agent(objectType="agent")),
        "actor.objectType",
    ),
    _p(
        "agent-objecttype-number",
        make_statement(actor=make_agent(objectType=123)),
        "actor.objectType",
    ),
    _p("agent-name-number", make_statement(actor=make_agent(name=123)), "actor.name"),
    _p("agent-name-object", make_statement(actor=make_agent(name={"k": "v"})), "actor.name"),
    _p("actor-string", make_statement(actor="agent"), "actor"),
    _p("mbox-not-mailto", make_statement(actor={"mbox": "http://should.fail.com"}), "actor.mbox"),
    _p("mbox-no-at", make_statement(actor={"mbox": "mailto:should.fail.com"}), "actor.mbox"),
    _p("sha1-not-string", make_statement(actor={"mbox_sha1sum": 12345}), "actor.mbox_sha1sum"),
    _p("sha1-not-hex", make_statement(actor={"mbox_sha1sum": "should fail"}), "actor.mbox_sha1sum"),
    _p(
        "openid-not-uri", make_statement(actor={"openid": "ab=c://should.fail.com"}), "actor.openid"
    ),
    _p(
        "openid-no-scheme", make_statement(actor={"openid": "open.id.com/testUser"}), "actor.openid"
    ),
    _p(
        "account-no-homepage",
        make_statement(actor={"account": {"name": "n"}}),
        "actor.account.homePage",
    ),
    _p(
        "account-no-name",
        make_statement(actor={"account": {"homePage": "http://example.com"}}),
        "actor.account.name",
    ),
    _p(
        "account-homepage-not-irl",
        make_statement(actor={"account": {"homePage": "homePage.com/testUser", "name": "1"}}),
        "actor.account.homePage",
    ),
    _p(
        "account-name-object",
        make_statement(actor={"account": {"homePage": "http://x.com", "name": {"k": "v"}}}),
        "actor.account.name",
    ),
    _p(
        "account-unknown-key",
        make_statement(actor={"account": {"homePage": "http://x.com", "name": "n", "x": 1}}),
        "actor.account.x",
    ),
    _p("agent-with-member", make_statement(actor=make_agent(member=[])), "actor.member"),
    _p(
        "group-objecttype-case",
        make_statement(actor=make_group(objectType="group")),
        "actor.objectType",
    ),
    _p("anonymous-group-no-member", make_statement(actor=make_group(member=None)), "actor.member"),
    _p("anonymous-group-empty-member", make_statement(actor=make_group(member=[])), "actor.member"),
    _p(
        "group-member-not-array",
        make_statement(actor=make_group(member=make_agent())),
        "actor.member",
    ),
    _p(
        "group-member-is-group",
        make_statement(actor=make_group(make_group(mbox="mailto:g@x.com"))),
        "actor.member[0].objectType",
    ),
    _p(
        "group-member-invalid-agent",
        make_statement(actor=make_group(make_agent(), {"name": "no ifi"})),
        "actor.member[1]",
    ),
    _p(
        "group-two-ifis",
        make_statement(actor=make_group(mbox="mailto:g@x.com", openid="http://x.com/g")),
        "actor",
    ),
    _p(
        "object-agent-without-objecttype",
        make_statement(object={"mbox": "mailto:x@example.com"}),
        "object.id",
    ),
]

VERBS = [
    _p("verb-no-id", make_statement(verb={"display": {"en-US": "x"}}), "verb.id"),
    _p("verb-id-not-iri", make_statement(verb={"id": "should fail"}), "verb.id"),
    _p("verb-id-no-scheme", make_statement(verb={"id": "adlnet.gov/expapi/verbs/x"}), "verb.id"),
    _p(
        "verb-display-string",
        make_statement(verb=make_verb(display="a12345 attended")),
        "verb.display",
    ),
    _p("verb-display-number", make_statement(verb=make_verb(display=12345)), "verb.display"),
    _p(
        "verb-display-bad-tag",
        make_statement(verb=make_verb(display={"a12345": "attended"})),
        "verb.display.a12345",
    ),
    _p(
        "verb-display-tag-too-long",
        make_statement(verb=make_verb(display={"something": "besucht"})),
        "verb.display.something",
    ),
]


def _definition(**definition: Any) -> dict[str, Any]:
    return make_statement(object=make_activity(definition=definition))


OBJECTS = [
    _p("object-string", make_statement(object="activity"), "object"),
    _p("activity-no-id", make_statement(object={"objectType": "Activity"}), "object.id"),
    _p("activity-id-not-iri", make_statement(object={"id": "ab=c://should.fail.com"}), "object.id"),
    _p(
        "activity-objecttype-case",
        make_statement(object=make_activity(objectType="activity")),
        "object.objectType",
    ),
    _p(
        "statementref-case",
        make_statement(object={"objectType": "statementref", "id": UUID}),
        "object.objectType",
    ),
    _p(
        "substatement-case",
        make_statement(object=make_sub_statement(objectType="substatement")),
        "object.objectType",
    ),
    _p("statementref-no-id", make_statement(object={"objectType": "StatementRef"}), "object.id"),
    _p(
        "statementref-bad-id",
        make_statement(object={"objectType": "StatementRef", "id": "x"}),
        "object.id",
    ),
    _p(
        "definition-not-object",
        make_statement(object=make_activity(definition="x")),
        "object.definition",
    ),
    _p("definition-unknown-key", _definition(foo=1), "object.definition.foo"),
    _p("name-string", _definition(name="x"), "object.definition.name"),
    _p("name-number", _definition(name=12345), "object.definition.name"),
    _p("name-bad-tag", _definition(name={"a12345678": "x"}), "object.definition.name.a12345678"),
    _p(
        "name-bad-extension-subtags",
        _definition(name={"zh-z-aaa-z-bbb-c-ccc": "x"}),
        "object.definition.name.zh-z-aaa-z-bbb-c-ccc",
    ),
    _p("description-string", _definition(description="x"), "object.definition.description"),
    _p("type-not-iri", _definition(type="should fail"), "object.definition.type"),
    _p(
        "moreinfo-not-irl",
        _definition(moreInfo="virtualmeeting.example.com"),
        "object.definition.moreInfo",
    ),
    _p(
        "interaction-wrong-case",
        _definition(interactionType="choiCe"),
        "object.definition.interactionType",
    ),
    _p(
        "interaction-other-case",
        _definition(interactionType="Other"),
        "object.definition.interactionType",
    ),
    _p(
        "interaction-number",
        _definition(interactionType=12345),
        "object.definition.interactionType",
    ),
    _p(
        "interaction-iri",
        _definition(interactionType="http://x.com/choice"),
        "object.definition.interactionType",
    ),
    _p(
        "crp-without-interaction",
        _definition(correctResponsesPattern=["x"]),
        "object.definition.correctResponsesPattern",
    ),
    _p(
        "choices-without-interaction",
        _definition(choices=[{"id": "a"}]),
        "object.definition.choices",
    ),
    _p("scale-without-interaction", _definition(scale=[{"id": "a"}]), "object.definition.scale"),
    _p(
        "source-on-choice",
        _definition(interactionType="choice", source=[{"id": "a"}]),
        "object.definition.source",
    ),
    _p(
        "steps-on-true-false",
        _definition(interactionType="true-false", steps=[{"id": "a"}]),
        "object.definition.steps",
    ),
    _p(
        "crp-not-strings",
        _definition(interactionType="numeric", correctResponsesPattern=[4]),
        "object.definition.correctResponsesPattern[0]",
    ),
    _p(
        "component-not-object",
        _definition(interactionType="choice", choices=["a"]),
        "object.definition.choices[0]",
    ),
    _p(
        "component-no-id",
        _definition(interactionType="choice", choices=[{"description": {"en-US": "A"}}]),
        "object.definition.choices[0].id",
    ),
    _p(
        "component-duplicate-id",
        _definition(interactionType="likert", scale=[{"id": "a"}, {"id": "a"}]),
        "object.definition.scale[1].id",
    ),
    _p(
        "component-bad-description",
        _definition(interactionType="performance", steps=[{"id": "a", "description": {"x1": "y"}}]),
        "object.definition.steps[0].description.x1",
    ),
    _p("extensions-not-object", _definition(extensions="x"), "object.definition.extensions"),
    _p(
        "extension-key-not-iri",
        _definition(extensions={"should fail": True}),
        "object.definition.extensions.should fail",
    ),
]

SUB_STATEMENTS = [
    _p(
        "sub-nested-sub",
        make_statement(object=make_sub_statement(object=make_sub_statement())),
        "object.object.objectType",
    ),
    _p("sub-with-id", make_statement(object=make_sub_statement(id=UUID)), "object.id"),
    _p(
        "sub-with-stored",
        make_statement(object=make_sub_statement(stored="2015-01-01T00:00:00Z")),
        "object.stored",
    ),
    _p(
        "sub-with-version",
        make_statement(object=make_sub_statement(version="1.0.0")),
        "object.version",
    ),
    _p(
        "sub-with-authority",
        make_statement(object=make_sub_statement(authority=make_agent())),
        "object.authority",
    ),
    _p("sub-no-actor", make_statement(object=make_sub_statement(actor=None)), "object.actor"),
    _p("sub-no-verb", make_statement(object=make_sub_statement(verb=None)), "object.verb"),
    _p("sub-no-object", make_statement(object=make_sub_statement(object=None)), "object.object"),
    _p(
        "sub-bad-timestamp",
        make_statement(object=make_sub_statement(timestamp="-00:00")),
        "object.timestamp",
    ),
    _p(
        "sub-actor-bad-account",
        make_statement(object=make_sub_statement(actor={"account": {"homePage": "http://x.com"}})),
        "object.actor.account.name",
    ),
    _p(
        "sub-context-platform-with-agent",
        make_statement(object=make_sub_statement(object=make_agent(), context={"platform": "x"})),
        "object.context.platform",
    ),
]

RESULTS = [
    _p("score-number", make_statement(result={"score": 12345}), "result.score"),
    _p("score-string", make_statement(result={"score": "should fail"}), "result.score"),
    _p("score-max-string", make_statement(result={"score": {"max": "100"}}), "result.score.max"),
    _p(
        "score-scaled-bool",
        make_statement(result={"score": {"scaled": True}}),
        "result.score.scaled",
    ),
    _p(
        "scaled-above-one",
        make_statement(result={"score": {"scaled": 1.01}}),
        "result.score.scaled",
    ),
    _p(
        "scaled-below-minus-one",
        make_statement(result={"score": {"scaled": -1.00001}}),
        "result.score.scaled",
    ),
    _p(
        "raw-above-max",
        make_statement(result={"score": {"raw": 0.67, "max": 0.65}}),
        "result.score.raw",
    ),
    _p(
        "raw-below-min",
        make_statement(result={"score": {"raw": 0.67, "min": 1.4}}),
        "result.score.raw",
    ),
    _p(
        "min-above-max", make_statement(result={"score": {"min": 10, "max": 5}}), "result.score.max"
    ),
    _p("success-string", make_statement(result={"success": "true"}), "result.success"),
    _p("completion-string", make_statement(result={"completion": "false"}), "result.completion"),
    _p("completion-object", make_statement(result={"completion": {}}), "result.completion"),
    _p("response-number", make_statement(result={"response": 12345}), "result.response"),
    _p("duration-invalid", make_statement(result={"duration": "PA1H0M0S"}), "result.duration"),
    _p(
        "duration-alternative-format",
        make_statement(result={"duration": "P0001-02-03T04:05:06"}),
        "result.duration",
    ),
    _p("duration-empty-time", make_statement(result={"duration": "PT"}), "result.duration"),
    _p("duration-negative", make_statement(result={"duration": "-P1D"}), "result.duration"),
    _p("duration-weeks-with-days", make_statement(result={"duration": "P4W1D"}), "result.duration"),
    _p(
        "result-extensions-number",
        make_statement(result={"extensions": 12345}),
        "result.extensions",
    ),
    _p("result-unknown-key", make_statement(result={"foo": 1}), "result.foo"),
]

CONTEXTS = [
    _p(
        "registration-string",
        make_statement(context={"registration": "should fail"}),
        "context.registration",
    ),
    _p(
        "registration-object",
        make_statement(context={"registration": {"k": "v"}}),
        "context.registration",
    ),
    _p("instructor-string", make_statement(context={"instructor": "agent"}), "context.instructor"),
    _p(
        "instructor-no-ifi",
        make_statement(context={"instructor": {"key": "value"}}),
        "context.instructor.key",
    ),
    _p("team-agent", make_statement(context={"team": make_agent()}), "context.team.objectType"),
    _p("team-string", make_statement(context={"team": "group"}), "context.team"),
    _p(
        "context-activities-string",
        make_statement(context={"contextActivities": "x"}),
        "context.contextActivities",
    ),
    _p(
        "context-activities-empty",
        make_statement(context={"contextActivities": {}}),
        "context.contextActivities",
    ),
    _p(
        "context-activities-bad-key",
        make_statement(context={"contextActivities": {"parents": [{"id": "http://x.com"}]}}),
        "context.contextActivities.parents",
    ),
    _p(
        "context-activities-bad-item",
        make_statement(
            context={"contextActivities": {"other": [{"id": "http://x.com"}, {"key": "v"}]}}
        ),
        "context.contextActivities.other[1].id",
    ),
    _p(
        "context-activities-single-invalid",
        make_statement(context={"contextActivities": {"parent": {"id": "not an iri"}}}),
        "context.contextActivities.parent.id",
    ),
    _p("revision-number", make_statement(context={"revision": 1}), "context.revision"),
    _p("platform-object", make_statement(context={"platform": {}}), "context.platform"),
    _p(
        "revision-with-agent",
        make_statement(object=make_agent(), context={"revision": "r"}),
        "context.revision",
    ),
    _p(
        "platform-with-group",
        make_statement(object=make_group(), context={"platform": "p"}),
        "context.platform",
    ),
    _p(
        "platform-with-statementref",
        make_statement(object=make_statement_ref(), context={"platform": "p"}),
        "context.platform",
    ),
    _p("language-invalid", make_statement(context={"language": "something"}), "context.language"),
    _p("language-number", make_statement(context={"language": 1}), "context.language"),
    _p(
        "statement-not-statementref",
        make_statement(context={"statement": {"objectType": "statementref", "id": UUID}}),
        "context.statement.objectType",
    ),
    _p(
        "statement-bad-uuid",
        make_statement(context={"statement": {"objectType": "StatementRef", "id": "x"}}),
        "context.statement.id",
    ),
    _p(
        "context-extension-key",
        make_statement(context={"extensions": {"k": 1}}),
        "context.extensions.k",
    ),
    _p(
        "context-agents-in-1.0.3",
        make_statement(
            context={"contextAgents": [{"objectType": "contextAgent", "agent": make_agent()}]}
        ),
        "context.contextAgents",
    ),
]

STATEMENT_LEVEL = [
    _p("timestamp-string", make_statement(timestamp="should fail"), "timestamp"),
    _p("timestamp-date", make_statement(timestamp="01/011/2015"), "timestamp"),
    _p("timestamp-minus-00", make_statement(timestamp="2008-09-15T15:53:00.601-00"), "timestamp"),
    _p(
        "timestamp-minus-0000",
        make_statement(timestamp="2008-09-15T15:53:00.601-0000"),
        "timestamp",
    ),
    _p(
        "timestamp-minus-00-00",
        make_statement(timestamp="2008-09-15T15:53:00.601-00:00"),
        "timestamp",
    ),
    _p("timestamp-date-only", make_statement(timestamp="2008-09-15"), "timestamp"),
    _p("stored-invalid", make_statement(stored="yesterday"), "stored"),
    _p("version-string", make_statement(version="should fail"), "version"),
    _p("version-0.9.9", make_statement(version="0.9.9"), "version"),
    _p("version-1.1.0", make_statement(version="1.1.0"), "version"),
    _p("version-2.0.0-in-1.0.3", make_statement(version="2.0.0"), "version"),
    _p("authority-string", make_statement(authority="x"), "authority"),
    _p(
        "authority-identified-group",
        make_statement(authority=make_group(mbox="mailto:g@x.com")),
        "authority",
    ),
    _p(
        "authority-one-member",
        make_statement(authority=make_group(make_agent())),
        "authority.member",
    ),
    _p(
        "authority-three-members",
        make_statement(authority=make_group(make_agent("a"), make_agent("b"), make_agent("c"))),
        "authority.member",
    ),
    _p(
        "authority-bad-agent",
        make_statement(authority={"account": {"name": "x"}}),
        "authority.account.homePage",
    ),
    _p(
        "voiding-non-statementref", make_statement(verb=make_verb(VERB_VOIDED)), "object.objectType"
    ),
]

ATTACHMENTS = [
    _p("attachments-not-array", make_statement(attachments=make_attachment()), "attachments"),
    _p("attachment-number", make_statement(attachments=[12345]), "attachments[0]"),
    _p("attachment-string", make_statement(attachments=["x"]), "attachments[0]"),
    _p(
        "usage-type-not-iri",
        make_statement(attachments=[make_attachment(usageType="x")]),
        "attachments[0].usageType",
    ),
    _p(
        "no-usage-type",
        make_statement(attachments=[make_attachment(usageType=None)]),
        "attachments[0].usageType",
    ),
    _p(
        "display-missing",
        make_statement(attachments=[make_attachment(display=None)]),
        "attachments[0].display",
    ),
    _p(
        "display-string",
        make_statement(attachments=[make_attachment(display="x")]),
        "attachments[0].display",
    ),
    _p(
        "display-bad-tag",
        make_statement(attachments=[make_attachment(display={"a12345": "x"})]),
        "attachments[0].display.a12345",
    ),
    _p(
        "description-number",
        make_statement(attachments=[make_attachment(description=1)]),
        "attachments[0].description",
    ),
    _p(
        "content-type-number",
        make_statement(attachments=[make_attachment(contentType=1)]),
        "attachments[0].contentType",
    ),
    _p(
        "content-type-not-mime",
        make_statement(attachments=[make_attachment(contentType="text")]),
        "attachments[0].contentType",
    ),
    _p(
        "length-string",
        make_statement(attachments=[make_attachment(length="27")]),
        "attachments[0].length",
    ),
    _p(
        "length-float",
        make_statement(attachments=[make_attachment(length=2.5)]),
        "attachments[0].length",
    ),
    _p(
        "length-negative",
        make_statement(attachments=[make_attachment(length=-1)]),
        "attachments[0].length",
    ),
    _p(
        "sha2-invalid",
        make_statement(attachments=[make_attachment(sha2="should fail")]),
        "attachments[0].sha2",
    ),
    _p(
        "sha2-missing",
        make_statement(attachments=[make_attachment(sha2=None)]),
        "attachments[0].sha2",
    ),
    _p(
        "file-url-not-irl",
        make_statement(attachments=[make_attachment(fileUrl="over.there.com/f")]),
        "attachments[0].fileUrl",
    ),
    _p(
        "signature-wrong-content-type",
        make_statement(attachments=[make_attachment(usageType=SIG)]),
        "attachments[0].contentType",
    ),
]


@pytest.mark.parametrize(("statement", "path"), STRUCTURE + IDS)
def test_structure_and_id_rules(statement: Any, path: str) -> None:
    """XAPI-00001, XAPI-00003..00010, XAPI-00027..00030: required keys, key case, nulls, ids."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), ACTORS)
def test_actor_rules(statement: Any, path: str) -> None:
    """XAPI-00031..00043, XAPI-00065: objectType, IFIs, accounts, Groups and members."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), VERBS)
def test_verb_rules(statement: Any, path: str) -> None:
    """XAPI-00011, XAPI-00013, XAPI-00044, XAPI-00045, XAPI-00121: verb id and display."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), OBJECTS)
def test_object_rules(statement: Any, path: str) -> None:
    """XAPI-00046..00064, XAPI-00072, XAPI-00073, XAPI-00118: objects and definitions."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), SUB_STATEMENTS)
def test_sub_statement_rules(statement: Any, path: str) -> None:
    """XAPI-00066..00071: SubStatement restrictions."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), RESULTS)
def test_result_rules(statement: Any, path: str) -> None:
    """XAPI-00006, XAPI-00074..00083, XAPI-00124: result types, score ranges, durations."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), CONTEXTS)
def test_context_rules(statement: Any, path: str) -> None:
    """XAPI-00084..00095: context properties."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), STATEMENT_LEVEL)
def test_statement_level_rules(statement: Any, path: str) -> None:
    """XAPI-00017, XAPI-00022..00024, XAPI-00098..00101, XAPI-00123: timestamps, authority,
    version, voiding."""
    assert_rejected(statement, path)


@pytest.mark.parametrize(("statement", "path"), ATTACHMENTS)
def test_attachment_rules(statement: Any, path: str) -> None:
    """XAPI-00025, XAPI-00102..00107, XAPI-00115: attachment metadata."""
    assert_rejected(statement, path)


def _ctx_agents(*items: Any) -> dict[str, Any]:
    return make_statement(context={"contextAgents": list(items)})


def _ctx_groups(*items: Any) -> dict[str, Any]:
    return make_statement(context={"contextGroups": list(items)})


V2_CASES = [
    _p(
        "context-agent-wrong-objecttype",
        _ctx_agents({"objectType": "Should fail", "agent": make_agent()}),
        "context.contextAgents[0].objectType",
    ),
    _p(
        "context-agent-missing-objecttype",
        _ctx_agents({"agent": make_agent()}),
        "context.contextAgents[0].objectType",
    ),
    _p(
        "context-agent-invalid-agent",
        _ctx_agents({"objectType": "contextAgent", "agent": {"key": "Should fail"}}),
        "context.contextAgents[0].agent.key",
    ),
    _p(
        "context-agent-group",
        _ctx_agents({"objectType": "contextAgent", "agent": make_group()}),
        "context.contextAgents[0].agent.objectType",
    ),
    _p(
        "context-agent-empty-relevant-types",
        _ctx_agents({"objectType": "contextAgent", "agent": make_agent(), "relevantTypes": []}),
        "context.contextAgents[0].relevantTypes",
    ),
    _p(
        "context-agent-relevant-type-not-iri",
        _ctx_agents(
            {"objectType": "contextAgent", "agent": make_agent(), "relevantTypes": ["abc"]}
        ),
        "context.contextAgents[0].relevantTypes[0]",
    ),
    _p(
        "context-agents-not-array",
        _ctx_agents() | {"context": {"contextAgents": {}}},
        "context.contextAgents",
    ),
    _p(
        "context-group-wrong-objecttype",
        _ctx_groups({"objectType": "contextAgent", "group": make_group()}),
        "context.contextGroups[0].objectType",
    ),
    _p(
        "context-group-agent",
        _ctx_groups({"objectType": "contextGroup", "group": make_agent()}),
        "context.contextGroups[0].group.objectType",
    ),
    _p(
        "context-group-empty-relevant-types",
        _ctx_groups({"objectType": "contextGroup", "group": make_group(), "relevantTypes": []}),
        "context.contextGroups[0].relevantTypes",
    ),
    _p(
        "sub-context-agent-invalid",
        make_statement(
            object=make_sub_statement(
                context={"contextAgents": [{"objectType": "contextAgent", "agent": {"key": "x"}}]}
            )
        ),
        "object.context.contextAgents[0].agent.key",
    ),
    _p("version-1.1.0", make_statement(version="1.1.0"), "version"),
    _p("version-3.0.0", make_statement(version="3.0.0"), "version"),
    _p(
        "timestamp-minus-00-00",
        make_statement(timestamp="2008-09-15T15:53:00.601-00:00"),
        "timestamp",
    ),
]


@pytest.mark.parametrize(("statement", "path"), V2_CASES)
def test_2_0_rules(statement: Any, path: str) -> None:
    """xAPI 2.0: contextAgents/contextGroups structure, version, timestamps."""
    assert_rejected(statement, path, version="2.0.0")


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize(
    ("statement", "path"), STRUCTURE + ACTORS + OBJECTS + RESULTS + ATTACHMENTS
)
def test_1_0_3_rules_also_apply_to_2_0(statement: Any, path: str, version: str) -> None:
    """The 2.0 suite repeats the 1.0.3 data rules."""
    assert_rejected(statement, path, version=version)


def test_2_0_accepts_version_2_0_0() -> None:
    """xAPI 2.0 Data 2.4.10: "2.0.0" is kept as sent (XAPI-00332)."""
    statement = make_statement(version="2.0.0")
    assert validate(statement, "2.0.0") == statement


def test_error_is_a_value_error_with_readable_text() -> None:
    """StatementError carries path and message and reads well as a ValueError."""
    with pytest.raises(ValueError, match=r"^actor\.mbox: ") as info:
        validate(make_statement(actor={"mbox": "x"}), "1.0.3")
    assert isinstance(info.value, StatementError)
    assert "mailto" in info.value.message
