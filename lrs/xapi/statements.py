"""The Statement resource: PUT, POST, GET and HEAD of /xapi/statements."""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Response, g, request

from lrs.auth import current_principal
from lrs.errors import BadRequest, PayloadTooLarge
from lrs.http.context import database, settings
from lrs.http.params import boolean, non_negative, reject_unknown, statement_filters, uuid_value
from lrs.services import paging
from lrs.services import statements as service
from lrs.services.paging import Format
from lrs.services.statements import ResultPage
from lrs.store.statements import StatementQuery
from lrs.xapi import bp
from lrs.xapi.multipart import statements_body
from lrs.xapi.responses import statement_response

SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
QUERY_PARAMS = {
    "agent", "verb", "activity", "registration", "related_activities", "related_agents",
    "since", "until", "limit", "format", "attachments", "ascending",
}  # fmt: skip


@bp.put("/statements")
def put_statement() -> Response:
    reject_unknown(request.args, {"statementId"})
    statement_id = uuid_value(request.args.get("statementId"), "statementId")
    if statement_id is None:
        raise BadRequest("PUT needs the statementId parameter", "statementId")
    body, attachments = statements_body(request)
    if not isinstance(body, dict):
        raise BadRequest("PUT takes one statement object", "")
    service.store_statements(
        database(),
        [body],
        version=g.xapi_version,
        principal=current_principal(),
        attachments=attachments,
        statement_id=statement_id,
    )
    return Response(status=204)


@bp.post("/statements")
def post_statements() -> Response:
    reject_unknown(request.args, ())
    body, attachments = statements_body(request)
    batch = body if isinstance(body, list) else [body]
    if len(batch) > settings().max_batch_size:
        raise PayloadTooLarge("the batch holds more statements than LRS_MAX_BATCH_SIZE allows")
    ids = service.store_statements(
        database(),
        batch,
        version=g.xapi_version,
        principal=current_principal(),
        attachments=attachments,
    )
    return Response(orjson.dumps(ids), mimetype="application/json")


@bp.get("/statements")
def get_statements() -> Response:
    args = request.args
    fmt = _format(args.get("format"))
    with_attachments = boolean(args.get("attachments"), "attachments")
    languages = [language for language, _ in request.accept_languages]
    principal = current_principal()
    if "more" in args:
        reject_unknown(args, {"more"})
        max_page_size = settings().max_page_size
        cursor = paging.read(database(), principal, args["more"], max_page_size=max_page_size)
        page = service.query_statements(
            database(), principal, cursor.query, fmt=cursor.fmt, languages=languages,
            with_attachments=cursor.with_attachments,
        )  # fmt: skip
        return _page_response(page, cursor.with_attachments)
    if "statementId" in args or "voidedStatementId" in args:
        reject_unknown(args, SINGLE_PARAMS)
        if "statementId" in args and "voidedStatementId" in args:
            raise BadRequest("use statementId or voidedStatementId, not both")
        voided = "voidedStatementId" in args
        name = "voidedStatementId" if voided else "statementId"
        statement_id = cast(str, uuid_value(args[name], name))
        page = service.get_statement(
            database(), principal, statement_id, voided=voided, fmt=fmt, languages=languages,
            with_attachments=with_attachments,
        )  # fmt: skip
        statement = cast(dict[str, Any], page.statements[0])
        return statement_response(statement, page.attachments, with_attachments,
                                  page.newest_stored)  # fmt: skip
    reject_unknown(args, QUERY_PARAMS)
    page = service.query_statements(
        database(), principal, _query(args), fmt=fmt, languages=languages,
        with_attachments=with_attachments,
    )  # fmt: skip
    return _page_response(page, with_attachments)


def _format(value: str | None) -> Format:
    if value is None:
        return "exact"
    if value not in paging.FORMATS:
        raise BadRequest("format must be ids, exact or canonical", "format")
    return cast(Format, value)


def _query(args: Any) -> StatementQuery:
    limits = settings()
    limit = non_negative(args.get("limit"), "limit") or limits.default_page_size
    filters = statement_filters(args)
    return filters.query(g.xapi_version, limit=min(limit, limits.max_page_size))


def _page_response(page: ResultPage, with_attachments: bool) -> Response:
    more = f"{request.script_root}{bp.url_prefix}/statements?more={page.more}" if page.more else ""
    g.consistent_through = page.consistent_through
    result = {"statements": page.statements, "more": more}
    return statement_response(result, page.attachments, with_attachments, page.newest_stored)
