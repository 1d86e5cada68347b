"""Pure figure builders: ``DataFrame -> plotly Figure``; no database, no Dash.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), with
one fixed pair for the two sides: formal blue, informal orange. Every title says how many
statements (or people, items) the chart covers; ranked lists say "top N of M".

A point whose statements can be told by a filter carries that filter as a URL query in
its ``customdata`` (``activity=...``, ``person=...``): a click on it opens the Explorer
on exactly those statements.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
KIND_COLOURS = {"formal": "#0072B2", "informal": "#E69F00", "other": "#999999"}
KIND_ORDER = ("formal", "informal", "other")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


LEGEND_GAP = 84
"""Pixels from the bottom of the plot area to the legend below it: room for the x
axis's ticks and title, whatever the figure's height."""


def legend_y(height: int, bottom: int = 10) -> float:
    """The legend's place below the plot, as the fraction of the plot area's height
    (what plotly positions it by) that is ``LEGEND_GAP`` pixels: a fixed fraction left
    hundreds of empty pixels above the legend of a tall chart (a funnel of 15 courses)."""
    plot = max(height + 20 - 70 - bottom, 1)  # the figure's height less its margins
    return -LEGEND_GAP / plot


THEME = "plotly_white"
"""The plotly template of every chart."""


def use_theme() -> None:
    """Make ``THEME`` plotly's default template, which every new figure then starts
    with as it is: a template named in a layout is validated and deep-copied into each
    figure instead, which cost more (about 15 ms a chart) than most charts' queries."""
    pio.templates.default = THEME


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``changes`` as ``update_layout`` does: nested dicts merged,
    other values replaced."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _layout(figure: go.Figure, title: str, height: int = 340) -> go.Figure:
    # "Main title — what it covers": the coverage goes in a subtitle line so that long
    # titles stay readable beside the mode bar.
    main, _, covered = title.partition(" — ")
    changes: dict[str, Any] = {
        "title": {
            "text": main,
            "x": 0.01,
            "font": {"size": 15},
            "subtitle": {"text": covered, "font": {"size": 12, "color": "#555"}},
        },
        "height": height + 20,
        "colorway": list(OKABE_ITO),
        "legend": {"orientation": "h", "y": legend_y(height), "yanchor": "top"},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    }
    # The layout is set once, not updated key by key (plotly's updates cost milliseconds
    # each), and without the template, which the figure takes from the default again
    # (``use_theme``); named only when it is not the default.
    layout = figure.layout.to_plotly_json()
    layout.pop("template", None)
    if pio.templates.default != THEME:
        changes["template"] = THEME
    figure.layout = _merged(layout, changes)
    return fit_margins(figure)


CHARACTER = 7.5
"""Pixels a character of the charts' 12 px font takes, a little more than the average."""


def fit_margins(figure: go.Figure) -> go.Figure:
    """``figure`` with margins about as wide as plotly would make them to fit the axes'
    labels and titles, the legend below the plot and a colour bar.

    Plotly lays a figure out within its margins, grows them to fit what is drawn around
    the plot (``automargin``) and, when they grew, draws the whole figure again: starting
    from margins that already fit halves the browser's drawing of most charts
    (Overview's 7 charts at 20,000 facts: 0.31 -> 0.16 s of Chromium's time). An
    estimate: where it falls short, plotly still grows the margin (and draws twice, as
    before); where it is generous, the plot is a few pixels narrower."""
    layout = figure.layout
    traces = list(figure.data)
    height = int(layout.height or 450)
    shown = [t for t in traces if t.showlegend is not False]
    legend = (
        layout.showlegend
        if layout.showlegend is not None
        else any(t.type == "pie" for t in traces) or len(shown) > 1
    )
    below = bool(legend) and layout.legend.orientation == "h" and (layout.legend.y or 1) < 0
    x_shown = layout.xaxis.visible is not False and not any(t.type == "pie" for t in traces)
    y_shown = layout.yaxis.visible is not False and x_shown
    left = right = bottom = 10
    if y_shown:
        labels = [str(v) for t in traces if t.type != "pie" and t.y is not None for v in t.y
                  if isinstance(v, str)]  # fmt: skip
        left = max(40, math.ceil(12 + CHARACTER * max(map(len, labels), default=0)))
        left += 25 if layout.yaxis.title.text is not None else 0
    if x_shown:
        # Dates are written on two lines ("Oct 5" over "2026") over a short range; the
        # last tick's label may reach past the plot's right end.
        bottom = (45 if any(_dates(t.x) for t in traces) else 28) + (
            25 if layout.xaxis.title.text is not None else 0
        )
        right = 35 if any(t.type == "histogram" for t in traces) else 20
    if below:
        # The legend's top LEGEND_GAP pixels below the plot, its row under it.
        bottom = max(bottom, LEGEND_GAP + 42)
        figure.layout.legend.y = legend_y(height - 20, bottom)
    if bool(legend) and layout.legend.orientation == "v" and (layout.legend.x or 0) >= 1:
        # A legend beside the plot: its longest entry after the marker's 40 pixels.
        names = [str(t.name) for t in shown if t.name is not None]
        right = max(right, math.ceil(40 + CHARACTER * max(map(len, names), default=0)))
    if any(t.type == "heatmap" and t.showscale is not False for t in traces):
        right = 100
    figure.layout.margin = {"l": left, "r": right, "t": 70, "b": bottom}
    return figure


def _dates(values: Any) -> bool:
    """Whether an axis's ``values`` are dates (plotly's date axis), by the first."""
    if values is None or not len(values):
        return False
    first = values[0]
    if isinstance(first, str):
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", first))
    return isinstance(first, (date, np.datetime64))


def slices(name: str, values: Iterable[object]) -> list[str]:
    """Each value as the URL query of its slice: the filter ``name`` set to it."""
    return [urlencode({name: str(value)}) for value in values]


