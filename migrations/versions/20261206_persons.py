"""persons: one human behind many agent identifiers, with an audit trail of merges

Revision ID: 20261206_persons
Revises: 20261202_access_sessions
Create Date: 2026-12-06 13:30:00

``person`` (display name, optional team, the key its facts are counted under),
``person_identifier`` (each canonical agent key belongs to one person) and
``person_change`` (merges and splits). The upgrade gives every agent already named by a
stored statement (actor, Agent object, instructor, members of those Groups and of the
context team) a person of its own, in storage order so that the first name and team
seen are kept. Facts already count each identifier under its own key, which is the key
of its new person, so they stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from statements.ifi import agent_key, person_agents_in

revision: str = "20261206_persons"
down_revision: str | None = "20261202_access_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = sa.DateTime(timezone=True)
CHUNK = 2000
TEAM_ROLES = ("actor", "team")


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("team_source", sa.String(length=16), nullable=True),
        sa.Column("created", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("key", name=op.f("uq_person_key")),
    )
    op.create_table(
        "person_identifier",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("person_id", SERIAL, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("created", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_identifier_person_id_person")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_person_identifier")),
    )
    op.create_index(op.f("ix_person_identifier_person_id"), "person_identifier", ["person_id"])
    op.create_table(
        "person_change",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("person_id", SERIAL, nullable=False),
        sa.Column("other_id", SERIAL, nullable=True),
        sa.Column("identifiers", JSON, nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_change")),
    )
    op.create_index(op.f("ix_person_change_person_id"), "person_change", ["person_id"])
    _backfill()


def _backfill() -> None:
    connection = op.get_bind()
    statement = sa.table("statement", sa.column("seq", sa.Integer()), sa.column("payload", JSON))
    fact = sa.table("learning_fact", sa.column("seq", sa.Integer()), sa.column("team", sa.Text()))
    person = sa.table(
        "person",
        sa.column("id", sa.Integer()),
        sa.column("key", sa.Text()),
        sa.column("name", sa.Text()),
        sa.column("team", sa.Text()),
        sa.column("team_source", sa.Text()),
        sa.column("created", UTC),
    )
    identifier = sa.table(
        "person_identifier",
        sa.column("key", sa.Text()),
        sa.column("person_id", sa.Integer()),
        sa.column("name", sa.Text()),
        sa.column("created", UTC),
    )
    now = dt.datetime.now(dt.UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    seen: set[str] = set()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(statement.c.seq, statement.c.payload, fact.c.team)
            .outerjoin(fact, fact.c.seq == statement.c.seq)
            .where(statement.c.seq > after)
            .order_by(statement.c.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        new: dict[str, dict[str, Any]] = {}
        for _seq, payload, team in rows:
            for role, agent in person_agents_in(payload):
                key = agent_key(agent)
                if key is None or key in seen:
                    continue
                seen.add(key)
                in_team = team if role in TEAM_ROLES else None
                source = "statement" if in_team else None
                new[key] = {"key": key, "name": agent.get("name"), "team": in_team,
                            "team_source": source, "created": now}  # fmt: skip
        if new:
            connection.execute(person.insert(), list(new.values()))
            ids = connection.execute(
                sa.select(person.c.key, person.c.id).where(person.c.key.in_(list(new)))
            ).all()
            connection.execute(
                identifier.insert(),
                [{"key": key, "person_id": person_id, "name": new[key]["name"], "created": now}
                 for key, person_id in ids],
            )  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_person_change_person_id"), table_name="person_change")
    op.drop_table("person_change")
    op.drop_index(op.f("ix_person_identifier_person_id"), table_name="person_identifier")
    op.drop_table("person_identifier")
    op.drop_table("person")
