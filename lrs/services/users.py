"""Dashboard users: create them, change passwords, check a login, and keep sessions.

Passwords are kept only as hashes (``lrs.services.passwords``, any length). Failed
logins back off per user and per client address (``lrs.services.sign_in``). A session
lives in the database, so that logging out or ``end_sessions`` ends it on every worker;
its cookie holds a random token whose SHA-256 is the row's key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, NotFound
from lrs.services import passwords, sign_in
from lrs.store import users as user_store
from lrs.store.engine import Database
from lrs.store.models import DashboardUser

ROLES = ("viewer", "admin")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    """Who is logged in to the dashboards."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _check_new(username: str, password: str, role: str) -> None:
    if not username.strip() or len(username) > 128:
        raise BadRequest("a username needs 1 to 128 characters")
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def create(db: Database, *, username: str, password: str, role: str = "viewer") -> User:
    """Create a dashboard user; fails when the username is taken."""
    username = username.strip()
    _check_new(username, password, role)
    with db.writing() as session:
        if user_store.by_username(session, username) is not None:
            raise BadRequest(f"a dashboard user {username!r} exists already")
        user = user_store.add(
            session,
            username=username,
            password_hash=passwords.hash_secret(password),
            role=role,
            now=dt.datetime.now(dt.UTC),
        )
        return _user(user)


def set_password(db: Database, *, username: str, password: str) -> None:
    _check_new(username, password, ROLES[0])
    with db.writing() as session:
        user = user_store.by_username(session, username)
        if user is None:
            raise NotFound(f"no dashboard user {username!r}")
        user.password_hash = passwords.hash_secret(password)
        user_store.end_sessions_of(session, user.id)  # a new password signs everyone out


def authenticate(
    db: Database,
    username: str,
    password: str,
    *,
    address: str = sign_in.LOCAL,
    limits: sign_in.Limits = sign_in.DEFAULT_LIMITS,
) -> User | None:
    """The user when the password matches, else None; 429 while the user or the address
    backs off. An unknown user never reaches bcrypt."""
    username = username.strip()

    def lookup(session: Session) -> tuple[str, User] | None:
        user = user_store.by_username(session, username)
        return None if user is None else (user.password_hash, _user(user))

    return sign_in.attempt(
        db,
        limits,
        subject=sign_in.user_subject(username),
        address=address,
        secret=password,
        lookup=lookup,
    )


def _user(row: DashboardUser) -> User:
    return User(id=row.id, username=row.username, role=row.role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user: User, *, lifetime: dt.timedelta) -> str:
    """A new session of ``user``; returns the token for its cookie (kept only hashed)."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with db.writing() as session:
        user_store.prune_sessions(session, now)
        user_store.add_session(
            session, token_hash=_token_hash(token), user_id=user.id, now=now, expires=now + lifetime
        )
    return token


def user_of_session(db: Database, token: str) -> User | None:
    """The user of a live session token (one indexed read), or None when it ended."""
    with db.reading() as session:
        row = user_store.user_of_session(session, _token_hash(token), dt.datetime.now(dt.UTC))
        return None if row is None else _user(row)


def end_session(db: Database, token: str) -> None:
    with db.writing() as session:
        user_store.end_session(session, _token_hash(token))


def end_sessions(db: Database, username: str) -> int:
    """End every session of a user, on every worker; returns how many were ended."""
    with db.writing() as session:
        user = user_store.by_username(session, username)
        if user is None:
            raise NotFound(f"no dashboard user {username!r}")
        return user_store.end_sessions_of(session, user.id)


def get(db: Database, user_id: int) -> User | None:
    """The user with this id, if it still exists (sessions outlive deletions)."""
    with db.reading() as session:
        user = user_store.by_id(session, user_id)
        return None if user is None else _user(user)


def listing(db: Database) -> list[User]:
    with db.reading() as session:
        return [_user(u) for u in user_store.all_users(session)]