def n(value: float) -> str:
    """A count with thousands separators."""
    return f"{int(value):,}"


def change_text(change: dict[str, object]) -> str:
    """A counter's change against the previous period (a row of ``summary_change``):
    "+12 (+25%) vs 2026-10-01 to 2026-10-30", "new: none in …" when it was 0, or
    nothing for an open range (no previous period)."""
    previous, difference, ratio = change["previous"], change["change"], change["change_ratio"]
    if not isinstance(previous, float) or math.isnan(previous):
        return ""
    period = f"{change['previous_start']} to {change['previous_end']}"
    if not previous or not isinstance(difference, float) or not isinstance(ratio, float):
        return f"new: none in {period}"
    return f"{int(difference):+,} ({ratio:+.0%}) vs {period}"


def empty_figure(title: str, hint: str) -> go.Figure:
    """A chart frame saying what is missing and what to send to fill it."""
    figure = go.Figure()
    figure.add_annotation(
        text=hint, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
        font={"size": 13, "color": "#555"},
    )  # fmt: skip
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, f"{title} — no statements", height=260)


def _buckets(frame: pd.DataFrame, value: str, by: str) -> tuple[pd.DataFrame, str]:
    """Daily rows, or weekly sums when the range is long (so bars stay readable)."""
    days = pd.to_datetime(frame["day"])
    span = (days.max() - days.min()).days if len(frame) else 0
    if span <= 120:
        return frame.assign(day=days), "day"
    week = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    grouped = frame.assign(day=week).groupby(["day", by], as_index=False)[value].sum()
    return grouped, "week"


def statements_over_time(frame: pd.DataFrame) -> go.Figure:
    """Stacked columns of statements per day (or week), formal vs informal vs other."""
    title = "Statements over time"
    if frame.empty:
        return empty_figure(title, "Send statements to /xapi/statements to see activity here.")
    data, unit = _buckets(frame, "statements", "source_kind")
    figure = go.Figure()
    for kind in KIND_ORDER:
        part = data[data["source_kind"] == kind]
        if not part.empty:
            figure.add_bar(
                x=part["day"], y=part["statements"], name=kind, marker_color=KIND_COLOURS[kind]
            )
    figure.update_layout(barmode="stack", yaxis_title=f"statements per {unit}")
    return _layout(figure, f"{title} — {n(frame['statements'].sum())} statements, per {unit}")


def previous_period(
    figure: go.Figure, frame: pd.DataFrame, value: str, shift_days: int, weekly: bool = True
) -> go.Figure:
    """``figure`` with the previous period's totals as a dotted line, moved forward by
    the period's length so that it lines up with this one; each point leads to the
    statements of the days it sums."""
    if frame.empty or not figure.data:
        return figure
    totals = frame.groupby("day", as_index=False)[value].sum()
    moved = totals.assign(day=pd.to_datetime(totals["day"]) + pd.Timedelta(days=shift_days),
                          previous="previous")  # fmt: skip
    data, unit = _buckets(moved, value, "previous") if weekly else (moved, "day")
    span = 6 if unit == "week" else 0
    starts = [(day - pd.Timedelta(days=shift_days)).date() for day in data["day"]]
    figure.add_scatter(
        x=data["day"], y=data[value], mode="lines+markers", name="previous period",
        line={"dash": "dot", "color": "#555555", "width": 2}, marker={"size": 4},
        customdata=[urlencode({"from": d.isoformat(),
                               "to": (d + pd.Timedelta(days=span)).isoformat()})
                    for d in starts],
        hovertemplate="previous period: %{y}<extra></extra>",
    )  # fmt: skip
    return fit_margins(figure)


def active_people(frame: pd.DataFrame) -> go.Figure:
    title = "Active people per day"
    if frame.empty:
        return empty_figure(title, "No one has statements in this range.")
    figure = go.Figure(
        go.Scatter(
            x=pd.to_datetime(frame["day"]), y=frame["people"], mode="lines",
            line={"color": OKABE_ITO[2], "width": 2}, name="people",
        )
    )  # fmt: skip
    peak = int(frame["people"].max())
    days = len(frame)
    return _layout(figure, f"{title} — {n(days)} active days, peak {n(peak)} people")


