"""The pull views (my learning and sharing, who knows about X, what to read next) against
answers counted here from the hand-made records of ``pull_set``, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from urllib.parse import quote_plus

import pytest
from sqlalchemy.orm import Session

from lrs.errors import BadRequest
from lrs.insight import pull, registry
from lrs.insight.filters import Filters
from lrs.insight.scope import Scope
from lrs.store.engine import Database
from tests.lrs.insight import knowledge_set, pull_set
from tests.lrs.insight.knowledge_set import key
from tests.lrs.insight.pull_set import (
    GLAZE,
    GLAZE_POST,
    GLAZES_PAGE,
    KILN,
    KILN_POST,
    PRICING_PAGE,
    STUDIO_POST,
)

RECORDS = pull_set.records()
COMPLETING = {"completed", "passed"}
WRITING = {"authored", "created"}
READING = {"viewed"}


@pytest.fixture
def known(database: Database) -> Iterator[Session]:
    knowledge_set.seed(database, RECORDS)
    with database.reading() as session:
        yield session


def expected_experts(matched: set[str]) -> list[tuple[str, int]]:
    """(person, score) under the documented weights, ranked as documented."""
    passed: dict[str, set[str]] = defaultdict(set)
    completed: dict[str, set[str]] = defaultdict(set)
    wrote: dict[str, set[str]] = defaultdict(set)
    edited: dict[str, set[str]] = defaultdict(set)
    comments: dict[tuple[str, str], int] = defaultdict(int)
    last: dict[str, dt.date] = {}
    for r in RECORDS:
        if r.target not in matched:
            continue
        if r.verb == "passed":
            passed[r.person].add(r.target)
        elif r.verb == "completed":
            completed[r.person].add(r.target)
        elif r.verb in WRITING:
            wrote[r.person].add(r.target)
        elif r.verb == "edited":
            edited[r.person].add(r.target)
        elif r.verb == "commented":
            comments[(r.person, r.target)] += 1
        else:
            continue
        last[r.person] = max(last.get(r.person, r.day), r.day)
    scores = {
        person: 5 * len(passed[person])
        + 3 * len(completed[person] - passed[person])
        + 4 * len(wrote[person])
        + 2 * len(edited[person] - wrote[person])
        + sum(min(n, 3) for (who, _), n in comments.items() if who == person)
        for person in last
    }
    ranked = sorted(scores, key=lambda p: (-scores[p], -last[p].toordinal(), p.upper(), key(p)))
    return [(key(p), scores[p]) for p in ranked]


def test_who_knows_about_glaze_in_the_documented_order(known: Session) -> None:
    frame = registry.EXPERTS.run(known, Filters(), topic="glaze")
    got = list(zip(frame["actor_key"], frame["score"], strict=True))
    assert got == expected_experts({GLAZE, GLAZE_POST})
    # The order written out: m01 passed (5) and wrote the post (4); m02 completed (3),
    # edited (2) and commented twice; m03 and m04 tie at 6, m03's evidence is newer.
    assert got == [(key("m01"), 9), (key("m02"), 7), (key("m03"), 6), (key("m04"), 6),
                   (key("m05"), 5)]  # fmt: skip
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5]
    assert frame.attrs["total"] == 5
    first = frame.iloc[0]
    assert (first["passed"], first["completed"], first["wrote"], first["edited"]) == (1, 0, 1, 0)
    second = frame.iloc[1]
    assert (second["completed"], second["edited"], second["commented"]) == (1, 1, 2)
    assert first["name"] == "M01" and first["team"] == knowledge_set.people()["m01"]


def test_an_exact_tag_wins_over_title_words(known: Session) -> None:
    ceramics = registry.EXPERTS.run(known, Filters(), topic="Ceramics")
    assert list(zip(ceramics["actor_key"], ceramics["score"], strict=True)) == (
        expected_experts({KILN, STUDIO_POST})
    ) == [(key("m09"), 4), (key("m08"), 3)]  # fmt: skip
    kiln = registry.EXPERTS.run(known, Filters(), topic="kiln")
    assert list(zip(kiln["actor_key"], kiln["score"], strict=True)) == (
        expected_experts({KILN, KILN_POST})
    ) == [(key("m10"), 4), (key("m08"), 3)]  # fmt: skip
    assert pull.matching(known, "glazes") == {GLAZES_PAGE}


def test_experts_evidence_lists_each_piece_with_its_link(known: Session) -> None:
    evidence = registry.EXPERT_EVIDENCE.run(known, Filters(), topic="glaze", limit=2)
    rows = list(zip(evidence["actor_key"], evidence["evidence"], evidence["activity_id"],
                    evidence["points"], evidence["statements"], strict=True))  # fmt: skip
    assert rows == [
        (key("m01"), "passed", GLAZE, 5, 1),
        (key("m01"), "wrote", GLAZE_POST, 4, 1),
        (key("m02"), "completed", GLAZE, 3, 1),
        (key("m02"), "edited", GLAZE_POST, 2, 1),
        (key("m02"), "commented", GLAZE_POST, 2, 2),
    ]
    assert evidence["activity_name"].iloc[0] == "Glaze Chemistry"
    assert evidence["explorer_query"].iloc[1].startswith("?person=")


def test_experts_evidence_shown_per_person_with_how_many_in_all(known: Session) -> None:
    """The page lists each person's first pieces only, and says how many there are."""
    ranked, evidence = pull.ranking_with_evidence(known, Filters(), "glaze", limit=2, shown=2)
    assert list(ranked["actor_key"]) == [key("m01"), key("m02")]
    rows = list(zip(evidence["actor_key"], evidence["evidence"], evidence["activity_id"],
                    evidence["points"], evidence["pieces"], strict=True))  # fmt: skip
    assert rows == [
        (key("m01"), "passed", GLAZE, 5, 2),
        (key("m01"), "wrote", GLAZE_POST, 4, 2),
        (key("m02"), "completed", GLAZE, 3, 3),
        (key("m02"), "edited", GLAZE_POST, 2, 3),
    ]
    assert list(evidence["explorer_query"]) == [
        f"?person={quote_plus(k)}&activity={quote_plus(a)}"
        for k, a in zip(evidence["actor_key"], evidence["activity_id"], strict=True)
    ]


