"""Settings of the LRS: every ``LRS_*`` environment variable with its type, default and help.

This module is the only reader of ``os.environ``; everything else receives a ``Settings``
object from the app factory or the CLI.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def _setting(default: Any, help_text: str, *, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"help": help_text, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Typed configuration. Field ``foo_bar`` is read from ``LRS_FOO_BAR``."""

    database_url: str = _setting(
        "sqlite:///lrs.db",
        "SQLAlchemy URL of the store: a SQLite file (default) or "
        "postgresql+psycopg://user@host/db.",
    )
    read_database_url: str = _setting(
        "",
        "PostgreSQL read replicas of LRS_DATABASE_URL, comma separated: statement queries, "
        "exports, aggregates and the dashboards read from them in turn; writes, documents "
        "and single-statement reads stay on the primary. Empty: everything on the primary.",
        secret=True,
    )
    read_max_lag_seconds: int = _setting(
        30,
        "A replica whose last replayed commit is older than the primary's clock by more "
        "than this many seconds is skipped (the read goes to another replica or the primary).",
    )
    read_retry_seconds: int = _setting(
        5, "A replica that could not be reached is tried again after this many seconds."
    )
    postgres_work_mem_mb: int = _setting(
        64,
        "Memory in MB that one sort or hash of a PostgreSQL query may use before it spills "
        "to disk (work_mem of the LRS's own connections): the dashboards group hundreds of "
        "thousands of rows, four times PostgreSQL's 4 MB default. 0 keeps the server's.",
    )
    dashboard_cache_entries: int = _setting(
        128,
        "Dashboard chart answers each server process keeps, by the filters, the reader's "
        "scope and the state of the data they were read from: opening a page again "
        "before anything is written costs no query. 0 turns the cache off.",
    )
    secret_key: str = _setting(
        "",
        "Key that signs dashboard session cookies; a random one is made per process when "
        "empty (set it when running several workers).",
        secret=True,
    )
    api_key: str = _setting(
        "",
        "With LRS_API_SECRET: `lrs serve` makes sure an xAPI credential with this key and "
        "scope `all` exists (for automation).",
    )
    api_secret: str = _setting("", "Secret of the LRS_API_KEY credential.", secret=True)
    max_body_bytes: int = _setting(
        20 * 1024 * 1024, "Largest request body accepted, in bytes; larger gets 413."
    )
    max_batch_size: int = _setting(10_000, "Most statements accepted in one POST; more gets 413.")
    max_multipart_parts: int = _setting(
        1_000,
        "Most parts of a multipart/mixed statements body (the statements and one per "
        "attachment); more gets 413 before any part is read.",
    )
    max_url_bytes: int = _setting(
        16 * 1024, "Longest request URL (path and query) accepted, in bytes; longer gets 414."
    )
    max_json_depth: int = _setting(
        64, "Deepest nesting of arrays and objects accepted in a JSON body; deeper gets 400."
    )
    default_page_size: int = _setting(
        100, "Statements per page of a GET /statements result when `limit` is 0 or absent."
    )
    max_page_size: int = _setting(1000, "Largest `limit` honoured by GET /statements.")
    cors_origins: str = _setting(
        "*",
        "Origins allowed by CORS on /xapi/, comma separated, or * for any. Listed origins "
        "may send credentials (cookies, withCredentials); * answers any origin without them.",
    )
    profile_put_needs_precondition: bool = _setting(
        False,
        "Refuse (400) an Activity or Agent Profile PUT with neither If-Match nor "
        "If-None-Match when the document does not exist yet, as the ADL 1.0.3 test suite "
        "expects; by default it is created (xAPI Communication 3.1 asks for 409 only when "
        "the document exists).",
    )
    dashboards: bool = _setting(True, "Mount the Dash dashboards at /dashboards/.")
    public_url: str = _setting(
        "",
        "Public base URL of the server, used as homePage of credential authorities; "
        "defaults to http://HOST:PORT of `lrs serve`.",
    )
    session_cookie_secure: bool = _setting(
        False,
        "Mark the dashboards session cookie Secure (sent over HTTPS only): set it when the "
        "server is reached through TLS.",
    )
    oidc_issuer: str = _setting(
        "",
        "OpenID Connect issuer URL (its /.well-known/openid-configuration is read): the "
        'login page offers "Sign in with" it. Empty: local passwords only.',
    )
    oidc_client_id: str = _setting("", "The client id registered at LRS_OIDC_ISSUER.")
    oidc_client_secret: str = _setting(
        "", "The client secret registered at LRS_OIDC_ISSUER.", secret=True
    )
    session_hours: int = _setting(
        12, "A dashboards session ends this many hours after sign-in, on every worker."
    )
    sign_in_failures_per_name: int = _setting(
        5,
        "Failed sign-ins allowed per credential key or dashboard user before it backs off "
        "(refused with 429 for 1, 2, 4 ... seconds).",
    )
    sign_in_failures_per_address: int = _setting(
        20, "Failed sign-ins allowed per client address before it backs off likewise."
    )
    sign_in_max_backoff_seconds: int = _setting(
        900, "Longest a key, user or address is refused after failed sign-ins, in seconds."
    )
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")

    forwarding_worker: bool = _setting(
        True,
        "Run the statement forwarding worker thread in each server process; false when "
        "delivery is driven otherwise (tests, `lrs forwarding deliver`).",
    )
    forwarding_poll_seconds: int = _setting(
        2, "How often the forwarding worker looks for due deliveries, in seconds."
    )
    forwarding_timeout_seconds: int = _setting(
        10, "Timeout of one forwarding HTTP request, in seconds."
    )
    forwarding_max_attempts: int = _setting(
        8, "Attempts (with exponential backoff from 2 s) before a delivery is failed."
    )
    forwarding_key: str = _setting(
        "",
        "Fernet keys that encrypt forwarding passwords, webhook secrets and source "
        "passwords at rest, comma separated, newest first (the first encrypts, all "
        "decrypt); needed to add rules or sources with credentials. Make one with "
        "`lrs forwarding generate-key`; after putting a new key first, run "
        "`lrs forwarding rotate-key`.",
        secret=True,
    )
    classification_rules: str = _setting(
        "",
        "TOML file of classification rules applied at ingest: [[rule]] verb/type/platform/"
        "prefix -> formal, informal or ignore, and [[course]] id/prefix (-> course). "
        "`lrs rules preview` / `lrs rules apply` re-apply it to stored statements; see "
        "docs/vocabularies.md.",
    )
    sources_worker: bool = _setting(
        True,
        "Run the worker thread that pulls scheduled sources (blogs, wikis, other LRSs, "
        "course CSVs) in each server process; false when `lrs sources run` drives them.",
    )
    sources_poll_seconds: int = _setting(
        15, "How often the sources worker looks for sources that are due, in seconds."
    )
    sources_timeout_seconds: int = _setting(
        30, "Timeout of one HTTP request to a pulled source, in seconds."
    )
    persons_auto_merge_domains: str = _setting(
        "",
        "E-mail domains whose addresses the organisation verifies, comma separated: "
        "`lrs persons auto-merge` merges persons with the same address (ignoring case, or "
        "an mbox_sha1sum of it) in these domains without asking; empty: nothing is "
        "merged without an admin's confirmation.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``LRS_*`` variables; unknown variables are ignored."""
        values: dict[str, Any] = {}
        for setting in dataclasses.fields(cls):
            raw = environ.get(f"LRS_{setting.name.upper()}")
            if raw is None:
                continue
            values[setting.name] = _parse(raw, type(setting.default), setting.name)
        return cls(**values)

    @property
    def read_database_urls(self) -> list[str]:
        """The URLs of LRS_READ_DATABASE_URL, in order."""
        return [url.strip() for url in self.read_database_url.split(",") if url.strip()]

    def with_secret_key(self) -> Settings:
        """Return these settings with a secret key, made up if none was configured."""
        if self.secret_key:
            return self
        return dataclasses.replace(self, secret_key=secrets.token_urlsafe(32))

    @classmethod
    def documentation(cls) -> list[tuple[str, str, str]]:
        """(variable, default, help) for every setting, for the README and `lrs --help`."""
        return [
            (
                f"LRS_{s.name.upper()}",
                "(random)" if s.name == "secret_key" else repr(s.default),
                s.metadata["help"],
            )
            for s in dataclasses.fields(cls)
        ]


def _parse(raw: str, kind: type, name: str) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"LRS_{name.upper()} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"LRS_{name.upper()} must be a whole number, not {raw!r}") from None
    return raw
