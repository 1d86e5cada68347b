"""Agent and Group identity: one canonical key per inverse functional identifier (IFI).

The keys feed the index tables behind the ``agent``, ``activity``, ``related_agents`` and
``related_activities`` statement queries, so they must be stable: the same Agent always gives
the same key whatever case its e-mail domain or SHA-1 hex digits were sent in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "activity_ids_in",
    "actors_by_key",
    "agent_key",
    "agent_keys_in",
    "identifier_of",
    "normalise_mbox",
    "object_identity",
    "person_agents_in",
]


def normalise_mbox(mbox: str) -> str:
    """Lower-case the scheme and the domain of a ``mailto:`` IRI (both case-insensitive)."""
    scheme, _, address = mbox.partition(":")
    local, at, domain = address.rpartition("@")
    if not at:
        return f"{scheme.lower()}:{address}"
    return f"{scheme.lower()}:{local}@{domain.lower()}"


def agent_key(agent: Mapping[str, Any]) -> str | None:
    """The canonical identity of an Agent or identified Group; None for an anonymous Group.

    ``mbox:mailto:a@b.com``, ``mbox_sha1sum:<lower-case hex>``, ``openid:<iri>`` or
    ``account:<homePage>|<name>``.
    """
    mbox = agent.get("mbox")
    if mbox is not None:
        return "mbox:" + normalise_mbox(mbox)
    sha1 = agent.get("mbox_sha1sum")
    if sha1 is not None:
        return "mbox_sha1sum:" + str(sha1).lower()
    openid = agent.get("openid")
    if openid is not None:
        return "openid:" + str(openid)
    account = agent.get("account")
    if account is not None:
        return f"account:{account['homePage']}|{account['name']}"
    return None


def identifier_of(key: str) -> dict[str, Any]:
    """The inverse functional identifier of a canonical key, as an Agent's property:
    ``{"mbox": ...}``, ``{"mbox_sha1sum": ...}``, ``{"openid": ...}`` or ``{"account":
    {"homePage", "name"}}``. An account's homePage is an IRL, which cannot hold ``|``, so
    the first ``|`` separates it from the name."""
    kind, _, value = key.partition(":")
    if kind == "account":
        home_page, _, name = value.partition("|")
        return {"account": {"homePage": home_page, "name": name}}
    if kind not in ("mbox", "mbox_sha1sum", "openid") or not value:
        raise ValueError(f"not an agent key: {key!r}")
    return {kind: value}


def person_agents_in(statement: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The Agents of a statement that stand for people, with their role (``actor``,
    ``object``, ``instructor``, ``team``): the actor, an Agent object, the instructor and
    the members of those Groups and of the context team, in document order (identified
    Groups themselves are not people)."""
    found: list[tuple[str, Mapping[str, Any]]] = []

    def add(role: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            return
        kind = value.get("objectType", "Agent")
        if kind == "Agent":
            found.append((role, value))
        elif kind == "Group":
            members = value.get("member") or ()
            found.extend((role, m) for m in members if isinstance(m, Mapping))

    add("actor", statement.get("actor"))
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") in ("Agent", "Group"):
        add("object", obj)
    context = statement.get("context")
    if isinstance(context, Mapping):
        add("instructor", context.get("instructor"))
        add("team", context.get("team"))
    return found


class _Collector:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, key: str | None, role: str) -> None:
        if key is not None and (key, role) not in self._seen:
            self._seen.add((key, role))
            self.items.append((key, role))


def _is_actor(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("objectType", "Agent") in ("Agent", "Group")


def _add_actor(out: _Collector, actor: Any, role: str, member_role: str | None) -> None:
    if not isinstance(actor, Mapping):
        return
    out.add(agent_key(actor), role)
    if member_role is not None and actor.get("objectType") == "Group":
        for member in actor.get("member") or ():
            if isinstance(member, Mapping):
                out.add(agent_key(member), member_role)


def _agents_of(out: _Collector, statement: Mapping[str, Any], prefix: str) -> None:
    _add_actor(out, statement.get("actor"), prefix + "actor", prefix + "member")
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") in ("Agent", "Group"):
        _add_actor(out, obj, prefix + "object", prefix + "member")
    context = statement.get("context")
    if isinstance(context, Mapping):
        _add_actor(out, context.get("instructor"), prefix + "instructor", None)
        _add_actor(out, context.get("team"), prefix + "team", None)
        for item in context.get("contextAgents") or ():
            if isinstance(item, Mapping):
                _add_actor(out, item.get("agent"), prefix + "context_agent", None)
        for item in context.get("contextGroups") or ():
            if isinstance(item, Mapping):
                _add_actor(out, item.get("group"), prefix + "context_group", None)


def agent_keys_in(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (agent key, role) a statement mentions, without duplicates, in document order.

    Roles: actor, object, authority, instructor, team, context_agent, context_group, member
    (members of the actor or object Group); inside a SubStatement the same roles prefixed
    ``sub_``. Members of an OAuth authority Group are reported with role ``authority``.
    """
    out = _Collector()
    _agents_of(out, statement, "")
    authority = statement.get("authority")
    if _is_actor(authority):
        _add_actor(out, authority, "authority", "authority")
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "SubStatement":
        _agents_of(out, obj, "sub_")
    return out.items


def _activities(value: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return (value,)
    if isinstance(value, list):
        return (item for item in value if isinstance(item, Mapping))
    return ()


def _activities_of(out: _Collector, statement: Mapping[str, Any], prefix: str) -> None:
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType", "Activity") == "Activity":
        out.add(obj.get("id"), prefix + "object")
    context = statement.get("context")
    if isinstance(context, Mapping):
        activities = context.get("contextActivities")
        if isinstance(activities, Mapping):
            for kind in ("parent", "grouping", "category", "other"):
                for activity in _activities(activities.get(kind)):
                    out.add(activity.get("id"), prefix + kind)


def activity_ids_in(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (activity id, role) in a statement: object, parent, grouping, category, other,
    and the ``sub_`` variants for a SubStatement object."""
    out = _Collector()
    _activities_of(out, statement, "")
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "SubStatement":
        _activities_of(out, obj, "sub_")
    return out.items


def object_identity(target: Mapping[str, Any]) -> tuple[str, str | None]:
    """A statement object's type and the key it is indexed by: the agent key of an Agent
    or Group, the lower-case id of a StatementRef, the id of an Activity, and no key for a
    SubStatement."""
    kind = str(target.get("objectType", "Activity"))
    if kind in {"Agent", "Group"}:
        return kind, agent_key(target)
    if kind == "SubStatement":
        return kind, None
    return kind, target["id"].lower() if kind == "StatementRef" else target["id"]


def actors_by_key(statements: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The identified actors of a batch by agent key; a later statement's spelling wins."""
    actors: dict[str, Mapping[str, Any]] = {}
    for statement in statements:
        actor = statement["actor"]
        key = agent_key(actor)
        if key is not None:
            actors[key] = actor
    return actors
