"""Authentication of /xapi/ and /api/ requests, in one place.

``require_basic_auth(blueprint, public=...)`` is the one hook: every request to the
blueprint, except CORS preflights and the ``public`` endpoints, must carry HTTP Basic
credentials of an active credential, or it ends here with 401 (or 429 while its key or
client address backs off after failed attempts, see ``lrs.services.sign_in``). The
principal it finds is ``current_principal()`` for the views. The /xapi/ blueprint
registers the hook after its version negotiation, so that a request without a usable
``X-Experience-API-Version`` gets its 400 first.

The dashboards sign in with a form and a server-side session instead (``lrs.web.login``);
both count failures through the same ``sign_in_limits()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, g, request

from lrs.errors import Unauthorized
from lrs.http.context import database, settings
from lrs.services import credentials
from lrs.services.principal import Principal
from lrs.services.sign_in import Limits


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
        g.principal = authenticate()


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal
