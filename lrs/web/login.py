"""Login to the dashboards: a form with a CSRF token, Flask's signed session cookie, and a
guard that keeps every ``/dashboards/`` route (pages, Dash callbacks, assets, exports)
behind it. The cookie carries the token of a session kept in the database, so logging
out ends it on every worker (a copy of the cookie is worthless afterwards). Thin: the
password check, its backoff and the sessions live in ``lrs.services.users``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from urllib.parse import quote, urlsplit

from flask import Blueprint, Flask, g, redirect, request, session
from flask import render_template_string as render
from werkzeug.wrappers import Response

from lrs.auth import SESSION_KEY, client_address, sign_in_limits
from lrs.errors import TooManyRequests
from lrs.http import context
from lrs.http.context import database, settings
from lrs.http.errors import error_response
from lrs.services import users

PREFIX = "/dashboards/"
LOGIN_PATH = "/dashboards/login"
LOGOUT_PATH = "/dashboards/logout"
CSRF_KEY = "csrf_token"  # the session key; the dashboards' logout form reads it too

bp = Blueprint("login", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Learning dashboards</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;color:#212529}
form{background:#fff;padding:2rem 2.2rem;border-radius:.5rem;width:20rem;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:0 0 1.2rem}label{display:block;font-size:.9rem;margin:.8rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #ced4da;border-radius:.3rem;
font-size:1rem}button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:.3rem;
background:#0072B2;color:#fff;font-size:1rem;cursor:pointer}
.error{color:#b00020;font-size:.9rem;margin:.6rem 0 0}
.provider{display:block;margin-top:.8rem;text-align:center;padding:.55rem;border:1px solid #0072B2;
border-radius:.3rem;color:#0072B2;text-decoration:none}
</style></head><body>
<form method="post" action="{{ action }}">
<h1>Learning dashboards</h1>
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
<button id="sign-in" type="submit">Sign in</button>
{% if provider %}<a id="sign-in-oidc" class="provider" href="{{ provider_href }}">Sign in with
{{ provider }}</a>{% endif %}
</form></body></html>"""


def csrf_token() -> str:
    """This browser session's CSRF token (made on first use)."""
    token = session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return str(token)


def csrf_ok() -> bool:
    """True when the form's CSRF token is this browser session's (compared as UTF-8:
    ``hmac.compare_digest`` refuses text outside ASCII, and a form may send any)."""
    sent = request.form.get("csrf_token", "")
    expected = session.get(CSRF_KEY, "")
    return bool(sent and expected) and hmac.compare_digest(_utf8(sent), _utf8(expected))


def _utf8(text: object) -> bytes:
    return str(text).encode("utf-8", "surrogatepass")


def page(next_url: str, error: str | None) -> str:
    """The login page, with the "Sign in with" button when a provider is configured."""
    configured = settings()
    provider = href = None
    if configured.oidc_issuer:
        from lrs.web.oidc import OIDC_PATH, provider_name

        provider = provider_name(configured)
        href = f"{OIDC_PATH}?next={quote(next_url, safe='')}"
    return render(PAGE, action=LOGIN_PATH, csrf=csrf_token(), next=next_url, error=error,
                  provider=provider, provider_href=href)  # fmt: skip


MEMBER_HOME = PREFIX + "me"
"""A member lands on "My learning and sharing" rather than the overview."""


def start_session(user: users.User, next_url: str) -> Response:
    """Sign ``user`` in: a fresh session (no fixation) holding a new session token."""
    if user.role == "member" and next_url == PREFIX:
        next_url = MEMBER_HOME
    lifetime = dt.timedelta(hours=settings().session_hours)
    session.clear()
    session[SESSION_KEY] = users.start_session(database(), user, lifetime=lifetime)
    session[CSRF_KEY] = secrets.token_urlsafe(32)
    return redirect(next_url, code=303)


