"""Persons: one human behind many agent identifiers.

Suggestions (``suggest``) are merges an admin confirms: the same e-mail address in any
case, an ``mbox_sha1sum`` that is the hash of a known ``mbox``, the same display name with
a team in common, and a mapping file (the importers' ``--mapping`` format) applied to the
identifiers already stored. ``auto_merge`` merges without asking only what the configured
rule allows (LRS_PERSONS_AUTO_MERGE_DOMAINS: addresses in verified e-mail domains).

Administration (scope ``all``; each call one transaction): ``list_persons``, ``show``,
``merge`` (every identifier of one person goes to another, which stays), ``split`` (some
identifiers become a person of their own) and ``undo`` (split a merge off again, with
the merged person's key, name and team as they were). Each merge and split is written
to the audit trail (``person_change``) and moves the dashboards' facts and rollups of
the two persons concerned, and only theirs, so they equal a recomputation from scratch.

At ingest, ``count_as_persons`` (called inside the statement transaction) resolves every
person a statement names — actor, Agent object, instructor, members of those Groups and of
the context team — to a person, creating one for an identifier never seen, and makes the
dashboards' facts count the person rather than the identifier. Statements themselves stay
exactly as sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Forbidden, NotFound
from lrs.services.principal import Principal
from lrs.store import facts as fact_store
from lrs.store import persons as store
from lrs.store.dialects import storable_text
from lrs.store.engine import Database
from lrs.store.persons import NewIdentifier
from statements import agent_key
from statements.ifi import identifier_of, person_agents_in
from statements.sources import Identities

TEAM_ROLES = frozenset({"actor", "team"})
TEAM_RANK = {None: -1, "statement": 0, "mapping": 1, "set": 2}


def count_as_persons(
    session: Session,
    facts: Sequence[tuple[Mapping[str, Any], dict[str, Any] | None]],
    now: dt.datetime,
) -> None:
    """Resolve the persons of a batch of (statement, fact) pairs (one lookup for the
    batch) and put each fact under its actor's person key."""
    seen: dict[str, NewIdentifier] = {}
    for statement, fact in facts:
        team = fact.get("team") if fact is not None else None
        for role, agent in person_agents_in(statement):
            key = agent_key(agent)
            if key is not None and key not in seen:
                # The statement's team is its actor's and its team members', not an
                # instructor's or an Agent object's.
                in_team = role in TEAM_ROLES
                seen[key] = NewIdentifier(key, agent.get("name"), team if in_team else None)
    person_keys = store.resolve(session, seen, now)
    for statement, fact in facts:
        actor = statement["actor"]
        if fact is not None and actor.get("objectType", "Agent") == "Agent":
            fact["actor_key"] = person_keys.get(fact["actor_key"], fact["actor_key"])


def identifiers_for_erasure(session: Session, person_id: int) -> list[str]:
    """The identifiers of a person to erase (inside an erasure's transaction)."""
    person = _get(session, person_id)
    return store.identifiers_of(session, [person.id])[person.id]


def forget_identifiers(session: Session, keys: Iterable[str]) -> int:
    """Erase these identifiers from the persons (inside an erasure's transaction): a person
    left without identifiers goes; one that was counted under an erased identifier is
    counted under its first remaining one from now on. Returns how many were erased."""
    wanted = sorted(set(keys))
    owners = [p for p in (store.by_identifier(session, key) for key in wanted) if p is not None]
    removed = store.delete_identifiers(session, wanted)
    for owner in {p.id: p for p in owners}.values():
        if owner.key not in wanted:
            continue
        left = store.identifiers_of(session, [owner.id])[owner.id]
        if left:
            store.set_person(session, owner.id, key=left[0])
            fact_store.move_facts(session, owner.key, left[0])
    return removed


# --- administration ------------------------------------------------------------------------

LIST_LIMIT = 1000
MAX_ID = 2**63 - 1


def _require_admin(principal: Principal) -> None:
    if not principal.may("all"):
        raise Forbidden("persons are administered with a credential of scope all")


def _who(principal: Principal) -> str:
    return principal.name or principal.key or "operator"


def _describe(
    session: Session,
    person: store.PersonRow,
    *,
    full: bool,
    identifiers: list[store.IdentifierRow] | None = None,
) -> dict[str, Any]:
    if identifiers is None:
        identifiers = store.identifier_rows(session, person.id)
    found: dict[str, Any] = {
        "id": person.id,
        "key": person.key,
        "name": person.name,
        "team": person.team,
        "team_source": person.team_source,
        "identifiers": [
            {
                "key": i.key,
                "agent": identifier_of(i.key),
                "name": i.name,
                "statements": i.statements,
            }
            for i in identifiers
        ],
        "statements": sum(i.statements for i in identifiers),
    }
    if full:
        found["changes"] = [_change(c) for c in store.changes(session, person.id)]
    return found


