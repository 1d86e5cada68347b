"""Creating, listing, revoking and checking xAPI credentials."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, NotFound
from lrs.services import passwords, sign_in
from lrs.services.principal import SCOPES, Principal
from lrs.store import credentials as credential_store
from lrs.store.engine import Database
from lrs.store.models import Credential
from statements import agent_key

# A verified (key, secret) pair is remembered this long, so that each request does not
# pay for a bcrypt check (~0.25 s). Revocation does not wait for it: every request checks
# that the credential is still active with the hash that was verified.
VERIFIED_FOR_SECONDS = 600.0
# Keys of credentials the server uses itself (importers); they never sign in.
INTERNAL_PREFIX = "internal-"


@dataclass(frozen=True)
class NewCredential:
    key: str
    secret: str
    principal: Principal


def _authority(name: str, key: str, home_page: str) -> dict[str, object]:
    return {"objectType": "Agent", "name": name, "account": {"homePage": home_page, "name": key}}


def _principal(credential: Credential) -> Principal:
    return Principal(
        credential_id=credential.id,
        key=credential.key,
        name=credential.name,
        scopes=frozenset(credential.scopes),
        authority=credential.authority,
        authority_key=agent_key(credential.authority) or "",
    )


def create(
    db: Database,
    *,
    name: str,
    scopes: list[str],
    home_page: str,
    key: str | None = None,
    secret: str | None = None,
) -> NewCredential:
    """Create a credential; the secret is returned here once and only its hash is kept."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise BadRequest(f"unknown or missing scopes: {', '.join(unknown) or '(none)'}")
    key = key or secrets.token_hex(16)
    secret = secret or secrets.token_urlsafe(24)
    _refuse_unusable(key, secret)
    with db.writing() as session:
        if credential_store.by_key(session, key) is not None:
            raise BadRequest(f"a credential with key {key!r} exists already")
        credential = credential_store.add(
            session,
            key=key,
            secret_hash=passwords.hash_secret(secret),
            name=name,
            scopes=scopes,
            authority=_authority(name, key, home_page),
            now=dt.datetime.now(dt.UTC),
        )
        return NewCredential(key=key, secret=secret, principal=_principal(credential))


def _refuse_unusable(key: str, secret: str) -> None:
    """Refuse a key or secret that Basic authentication could never carry back."""
    # Sign-in refuses credentials holding NUL (401), and a Basic key ends at its first colon.
    if "\x00" in key or "\x00" in secret:
        raise BadRequest("a key or secret may not contain the NUL character (U+0000)")
    if ":" in key:
        raise BadRequest("a key may not contain a colon: Basic authentication ends it there")


def ensure(db: Database, *, key: str, secret: str, home_page: str) -> bool:
    """Make sure a credential with exactly this key and secret and scope ``all`` exists.

    Returns True when it had to be created or its secret was reset.
    """
    _refuse_unusable(key, secret)
    with db.writing() as session:
        credential = credential_store.by_key(session, key)
        if credential is None:
            credential_store.add(
                session,
                key=key,
                secret_hash=passwords.hash_secret(secret),
                name="automation",
                scopes=["all"],
                authority=_authority("automation", key, home_page),
                now=dt.datetime.now(dt.UTC),
            )
            return True
        if passwords.verify(secret, credential.secret_hash):
            changed = credential.revoked is not None or credential.scopes != ["all"]
        else:
            credential.secret_hash = passwords.hash_secret(secret)
            changed = True
        credential.revoked = None
        credential.scopes = ["all"]
        return changed


def internal_principal(db: Database, *, name: str, scopes: list[str], home_page: str) -> Principal:
    """The principal of an internal writer such as the importer, created when missing.

    Its key is ``internal-<name>`` and its secret random and never shown: nobody signs in
    with it, it only stamps the authority of what the server itself stores.
    """
    key = INTERNAL_PREFIX + name
    with db.writing() as session:
        credential = credential_store.by_key(session, key)
        if credential is None:
            credential = credential_store.add(
                session,
                key=key,
                secret_hash=passwords.hash_secret(secrets.token_urlsafe(24)),
                name=name,
                scopes=scopes,
                authority=_authority(name, key, home_page),
                now=dt.datetime.now(dt.UTC),
            )
        elif sorted(credential.scopes) != sorted(scopes):
            credential.scopes = scopes  # a newer release may grant internal writers more
        return _principal(credential)


def listing(db: Database) -> list[tuple[Principal, dt.datetime, dt.datetime | None]]:
    with db.reading() as session:
        return [
            (_principal(c), c.created, c.revoked) for c in credential_store.all_credentials(session)
        ]


def revoke(db: Database, key: str) -> None:
    with db.writing() as session:
        credential = credential_store.by_key(session, key)
        if credential is None:
            raise NotFound(f"no credential with key {key!r}")
        credential.revoked = dt.datetime.now(dt.UTC)
    _verified.forget(key)


def has_any(db: Database) -> bool:
    """True when an active credential exists that a client can use (internal ones aside)."""
    with db.reading() as session:
        return any(
            c.revoked is None and not c.key.startswith(INTERNAL_PREFIX)
            for c in credential_store.all_credentials(session)
        )


class _VerifiedCache:
    """key -> (fingerprint of the verified secret, principal, stored hash, expiry);
    bounded, least recently used first out, guarded by a lock."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[bytes, Principal, str, float]] = OrderedDict()

    def get(self, key: str, fingerprint: bytes) -> tuple[Principal, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None or entry[3] < time.monotonic():
            return None
        return (entry[1], entry[2]) if hmac.compare_digest(entry[0], fingerprint) else None

    def put(self, key: str, fingerprint: bytes, principal: Principal, stored: str) -> None:
        expiry = time.monotonic() + VERIFIED_FOR_SECONDS
        with self._lock:
            self._entries[key] = (fingerprint, principal, stored, expiry)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


_verified = _VerifiedCache()


def authenticate(
    db: Database,
    key: str,
    secret: str,
    *,
    address: str = sign_in.LOCAL,
    limits: sign_in.Limits = sign_in.DEFAULT_LIMITS,
) -> Principal | None:
    """The principal for a key and secret, or None; 429 while the key or address backs off.

    A secret verified before costs one statement that reads two indexed rows (the
    address is not backing off; the credential is still active with the same hash), so a
    revocation or a new secret holds on the next request of every worker. Otherwise it
    costs one bcrypt check, which unknown keys and keys or addresses backing off never
    reach (``sign_in.attempt``).
    """
    fingerprint = passwords.fingerprint(secret)
    cached = _verified.get(key, fingerprint)
    if cached is not None:
        principal, verified_hash = cached
        now = sign_in.now()
        # One statement, outside any transaction on PostgreSQL: the only round trip of
        # a remembered sign-in.
        with db.reading_once() as session:
            until, current = credential_store.standing(
                session, principal.credential_id, sign_in.address_subject(address), now
            )
        refused = sign_in.refusal_until(until, now)
        if refused is not None:
            raise refused
        if current == verified_hash:
            return principal
        _verified.forget(key)  # revoked, or its secret reset: checked again in full

    def lookup(session: Session) -> tuple[str, tuple[Principal, str]] | None:
        credential = credential_store.by_key(session, key)
        if credential is None or credential.revoked is not None:
            return None
        return credential.secret_hash, (_principal(credential), credential.secret_hash)

    found = sign_in.attempt(
        db,
        limits,
        subject=sign_in.key_subject(key),
        address=address,
        secret=secret,
        lookup=lookup,
    )
    if found is None:
        return None
    _verified.put(key, fingerprint, *found)
    return found[0]
