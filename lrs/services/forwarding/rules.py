"""Forwarding rules: checked, stored with their password or secret sealed, described
without them. Administered with a credential of scope ``all`` (or the operator)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Conflict, NotFound
from lrs.services.forwarding.outbox import active_rules, require_admin
from lrs.services.principal import Principal
from lrs.services.sealing import SecretBox
from lrs.store import forwarding as store
from lrs.store.engine import Database
from lrs.store.models import ForwardingRule

KINDS = ("xapi", "webhook")
SOURCE_KINDS = ("formal", "informal", "other")
XAPI_VERSIONS = ("1.0.3", "2.0.0")
RULE_FIELDS = (
    "name", "kind", "url", "username", "password", "secret", "xapi_version",
    "verbs", "activity_types", "source_kinds", "active",
)  # fmt: skip
SEALED_FIELDS = ("password", "secret")


def _check_rule(fields: Mapping[str, Any]) -> None:
    if fields["kind"] not in KINDS:
        raise BadRequest("kind must be xapi or webhook", "kind")
    url = urlsplit(fields["url"])
    if url.scheme not in ("http", "https") or not url.netloc:
        raise BadRequest("url must be an absolute http(s) URL", "url")
    if fields["kind"] == "webhook" and not fields.get("secret"):
        raise BadRequest("a webhook needs a secret to sign its deliveries", "secret")
    if fields["kind"] == "xapi" and not (fields.get("username") and fields.get("password")):
        raise BadRequest("an xAPI target needs a username and a password", "username")
    if fields["xapi_version"] not in XAPI_VERSIONS:
        raise BadRequest("xapi_version must be 1.0.3 or 2.0.0", "xapi_version")
    unknown = set(fields["source_kinds"]) - set(SOURCE_KINDS)
    if unknown:
        raise BadRequest("source_kinds may hold formal, informal and other", "source_kinds")
    if not fields["name"]:
        raise BadRequest("a rule needs a name", "name")


def describe_rule(rule: ForwardingRule) -> dict[str, Any]:
    """A rule as the API and the CLI show it: never its password or secret."""
    return {
        "id": rule.id,
        "name": rule.name,
        "kind": rule.kind,
        "url": rule.url,
        "username": rule.username,
        "xapi_version": rule.xapi_version,
        "verbs": list(rule.verbs),
        "activity_types": list(rule.activity_types),
        "source_kinds": list(rule.source_kinds),
        "active": rule.active,
        "has_password": bool(rule.password),
        "has_secret": bool(rule.secret),
        "created": rule.created.isoformat(),
    }


def _rule_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "username": None, "password": None, "secret": None, "xapi_version": "2.0.0",
        "verbs": [], "activity_types": [], "source_kinds": [], "active": True,
    }  # fmt: skip
    fields.update({k: v for k, v in values.items() if k in RULE_FIELDS})
    for name in ("name", "kind", "url"):
        if not isinstance(fields.get(name), str):
            raise BadRequest(f"{name} is required", name)
    _check_rule(fields)
    return fields


def _seal_given(fields: dict[str, Any], given: Mapping[str, Any], box: SecretBox) -> dict[str, Any]:
    # Only what the caller gave is sealed; what was stored before is sealed already.
    for name in SEALED_FIELDS:
        if name in given:
            fields[name] = box.seal(given[name], name)
    return fields


def create_rule(
    db: Database, principal: Principal, values: Mapping[str, Any], *, box: SecretBox
) -> dict[str, Any]:
    require_admin(principal)
    fields = _seal_given(_rule_fields(values), values, box)
    with db.writing() as session:
        if store.rule_by_name(session, fields["name"]) is not None:
            raise Conflict(f"a forwarding rule named {fields['name']!r} exists already", "name")
        created = describe_rule(store.add_rule(session, **fields, created=dt.datetime.now(dt.UTC)))
    active_rules.clear()
    return created


def update_rule(
    db: Database,
    principal: Principal,
    rule_id: int,
    values: Mapping[str, Any],
    *,
    box: SecretBox,
) -> dict[str, Any]:
    """Change some fields of a rule (those given); secrets are kept unless given."""
    require_admin(principal)
    with db.writing() as session:
        rule = _rule(session, rule_id)
        current = {name: getattr(rule, name) for name in RULE_FIELDS}
        fields = _seal_given(_rule_fields({**current, **values}), values, box)
        clash = store.rule_by_name(session, fields["name"])
        if clash is not None and clash.id != rule_id:
            raise Conflict(f"a forwarding rule named {fields['name']!r} exists already", "name")
        for name, value in fields.items():
            setattr(rule, name, value)
        session.flush()
        updated = describe_rule(rule)
    active_rules.clear()
    return updated


def _rule(session: Session, rule_id: int) -> ForwardingRule:
    rule = store.rule(session, rule_id)
    if rule is None:
        raise NotFound(f"no forwarding rule with id {rule_id}")
    return rule


def get_rule(db: Database, principal: Principal, rule_id: int) -> dict[str, Any]:
    require_admin(principal)
    with db.reading() as session:
        return describe_rule(_rule(session, rule_id))


def list_rules(db: Database, principal: Principal) -> list[dict[str, Any]]:
    require_admin(principal)
    with db.reading() as session:
        return [describe_rule(rule) for rule in store.rules(session)]


def remove_rule(db: Database, principal: Principal, rule_id: int) -> None:
    """Remove a rule and its deliveries."""
    require_admin(principal)
    with db.writing() as session:
        _rule(session, rule_id)
        store.remove_rule(session, rule_id)
    active_rules.clear()


def rotate_key(db: Database, principal: Principal, *, box: SecretBox) -> int:
    """Encrypt every stored password and secret again under the first key of ``box``;
    how many values were re-encrypted. One transaction: all or none."""
    require_admin(principal)
    rotated = 0
    with db.writing() as session:
        for rule in store.rules(session):
            for name in SEALED_FIELDS:
                sealed = getattr(rule, name)
                if sealed is None:
                    continue
                try:
                    setattr(rule, name, box.reseal(sealed))
                except ValueError:
                    raise BadRequest(
                        f"the {name} of rule {rule.id} ({rule.name!r}) cannot be decrypted with "
                        "any key of LRS_FORWARDING_KEY; keep its old key in the list",
                        name,
                    ) from None
                rotated += 1
    return rotated
