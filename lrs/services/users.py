"""Dashboard users: create them, give them a role, change passwords, check a login, and
keep sessions.

A role decides what a user's pages count (``lrs.http.access`` turns it into the
read side's scope): ``admin`` sees everything and manages users, persons and sources;
``manager`` sees the facts of one or more teams; ``member`` sees only the facts of one
person (linked through one of the person's identifiers, so that a merge keeps the link).

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

from lrs.errors import BadRequest, Forbidden, NotFound
from lrs.services import passwords, sign_in
from lrs.store import persons as person_store
from lrs.store import users as user_store
from lrs.store.engine import Database
from lrs.store.models import DashboardUser

ROLES = ("admin", "manager", "member")
MIN_PASSWORD_LENGTH = 8
MAX_TEAMS = 200


@dataclass(frozen=True)
class User:
    """Who is logged in to the dashboards, with what their role lets them see:
    ``teams`` (a manager's), ``person_key`` (a member's person, as its facts are counted
    now; None when the person is no longer known) and ``person_name``."""

    id: int
    username: str
    role: str
    teams: tuple[str, ...] = ()
    person_identifier: str | None = None
    person_key: str | None = None
    person_name: str | None = None
    subject: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Role:
    """A role with what it applies to, checked: ``teams`` for a manager, ``person`` (a
    person's id or key, or one of its identifiers or email addresses) for a member."""

    name: str
    teams: tuple[str, ...] = ()
    person: str | None = None


def _check_name(username: str) -> None:
    if not username.strip() or len(username) > 128:
        raise BadRequest("a username needs 1 to 128 characters")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _teams(role: Role) -> list[str]:
    teams = sorted({team.strip() for team in role.teams if team.strip()})
    if role.name == "manager" and not teams:
        raise BadRequest("a manager needs one or more teams (--team)", "teams")
    if role.name != "manager" and teams:
        raise BadRequest("only a manager has teams", "teams")
    if len(teams) > MAX_TEAMS or any(len(team) > 512 or "\x00" in team for team in teams):
        raise BadRequest(f"at most {MAX_TEAMS} teams of at most 512 characters", "teams")
    return teams


def _identifier(session: Session, role: Role) -> str | None:
    """The identifier that links a member to its person (None for other roles)."""
    text = (role.person or "").strip()
    if role.name != "member":
        if text:
            raise BadRequest("only a member is linked to a person", "person")
        return None
    if not text:
        raise BadRequest("a member needs a person (--person)", "person")
    person = find_person(session, text)
    if person is None:
        raise BadRequest(f"no person is known as {text!r}", "person")
    own = person_store.identifiers_of(session, [person.id])[person.id]
    for candidate in (text, email_identifier(text), person.key):
        if candidate in own:
            return candidate
    if not own:
        raise BadRequest(f"the person {text!r} has no identifier to link to", "person")
    return own[0]


def find_person(session: Session, text: str) -> person_store.PersonRow | None:
    """The person named by its id, its key, one of its identifiers (canonical agent
    key) or an email address (``ann@example.com`` or ``mailto:ann@example.com``)."""
    text = text.strip()
    if "\x00" in text or not text:
        return None
    if text.isdigit() and len(text) < 19:
        found = person_store.get(session, int(text))
        if found is not None:
            return found
    found = person_store.by_key(session, text) or person_store.by_identifier(session, text)
    if found is None and "@" in text:
        found = person_store.by_identifier(session, email_identifier(text))
    return found


def email_identifier(email: str) -> str:
    """The identifier (canonical agent key) of an email address, as statements name it:
    ``mbox:mailto:`` with the domain in lower case (``statements.ifi``)."""
    address = email.strip().removeprefix("mbox:").removeprefix("mailto:")
    local, _, domain = address.rpartition("@")
    return f"mbox:mailto:{local}@{domain.lower()}"


def _check_role(session: Session, role: Role) -> tuple[list[str], str | None]:
    if role.name not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}", "role")
    return _teams(role), _identifier(session, role)


