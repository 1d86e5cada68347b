"""The knowledge-flow graph stays readable: teams apart, 19 team colours and "other
teams", names only on the people with the most flow."""

from __future__ import annotations

import math

import pandas as pd

from dashboards import figures


def edges(people: int, teams: int) -> pd.DataFrame:
    rows = []
    for i in range(people):
        j = (i * 7 + 3) % people
        if i != j:
            rows.append({"source": f"p{i}", "target": f"p{j}", "weight": 1 + i % 5,
                         "source_name": f"P {i}", "target_name": f"P {j}",
                         "source_team": f"team {i % teams:02d}",
                         "target_team": f"team {j % teams:02d}"})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.attrs["total"] = len(rows) * 3
    return frame


def test_twenty_five_teams_get_nineteen_colours_and_other_teams() -> None:
    figure = figures.network(edges(300, 25), "contribute")
    groups = [trace for trace in figure.data if trace.showlegend is not False]
    names = [trace.name.rsplit(" (", 1)[0] for trace in groups]
    assert len(names) == 20 and names[-1] == figures.OTHER_TEAMS
    colours = [trace.marker.color for trace in groups[:-1]]
    assert len(set(colours)) == 19
    people = sum(len(trace.x) for trace in groups)
    assert people == 300
    # At most the 25 with the most flow are named, and only where the names fit: at
    # 300 people some of the 25 sit too close to a heavier one.
    labelled = [t for trace in groups for t in trace.text if t]
    assert 10 <= len(labelled) <= figures.LABELLED_NODES
    assert "the 300 heaviest of 900 links" in figure.layout.title.subtitle.text


def test_a_team_stays_together() -> None:
    frame = edges(120, 4)
    figure = figures.network(frame, "learn")
    groups = [trace for trace in figure.data if trace.showlegend is not False]
    centres = [(sum(trace.x) / len(trace.x), sum(trace.y) / len(trace.y)) for trace in groups]
    for trace, (cx, cy) in zip(groups, centres, strict=True):
        own = max(math.hypot(x - cx, y - cy) for x, y in zip(trace.x, trace.y, strict=True))
        nearest = min(math.hypot(cx - ox, cy - oy) for ox, oy in centres if (ox, oy) != (cx, cy))
        assert own < nearest / 2, trace.name


def test_team_colours_of_a_few_teams_are_distinct() -> None:
    colours = figures.team_colours([f"t{i}" for i in range(12)])
    assert len(set(colours.values())) == 12


def test_names_are_placed_only_where_they_fit() -> None:
    """In a dense cluster only the person with the most flow is named; people far
    apart are all named (the others still name themselves on hover)."""
    names = {f"p{i}": f"Person number {i}" for i in range(10)}
    ranked = sorted(names)
    dense = {key: (0.001 * i, 0.0) for i, key in enumerate(ranked)}
    dense["far"] = (1.0, 1.0)
    assert figures.fitting_labels(ranked, dense, names, 540) == {"p0"}
    apart = {key: (0.0, float(i)) for i, key in enumerate(ranked)}
    assert figures.fitting_labels(ranked, apart, names, 540) == set(ranked)
