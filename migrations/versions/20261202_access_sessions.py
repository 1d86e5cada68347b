"""dashboard sessions kept server-side; failed sign-ins counted for every worker

Revision ID: 20261202_access_sessions
Revises: 20261202_seal_forwarding_secrets
Create Date: 2026-12-02 18:30:00

``dashboard_session`` holds one row per signed-in dashboards session (the hash of the
token its cookie carries), so that logging out, or an administrator, ends a session on
every worker. ``sign_in_failure`` counts failed sign-ins per credential key, dashboard
user and client address, so that every worker refuses a subject that is backing off.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_access_sessions"
down_revision: str | None = "20261202_seal_forwarding_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dashboard_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", SERIAL, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["dashboard_user.id"],
            name=op.f("fk_dashboard_session_user_id_dashboard_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_dashboard_session")),
    )
    op.create_index(op.f("ix_dashboard_session_user_id"), "dashboard_session", ["user_id"])
    op.create_index(op.f("ix_dashboard_session_expires"), "dashboard_session", ["expires"])
    op.create_table(
        "sign_in_failure",
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_last_failed"), "sign_in_failure", ["last_failed"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failure_last_failed"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index(op.f("ix_dashboard_session_expires"), table_name="dashboard_session")
    op.drop_index(op.f("ix_dashboard_session_user_id"), table_name="dashboard_session")
    op.drop_table("dashboard_session")