def test_experts_follow_the_filters(known: Session) -> None:
    team = knowledge_set.people()["m02"]
    frame = registry.EXPERTS.run(known, Filters(team=team), topic="glaze")
    expected = [(k, s) for k, s in expected_experts({GLAZE, GLAZE_POST})
                if knowledge_set.people()[k.split(":")[2].split("@")[0]] == team]  # fmt: skip
    assert list(zip(frame["actor_key"], frame["score"], strict=True)) == expected


@pytest.mark.parametrize("topic", ["", "   ", "the", "x" * 201, "a\x00b"])
def test_a_topic_without_keyword_or_tag_is_a_400(known: Session, topic: str) -> None:
    with pytest.raises(BadRequest) as raised:
        registry.EXPERTS.run(known, Filters(), **registry.EXPERTS.parse({"topic": topic}))
    assert raised.value.path == "topic"


def reactions(person: str) -> dict[str, dict[str, int]]:
    """Per content the person authored: what the others did with it."""
    authored = {r.target for r in RECORDS if r.person == person and r.verb in WRITING}
    counts: dict[str, dict[str, int]] = {c: defaultdict(int) for c in authored}
    first_read: dict[tuple[str, str], dt.date] = {}
    last_made: dict[tuple[str, str], dt.date] = {}
    readers: dict[str, set[str]] = defaultdict(set)
    for r in RECORDS:
        if r.target not in authored or r.person == person:
            continue
        pair = (r.target, r.person)
        kind = {"viewed": "reads", "commented": "comments", "liked": "likes", "edited": "edits"}
        counts[r.target][kind[r.verb]] += 1
        if r.verb in READING:
            readers[r.target].add(r.person)
            first_read[pair] = min(first_read.get(pair, r.day), r.day)
        else:
            if r.verb in {"commented", "edited"}:
                last_made[pair] = max(last_made.get(pair, r.day), r.day)
    for content in authored:
        counts[content]["readers"] = len(readers[content])
        counts[content]["reused"] = sum(
            1 for (c, _), day in first_read.items()
            if c == content and (c, _) in last_made and day <= last_made[(c, _)]
        )  # fmt: skip
    return counts


