"""The pull pages' panels on what a hand-edited URL can hold: a course or topic that is
too long or holds U+0000 is said in place of the ranking, never an error of the callback."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote_plus

import pytest

from dashboards import panels
from dashboards.components import EMPTY_NOTE
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight import knowledge_set, pull_set
from tests.lrs.insight.knowledge_set import COURSES, FIRST_DAY, Record


def _at(day: int) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(10), dt.UTC)


@pytest.mark.parametrize("course", ["x" * 3000, "a\x00b", " "])
def test_a_course_no_one_can_name_is_said_in_its_place(database: Database, course: str) -> None:
    knowledge_set.seed(database, pull_set.records())
    with database.reading() as session:
        ranking, table, writers = panels.next_reading(session, Filters(), course)
    assert ranking.className == EMPTY_NOTE and "course" in ranking.children.children
    assert (table, writers) == (None, None)


@pytest.mark.parametrize("topic", ["x" * 201, "a\x00b", "the"])
def test_a_topic_no_one_can_name_is_said_in_its_place(database: Database, topic: str) -> None:
    with database.reading() as session:
        ranking, people = panels.experts_ranking(session, Filters(), topic)
    assert ranking.className == EMPTY_NOTE and people is None
    assert "topic" in ranking.children.children


def test_an_empty_ranking_says_why_it_is_empty(database: Database) -> None:
    """As an empty chart does: nothing sent at all, or filters that exclude everything."""
    with database.reading() as session:
        [ranking, _people] = panels.explain_empty(
            session, Filters(), panels.experts_ranking(session, Filters(), "glaze")
        )
    reason, hint = ranking.children
    assert reason.children.children == panels.NOTHING_SENT
    assert "No evidence on 'glaze'" in hint.children
    knowledge_set.seed(database, pull_set.records())
    narrowed = Filters.from_query("team=nobody")
    with database.reading() as session:
        [ranking, _people] = panels.explain_empty(
            session, narrowed, panels.experts_ranking(session, narrowed, "glaze")
        )
    assert "team: nobody" in ranking.children[0].children.children


def test_read_next_lists_the_earliest_writers_only(database: Database) -> None:
    """A course everyone completed has thousands of writers: the table holds the first
    ``TABLE_ROWS`` (earliest first) and says how many there are."""
    extra = []
    for i in range(25):
        person = f"w{i:02d}"
        extra.append(Record(person, None, "completed", pull_set.GLAZE, _at(1),
                            tags=COURSES[pull_set.GLAZE][1]))  # fmt: skip
        extra.append(Record(person, None, "edited", pull_set.GLAZE_POST, _at(20 + i)))
    knowledge_set.seed(database, pull_set.records() + extra)
    with database.reading() as session:
        _chart, _table, writers = panels.next_reading(session, Filters(), pull_set.GLAZE)
    note, shown = writers.children
    assert note.children == "The 20 earliest of 27 (all in the API's course_writers aggregate)"
    rows = [line.strip("| ").split(" | ") for line in shown.children.splitlines()[2:]]
    assert len(rows) == panels.TABLE_ROWS == 20
    assert [row[0] for row in rows[:3]] == ["M01", "M02", "W00"]


def test_my_courses_lists_the_most_recent_only(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person in many courses: the table holds the ``TABLE_ROWS`` most recent (the
    browser draws a page of 135 rows in seconds) and says how many there are."""
    extra = []
    for i in range(25):
        course = f"{knowledge_set.LMS}extra-{i:02d}"
        monkeypatch.setitem(COURSES, course, (f"Extra Course {i:02d}", ()))
        extra.append(Record("m01", None, "failed", course, _at(30 + i)))
    knowledge_set.seed(database, pull_set.records() + extra)
    with database.reading() as session:
        [summary] = panels.me_courses(session, Filters(person=knowledge_set.key("m01")))
    heading, note, shown = summary.children[2:]
    assert heading.children == "My courses (26)"
    assert note.children == "The 20 most recent of 26 (all in the API's person_courses aggregate)"
    rows = [line.strip("| ").split(" | ") for line in shown.children.splitlines()[2:]]
    assert len(rows) == panels.TABLE_ROWS == 20
    names = [row[0] for row in rows]  # each a link to the Explorer on its statements
    person = quote_plus(knowledge_set.key("m01"))
    assert names == [
        f"[Extra Course {i:02d}](/dashboards/explorer?person={person}"
        f"&activity={quote_plus(f'{knowledge_set.LMS}extra-{i:02d}')})"
        for i in range(24, 4, -1)
    ]


def test_my_timeline_compares_with_the_previous_period(database: Database) -> None:
    """REQ-DASH-COMPARE: My learning's timeline draws the previous period of the same
    length on the same rows, moved forward by its length. m01 passed Glaze Chemistry on
    day 1, wrote a post on day 2 and a page on day 3: days 2-3 against days 0-1."""
    knowledge_set.seed(database, pull_set.records())
    day = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(5)]
    chosen = Filters.from_query(f"person={knowledge_set.key('m01')}&from={day[2]}&to={day[3]}")
    with database.reading() as session:
        [alone] = panels.me_timeline(session, chosen)
        [figure] = panels.me_timeline(session, chosen, compare=True)
        [everything] = panels.me_timeline(session, chosen.replace(start=None, end=None), True)
    assert [(t.name, list(t.x)) for t in alone.data] == [("sharing", [day[3], day[2]])]
    assert [(t.name, list(t.x), list(t.y)) for t in figure.data] == [
        ("sharing", [day[3], day[2]], ["sharing", "sharing"]),
        ("previous period (learning)", [day[3]], ["learning"]),
    ]
    # The point leads to the day it stands for, not to the day it is drawn on.
    [query] = figure.data[1].customdata
    assert f"from={day[1]}&to={day[1]}" in query and "person=" in query
    # Without a time range there is no previous period to draw.
    assert [t.name for t in everything.data] == ["learning", "sharing"]
