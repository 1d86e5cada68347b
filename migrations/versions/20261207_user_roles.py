"""dashboard roles that scope data: admin, manager of teams, member linked to a person

Revision ID: 20261207_user_roles
Revises: 20261207_pull_course_index
Create Date: 2026-12-07 09:00:00

``dashboard_user`` gains ``teams`` (a manager's teams), ``person_identifier`` (an
identifier of a member's person) and ``subject`` (an OpenID Connect identity). The old
``viewer`` role saw every team: each viewer becomes a ``manager`` of every team known
at the upgrade (the filter bar's teams and the persons' teams), written out in its row,
so it keeps what it saw and never becomes an admin. Teams that appear later are not
added: an administrator adds them (``lrs users set-role``). The downgrade turns managers
and members back into viewers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261207_user_roles"
down_revision: str | None = "20261207_pull_course_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("dashboard_user") as batch:
        batch.add_column(sa.Column("teams", JSON, server_default="[]", nullable=False))
        batch.add_column(sa.Column("person_identifier", sa.Text(), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=512), nullable=True))
        batch.create_unique_constraint(batch.f("uq_dashboard_user_subject"), ["subject"])
    bind = op.get_bind()
    teams = sorted(
        {
            str(team)
            for (team,) in bind.execute(
                sa.text(
                    "SELECT value FROM filter_value WHERE dimension = 'team' "
                    "UNION SELECT team FROM person WHERE team IS NOT NULL"
                )
            )
            if team
        }
    )
    user = sa.table(
        "dashboard_user",
        sa.column("role", sa.String()),
        sa.column("teams", JSON),
    )
    bind.execute(user.update().where(user.c.role == "viewer").values(role="manager", teams=teams))


def downgrade() -> None:
    bind = op.get_bind()
    user = sa.table("dashboard_user", sa.column("role", sa.String()))
    bind.execute(user.update().where(user.c.role != "admin").values(role="viewer"))
    with op.batch_alter_table("dashboard_user") as batch:
        batch.drop_constraint(batch.f("uq_dashboard_user_subject"), type_="unique")
        batch.drop_column("subject")
        batch.drop_column("person_identifier")
        batch.drop_column("teams")
