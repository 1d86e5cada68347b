"""Activities and agents as the LRS knows them, kept current at ingest."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from lrs.store.dialects import insert_ignore, pipelined, upsert
from lrs.store.keys import key_number
from lrs.store.models import Activity, Agent, Statement, StatementAgent, table
from lrs.store.statements import owns

_ACTIVITY = table(Activity)
# Every ingest request reads this: built once, on the table.
_DEFINITIONS = select(_ACTIVITY.c.activity_id, _ACTIVITY.c.definition).where(
    _ACTIVITY.c.activity_id.in_(bindparam("ids", expanding=True))
)


def definitions(session: Session, activity_ids: list[str]) -> dict[str, dict[str, Any] | None]:
    if not activity_ids:
        return {}
    rows = session.execute(_DEFINITIONS, {"ids": activity_ids})
    return {row.activity_id: row.definition for row in rows}


def get_activity(session: Session, activity_id: str) -> Activity | None:
    return session.get(Activity, activity_id)


def save(
    session: Session,
    merged: Mapping[str, dict[str, Any] | None],
    agents: Mapping[str, Mapping[str, Any]],
    now: dt.datetime,
) -> None:
    """``save_definitions`` and ``save_agents`` together: writes only, so PostgreSQL
    gets them in one round trip (a pipeline costs one itself: not for one write), or in
    the caller's pipeline."""
    with pipelined(session) if merged and agents else contextlib.nullcontext():
        save_definitions(session, merged, now)
        save_agents(session, agents, now)


def save_definitions(
    session: Session, merged: Mapping[str, dict[str, Any] | None], now: dt.datetime
) -> None:
    """Insert activities; those with a definition overwrite what was stored."""
    with_definition = [
        {"activity_id": aid, "definition": d, "updated": now}
        for aid, d in merged.items()
        if d is not None
    ]
    without = [
        {"activity_id": aid, "definition": None, "updated": now}
        for aid, d in merged.items()
        if d is None
    ]
    upsert(
        session,
        Activity.__table__,  # type: ignore[arg-type]
        with_definition,
        key=["activity_id"],
        update=["definition", "updated"],
    )
    insert_ignore(session, Activity.__table__, without)  # type: ignore[arg-type]


def save_agents(
    session: Session, agents: Mapping[str, Mapping[str, Any]], now: dt.datetime
) -> None:
    """Remember agents by key, keeping the latest name seen; ``updated`` is when the row
    was first written or its name last changed."""
    rows = [
        {
            "agent_key": key,
            "object_type": agent.get("objectType", "Agent"),
            "name": agent.get("name"),
            "ifi": {k: v for k, v in agent.items() if k not in {"name", "member", "objectType"}},
            "updated": now,
        }
        for key, agent in agents.items()
    ]
    upsert(
        session,
        Agent.__table__,  # type: ignore[arg-type]
        rows,
        key=["agent_key"],
        update=["name", "updated"],
        # An agent named again as it was is left alone: rewriting its row for every
        # statement left one dead row per statement on PostgreSQL.
        changed=["name"],
    )


def get_agent(session: Session, agent_key: str) -> Agent | None:
    return session.get(Agent, agent_key)


def agent_named_by_authority(session: Session, agent_key: str, authority_key: str) -> bool:
    """True when a statement whose authority is ``authority_key`` names the agent (in
    any role, its own or inherited through a StatementRef)."""
    number = key_number(agent_key)
    query = (
        select(StatementAgent.seq)
        .join(Statement, Statement.seq == StatementAgent.seq)
        .where(
            StatementAgent.agent_number == number,
            owns(number, agent_key),
            Statement.authority_key == authority_key,
        )
        .limit(1)
    )
    return session.execute(query).first() is not None


def known_agents(session: Session, agent_keys: list[str]) -> set[str]:
    """Those of ``agent_keys`` the store already has a row for."""
    if not agent_keys:
        return set()
    rows = session.execute(select(Agent.agent_key).where(Agent.agent_key.in_(agent_keys)))
    return {row.agent_key for row in rows}
