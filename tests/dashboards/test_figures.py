"""Figure builders: titles state what they cover; empty data explains what to send."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards import figures
from lrs.insight.filters import Filters, to_query


def title(figure: object) -> str:
    """Title and subtitle, as the reader sees them."""
    layout = figure.layout.title  # type: ignore[attr-defined]
    return f"{layout.text} — {layout.subtitle.text}" if layout.subtitle.text else layout.text


def test_statements_over_time_stacks_kinds_and_counts() -> None:
    frame = pd.DataFrame(
        {"day": [dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 2)],
         "source_kind": ["formal", "informal", "formal"], "statements": [3, 2, 5]}
    )  # fmt: skip
    figure = figures.statements_over_time(frame)
    assert "10 statements" in title(figure)
    assert [trace.name for trace in figure.data] == ["formal", "informal"]
    assert figure.data[0].marker.color == figures.KIND_COLOURS["formal"]
    assert figure.layout.barmode == "stack"


def test_long_ranges_are_weekly() -> None:
    days = pd.date_range("2026-01-01", periods=200, freq="D").date
    frame = pd.DataFrame({"day": days, "source_kind": "formal", "statements": 1})
    figure = figures.statements_over_time(frame)
    assert "per week" in title(figure)
    assert sum(figure.data[0].y) == 200


def test_ranking_says_top_n_of_total() -> None:
    frame = pd.DataFrame({"name": ["a", "b"], "statements": [5, 3], "source_kind": ["formal"] * 2})
    frame.attrs["total"] = 12
    figure = figures.ranking(frame, "name", "statements", "activities", "hint")
    assert title(figure) == "Top 2 of 12 activities"
    assert list(figure.data[0].x) == [3, 5]  # largest at the top


def test_ranking_draws_two_items_of_one_title_on_two_rows() -> None:
    """Two posts called alike (or alike once shortened) each keep their own bar."""
    long = "How our team does Documentation, and why it matters to us"
    frame = pd.DataFrame({"name": ["Guide", "Guide", long, long + " too"],
                          "readers": [195, 90, 40, 30]})  # fmt: skip
    figure = figures.ranking(frame, "name", "readers", "pieces of content", "hint")
    labels = list(figure.data[0].y)[::-1]
    assert len(set(labels)) == 4
    assert labels[:2] == ["Guide", "Guide (2)"]
    assert labels[3] == labels[2] + " (2)"
    assert list(figure.data[0].x)[::-1] == [195, 90, 40, 30]


def test_empty_figures_say_what_to_send() -> None:
    empty = pd.DataFrame(columns=["day", "concept", "statements"])
    figure = figures.contributions_over_time(empty)
    assert "no statements" in title(figure)
    assert "commented" in figure.layout.annotations[0].text
    funnel = figures.course_funnel(pd.DataFrame(columns=["name"]))
    assert "registered, launched, completed and passed" in funnel.layout.annotations[0].text


def test_scatter_reports_people_and_rho() -> None:
    frame = pd.DataFrame(
        {"actor_key": list("ABCD"), "name": list("abcd"), "team": ["x", "x", "y", "y"],
         "contributions": [0, 1, 2, 3], "mean_score": [0.1, 0.2, 0.3, 0.4]}
    )  # fmt: skip
    figure = figures.contribution_scatter(frame)
    assert "4 people" in title(figure)
    assert "rho = 1.00" in title(figure)
    # A point leads to the person's statements.
    assert list(figure.data[0].customdata) == ["person=A", "person=B"]


def test_network_draws_people_and_links() -> None:
    frame = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [2, 1],
                          "source_name": ["A", "B"], "target_name": ["B", "C"],
                          "source_team": ["t", "t"], "target_team": ["t", None]})  # fmt: skip
    frame.attrs["total"] = 5
    figure = figures.network(frame, "contribute")
    assert "the 2 heaviest of 5 links" in title(figure)
    [heads] = [trace for trace in figure.data if trace.marker.symbol == "arrow"]
    assert len(heads.x) == len(heads.marker.size) == len(heads.marker.angle) == 2
    lines = [t for t in figure.data if t.showlegend is False and t.mode == "lines"]
    assert sum(x is None for trace in lines for x in trace.x) == 2
    # Each head points along its edge, towards the person whose content it is.
    people_at = {key.removeprefix("person="): (x, y) for trace in figure.data
                 if trace.showlegend is not False
                 for key, x, y in zip(trace.customdata, trace.x, trace.y, strict=True)}  # fmt: skip
    expected = []
    for source, target in (("a", "b"), ("b", "c")):
        (x0, y0), (x1, y1) = people_at[source], people_at[target]
        expected.append(round(math.degrees(math.atan2(x1 - x0, y1 - y0)), 1))
    assert sorted(heads.marker.angle) == pytest.approx(sorted(expected))
    people = [trace for trace in figure.data if trace.showlegend is not False]
    assert sorted(name for trace in people for name in trace.text) == ["A", "B", "C"]


def test_network_legend_stands_beside_the_graph_with_room_for_its_longest_team() -> None:
    teams = [f"Team number {i}" for i in range(14)]
    frame = pd.DataFrame({"source": [f"p{i}" for i in range(14)],
                          "target": [f"q{i}" for i in range(14)], "weight": [1] * 14,
                          "source_name": [f"P{i}" for i in range(14)],
                          "target_name": [f"Q{i}" for i in range(14)],
                          "source_team": teams, "target_team": teams})  # fmt: skip
    frame.attrs["total"] = 14
    figure = figures.network(frame, "contribute")
    legend = figure.layout.legend
    assert (legend.orientation, legend.x, legend.y, legend.yanchor) == ("v", 1.01, 1, "top")
    longest = max(len(str(t.name)) for t in figure.data if t.showlegend is not False)
    assert figure.layout.margin.r >= 40 + figures.CHARACTER * longest
    assert figure.layout.margin.r < 400  # the graph keeps most of the width


def test_filters_round_trip_the_url() -> None:
    query = to_query({"range": "all", "from": "2026-03-01", "team": "Alpha", "kind": ""})
    assert query == "?from=2026-03-01&team=Alpha"
    filters = Filters.from_query(query)
    assert (filters.start, filters.team, filters.kind) == (dt.date(2026, 3, 1), "Alpha", None)
    recent = Filters.from_query("?range=7d", today=dt.date(2026, 3, 10))
    assert (recent.start, recent.end) == (dt.date(2026, 3, 4), dt.date(2026, 3, 10))
    assert Filters.from_query("?kind=bogus").kind is None


def test_the_legend_stays_close_under_a_tall_chart() -> None:
    """The legend is as far below the plot on a 15-course funnel as on a small chart:
    the same pixels, not the same fraction of the height."""
    rows = [{"course": f"c{i}", "name": f"Course {i}", "enrolled": 5, "started": 4,
             "completed": 3, "passed": 2, "failed": 1} for i in range(15)]  # fmt: skip
    tall = figures.course_funnel(pd.DataFrame(rows))
    small = figures.course_funnel(pd.DataFrame(rows[:1]))
    for figure in (tall, small):
        plot = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
        assert round(-figure.layout.legend.y * plot) == figures.LEGEND_GAP


def test_a_chart_is_the_same_with_the_theme_as_default_or_named() -> None:
    """``use_theme`` makes the charts' template plotly's default, which a figure takes
    without validating it again: the figure drawn is the same as with it named."""
    frame = pd.DataFrame({"name": ["a", "b"], "statements": [5, 3], "source_kind": ["formal"] * 2})
    default = pio.templates.default
    try:
        pio.templates.default = "plotly"
        named = figures.ranking(frame, "name", "statements", "activities", "hint", "source_kind")
        figures.use_theme()
        themed = figures.ranking(frame, "name", "statements", "activities", "hint", "source_kind")
    finally:
        pio.templates.default = default
    assert json.loads(named.to_json()) == json.loads(themed.to_json())
    assert themed.layout.template.layout.paper_bgcolor == "white"
    assert themed.layout.xaxis.title.text == "statements"
    assert themed.layout.height == 280 and title(themed) == "Top 2 of 2 activities"


@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300),
    most=st.integers(2, 30),
)
def test_histogram_bars_count_every_value_once_in_round_bins(
    values: list[float], most: int
) -> None:
    """The response and completion histograms are counted on the server: at most ``most``
    bins of one round width, each value in the one bin [start, end) that holds it."""
    bars = figures.histogram_bars(pd.Series([*values, None], dtype="float64"), most, "#000")
    width = float(bars.width)
    assert len(bars.x) <= most and sum(bars.y) == len(values)
    mantissa = width / 10 ** math.floor(math.log10(width))
    assert any(math.isclose(mantissa, step) for step in (1, 2, 2.5, 5, 10)), width
    # Each bin holds the values inside it, and perhaps those on its edges (the edge of
    # two bins is the later one's, up to floating point).
    tolerance = 1e-6 * width
    for centre, count in zip(bars.x, bars.y, strict=True):
        start, end = centre - width / 2, centre + width / 2
        inside = sum(start + tolerance < v < end - tolerance for v in values)
        around = sum(start - tolerance <= v <= end + tolerance for v in values)
        assert inside <= count <= around, (start, end, count)
    assert bars.y[0] and bars.y[-1]  # no empty bin before the first value or after the last


def test_histogram_bars_of_nothing_draw_nothing() -> None:
    bars = figures.histogram_bars(pd.Series([None], dtype="float64"), 20, "#000")
    assert list(bars.x) == [] and list(bars.y) == []