def ranking(
    frame: pd.DataFrame,
    label: str,
    value: str,
    noun: str,
    hint: str,
    colour_by: str | None = None,
    drill: tuple[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars of a top-N list, titled "Top k of N <noun>"; ``drill`` is the
    (column, filter) that tells a bar's statements."""
    total = int(frame.attrs.get("total", len(frame)))
    title = f"Top {len(frame)} of {n(total)} {noun}"
    if frame.empty:
        return empty_figure(f"Most active {noun}", hint)
    data = frame.iloc[::-1]
    colours = (
        [KIND_COLOURS.get(str(k), OKABE_ITO[4]) for k in data[colour_by]]
        if colour_by
        else OKABE_ITO[0]
    )
    figure = go.Figure(
        go.Bar(
            x=data[value], y=_labels(frame[label])[::-1], orientation="h",
            marker_color=colours, text=data[value], textposition="auto",
            hovertext=data[label],
            customdata=slices(drill[1], data[drill[0]]) if drill else None,
        )
    )  # fmt: skip
    figure.update_layout(xaxis_title=value)
    return _layout(figure, title, height=max(260, 40 + 28 * len(frame)))


def stacked_people(frame: pd.DataFrame) -> go.Figure:
    """Most active people, their formal and informal statements stacked."""
    total = int(frame.attrs.get("total", len(frame)))
    if frame.empty:
        return empty_figure("Most active people", "Send statements with an actor name.")
    data = frame.iloc[::-1]
    figure = go.Figure()
    for kind in ("formal", "informal"):
        figure.add_bar(
            x=data[kind], y=data["name"], orientation="h", name=kind,
            marker_color=KIND_COLOURS[kind], customdata=slices("person", data["actor_key"]),
        )  # fmt: skip
    other = data["statements"] - data["formal"] - data["informal"]
    if other.sum():
        figure.add_bar(
            x=other, y=data["name"], orientation="h", name="other", marker_color="#999999"
        )
    figure.update_layout(barmode="stack", xaxis_title="statements")
    title = f"Most active people — top {len(frame)} of {n(total)}"
    return _layout(figure, title, height=max(260, 60 + 28 * len(frame)))


CONTRIBUTION_KIND_COLOURS = {"posts": OKABE_ITO[0], "edits": OKABE_ITO[2],
                             "comments": OKABE_ITO[1], "other": "#999999"}  # fmt: skip


def top_contributors(frame: pd.DataFrame) -> go.Figure:
    """The people with the most informal contributions, their posts, edits, comments
    and other contributions stacked, the count of each as its bar's label."""
    total = int(frame.attrs.get("total", len(frame)))
    title = "Top contributors"
    if frame.empty:
        return empty_figure(title, "Send informal posts, edits or comments with an actor name.")
    data = frame.iloc[::-1]
    figure = go.Figure()
    for kind, colour in CONTRIBUTION_KIND_COLOURS.items():
        if kind == "other" and not data[kind].sum():
            continue
        figure.add_bar(
            x=data[kind], y=data["name"], orientation="h", name=kind, marker_color=colour,
            text=[str(v) if v else "" for v in data[kind]], textposition="inside",
            customdata=[urlencode({"person": key, "kind": "informal"})
                        for key in data["actor_key"]],
        )  # fmt: skip
    figure.update_layout(barmode="stack", xaxis_title="contributions")
    title = f"{title} — top {len(frame)} of {n(total)}, by kind"
    return _layout(figure, title, height=max(260, 60 + 28 * len(frame)))


def rhythm(frame: pd.DataFrame) -> go.Figure:
    """Weekday x hour heatmap of statements (UTC)."""
    title = "Activity by weekday and hour (UTC)"
    if frame.empty:
        return empty_figure(title, "Send statements with timestamps to see the weekly rhythm.")
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, count in frame[["weekday", "hour", "statements"]].itertuples(index=False):
        grid[int(weekday) - 1][int(hour)] = int(count)
    figure = go.Figure(
        go.Heatmap(
            z=grid, x=list(range(24)), y=list(WEEKDAYS), colorscale="Cividis",
            hovertemplate="%{y} %{x}:00 — %{z} statements<extra></extra>",
        )
    )  # fmt: skip
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title="hour", dtick=2)
    return _layout(figure, f"{title} — {n(frame['statements'].sum())} statements")


def kind_mix(summary: pd.DataFrame) -> go.Figure:
    row = summary.iloc[0]
    title = "Formal vs informal"
    if not row["statements"]:
        return empty_figure(title, "No statements yet.")
    kinds = [k for k in KIND_ORDER if row[k]]
    figure = go.Figure(
        go.Pie(
            labels=kinds, values=[int(row[k]) for k in kinds], hole=0.55, sort=False,
            marker={"colors": [KIND_COLOURS[k] for k in kinds]},
        )
    )  # fmt: skip
    return _layout(figure, f"{title} — {n(row['statements'])} statements")


# -- courses -------------------------------------------------------------------------

FUNNEL_STEPS = (("enrolled", "enrolled"), ("started", "started"),
                ("completed", "completed"), ("passed", "passed"))  # fmt: skip


def course_funnel(frame: pd.DataFrame, order: str = "most people first") -> go.Figure:
    """Grouped bars per course: people enrolled → started → completed → passed (→ cmi5
    satisfied, when any course has it); ``order`` says how the courses are sorted."""
    total = int(frame.attrs.get("total", len(frame)))
    title = f"Course funnel — {len(frame)} of {n(total)} courses, {order}, people per step"
    if frame.empty:
        return empty_figure(
            "Course funnel",
            "Send registered, launched, completed and passed statements on course activities.",
        )
    figure = go.Figure()
    steps: tuple[tuple[str, str], ...] = FUNNEL_STEPS
    if "satisfied" in frame and frame["satisfied"].any():
        steps = (*steps, ("satisfied", "satisfied (cmi5)"))
    for index, (column, label) in enumerate(steps):
        figure.add_bar(
            y=_labels(frame["name"]), x=frame[column], name=label,
            orientation="h", marker_color=OKABE_ITO[[4, 0, 2, 3, 5][index]],
            customdata=slices("activity", frame["course"]),
        )  # fmt: skip
    figure.update_layout(barmode="group", xaxis_title="people")
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, height=max(300, 80 + 70 * len(frame)))


def course_rates(frame: pd.DataFrame, order: str = "most people first") -> go.Figure:
    total = int(frame.attrs.get("total", len(frame)))
    title = f"Completion and pass rates — {len(frame)} of {n(total)} courses, {order}"
    if frame.empty:
        return empty_figure("Completion and pass rates", "Send completed/passed/failed statements.")
    figure = go.Figure()
    labels = _labels(frame["name"])
    figure.add_bar(
        y=labels, x=frame["completion_rate"] * 100, name="completion %", orientation="h",
        marker_color=OKABE_ITO[2], customdata=slices("activity", frame["course"]),
        text=[f"{r:.0%} of {p}" for r, p in zip(frame["completion_rate"], frame["people"],
                                               strict=True)],
    )  # fmt: skip
    figure.add_bar(
        y=labels, x=frame["pass_rate"] * 100, name="pass % (of judged)", orientation="h",
        marker_color=OKABE_ITO[3], customdata=slices("activity", frame["course"]),
        text=[f"{r:.0%}" for r in frame["pass_rate"]],
    )  # fmt: skip
    figure.update_layout(barmode="group", xaxis={"title": "%", "range": [0, 105]})
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, height=max(300, 80 + 60 * len(frame)))


