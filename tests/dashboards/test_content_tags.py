"""The per-content rollups: ``content_tag``, the tags each post and page is written with
(the tags of its writing facts, not of its views), ``contribution_tag`` (the tags of its
contributions), ``completion_tag`` (the tags of a course's completions per day and
team) and ``content_contributor``, what each person wrote, edited and commented on
each; kept in the ingest transaction and equal to a recount from the facts after
voiding, a merge of persons and a rebuild, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lrs.services import persons
from lrs.services.principal import OPERATOR
from lrs.services.statements import store_statements
from lrs.store import facts
from lrs.store import persons as person_store
from lrs.store.engine import Database
from lrs.store.models import (
    CompletionTag,
    ContentContributor,
    ContentTag,
    ContributionTag,
    CourseLearner,
)
from statements.vocabulary import Verbs
from tests.lrs.insight import knowledge_set, pull_set
from tests.lrs.insight.knowledge_set import Record, key
from tests.lrs.insight.pull_set import GLAZE_POST, KILN_POST, PRICING_PAGE, STUDIO_POST

# The writings of ``pull_set`` and their tags: m01 wrote the glaze post (studio) and the
# pricing page (business), m02 and m05 edited them with the same tags, m09 wrote the
# studio post (ceramics), m10 the kiln post without a tag.
WRITTEN = [(GLAZE_POST, "studio"), (PRICING_PAGE, "business"), (STUDIO_POST, "ceramics")]


def _seed(database: Database, extra: list[Record]) -> dict[Record, str]:
    """The records stored through the ingest service; each record's statement id."""
    made = pull_set.records() + extra
    statements = [knowledge_set.statement(record) for record in made]
    store_statements(database, statements, version="1.0.3", principal=OPERATOR)
    return {record: statement["id"] for record, statement in zip(made, statements, strict=True)}


def _stored(database: Database) -> list[tuple[str, str]]:
    with database.reading() as session:
        rows = session.execute(select(ContentTag.content_id, ContentTag.tag)).all()
    return sorted((str(content), str(tag)) for content, tag in rows)


def _contributors(database: Database) -> dict[tuple[str, str], tuple[Any, ...]]:
    C = ContentContributor
    with database.reading() as session:
        rows = session.execute(
            select(C.content_id, C.actor_key, C.wrote, C.edited, C.commented, C.written_last,
                   C.commented_last)
        ).all()  # fmt: skip
    return {(str(row[0]), str(row[1])): tuple(row[2:]) for row in rows}


def _rebuilt(database: Database) -> list[tuple[str, str]]:
    kept = _stored(database), _contributors(database)
    with database.writing() as session:
        facts.rebuild_rollups(session)
    assert (_stored(database), _contributors(database)) == kept
    return kept[0]


def _expected(records: list[Record], merged: dict[str, str] | None = None) -> dict[Any, Any]:
    """(content, person) -> (wrote, edited, commented, last writing day, last comment
    day) counted from the records."""
    found: dict[tuple[str, str], list[Any]] = {}
    for r in records:
        if r.verb not in ("authored", "created", "edited", "commented"):
            continue
        person = (merged or {}).get(r.person, r.person)
        row = found.setdefault((r.target, key(person)), [0, 0, 0, None, None])
        column = {"authored": 0, "created": 0, "edited": 1, "commented": 2}[r.verb]
        row[column] += 1
        last = 4 if r.verb == "commented" else 3
        row[last] = r.day if row[last] is None else max(row[last], r.day)
    return {pair: tuple(row) for pair, row in found.items()}


def _void(database: Database, statement_id: str) -> None:
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": statement_id},
    }
    store_statements(database, [voiding], version="1.0.3", principal=OPERATOR)


def _record(person: str, verb: str, target: str) -> Record:
    wanted = (person, verb, target)
    return next(r for r in pull_set.records() if (r.person, r.verb, r.target) == wanted)


def test_a_content_is_tagged_by_its_writings_not_its_views(database: Database) -> None:
    viewed = Record("m03", "Clay", "viewed", KILN_POST, pull_set.records()[0].when,
                    tags=("gossip",))  # fmt: skip
    _seed(database, [viewed])
    assert _rebuilt(database) == sorted(WRITTEN)


def test_voiding_a_writing_recounts_its_contents_tags(database: Database) -> None:
    ids = _seed(database, [])
    # The edit of the pricing page carries "business" as its creation does: it stays.
    _void(database, ids[_record("m05", "edited", PRICING_PAGE)])
    assert _rebuilt(database) == sorted(WRITTEN)
    # The only writing of the studio post: its tag goes with it.
    _void(database, ids[_record("m09", "authored", STUDIO_POST)])
    assert _rebuilt(database) == sorted(set(WRITTEN) - {(STUDIO_POST, "ceramics")})


