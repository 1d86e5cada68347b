"""Who is calling: the credential behind a request and what it may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Scopes of xAPI-Communication 4.2 ("OAuth Scope"), used for Basic credentials as well.
SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "all/read",
    "all",
    "define",
    "state",
    "profile",
)


@dataclass(frozen=True)
class Principal:
    credential_id: int
    key: str
    name: str
    scopes: frozenset[str]
    authority: dict[str, Any]
    authority_key: str
    # The operator at the command line (``OPERATOR``), never a credential of a request.
    operator: bool = False

    def may(self, *scopes: str) -> bool:
        """True when the credential holds ``all`` or any of ``scopes``."""
        return "all" in self.scopes or any(scope in self.scopes for scope in scopes)

    @property
    def reads_only_own(self) -> bool:
        """``statements/read/mine`` alone: sees only statements it is the authority of."""
        return not self.may("statements/read", "all/read") and self.may("statements/read/mine")


OPERATOR = Principal(
    credential_id=0,
    key="",
    name="operator",
    scopes=frozenset({"all"}),
    authority={},
    authority_key="",
    operator=True,
)
"""Whoever runs ``lrs`` at the command line: they already hold the database, so every
scope check passes. Services take it explicitly where an HTTP view passes the
credential of its request."""
