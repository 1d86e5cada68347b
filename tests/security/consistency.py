"""Whole-store consistency checks shared by the privacy, durability and fault tests.

``problems(url)`` reads a store and lists every way it is inconsistent: index rows that
do not match the statements (own rows missing, or inherited rows whose StatementRef target
does not give them), dashboard facts that do not match the non-voided statements, rollups
that do not add up to the facts, voided flags without a voiding statement.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa

from lrs.store import payloads
from lrs.store.engine import Database
from lrs.store.keys import ROLES
from statements import activity_ids_in, agent_keys_in
from statements.vocabulary import learning_fact

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def problems(db: Database) -> list[str]:
    found: list[str] = []
    with db.engine.connect() as connection:
        statements = {
            row.id: row
            for row in connection.execute(
                sa.text("SELECT seq, id, voided, voids_id, payload FROM statement")
            )
        }
        by_seq = {row.seq: row for row in statements.values()}
        agents: dict[int, set[tuple[str, str]]] = defaultdict(set)
        # The index rows name keys and roles by number (lrs.store.keys).
        for row in connection.execute(
            sa.text(
                "SELECT seq, key, role FROM statement_agent JOIN index_key ON number = agent_number"
            )
        ):
            agents[row.seq].add((row.key, ROLES[row.role]))
        activities: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for row in connection.execute(
            sa.text(
                "SELECT seq, key, role FROM statement_activity"
                " JOIN index_key ON number = activity_number"
            )
        ):
            activities[row.seq].add((row.key, ROLES[row.role]))
        facts = {
            row.seq: row
            for row in connection.execute(
                sa.text("SELECT seq, day, source_kind, verb_id, team, platform FROM learning_fact")
            )
        }
        rollup = {
            (r.day, r.source_kind, r.verb_id, r.team, r.platform): r.statements
            for r in connection.execute(sa.text("SELECT * FROM daily_activity"))
        }
    for seq in set(agents) | set(activities) | set(facts):
        if seq not in by_seq:
            found.append(f"rows of seq {seq} without a statement")
    for row in statements.values():
        payload = _payload(row.payload)
        allowed_agents = set(agent_keys_in(payload))
        allowed_activities = set(activity_ids_in(payload))
        if not allowed_agents <= agents[row.seq]:
            found.append(f"{row.id}: own agent index rows missing")
        if not allowed_activities <= activities[row.seq]:
            found.append(f"{row.id}: own activity index rows missing")
        target = payload.get("object") or {}
        if target.get("objectType") == "StatementRef":
            referenced = statements.get(str(target["id"]).lower())
            if referenced is not None:
                allowed_agents |= agents[referenced.seq]
                allowed_activities |= activities[referenced.seq]
        if agents[row.seq] - allowed_agents:
            found.append(f"{row.id}: agent index rows no statement gives it")
        if activities[row.seq] - allowed_activities:
            found.append(f"{row.id}: activity index rows no statement gives it")
        wants_fact = not row.voided and learning_fact(payload) is not None
        if wants_fact != (row.seq in facts):
            found.append(f"{row.id}: fact {'missing' if wants_fact else 'left over'}")
        if row.voids_id and row.voids_id in statements and not statements[row.voids_id].voided:
            found.append(f"{row.id} voids {row.voids_id}, which is not marked voided")
    counted = Counter(
        (f.day, f.source_kind, f.verb_id, f.team or "", f.platform or "") for f in facts.values()
    )
    if {k: v for k, v in rollup.items() if v} != dict(counted):
        found.append("daily_activity does not add up to learning_fact")
    return found


def _payload(value: Any) -> dict[str, Any]:
    return payloads.decode(bytes(value))
