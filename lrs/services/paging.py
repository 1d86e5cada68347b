"""The `more` paging tokens of GET /statements: signed, bound to a credential, checked.

A token carries the query of the first page and where the previous page ended
(xAPI-Communication 2.1.3 "more"). It is signed with HMAC (``itsdangerous``) under a
random key made once per store and kept in the database (``server_secret``), because
the database is what every worker and machine of one LRS shares; ``LRS_SECRET_KEY`` is
not used, since it is random per process unless configured. Whoever can read that key
can read every statement anyway, and a token grants nothing on its own: when one is
read back, its signature, the credential it was issued to and every field are checked
again — types, ranges, no voided statements, ``limit`` at most ``LRS_MAX_PAGE_SIZE`` —
and the caller's scopes are applied again by the query (``statements/read/mine`` still
sees only its own statements). Anything else is a 400 naming ``more``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import weakref
from dataclasses import dataclass
from typing import Any, Literal, cast

from itsdangerous import BadData, URLSafeSerializer
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lrs.errors import BadRequest
from lrs.services.principal import Principal
from lrs.store import secrets as secret_store
from lrs.store.engine import Database
from lrs.store.statements import StatementQuery

Format = Literal["exact", "ids", "canonical"]
FORMATS = ("exact", "ids", "canonical")
SECRET_NAME = "statements.more"
# Tokens are short URLs; anything much longer was not issued here (a filter's IRIs and
# agent key fit many times over).
MAX_TOKEN_LENGTH = 16_384
TOKEN_VERSION = 1

# The signing key per database, read once per process (a worker serves one database).
_keys: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Cursor:
    """What a `more` link carries: the query and where the previous page ended."""

    query: StatementQuery
    fmt: Format
    with_attachments: bool


class _Strict(Schema):
    class Meta:
        unknown = RAISE


# Seqs and limits are 64-bit integers on both databases.
MAX_INTEGER = 2**63 - 1


def _no_nul(value: str) -> None:
    # PostgreSQL text cannot hold NUL: such a filter was never issued here.
    if "\x00" in value:
        raise ValidationError("NUL character")


def _text() -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=MAX_TOKEN_LENGTH), _no_nul])


def _seq() -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_INTEGER))


class _QuerySchema(_Strict):
    # The fields GET /statements sets; `include_voided` is an export's and is refused.
    agent_key = _text()
    verb_id = _text()
    activity_id = _text()
    registration = fields.UUID()
    related_activities = fields.Boolean(truthy={True}, falsy={False})
    related_agents = fields.Boolean(truthy={True}, falsy={False})
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    authority_key = _text()
    ascending = fields.Boolean(truthy={True}, falsy={False})
    limit = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_INTEGER)
    )
    after_seq = _seq()
    max_seq = _seq()


class _TokenSchema(_Strict):
    v = fields.Integer(strict=True, required=True, validate=validate.Equal(TOKEN_VERSION))
    c = fields.Integer(strict=True, required=True)
    q = fields.Nested(_QuerySchema, required=True)
    f = fields.String(required=True, validate=validate.OneOf(FORMATS))
    a = fields.Boolean(required=True, truthy={True}, falsy={False})


def issue(db: Database, principal: Principal, cursor: Cursor) -> str:
    """The signed token of ``cursor`` for the credential of ``principal``."""
    query: dict[str, Any] = {}
    for name, value in vars(cursor.query).items():
        if value is None or (name == "include_voided" and not value):
            continue
        query[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    data = {
        "v": TOKEN_VERSION,
        "c": principal.credential_id,
        "q": query,
        "f": cursor.fmt,
        "a": cursor.with_attachments,
    }
    return str(_serializer(db).dumps(data))


def read(db: Database, principal: Principal, token: str, *, max_page_size: int) -> Cursor:
    """The cursor behind ``token`` when this LRS issued it to this credential and every
    field is within bounds; a 400 naming ``more`` otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _refused()
    serializer = _serializer(db)
    try:
        data = serializer.loads(token)
    except BadData:
        raise _refused() from None
    # Base64 lets a few other spellings decode to the same bytes; only ours is accepted.
    if serializer.dumps(data) != token:
        raise _refused()
    try:
        loaded = _TokenSchema().load(data if isinstance(data, dict) else {})
    except ValidationError:
        raise _refused() from None
    if loaded["c"] != principal.credential_id:
        raise _refused()
    fields_ = dict(loaded["q"])
    if "registration" in fields_:
        fields_["registration"] = str(fields_["registration"])
    for name in ("since", "until"):
        if name in fields_:
            try:
                fields_[name] = fields_[name].astimezone(dt.UTC)
            except OverflowError:
                raise _refused() from None
    after, newest = fields_.get("after_seq"), fields_.get("max_seq")
    if after is None or newest is None or after > newest:
        raise _refused()
    # The page size allowed now, even if the token was issued under a larger one.
    fields_["limit"] = min(fields_["limit"], max_page_size)
    return Cursor(StatementQuery(**fields_), cast(Format, loaded["f"]), loaded["a"])


def _refused() -> BadRequest:
    return BadRequest("the `more` token is not one this LRS issued to this credential", "more")


def _serializer(db: Database) -> URLSafeSerializer:
    key = _keys.get(db)
    if key is None:
        key = _keys[db] = _signing_key(db)
    return URLSafeSerializer(key, salt="lrs statements more")


def _signing_key(db: Database) -> str:
    with db.writing() as session:
        return secret_store.get_or_create(session, SECRET_NAME, secrets.token_urlsafe(48))
