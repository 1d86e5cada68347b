"""Sign-in to the dashboards with an OpenID Connect provider (``LRS_OIDC_ISSUER``).

Authlib's Flask client runs the authorization code flow with PKCE (S256): the state,
the nonce and the code verifier are kept in the signed session cookie, the callback
checks the state, trades the code (with the verifier) for tokens and checks the ID
token's signature, issuer, audience and nonce (the e-mail comes from the ID token, or
from the UserInfo endpoint for the same subject). The provider's verified e-mail names a
person (an ``mbox`` identifier of theirs); ``lrs.services.users.sign_in_external``
finds or creates the member user, and the session starts as after a password login.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, Flask, current_app, request, session, url_for
from werkzeug.wrappers import Response

from lrs.config import Settings
from lrs.errors import LRSError
from lrs.http.context import database
from lrs.services import users
from lrs.web import login

OIDC_PATH = "/dashboards/login/oidc"
CALLBACK_PATH = "/dashboards/login/oidc/callback"
NEXT_KEY = "oidc_next"

bp = Blueprint("oidc", __name__)


def _client() -> Any:
    return current_app.extensions["lrs_oidc"].create_client("oidc")


@bp.get(OIDC_PATH)
def start() -> Response:
    session[NEXT_KEY] = login.safe_next(request.args.get("next"))
    redirect_uri = url_for("oidc.callback", _external=True)
    response: Response = _client().authorize_redirect(redirect_uri)
    return response


@bp.get(CALLBACK_PATH)
def callback() -> Response | tuple[str, int]:
    next_url = login.safe_next(session.pop(NEXT_KEY, None))
    try:
        client = _client()
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})  # the ID token's, checked
        if "email" not in claims:
            # Providers may keep the e-mail out of the ID token: the UserInfo endpoint's
            # answer counts only for the same subject (OpenID Connect Core 5.3.2).
            extra = client.userinfo(token=token)
            if extra.get("sub") == claims.get("sub"):
                claims.update(email=extra.get("email"), email_verified=extra.get("email_verified"))
        issuer = str(claims.get("iss", ""))
        user = users.sign_in_external(
            database(),
            subject=f"{issuer} {claims.get('sub', '')}",
            email=claims.get("email"),
            verified=claims.get("email_verified") is True,
        )
    except AuthlibBaseError as error:
        return login.page(next_url, f"The sign-in did not complete ({error.error})."), 400
    except LRSError as error:
        return login.page(next_url, error.message), error.status
    return login.start_session(user, next_url)


def provider_name(settings: Settings) -> str:
    """What the login page's button names: the issuer's host."""
    return urlsplit(settings.oidc_issuer).hostname or settings.oidc_issuer


def init_oidc(app: Flask, settings: Settings) -> None:
    """Register the provider (its metadata is read on first use) and the two routes."""
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256"},
    )
    app.extensions["lrs_oidc"] = oauth
    app.register_blueprint(bp)