def create(
    db: Database,
    *,
    username: str,
    password: str | None,
    role: str | Role,
    subject: str | None = None,
) -> User:
    """Create a dashboard user with a role; fails when the username is taken. Without a
    password the user signs in only through the identity provider (``subject``)."""
    username = username.strip()
    chosen = role if isinstance(role, Role) else Role(role)
    _check_name(username)
    if password is not None or subject is None:
        _check_password(password or "")
    with db.writing() as session:
        teams, identifier = _check_role(session, chosen)
        if user_store.by_username(session, username) is not None:
            raise BadRequest(f"a dashboard user {username!r} exists already")
        user = user_store.add(
            session,
            username=username,
            password_hash=passwords.hash_secret(password) if password is not None else "",
            role=chosen.name,
            now=dt.datetime.now(dt.UTC),
        )
        user.teams = teams
        user.person_identifier = identifier
        user.subject = subject
        session.flush()
        return _user(session, user)


def set_role(db: Database, *, username: str, role: Role) -> User:
    """Give a user another role (or other teams, another person); ends its sessions, so
    that no page keeps what the old role showed."""
    with db.writing() as session:
        user = user_store.by_username(session, username)
        if user is None:
            raise NotFound(f"no dashboard user {username!r}")
        teams, identifier = _check_role(session, role)
        user.role, user.teams, user.person_identifier = role.name, teams, identifier
        user_store.end_sessions_of(session, user.id)
        session.flush()
        return _user(session, user)


def delete(db: Database, *, username: str) -> None:
    """Remove a user and end its sessions."""
    with db.writing() as session:
        user = user_store.by_username(session, username)
        if user is None:
            raise NotFound(f"no dashboard user {username!r}")
        user_store.end_sessions_of(session, user.id)
        session.delete(user)


def sign_in_external(db: Database, *, subject: str, email: str | None, verified: bool) -> User:
    """The user an identity provider vouched for: the user already linked to
    ``subject``; else a member linked to the person whose identifier is ``email`` (an
    ``mbox`` of that person) and to no identity yet, which is then linked; else a new
    ``member`` of that person, named by the e-mail and without a password. 403 without a
    verified e-mail of a known person: an identity alone sees nothing."""
    with db.writing() as session:
        row = user_store.by_subject(session, subject)
        if row is not None:
            return _user(session, row)
        if not email or not verified:
            raise Forbidden("the identity provider gave no verified e-mail address")
        identifier = email_identifier(email)
        person = person_store.by_identifier(session, identifier)
        if person is None:
            raise Forbidden(f"no person is known by the e-mail address {email}")
        own = set(person_store.identifiers_of(session, [person.id])[person.id])
        for candidate in user_store.all_users(session):
            linked = candidate.role == "member" and candidate.person_identifier in own
            if linked and candidate.subject is None:
                candidate.subject = subject
                session.flush()
                return _user(session, candidate)
        username = email.strip()[:128]
        if user_store.by_username(session, username) is not None:
            raise Forbidden(f"a dashboard user {username!r} exists and is linked elsewhere")
        row = user_store.add(
            session, username=username, password_hash="", role="member",
            now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        row.person_identifier, row.subject = identifier, subject
        session.flush()
        return _user(session, row)


def set_password(db: Database, *, username: str, password: str) -> None:
    _check_name(username)
    _check_password(password)
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
        if user is None or not user.password_hash:  # signs in through the provider only
            return None
        return user.password_hash, _user(session, user)

    return sign_in.attempt(
        db,
        limits,
        subject=sign_in.user_subject(username),
        address=address,
        secret=password,
        lookup=lookup,
    )


def _user(session: Session, row: DashboardUser) -> User:
    person = (
        person_store.by_identifier(session, row.person_identifier)
        if row.role == "member" and row.person_identifier
        else None
    )
    return User(
        id=row.id,
        username=row.username,
        role=row.role,
        teams=tuple(str(team) for team in row.teams or ()) if row.role == "manager" else (),
        person_identifier=row.person_identifier,
        person_key=person.key if person is not None else None,
        person_name=person.name if person is not None else None,
        subject=row.subject,
    )


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
        return None if row is None else _user(session, row)


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
        return None if user is None else _user(session, user)


def listing(db: Database) -> list[User]:
    with db.reading() as session:
        return [_user(session, u) for u in user_store.all_users(session)]


def sessions_by_user(db: Database) -> dict[int, int]:
    """user id -> how many live sessions it has."""
    with db.reading() as session:
        return user_store.live_sessions(session, dt.datetime.now(dt.UTC))
