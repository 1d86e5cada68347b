"""The contributions-vs-results scatter stays light to draw with thousands of people
and drops no one: the crowd as shaded cells counted on hover, the people who stand out
(top contributors, outliers) as points, and the subtitle says how many are drawn how."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from dashboards import figures


def people(groups: list[tuple[int, int, float, str]]) -> pd.DataFrame:
    """``(count, contributions, mean score, name prefix)``: that many people alike."""
    rows = [
        {"actor_key": f"{prefix}{i}", "name": f"{prefix.title()} {i}", "team": f"team {i % 3}",
         "contributions": contributions, "mean_score": score, "completions": 1}
        for count, contributions, score, prefix in groups
        for i in range(count)
    ]  # fmt: skip
    return pd.DataFrame(rows)


CROWD = [(400, 3, 0.5, "a"), (300, 4, 0.6, "b")]
TOP = [(1, 40 + i, 0.7, f"top{i}-") for i in range(figures.SCATTER_TOP)]
OUTLIERS = [(5, 10, 0.1, "odd")]


def drawn(figure: go.Figure) -> tuple[list[str], list[int]]:
    """The people drawn as points (their slices) and each shaded cell's count."""
    points = [key for t in figure.data if t.type == "scatter" for key in t.customdata]
    cells = [int(text.split(" people")[0]) for t in figure.data if t.type == "heatmap"
             for row in t.customdata for text in row if not text.startswith("0 ")]  # fmt: skip
    return points, cells


def test_the_crowd_is_shaded_and_who_stands_out_is_a_point() -> None:
    frame = people([*CROWD, *TOP, *OUTLIERS])
    figure = figures.contribution_scatter(frame)
    points, cells = drawn(figure)
    # Every top contributor and every outlier is a point; the two crowds are two cells.
    expected = [key for key in frame["actor_key"] if key.startswith(("top", "odd"))]
    assert sorted(points) == sorted(urlencode({"person": key}) for key in expected)
    assert sorted(cells) == [300, 400]
    subtitle = figure.layout.title.subtitle.text
    assert subtitle.startswith("725 people: 25 as points, 700 as shaded cells; Spearman rho")


def test_no_one_is_dropped_and_the_points_stay_few() -> None:
    """REQ-DASH-NUMBERS: points plus the cells' counts are every person, once."""
    groups = [(1 + (i * 37) % 23, i % 17, round(0.3 + (i % 13) / 20, 2), f"p{i}-")
              for i in range(160)]  # fmt: skip
    frame = people(groups)
    assert len(frame) > 1000
    points, cells = drawn(figures.contribution_scatter(frame))
    assert len(points) <= figures.SCATTER_POINTS
    assert len(set(points)) == len(points)
    assert len(points) + sum(cells) == len(frame)
    top = frame.sort_values(["contributions", "actor_key"], ascending=[False, True])
    for key in top["actor_key"][: figures.SCATTER_TOP]:
        assert urlencode({"person": key}) in points


def test_a_cell_of_counts_names_whole_contributions() -> None:
    figure = figures.contribution_scatter(people([*CROWD, *TOP]))
    [cells] = [t for t in figure.data if t.type == "heatmap"]
    texts = [text for row in cells.customdata for text in row if not text.startswith("0 ")]
    # Cells two contributions wide, centred on whole numbers: 3 falls in "2 to 3".
    assert sorted(text.split(", score")[0] for text in texts) == [
        "300 people: 4 to 5 contributions", "400 people: 2 to 3 contributions"]  # fmt: skip


def test_a_few_people_are_all_points() -> None:
    frame = people([(figures.SCATTER_POINTS, 2, 0.5, "p")])
    figure = figures.contribution_scatter(frame)
    points, cells = drawn(figure)
    assert len(points) == figures.SCATTER_POINTS and not cells
    assert f"{figures.SCATTER_POINTS} people, one point each" in figure.layout.title.subtitle.text
