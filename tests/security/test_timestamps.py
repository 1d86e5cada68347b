"""Timestamps of every shape, on both databases: a statement's ``timestamp`` (also inside
a SubStatement) and ``stored``, and the ``since``/``until`` parameters, are stored or
refused with 400 naming the path — never a 500, and a refused batch stores nothing.

The expected outcome is computed here from the parts the timestamp was written from
(calendar, clock, offset), not by the parser under test: no zone is UTC in 1.0.3 and
refused in 2.0; offsets of 24 hours or more, "-00:00", and instants outside the years
1-9999 once in UTC are refused; a leap second is accepted at 23:59:60 UTC only
(xAPI-Data 4.5, XAPI-00122, XAPI-00123).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.store.engine import Database
from tests.factories import make_statement, make_sub_statement
from tests.helpers import XapiClient, assert_error
from tests.security.inputs import EXAMPLES, stored_count

_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Written:
    """A timestamp and the parts it was written from."""

    text: str
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    microsecond: int
    zone: str  # "", "Z", "-00:00" or "offset"
    offset: dt.timedelta

    def instant(self, zone_required: bool) -> dt.datetime | None:
        """The UTC instant it names, or None when it must be refused."""
        if self.zone == "-00:00" or (self.zone == "" and zone_required):
            return None
        if self.hour > 23 or abs(self.offset) >= dt.timedelta(hours=24):
            return None
        try:
            local = dt.datetime(
                self.year, self.month, self.day, self.hour, self.minute,
                min(self.second, 59), self.microsecond,
            )  # fmt: skip
            utc = local - self.offset
            if self.second == 60:
                if (utc.hour, utc.minute) != (23, 59):
                    return None
                utc += dt.timedelta(seconds=1)
        except (ValueError, OverflowError):
            return None
        return utc.replace(tzinfo=dt.UTC)


_FRACTIONS = {"": 0, ".0": 0, ".5": 500_000, ".123": 123_000, ".123456789": 123_456}


@st.composite
def written(draw: st.DrawFn) -> Written:
    year = draw(st.sampled_from([1, 2, 1970, 2016, 2024, 9998, 9999]) | st.integers(1, 9999))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 31))
    hour = draw(st.sampled_from([0, 23, 24]) | st.integers(0, 24))
    minute = draw(st.sampled_from([0, 59]) | st.integers(0, 59))
    second = draw(st.sampled_from([0, 59, 60]) | st.integers(0, 60))
    fraction = draw(st.sampled_from(sorted(_FRACTIONS)))
    zone = draw(st.sampled_from(["", "Z", "-00:00", "offset"]))
    offset_hours = draw(st.sampled_from([0, 12, 14, 23, 24, 25]) | st.integers(0, 25))
    offset_minutes = draw(st.sampled_from([0, 30, 59]))
    sign = draw(st.sampled_from([1, -1]))
    basic = draw(st.booleans())
    if zone == "offset" and offset_hours == offset_minutes == 0 and sign < 0:
        sign = 1  # "-00:00" is its own case
    offset = sign * dt.timedelta(hours=offset_hours, minutes=offset_minutes)
    date = f"{year:04d}{month:02d}{day:02d}" if basic else f"{year:04d}-{month:02d}-{day:02d}"
    sep = "" if basic else ":"
    clock = f"{hour:02d}{sep}{minute:02d}{sep}{second:02d}{fraction}"
    suffix = {
        "": "",
        "Z": "Z",
        "-00:00": f"-00{sep}00",
        "offset": f"{'+' if sign > 0 else '-'}{offset_hours:02d}{sep}{offset_minutes:02d}",
    }[zone]
    return Written(
        f"{date}T{clock}{suffix}", year, month, day, hour, minute, second,
        _FRACTIONS[fraction], zone, offset if zone == "offset" else dt.timedelta(0),
    )  # fmt: skip


# The edges the report named, with the outcome in 1.0.3 and in 2.0.
EDGES = [
    ("0001-01-01T00:00:00+14:00", False, False),  # year 0 in UTC
    ("9999-12-31T23:59:59-12:00", False, False),  # year 10000 in UTC
    ("0001-01-01T00:00:00-14:00", True, True),
    ("9999-12-31T23:59:59+14:00", True, True),
    ("2016-12-31T23:59:60Z", True, True),  # a real leap second
    ("2016-12-31T12:59:60Z", False, False),
    ("2024-01-01T00:00:00", True, False),  # no zone
    ("2024-01-01T00:00:00+24:00", False, False),
    ("2024-01-01T00:00:00+23:59", True, True),
    ("2024-01-01T00:00:00-00:00", False, False),
    ("0000-01-01T00:00:00Z", False, False),
    ("10000-01-01T00:00:00Z", False, False),
    ("2024-01-01", False, False),
    ("yesterday", False, False),
    ("", False, False),
]


def _column(database: Database, statement_id: str) -> dt.datetime:
    with database.engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT timestamp FROM statement WHERE id = :id"), {"id": statement_id}
        ).scalar_one()
    if isinstance(value, str):  # SQLite keeps naive UTC text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@_SETTINGS
@given(when=written(), where=st.sampled_from(["timestamp", "stored", "object.timestamp"]))
def test_a_statement_timestamp_is_stored_or_refused_naming_its_path(
    xapi: XapiClient, database: Database, when: Written, where: str
) -> None:
    statement = make_statement()
    if where == "object.timestamp":
        statement["object"] = make_sub_statement(timestamp=when.text)
    else:
        statement[where] = when.text
    before = stored_count(database)
    # Batched with a valid statement: all or nothing.
    response = xapi.post("statements", json=[make_statement(), statement])
    expected = when.instant(zone_required=xapi.version == "2.0.0")
    if expected is None:
        assert_error(response, 400, f"[1].{where}")
        assert stored_count(database) == before
        return
    assert response.status_code == 200, (when.text, response.get_data(as_text=True))
    assert stored_count(database) == before + 2
    if where == "timestamp":
        assert _column(database, statement["id"]) == expected
        got = xapi.get("statements", query_string={"statementId": statement["id"]})
        assert got.get_json()["timestamp"] == when.text  # as sent


@pytest.mark.parametrize(("text", "in_1", "in_2"), EDGES)
def test_the_edges_of_the_calendar_and_of_offsets(
    xapi: XapiClient, database: Database, text: str, in_1: bool, in_2: bool
) -> None:
    response = xapi.post("statements", json=make_statement(timestamp=text))
    if in_1 if xapi.version == "1.0.3" else in_2:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert stored_count(database) == 1
    else:
        assert_error(response, 400, "timestamp")
        assert stored_count(database) == 0
    response = xapi.get("statements", query_string={"since": text, "until": text})
    if in_1:  # parameters take a timestamp without a zone as UTC in every version
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        assert_error(response, 400, "since")


@_SETTINGS
@given(text=st.text(max_size=30))
def test_any_text_as_a_timestamp_is_stored_or_refused_never_a_500(
    xapi: XapiClient, database: Database, text: str
) -> None:
    before = stored_count(database)
    response = xapi.post("statements", json=make_statement(timestamp=text))
    if response.status_code != 200:
        assert_error(response, 400, "timestamp")
        assert stored_count(database) == before
    else:
        assert stored_count(database) == before + 1


@_SETTINGS
@given(
    when=written(),
    name=st.sampled_from(["since", "until"]),
    resource=st.sampled_from(["statements", "activities/state", "agents/profile", "export"]),
)
def test_since_and_until_are_answered_or_refused_naming_the_parameter(
    xapi: XapiClient, when: Written, name: str, resource: str
) -> None:
    if resource != "statements" and resource != "export":
        name = "since"  # the document resources have no until
    params = {name: when.text}
    if resource == "activities/state":
        params |= {"activityId": "http://example.com/a", "agent": '{"mbox": "mailto:a@b.c"}'}
    if resource == "agents/profile":
        params |= {"agent": '{"mbox": "mailto:a@b.c"}'}
    if resource == "export":
        response = xapi.client.get(
            "/api/export/statements", query_string=params, headers=xapi.headers
        )
    else:
        response = xapi.get(resource, query_string=params)
    # Parameters take a timestamp without a zone as UTC, in every version.
    if when.instant(zone_required=False) is not None:
        assert response.status_code == 200, (when.text, response.get_data(as_text=True))
    else:
        assert_error(response, 400, name)
