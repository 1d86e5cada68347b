"""Creating, listing, revoking and checking xAPI credentials."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

import bcrypt

from lrs.errors import BadRequest, NotFound
from lrs.services.principal import SCOPES, Principal
from lrs.store import credentials as credential_store
from lrs.store.engine import Database
from lrs.store.models import Credential
from statements import agent_key

# A verified (key, secret) pair is remembered this long, so that each request does not
# pay for a bcrypt check (~0.2 s) while a revocation still takes effect quickly.
VERIFIED_FOR_SECONDS = 30.0
# Keys of credentials the server uses itself (importers); they never sign in.
INTERNAL_PREFIX = "internal-"


@dataclass(frozen=True)
class NewCredential:
    key: str
    secret: str
    principal: Principal


def _hash(secret: str) -> str:
    return bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds=12)).decode()


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
    with db.writing() as session:
        if credential_store.by_key(session, key) is not None:
            raise BadRequest(f"a credential with key {key!r} exists already")
        credential = credential_store.add(
            session,
            key=key,
            secret_hash=_hash(secret),
            name=name,
            scopes=scopes,
            authority=_authority(name, key, home_page),
            now=dt.datetime.now(dt.UTC),
        )
        return NewCredential(key=key, secret=secret, principal=_principal(credential))


def ensure(db: Database, *, key: str, secret: str, home_page: str) -> bool:
    """Make sure a credential with exactly this key and secret and scope ``all`` exists.

    Returns True when it had to be created or its secret was reset.
    """
    with db.writing() as session:
        credential = credential_store.by_key(session, key)
        if credential is None:
            credential_store.add(
                session,
                key=key,
                secret_hash=_hash(secret),
                name="automation",
                scopes=["all"],
                authority=_authority("automation", key, home_page),
                now=dt.datetime.now(dt.UTC),
            )
            return True
        if bcrypt.checkpw(secret.encode(), credential.secret_hash.encode()):
            changed = credential.revoked is not None or credential.scopes != ["all"]
        else:
            credential.secret_hash = _hash(secret)
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
                secret_hash=_hash(secrets.token_urlsafe(24)),
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
    """key -> (digest of the secret, principal, expiry), guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[bytes, Principal, float]] = {}

    def get(self, key: str, digest: bytes) -> Principal | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[2] < time.monotonic():
            return None
        return entry[1] if hmac.compare_digest(entry[0], digest) else None

    def put(self, key: str, digest: bytes, principal: Principal) -> None:
        with self._lock:
            self._entries[key] = (digest, principal, time.monotonic() + VERIFIED_FOR_SECONDS)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


_verified = _VerifiedCache()


@functools.cache
def _dummy_hash() -> bytes:
    # Checked against when the key is unknown, so that unknown keys cost as much as known.
    return bcrypt.hashpw(b"unused", bcrypt.gensalt(rounds=12))


def authenticate(db: Database, key: str, secret: str) -> Principal | None:
    """The principal for a key and secret, or None; timing-safe for unknown keys."""
    digest = hashlib.sha256(secret.encode()).digest()
    cached = _verified.get(key, digest)
    if cached is not None:
        return cached
    with db.reading() as session:
        credential = credential_store.by_key(session, key)
        if credential is None or credential.revoked is not None:
            bcrypt.checkpw(secret.encode(), _dummy_hash())
            return None
        if not bcrypt.checkpw(secret.encode(), credential.secret_hash.encode()):
            return None
        principal = _principal(credential)
    _verified.put(key, digest, principal)
    return principal
