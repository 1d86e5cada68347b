"""Dashboard users: create them, change passwords, and check a login.

Passwords are kept only as bcrypt hashes. A failed login costs the same time whether the
user exists or not, so that usernames cannot be probed by timing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import bcrypt

from lrs.errors import BadRequest, NotFound
from lrs.store import users as user_store
from lrs.store.engine import Database

ROLES = ("viewer", "admin")
MIN_PASSWORD_LENGTH = 8
_DUMMY_HASH = bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=12))


@dataclass(frozen=True)
class User:
    """Who is logged in to the dashboards."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


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
            password_hash=_hash(password),
            role=role,
            now=dt.datetime.now(dt.UTC),
        )
        return User(id=user.id, username=user.username, role=user.role)


def set_password(db: Database, *, username: str, password: str) -> None:
    _check_new(username, password, ROLES[0])
    with db.writing() as session:
        user = user_store.by_username(session, username)
        if user is None:
            raise NotFound(f"no dashboard user {username!r}")
        user.password_hash = _hash(password)


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The user when the password matches, else None."""
    with db.reading() as session:
        user = user_store.by_username(session, username.strip())
        if user is None:
            bcrypt.checkpw(password.encode(), _DUMMY_HASH)
            return None
        if not bcrypt.checkpw(password.encode(), user.password_hash.encode()):
            return None
        return User(id=user.id, username=user.username, role=user.role)


def get(db: Database, user_id: int) -> User | None:
    """The user with this id, if it still exists (sessions outlive deletions)."""
    with db.reading() as session:
        user = user_store.by_id(session, user_id)
        return None if user is None else User(id=user.id, username=user.username, role=user.role)


def listing(db: Database) -> list[User]:
    with db.reading() as session:
        return [User(u.id, u.username, u.role) for u in user_store.all_users(session)]