def test_merging_persons_keeps_the_tags(database: Database) -> None:
    _seed(database, [])
    with database.reading() as session:
        keep = person_store.by_identifier(session, key("m01"))
        other = person_store.by_identifier(session, key("m09"))
    assert keep is not None and other is not None
    persons.merge(database, OPERATOR, keep.id, other.id)
    assert _rebuilt(database) == sorted(WRITTEN)
    merged = _contributors(database)
    assert merged == _expected(pull_set.records(), {"m09": "m01"})
    assert merged[(STUDIO_POST, key("m01"))][0] == 1  # m09's post is m01's now


def test_contributors_are_counted_per_content_and_person(database: Database) -> None:
    ids = _seed(database, [])
    records = pull_set.records()
    assert _contributors(database) == _expected(records)
    assert _contributors(database)[(PRICING_PAGE, key("m05"))][:3] == (0, 1, 0)
    edit = _record("m05", "edited", PRICING_PAGE)
    post = _record("m09", "authored", STUDIO_POST)
    for voided in (edit, post):
        _void(database, ids[voided])
    _rebuilt(database)
    assert _contributors(database) == _expected([r for r in records if r not in (edit, post)])
    assert (PRICING_PAGE, key("m05")) not in _contributors(database)


def _completed_last(database: Database) -> dict[tuple[str, str], Any]:
    L = CourseLearner
    with database.reading() as session:
        rows = session.execute(select(L.course, L.actor_key, L.completed_last)).all()
    return {(str(course), str(actor)): last for course, actor, last in rows}


def test_a_learners_last_completion_day(database: Database) -> None:
    """``course_learner.completed_last``: the day of the last completed or passed
    statement of each (course, person), None for those who never completed it."""
    ids = _seed(database, [])
    records = pull_set.records()

    def expected(kept: list[Record]) -> dict[tuple[str, str], Any]:
        found: dict[tuple[str, str], Any] = {}
        for r in kept:
            if r.target in knowledge_set.COURSES:
                pair = (r.target, key(r.person))
                last = found.get(pair)
                if r.verb in ("completed", "passed"):
                    found[pair] = r.day if last is None else max(last, r.day)
                else:
                    found.setdefault(pair, None)
        return found

    assert _completed_last(database) == expected(records)
    assert any(day is not None for day in _completed_last(database).values())
    completion = next(r for r in records if r.verb in ("completed", "passed"))
    _void(database, ids[completion])
    _rebuilt(database)
    assert _completed_last(database) == expected([r for r in records if r != completion])


def _tag_rollups(database: Database) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    K, C = CompletionTag, ContributionTag
    with database.reading() as session:
        completions = {
            tuple(row) for row in session.execute(select(K.day, K.course, K.team, K.tag))
        }
        contents = {tuple(row) for row in session.execute(select(C.content_id, C.tag))}
    return completions, contents


def _expected_tags(records: list[Record]) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(day, course, team, tag) of the completions' tags, (content, tag) of the informal
    contributions' tags (the views' and likes' are not)."""
    completions = {(r.day, r.target, r.team or "", tag) for r in records
                   if r.verb in ("completed", "passed") for tag in r.tags}  # fmt: skip
    contributing = ("authored", "created", "edited", "commented")
    contents = {(r.target, tag) for r in records if r.verb in contributing for tag in r.tags}
    return completions, contents


def test_the_tags_of_completions_and_contributions_follow_voiding(database: Database) -> None:
    """``completion_tag`` holds the completions' tags per day, course and team and
    ``contribution_tag`` the contributions' tags per content; voiding a completion or a
    writing takes out what only it carried, and a rebuild gives the same rows."""
    ids = _seed(database, [])
    records = pull_set.records()
    assert _tag_rollups(database) == _expected_tags(records)
    completions, contents = _tag_rollups(database)
    assert completions and contents
    done = next(r for r in records if r.verb in ("completed", "passed") and r.tags)
    written = _record("m09", "authored", STUDIO_POST)
    for voided in (done, written):
        _void(database, ids[voided])
    kept = [r for r in records if r not in (done, written)]
    assert _tag_rollups(database) == _expected_tags(kept)
    with database.writing() as session:
        facts.rebuild_rollups(session)
    assert _tag_rollups(database) == _expected_tags(kept)