def score_histogram(frame: pd.DataFrame) -> go.Figure:
    title = "Score distribution (scaled)"
    if frame.empty:
        return empty_figure(title, "Send formal results with result.score (scaled or raw/max).")
    figure = go.Figure(
        go.Bar(
            x=[f"{b:.1f}-{b + 0.1:.1f}" for b in frame["bucket"]], y=frame["results"],
            marker_color=OKABE_ITO[0], text=frame["results"], textposition="auto",
        )
    )  # fmt: skip
    figure.update_layout(xaxis_title="scaled score", yaxis_title="results")
    return _layout(figure, f"{title} — {n(frame['results'].sum())} scored statements")


def time_spent(frame: pd.DataFrame) -> go.Figure:
    total = int(frame.attrs.get("total", len(frame)))
    title = f"Time spent — {len(frame)} of {n(total)} courses"
    if frame.empty:
        return empty_figure(
            "Time spent",
            "Send completed, passed, failed or terminated statements with result.duration.",
        )
    figure = go.Figure(
        go.Bar(
            y=_labels(frame["name"]), x=frame["hours"], orientation="h",
            marker_color=OKABE_ITO[4], customdata=slices("activity", frame["course"]),
            text=[f"{h:.1f} h · median {m:.0f} min/person" for h, m in
                  zip(frame["hours"], frame["median_minutes"], strict=True)],
        )
    )  # fmt: skip
    figure.update_layout(xaxis_title="hours spent")
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, height=max(260, 60 + 40 * len(frame)))


# -- knowledge -----------------------------------------------------------------------

CONCEPT_COLOURS = {
    "authored": OKABE_ITO[0], "created": OKABE_ITO[4], "edited": OKABE_ITO[2],
    "commented": OKABE_ITO[1], "replied": OKABE_ITO[5], "asked": OKABE_ITO[3],
    "liked": "#999999",
}  # fmt: skip


def contributions_over_time(frame: pd.DataFrame) -> go.Figure:
    title = "Contributions over time"
    if frame.empty:
        return empty_figure(
            title,
            "Send informal statements: authored/created posts and pages, edited, commented, "
            "replied, asked, liked.",
        )
    data, unit = _buckets(frame, "statements", "concept")
    figure = go.Figure()
    for concept, colour in CONCEPT_COLOURS.items():
        part = data[data["concept"] == concept]
        if not part.empty:
            figure.add_bar(x=part["day"], y=part["statements"], name=concept, marker_color=colour)
    figure.update_layout(barmode="stack", yaxis_title=f"statements per {unit}")
    return _layout(figure, f"{title} — {n(frame['statements'].sum())} statements, per {unit}")


def participation(frame: pd.DataFrame, shares: pd.DataFrame) -> go.Figure:
    """People who contribute, only react, or only read — the 1 % rule made visible."""
    people = int(frame["people"].sum())
    title = "Contributors vs readers"
    if not people:
        return empty_figure(title, "Send informal statements: viewed, liked, commented, edited.")
    text = [f"{p} ({p / people:.0%})" for p in frame["people"]]
    figure = go.Figure(
        go.Bar(
            y=frame["role"], x=frame["people"], orientation="h", text=text,
            marker_color=[OKABE_ITO[1], OKABE_ITO[4], "#999999"],
        )
    )  # fmt: skip
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(xaxis_title="people")
    top = _top_share(shares)
    return _layout(figure, f"{title} — {n(people)} people; {top}", height=280)


def _top_share(shares: pd.DataFrame) -> str:
    total = int(shares["contributions"].sum()) if not shares.empty else 0
    if not total:
        return "no contributions"
    top = max(1, math.ceil(len(shares) * 0.1))
    made = int(shares["contributions"].head(top).sum())
    return f"top {top} of {len(shares)} contributors made {made / total:.0%}"


def response_histogram(frame: pd.DataFrame) -> go.Figure:
    title = "Time to first answer or comment"
    if frame.empty:
        return empty_figure(
            title, "Send authored/asked statements and commented/replied statements on them."
        )
    answered = frame["hours"].dropna()
    median = f"median {answered.median():.1f} h" if len(answered) else "none answered"
    figure = go.Figure(histogram_bars(answered, 24, OKABE_ITO[5], "answered"))
    figure.update_layout(xaxis_title="hours until first response by someone else",
                         yaxis_title="posts and questions")  # fmt: skip
    title = f"{title} — {n(len(frame))} posts/questions, {n(len(answered))} answered, {median}"
    return _layout(figure, title)


def topics(frame: pd.DataFrame) -> go.Figure:
    total = int(frame.attrs.get("total", len(frame)))
    title = f"Emerging topics — top {len(frame)} of {n(total)} tags"
    if frame.empty:
        return empty_figure(
            "Emerging topics",
            "Tag statements: a contextActivities.category activity of type "
            "http://id.tincanapi.com/activitytype/tag.",
        )
    data = frame.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            y=data["tag"], x=data["growth"], orientation="h", marker_color=OKABE_ITO[2],
            text=[f"{r} recent / {e} before" for r, e in
                  zip(data["recent"], data["earlier"], strict=True)],
        )
    )  # fmt: skip
    figure.update_layout(xaxis_title="growth (recent share ÷ earlier share)")
    return _layout(figure, title, height=max(260, 60 + 28 * len(frame)))


# -- convergence ---------------------------------------------------------------------


