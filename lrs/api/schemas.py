"""Marshmallow schemas of the /api/ requests and responses: they check request bodies
here and describe both in the OpenAPI document (``lrs.api.openapi``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lrs.errors import BadRequest


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "bad_request"})
    message = fields.String(required=True)
    path = fields.String(required=True, metadata={"description": "JSON path or parameter"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class RuleInput(Schema):
    """A forwarding rule as sent: empty filter lists match every statement."""

    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    kind = fields.String(required=True, validate=validate.OneOf(["xapi", "webhook"]))
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    username = fields.String(allow_none=True, metadata={"description": "xAPI target: Basic user"})
    password = fields.String(allow_none=True, load_only=True)
    secret = fields.String(
        allow_none=True, load_only=True, metadata={"description": "webhook: HMAC-SHA256 key"}
    )
    xapi_version = fields.String(validate=validate.OneOf(["1.0.3", "2.0.0"]))
    verbs = fields.List(fields.String())
    activity_types = fields.List(fields.String())
    source_kinds = fields.List(
        fields.String(validate=validate.OneOf(["formal", "informal", "other"]))
    )
    active = fields.Boolean()


class Rule(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["xapi", "webhook"]))
    url = fields.String(required=True)
    username = fields.String(allow_none=True)
    xapi_version = fields.String(required=True)
    verbs = fields.List(fields.String(), required=True)
    activity_types = fields.List(fields.String(), required=True)
    source_kinds = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    has_password = fields.Boolean(required=True)
    has_secret = fields.Boolean(required=True)
    created = fields.DateTime(required=True)


class Delivery(Schema):
    id = fields.Integer(required=True)
    rule_id = fields.Integer(required=True)
    statement_id = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["pending", "delivering", "delivered", "failed"])
    )
    attempts = fields.Integer(required=True)
    next_attempt = fields.DateTime(required=True)
    last_error = fields.String(allow_none=True)
    created = fields.DateTime(required=True)
    delivered = fields.DateTime(allow_none=True)


class Replayed(Schema):
    replayed = fields.Integer(required=True)


class SourceOptions(Schema):
    """Options of a source kind: a base URL, a CSV encoding, and for another LRS the
    version it speaks and the statement filters of the sync."""

    class Meta:
        unknown = RAISE

    base_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    encoding = fields.String()
    xapi_version = fields.String(validate=validate.OneOf(["1.0.3", "2.0.0"]))
    verb = fields.String()
    activity = fields.String()
    agent = fields.String(metadata={"description": "Agent JSON, as the agent= parameter"})
    registration = fields.String()
    related_activities = fields.String(validate=validate.OneOf(["true", "false"]))
    related_agents = fields.String(validate=validate.OneOf(["true", "false"]))


SOURCE_KINDS = ["blog", "wiki", "lrs", "courses"]


class SourceInput(Schema):
    """A source to pull: what it is, where, how often, and how to sign in to it."""

    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS))
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    every = fields.String(
        validate=validate.Regexp(r"^\d+[smhd]?$"),
        metadata={"description": "Interval: seconds, or 30s, 15m, 1h, 1d (default 15m)"},
    )
    mapping = fields.String(
        allow_none=True, metadata={"description": "Account mapping (path or URL, CSV/JSON)"}
    )
    username = fields.String(allow_none=True, metadata={"description": "Basic-auth user"})
    password = fields.String(allow_none=True, load_only=True)
    options = fields.Nested(SourceOptions)
    active = fields.Boolean()


class SourceCounts(Schema):
    read = fields.Integer()
    stored = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class Source(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS))
    url = fields.String(required=True)
    every_seconds = fields.Integer(required=True)
    mapping = fields.String(allow_none=True)
    username = fields.String(allow_none=True)
    has_password = fields.Boolean(required=True)
    options = fields.Dict(required=True)
    active = fields.Boolean(required=True)
    running = fields.Boolean(required=True)
    next_run = fields.DateTime(required=True)
    last_started = fields.DateTime(allow_none=True)
    last_finished = fields.DateTime(allow_none=True)
    last_status = fields.String(allow_none=True, validate=validate.OneOf(["ok", "error"]))
    last_error = fields.String(allow_none=True)
    failures = fields.Integer(required=True)
    last_run = fields.Nested(SourceCounts, required=True)
    totals = fields.Nested(SourceCounts, required=True)
    created = fields.DateTime(required=True)


class AggregateResult(Schema):
    name = fields.String(required=True)
    filters = fields.Dict(required=True)
    parameters = fields.Dict(required=True)
    columns = fields.List(fields.String(), required=True)
    records = fields.List(fields.Dict(), required=True)


class AggregateName(Schema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    parameters = fields.List(fields.Dict(), required=True)
    needs = fields.List(fields.String(), required=True)
    columns = fields.List(fields.String(), required=True)


class PersonMerge(Schema):
    """The person to merge into the one of the path (it is removed)."""

    class Meta:
        unknown = RAISE

    other = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1)
    )


class PersonUpdate(Schema):
    """A person's display name and team (a team set here wins over any other)."""

    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=400))
    team = fields.String(allow_none=True, validate=validate.Length(max=400),
                         metadata={"description": "null or empty removes the team"})  # fmt: skip


class PersonSplit(Schema):
    """Identifiers (canonical keys) of the person of the path to make a person of their own."""

    class Meta:
        unknown = RAISE

    identifiers = fields.List(
        fields.String(validate=validate.Length(min=1)), required=True,
        validate=validate.Length(min=1),
    )  # fmt: skip


class PersonIdentifier(Schema):
    key = fields.String(required=True, metadata={"description": "mbox:mailto:..., account:..."})
    agent = fields.Dict(required=True, metadata={"description": "The Agent property it is"})
    name = fields.String(allow_none=True)
    statements = fields.Integer(required=True)


class Person(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"description": "The key facts count it under"})
    name = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    team_source = fields.String(
        allow_none=True, metadata={"description": "statement, mapping, set"}
    )
    identifiers = fields.List(fields.Nested(PersonIdentifier), required=True)
    statements = fields.Integer(required=True)
    changes = fields.List(
        fields.Dict(), metadata={"description": "Merges and splits, newest first"}
    )


def load(schema: Schema, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """``schema.load`` with our error shape: the first problem as a 400 with its path."""
    if not isinstance(data, Mapping):
        raise BadRequest("the body must be a JSON object")
    try:
        loaded: dict[str, Any] = schema.load(data, partial=partial)
    except ValidationError as error:
        path, message = _first(error.messages)
        raise BadRequest(f"{path}: {message}" if path else message, path) from None
    return loaded


def _first(messages: Any, prefix: str = "") -> tuple[str, str]:
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        name = str(key) if key != "_schema" else ""
        return _first(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    if isinstance(messages, list) and messages:
        return _first(messages[0], prefix)
    return prefix, str(messages)
