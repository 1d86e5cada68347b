"""The OpenAPI 3 description of the whole HTTP surface, and a docs page that needs no CDN.

``GET /api/openapi.json`` is generated with apispec: request and response bodies of
/api/ come from the marshmallow schemas in ``lrs.api.schemas``; the xAPI resources are
described by their parameters and responses below. ``GET /api/docs`` renders the same
document as plain server-side HTML (every path, method, parameter and response).
"""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, current_app, jsonify, render_template_string

from lrs.api import bp, schemas
from lrs.services.exports import CSV_HEADER

VERSION_HEADER = {
    "name": "X-Experience-API-Version",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "enum": ["1.0.3", "2.0.0"]},
    "description": "xAPI version the client speaks (1.0.x or 2.0.x)",
}


def _q(name: str, description: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


AGENT = _q("agent", "Agent or identified Group as JSON", required=True)
ACTIVITY = _q("activityId", "Activity IRI", required=True, format="uri")
SINCE = _q("since", "Only ids of documents stored after this time", format="date-time")
BOOL: dict[str, Any] = {"type": "string", "enum": ["true", "false"]}
STATEMENT_QUERY = [
    _q("statementId", "One statement by id", format="uuid"),
    _q("voidedStatementId", "One voided statement by id", format="uuid"),
    _q("agent", "Agent or identified Group as JSON"),
    _q("verb", "Verb IRI", format="uri"),
    _q("activity", "Activity IRI", format="uri"),
    _q("registration", "Registration UUID", format="uuid"),
    _q("related_activities", "Match the activity in any role", **BOOL),
    _q("related_agents", "Match the agent in any role", **BOOL),
    _q("since", "Stored after this time", format="date-time"),
    _q("until", "Stored at or before this time", format="date-time"),
    _q("limit", "Most statements per page (0: the server's default)", type="integer", minimum=0),
    _q("format", "ids, exact or canonical", type="string", enum=["ids", "exact", "canonical"]),
    _q("attachments", "Answer multipart/mixed with attachment content", **BOOL),
    _q("ascending", "Oldest first", **BOOL),
    _q("more", "The `more` token of the previous page"),
]
EXPORT_QUERY = [
    *(p for p in STATEMENT_QUERY[2:10]),
    _q("ascending", "Oldest first (default true: storage order)", **BOOL),
    _q("kind", "formal, informal or other", type="string",
       enum=["formal", "informal", "other"]),
    {**_q("source_kind", "The old name of kind, still accepted", type="string",
          enum=["formal", "informal", "other"]), "deprecated": True},
    _q("include_voided", "Include voided statements (NDJSON marks them)", **BOOL),
    _q("format", "ndjson (lossless), csv or parquet", type="string",
       enum=["ndjson", "csv", "parquet"]),
]  # fmt: skip
AGGREGATE_QUERY = [
    _q("from", "First day (ISO date)", format="date"),
    _q("to", "Last day (ISO date)", format="date"),
    _q("range", "7d, 30d, 90d, 1y or all", type="string", enum=["7d", "30d", "90d", "1y", "all"]),
    _q("team", "Team name"),
    _q("kind", "Source kind", type="string", enum=["formal", "informal", "other"]),
    _q("platform", "Platform (system)"),
    _q("verb", "Verb IRI"),
    _q("activity", "Activity IRI"),
    _q("person", "Person (agent key)"),
]
SOURCE_ID = {"name": "source_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0}}  # fmt: skip
PERSON_ID = {"name": "person_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0}}  # fmt: skip


def _aggregate_parameters() -> list[dict[str, Any]]:
    """The name, the filters, and every parameter an entry of the registry declares."""
    from lrs.insight.registry import AGGREGATES

    takers: dict[str, list[str]] = {}
    declared: dict[str, Any] = {}
    for entry in AGGREGATES.values():
        for parameter in entry.parameters:
            takers.setdefault(parameter.name, []).append(entry.name)
            declared.setdefault(parameter.name, parameter)
    own = []
    for name, parameter in declared.items():
        described = parameter.describe()
        if described["type"] == "integer":
            schema = {"type": "integer", "minimum": described["minimum"],
                      "maximum": described["maximum"]}  # fmt: skip
        elif "max_length" in described:
            schema = {"type": "string", "maxLength": described["max_length"]}
        else:
            schema = {"type": "string", "enum": described["choices"]}
        meaning = f"{parameter.description} (only {', '.join(takers[name])})"
        own.append(_q(name, meaning, **schema))
    names = {"type": "string", "enum": list(AGGREGATES)}
    path = {"name": "name", "in": "path", "required": True, "schema": names}
    fmt = _q("format", "json (default) or csv: the same records", type="string",
             enum=["json", "csv"])  # fmt: skip
    return [path, *AGGREGATE_QUERY, *own, fmt]


DOCUMENT_PARAMS = {
    "state": [
        ACTIVITY, AGENT, _q("registration", "Registration UUID", format="uuid"),
        _q("stateId", "Document id (absent on GET/DELETE: the whole set)"), SINCE,
    ],
    "activity_profile": [ACTIVITY, _q("profileId", "Document id (absent on GET: ids)"), SINCE],
    "agent_profile": [AGENT, _q("profileId", "Document id (absent on GET: ids)"), SINCE],
}  # fmt: skip
ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
}
JSON_BODY: dict[str, Any] = {"content": {"application/json": {"schema": {}}}}
ANY_BODY: dict[str, Any] = {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}


def _ok(description: str, schema: Any = None, mime: str = "application/json") -> dict[str, Any]:
    content = {mime: {"schema": schema}} if schema is not None else None
    return {"description": description, **({"content": content} if content else {})}


def _json(schema: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _xapi_document(kind: str, label: str) -> dict[str, Any]:
    params = [VERSION_HEADER, *DOCUMENT_PARAMS[kind]]
    return {
        "get": {"summary": f"{label}: a document, or the ids of documents", "tags": ["xAPI"],
                "parameters": params, "responses": {"200": _ok("The document or ids"), **ERRORS,
                "404": {"$ref": "#/components/responses/NotFound"}}},
        "put": {"summary": f"{label}: store a document (ETag preconditions)", "tags": ["xAPI"],
                "parameters": params, "requestBody": ANY_BODY,
                "responses": {"204": _ok("Stored"), **ERRORS,
                              "409": {"$ref": "#/components/responses/Conflict"},
                              "412": {"$ref": "#/components/responses/PreconditionFailed"}}},
        "post": {"summary": f"{label}: merge JSON into a document", "tags": ["xAPI"],
                 "parameters": params, "requestBody": JSON_BODY,
                 "responses": {"204": _ok("Merged"), **ERRORS,
                               "412": {"$ref": "#/components/responses/PreconditionFailed"}}},
        "delete": {"summary": f"{label}: delete a document (or the state set)", "tags": ["xAPI"],
                   "parameters": params, "responses": {"204": _ok("Deleted"), **ERRORS,
                   "412": {"$ref": "#/components/responses/PreconditionFailed"}}},
    }  # fmt: skip


def _paths() -> dict[str, dict[str, Any]]:
    error = {"$ref": "#/components/responses/NotFound"}
    return {
        "/xapi/about": {"get": {
            "summary": "Versions of xAPI this LRS speaks", "tags": ["xAPI"], "security": [],
            "responses": {"200": _ok("About", {"type": "object"})}}},
        "/xapi/statements": {
            "get": {"summary": "One statement, or a page of statements matching filters",
                    "tags": ["xAPI"], "parameters": [VERSION_HEADER, *STATEMENT_QUERY],
                    "responses": {"200": _ok("A Statement or a StatementResult",
                                             {"type": "object"}), **ERRORS, "404": error}},
            "put": {"summary": "Store one statement with the given id", "tags": ["xAPI"],
                    "parameters": [VERSION_HEADER, _q("statementId", "Statement id",
                                                      required=True, format="uuid")],
                    "requestBody": JSON_BODY, "responses": {"204": _ok("Stored"), **ERRORS,
                    "409": {"$ref": "#/components/responses/Conflict"}}},
            "post": {"summary": "Store statements (all or none)", "tags": ["xAPI"],
                     "parameters": [VERSION_HEADER], "requestBody": JSON_BODY,
                     "responses": {"200": _ok("Ids of the statements",
                                              {"type": "array", "items": {"type": "string"}}),
                                   **ERRORS, "409": {"$ref": "#/components/responses/Conflict"}}},
        },
        "/xapi/activities": {"get": {
            "summary": "The LRS's definition of an activity", "tags": ["xAPI"],
            "parameters": [VERSION_HEADER, ACTIVITY],
            "responses": {"200": _ok("Activity", {"type": "object"}), **ERRORS}}},
        "/xapi/agents": {"get": {
            "summary": "The Person object of an agent", "tags": ["xAPI"],
            "parameters": [VERSION_HEADER, AGENT],
            "responses": {"200": _ok("Person", {"type": "object"}), **ERRORS}}},
        "/xapi/activities/state": _xapi_document("state", "State"),
        "/xapi/activities/profile": _xapi_document("activity_profile", "Activity profile"),
        "/xapi/agents/profile": _xapi_document("agent_profile", "Agent profile"),
        "/api/export/statements": {"get": {
            "summary": "Export statements (streamed NDJSON, CSV or Parquet)", "tags": ["Export"],
            "description": "NDJSON: each statement as stored, one a line. CSV: a header, "
            "then a statement a row: " + ", ".join(CSV_HEADER) + ". The dashboards' "
            "Explorer downloads the same formats, written by the same code.",
            "parameters": EXPORT_QUERY,
            "responses": {"200": {"description": "The statements, one a line or row", "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}}}}, **ERRORS}}},
        "/api/aggregates": {"get": {
            "summary": "The names of the aggregates", "tags": ["Aggregates"],
            "security": SESSION_READABLE,
            "responses": {"200": _ok("Names", {"type": "array", "items": "AggregateName"}),
                          **ERRORS}}},
        "/api/aggregates/{name}": {"get": {
            "summary": "The numbers behind a dashboard chart", "tags": ["Aggregates"],
            "description": "A credential reads everything; the dashboards' session cookie "
            "reads within the signed-in user's role (admin, manager, member).",
            "security": SESSION_READABLE,
            "parameters": _aggregate_parameters(),
            "responses": {"200": {"description": "The records", "content": {
                "application/json": {"schema": "AggregateResult"},
                "text/csv": {"schema": {"type": "string"}}}}, **ERRORS, "404": error}}},
        "/api/people/me": {"get": {
            "summary": "A person's learning and sharing: summary, courses, contributions "
                       "and who reacted to them, timeline, what their courses' graduates "
                       "read next (a reader linked to a person gets that person)",
            "tags": ["Pull"], "security": SESSION_READABLE,
            "parameters": AGGREGATE_QUERY,
            "responses": {"200": _ok("The person's views", {"type": "object"}), **ERRORS}}},
        "/api/experts": {"get": {
            "summary": "Who knows about a topic: people ranked by evidence, each with it",
            "tags": ["Pull"], "security": SESSION_READABLE,
            "parameters": [*AGGREGATE_QUERY,
                           _q("topic", "A tag, or words of titles and tags", required=True,
                              type="string", maxLength=200),
                           _q("limit", "At most this many people (1 to 1000, default 20)",
                              type="integer", minimum=1, maximum=1000)],
            "responses": {"200": _ok("The ranking", {"type": "object"}), **ERRORS}}},
        "/api/courses/next": {"get": {
            "summary": "What to read after a course: the posts and pages its graduates "
                       "read most, and those of them who wrote on its topic",
            "tags": ["Pull"], "security": SESSION_READABLE,
            "parameters": [*AGGREGATE_QUERY,
                           _q("course", "The course's activity id", required=True,
                              type="string", maxLength=2048),
                           _q("limit", "At most this many posts and pages (1 to 1000, "
                              "default 10)", type="integer", minimum=1, maximum=1000)],
            "responses": {"200": _ok("Reading and writers", {"type": "object"}),
                          **ERRORS}}},
        "/api/forwarding/rules": {
            "get": {"summary": "Forwarding rules", "tags": ["Forwarding"],
                    "responses": {"200": _ok("Rules", {"type": "array", "items": "Rule"}),
                                  **ERRORS}},
            "post": {"summary": "Add a forwarding rule", "tags": ["Forwarding"],
                     "requestBody": _json("RuleInput"),
                     "responses": {"201": _ok("The rule", "Rule"), **ERRORS,
                                   "409": {"$ref": "#/components/responses/Conflict"}}},
        },
        "/api/forwarding/rules/{rule_id}": {
            "parameters": [{"name": "rule_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "get": {"summary": "A forwarding rule", "tags": ["Forwarding"],
                    "responses": {"200": _ok("The rule", "Rule"), **ERRORS, "404": error}},
            "put": {"summary": "Change a forwarding rule (the fields given)",
                    "tags": ["Forwarding"], "requestBody": _json("RuleInput"),
                    "responses": {"200": _ok("The rule", "Rule"), **ERRORS, "404": error,
                                  "409": {"$ref": "#/components/responses/Conflict"}}},
            "delete": {"summary": "Remove a rule and its deliveries", "tags": ["Forwarding"],
                       "responses": {"204": _ok("Removed"), **ERRORS, "404": error}},
        },
        "/api/forwarding/deliveries": {"get": {
            "summary": "Deliveries, newest first (e.g. status=failed)", "tags": ["Forwarding"],
            "parameters": [
                _q("status", "pending, delivering, delivered or failed", type="string",
                   enum=["pending", "delivering", "delivered", "failed"]),
                _q("rule_id", "Only this rule's", type="integer", minimum=0),
                _q("limit", "At most this many (≤ 1000)", type="integer", minimum=0)],
            "responses": {"200": _ok("Deliveries", {"type": "array", "items": "Delivery"}),
                          **ERRORS}}},
        "/api/forwarding/deliveries/{delivery_id}/replay": {"post": {
            "summary": "Queue a failed delivery again", "tags": ["Forwarding"],
            "parameters": [{"name": "delivery_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"200": _ok("How many were queued", "Replayed"), **ERRORS,
                          "404": error, "409": {"$ref": "#/components/responses/Conflict"}}}},
        "/api/sources": {
            "get": {"summary": "Sources pulled on a schedule", "tags": ["Sources"],
                    "responses": {"200": _ok("Sources", {"type": "array", "items": "Source"}),
                                  **ERRORS}},
            "post": {"summary": "Add a source (blog, wiki, lrs or courses)", "tags": ["Sources"],
                     "requestBody": _json("SourceInput"),
                     "responses": {"201": _ok("The source", "Source"), **ERRORS,
                                   "409": {"$ref": "#/components/responses/Conflict"}}},
        },
        "/api/sources/{source_id}": {
            "parameters": [SOURCE_ID],
            "get": {"summary": "A source, its last run and its totals", "tags": ["Sources"],
                    "responses": {"200": _ok("The source", "Source"), **ERRORS, "404": error}},
            "delete": {"summary": "Remove a source (its statements stay)", "tags": ["Sources"],
                       "responses": {"204": _ok("Removed"), **ERRORS, "404": error}},
        },
        **{f"/api/sources/{{source_id}}/{action}": {"post": {
            "summary": summary, "tags": ["Sources"], "parameters": [SOURCE_ID],
            "responses": {status: _ok("The source", "Source"), **ERRORS, "404": error}}}
           for action, summary, status in (
               ("pause", "Stop running a source on its schedule", "200"),
               ("resume", "Run a paused source on its schedule again (at once first)", "200"),
               ("run", "Make a source due now (the sources worker runs it)", "202"))},
        "/api/persons": {"get": {
            "summary": "Persons, by name (search in names, teams, identifiers)",
            "tags": ["Persons"],
            "parameters": [_q("search", "Part of a name, team or identifier", type="string"),
                           _q("limit", "At most this many (1 to 1000, default 50)",
                              type="integer", minimum=1),
                           _q("offset", "Skip this many", type="integer", minimum=0)],
            "responses": {"200": _ok("Persons", {"type": "array", "items": "Person"}),
                          **ERRORS}}},
        "/api/persons/suggestions": {"get": {
            "summary": "Merges worth confirming (same e-mail, hashed e-mail, name and team)",
            "tags": ["Persons"],
            "responses": {"200": _ok("Suggestions", {"type": "array",
                                                     "items": {"type": "object"}}),
                          **ERRORS}}},
        "/api/persons/{person_id}": {
            "parameters": [PERSON_ID],
            "get": {"summary": "A person: identifiers, statement counts, merges and splits",
                    "tags": ["Persons"],
                    "responses": {"200": _ok("The person", "Person"), **ERRORS, "404": error}},
            "patch": {"summary": "Set a person's name or team", "tags": ["Persons"],
                      "requestBody": _json("PersonUpdate"),
                      "responses": {"200": _ok("The person", "Person"), **ERRORS,
                                    "404": error}}},
        "/api/persons/{person_id}/merge": {"post": {
            "summary": "Merge another person into this one", "tags": ["Persons"],
            "parameters": [PERSON_ID], "requestBody": _json("PersonMerge"),
            "responses": {"200": _ok("The person", "Person"), **ERRORS, "404": error}}},
        "/api/persons/{person_id}/split": {"post": {
            "summary": "Make some identifiers of this person a person of their own",
            "tags": ["Persons"], "parameters": [PERSON_ID], "requestBody": _json("PersonSplit"),
            "responses": {"201": _ok("The new person", "Person"), **ERRORS, "404": error}}},
        "/api/persons/merges/{merge_id}/undo": {"post": {
            "summary": "Undo a merge: its identifiers become the person they were",
            "tags": ["Persons"],
            "parameters": [{"name": "merge_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"201": _ok("The person split off", "Person"), **ERRORS,
                          "404": error}}},
        "/api/admin/forget": {"post": {
            "summary": "Erase a person everywhere (scope all)", "tags": ["Admin"],
            "requestBody": _json({"type": "object", "required": ["agent"], "properties": {
                "agent": {"type": "object"}, "dry_run": {"type": "boolean"}}}),
            "responses": {"200": _ok("Receipt", {"type": "object"}), **ERRORS}}},
        "/api/openapi.json": {"get": {
            "summary": "This document", "tags": ["Docs"], "security": [],
            "responses": {"200": _ok("OpenAPI 3 document", {"type": "object"})}}},
        "/api/docs": {"get": {
            "summary": "This document as HTML", "tags": ["Docs"], "security": [],
            "responses": {"200": _ok("HTML", {"type": "string"}, "text/html")}}},
    }  # fmt: skip


def _resolve(value: Any) -> Any:
    # Schema names in the tables above stand for component references.
    if isinstance(value, dict):
        return {k: _ref(v) if k in ("schema", "items") else _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def _ref(value: Any) -> Any:
    if isinstance(value, str):
        return {"$ref": f"#/components/schemas/{value}"}
    return _resolve(value)


SCHEMAS = (
    "Error", "RuleInput", "Rule", "Delivery", "Replayed", "AggregateResult", "AggregateName",
    "SourceInput", "Source", "PersonMerge", "PersonSplit", "PersonUpdate", "Person",
)  # fmt: skip


SESSION_READABLE: list[dict[str, list[str]]] = [{"basicAuth": []}, {"dashboardSession": []}]
"""Views that also take a signed-in dashboards user's session cookie (``lrs.auth``)."""


@functools.cache
def build_spec() -> dict[str, Any]:
    """The OpenAPI document (built once per process)."""
    spec = APISpec(
        title="lrs — xAPI Learning Record Store",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "xAPI 1.0.3 and 2.0 resources under /xapi/; exports, "
              "aggregates, forwarding, sources and administration under /api/."},
        security=[{"basicAuth": []}],
    )  # fmt: skip
    spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    spec.components.security_scheme(
        "dashboardSession", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    for name in SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas, name))
    for status, name in (
        (400, "BadRequest"),
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Conflict"),
        (412, "PreconditionFailed"),
    ):
        error = _json({"$ref": "#/components/schemas/Error"})
        spec.components.response(name, {"description": f"{status}: the error shape", **error})
    for path, item in _paths().items():
        operations = dict(item)
        shared = operations.pop("parameters", None)
        spec.path(path=path, operations=_resolve(operations), parameters=shared)
    document: dict[str, Any] = spec.to_dict()
    return document


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(build_spec())


DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ spec.info.title }}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
h2{border-bottom:1px solid #ccc}code{background:#f4f4f4;padding:0 .2em}
table{border-collapse:collapse;margin:.3em 0 1em}td,th{border:1px solid #ddd;padding:.2em .5em;
text-align:left;vertical-align:top}.m{font-weight:bold;text-transform:uppercase}</style></head>
<body><h1>{{ spec.info.title }}</h1><p>{{ spec.info.description }}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a>. Authentication: HTTP Basic
with an xAPI credential, except where noted.</p>
{% for path, item in spec.paths.items() %}<h2><code>{{ path }}</code></h2>
{% for method, op in item.items() if method != "parameters" %}
<h3><span class="m">{{ method }}</span> {{ op.summary }}</h3>
{% set params = (item.parameters or []) + (op.parameters or []) %}
{% if params %}<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th>
<th>meaning</th></tr>{% for p in params %}<tr><td><code>{{ p.name }}</code></td>
<td>{{ p["in"] }}</td><td>{{ "yes" if p.required else "no" }}</td>
<td>{{ p.schema.type }}{% if p.schema.enum %}: {{ p.schema.enum|join(", ") }}{% endif %}
{% if p.schema.format %} ({{ p.schema.format }}){% endif %}</td><td>{{ p.description }}</td>
</tr>{% endfor %}</table>{% endif %}
{% if op.requestBody %}<p>Body: {{ op.requestBody.content|list|join(", ") }}</p>{% endif %}
<table><tr><th>status</th><th>response</th></tr>{% for status, r in op.responses.items() %}
<tr><td>{{ status }}</td><td>{{ r.description or r["$ref"].rsplit("/", 1)[-1] }}</td></tr>
{% endfor %}</table>{% endfor %}{% endfor %}</body></html>"""


@bp.get("/docs")
def docs() -> Response:
    html = render_template_string(DOCS, spec=build_spec())
    return current_app.response_class(html, mimetype="text/html")
