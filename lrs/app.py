"""The app factory: the one place where the LRS is wired together."""

from __future__ import annotations

import logging
import os

from flask import Flask

from lrs.api import bp as api_blueprint
from lrs.config import Settings
from lrs.http import context, params
from lrs.http.errors import register_error_handlers
from lrs.http.request import init_request
from lrs.http.request_checks import init_request_checks
from lrs.security import init_security
from lrs.services import classification, forwarding, sources
from lrs.store.engine import Database
from lrs.xapi import bp as xapi_blueprint
from lrs.xapi.cors import init_cors


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app for ``settings`` (read from the environment when omitted)."""
    settings = (settings or Settings.from_env(os.environ)).with_secret_key()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logging.basicConfig(level=settings.log_level.upper())
    database = Database.from_settings(settings)
    database.rules = classification.load_rules(settings.classification_rules)
    wired = context.AppContext(
        settings=settings,
        database=database,
        secret_box=forwarding.SecretBox(settings.forwarding_key),
        answers=context.Answers(settings.dashboard_cache_entries),
    )
    context.install(app, wired)
    register_error_handlers(app)
    app.url_map.converters["int"] = params.RowId
    app.register_blueprint(xapi_blueprint)
    app.register_blueprint(api_blueprint)
    if settings.forwarding_worker:
        worker = forwarding.Worker(
            database,
            wired.secret_box,
            poll_seconds=settings.forwarding_poll_seconds,
            timeout=settings.forwarding_timeout_seconds,
            max_attempts=settings.forwarding_max_attempts,
        )
        wired.workers.append(worker.start())
    if settings.sources_worker:
        pulling = sources.Worker(
            database,
            wired.secret_box,
            poll_seconds=settings.sources_poll_seconds,
            timeout=settings.sources_timeout_seconds,
            home_page=settings.public_url or "http://localhost",
        )
        wired.workers.append(pulling.start())
    init_cors(app, settings)
    if settings.dashboards:
        from dashboards import init_dashboards
        from lrs.web.login import init_login
        from lrs.web.user_admin import init_user_admin

        # Dash first: its first-request wiring (page router, clientside scripts) then
        # runs on every first request, signed in or not; the login guard follows it.
        init_dashboards(app)
        init_login(app)
        init_user_admin(app)
    init_request(app, settings.max_body_bytes)
    init_security(app)
    init_request_checks(app, settings.max_url_bytes)
    return app
