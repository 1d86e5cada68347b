"""Statement formats (exact / ids / canonical) and the spec's "same statement" comparison.

``format_statement`` shapes a stored statement for ``GET /statements?format=…``;
``same_statement`` decides whether a re-sent statement (same id) or a JWS payload is the
statement the LRS already has, ignoring exactly the differences the spec's immutability
exceptions allow (Data 2.3.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .fields import parse_timestamp
from .ifi import normalise_mbox

__all__ = ["Format", "best_language", "format_statement", "same_statement"]

Format = Literal["exact", "ids", "canonical"]

_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_DEFINITION_MAPS = ("name", "description")
_COMPONENT_KEYS = ("choices", "scale", "source", "target", "steps")


# --- formats -------------------------------------------------------------------------------


def format_statement(
    statement: Mapping[str, Any], fmt: Format, languages: Sequence[str] = ()
) -> dict[str, Any]:
    """Return ``statement`` in the requested format (a new dict; the input is untouched).

    * ``exact``: as stored.
    * ``ids``: Agents and identified Groups reduced to objectType + IFI, anonymous Groups to
      objectType + members (each reduced), Activities to ``id``, Verbs to ``id``.
    * ``canonical``: every language map reduced to the single entry that best matches
      ``languages`` (Accept-Language tags, most preferred first). Substituting the LRS's
      canonical Activity definitions is the caller's job (it needs storage).
    """
    if fmt == "exact":
        return dict(statement)
    if fmt == "ids":
        return _ids_statement(statement)
    if fmt == "canonical":
        return _canonical_statement(statement, languages)
    raise ValueError(f"unknown format {fmt!r}")


def _ids_actor(actor: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"objectType": actor.get("objectType", "Agent")}
    for key in _IFI_KEYS:
        if key in actor:
            out[key] = actor[key]
            return out
    out["member"] = [_ids_actor(member) for member in actor.get("member", ())]
    return out


def _ids_object(obj: Mapping[str, Any], top: bool) -> dict[str, Any]:
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return {"id": obj["id"]}
    if object_type in ("Agent", "Group"):
        return _ids_actor(obj)
    if object_type == "SubStatement" and top:
        return _ids_statement(obj)
    return dict(obj)


def _ids_context(context: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(context)
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _ids_actor(out[key])
    if "contextActivities" in out:
        out["contextActivities"] = {
            kind: [{"id": a["id"]} for a in (value if isinstance(value, list) else [value])]
            for kind, value in out["contextActivities"].items()
        }
    if "contextAgents" in out:
        out["contextAgents"] = [
            {**item, "agent": _ids_actor(item["agent"])} for item in out["contextAgents"]
        ]
    if "contextGroups" in out:
        out["contextGroups"] = [
            {**item, "group": _ids_actor(item["group"])} for item in out["contextGroups"]
        ]
    return out


def _ids_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    out["actor"] = _ids_actor(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    out["object"] = _ids_object(
        statement["object"], top=statement.get("objectType") != "SubStatement"
    )
    if "authority" in out:
        out["authority"] = _ids_actor(out["authority"])
    if "context" in out:
        out["context"] = _ids_context(out["context"])
    return out


def best_language(language_map: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """The one entry of ``language_map`` that best matches the preference list ``languages``.

    Exact (case-insensitive) match first, then a shared prefix (``en`` ~ ``en-US``) for each
    preference in order; failing that ``und``, then the first entry.
    """
    if len(language_map) <= 1:
        return dict(language_map)
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        want = wanted.strip().lower()
        if not want:
            continue
        if want == "*":
            break
        if want in lowered:
            key = lowered[want]
            return {key: language_map[key]}
        for low, key in lowered.items():
            if low.startswith(want + "-") or want.startswith(low + "-"):
                return {key: language_map[key]}
        primary = want.split("-", 1)[0]
        for low, key in lowered.items():
            if low.split("-", 1)[0] == primary:
                return {key: language_map[key]}
    key = lowered.get("und") or next(iter(language_map))
    return {key: language_map[key]}


def _canonical_definition(
    definition: Mapping[str, Any], languages: Sequence[str]
) -> dict[str, Any]:
    out = dict(definition)
    for key in _DEFINITION_MAPS:
        if key in out:
            out[key] = best_language(out[key], languages)
    for key in _COMPONENT_KEYS:
        if key in out:
            out[key] = [
                {**c, "description": best_language(c["description"], languages)}
                if "description" in c
                else dict(c)
                for c in out[key]
            ]
    return out


def _canonical_activity(activity: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    if "definition" not in activity:
        return dict(activity)
    return {**activity, "definition": _canonical_definition(activity["definition"], languages)}


def _canonical_statement(statement: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    out = dict(statement)
    verb = statement["verb"]
    if "display" in verb:
        out["verb"] = {**verb, "display": best_language(verb["display"], languages)}
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        out["object"] = _canonical_activity(obj, languages)
    elif object_type == "SubStatement":
        out["object"] = _canonical_statement(obj, languages)
    context = statement.get("context")
    if context is not None and "contextActivities" in context:
        out["context"] = {
            **context,
            "contextActivities": {
                kind: [
                    _canonical_activity(a, languages)
                    for a in (value if isinstance(value, list) else [value])
                ]
                for kind, value in context["contextActivities"].items()
            },
        }
    if "attachments" in statement:
        out["attachments"] = [
            {
                **att,
                **{
                    key: best_language(att[key], languages)
                    for key in ("display", "description")
                    if key in att
                },
            }
            for att in statement["attachments"]
        ]
    return out


# --- comparison ----------------------------------------------------------------------------

# Set by the LRS, never part of what a client asserted (Data 2.3.1).
_LRS_ASSIGNED = ("stored", "authority")
# Assigned by the LRS only when absent: compared when both sides have them.
_ASSIGNED_IF_ABSENT = ("id", "timestamp", "version")
_DURATION_FRACTION_RE = re.compile(r"(\.\d{2})\d+S")


def same_statement(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """True if ``a`` and ``b`` are the same statement per the Statement Comparison Requirements.

    Ignored (Data 2.3.1 immutability exceptions): ``stored`` and ``authority``; ``id``,
    ``timestamp`` and ``version`` when only one side has them; Activity definitions; Verb
    display; attachments; the order of Group members; the serialisation of timestamps
    (compared as instants, no zone = UTC); case in UUIDs, SHA-1 hex, and the mailto scheme
    and domain; a single contextActivities object vs a one-element array. Durations are
    compared as strings, except that precision beyond 0.01 s is ignored (xAPI 2.0).
    """
    return _comparable(a, b) == _comparable(b, a)


def _comparable(statement: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    out = _comparable_core(statement)
    for key in _ASSIGNED_IF_ABSENT:
        if key in statement and key in other:
            value = statement[key]
            if key == "id" and isinstance(value, str):
                value = value.lower()
            elif key == "timestamp" and isinstance(value, str):
                value = _instant(value)
            out[key] = value
    return out


def _comparable_core(statement: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _LRS_ASSIGNED or key in _ASSIGNED_IF_ABSENT or key == "attachments":
            continue
        if key == "actor":
            out[key] = _comparable_actor(value)
        elif key == "verb":
            out[key] = value.get("id") if isinstance(value, Mapping) else value
        elif key == "object":
            out[key] = _comparable_object(value)
        elif key == "result":
            out[key] = _comparable_result(value)
        elif key == "context":
            out[key] = _comparable_context(value)
        else:
            out[key] = value
    if statement.get("objectType") == "SubStatement" and "timestamp" in statement:
        out["timestamp"] = _instant(statement["timestamp"])
    return out


def _instant(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse_timestamp(value)
    except ValueError:
        return value


def _comparable_actor(actor: Any) -> Any:
    if not isinstance(actor, Mapping):
        return actor
    out: dict[str, Any] = dict(actor)
    out.setdefault("objectType", "Agent")
    if isinstance(out.get("mbox"), str):
        out["mbox"] = normalise_mbox(out["mbox"])
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        members = [_comparable_actor(m) for m in out["member"]]
        out["member"] = sorted(members, key=repr)
    return out


def _comparable_object(obj: Any) -> Any:
    if not isinstance(obj, Mapping):
        return obj
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return {"objectType": "Activity", "id": obj.get("id")}
    if object_type in ("Agent", "Group"):
        return _comparable_actor(obj)
    if object_type == "StatementRef":
        target = obj.get("id")
        return {
            "objectType": "StatementRef",
            "id": target.lower() if isinstance(target, str) else target,
        }
    if object_type == "SubStatement":
        return _comparable_core(obj)
    return dict(obj)


def _comparable_result(result: Any) -> Any:
    if not isinstance(result, Mapping) or not isinstance(result.get("duration"), str):
        return result
    return {**result, "duration": _DURATION_FRACTION_RE.sub(r"\1S", result["duration"])}


def _comparable_context(context: Any) -> Any:
    if not isinstance(context, Mapping):
        return context
    out: dict[str, Any] = dict(context)
    if isinstance(out.get("registration"), str):
        out["registration"] = out["registration"].lower()
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _comparable_actor(out[key])
    if isinstance(out.get("statement"), Mapping):
        out["statement"] = _comparable_object(out["statement"])
    activities = out.get("contextActivities")
    if isinstance(activities, Mapping):
        out["contextActivities"] = {
            kind: [_comparable_object(a) for a in (value if isinstance(value, list) else [value])]
            for kind, value in activities.items()
        }
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        if isinstance(out.get(key), list):
            out[key] = [
                {**item, inner: _comparable_actor(item.get(inner))}
                if isinstance(item, Mapping)
                else item
                for item in out[key]
            ]
    return out