def safe_next(target: str | None) -> str:
    # Only paths inside the dashboards: never an open redirect to another site, nor a
    # control character (a line break cannot go into the Location header).
    if not target or any(character < " " or character == "\x7f" for character in target):
        return PREFIX
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unclosed IPv6 literal, "http://[::1"
        return PREFIX
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX):
        return PREFIX
    return target


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _wants_json() -> bool:
    """The client asks for JSON rather than a page (``Accept: application/json``); a
    browser, which accepts text/html or */*, gets the form again."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _refused(
    next_url: str, status: int, code: str, message: str, path: str = ""
) -> Response | tuple[str, int]:
    """The sign-in refused: the form with ``message`` for a browser, the one error shape
    for a client that asks for JSON."""
    if not _wants_json():
        return page(next_url, message), status
    response = error_response(status, code, message, path)
    response.headers.pop("WWW-Authenticate", None)  # no browser Basic-auth prompt
    return response


@bp.route(LOGIN_PATH, methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    next_url = safe_next(request.values.get("next"))
    if request.method in ("GET", "HEAD"):
        return page(next_url, None)
    if request.mimetype not in FORM_TYPES:
        return _refused(
            next_url, 400, "bad_request",
            f"Send the sign-in form as {' or '.join(FORM_TYPES)}, not "
            f"{request.mimetype or 'a body without a Content-Type'}.", "Content-Type",
        )  # fmt: skip
    if not csrf_ok():
        return _refused(
            next_url, 400, "bad_request",
            "The form expired or its CSRF token is wrong; please sign in again.", "csrf_token",
        )  # fmt: skip
    missing = [name for name in ("username", "password") if name not in request.form]
    if missing:
        return _refused(
            next_url, 400, "bad_request",
            f"The form has no {' and no '.join(missing)}.", missing[0]
        )  # fmt: skip
    try:
        user = users.authenticate(
            database(),
            request.form["username"],
            request.form["password"],
            address=client_address(),
            limits=sign_in_limits(),
        )
    except TooManyRequests as backoff:
        if _wants_json():
            raise  # the one error shape, with Retry-After
        wait = Response(page(next_url, backoff.message), status=429, mimetype="text/html")
        wait.headers["Retry-After"] = str(backoff.retry_after)
        return wait
    if user is None:
        return _refused(next_url, 401, "unauthorized", "Unknown username or wrong password.")
    return start_session(user, next_url)


@bp.route(LOGOUT_PATH, methods=["POST"])
def logout() -> Response:
    if not csrf_ok():
        return error_response(400, "bad_request", "missing or wrong CSRF token")
    token = session.get(SESSION_KEY)
    if token:
        users.end_session(database(), str(token))
    session.clear()
    return redirect(LOGIN_PATH, code=303)


def _guard() -> Response | None:
    path = request.path
    if not (path.startswith(PREFIX) or path == PREFIX.rstrip("/")):
        return None
    if path in (LOGIN_PATH, LOGOUT_PATH) or path.startswith(LOGIN_PATH + "/oidc"):
        return None
    token = session.get(SESSION_KEY)
    user = users.user_of_session(database(), str(token)) if token else None
    if user is not None:
        g.dashboard_user = user
        return None
    session.pop(SESSION_KEY, None)
    reads_a_page = request.method in ("GET", "HEAD") and "/_dash-" not in path
    if not reads_a_page or path.startswith(PREFIX + "export"):
        response = error_response(401, "unauthorized", "sign in at /dashboards/login first")
        response.headers.pop("WWW-Authenticate", None)  # no browser Basic-auth prompt
        return response
    target = request.full_path if request.query_string else path
    return redirect(f"{LOGIN_PATH}?next={quote(target, safe='')}", code=303)


def init_login(app: Flask) -> None:
    """Register the login routes (and the identity provider's, when one is configured)
    and the guard in front of every dashboards route."""
    app.register_blueprint(bp)
    configured = context.of(app).settings
    if configured.oidc_issuer:
        from lrs.web.oidc import init_oidc

        init_oidc(app, configured)
    app.before_request(_guard)
