"""What every importer shares: the items it yields, its errors, derived ids and identities.

An importer reads the bytes of one source (a feed, a wiki export, a CSV file) and yields
:class:`Item` objects in source order: a statement to store, or a rejection naming the line
or element it came from, each with the *position* after it so that a later run can resume
there. Statement ids are UUID v5 of the source item, so importing the same source twice
produces the same statements.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeAlias

from statements.enrich import format_timestamp

__all__ = [
    "EXTENSION",
    "NAMESPACE",
    "Identities",
    "Item",
    "ReadOptions",
    "Source",
    "SourceError",
    "SourceInput",
    "derived_id",
    "language_map",
    "read_bytes",
    "timestamp",
]

# Fixed namespace of every statement id and registration the importers derive.
NAMESPACE = uuid.UUID("6f1c3b52-8d0e-5a57-9b3c-2f7d8e4a1c90")

# Result and context extensions minted for data no registry vocabulary covers. One
# namespace, so that publishing it as a profile later is a one-line change.
EXTENSION = "urn:x-lrs:extension:"

SourceInput: TypeAlias = "bytes | str | os.PathLike[str] | BinaryIO"


class SourceError(ValueError):
    """A source cannot be read any further (broken XML, missing columns, bad encoding).

    ``where`` names the line or element, e.g. ``line 7, column 3`` or ``header``.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Item:
    """One result of reading a source: a statement, or the reason a record was rejected."""

    where: str
    position: str
    statement: dict[str, Any] | None = None
    problem: str | None = None


class Identities:
    """Source identities mapped to canonical agents (and optionally their team).

    Keys are ``(source base URL or "", user)``; a user is a login, display name or email
    as the source spells it. Lookups try the source's own key first, then any source,
    each exactly and then case-insensitively. Unmapped users get the default identity
    ``account {homePage: source base URL, name: user}``.
    """

    def __init__(
        self,
        agents: Mapping[tuple[str, str], dict[str, Any]] | None = None,
        teams: Mapping[tuple[str, str], dict[str, Any]] | None = None,
    ) -> None:
        self.agents = dict(agents or {})
        self.teams = dict(teams or {})
        self._folded = {
            name: {(scope, user.casefold()): value for (scope, user), value in table.items()}
            for name, table in (("agents", self.agents), ("teams", self.teams))
        }

    def __len__(self) -> int:
        return len(self.agents)

    def _find(self, table: str, base: str, users: list[str]) -> Any:
        exact = self.agents if table == "agents" else self.teams
        folded = self._folded[table]
        if not exact:
            return None
        for user in users:
            for scope in (base.rstrip("/"), ""):
                if (scope, user) in exact:
                    return exact[(scope, user)]
                if (scope, user.casefold()) in folded:
                    return folded[(scope, user.casefold())]
        return None

    def agent(
        self, base: str, user: str, *, name: str | None = None, email: str | None = None
    ) -> dict[str, Any]:
        """The canonical agent for ``user`` of the source at ``base``."""
        users = [u for u in (user, email, name) if u]
        mapped = self._find("agents", base, users)
        if mapped is not None:
            return dict(mapped)
        agent: dict[str, Any] = {"objectType": "Agent"}
        if name or user:
            agent["name"] = name or user
        agent["account"] = {"homePage": base, "name": user}
        return agent

    def team(
        self, base: str, user: str, *, name: str | None = None, email: str | None = None
    ) -> dict[str, Any] | None:
        """The team Group of ``user``, when the mapping names one."""
        team = self._find("teams", base, [u for u in (user, email, name) if u])
        return dict(team) if team is not None else None

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]], *, team_home: str = "") -> Identities:
        """Build from rows ``{source?, user, name?, mbox|mbox_sha1sum|openid|account, team?}``."""
        agents: dict[tuple[str, str], dict[str, Any]] = {}
        teams: dict[tuple[str, str], dict[str, Any]] = {}
        for number, row in enumerate(rows, start=1):
            user = str(row.get("user") or "").strip()
            if not user:
                raise SourceError(f"mapping entry {number}", "has no `user`")
            agent: dict[str, Any] = {"objectType": "Agent"}
            if row.get("name"):
                agent["name"] = str(row["name"])
            for ifi in ("mbox", "mbox_sha1sum", "openid"):
                if row.get(ifi):
                    value = str(row[ifi])
                    if ifi == "mbox" and not value.startswith("mailto:"):
                        value = "mailto:" + value
                    agent[ifi] = value
            if row.get("account_homepage") and row.get("account_name"):
                agent["account"] = {
                    "homePage": str(row["account_homepage"]),
                    "name": str(row["account_name"]),
                }
            elif isinstance(row.get("account"), Mapping):
                agent["account"] = dict(row["account"])
            if len(set(agent) & {"mbox", "mbox_sha1sum", "openid", "account"}) != 1:
                raise SourceError(
                    f"mapping entry {number}",
                    f"user {user!r} needs exactly one of mbox, mbox_sha1sum, openid, account",
                )
            key = (str(row.get("source") or "").strip().rstrip("/"), user)
            agents[key] = agent
            if row.get("team"):
                teams[key] = team_group(str(row["team"]), team_home or "urn:x-lrs:teams")
        return cls(agents, teams)

    @classmethod
    def load(cls, data: bytes, filename: str) -> Identities:
        """Read a mapping file: JSON (a list of rows) or CSV (a header row, then rows)."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SourceError(filename, f"the mapping file is not UTF-8 ({error.reason})") from None
        if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
            try:
                rows = json.loads(text)
            except json.JSONDecodeError as error:
                raise SourceError(
                    f"{filename} line {error.lineno}", f"not valid JSON: {error.msg}"
                ) from None
            if isinstance(rows, dict):
                rows = rows.get("mappings")
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise SourceError(filename, "a JSON mapping is a list of objects with `user`")
            return cls.from_rows(rows)
        reader = csv.DictReader(io.StringIO(text))
        if "user" not in (reader.fieldnames or []):
            raise SourceError(f"{filename} line 1", "a CSV mapping needs a `user` column")
        return cls.from_rows([dict(row) for row in reader])


def team_group(name: str, home: str) -> dict[str, Any]:
    """An identified team Group: valid in 1.0.3 and 2.0 without listing members."""
    return {"objectType": "Group", "name": name, "account": {"homePage": home, "name": name}}


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source: identities, base URL, encoding, and where to resume."""

    identities: Identities = field(default_factory=lambda: Identities())
    base_url: str | None = None
    encoding: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Source:
    """A kind of source: its name, what it reads, and the reader."""

    name: str
    description: str
    read: Callable[[bytes, ReadOptions], Iterator[Item]]

    def items(self, data: SourceInput, options: ReadOptions | None = None) -> Iterator[Item]:
        """Items of ``data`` (bytes, a path or a binary file) in source order."""
        return self.read(read_bytes(data), options or ReadOptions())


def read_bytes(data: SourceInput) -> bytes:
    """The bytes of a source given as bytes, a path or a binary file-like object."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as handle:
            return handle.read()
    return data.read()


def derived_id(*parts: str) -> str:
    """A UUID v5 (fixed namespace) of the parts that identify a source item."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def timestamp(moment: dt.datetime) -> str:
    """UTC ISO 8601 with milliseconds; a naive moment is taken to be UTC."""
    return format_timestamp(moment)


def language_map(text: str, language: str | None = None) -> dict[str, str]:
    """A one-entry language map; the source's language, else ``en``."""
    tag = (language or "en").strip() or "en"
    return {tag: text}
