"""Agent keys, index roles, formats, statement comparison, enrich and statement refs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from statements import (
    StatementError,
    activity_ids_in,
    agent_key,
    agent_keys_in,
    check_restored,
    enrich,
    format_statement,
    is_voiding,
    same_statement,
    statement_refs,
    validate,
)
from tests.factories import (
    VERB_VOIDED,
    make_activity,
    make_agent,
    make_group,
    make_statement,
    make_statement_ref,
    make_sub_statement,
    make_verb,
)


@pytest.mark.parametrize(
    ("agent", "key"),
    [
        ({"mbox": "mailto:A.B@Example.COM"}, "mbox:mailto:A.B@example.com"),
        (
            {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
            "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975",
        ),
        ({"openid": "http://openid.example.org/1"}, "openid:http://openid.example.org/1"),
        ({"account": {"homePage": "http://x.com", "name": "n"}}, "account:http://x.com|n"),
        (make_group(), None),
    ],
)
def test_agent_key(agent: dict[str, Any], key: str | None) -> None:
    """XAPI-00034: one canonical key per IFI; anonymous Groups have none."""
    assert agent_key(agent) == key


def test_agent_keys_in_reports_every_role() -> None:
    """Feeds the agent= and related_agents= queries."""
    statement = make_statement(
        actor=make_group(make_agent("m1"), make_agent("m2"), mbox="mailto:team@example.com"),
        authority=make_agent("auth"),
        context={
            "instructor": make_agent("teacher"),
            "team": make_group(mbox="mailto:t2@example.com"),
            "contextAgents": [{"objectType": "contextAgent", "agent": make_agent("ca")}],
            "contextGroups": [
                {"objectType": "contextGroup", "group": make_group(mbox="mailto:cg@example.com")}
            ],
        },
        object=make_sub_statement(actor=make_agent("subactor"), object=make_agent("subobj")),
    )
    assert agent_keys_in(statement) == [
        ("mbox:mailto:team@example.com", "actor"),
        ("mbox:mailto:m1@example.com", "member"),
        ("mbox:mailto:m2@example.com", "member"),
        ("mbox:mailto:teacher@example.com", "instructor"),
        ("mbox:mailto:t2@example.com", "team"),
        ("mbox:mailto:ca@example.com", "context_agent"),
        ("mbox:mailto:cg@example.com", "context_group"),
        ("mbox:mailto:auth@example.com", "authority"),
        ("mbox:mailto:subactor@example.com", "sub_actor"),
        ("mbox:mailto:subobj@example.com", "sub_object"),
    ]


def test_activity_ids_in_reports_every_role() -> None:
    """Feeds the activity= and related_activities= queries; single objects count too."""
    context = {
        "contextActivities": {
            "parent": {"id": "http://x.com/p"},
            "grouping": [{"id": "http://x.com/g"}],
            "category": [{"id": "http://x.com/c"}],
            "other": [{"id": "http://x.com/o"}, {"id": "http://x.com/o"}],
        }
    }
    statement = make_statement(
        object=make_sub_statement(object=make_activity("http://x.com/sub"), context=context),
        context=context,
    )
    assert activity_ids_in(statement) == [
        ("http://x.com/p", "parent"),
        ("http://x.com/g", "grouping"),
        ("http://x.com/c", "category"),
        ("http://x.com/o", "other"),
        ("http://x.com/sub", "sub_object"),
        ("http://x.com/p", "sub_parent"),
        ("http://x.com/g", "sub_grouping"),
        ("http://x.com/c", "sub_category"),
        ("http://x.com/o", "sub_other"),
    ]
    assert activity_ids_in(make_statement()) == [("http://example.com/activities/1", "object")]


def test_statement_refs_and_voiding() -> None:
    """XAPI-00019, XAPI-00020: a voiding statement targets a StatementRef."""
    target = str(uuid.uuid4())
    voiding = make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref(target))
    assert statement_refs(voiding) == target
    assert is_voiding(voiding)
    assert statement_refs(make_statement()) is None
    assert not is_voiding(make_statement(object=make_statement_ref(target)))


def test_ids_format() -> None:
    """XAPI-00171: ids keeps only identifiers (anonymous Groups: their members)."""
    statement = make_statement(
        object=make_sub_statement(actor=make_group(mbox="mailto:g@example.com")),
        context={"instructor": make_group(), "contextActivities": {"parent": [make_activity()]}},
    )
    out = format_statement(statement, "ids", [])
    assert out["actor"] == {"objectType": "Agent", "mbox": "mailto:alice@example.com"}
    assert out["verb"] == {"id": statement["verb"]["id"]}
    sub = out["object"]
    assert sub["actor"] == {"objectType": "Group", "mbox": "mailto:g@example.com"}
    assert sub["object"] == {"id": "http://example.com/activities/sub"}
    assert len(sub["verb"]) == 1
    assert out["context"]["instructor"]["member"] == [
        {"objectType": "Agent", "mbox": "mailto:bob@example.com"},
        {"objectType": "Agent", "mbox": "mailto:carol@example.com"},
    ]
    assert out["context"]["contextActivities"] == {
        "parent": [{"id": "http://example.com/activities/1"}]
    }


def test_canonical_format_keeps_one_language() -> None:
    """XAPI-00169: canonical returns one language per language map."""
    verb = make_verb(display={"en-US": "attempted", "en-GB": "attempted (GB)", "fr": "essayé"})
    statement = make_statement(verb=verb, object=make_sub_statement(verb=verb))
    out = format_statement(statement, "canonical", ["en-GB"])
    assert out["verb"]["display"] == {"en-GB": "attempted (GB)"}
    assert out["object"]["verb"]["display"] == {"en-GB": "attempted (GB)"}
    assert out["object"]["object"]["definition"]["name"] == {"en-US": "Example activity"}
    french = format_statement(make_statement(), "canonical", ["fr-CA", "en"])
    assert french["object"]["definition"]["name"] == {"fr-FR": "Activité exemple"}
    assert format_statement(statement, "exact", ["en-GB"]) == statement


def test_same_statement_ignores_immutability_exceptions() -> None:
    """Data 2.3.1 Statement Comparison Requirements."""
    original = make_statement(
        actor=make_group(make_agent("a"), make_agent("b")),
        context={"contextActivities": {"parent": {"id": "http://x.com/p"}}},
        timestamp="2023-05-04T12:00:00-05:00",
        result={"duration": "P1DT12H36M0.1237S"},
    )
    stored = validate(original, "1.0.3")
    enriched = enrich(
        stored,
        statement_id=None,
        stored=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        authority=make_agent("lrs"),
        version="1.0.3",
    )
    resent: dict[str, Any] = {
        **original,
        "id": original["id"].upper(),
        "timestamp": "2023-05-04T17:00:00.000Z",
        "actor": make_group(make_agent("b"), make_agent("a")),
        "verb": {"id": original["verb"]["id"], "display": {"de": "versucht"}},
        "object": {"id": original["object"]["id"]},
        "result": {"duration": "P1DT12H36M0.12S"},
    }
    assert same_statement(enriched, resent)
    assert same_statement(resent, enriched)
    assert same_statement(
        {**resent, "version": "1.0.0"}, {k: v for k, v in resent.items() if k != "version"}
    )
    assert not same_statement(enriched, {**resent, "result": {"duration": "P1DT12H36M0.13S"}})
    assert not same_statement(enriched, {**resent, "object": {"id": "http://x.com/other"}})
    assert not same_statement(enriched, {**resent, "timestamp": "2023-05-04T17:00:01Z"})
    assert not same_statement(
        enriched, {**resent, "actor": make_group(make_agent("b"), make_agent("c"))}
    )


def test_enrich_fills_lrs_properties() -> None:
    """XAPI-00023, XAPI-00026, XAPI-00097, XAPI-00099: id, stored, timestamp, authority, version."""
    statement = validate(make_statement(id=None), "1.0.3")
    when = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
    authority = make_agent("lrs")
    out = enrich(statement, statement_id=None, stored=when, authority=authority, version="1.0.3")
    assert uuid.UUID(out["id"]).version == 4
    assert out["stored"] == "2024-05-01T12:00:00.123Z"
    assert out["timestamp"] == out["stored"]
    assert out["authority"] == authority
    assert out["version"] == "1.0.0"
    assert "id" not in statement, "the input must not be mutated"
    out2 = enrich(
        make_statement(
            version="2.0.0", timestamp="2020-01-01T00:00:00Z", authority=make_agent("x")
        ),
        statement_id=None,
        stored=when,
        authority=authority,
        version="2.0.0",
    )
    assert (out2["version"], out2["timestamp"], out2["authority"]) == (
        "2.0.0",
        "2020-01-01T00:00:00Z",
        authority,
    )
    assert (
        enrich(
            make_statement(id=None),
            statement_id="abc",
            stored=when,
            authority=authority,
            version="2.0.0",
        )["version"]
        == "2.0.0"
    )


def test_enrich_rejects_id_that_differs_from_parameter() -> None:
    """Communication 2.1.1: the PUT statementId and the statement id must agree."""
    statement = make_statement()
    same = enrich(
        statement,
        statement_id=statement["id"].upper(),
        stored=dt.datetime(2024, 1, 1),
        authority=make_agent("lrs"),
        version="1.0.3",
    )
    assert same["id"] == statement["id"]
    with pytest.raises(StatementError) as info:
        enrich(
            statement,
            statement_id=str(uuid.uuid4()),
            stored=dt.datetime(2024, 1, 1),
            authority=make_agent("lrs"),
            version="1.0.3",
        )
    assert info.value.path == "id"


def test_a_restored_stored_later_than_the_clock_and_its_skew_is_refused() -> None:
    """XAPI-00023: an LRS sets stored as it stores, so an export holds none from the future;
    within five minutes of this clock it is the two LRSs' clocks disagreeing."""
    now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    for stored in ("2026-03-01T12:05:00Z", "2026-03-01T13:04:59+01:00", "2001-01-01T00:00:00Z"):
        check_restored(make_statement(stored=stored), now)
    for stored in ("2026-03-01T12:05:00.001Z", "2026-03-01T12:05:01", "9999-12-31T23:59:59Z"):
        with pytest.raises(StatementError) as info:
            check_restored(make_statement(stored=stored), now)
        assert info.value.path == "stored"
        assert info.value.message == (
            f"{stored} is later than this LRS's clock (2026-03-01T12:00:00.000Z) by more than "
            "5 minutes; an LRS sets stored when it stores a statement, so no export holds one "
            "from the future"
        )
