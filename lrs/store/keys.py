"""How the statement index rows name agents, activities and roles: by numbers.

An agent's key or an activity's IRI is kept in ``statement_agent`` and
``statement_activity`` (a row for each statement that names it, and in each index entry)
as ``key_number``: its 8-byte BLAKE2b digest read as a signed 64-bit integer (BIGINT),
computed here, the same in every process and version, so that ingest needs neither a
read nor a round trip of its own to learn it. The text itself is kept once, in the
``index_key`` table, whose number is its primary key: two different texts with the same
number cannot both be written there (ingest refuses the second with ``KeyCollision``
rather than merge them), and a filter checks that its text owns the number, so no filter
can match another agent's or activity's rows. Such a pair does not happen by chance (about
one in 10^7 for a store of ten million distinct keys) but can be searched for on purpose
(about 2^32 tries): the one who does only keeps their own second text out.

A role is a small integer of ``ROLE_CODES``, one table for agents and activities.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, MutableMapping

from lrs.errors import Conflict

# Never renumber: the codes are stored. A role inside a SubStatement is its code + 64.
_OWN_ROLES: Mapping[str, int] = {
    "actor": 1,
    "object": 2,
    "member": 3,
    "authority": 4,
    "instructor": 5,
    "team": 6,
    "context_agent": 7,
    "context_group": 8,
    "parent": 9,
    "grouping": 10,
    "category": 11,
    "other": 12,
}
SUBSTATEMENT = 64
ROLE_CODES: Mapping[str, int] = {
    **_OWN_ROLES,
    **{f"sub_{role}": SUBSTATEMENT + code for role, code in _OWN_ROLES.items()},
}
ROLES: Mapping[int, str] = {code: role for role, code in ROLE_CODES.items()}


def key_number(text: str) -> int:
    """The number an agent key or activity IRI is stored under in the index rows."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class KeyCollision(Conflict):
    """Two different agent keys or activity IRIs with one number: the second is refused."""

    code = "key_collision"

    def __init__(self) -> None:
        super().__init__(
            "an agent or activity of this request has the same index number as another "
            "one (a 64-bit hash of its identifier); it cannot be stored"
        )


def add_keys(keys: MutableMapping[int, str], more: Mapping[int, str]) -> None:
    """Add ``more``'s texts by number to ``keys``; two texts under one number are refused."""
    for number, text in more.items():
        if keys.setdefault(number, text) != text:
            raise KeyCollision


def role_codes(roles: Iterable[str]) -> tuple[int, ...]:
    return tuple(ROLE_CODES[role] for role in roles)