def team_mix(frame: pd.DataFrame) -> go.Figure:
    """100 % stacked bars per team: formal / informal / other share."""
    title = "Formal / informal mix per team"
    if frame.empty:
        return empty_figure(title, "Send statements with context.team (a Group).")
    totals = frame.groupby("team")["statements"].transform("sum")
    data = frame.assign(share=frame["statements"] / totals * 100)
    # The entry's order (largest informal share first), top to bottom.
    order = list(dict.fromkeys(frame["team"]))
    figure = go.Figure()
    for kind in KIND_ORDER:
        part = data[data["source_kind"] == kind]
        if not part.empty:
            figure.add_bar(
                y=part["team"], x=part["share"], name=kind, orientation="h",
                marker_color=KIND_COLOURS[kind], customdata=part["statements"],
                text=[f"{s:.0f}% · {n(c)}" for s, c in
                      zip(part["share"], part["statements"], strict=True)],
                textposition="inside", insidetextanchor="middle",
                hovertemplate="%{y}: %{x:.0f}% (%{customdata} statements)<extra></extra>",
            )  # fmt: skip
    figure.update_layout(barmode="stack", xaxis={"title": "% of the team's statements"})
    figure.update_yaxes(categoryorder="array", categoryarray=order[::-1])
    teams = frame["team"].nunique()
    return _layout(
        figure,
        f"{title} — {n(frame['statements'].sum())} statements, {teams} teams",
        height=max(260, 80 + 32 * teams),
    )


SCATTER_POINTS = 150
"""The most people the contributions-vs-results scatter draws as points. Beyond it, the
people in its dense middle are drawn as shaded cells (2,000 points took the browser
0.2-0.5 s to draw), and the people that stand out are still points: the top
contributors, then the people of the sparsest cells."""
SCATTER_TOP = 20
"""The top contributors always drawn as points: those a manager looks for first."""
SCATTER_CELLS = (30, 16)
"""About so many cells at most across and up the scatter's grid (``scatter_grid``)."""


def contribution_scatter(frame: pd.DataFrame) -> go.Figure:
    """One point per person, coloured by team, or beyond ``SCATTER_POINTS`` people the
    dense middle as shaded cells (counted on hover) beneath the people that stand out;
    the subtitle says how many are drawn each way, and the chart's numbers hold all."""
    title = "Informal contributions vs mean formal score"
    if frame.empty:
        return empty_figure(
            "Contributions vs results", "Needs people with both scored results and contributions."
        )
    points = scatter_points(frame)
    figure = go.Figure()
    shown, rest = frame[points], frame[~points]
    if len(rest):
        figure.add_trace(_density(frame, ~points))
    for index, (team, part) in enumerate(shown.groupby("team", sort=True)):
        figure.add_scatter(
            x=part["contributions"], y=part["mean_score"], mode="markers", name=str(team),
            text=part["name"], marker={"size": 9, "color": OKABE_ITO[index % len(OKABE_ITO)]},
            customdata=slices("person", part["actor_key"]),
            hovertemplate="%{text}: %{x} contributions, score %{y:.2f}<extra></extra>",
        )  # fmt: skip
    rho = _spearman(frame["contributions"], frame["mean_score"])
    figure.update_layout(xaxis_title="informal contributions", yaxis_title="mean scaled score")
    note = f"Spearman rho = {rho:.2f}" if rho is not None else "rho needs 3 or more people"
    drawn = (
        f"{n(len(frame))} people, one point each"
        if not len(rest)
        else f"{n(len(frame))} people: {n(len(shown))} as points, {n(len(rest))} as shaded cells"
    )
    return _layout(figure, f"{title} — {drawn}; {note}")


def scatter_points(frame: pd.DataFrame) -> np.ndarray:
    """Which people (rows of ``frame``) the scatter draws as points: everyone up to
    ``SCATTER_POINTS`` people; beyond, the ``SCATTER_TOP`` top contributors and then the
    people of the cells (``scatter_grid``) that hold the fewest, a whole cell at a time
    while they fit, so that every outlier is a point and only crowds are shaded."""
    if len(frame) <= SCATTER_POINTS:
        return np.ones(len(frame), dtype=bool)
    order = np.lexsort((frame["actor_key"].to_numpy(), -frame["contributions"].to_numpy()))
    chosen = np.zeros(len(frame), dtype=bool)
    chosen[order[:SCATTER_TOP]] = True
    (columns, _), (rows, _) = scatter_grid(frame)
    cells = columns * (rows.max() + 1) + rows
    found, sizes = np.unique(cells[~chosen], return_counts=True)
    fewest = np.lexsort((found, sizes))
    # The sparsest cells, a whole cell at a time, while their people fit in the room.
    fitting = fewest[np.cumsum(sizes[fewest]) <= SCATTER_POINTS - SCATTER_TOP]
    chosen |= np.isin(cells, found[fitting])
    return chosen


Cells = tuple[np.ndarray, tuple[float, float]]
"""Each value's cell (0 up), and where the first cell starts and how wide each is."""


def scatter_grid(frame: pd.DataFrame) -> tuple[Cells, Cells]:
    """The scatter's cells across (contributions) and up (mean score): at most about
    ``SCATTER_CELLS`` of a round width (1, 2, 2.5 or 5 times a power of ten) each way."""
    return (
        _cells(frame["contributions"].to_numpy(dtype="float64"), SCATTER_CELLS[0]),
        _cells(frame["mean_score"].to_numpy(dtype="float64"), SCATTER_CELLS[1]),
    )


def _cells(values: np.ndarray, most: int) -> Cells:
    low, high = float(values.min()), float(values.max())
    width = _round_width((high - low) / most if high > low else max(1.0, abs(low)) / 10)
    start = math.floor(low / width + 1e-9) * width
    if width >= 1 and width.is_integer() and np.all(values == np.round(values)):
        start -= 0.5  # counts: each cell centred on whole numbers (5 to 6, not 4.5 to 5.5)
    index = np.floor((values - start) / width + 1e-9).astype("int64")
    return index, (start, width)


