"""Who reads: the scope of the signed-in dashboards user, for every view that reads the
read side (dashboard pages, their callbacks and downloads, and the JSON views under
``/api/`` reached with the dashboards' session cookie).

``lrs.web.login`` puts the user of a live session in ``g.dashboard_user``; ``scope_of``
turns its role into the read side's ``Scope``, and ``reader_scope`` answers the scope
of the current request. ``lrs.auth`` signs in the same user on the ``/api/`` views
marked ``session_readable``; a Basic-auth credential keeps reading everything. Without
a signed-in user the scope is nothing: a view that forgets to sign its reader in shows
nothing rather than everything.
"""

from __future__ import annotations

from flask import g, has_request_context

from lrs.insight.filters import Filters
from lrs.insight.scope import Scope
from lrs.services.users import User


def scope_of(user: User) -> Scope:
    """admin: everything; manager: their teams; member: their person (nothing when the
    person is no longer known); any other role: nothing."""
    if user.role == "admin":
        return Scope.everything()
    if user.role == "manager":
        return Scope.of_teams(user.teams)
    if user.role == "member" and user.person_key is not None:
        return Scope.of_person(user.person_key)
    return Scope.nothing()


def signed_in_user() -> User | None:
    """The dashboards user of this request, if one is signed in."""
    if not has_request_context():
        return None
    user = g.get("dashboard_user")
    return user if isinstance(user, User) else None


def reader_scope() -> Scope:
    """The scope of this request's reader (nothing without one)."""
    user = signed_in_user()
    return scope_of(user) if user is not None else Scope.nothing()


def api_scoped(filters: Filters) -> Filters:
    """``filters`` for an ``/api/`` view: a Basic-auth credential reads everything (what
    its scopes allow); a dashboards session cookie reads within its user's role."""
    if signed_in_user() is not None:
        return scoped(filters)
    if has_request_context() and g.get("principal") is not None:
        return filters
    return filters.within(Scope.nothing())


def scoped(filters: Filters) -> Filters:
    """``filters`` narrowed to what this request's reader may see; a member's person is
    the person filter too, so that the pages of one person open on their own."""
    narrowed = filters.within(reader_scope())
    person = narrowed.scope.person
    if person is not None and narrowed.person is None:
        narrowed = narrowed.replace(person=person)
    return narrowed
