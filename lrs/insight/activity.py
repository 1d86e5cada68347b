"""Overview and explorer: how much happens, when, by whom, on what — and the statements
behind any view (a page of facts, their count, and the selection of all of them that a
download writes), plus the filter bar's choices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    distinct,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from lrs.insight._sql import (
    A,
    F,
    R,
    activity_names,
    by_period,
    count_distinct,
    fact_conditions,
    group_count,
    people_conditions,
    ranked_frame,
    read_frame,
    rollup_conditions,
    scalar,
    scope_conditions,
    unfiltered,
    uses_people_rollup,
    uses_rollup,
    with_total,
)
from lrs.insight.filters import KINDS, Filters
from lrs.insight.scope import EVERYTHING, Scope
from lrs.store.dialects import storable_text
from lrs.store.models import (
    ActivityDay,
    ActivityMonth,
    ActorMonth,
    FilterValue,
    HourlyActivity,
)

# -- filter bar ----------------------------------------------------------------------


ACTIVITY_CHOICES = 30
"""Activities the filter bar's picker offers before anything is typed (the most used)."""


def filter_options(
    session: Session,
    limit: int = 30,
    scope: Scope = EVERYTHING,  # ACTIVITY_CHOICES
) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices of the filter bar: teams (those of ``scope``; none for a
    person's scope), systems, verbs, and the ``limit`` most used activities (a
    vocabulary every reader shares; ``activity_choices`` finds the others by name)."""
    V = FilterValue

    def values(dimension: str) -> Select[str, str | None]:
        return select(V.value, V.label).where(V.dimension == dimension, V.statements > 0)

    team_values = values("team")
    if scope.person is not None:
        team_values = team_values.where(false())
    elif scope.teams is not None:
        team_values = team_values.where(V.value.in_(sorted(scope.teams)))
    teams = session.execute(team_values.order_by(V.value)).all()
    platforms = session.execute(values("platform").order_by(V.value)).all()
    verbs = session.execute(values("verb").order_by(V.label, V.value)).all()
    activities = session.execute(
        values("activity").order_by(V.statements.desc(), V.value).limit(limit)
    ).all()
    return {
        "team": [(team, team) for team, _ in teams],
        "platform": [(platform, platform) for platform, _ in platforms],
        "verb": [(verb, f"{concept} ({_tail(verb)})") for verb, concept in verbs],
        "activity": [(str(activity), str(name or activity)) for activity, name in activities],
    }


SEARCH_MAX = 200
"""Characters of a picker's search that count (no activity name is longer)."""


def activity_choices(
    session: Session, search: str = "", limit: int = ACTIVITY_CHOICES
) -> list[tuple[str, str]]:
    """(value, label) of the activities whose name or IRI holds ``search`` (case aside),
    most used first: the picker's choices as the reader types, from every activity of the
    store rather than from a list sent to the browser (a vocabulary every reader shares)."""
    V = FilterValue
    query = select(V.value, V.label).where(V.dimension == "activity", V.statements > 0)
    text = search.strip()[:SEARCH_MAX]
    if not storable_text(text):
        return []  # no activity's name or IRI holds U+0000 or a lone surrogate
    if text:
        query = query.where(
            or_(V.label.icontains(text, autoescape=True), V.value.icontains(text, autoescape=True))
        )
    rows = session.execute(query.order_by(V.statements.desc(), V.value).limit(limit)).all()
    return [(str(activity), str(name or activity)) for activity, name in rows]


def choice_label(session: Session, dimension: str, value: str) -> str | None:
    """The label of one filter bar value (a verb's display name, an activity's name)."""
    V = FilterValue
    return session.execute(
        select(V.label).where(V.dimension == dimension, V.value == value)
    ).scalar_one_or_none()


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# -- overview ------------------------------------------------------------------------


