"""The registry: every entry's query returns the columns it declares, on the known data
set and on an empty store, and its parameters are checked on every path."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lrs.errors import BadRequest
from lrs.insight import registry
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight.data import SAFETY, actor_key

ANN = Filters(person=actor_key("ann"))
EXAMPLES = {"topic": "safety", "course": SAFETY}
"""Values for the parameters an entry requires."""


def required(entry: registry.Aggregate) -> dict[str, registry.Value]:
    return {name: EXAMPLES[name] for name in entry.required}


def test_every_entry_returns_its_declared_columns(session: Session) -> None:
    for name, entry in registry.AGGREGATES.items():
        for filters in (Filters(), ANN, Filters(kind="informal", team="Beta")):
            if "person" in entry.needs and filters.person is None:
                continue
            frame = entry.run(session, filters, **required(entry))
            assert tuple(frame.columns) == entry.columns, (name, filters)
        # Ann alone completed a course: nobody else's reading follows it.
        empty = {"stalled", "top_content", "response_times", "emerging_topics",
                 "after_my_courses", "read_next", "course_writers"}  # fmt: skip
        if name not in empty:
            assert len(entry.run(session, ANN.replace(team="Alpha"), **required(entry))) > 0, name


def test_an_empty_store_gives_the_declared_columns(database: Database) -> None:
    with database.reading() as session:
        for name, entry in registry.AGGREGATES.items():
            frame = entry.run(session, ANN, **required(entry))
            assert tuple(frame.columns) == entry.columns, name


def test_parameters_take_defaults_and_are_checked(session: Session) -> None:
    verbs = registry.TOP_VERBS.run(session, Filters())
    assert (len(verbs), verbs.attrs["total"]) == (10, 14)
    assert len(registry.TOP_VERBS.run(session, Filters(), limit=2)) == 2
    with pytest.raises(BadRequest, match="limit must be a whole number from 1 to 1000"):
        registry.TOP_VERBS.run(session, Filters(), limit=0)
    with pytest.raises(BadRequest, match="metric must be one of read, edited"):
        registry.TOP_CONTENT.run(session, Filters(), metric="liked")
    with pytest.raises(TypeError, match="top_verbs takes no parameter days"):
        registry.TOP_VERBS.run(session, Filters(), days=3)
    with pytest.raises(BadRequest, match="person_summary needs the person filter"):
        registry.PERSON_SUMMARY.run(session, Filters())


@pytest.mark.parametrize("text", ["²", "٣", "1.5", "1e3", " ", "0x10", "+-1", "9" * 12])
def test_only_ascii_whole_numbers_are_read(text: str) -> None:
    limit = registry.TOP_VERBS.parameters[0]
    if text.strip():
        with pytest.raises(BadRequest) as raised:
            limit.parse(text)
        assert raised.value.path == "limit"
    else:
        assert limit.parse(text) == 10
    assert limit.parse(" 7 ") == 7


def test_get_names_the_list_when_the_entry_is_unknown() -> None:
    assert registry.get("summary") is registry.SUMMARY
    with pytest.raises(Exception, match="GET /api/aggregates lists them"):
        registry.get("nope")
