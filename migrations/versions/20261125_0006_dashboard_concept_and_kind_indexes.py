"""dashboard indexes by concept and by source kind cover their reads; no index by tag

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:00:00

``ix_learning_fact_concept_day`` gains the columns that the completion and contribution
reads of completion-to-contribution use (source kind, team, person, timestamp and the
``seq`` that joins the tags), so that they read index entries instead of one fact row
each; ``ix_learning_fact_kind_day`` gains the team, the score and the ``seq``, for the
score distribution and the tags of emerging topics. ``ix_learning_fact_tag_tag`` goes:
no query looks tags up by name, and SQLite walked it to group topics, reading the facts
in tag order instead of in ``seq`` order.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONCEPT = ["concept", "day", "source_kind", "team", "actor_key", "timestamp", "seq"]
KIND = ["source_kind", "day", "team", "score_scaled", "seq"]


def upgrade() -> None:
    op.drop_index("ix_learning_fact_concept_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_concept_day", "learning_fact", CONCEPT)
    op.drop_index("ix_learning_fact_kind_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_kind_day", "learning_fact", KIND)
    op.drop_index("ix_learning_fact_tag_tag", table_name="learning_fact_tag")


def downgrade() -> None:
    op.create_index("ix_learning_fact_tag_tag", "learning_fact_tag", ["tag"])
    op.drop_index("ix_learning_fact_kind_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_kind_day", "learning_fact", ["source_kind", "day"])
    op.drop_index("ix_learning_fact_concept_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_concept_day", "learning_fact", ["concept", "day"])
