"""Issue 15, the /api/aggregates class: any query string on any entry is answered with
its numbers (200) or a 400 in the error shape naming a parameter that was sent (or a
filter the entry needs) — never a 5xx, never a value silently ignored. Both databases,
on the read side's known data set."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.insight import registry
from lrs.insight.filters import PARAMETERS
from tests.helpers import assert_error
from tests.lrs.api.conftest import ApiClient
from tests.security.inputs import EXAMPLES

_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_NAMES = sorted(
    {*PARAMETERS, "format"}
    | {parameter.name for entry in registry.AGGREGATES.values() for parameter in entry.parameters}
)
_VALUES = st.one_of(
    st.text(max_size=20),
    st.dates().map(str),
    st.sampled_from(["7d", "30d", "1y", "all", "bogus", "formal", "other", "csv", "json"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text("0123456789-T:Z+.", max_size=25),
)
_QUERY = st.dictionaries(st.sampled_from(_NAMES) | st.text(min_size=1, max_size=6), _VALUES,
                         max_size=4)  # fmt: skip


@_SETTINGS
@given(name=st.sampled_from(sorted(registry.AGGREGATES)), query=_QUERY)
def test_any_query_is_numbers_or_a_400_naming_a_sent_parameter(
    api: ApiClient, seeded: dict[str, Any], name: str, query: dict[str, str]
) -> None:
    response = api.get(f"aggregates/{name}", query_string=query)
    if response.status_code == 200:
        if response.mimetype == "application/json":
            assert set(response.get_json()) >= {"columns", "records"}
        else:
            assert response.mimetype == "text/csv"
        return
    error = assert_error(response, 400)
    entry = registry.AGGREGATES[name]
    named = {key.replace("\x00", "\\u0000") for key in query} | {*entry.needs, *entry.required}
    assert error["path"] in named, (query, error)
