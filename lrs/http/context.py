"""The one accessor for what the app factory wired, from code that runs in a request.

``create_app`` builds one :class:`AppContext` — the settings, the database and the state
that lives as long as the app (the key of forwarding secrets, the xAPI versions clients
spoke, the forwarding worker, the dashboards' script hashes) — and installs it on the
Flask app. Views, hooks and Dash callbacks reach it through :func:`current` (or its
shortcuts :func:`database` and :func:`settings`); nothing else looks into
``app.extensions`` or ``app.config``. Code that runs outside a request (the CLI,
services, workers) is handed these objects explicitly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from lrs.config import Settings
from lrs.services.forwarding import SecretBox
from lrs.store.engine import Database

EXTENSION = "lrs"


class SpokenVersions:
    """The xAPI version each client (Basic user name) negotiated last; bounded."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._versions: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, client: str, default: str) -> str:
        with self._lock:
            return self._versions.get(client, default)

    def remember(self, client: str, version: str) -> None:
        with self._lock:
            self._versions[client] = version
            self._versions.move_to_end(client)
            while len(self._versions) > self._capacity:
                self._versions.popitem(last=False)


class Answers:
    """The dashboards' answers (a callback's outputs) by what they were asked and the state
    of the data they were read from (``lrs.store.dialects.data_version``); bounded, the
    least recently used dropped first. An answer kept is never out of date: any write
    changes the state its key names, so it is then simply not asked for again."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The answer kept for ``key``, or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def __len__(self) -> int:
        return len(self._answers)

    def keep(self, key: Any, answer: Any) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)


@dataclass
class AppContext:
    """Everything one app was wired with; one per ``create_app`` call."""

    settings: Settings
    database: Database
    # Seals and opens forwarding passwords and secrets (LRS_FORWARDING_KEY).
    secret_box: SecretBox
    spoken_versions: SpokenVersions = field(default_factory=SpokenVersions)
    # The dashboards' answers kept (LRS_DASHBOARD_CACHE_ENTRIES; none by default here).
    answers: Answers = field(default_factory=lambda: Answers(0))
    # The Dash app when the dashboards are mounted, and the hashes of its inline
    # scripts for the Content-Security-Policy (computed on first use).
    dashboards: Any = None
    script_hashes: list[str] | None = None
    # Objects with a ``stop()`` that end with the app (the forwarding worker).
    workers: list[Any] = field(default_factory=list)


def install(app: Flask, context: AppContext) -> None:
    """Make ``context`` the one that ``current()`` returns inside ``app``'s requests."""
    app.extensions[EXTENSION] = context


def of(app: Flask) -> AppContext:
    """The context ``app`` was wired with (tests and the factory's own wiring)."""
    context: AppContext = app.extensions[EXTENSION]
    return context


def current() -> AppContext:
    """The context of the app handling the current request."""
    return of(current_app)


def database() -> Database:
    """The database of the current app."""
    return current().database


def settings() -> Settings:
    """The settings of the current app."""
    return current().settings