def _density(frame: pd.DataFrame, shaded: np.ndarray) -> go.Heatmap:
    """The people of ``frame`` where ``shaded`` counted into the scatter's cells, each
    cell shaded by its count (on a square-root scale, so that a few people still show
    beside a crowd) and counted on hover; empty cells are left blank."""
    (columns, (x0, dx)), (rows, (y0, dy)) = scatter_grid(frame)
    counts = np.zeros((rows.max() + 1, columns.max() + 1), dtype="int64")
    np.add.at(counts, (rows[shaded], columns[shaded]), 1)
    whole = x0 % 1 == 0.5 and dx.is_integer()
    across = [
        (f"{x0 + i * dx + 0.5:.0f}" + (f" to {x0 + (i + 1) * dx - 0.5:.0f}" if dx > 1 else "")
         if whole else f"{x0 + i * dx:.6g} to {x0 + (i + 1) * dx:.6g}")
        for i in range(counts.shape[1])
    ]  # fmt: skip
    words = [
        [f"{c} people: {across[i]} contributions, score {y0 + j * dy:.3g} to "
         f"{y0 + (j + 1) * dy:.3g}" for i, c in enumerate(row)]
        for j, row in enumerate(counts.tolist())
    ]  # fmt: skip
    return go.Heatmap(
        z=[[math.sqrt(c) if c else None for c in row] for row in counts.tolist()],
        x0=x0 + dx / 2, dx=dx, y0=y0 + dy / 2, dy=dy, customdata=words,
        colorscale=[[0, "#E4E8EE"], [1, "#56687F"]], showscale=False, showlegend=False,
        hoverongaps=False, hovertemplate="%{customdata}<extra></extra>",
    )  # fmt: skip


def _spearman(x: pd.Series, y: pd.Series) -> float | None:
    if len(x) < 3 or x.nunique() < 2 or y.nunique() < 2:
        return None
    return float(x.rank().corr(y.rank()))


def histogram_bars(
    values: pd.Series, most: int, colour: str, name: str | None = None
) -> go.Bar:  # fmt: skip
    """``values`` counted into at most ``most`` (2 or more) bins of a round width (1, 2, 2.5 or 5
    times a power of ten), each bin [start, end), drawn as bars as a histogram is.

    Counted here rather than by plotly in the browser: a histogram's trace carries every
    value (a million statements' response times or completions: hundreds of kilobytes of
    JSON to send, parse and bin), bars only a count per bin."""
    numbers = values.to_numpy(dtype="float64")
    numbers = numbers[np.isfinite(numbers)]
    if not len(numbers):
        return go.Bar(x=[], y=[], name=name, marker_color=colour)
    low, high = float(numbers.min()), float(numbers.max())
    size = max(1.0, abs(low), abs(high))
    # Values all alike get a bin a tenth of their size; else no bin is narrower than a
    # billionth of it, finer than floating point tells values apart.
    width = _round_width((high - low) / most if high > low else size / 10)
    width = max(width, _round_width(1e-9 * size))
    while True:  # ends: two bins hold any values once the width passes their size
        # Bins start at a multiple of the width; the small nudge keeps a value on an edge
        # (0.3 with bins of 0.1) in the bin it starts, and the first bin is the lowest
        # value's whatever floating point made of the division.
        index = np.floor(numbers / width + 1e-9).astype("int64")
        first = int(index.min())
        counts = np.bincount(index - first)
        if len(counts) <= most:
            break
        width = _round_width(width * 1.01)  # one bin too many: the next round width
    start = first * width
    bins = list(itertools.pairwise(start + i * width for i in range(len(counts) + 1)))
    return go.Bar(
        x=[(a + b) / 2 for a, b in bins], y=counts.tolist(), width=width, name=name,
        marker_color=colour, customdata=[[f"{a:.6g}", f"{b:.6g}"] for a, b in bins],
        hovertemplate="%{customdata[0]} to %{customdata[1]}: %{y}<extra></extra>",
    )  # fmt: skip