def _change(change: Any) -> dict[str, Any]:
    return {
        "id": change.id,
        "at": change.at.isoformat(),
        "action": change.action,
        "person_id": change.person_id,
        "other_id": change.other_id,
        "identifiers": list(change.identifiers),
        "by": change.by,
    }


def _get(session: Session, person_id: int) -> store.PersonRow:
    # Ids are 64-bit: a larger number names no person (and must not reach the driver).
    person = store.get(session, person_id) if 0 < person_id <= MAX_ID else None
    if person is None:
        raise NotFound(f"no person with id {person_id}")
    return person


def list_persons(
    db: Database, principal: Principal, *, search: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Persons whose name, team or an identifier contains ``search``, by name."""
    _require_admin(principal)
    if not 1 <= limit <= LIST_LIMIT:
        raise BadRequest(f"limit must be between 1 and {LIST_LIMIT}", "limit")
    if offset < 0:
        raise BadRequest("offset must not be negative", "offset")
    if not storable_text(search):
        raise BadRequest("search holds the NUL character (U+0000) or text that is not UTF-8",
                         "search")  # fmt: skip
    with db.reading() as session:
        found = store.search(session, search.strip(), limit, offset)
        identifiers = store.identifier_rows_of(session, [person.id for person in found])
        return [_describe(session, person, full=False, identifiers=identifiers[person.id])
                for person in found]  # fmt: skip


def show(db: Database, principal: Principal, person_id: int) -> dict[str, Any]:
    """One person with its identifiers, their statement counts and its audit trail."""
    _require_admin(principal)
    with db.reading() as session:
        return _describe(session, _get(session, person_id), full=True)


def find(db: Database, principal: Principal, identifier: str) -> dict[str, Any]:
    """The person an identifier (canonical agent key) belongs to."""
    _require_admin(principal)
    with db.reading() as session:
        person = store.by_identifier(session, identifier)
        if person is None:
            raise NotFound(f"no person has the identifier {identifier}")
        return _describe(session, person, full=True)


def _snapshot(person: store.PersonRow) -> dict[str, Any]:
    return {"id": person.id, "key": person.key, "name": person.name, "team": person.team,
            "team_source": person.team_source}  # fmt: skip


def update(
    db: Database, principal: Principal, person_id: int, *, name: str | None = None,
    team: str | None = None, clear_team: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Set a person's display name and/or team; a team set here wins over any other."""
    _require_admin(principal)
    values: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise BadRequest("a name cannot be empty", "name")
        values["name"] = name.strip()
    if team is not None and team.strip():
        values.update(team=team.strip(), team_source="set")
    elif clear_team or team is not None:
        values.update(team=None, team_source=None)
    with db.writing() as session:
        _get(session, person_id)
        if values:
            store.set_person(session, person_id, **values)
        return _describe(session, _get(session, person_id), full=True)


def merge(
    db: Database, principal: Principal, keep_id: int, other_id: int, *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Give every identifier of ``other_id`` to ``keep_id`` and remove ``other_id``; the
    kept person keeps its name and team (taking the other's where it has none)."""
    _require_admin(principal)
    if keep_id == other_id:
        raise BadRequest("a person cannot be merged with itself", "other")
    moment = now or dt.datetime.now(dt.UTC)
    with db.writing() as session:
        keep, other = _get(session, keep_id), _get(session, other_id)
        with_session_merge(session, keep, other, by=_who(principal), now=moment)
        return _describe(session, _get(session, keep_id), full=True)


def with_session_merge(
    session: Session, keep: store.PersonRow, other: store.PersonRow, *, by: str,
    now: dt.datetime,
) -> int:  # fmt: skip
    """A merge inside the caller's transaction; returns the audit entry's id."""
    moved = store.identifiers_of(session, [other.id])[other.id]
    store.move_identifiers(session, moved, keep.id)
    store.delete_person(session, other.id)
    changes: dict[str, Any] = {}
    if keep.name is None and other.name is not None:
        changes["name"] = other.name
    # A team set by an admin wins over one from a mapping, which wins over a statement's.
    if other.team is not None and TEAM_RANK.get(other.team_source, 0) > TEAM_RANK.get(
        keep.team_source if keep.team is not None else None, -1
    ):
        changes.update(team=other.team, team_source=other.team_source)
    if changes:
        store.set_person(session, keep.id, **changes)
    fact_store.move_facts(session, other.key, keep.key)
    return store.record_change(
        session, action="merge", person_id=keep.id, other_id=other.id, identifiers=moved,
        by=by, detail={"kept": _snapshot(keep), "merged": _snapshot(other)}, now=now,
    )  # fmt: skip


def split(
    db: Database, principal: Principal, person_id: int, identifiers: Sequence[str], *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Make ``identifiers`` (some, not all, of the person's) a person of their own;
    returns the new person."""
    _require_admin(principal)
    moment = now or dt.datetime.now(dt.UTC)
    with db.writing() as session:
        person = _get(session, person_id)
        new_id = _split(session, person, identifiers, by=_who(principal), now=moment)
        return _describe(session, _get(session, new_id), full=True)


def undo(
    db: Database, principal: Principal, change_id: int, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Split a merge off again: the identifiers it moved become a person with the merged
    person's key, name and team as they were; returns that person."""
    _require_admin(principal)
    moment = now or dt.datetime.now(dt.UTC)
    with db.writing() as session:
        change = store.change(session, change_id) if 0 < change_id <= MAX_ID else None
        if change is None or change.action != "merge":
            raise NotFound(f"no merge with id {change_id}")
        person = store.by_identifier(session, change.identifiers[0])
        if person is None:
            raise BadRequest(f"the identifiers of merge {change_id} are no longer stored")
        merged = change.detail["merged"]
        new_id = _split(
            session, person, list(change.identifiers), by=_who(principal), now=moment,
            restore=merged, undoes=change_id,
        )  # fmt: skip
        return _describe(session, _get(session, new_id), full=True)


def _split(
    session: Session, person: store.PersonRow, identifiers: Sequence[str], *, by: str,
    now: dt.datetime, restore: dict[str, Any] | None = None, undoes: int | None = None,
) -> int:  # fmt: skip
    owned = store.identifiers_of(session, [person.id])[person.id]
    moved = sorted(set(identifiers))
    if not moved:
        raise BadRequest("name at least one identifier to split off", "identifiers")
    unknown = [key for key in moved if key not in owned]
    if unknown:
        raise BadRequest(f"person {person.id} has no identifier {unknown[0]}", "identifiers")
    left = [key for key in owned if key not in moved]
    if not left:
        raise BadRequest("a split must leave the person at least one identifier", "identifiers")
    names = store.identifier_names(session, person.id)
    wanted = (restore or {}).get("key")
    new_key = wanted if wanted in moved else person.key if person.key in moved else moved[0]
    # A person counted under a key that leaves with the split takes its first remaining
    # identifier's key, and the facts of its remaining identifiers follow.
    kept_key = left[0] if person.key in moved else person.key
    if kept_key != person.key:
        store.set_person(session, person.id, key=kept_key)
        fact_store.move_facts(session, person.key, kept_key, left)
    old = restore or {"name": names.get(new_key), "team": person.team,
                      "team_source": person.team_source}  # fmt: skip
    new_id = store.add_person(
        session, new_key, old.get("name"), old.get("team"), old.get("team_source"), now
    )
    store.move_identifiers(session, moved, new_id)
    if new_key != person.key:
        fact_store.move_facts(session, person.key, new_key, moved)
    detail: dict[str, Any] = {"before": _snapshot(person)}
    if undoes is not None:
        detail["undoes"] = undoes
    store.record_change(
        session, action="split", person_id=person.id, other_id=new_id, identifiers=moved,
        by=by, detail=detail, now=now,
    )  # fmt: skip
    return new_id


# --- suggestions ---------------------------------------------------------------------------


def _sha1(mbox: str) -> str:
    return hashlib.sha1(mbox.encode()).hexdigest()


def _pairs(
    session: Session, mapping: Identities | None
) -> tuple[dict[tuple[str, str], list[str]], dict[str, str]]:
    """Suggested merges as (identifier of one person, identifier of another) -> reasons,
    and the teams a mapping gives to identifiers."""
    owner = store.all_identifiers(session)
    persons = {p.id: p for p in store.all_persons(session)}
    found: dict[tuple[str, str], list[str]] = {}
    mapped_teams: dict[str, str] = {}

    def suggest_pair(a: str, b: str, reason: str) -> None:
        if a in owner and b in owner and owner[a] != owner[b]:
            pair = (a, b) if owner[a] < owner[b] else (b, a)
            reasons = found.setdefault(pair, [])
            if reason not in reasons:
                reasons.append(reason)

    by_address: dict[str, list[str]] = {}
    for key in sorted(owner):
        if key.startswith("mbox:"):
            by_address.setdefault(key.lower(), []).append(key)
    for keys in by_address.values():
        for other in keys[1:]:
            suggest_pair(keys[0], other, "same e-mail address")
    for address, keys in by_address.items():
        # The hash of the address as some person sent it, else of its lower-case form.
        hashes = {f"mbox_sha1sum:{_sha1(k.removeprefix('mbox:'))}": k for k in keys}
        hashes.setdefault(f"mbox_sha1sum:{_sha1(address.removeprefix('mbox:'))}", keys[0])
        for hashed, key in hashes.items():
            suggest_pair(key, hashed, "mbox_sha1sum of a known mbox")
    teams = store.teams_in_facts(session)
    by_name: dict[str, list[store.PersonRow]] = {}
    for person in persons.values():
        if person.name and person.name.strip():
            by_name.setdefault(person.name.strip().casefold(), []).append(person)
    for group in by_name.values():
        for index, one in enumerate(group):
            ones = teams.get(one.key, set()) | ({one.team} if one.team else set())
            for two in group[index + 1 :]:
                twos = teams.get(two.key, set()) | ({two.team} if two.team else set())
                if ones & twos:
                    suggest_pair(one.key, two.key, "same name and team")
    if mapping is not None:
        for (source, user), agent in mapping.agents.items():
            canonical = agent_key(agent)
            for key in owner:
                if canonical is None or not key.startswith("account:"):
                    continue
                home_page, _, name = key.removeprefix("account:").partition("|")
                same_user = name == user or name.casefold() == user.casefold()
                if same_user and (not source or home_page.rstrip("/") == source):
                    suggest_pair(canonical, key, "mapping file")
                    team = mapping.teams.get((source, user))
                    if team is not None and team.get("name"):
                        mapped_teams[canonical] = str(team["name"])
    return found, mapped_teams


def suggest(
    db: Database, principal: Principal, *, mapping: Identities | None = None
) -> list[dict[str, Any]]:
    """Merges worth confirming: for each, the person to keep (the older), the person to
    merge into it, an identifier of each and the reasons."""
    _require_admin(principal)
    with db.reading() as session:
        owner = store.all_identifiers(session)
        persons = {p.id: p for p in store.all_persons(session)}
        suggestions: list[dict[str, Any]] = []
        found, teams = _pairs(session, mapping)
        for (keep_key, other_key), reasons in sorted(found.items()):
            keep, other = persons[owner[keep_key]], persons[owner[other_key]]
            suggestion = {
                "keep": {"id": keep.id, "name": keep.name, "identifier": keep_key},
                "other": {"id": other.id, "name": other.name, "identifier": other_key},
                "reasons": reasons,
            }
            team = teams.get(keep_key) or teams.get(other_key)
            if team is not None:
                suggestion["team"] = team
            suggestions.append(suggestion)
        return suggestions


def apply_suggestions(
    db: Database, principal: Principal, suggestions: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Merge the persons of these suggestions (as confirmed by an admin), each one
    transaction; persons already merged by an earlier one are skipped. Returns the merges."""
    _require_admin(principal)
    done: list[dict[str, Any]] = []
    for suggestion in suggestions:
        with db.reading() as session:
            keep = store.by_identifier(session, suggestion["keep"]["identifier"])
            other = store.by_identifier(session, suggestion["other"]["identifier"])
        if keep is None or other is None or keep.id == other.id:
            continue
        merged = merge(db, principal, keep.id, other.id)
        team = suggestion.get("team")
        if team and TEAM_RANK.get(merged["team_source"] if merged["team"] else None, -1) < 1:
            with db.writing() as session:
                store.set_person(session, keep.id, team=team, team_source="mapping")
        done.append({"kept": keep.id, "merged": other.id, "merge_id": merged["changes"][0]["id"],
                     "reasons": suggestion["reasons"]})  # fmt: skip
    return done


def auto_merge(db: Database, principal: Principal, domains: str) -> list[dict[str, Any]]:
    """Merge, without asking, the suggestions the configured rule allows: the same e-mail
    address (or its mbox_sha1sum) in one of ``domains`` (LRS_PERSONS_AUTO_MERGE_DOMAINS).
    Nothing when no domain is configured."""
    verified = {d.strip().lower().lstrip("@") for d in domains.split(",") if d.strip()}
    if not verified:
        return []
    allowed = []
    for suggestion in suggest(db, principal):
        address = next((side["identifier"] for side in (suggestion["keep"], suggestion["other"])
                        if side["identifier"].startswith("mbox:")), "")  # fmt: skip
        by_mail = {"same e-mail address", "mbox_sha1sum of a known mbox"} & set(
            suggestion["reasons"]
        )
        if by_mail and address.rpartition("@")[2].lower() in verified:
            allowed.append(suggestion)
    return apply_suggestions(db, principal, allowed)