def test_my_contributions_and_who_reacted(known: Session) -> None:
    frame = registry.MY_CONTRIBUTIONS.run(known, Filters(person=key("m01")))
    expected = reactions("m01")
    assert set(frame["content_id"]) == set(expected) == {GLAZE_POST, PRICING_PAGE}
    for row in frame.itertuples(index=False):
        for column in ("readers", "reads", "reused", "comments", "likes", "edits"):
            assert getattr(row, column) == expected[row.content_id][column], column
    post = frame.set_index("content_id").loc[GLAZE_POST]
    assert (post["readers"], post["reads"], post["reused"], post["comments"], post["likes"],
            post["edits"]) == (3, 4, 1, 7, 1, 1)  # fmt: skip
    assert frame["content_id"].tolist() == [GLAZE_POST, PRICING_PAGE]  # most readers first
    audience = registry.MY_AUDIENCE.run(known, Filters(person=key("m01")))
    by_person = audience.set_index("actor_key")
    assert set(by_person.index) == {key(p) for p in ("m02", "m03", "m04", "m05", "m06", "m07")}
    assert by_person.loc[key("m02"), ["reads", "reused", "comments", "edits"]].tolist() == [
        1, 1, 2, 1]  # fmt: skip
    assert by_person.loc[key("m06"), ["reads", "likes"]].tolist() == [2, 1]
    # One content each: most reads first, then the key.
    assert audience["actor_key"].tolist() == [key(p) for p in ("m06", "m02", "m03", "m05",
                                                                "m04", "m07")]  # fmt: skip


def test_my_timeline_holds_learning_and_sharing(known: Session) -> None:
    frame = registry.MY_TIMELINE.run(known, Filters(person=key("m01")))
    rows = list(zip(frame["side"], frame["concept"], frame["activity_id"], strict=True))
    assert rows == [
        ("sharing", "created", PRICING_PAGE),
        ("sharing", "authored", GLAZE_POST),
        ("learning", "passed", GLAZE),
    ]
    assert frame["day"].tolist() == [
        knowledge_set.FIRST_DAY + dt.timedelta(days=d) for d in (3, 2, 1)
    ]


def next_reads(course_takers: dict[str, dt.date]) -> dict[str, tuple[int, int, int]]:
    """content -> (readers, reads, writers) of the given people from their day to
    ``NEXT_DAYS`` after it."""
    readers: dict[str, set[str]] = defaultdict(set)
    reads: dict[str, int] = defaultdict(int)
    writers: dict[str, set[str]] = defaultdict(set)
    for r in RECORDS:
        if r.formal or r.person not in course_takers:
            continue
        first = course_takers[r.person]
        if not first <= r.day <= first + dt.timedelta(days=pull.NEXT_DAYS):
            continue
        if r.verb in READING:
            readers[r.target].add(r.person)
            reads[r.target] += 1
        elif r.verb in WRITING | {"edited"}:
            writers[r.target].add(r.person)
    contents = set(readers) | set(writers)
    return {c: (len(readers[c]), reads[c], len(writers[c])) for c in contents}


def graduates(course: str, but: str | None = None) -> dict[str, dt.date]:
    found: dict[str, dt.date] = {}
    for r in RECORDS:
        if r.target == course and r.verb in COMPLETING and r.person != but:
            found[r.person] = min(found.get(r.person, r.day), r.day)
    return found


