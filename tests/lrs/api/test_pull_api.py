"""The pull views as JSON (/api/people/me, /api/experts, /api/courses/next) on the
hand-made set of the read side's pull tests: the same numbers as the registry entries,
and every bad parameter a 400 in the error shape, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from lrs.store.engine import Database
from tests.helpers import assert_error
from tests.lrs.api.conftest import ApiClient
from tests.lrs.insight import knowledge_set, pull_set
from tests.lrs.insight.knowledge_set import key
from tests.lrs.insight.pull_set import GLAZE, GLAZE_POST, GLAZES_PAGE, PRICING_PAGE


@pytest.fixture
def known(api: ApiClient, database: Database) -> ApiClient:
    knowledge_set.seed(database, pull_set.records())
    return api


def test_experts_ranked_with_their_evidence(known: ApiClient) -> None:
    body = known.get("experts?topic=glaze").get_json()
    assert body["topic"] == "glaze"
    ranked = [(p["actor_key"], p["score"], p["rank"]) for p in body["people"]]
    assert ranked == [(key("m01"), 9, 1), (key("m02"), 7, 2), (key("m03"), 6, 3),
                      (key("m04"), 6, 4), (key("m05"), 5, 5)]  # fmt: skip
    first = body["people"][0]["evidence"]
    assert [(e["evidence"], e["activity_id"], e["points"]) for e in first] == [
        ("passed", GLAZE, 5), ("wrote", GLAZE_POST, 4)]  # fmt: skip
    assert len(known.get("experts?topic=glaze&limit=2").get_json()["people"]) == 2


def test_my_learning_and_sharing(known: ApiClient) -> None:
    body = known.get("people/me", query_string={"person": key("m01")}).get_json()
    assert body["person"] == key("m01")
    assert body["summary"]["courses_passed"] == 1
    assert [c["status"] for c in body["courses"]] == ["passed"]
    post = next(c for c in body["contributions"] if c["content_id"] == GLAZE_POST)
    assert (post["readers"], post["reads"], post["reused"], post["comments"]) == (3, 4, 1, 7)
    assert len(body["audience"]) == 6
    assert [t["concept"] for t in body["timeline"]] == ["created", "authored", "passed"]
    assert body["after_my_courses"] == [] or body["after_my_courses"][0]["readers"] >= 1


def test_read_next_after_a_course(known: ApiClient) -> None:
    body = known.get("courses/next", query_string={"course": GLAZE}).get_json()
    assert [(r["content_id"], r["readers"]) for r in body["read_next"]] == [
        (GLAZE_POST, 3), (GLAZES_PAGE, 2), (PRICING_PAGE, 1)]  # fmt: skip
    assert [w["actor_key"] for w in body["writers"]] == [key("m01"), key("m02")]


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("experts", "topic"),
        ("experts?topic=the", "topic"),
        ("experts?topic=" + "x" * 201, "topic"),
        ("experts?topic=glaze&limit=0", "limit"),
        ("experts?topic=glaze&limit=abc", "limit"),
        ("experts?topic=glaze&color=red", "color"),
        ("experts?topic=glaze&from=2026-13-01", "from"),
        ("experts?topic=a%00b", "topic"),
        ("people/me", "person"),
        ("people/me?person=x&limit=3", "limit"),
        ("people/me?person=x&range=2w", "range"),
        ("courses/next", "course"),
        ("courses/next?course=%20", "course"),
        ("courses/next?course=x&limit=-1", "limit"),
        ("courses/next?course=x&topic=y", "topic"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(known: ApiClient, path: str, named: str) -> None:
    error = assert_error(known.get(path), 400)
    assert error["path"] == named


def test_the_views_need_credentials(known: ApiClient) -> None:
    assert_error(known.client.get("/api/experts?topic=glaze"), 401)
