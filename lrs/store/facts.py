"""Dashboard facts, written in the ingest transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from lrs.store.models import LearningFact, Statement


def record(session: Session, facts: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Store one fact per (seq, fact) pair."""
    if facts:
        session.execute(insert(LearningFact), [{"seq": seq, **fact} for seq, fact in facts])


def forget(session: Session, voided_ids: Iterable[str]) -> None:
    """Drop the facts of voided statements so that no dashboard counts them."""
    wanted = list(set(voided_ids))
    if wanted:
        seqs = select(Statement.seq).where(Statement.id.in_(wanted))
        session.execute(delete(LearningFact).where(LearningFact.seq.in_(seqs)))
