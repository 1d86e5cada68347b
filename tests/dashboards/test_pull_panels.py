"""The pull pages' panels on what a hand-edited URL can hold: a course or topic that is
too long or holds U+0000 is said on the chart, never an error of the callback."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboards import panels
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight import knowledge_set, pull_set


@pytest.mark.parametrize("course", ["x" * 3000, "a\x00b", " "])
def test_a_course_no_one_can_name_is_said_on_the_chart(database: Database, course: str) -> None:
    knowledge_set.seed(database, pull_set.records())
    with database.reading() as session:
        chart, table, writers = panels.next_reading(session, Filters(), course)
    assert isinstance(chart, go.Figure) and not chart.data
    assert "course" in chart.layout.annotations[0].text
    assert (table, writers) == (None, None)


@pytest.mark.parametrize("topic", ["x" * 201, "a\x00b", "the"])
def test_a_topic_no_one_can_name_is_said_on_the_chart(database: Database, topic: str) -> None:
    with database.reading() as session:
        chart, people = panels.experts_ranking(session, Filters(), topic)
    assert isinstance(chart, go.Figure) and not chart.data and people is None
    assert "topic" in chart.layout.annotations[0].text
