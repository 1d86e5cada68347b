"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 16:28:21.195986
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "activity",
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_activity")),
    )
    op.create_table(
        "agent",
        sa.Column("agent_key", sa.Text(), nullable=False),
        sa.Column("object_type", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "ifi",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agent_key", name=op.f("pk_agent")),
    )
    op.create_table(
        "attachment",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column(
            "content",
            sa.LargeBinary().with_variant(postgresql.BYTEA(), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_attachment")),
    )
    op.create_table(
        "credential",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "authority",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("key", name=op.f("uq_credential_key")),
    )
    op.create_table(
        "dashboard_user",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_user")),
        sa.UniqueConstraint("username", name=op.f("uq_dashboard_user_username")),
    )
    op.create_table(
        "document",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("agent_key", sa.Text(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column(
            "content",
            sa.LargeBinary().with_variant(postgresql.BYTEA(), "postgresql"),
            nullable=False,
        ),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(
            "uq_document_key",
            ["kind", "activity_id", "agent_key", "registration", "document_id"],
            unique=True,
        )

    op.create_table(
        "store_flag",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("raised", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_flag")),
    )
    op.create_table(
        "import_cursor",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_import_cursor")),
    )
    op.create_table(
        "statement",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verb_id", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=True),
        sa.Column("object_kind", sa.String(length=16), nullable=False),
        sa.Column("object_key", sa.Text(), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("voids_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("authority_key", sa.Text(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_statement")),
        sa.UniqueConstraint("id", name=op.f("uq_statement_id")),
    )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.create_index("ix_statement_authority_seq", ["authority_key", "seq"], unique=False)
        batch_op.create_index(
            "ix_statement_object_key",
            ["object_kind", "object_key"],
            unique=False,
            sqlite_where=sa.text("object_kind = 'StatementRef'"),
            postgresql_where=sa.text("object_kind = 'StatementRef'"),
        )
        batch_op.create_index(
            "ix_statement_registration_seq",
            ["registration", "seq"],
            unique=False,
            sqlite_where=sa.text("registration IS NOT NULL"),
            postgresql_where=sa.text("registration IS NOT NULL"),
        )
        batch_op.create_index("ix_statement_stored", ["stored", "seq"], unique=False)
        batch_op.create_index("ix_statement_verb_seq", ["verb_id", "seq"], unique=False)
        batch_op.create_index(
            "ix_statement_voids_id",
            ["voids_id"],
            unique=False,
            sqlite_where=sa.text("voids_id IS NOT NULL"),
            postgresql_where=sa.text("voids_id IS NOT NULL"),
        )

    op.create_table(
        "learning_fact",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("verb_id", sa.Text(), nullable=False),
        sa.Column("concept", sa.String(length=32), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=True),
        sa.Column("activity_type", sa.Text(), nullable=True),
        sa.Column("activity_name", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.String(length=8), nullable=False),
        sa.Column("space_id", sa.Text(), nullable=True),
        sa.Column("platform", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("completion", sa.Boolean(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["statement.seq"],
            name=op.f("fk_learning_fact_seq_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_learning_fact")),
    )
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index("ix_learning_fact_activity", ["activity_id"], unique=False)
        batch_op.create_index("ix_learning_fact_actor_day", ["actor_key", "day"], unique=False)
        batch_op.create_index("ix_learning_fact_day", ["day"], unique=False)
        batch_op.create_index("ix_learning_fact_kind_day", ["source_kind", "day"], unique=False)
        batch_op.create_index(
            "ix_learning_fact_space_concept", ["space_id", "concept"], unique=False
        )

    op.create_table(
        "statement_activity",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["statement.seq"],
            name=op.f("fk_statement_activity_seq_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "activity_id", "role", name=op.f("pk_statement_activity")),
    )
    with op.batch_alter_table("statement_activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statement_activity_id_seq", ["activity_id", "seq", "role"], unique=False
        )

    op.create_table(
        "statement_agent",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("agent_key", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["statement.seq"],
            name=op.f("fk_statement_agent_seq_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "agent_key", "role", name=op.f("pk_statement_agent")),
    )
    with op.batch_alter_table("statement_agent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statement_agent_key_seq", ["agent_key", "seq", "role"], unique=False
        )

    op.create_table(
        "statement_ref_term",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["statement.seq"],
            name=op.f("fk_statement_ref_term_seq_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "kind", "term", name=op.f("pk_statement_ref_term")),
    )
    with op.batch_alter_table("statement_ref_term", schema=None) as batch_op:
        batch_op.create_index("ix_statement_ref_term_kind_term", ["kind", "term"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("statement_ref_term", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_ref_term_kind_term")

    op.drop_table("statement_ref_term")
    with op.batch_alter_table("statement_agent", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_agent_key_seq")

    op.drop_table("statement_agent")
    with op.batch_alter_table("statement_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_activity_id_seq")

    op.drop_table("statement_activity")
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_space_concept")
        batch_op.drop_index("ix_learning_fact_kind_day")
        batch_op.drop_index("ix_learning_fact_day")
        batch_op.drop_index("ix_learning_fact_actor_day")
        batch_op.drop_index("ix_learning_fact_activity")

    op.drop_table("learning_fact")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_voids_id")
        batch_op.drop_index("ix_statement_verb_seq")
        batch_op.drop_index("ix_statement_stored")
        batch_op.drop_index("ix_statement_registration_seq")
        batch_op.drop_index("ix_statement_object_key")
        batch_op.drop_index("ix_statement_authority_seq")

    op.drop_table("statement")
    op.drop_table("store_flag")
    op.drop_table("import_cursor")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("uq_document_key")

    op.drop_table("document")
    op.drop_table("dashboard_user")
    op.drop_table("credential")
    op.drop_table("attachment")
    op.drop_table("agent")
    op.drop_table("activity")