def _round_width(raw: float) -> float:
    """The smallest round bin width (1, 2, 2.5 or 5 times a power of ten) of at least
    ``raw`` (above zero)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(power * step for step in (1, 2, 2.5, 5, 10) if power * step >= raw)


def completion_to_contribution(frame: pd.DataFrame) -> go.Figure:
    title = "From course completion to first contribution on its topic"
    if frame.empty:
        return empty_figure(
            title,
            "Send completed statements on courses, then posts, edits or comments on "
            "content that shares a tag or a title word with the course.",
        )
    days = frame["days"].dropna()
    figure = go.Figure(histogram_bars(days, 20, OKABE_ITO[2]))
    figure.update_layout(xaxis_title="days", yaxis_title="people x courses")
    share = len(days) / len(frame)
    return _layout(
        figure,
        f"{title} — {n(len(frame))} completions, {share:.0%} followed by a contribution",
    )


TEAM_COLOURS = (
    # Okabe-Ito, then Paul Tol's "muted" and "light" schemes, then greys: 19 colours a
    # reader tells apart, the 20th group being "other".
    *OKABE_ITO[:7], "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
    "#CC6677", "#882255", "#AA4499", "#77AADD", "#EE8866", "#BBCC33",
)  # fmt: skip
OTHER_TEAMS = "other teams"
LABELLED_NODES = 25
"""Names shown on the graph: the people with the most flow; the rest on hover."""


def team_colours(teams: Sequence[str]) -> dict[str, str]:
    """A colour per team, the teams given most first: the first 19 their own colour,
    the rest grey under "other teams" (``team_groups``)."""
    kept = list(teams)[: len(TEAM_COLOURS)]
    return {team: TEAM_COLOURS[i] for i, team in enumerate(kept)}


def network_layout(
    nodes: Sequence[str], groups: dict[str, str], edges: Sequence[tuple[str, str, float]]
) -> dict[str, tuple[float, float]]:
    """Positions that keep each group together: the groups on a circle (the largest
    first), each group's people by a force-directed (spring) layout of the edges among
    them, around its centre and scaled by its size. Seeded: the same graph, the same
    picture."""
    import networkx as nx

    members: dict[str, list[str]] = {}
    for node in nodes:
        members.setdefault(groups[node], []).append(node)
    order = sorted(members, key=lambda g: (-len(members[g]), g))
    position: dict[str, tuple[float, float]] = {}
    ring = 0.0 if len(order) == 1 else 1.0
    for index, group in enumerate(order):
        angle = 2 * math.pi * index / len(order)
        centre = (ring * math.cos(angle), ring * math.sin(angle))
        people = sorted(members[group])
        graph = nx.Graph()
        graph.add_nodes_from(people)
        graph.add_weighted_edges_from(
            (a, b, w) for a, b, w in edges if groups[a] == group and groups[b] == group
        )
        radius = min(0.45, 0.08 + 0.04 * math.sqrt(len(people))) if len(order) > 1 else 1.0
        if len(people) == 1:
            local = {people[0]: (0.0, 0.0)}
        else:
            found = nx.spring_layout(graph, seed=7, iterations=60)
            local = {k: (float(v[0]), float(v[1])) for k, v in found.items()}
        for person, (x, y) in local.items():
            position[person] = (centre[0] + radius * x, centre[1] + radius * y)
    return position


def _add_arrows(
    figure: go.Figure,
    edges: Sequence[tuple[str, str, float]],
    position: dict[str, tuple[float, float]],
) -> None:
    """The edges as lines in three traces by weight (light, medium, heavy), and their
    arrowheads, short of each target, as one trace of markers turned along their edge:
    a trace per bucket draws in one go where an annotation per edge costs a layout
    validation each, and a head drawn on the line's own points would cost two empty
    markers an edge more."""
    top = max(weight for _, _, weight in edges)
    buckets: dict[int, list[tuple[str, str, float]]] = {}
    for edge in edges:
        buckets.setdefault(min(2, int(3 * edge[2] / top)), []).append(edge)
    heads: dict[str, list[float]] = {"x": [], "y": [], "angle": [], "size": []}
    for bucket, part in sorted(buckets.items()):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for source, target, _ in part:
            (x0, y0), (x1, y1) = position[source], position[target]
            # Stop short of the target so that the head shows beside its marker.
            length = math.hypot(x1 - x0, y1 - y0) or 1.0
            back = min(0.03, length / 3) / length
            end = (x1 - (x1 - x0) * back, y1 - (y1 - y0) * back)
            xs += [x0, end[0], None]
            ys += [y0, end[1], None]
            heads["x"].append(end[0])
            heads["y"].append(end[1])
            # Clockwise from up, as plotly turns a marker; the axes keep one scale.
            heads["angle"].append(round(math.degrees(math.atan2(x1 - x0, y1 - y0)), 1))
            heads["size"].append(7 + 2 * bucket)
        figure.add_scatter(
            x=xs, y=ys, mode="lines", showlegend=False, hoverinfo="skip",
            line={"width": 0.6 + 1.2 * bucket, "color": "rgba(0,0,0,%.2f)" % (0.2 + 0.12 * bucket)},
        )  # fmt: skip
    figure.add_scatter(
        x=heads["x"], y=heads["y"], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"symbol": "arrow", "angle": heads["angle"], "size": heads["size"],
                "color": "rgba(0,0,0,0.5)"},
    )  # fmt: skip


NETWORK_PLOT_PX = 360
"""What the layout's extent spans on screen, in pixels: the axes keep one scale, and
on a 1440 px wide page the graph beside its team legend draws it about this large
(less than the 540 px the plot area is high)."""
LABEL_CHAR_PX, LABEL_LINE_PX = 6.0, 13.0
"""The size of one character and one line of a 10 px label."""


def fitting_labels(
    ranked: Sequence[str],
    position: dict[str, tuple[float, float]],
    names: dict[str, str],
    plot_px: float,
) -> set[str]:
    """The people, most flow first, whose name fits above their point without
    overlapping a name already placed: in a dense cluster only the first is named
    (every point still names itself on hover)."""
    if not ranked:
        return set()
    xs = [position[k][0] for k in position]
    ys = [position[k][1] for k in position]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    unit = plot_px / span  # pixels per layout unit
    placed: list[tuple[float, float, float, float]] = []
    chosen: set[str] = set()
    for key in ranked:
        x, y = position[key][0] * unit, position[key][1] * unit
        half = len(names[key]) * LABEL_CHAR_PX / 2
        box = (x - half, x + half, y + 6, y + 6 + LABEL_LINE_PX)
        if any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3]
               for b in placed):  # fmt: skip
            continue
        placed.append(box)
        chosen.add(key)
    return chosen


def network(frame: pd.DataFrame, relation: str) -> go.Figure:
    """Knowledge-flow graph of the heaviest links (the entry's ``limit``): people
    grouped by team (each team a cluster, 19 team colours and "other teams"), arrows to
    the authors, names on the people with the most flow where they fit."""
    total = int(frame.attrs.get("total", len(frame)))
    verb = "comments on, edits or likes" if relation == "contribute" else "reads"
    title = f"Who {verb} whose content — the {len(frame)} heaviest of {n(total)} links"
    if frame.empty:
        return empty_figure(
            "Knowledge flow",
            "Send authored/created statements for content, then commented/edited/viewed "
            "statements on it by other people.",
        )
    teams: dict[str, str] = {}
    names: dict[str, str] = {}
    flow: dict[str, float] = {}
    for key, name, team, weight in (
        *zip(frame["source"], frame["source_name"], frame["source_team"], frame["weight"],
             strict=True),
        *zip(frame["target"], frame["target_name"], frame["target_team"], frame["weight"],
             strict=True),
    ):  # fmt: skip
        names[key] = str(name)
        teams[key] = team if isinstance(team, str) and team else "(no team)"
        flow[key] = flow.get(key, 0.0) + float(weight)
    by_size = pd.Series(teams).value_counts()
    ranked = sorted(by_size.index, key=lambda t: (-int(by_size[t]), t))
    colours = team_colours(ranked)
    groups = {key: team if team in colours else OTHER_TEAMS for key, team in teams.items()}
    edges = [(str(a), str(b), float(w)) for a, b, w in
             frame[["source", "target", "weight"]].itertuples(index=False)]  # fmt: skip
    position = network_layout(sorted(names), groups, edges)
    figure = go.Figure()
    _add_arrows(figure, edges, position)
    ranked_people = sorted(flow, key=lambda k: (-flow[k], k))[:LABELLED_NODES]
    labelled = fitting_labels(ranked_people, position, names, NETWORK_PLOT_PX)
    heaviest = max(flow.values())
    for group in [*[t for t in ranked if t in colours], OTHER_TEAMS]:
        keys = sorted(k for k in names if groups[k] == group)
        if not keys:
            continue
        figure.add_scatter(
            x=[position[k][0] for k in keys], y=[position[k][1] for k in keys],
            mode="markers+text", name=f"{group} ({len(keys)})",
            text=[names[k] if k in labelled else "" for k in keys],
            textposition="top center", textfont={"size": 10},
            customdata=slices("person", keys),
            hovertext=[f"{names[k]} · {teams[k]} · flow {flow[k]:.0f}" for k in keys],
            hoverinfo="text",
            marker={"size": [7 + 13 * math.sqrt(flow[k] / heaviest) for k in keys],
                    "color": colours.get(group, "#BBBBBB"),
                    "line": {"width": 0.5, "color": "#333"}},
        )  # fmt: skip
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x")
    # The teams' legend stands beside the graph, one team a row: below it, up to 21
    # entries would wrap into rows as tall as the graph.
    figure = _layout(figure, title, height=620)
    figure.update_layout(legend={"orientation": "v", "y": 1, "yanchor": "top", "x": 1.01})
    return fit_margins(figure)


# -- people --------------------------------------------------------------------------


def person_timeline(frame: pd.DataFrame, name: str) -> go.Figure:
    title = f"{name}: learning and contribution over time"
    if frame.empty:
        return empty_figure(title, "No statements by this person in the range.")
    figure = statements_over_time(frame)
    return _layout(figure, f"{title} — {n(frame['statements'].sum())} statements")


SIDE_COLOURS = {"learning": KIND_COLOURS["formal"], "sharing": KIND_COLOURS["informal"]}


def my_timeline(frame: pd.DataFrame, name: str) -> go.Figure:
    """A person's course results and contributions as points per day, one row per side;
    a point's size is its statements and a click opens them."""
    title = f"{name}: learning and sharing"
    if frame.empty:
        return empty_figure(title, "No course results or contributions in the range.")
    figure = go.Figure()
    for side in ("learning", "sharing"):
        part = frame[frame["side"] == side]
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[str(d) for d in part["day"]], y=[side] * len(part), mode="markers",
                name=side, marker={"color": SIDE_COLOURS[side], "opacity": 0.8,
                                   "size": [8 + 3 * min(int(v), 8) for v in part["statements"]]},
                hovertext=[f"{c}: {_short(str(a))}" for c, a in zip(part["concept"], part["name"],
                                                                    strict=True)],
                customdata=list(part["explorer_query"]),
            )
        )  # fmt: skip
    figure.update_layout(xaxis_title="day", yaxis_title="")
    counts = frame.groupby("side")["statements"].sum()
    covered = ", ".join(f"{n(counts.get(s, 0))} {s}" for s in ("learning", "sharing"))
    return _layout(figure, f"{title} — {covered} statements", height=260)


