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

from sqlalchemy.orm import Session

from lrs.errors import Forbidden
from lrs.services.principal import Principal
from lrs.store import activities as store
from lrs.store import persons as person_store
from lrs.store.engine import Database
from statements.ifi import identifier_of

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
    every property an array, holding every identifier and name of the person the agent
    belongs to (``lrs.services.persons``) — the asked identifier first; ``agent`` (as asked
    for) fills in when it was never seen or the caller may not see what was recorded (see
    the module docstring)."""
    _require_read(principal)
    names: list[str] = []
    others: list[dict[str, Any]] = []
    with db.reading() as session:
        row = store.get_agent(session, agent_key)
        # A credential limited to its own data sees only agents its own statements name.
        limited = row is not None and not principal.may(*PEOPLE_SCOPES)
        if limited and not store.agent_named_by_authority(
            session, agent_key, principal.authority_key
        ):
            row = None
        if row is not None or principal.may(*PEOPLE_SCOPES):
            names, others = _person_of(session, agent_key)
        ifi = dict(row.ifi) if row is not None else agent
        name = (row.name if row is not None else None) or agent.get("name")
    person: dict[str, Any] = {"objectType": "Person"}
    names = [n for n in [name, *names] if n is not None]
    if names:
        person["name"] = list(dict.fromkeys(names))
    for prop in IFI_PROPERTIES:
        values = [ifi[prop]] if prop in ifi else []
        values += [other[prop] for other in others if prop in other]
        if values:
            person[prop] = values
    return person


def _person_of(session: Session, agent_key: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The names and the other identifiers (as Agent properties) of the person that
    ``agent_key`` belongs to."""
    owner = person_store.by_identifier(session, agent_key)
    if owner is None:
        return [], []
    others = [key for key in person_store.identifiers_of(session, [owner.id])[owner.id]
              if key != agent_key]  # fmt: skip
    # The person's name when it has other identifiers; alone, the agent's latest name.
    names = [owner.name] if owner.name and others else []
    return names, [identifier_of(key) for key in others]


def _require_read(principal: Principal) -> None:
    if not principal.may(*READ_SCOPES):
        raise Forbidden("this credential may not read (scope all/read or statements/read)")
