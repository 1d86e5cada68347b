"""Dashboard facts and their daily rollup, written in the ingest transaction.

``record`` adds one ``learning_fact`` row per stored statement (plus its tags) and
increments ``daily_activity``; ``forget`` removes the facts of voided statements and
decrements the rollup by exactly what it removes, so dashboards never count a voided
statement (xAPI-Data 2.3.2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from lrs.store import dialects
from lrs.store.models import DailyActivity, LearningFact, LearningFactTag, Statement

RollupKey = tuple[Any, str, str, str, str, str]


def record(session: Session, facts: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Store one fact per (seq, fact) pair, its tags, and count it in the daily rollup."""
    if not facts:
        return
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for seq, fact in facts:
        row = {"seq": seq, **fact}
        tags += [{"seq": seq, "tag": tag} for tag in row.pop("tags", None) or ()]
        rows.append(row)
    session.execute(insert(LearningFact), rows)
    if tags:
        session.execute(insert(LearningFactTag), tags)
    _add_to_rollup(session, Counter(_rollup_key(row) for row in rows))


def forget(session: Session, voided_ids: Iterable[str]) -> None:
    """Drop the facts of voided statements and take them out of the rollup."""
    wanted = list(set(voided_ids))
    if not wanted:
        return
    seqs = select(Statement.seq).where(Statement.id.in_(wanted)).scalar_subquery()
    removed = session.execute(
        select(
            LearningFact.day,
            LearningFact.source_kind,
            LearningFact.verb_id,
            LearningFact.team,
            LearningFact.platform,
            LearningFact.concept,
            func.count(),
        )
        .where(LearningFact.seq.in_(seqs))
        .group_by(
            LearningFact.day,
            LearningFact.source_kind,
            LearningFact.verb_id,
            LearningFact.team,
            LearningFact.platform,
            LearningFact.concept,
        )
    ).all()
    if not removed:
        return
    counts: Counter[RollupKey] = Counter()
    for day, kind, verb, team, platform, concept, n in removed:
        counts[(day, kind, verb, team or "", platform or "", concept)] -= n
    session.execute(delete(LearningFact).where(LearningFact.seq.in_(seqs)))
    _add_to_rollup(session, counts)
    session.execute(delete(DailyActivity).where(DailyActivity.statements <= 0))


def rebuild_rollup(session: Session) -> None:
    """Recompute ``daily_activity`` from the facts (after bulk loads or repairs)."""
    session.execute(delete(DailyActivity))
    team = func.coalesce(LearningFact.team, "")
    platform = func.coalesce(LearningFact.platform, "")
    session.execute(
        insert(DailyActivity).from_select(
            ["day", "source_kind", "verb_id", "team", "platform", "concept", "statements"],
            select(
                LearningFact.day,
                LearningFact.source_kind,
                LearningFact.verb_id,
                team,
                platform,
                func.min(LearningFact.concept),
                func.count(),
            ).group_by(
                LearningFact.day, LearningFact.source_kind, LearningFact.verb_id, team, platform
            ),
        )
    )


def _rollup_key(row: dict[str, Any]) -> RollupKey:
    return (
        row["day"],
        row["source_kind"],
        row["verb_id"],
        row.get("team") or "",
        row.get("platform") or "",
        row["concept"],
    )


def _add_to_rollup(session: Session, counts: Counter[RollupKey]) -> None:
    # Sorted keys: concurrent writers lock rollup rows in the same order (no deadlock).
    rows = [
        {
            "day": day,
            "source_kind": kind,
            "verb_id": verb,
            "team": team,
            "platform": platform,
            "concept": concept,
            "statements": n,
        }
        for (day, kind, verb, team, platform, concept), n in sorted(counts.items())
        if n
    ]
    dialects.increment(
        session,
        DailyActivity.__table__,  # type: ignore[arg-type]
        rows,
        key=("day", "source_kind", "verb_id", "team", "platform"),
        column="statements",
    )
