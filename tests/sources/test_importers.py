"""Unit tests of the blog, wiki and course importers on real-format fixture files.

Every statement an importer produces is valid for xAPI 1.0.3 and 2.0.0 (``validate``), and
its id is derived from the source item, so reading the same source twice gives the same ids.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from statements import validate
from statements.sources import NDJSON, SOURCES, Identities, ReadOptions, SourceError
from statements.sources.course_csv import parse_duration, parse_score
from statements.sources.wiki_history import EDIT_COMMENT, MINOR_EDIT, REVISION_ID, SIZE_DELTA
from statements.vocabulary import ActivityTypes, Verbs
from tests.sources.helpers import fixture, items_of, statements_of

ALL_FIXTURES = [
    ("blog", "engineering.atom", 3),
    ("blog", "wordpress.rss", 2),
    ("blog", "wordpress-comments.rss", 2),
    ("wiki", "handbook.xml", 4),
    ("wiki", "recentchanges.json", 2),
    ("courses", "courses.csv", 9),
]


@pytest.mark.parametrize(("kind", "name", "count"), ALL_FIXTURES)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_every_statement_is_valid(kind: str, name: str, count: int, version: str) -> None:
    produced = statements_of(kind, name)
    assert len(produced) == count
    for statement in produced:
        validate(statement, version)


@pytest.mark.parametrize(("kind", "name", "count"), ALL_FIXTURES)
def test_ids_are_stable_and_unique(kind: str, name: str, count: int) -> None:
    first = [s["id"] for s in statements_of(kind, name)]
    second = [s["id"] for s in statements_of(kind, name)]
    assert first == second
    assert len(set(first)) == count


def _context_types(statement: dict[str, Any], role: str) -> list[str]:
    listed = statement["context"]["contextActivities"].get(role, [])
    return [activity["definition"]["type"] for activity in listed]


def test_atom_posts_and_comments() -> None:
    post_2, comment, post_1 = statements_of("blog", "engineering.atom")
    assert [post_2["verb"]["id"], comment["verb"]["id"], post_1["verb"]["id"]] == [
        Verbs.AUTHORED,
        Verbs.COMMENTED,
        Verbs.AUTHORED,
    ]
    # Oldest first; the +01:00 offset is converted to UTC.
    assert post_2["timestamp"] == "2024-02-20T13:00:00.000Z"
    assert post_1["object"] == {
        "objectType": "Activity",
        "id": "https://engineering.acme.example/2024/03/zero-downtime-migrations",
        "definition": {
            "type": ActivityTypes.ARTICLE,
            "name": {"en": "Zero-downtime migrations with PostgreSQL"},
            "description": {"en": "How we add columns without locking tables."},
        },
    }
    assert post_1["actor"] == {
        "objectType": "Agent",
        "name": "Grace Hopper",
        "account": {"homePage": "https://engineering.acme.example/", "name": "Grace Hopper"},
    }
    blog = post_1["context"]["contextActivities"]["grouping"]
    assert blog == [
        {
            "objectType": "Activity",
            "id": "https://engineering.acme.example/",
            "definition": {"type": ActivityTypes.BLOG, "name": {"en": "Acme Engineering Blog"}},
        }
    ]
    tags = post_1["context"]["contextActivities"]["other"]
    assert [t["id"] for t in tags] == [
        "https://engineering.acme.example/tag/postgresql",
        "https://engineering.acme.example/tag/databases",
    ]
    assert _context_types(post_1, "other") == [ActivityTypes.TAG, ActivityTypes.TAG]
    assert comment["object"]["definition"]["type"] == ActivityTypes.COMMENT
    assert comment["context"]["contextActivities"]["parent"][0]["id"] == (
        "https://engineering.acme.example/2024/02/incident-review"
    )


def test_wordpress_feed_and_comment_feed_share_the_blog_and_post() -> None:
    older, newer = statements_of("blog", "wordpress.rss")
    assert older["actor"]["name"] == "Charles Babbage"
    assert newer["object"]["id"] == "https://sales.acme.example/2024/03/discovery-calls/"
    assert newer["context"]["language"] == "en-US"
    assert [
        t["definition"]["name"]["en-US"] for t in newer["context"]["contextActivities"]["other"]
    ] == [
        "Discovery",
        "Negotiation Skills",
    ]
    comments = statements_of("blog", "wordpress-comments.rss")
    assert [c["actor"]["name"] for c in comments] == ["Grace Hopper", "Charles Babbage"]
    for comment in comments:
        assert comment["verb"]["id"] == Verbs.COMMENTED
        context = comment["context"]["contextActivities"]
        assert context["parent"][0]["id"] == newer["object"]["id"]
        assert context["parent"][0]["definition"]["name"] == {"en": "Discovery calls that work"}
        assert (
            context["grouping"][0]["id"]
            == newer["context"]["contextActivities"]["grouping"][0]["id"]
        )


def test_wiki_export_revisions() -> None:
    created, typo, anonymous, section = statements_of("wiki", "handbook.xml")
    assert created["verb"]["id"] == Verbs.CREATED
    assert [typo["verb"]["id"], section["verb"]["id"]] == [Verbs.EDITED, Verbs.EDITED]
    assert anonymous["verb"]["id"] == Verbs.CREATED
    assert created["object"]["id"] == "https://wiki.acme.example/wiki/Onboarding_checklist"
    assert created["object"]["definition"]["type"] == ActivityTypes.PAGE
    assert created["context"]["contextActivities"]["grouping"][0] == {
        "objectType": "Activity",
        "id": "https://wiki.acme.example/",
        "definition": {"type": ActivityTypes.WIKI, "name": {"en": "Acme Handbook"}},
    }
    assert created["result"]["extensions"][SIZE_DELTA] == 1200
    assert typo["result"]["extensions"] == {
        REVISION_ID: 1005,
        "urn:x-lrs:extension:size-bytes": 1198,
        SIZE_DELTA: -2,
        EDIT_COMMENT: "typo",
        MINOR_EDIT: True,
    }
    assert section["result"]["extensions"][SIZE_DELTA] == 1152
    assert anonymous["actor"]["account"] == {
        "homePage": "https://wiki.acme.example/",
        "name": "192.0.2.44",
    }


def test_recent_changes_json() -> None:
    created, edited = statements_of("wiki", "recentchanges.json")
    assert created["verb"]["id"] == Verbs.CREATED
    assert created["object"]["id"] == "https://wiki.acme.example/wiki/Release_process"
    assert edited["result"]["extensions"][SIZE_DELTA] == 60
    assert edited["result"]["extensions"][REVISION_ID] == 1020
    # The same page as in the export: the same activity id.
    assert edited["object"]["id"] == "https://wiki.acme.example/wiki/Onboarding_checklist"


def test_course_records() -> None:
    rows = statements_of("courses", "courses.csv", base_url="https://lms.acme.example")
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in rows]
    assert verbs == [
        "registered", "launched", "completed", "launched", "passed", "completed",
        "registered", "failed", "scored",
    ]  # fmt: skip
    course_id = "https://lms.acme.example/courses/Secure%20Coding"
    registered, launched, module_done, _, passed, course_done = rows[:6]
    assert registered["object"]["id"] == course_id
    assert registered["object"]["definition"]["type"] == ActivityTypes.COURSE
    assert "contextActivities" not in registered["context"]
    assert launched["object"]["definition"]["type"] == ActivityTypes.MODULE
    assert launched["context"]["contextActivities"]["parent"][0]["id"] == course_id
    assert launched["context"]["contextActivities"]["grouping"][0]["id"] == course_id
    assert module_done["result"] == {"duration": "PT25M", "completion": True}
    assert passed["object"]["definition"]["type"] == ActivityTypes.ASSESSMENT
    assert passed["result"] == {
        "score": {"raw": 17.0, "min": 0.0, "max": 20.0, "scaled": 0.85},
        "duration": "PT750S",
        "success": True,
        "completion": True,
    }
    assert course_done["object"]["id"] == course_id
    # One registration per learner and course.
    assert len({s["context"]["registration"] for s in rows[:6]}) == 1
    assert len({s["context"]["registration"] for s in rows}) == 2
    assert rows[7]["result"]["success"] is False
    assert rows[7]["result"]["score"]["scaled"] == 0.45


def test_course_headers_are_matched_loosely_and_semicolons_work() -> None:
    data = (
        b"User Name;Course Title;Module;Status;Grade;Time Spent;Completed At\n"
        b"ada;Negotiation;Anchoring;completed;;1:02:03;2024-05-02 10:00\n"
    )
    (statement,) = statements_of("courses", data)
    assert statement["result"] == {"duration": "PT3723S", "completion": True}
    assert statement["timestamp"] == "2024-05-02T10:00:00.000Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85", {"raw": 85.0, "min": 0.0, "max": 100.0, "scaled": 0.85}),
        ("85%", {"raw": 85.0, "min": 0.0, "max": 100.0, "scaled": 0.85}),
        ("17/20", {"raw": 17.0, "min": 0.0, "max": 20.0, "scaled": 0.85}),
        ("0.85", {"scaled": 0.85}),
    ],
)
def test_scores(text: str, expected: dict[str, float]) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("PT25M", "PT25M"), ("25:30", "PT1530S"), ("90", "PT90S")]
)
def test_durations(text: str, expected: str) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("kind", "name", "after", "expected"),
    [
        ("wiki", "handbook.xml", "1005", ["1007", "1010"]),
        ("courses", "courses.csv", "8", ["9", "10"]),
        ("blog", "wordpress.rss", None, None),
    ],
)
def test_resume_after_a_position(
    kind: str, name: str, after: str | None, expected: list[str] | None
) -> None:
    everything = items_of(kind, name)
    if after is None:  # feeds: resume after the first item's position
        after = everything[0].position
        expected = [item.position for item in everything[1:]]
    assert [item.position for item in items_of(kind, name, after=after)] == expected


def test_identity_mapping_lines_up_one_person_across_sources() -> None:
    mapping = Identities.load(
        json.dumps(
            [
                {
                    "user": "grace@acme.example",
                    "name": "Grace Hopper",
                    "mbox": "grace@acme.example",
                    "team": "Platform",
                },
                {
                    "source": "https://wiki.acme.example/",
                    "user": "GraceH",
                    "name": "Grace Hopper",
                    "mbox": "mailto:grace@acme.example",
                },
                {"user": "grace hopper", "name": "Grace Hopper", "mbox": "grace@acme.example"},
            ]
        ).encode(),
        "people.json",
    )
    lms = statements_of("courses", "courses.csv", identities=mapping)[0]
    wiki = statements_of("wiki", "handbook.xml", identities=mapping)[0]
    blog = statements_of("blog", "engineering.atom", identities=mapping)[2]
    agent = {"objectType": "Agent", "name": "Grace Hopper", "mbox": "mailto:grace@acme.example"}
    assert lms["actor"] == wiki["actor"] == blog["actor"] == agent
    assert lms["context"]["team"] == {
        "objectType": "Group",
        "name": "Platform",
        "account": {"homePage": "urn:x-lrs:teams", "name": "Platform"},
    }
    # A wiki-scoped mapping applies to the wiki only.
    other = Identities.load(
        b"source,user,name,mbox\nhttps://wiki.acme.example,AlanT,Alan Turing,alan@acme.example\n",
        "people.csv",
    )
    assert other.agent("https://wiki.acme.example/", "AlanT")["mbox"] == "mailto:alan@acme.example"
    assert "account" in other.agent("https://blog.acme.example/", "AlanT")


def test_identity_mapping_errors() -> None:
    with pytest.raises(SourceError) as raised:
        Identities.load(b"name,mbox\nA,a@b.c\n", "people.csv")
    assert str(raised.value) == "people.csv line 1: a CSV mapping needs a `user` column"
    with pytest.raises(SourceError) as raised:
        Identities.load(b'[{"user": "a", "mbox": "a@b.c", "openid": "http://a.b/"}]', "p.json")
    assert str(raised.value) == (
        "mapping entry 1: user 'a' needs exactly one of mbox, mbox_sha1sum, openid, account"
    )


def _error(kind: str, data: bytes, **options: Any) -> str:
    with pytest.raises(SourceError) as raised:
        list(SOURCES[kind].read(data, ReadOptions(**options)))
    return str(raised.value)


def test_broken_feed_names_line_and_column() -> None:
    broken = fixture("engineering.atom").replace(b"</entry>\n  <entry>", b"</entry>\n  <entry", 1)
    assert _error("blog", broken) == (
        "line 20, column 4: the feed is not well-formed XML: not well-formed (invalid token)"
    )


def test_feed_in_the_wrong_encoding_is_refused() -> None:
    latin = fixture("engineering.atom").replace(b"Grace", "Grâce".encode("latin-1"))
    assert _error("blog", latin) == (
        "line 1: the feed's character encoding is wrong: "
        "document declared as utf-8, but parsed as windows-1252"
    )


def test_broken_wiki_export_names_line_and_column() -> None:
    broken = fixture("handbook.xml").replace(b"</revision>", b"</revisoin>", 1)
    assert _error("wiki", broken) == (
        "line 29, column 6: the wiki export is not well-formed XML: mismatched tag"
    )
    unknown = b'<?xml version="1.0" encoding="klingon"?><mediawiki/>'
    assert (
        _error("wiki", unknown) == "line 1: the wiki export declares an unknown encoding: klingon"
    )


def test_wiki_xml_entities_are_refused() -> None:
    bomb = b'<!DOCTYPE m [<!ENTITY a "aaaa">]><mediawiki>&a;</mediawiki>'
    assert _error("wiki", bomb).startswith("document: the wiki export uses forbidden XML")


def test_recent_changes_without_a_wiki_needs_a_base_url() -> None:
    data = b'{"query": {"recentchanges": []}}'
    assert _error("wiki", data) == (
        "query.general: the recent-changes JSON does not name its wiki; give the wiki's base "
        "URL (or fetch it with meta=siteinfo)"
    )
    assert items_of("wiki", data, base_url="https://wiki.acme.example") == []


def test_missing_csv_columns() -> None:
    data = fixture("courses.csv").replace(b"event,", b"what,", 1)
    assert _error("courses", data) == (
        "line 1: missing required column(s): event (found: learner, learner_name, course, "
        "module, what, score, duration, timestamp)"
    )


def test_a_csv_column_named_twice_is_refused() -> None:
    data = fixture("courses.csv")
    header, rest = data.split(b"\n", 1)
    assert _error("courses", header + b",score\n" + rest) == (
        "line 1: the column 'score' is named twice; rename or remove one"
    )
    assert _error("courses", header + b",Learner Name\n" + rest) == (
        "line 1: the columns 'learner_name' and 'Learner Name' are one name; rename or remove one"
    )
    assert _error("courses", header + b",notes,notes\n" + rest) == (
        "line 1: the column 'notes' is named twice; rename or remove one"
    )
    assert len(items_of("courses", header + b",,\n" + rest)) == 9


def test_csv_in_the_wrong_or_an_unknown_encoding() -> None:
    latin = fixture("courses.csv").replace(b"Grace Hopper", "Grâce Hopper".encode("latin-1"))
    assert _error("courses", latin) == (
        "line 2: the file is not UTF-8 (byte 0xe2 cannot be decoded); give its encoding"
    )
    assert _error("courses", latin, encoding="klingon") == "file: unknown encoding 'klingon'"
    (first, *_) = statements_of("courses", latin, encoding="latin-1")
    assert first["actor"]["name"] == "Grâce Hopper"


def test_bad_csv_rows_are_rejected_by_line() -> None:
    data = fixture("courses.csv") + (
        b"bob,,Secure Coding,,danced,,,2024-01-12T10:00:00Z\n"
        b"bob,,Secure Coding,,scored,abc,,2024-01-12T10:00:00Z\n"
        b"bob,,Secure Coding,,completed,,,yesterday\n"
    )
    problems = [(i.where, i.problem) for i in items_of("courses", data) if i.problem]
    assert problems == [
        ("line 11", "unknown event 'danced' (expected one of completed, failed, launched, "
                    "passed, registered, scored)"),
        ("line 12", "the score 'abc' is not a number: could not convert string to float: 'abc'"),
        ("line 13", "the timestamp 'yesterday' is not ISO 8601"),
    ]  # fmt: skip


def test_ndjson_lines() -> None:
    good = {"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": Verbs.VIEWED},
            "object": {"id": "http://a.b/c"}}  # fmt: skip
    data = json.dumps(good).encode() + b'\n\n{"a": \n[1]\n'
    found = list(NDJSON.read(data, ReadOptions()))
    assert [(i.where, i.problem) for i in found] == [
        ("line 1", None),
        ("line 3", "not valid JSON: unexpected end of data: line 1 column 7 (char 6)"),
        ("line 4", "a statement must be a JSON object"),
    ]
    statement = found[0].statement
    assert statement is not None
    # No id in the file: one derived from the content, the same on every read.
    again = next(iter(NDJSON.read(data, ReadOptions()))).statement
    assert again is not None
    assert statement["id"] == again["id"]
    validate(statement, "1.0.3")


def test_registry() -> None:
    assert set(SOURCES) == {"blog", "wiki", "courses"}
    for name, source in SOURCES.items():
        assert source.name == name
        assert source.items(fixture(ALL_FIXTURES[[k for k, _, _ in ALL_FIXTURES].index(name)][1]))
