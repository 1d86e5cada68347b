"""Values that are valid input but larger than what a calendar, a column or a driver can
hold never give a 500, on either database:

* a statement's duration in years or months the calendar cannot add to a date (fractional,
  or past the year 9999) is stored, its fact counting the mean Gregorian year, or no time
  at all when even that is not a finite number;
* a score whose raw, min and max are near the ends of the float range is scaled without
  overflowing (inf / inf is NaN, which SQLite stores as NULL in a NOT NULL rollup, a 500,
  and PostgreSQL sums into the day's rollups);
* a statement's ``version`` is "1.0"/"2.0" and an ASCII patch number that fits its column;
  a longer one, or one in another script's digits, is 400 naming ``version``;
* a number in a URL path (a rule, source, delivery or merge id) beyond what a BIGINT
  column holds names no row: 404.
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lrs.http.params import MAX_INTEGER
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.helpers import XapiClient, assert_error

DURATIONS = {
    "P1.5Y": 1.5 * 365.2425 * 86400,
    "P0.5M": 365.2425 * 86400 / 24,
    "P8000Y": 8000 * 365.2425 * 86400,
    "P99999999999999Y": 99999999999999 * 365.2425 * 86400,
    "P99999999999999M1DT1S": 99999999999999 * 365.2425 * 86400 / 12 + 86401,
    "P7999Y": None,  # within the calendar: counted from a date, as before
    "P" + "9" * 400 + "Y": None,  # no finite number of seconds
}


def test_a_duration_beyond_the_calendar_is_stored_and_counted(
    xapi: XapiClient, database: Database
) -> None:
    query = sa.text("SELECT duration_seconds FROM learning_fact WHERE seq = "
                    "(SELECT seq FROM statement WHERE id = :id)")  # fmt: skip
    for duration, expected in DURATIONS.items():
        statement = make_statement(result={"duration": duration, "completion": True})
        response = xapi.post("statements", json=statement)
        assert response.status_code == 200, (duration, response.get_data(as_text=True))
        with database.engine.connect() as connection:
            seconds = connection.execute(query, {"id": statement["id"]}).scalar_one()
        if duration == "P7999Y":
            assert seconds is not None and math.isfinite(seconds)
        elif expected is None:
            assert seconds is None, duration
        else:
            assert seconds == pytest.approx(expected), duration


SCORES = [
    ({"raw": 1e308, "min": -1.7e308, "max": 1.7e308}, 2.7 / 3.4),
    ({"raw": -1.7e308, "min": -1.79e308, "max": 1.79e308}, 0.09 / 3.58),
    ({"raw": 1.7e308, "min": -1.7e308, "max": 1.7e308}, 1.0),
    ({"raw": 18446744073709551615, "max": 18446744073709551615}, 1.0),
    ({"raw": 5e-324, "max": 1e-323}, 0.5),
]


def test_a_score_at_the_ends_of_the_float_range_is_scaled(
    xapi: XapiClient, database: Database
) -> None:
    facts = sa.text("SELECT score_scaled FROM learning_fact WHERE seq = "
                    "(SELECT seq FROM statement WHERE id = :id)")  # fmt: skip
    for score, expected in SCORES:
        statement = make_statement(result={"score": score, "success": True})
        response = xapi.post("statements", json=statement)
        assert response.status_code == 200, (score, response.get_data(as_text=True))
        with database.engine.connect() as connection:
            scaled = connection.execute(facts, {"id": statement["id"]}).scalar_one()
            sums = connection.execute(sa.text("SELECT score_sum FROM actor_day")).scalars()
            assert all(math.isfinite(total) for total in sums)
        assert scaled == pytest.approx(expected), score


@pytest.mark.parametrize("version", ["1.0." + "9" * 13, "1.0." + "9" * 300, "1.0.\u0663"])
def test_a_version_that_is_not_ascii_digits_or_fits_no_column_is_400(
    xapi: XapiClient, version: str
) -> None:
    response = xapi.post("statements", json=make_statement(version=version))
    assert_error(response, 400, "version")


def test_the_longest_version_accepted_is_stored(xapi: XapiClient) -> None:
    version = "1.0." + "9" * 12
    response = xapi.post("statements", json=make_statement(version=version))
    assert response.status_code == 200, response.get_data(as_text=True)
    (statement_id,) = response.get_json()
    stored = xapi.get("statements", query_string={"statementId": statement_id}).get_json()
    assert stored["version"] == version


ROUTES = [
    ("GET", "/api/sources/{}"), ("DELETE", "/api/sources/{}"), ("POST", "/api/sources/{}/run"),
    ("POST", "/api/sources/{}/pause"), ("POST", "/api/sources/{}/resume"),
    ("GET", "/api/forwarding/rules/{}"), ("PUT", "/api/forwarding/rules/{}"),
    ("DELETE", "/api/forwarding/rules/{}"), ("POST", "/api/forwarding/deliveries/{}/replay"),
    ("GET", "/api/persons/{}"), ("PATCH", "/api/persons/{}"), ("POST", "/api/persons/{}/merge"),
    ("POST", "/api/persons/{}/split"), ("POST", "/api/persons/merges/{}/undo"),
]  # fmt: skip


def test_an_id_in_the_path_beyond_a_bigint_names_no_row(client: FlaskClient) -> None:
    headers = XapiClient(client, TEST_KEY, TEST_SECRET, "1.0.3").headers
    for method, route in ROUTES:
        for number in (MAX_INTEGER, MAX_INTEGER + 1, 10**30):
            response = client.open(
                route.format(number), method=method, headers=headers, json={"into": 1}
            )
            if number <= MAX_INTEGER:  # a row that may exist: the body decides
                assert response.status_code in (400, 404), (method, route)
                assert_error(response, response.status_code)
            else:
                assert_error(response, 404)