def previous_points(figure: go.Figure, frame: pd.DataFrame, shift_days: int) -> go.Figure:
    """``figure`` (a ``my_timeline``) with the previous period's points as hollow grey
    markers on the same rows, moved forward by the period's length so that they line up
    with this one; a click opens the statements of the day each stands for."""
    if frame.empty or not figure.data:
        return figure
    for side in ("learning", "sharing"):
        part = frame[frame["side"] == side]
        if part.empty:
            continue
        moved = pd.to_datetime(part["day"]) + pd.Timedelta(days=shift_days)
        figure.add_trace(
            go.Scatter(
                x=[d.date().isoformat() for d in moved], y=[side] * len(part), mode="markers",
                name=f"previous period ({side})", legendgroup="previous",
                marker={"color": "#555555", "symbol": "circle-open",
                        "size": [8 + 3 * min(int(v), 8) for v in part["statements"]]},
                hovertext=[f"previous period, {d}: {c}: {_short(str(a))}" for d, c, a
                           in zip(part["day"], part["concept"], part["name"], strict=True)],
                customdata=list(part["explorer_query"]),
            )
        )  # fmt: skip
    return fit_margins(figure)


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _labels(values: Iterable[object]) -> list[str]:
    """Short category labels, one per value: two posts of the same title (or of titles
    that shorten alike) are numbered, as a category axis would draw both on one row."""
    seen: dict[str, int] = {}
    labels = []
    for value in values:
        label = _short(str(value))
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def columns_of(frame: pd.DataFrame, names: Sequence[str]) -> list[dict[str, str]]:
    """Column definitions for a table of ``frame``."""
    return [{"name": name.replace("_", " "), "id": name} for name in names if name in frame]
