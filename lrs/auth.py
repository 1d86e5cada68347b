"""HTTP Basic authentication of xAPI clients against hashed credentials."""

from __future__ import annotations

from flask import g, request

from lrs.errors import Unauthorized
from lrs.http.context import database
from lrs.services import credentials
from lrs.services.principal import Principal


def authenticate() -> Principal:
    """The principal of the current request's Basic credentials; 401 when absent or wrong."""
    authorization = request.authorization
    if authorization is None or authorization.type != "basic":
        raise Unauthorized("this resource needs HTTP Basic credentials")
    principal = credentials.authenticate(
        database(), authorization.username or "", authorization.password or ""
    )
    if principal is None:
        raise Unauthorized("the credentials are not valid")
    return principal


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal
