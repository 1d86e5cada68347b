"""The Activities and Agents resources: what the LRS knows about an activity or a person.

Both read what ingest recorded (``activity`` and ``agent`` tables); an id or agent the
LRS has never seen still gets an answer built from the request alone (IEEE 9274.1.1
4.1.6.4: "If an LRS does not have a canonical definition of the Activity to return, the
LRS shall still return an Activity Object when queried").

Who may read what (xAPI-Communication 4.2 scopes; README "Security and reliability"):
activity definitions describe content, not people, so any credential that may read
something gets them. What the LRS knows about a person (the name it recorded) is read in
full with ``all``, ``all/read`` or ``statements/read``. A credential limited to its own
data (``statements/read/mine``, ``state``, ``profile``, ``define``) gets it only for an
agent that a statement it is the authority of names; for anyone else it gets the
Person built from the request alone, exactly as for an agent the LRS never saw, so the
answer tells it nothing it did not send. ``statements/write`` alone gets 403.
"""

from __future__ import annotations

from typing import Any

from lrs.errors import Forbidden
from lrs.services.principal import Principal
from lrs.store import activities as store
from lrs.store.engine import Database

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
# Reading activities or agents is allowed to any credential that may read something.
READ_SCOPES = ("all/read", "statements/read", "statements/read/mine", "state", "profile", "define")
# Scopes that see what the LRS recorded about any agent.
PEOPLE_SCOPES = ("all/read", "statements/read")


def get_activity(db: Database, principal: Principal, activity_id: str) -> dict[str, Any]:
    """The Activity object with the LRS's canonical definition, if it has one."""
    _require_read(principal)
    with db.reading() as session:
        row = store.get_activity(session, activity_id)
        definition = row.definition if row is not None else None
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def get_person(
    db: Database, principal: Principal, agent_key: str, agent: dict[str, Any]
) -> dict[str, Any]:
    """The Person object (xAPI-Communication 2.4.1.1) of the agent with ``agent_key``:
    every property an array; ``agent`` (as asked for) fills in when it was never seen or
    the caller may not see what was recorded (see the module docstring)."""
    _require_read(principal)
    with db.reading() as session:
        row = store.get_agent(session, agent_key)
        # A credential limited to its own data sees only agents its own statements name.
        limited = row is not None and not principal.may(*PEOPLE_SCOPES)
        if limited and not store.agent_named_by_authority(
            session, agent_key, principal.authority_key
        ):
            row = None
        ifi = dict(row.ifi) if row is not None else agent
        name = (row.name if row is not None else None) or agent.get("name")
    person: dict[str, Any] = {"objectType": "Person"}
    if name is not None:
        person["name"] = [name]
    for prop in IFI_PROPERTIES:
        if prop in ifi:
            person[prop] = [ifi[prop]]
    return person


def _require_read(principal: Principal) -> None:
    if not principal.may(*READ_SCOPES):
        raise Forbidden("this credential may not read (scope all/read or statements/read)")