def test_read_next_after_the_glaze_course(known: Session) -> None:
    frame = registry.READ_NEXT.run(known, Filters(), course=GLAZE)
    expected = next_reads(graduates(GLAZE))
    got = {
        c: (readers, reads, writers)
        for c, readers, reads, writers in zip(frame["content_id"], frame["readers"],
                                              frame["reads"], frame["writers"], strict=True)
    }  # fmt: skip
    assert got == expected
    assert frame["content_id"].tolist() == [GLAZE_POST, GLAZES_PAGE, PRICING_PAGE]
    assert got[GLAZE_POST] == (3, 3, 2)
    assert frame["kind"].tolist() == ["post", "page", "page"]
    writers = registry.COURSE_WRITERS.run(known, Filters(), course=GLAZE)
    assert list(zip(writers["actor_key"], writers["content_id"], writers["linked_by"],
                    strict=True)) == [
        (key("m01"), GLAZE_POST, "words: chemistry, glaze"),
        (key("m02"), GLAZE_POST, "words: chemistry, glaze"),
    ]  # fmt: skip
    # The page's table: the earliest only, with how many there are in all.
    first = pull.course_writers(known, Filters(), GLAZE, first=1)
    assert first.to_dict("records") == writers.head(1).to_dict("records")
    assert first.attrs["total"] == 2


def test_after_my_courses(known: Session) -> None:
    frame = registry.AFTER_MY_COURSES.run(known, Filters(person=key("m03")))
    expected = next_reads(graduates(GLAZE, but="m03"))
    got = {
        c: (readers, reads, writers)
        for c, readers, reads, writers in zip(frame["content_id"], frame["readers"],
                                              frame["reads"], frame["writers"], strict=True)
    }  # fmt: skip
    assert got == expected
    assert got[GLAZE_POST] == (2, 2, 2)


def test_the_person_views_need_a_person(known: Session) -> None:
    for entry in (registry.MY_CONTRIBUTIONS, registry.MY_TIMELINE, registry.AFTER_MY_COURSES):
        with pytest.raises(BadRequest):
            entry.run(known, Filters())
    with pytest.raises(BadRequest):
        registry.READ_NEXT.run(known, Filters(), course="")


def test_the_reactions_to_my_content_are_mine_to_see(known: Session) -> None:
    """A member sees who reacted to their own content; nobody else's page; a manager
    sees the pages of their teams' people."""
    m01 = Filters(person=key("m01"))
    everything = registry.MY_AUDIENCE.run(known, m01)
    as_member = registry.MY_AUDIENCE.run(known, m01.within(Scope.of_person(key("m01"))))
    assert as_member.equals(everything) and len(everything) == 6
    other = m01.within(Scope.of_person(key("m02")))
    assert registry.MY_AUDIENCE.run(known, other).empty
    assert registry.MY_CONTRIBUTIONS.run(known, other).empty
    team = knowledge_set.people()["m01"]
    assert team is not None
    manager = registry.MY_CONTRIBUTIONS.run(known, m01.within(Scope.of_teams({team})))
    assert manager.equals(registry.MY_CONTRIBUTIONS.run(known, m01))
    elsewhere = {t for t in knowledge_set.TEAMS if t != team}
    assert registry.MY_CONTRIBUTIONS.run(known, m01.within(Scope.of_teams(elsewhere))).empty


def test_experts_count_public_contributions_for_everyone_and_courses_within_scope(
    known: Session,
) -> None:
    member = Filters().within(Scope.of_person(key("m03")))
    frame = registry.EXPERTS.run(known, member, topic="glaze")
    # m03's own completion (3) and comments (3); the others' writing, edits and comments
    # only: m02 edited the post (2) and commented twice (2), m01 wrote it (4) (a tie:
    # m02's evidence is newer), m04 commented once.
    assert list(zip(frame["actor_key"], frame["score"], strict=True)) == [
        (key("m03"), 6), (key("m02"), 4), (key("m01"), 4), (key("m04"), 1)]  # fmt: skip
    read = registry.READ_NEXT.run(known, member, course=GLAZE)
    assert read["readers"].tolist() == [1, 1]  # m03's own reading only