def summary(session: Session, filters: Filters) -> pd.DataFrame:
    """One row: statements by source kind, distinct people and activities."""
    if uses_rollup(filters):
        # The kinds' sums side by side in one pass over the rows: grouped by kind, SQLite
        # sorted every row of the range first.
        summed = session.execute(
            select(
                func.sum(R.statements),
                *[func.sum(R.statements).filter(R.source_kind == kind) for kind in KINDS],
            ).where(*rollup_conditions(filters))
        ).one()
        by_kind = {kind: int(n or 0) for kind, n in zip(KINDS, summed[1:], strict=True)}
        statements = int(summed[0] or 0)
    else:
        kinds = session.execute(
            select(F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(F.source_kind)
        ).all()
        by_kind = {kind: int(n) for kind, n in kinds}
        statements = sum(by_kind.values())
    people = _distinct_people(session, filters)
    if filters == Filters():
        # Every activity of the store is a filter bar choice: no fact to read (only when
        # the scope is everything: a narrower scope counts its own facts below).
        activities = scalar(
            session,
            select(func.count()).where(
                FilterValue.dimension == "activity", FilterValue.statements > 0
            ),
        )
    elif uses_activity_rollup(filters):
        rows = _activity_periods(filters)
        found = select(rows.c.activity_id).distinct().subquery()
        activities = scalar(session, select(func.count()).select_from(found))
    else:
        activities = count_distinct(session, F.activity_id, fact_conditions(filters))
    return pd.DataFrame(
        [
            {
                "statements": statements,
                "formal": by_kind.get("formal", 0),
                "informal": by_kind.get("informal", 0),
                "other": by_kind.get("other", 0),
                "people": int(people),
                "activities": int(activities),
            }
        ]
    )


CHANGE_COLUMNS = ("measure", "current", "previous", "change", "change_ratio", "period_start",
                  "period_end", "previous_start", "previous_end")  # fmt: skip


def changes(current: pd.DataFrame, previous: pd.DataFrame | None, filters: Filters) -> pd.DataFrame:
    """One row per column of two one-row frames: this period's value, the previous
    period's (same length, just before), the change and the change as a ratio of the
    previous value (NaN when there is no previous period or its value is 0)."""
    before = filters.previous()
    rows = []
    for measure in current.columns:
        now = float(current.iloc[0][measure])
        then = None if previous is None else float(previous.iloc[0][measure])
        rows.append(
            {
                "measure": measure,
                "current": now,
                "previous": then,
                "change": None if then is None else now - then,
                "change_ratio": (now - then) / then if then else None,
                "period_start": filters.start,
                "period_end": filters.end,
                "previous_start": before.start if before else None,
                "previous_end": before.end if before else None,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    for column in ("previous", "change", "change_ratio"):
        frame[column] = frame[column].astype(float)
    return frame


def summary_change(session: Session, filters: Filters) -> pd.DataFrame:
    """Every overview figure (``summary``) with its change against the previous period
    of the same length: one row per measure (statements, formal, informal, people,
    activities). An open range has no previous period (NaN)."""
    before = filters.previous()
    previous = summary(session, before) if before is not None else None
    return changes(summary(session, filters), previous, filters)


def _distinct_people(session: Session, filters: Filters) -> int:
    if uses_people_rollup(filters):
        # Whole months from actor_month, the range's edge days from actor_day: all time,
        # 24,000 rows of a million facts' people instead of 480,000.
        rows = by_period(filters, A, ActorMonth, ("actor_key",))
        return scalar(session, select(func.count(distinct(rows.c.actor_key))))
    return count_distinct(session, F.actor_key, fact_conditions(filters))


def statements_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per day and source kind (columns day, source_kind, statements)."""
    if uses_rollup(filters):
        query = (
            select(R.day, R.source_kind, func.sum(R.statements))
            .where(*rollup_conditions(filters))
            .group_by(R.day, R.source_kind)
            .order_by(R.day, R.source_kind)
        )
    else:
        query = (
            select(F.day, F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(F.day, F.source_kind)
            .order_by(F.day, F.source_kind)
        )
    frame = read_frame(session, query, ["day", "source_kind", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


def active_people_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Distinct people with at least one statement, per day (columns day, people)."""
    if uses_people_rollup(filters):
        rollup = (
            select(A.day, func.count(distinct(A.actor_key)))
            .where(*people_conditions(filters))
            .group_by(A.day)
            .order_by(A.day)
        )
        return read_frame(session, rollup, ["day", "people"])
    query = (
        select(F.day, func.count(distinct(F.actor_key)))
        .where(*fact_conditions(filters))
        .group_by(F.day)
        .order_by(F.day)
    )
    return read_frame(session, query, ["day", "people"])


def uses_activity_rollup(filters: Filters) -> bool:
    """True when ``activity_day`` (and ``activity_month``) can answer per-activity counts:
    a day range and a source kind at most, everything in scope (it knows no team)."""
    return filters == Filters(start=filters.start, end=filters.end, kind=filters.kind)


def _activity_periods(filters: Filters) -> Any:
    """(``activity_id``, ``source_kind``, ``statements``) rows of the activity rollups for
    the filters' day range and kind (``by_period``: to be summed)."""

    def kind(table: Any) -> list[ColumnElement[bool]]:
        return [] if filters.kind is None else [table.source_kind == filters.kind]

    return by_period(filters, ActivityDay, ActivityMonth, ("activity_id", "source_kind"), kind)


def top_activities(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most used activities; attrs total = distinct activities."""
    if unfiltered(filters):
        return _top_activities_all_time(session, limit)
    if uses_activity_rollup(filters):
        return _top_activities_by_period(session, filters, limit)
    return _top_activities_of_facts(session, filters, limit)


def _top_activities_of_facts(session: Session, filters: Filters, limit: int) -> pd.DataFrame:
    """``top_activities`` grouped from the facts (any filter, any scope)."""
    statements = func.count()
    # Grouped by an expression of the activity, not the column: grouped by the column,
    # SQLite walks the activity index for its order and reads every fact's row to test
    # its team or day (1.3 s for a team at a million facts) instead of the team's or
    # the days' entries of the covering index (0.1 s).
    activity_id = func.coalesce(F.activity_id, "")
    query = (
        select(
            activity_id,
            func.min(F.source_kind),
            statements,
            func.count(distinct(F.actor_key)),
            group_count(),
        )
        .where(*fact_conditions(filters), F.activity_id.is_not(None))
        .group_by(activity_id)
        .order_by(statements.desc(), activity_id)
        .limit(limit)
    )
    columns = ["activity_id", "source_kind", "statements", "people"]
    frame, total = ranked_frame(session, query, columns)
    names = activity_names(session, frame["activity_id"].tolist())
    frame.insert(1, "name", [names.get(a, a) for a in frame["activity_id"]])
    return with_total(frame, total)


def _top_activities_by_period(session: Session, filters: Filters, limit: int) -> pd.DataFrame:
    """``top_activities`` for a day range (and kind): the ranking from the activity
    rollups, then the people of the few ranked from their facts, instead of grouping
    every fact of the range."""
    rows = _activity_periods(filters)
    statements = func.sum(rows.c.statements)
    ranked = session.execute(
        select(rows.c.activity_id, func.min(rows.c.source_kind), statements, group_count())
        .group_by(rows.c.activity_id)
        .order_by(statements.desc(), rows.c.activity_id)
        .limit(limit)
    ).all()
    ids = [str(row[0]) for row in ranked]
    found = _kinds_and_people(session, ids, fact_conditions(filters))
    frame = pd.DataFrame(
        {
            "activity_id": ids,
            "source_kind": [row[1] for row in ranked],
            "statements": [int(row[2]) for row in ranked],
            "people": [found.get(a, (None, 0))[1] for a in ids],
        },
        columns=["activity_id", "source_kind", "statements", "people"],
    )
    names = activity_names(session, ids)
    frame.insert(1, "name", [names.get(a, a) for a in ids])
    return with_total(frame, int(ranked[0][3]) if ranked else 0)


def _kinds_and_people(
    session: Session, ids: list[str], conditions: list[ColumnElement[bool]]
) -> dict[str, tuple[str, int]]:
    """Each of the activities ``ids``: the least source kind and the distinct people of
    its facts under ``conditions``, from the distinct (activity, kind, person) of the
    facts: PostgreSQL reads those in the order of ``ix_learning_fact_activity``, where a
    count(DISTINCT) over the facts sorted every fact of the activities."""
    if not ids:
        return {}
    found = (
        select(F.activity_id, F.source_kind, F.actor_key)
        .where(*conditions, F.activity_id.in_(ids))
        .distinct()
        .subquery()
    )
    query = select(
        found.c.activity_id, func.min(found.c.source_kind), func.count(distinct(found.c.actor_key))
    ).group_by(found.c.activity_id)
    return {str(activity): (kind, int(people)) for activity, kind, people in session.execute(query)}


def _top_activities_all_time(session: Session, limit: int) -> pd.DataFrame:
    """``top_activities`` over everything: the ranking from the filter bar's counts per
    activity (every fact's activity, all days), then the people and kind of the few
    ranked, from the activity index, instead of grouping every fact."""
    V = FilterValue
    ranked = session.execute(
        select(V.value, V.statements, group_count())
        .where(V.dimension == "activity")
        .order_by(V.statements.desc(), V.value)
        .limit(limit)
    ).all()
    ids = [str(row[0]) for row in ranked]
    found = _kinds_and_people(session, ids, [])
    frame = pd.DataFrame(
        {
            "activity_id": ids,
            "source_kind": [found.get(a, (None, 0))[0] for a in ids],
            "statements": [int(row[1]) for row in ranked],
            "people": [found.get(a, (None, 0))[1] for a in ids],
        },
        columns=["activity_id", "source_kind", "statements", "people"],
    )
    names = activity_names(session, ids)
    frame.insert(1, "name", [names.get(a, a) for a in ids])
    return with_total(frame, int(ranked[0][2]) if ranked else 0)


def top_verbs(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most used verbs with their concept; attrs total = distinct verbs."""
    if uses_rollup(filters):
        # Summed per day, kind and verb first, in the order of the rollup's key (no sort),
        # then per verb over those few rows: grouped by verb at once, SQLite sorted every
        # row of the range.
        daily = (
            select(
                R.verb_id.label("verb_id"),
                func.min(R.concept).label("concept"),
                func.sum(R.statements).label("statements"),
            )
            .where(*rollup_conditions(filters))
            .group_by(R.day, R.source_kind, R.verb_id)
            .subquery()
        )
        query = select(
            daily.c.verb_id, func.min(daily.c.concept), func.sum(daily.c.statements)
        ).group_by(daily.c.verb_id)
    else:
        query = (
            select(F.verb_id, func.min(F.concept), func.count())
            .where(*fact_conditions(filters))
            .group_by(F.verb_id)
        )
    frame = read_frame(session, query, ["verb_id", "concept", "statements"])
    frame = frame.sort_values(["statements", "verb_id"], ascending=[False, True])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    frame["statements"] = frame["statements"].astype("int64")
    return with_total(frame, total)


def rhythm(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per ISO weekday (1 = Monday) and UTC hour."""
    if uses_people_rollup(filters):
        H = HourlyActivity
        # Summed per day and hour first, in the order of the rollup's key (no sort), then
        # per weekday and hour over those rows (see ``top_verbs``).
        daily = (
            select(
                H.weekday.label("weekday"),
                H.hour.label("hour"),
                func.sum(H.statements).label("statements"),
            )
            .where(*people_conditions(filters, H))
            .group_by(H.day, H.weekday, H.hour)
            .subquery()
        )
        rollup = (
            select(daily.c.weekday, daily.c.hour, func.sum(daily.c.statements))
            .group_by(daily.c.weekday, daily.c.hour)
            .order_by(daily.c.weekday, daily.c.hour)
        )
        frame = read_frame(session, rollup, ["weekday", "hour", "statements"])
        frame["statements"] = frame["statements"].astype("int64")
        return frame
    query = (
        select(F.weekday, F.hour, func.count())
        .where(*fact_conditions(filters))
        .group_by(F.weekday, F.hour)
        .order_by(F.weekday, F.hour)
    )
    return read_frame(session, query, ["weekday", "hour", "statements"])


# -- explorer ------------------------------------------------------------------------

FACT_COLUMNS = (
    "seq",
    "timestamp",
    "actor_name",
    "actor_key",
    "concept",
    "verb_id",
    "activity_name",
    "activity_id",
    "source_kind",
    "platform",
    "team",
    "score_scaled",
    "success",
    "completion",
    "duration_seconds",
)


def count_facts(session: Session, filters: Filters) -> int:
    """How many statements match the filters."""
    if uses_rollup(filters):
        return scalar(session, select(func.sum(R.statements)).where(*rollup_conditions(filters)))
    return scalar(session, select(func.count()).where(*fact_conditions(filters)))


def fact_page(session: Session, filters: Filters, page: int = 0, size: int = 25) -> pd.DataFrame:
    """One page of matching statements, newest first (``page`` counts from 0).

    The day range is applied as the equivalent UTC timestamp range (``day`` is the UTC
    date of ``timestamp``) so that the (timestamp, seq) and (team, timestamp, seq)
    indexes give the order without sorting the range."""
    columns = [getattr(F, name) for name in FACT_COLUMNS]
    conditions = fact_conditions(filters.replace(start=None, end=None))
    if filters.start is not None:
        conditions.append(F.timestamp >= _midnight(filters.start))
    if filters.end is not None:
        conditions.append(F.timestamp < _midnight(filters.end + dt.timedelta(days=1)))
    query = (
        select(*columns)
        .where(*conditions)
        .order_by(F.timestamp.desc(), F.seq.desc())
        .offset(max(page, 0) * size)
        .limit(size)
    )
    return read_frame(session, query, FACT_COLUMNS)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def fact_selection(filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions on ``learning_fact`` that select the statements the Explorer lists
    for ``filters`` (their scope included): what its downloads hold."""
    return fact_conditions(filters)


def fact_visible(session: Session, seq: int, scope: Scope) -> bool:
    """True when the statement ``seq`` is counted as a fact that ``scope`` may see (for
    everything: always, also a voided statement or one that is no fact)."""
    if scope.is_everything:
        return True
    found = select(F.seq).where(F.seq == seq, *scope_conditions(scope))
    return session.execute(found).first() is not None
