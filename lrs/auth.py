"""Authentication of /xapi/ and /api/ requests, in one place.

``require_basic_auth(blueprint, public=...)`` is the one hook: every request to the
blueprint, except CORS preflights and the ``public`` endpoints, must carry HTTP Basic
credentials of an active credential, or it ends here with 401 (or 429 while its key or
client address backs off after failed attempts, see ``lrs.services.sign_in``). The
principal it finds is ``current_principal()`` for the views. The /xapi/ blueprint
registers the hook after its version negotiation, so that a request without a usable
``X-Experience-API-Version`` gets its 400 first.

The dashboards sign in with a form and a server-side session instead (``lrs.web.login``);
both count failures through the same ``sign_in_limits()``. A view marked
``session_readable`` (the JSON of the dashboards' numbers and views) also answers a
request without Basic credentials that carries a live dashboards session cookie: its
reader is then that user, with the scope of the user's role (``lrs.http.access``), and
only ``GET`` reads are open that way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import Blueprint, current_app, g, request, session

from lrs.errors import Unauthorized
from lrs.http.context import database, settings
from lrs.services import credentials, users
from lrs.services.principal import Principal
from lrs.services.sign_in import Limits

SESSION_KEY = "dashboard_session"
"""The key of the dashboards session's token in Flask's signed session cookie."""

View = TypeVar("View", bound=Callable[..., object])


def session_readable(view: View) -> View:
    """Mark an ``/api/`` view as readable with the dashboards' session cookie too."""
    view.session_readable = True  # type: ignore[attr-defined]
    return view


def dashboard_user() -> users.User | None:
    """The user of the dashboards session this request's cookie carries, if it is live."""
    token = session.get(SESSION_KEY)
    return users.user_of_session(database(), str(token)) if token else None


def _session_principal() -> Principal | None:
    """A read-only principal for a signed-in dashboards user on a session-readable view."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD") or not getattr(view, "session_readable", False):
        return None
    user = dashboard_user()
    if user is None:
        return None
    g.dashboard_user = user
    return Principal(0, "", f"dashboard user {user.username}", frozenset({"all/read"}), {}, "")


def sign_in_limits() -> Limits:
    """The backoff of failed sign-ins, as configured for this app."""
    configured = settings()
    return Limits(
        per_subject=configured.sign_in_failures_per_name,
        per_address=configured.sign_in_failures_per_address,
        max_block_seconds=configured.sign_in_max_backoff_seconds,
    )


def client_address() -> str:
    """The address the request came from (the TCP peer; a proxy must not rewrite it)."""
    return request.remote_addr or "unknown"


def authenticate() -> Principal:
    """The principal of the current request's Basic credentials; 401 when absent or wrong."""
    authorization = request.authorization
    if authorization is None or authorization.type != "basic":
        raise Unauthorized("this resource needs HTTP Basic credentials")
    principal = credentials.authenticate(
        database(),
        authorization.username or "",
        authorization.password or "",
        address=client_address(),
        limits=sign_in_limits(),
    )
    if principal is None:
        raise Unauthorized("the credentials are not valid")
    return principal


def require_basic_auth(blueprint: Blueprint, *, public: Iterable[str] = ()) -> None:
    """Authenticate every request to ``blueprint`` but preflights and ``public`` endpoints."""
    open_endpoints = frozenset(public)

    @blueprint.before_request
    def _authenticate_request() -> None:
        if request.method == "OPTIONS" or request.endpoint in open_endpoints:
            return
        if request.authorization is None:
            principal = _session_principal()
            if principal is not None:
                g.principal = principal
                return
        g.principal = authenticate()


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal
