"""Storing and querying statements: the use cases behind the Statement resource.

``store_statements`` runs the whole ingest pipeline in one transaction — validate,
check attachments and signatures, enrich, detect conflicts, void, insert with index rows,
activity definitions, agents and dashboard facts — so a batch is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound, Unavailable
from lrs.services import forwarding, paging, persons
from lrs.services.paging import Cursor, Format
from lrs.services.principal import Principal
from lrs.store import activities as activity_store
from lrs.store import attachments as attachment_store
from lrs.store import dialects
from lrs.store import facts as fact_store
from lrs.store import statements as statement_store
from lrs.store.attachments import AttachmentContent
from lrs.store.engine import Database, consistent_through, lost_to_a_concurrent_writer
from lrs.store.keys import KeyCollision
from lrs.store.statements import IndexRows, NewStatement, StatementQuery
from statements import (
    Statement,
    StatementError,
    actors_by_key,
    agent_key,
    check_attachments,
    check_voiding,
    enrich,
    format_statement,
    object_identity,
    parse_timestamp,
    same_statement,
    validate,
    voided_target,
    voided_targets,
)
from statements.definitions import changed_definitions, latest_definitions
from statements.ifi import activity_ids_in, agent_keys_in
from statements.vocabulary import NO_RULES, Rules, learning_fact

# How many StatementRef hops a filter follows (xAPI-Communication 2.1.3 "recursively").
MAX_REFERENCE_DEPTH = 10
# How often a batch is re-run when a concurrent writer stored one of its ids first.
CONCURRENT_RETRIES = 3


@dataclass(frozen=True)
class ResultPage:
    """One page of a statement query, with the cursor of the next page if any."""

    # Statements as dicts, or as the JSON they were stored as (``orjson.Fragment``) when
    # a page sends them unchanged.
    statements: list[dict[str, Any]] | list[orjson.Fragment]
    more: str | None
    attachments: list[AttachmentContent] = field(default_factory=list)
    # The newest `stored` of the statements (the response's Last-Modified).
    newest_stored: dt.datetime | None = None
    # The instant through which the answering database saw every statement (a read
    # replica's is behind the primary's); None: the primary, as the response is sent.
    consistent_through: dt.datetime | None = None


def store_statements(
    db: Database,
    raw_statements: Sequence[Any],
    *,
    version: str,
    principal: Principal,
    attachments: Mapping[str, AttachmentContent] | None = None,
    statement_id: str | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Validate and store a batch; returns the ids in order. All or nothing."""
    if not principal.may("statements/write"):
        raise Forbidden("this credential may not write statements (scope statements/write)")
    if not raw_statements:
        raise BadRequest("no statements to store")
    validated = _validate_all(raw_statements, version, statement_id)
    check_attachments(validated, _contents(attachments))
    # Ids the LRS makes up now can neither exist nor be referenced by anything stored.
    ids = [s.get("id") or str(uuid.uuid4()) for s in validated]
    generated = frozenset(i for s, i in zip(validated, ids, strict=True) if "id" not in s)
    for attempt in range(1, CONCURRENT_RETRIES + 1):
        try:
            with db.writing() as session:
                # The write transaction holds its connection (and on SQLite the write
                # lock) before `stored` is stamped.
                session.connection()
                fresh = _fresh(session, validated, ids, generated)
                if fresh:
                    _write_fresh(session, fresh, attachments or {}, principal, version,
                                 generated, db.rules, now)  # fmt: skip
                return ids
        except IntegrityError as error:
            # Another writer stored one of these ids between our check and our insert, and
            # this transaction rolled back whole. Run it again in a new transaction: it
            # now sees the other writer's statements, so an identical one is simply not
            # stored twice (no error, XAPI-00011) and a different one is a 409.
            if not _stored_meanwhile(db, validated):
                if _names_a_taken_number(error):
                    raise KeyCollision from error
                raise  # no concurrent writer: a fault of its own (500, nothing stored)
            if attempt == CONCURRENT_RETRIES:
                raise Conflict(
                    "a statement with one of these ids was stored concurrently"
                ) from error
        except DBAPIError as error:
            # PostgreSQL chose this batch as a deadlock's victim (a voiding batch takes
            # back its target's rollup counts while another adds to the same rows) and
            # rolled it back whole: run it again in a new transaction.
            if not lost_to_a_concurrent_writer(error):
                raise
            if attempt == CONCURRENT_RETRIES:
                raise Unavailable(
                    "concurrent writes rolled this batch back; nothing was stored"
                ) from error
    raise AssertionError("unreachable")  # pragma: no cover


def _names_a_taken_number(error: IntegrityError) -> bool:
    """Whether the write broke ``index_key``'s primary key: another text already holds
    the number of one of this batch's agents or activities (``lrs.store.keys``)."""
    return "index_key" in str(error.orig)


def _contents(parts: Mapping[str, AttachmentContent] | None) -> dict[str, bytes] | None:
    return None if parts is None else {sha2: part.content for sha2, part in parts.items()}


def _to_millisecond(moment: dt.datetime) -> dt.datetime:
    # Statements carry `stored` to the millisecond; the column must hold the same instant
    # so that `since`/`until` agree with what clients read.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _stored_meanwhile(db: Database, statements: Sequence[Statement]) -> bool:
    ids = [s["id"] for s in statements if "id" in s]
    with db.reading() as session:
        return bool(ids) and bool(statement_store.existing(session, ids))


def _validate_all(
    raw_statements: Sequence[Any], version: str, statement_id: str | None
) -> list[Statement]:
    validated: list[Statement] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_statements):
        prefix = f"[{index}]" if len(raw_statements) > 1 else ""
        try:
            # A copy: the id is set below, and the caller's data stays as it was sent.
            statement = validate(raw, version).copy()
        except StatementError as error:
            path = f"{prefix}.{error.path}" if prefix and error.path else prefix or error.path
            raise StatementError(path, error.message) from error
        if statement_id is not None:
            if "id" in statement and statement["id"].lower() != statement_id.lower():
                raise BadRequest("the statementId parameter and the statement's id differ", "id")
            statement["id"] = statement_id
        if "id" in statement:
            statement["id"] = statement["id"].lower()
            if statement["id"] in seen:
                raise BadRequest(
                    f"the batch holds id {statement['id']} more than once", f"{prefix}.id"
                )
            seen.add(statement["id"])
        validated.append(statement)
    return validated


def _fresh(
    session: Session,
    statements: Sequence[Statement],
    ids: Sequence[str],
    generated: frozenset[str],
) -> list[tuple[Statement, str]]:
    """The statements not stored yet, with their ids; a stored one with the same id
    must be the same statement (XAPI-00011), else the batch is a conflict."""
    existing = statement_store.existing(session, [i for i in ids if i not in generated])
    fresh: list[tuple[Statement, str]] = []
    for statement, statement_id in zip(statements, ids, strict=True):
        previous = existing.get(statement_id)
        if previous is None:
            fresh.append((statement, statement_id))
        # Compare with what the client sent: our fill-ins (timestamp, stored) differ.
        elif not same_statement(previous, statement):
            raise Conflict(f"statement {statement_id} exists already with different content", "id")
    return fresh


def _write_fresh(
    session: Session,
    fresh: Sequence[tuple[Statement, str]],
    parts: Mapping[str, AttachmentContent],
    principal: Principal,
    version: str,
    generated: frozenset[str],
    rules: Rules,
    now: dt.datetime | None,
) -> None:
    attachment_store.save(session, list(parts.values()))
    # `stored` is stamped after the lookups and the attachments, a few steps before the
    # insert takes the seqs: so stored follows seq order across concurrent writers (see
    # store.statements.STORED_ORDER_MARGIN).
    stamped = dt.datetime.now(dt.UTC)
    stored = _to_millisecond(now or stamped)
    enriched = [
        enrich(statement, statement_id=statement_id, stored=stored,
               authority=principal.authority, version=version)
        for statement, statement_id in fresh
    ]  # fmt: skip
    write_statements(
        session,
        enriched,
        stored,
        may_define=principal.may("define"),
        generated_ids=generated,
        rules=rules,
        stamped=stamped,
    )


def write_statements(
    session: Session,
    statements: Sequence[Statement],
    now: dt.datetime,
    *,
    may_define: bool,
    generated_ids: frozenset[str] = frozenset(),
    rules: Rules = NO_RULES,
    stamped: dt.datetime | None = None,
) -> dict[str, int]:
    """Insert enriched, not yet stored statements with everything derived from them.

    The building block shared by ingest and the lossless import: index rows, StatementRef
    inheritance, voiding, activity definitions, agents, dashboard facts and forwarding
    outbox rows. Runs inside the caller's transaction; returns the seq of each id.
    ``generated_ids`` are ids the LRS assigned in this request: no stored statement can
    target them, which saves lookups. ``stamped`` is the instant the caller stamped as
    `stored` on these statements (ingest); without it they carry their own (imports).
    """
    # XAPI-00016: the targets stored already as voiding statements may not be voided.
    stored = statement_store.voiding_kinds(session, voided_targets(statements))
    check_voiding(statements, {target for target, voids in stored.items() if voids})
    rows = [_new_row(session, statement) for statement in statements]
    # Statements stamped in the past (imports, back-dated loads) break the agreement of
    # stored and seq order that fast since/until queries rely on: say so once. A batch
    # stamped by this request is measured against the instant of its stamp: the time
    # its own steps took since then puts none of its statements out of order.
    clock = dt.datetime.now(dt.UTC)
    reference = clock if stamped is None else stamped
    if any(row.stored < reference - statement_store.STORED_ORDER_MARGIN for row in rows):
        statement_store.note_out_of_order(session, clock)
    referable = [row.id for row in rows if row.id not in generated_ids]
    # Index rows are read back only by the referrers of these statements: with none
    # possible (ids assigned here), they wait for the writes below.
    inserted = statement_store.insert_statements(session, rows, later=not referable)
    seqs = inserted.seqs
    _inherit_into_referrers(session, referable)
    voided = [row.voids_id for row in rows if row.voids_id]
    voided += statement_store.voided_among(session, referable)
    statement_store.mark_voided(session, voided)
    activities, agents = _activities_and_agents(session, statements, may_define=may_define)
    facts = [(s, learning_fact(s, rules)) for s in statements]
    persons.count_as_persons(session, facts, now)
    counting = fact_store.prepare(
        session, [(seqs[s["id"]], fact) for s, fact in facts if fact is not None]
    )
    _write_together(session, inserted, activities, agents, counting, now)
    fact_store.forget(session, voided)
    forwarding.enqueue(session, [(seqs[s["id"]], s, fact) for s, fact in facts], now)
    return seqs


def _write_together(
    session: Session,
    inserted: statement_store.Inserted,
    activities: dict[str, dict[str, Any] | None],
    agents: dict[str, Any],
    counting: fact_store.Counting | None,
    now: dt.datetime,
) -> None:
    """The writes left once every read is done (index rows left waiting, activities and
    agents, facts and rollups): PostgreSQL gets them together, in one round trip."""
    with dialects.pipelined(session):
        statement_store.write_index_rows(session, inserted)
        activity_store.save(session, activities, agents, now)
        if counting is not None:
            fact_store.add(session, counting)


def _new_row(session: Session, statement: Statement) -> NewStatement:
    # `stored` and `authority` are read from the enriched statement, so that an imported
    # statement keeps the values of the LRS that first stored it.
    kind, object_key = object_identity(statement["object"])
    row = NewStatement(
        id=statement["id"],
        stored=parse_timestamp(statement["stored"]),
        timestamp=parse_timestamp(statement["timestamp"]),
        verb_id=statement["verb"]["id"],
        actor_key=agent_key(statement["actor"]),
        object_kind=kind,
        object_key=object_key,
        registration=(statement.get("context") or {}).get("registration", "").lower() or None,
        voids_id=voided_target(statement),
        version=statement["version"],
        authority_key=agent_key(statement.get("authority") or {}),
        payload=statement,
        index=IndexRows.named(agent_keys_in(statement), activity_ids_in(statement)),
    )
    if kind == "StatementRef" and object_key is not None:
        inherited = statement_store.index_rows_of(session, object_key)
        if inherited is not None:
            row.index = row.index + inherited
    return row


def _inherit_into_referrers(session: Session, new_ids: Sequence[str]) -> None:
    # Statements may target these by StatementRef (stored earlier, or in this batch in
    # any order): they now match whatever their targets match. Chains are followed
    # level by level, a bounded number of levels deep.
    changed = list(new_ids)
    for _ in range(MAX_REFERENCE_DEPTH):
        found = statement_store.referrers(session, changed)
        for seq, _referrer_id, target in found:
            inherited = statement_store.index_rows_of(session, target)
            if inherited is not None:
                statement_store.add_index_rows(session, seq, inherited)
        changed = [referrer_id for _seq, referrer_id, _target in found]
        if not changed:
            return


def _activities_and_agents(
    session: Session, statements: Sequence[Statement], *, may_define: bool
) -> tuple[dict[str, dict[str, Any] | None], dict[str, Any]]:
    """The activities and agents to record (``activity_store.save``); only a credential
    with scope ``define`` changes what the LRS already holds (xAPI-Communication 4.2:
    without it "ids will be saved [...] but [the LRS] SHOULD NOT update its canonical
    representation"). Activities and agents seen for the first time are recorded as
    sent, whatever the scopes."""
    latest = latest_definitions(statements)
    agents = actors_by_key(statements)
    known = activity_store.definitions(session, list(latest))
    if not may_define:
        latest = {aid: d for aid, d in latest.items() if aid not in known}
        seen = activity_store.known_agents(session, list(agents))
        agents = {key: a for key, a in agents.items() if key not in seen}
    # Agents sorted: concurrent writers take row locks in the same order (no deadlock).
    return changed_definitions(known, latest), {key: agents[key] for key in sorted(agents)}


# --- reading -----------------------------------------------------------------------------


def get_statement(
    db: Database,
    principal: Principal,
    statement_id: str,
    *,
    voided: bool,
    fmt: Format,
    languages: Sequence[str],
    with_attachments: bool,
) -> ResultPage:
    """One statement by ``statementId`` (voided=False) or ``voidedStatementId``."""
    _require_read(principal)
    with db.reading() as session:
        statement = statement_store.get_one(session, statement_id.lower(), voided=voided)
        if statement is None or (
            principal.reads_only_own
            and agent_key(statement.get("authority", {})) != principal.authority_key
        ):
            raise NotFound(f"no {'voided ' if voided else ''}statement with id {statement_id}")
        page = _page(session, [statement], None, fmt, languages, with_attachments)
        stored = statement.get("stored")
        return replace(page, newest_stored=None if stored is None else parse_timestamp(stored))


def query_statements(
    db: Database,
    principal: Principal,
    query: StatementQuery,
    *,
    fmt: Format,
    languages: Sequence[str],
    with_attachments: bool,
) -> ResultPage:
    """A page of statements matching ``query``, newest first unless ascending."""
    _require_read(principal)
    if principal.reads_only_own:
        query = replace(query, authority_key=principal.authority_key)
    with db.querying() as session:
        newest = statement_store.newest_seq(session)
        # A later page of a chain is answered where its first page's statements are
        # all visible: a replica lagging behind that point leaves it to the primary.
        if query.max_seq is None or newest >= query.max_seq:
            return _query_page(db, session, principal, query, newest, fmt, languages,
                               with_attachments)  # fmt: skip
    with db.querying(replica=False) as session:
        newest = statement_store.newest_seq(session)
        return _query_page(db, session, principal, query, newest, fmt, languages,
                           with_attachments)  # fmt: skip


def _query_page(
    db: Database,
    session: Session,
    principal: Principal,
    query: StatementQuery,
    newest: int,
    fmt: Format,
    languages: Sequence[str],
    with_attachments: bool,
) -> ResultPage:
    if query.max_seq is None:
        query = replace(query, max_seq=newest)
    rows = statement_store.find(session, query)
    more = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        more = paging.issue(
            db, principal, Cursor(replace(query, after_seq=rows[-1].seq), fmt, with_attachments)
        )
    if fmt == "exact" and not with_attachments:
        # Sent as stored: each statement's JSON goes into the page without being decoded
        # and encoded again.
        page = ResultPage([orjson.Fragment(row.json) for row in rows], more)
    else:
        decoded = [orjson.loads(row.json) for row in rows]
        page = _page(session, decoded, more, fmt, languages, with_attachments)
    stored = max((row.stored for row in rows), default=None)
    return replace(page, newest_stored=stored, consistent_through=consistent_through(session))


def _require_read(principal: Principal) -> None:
    if not principal.may("statements/read", "statements/read/mine", "all/read"):
        raise Forbidden("this credential may not read statements (scope statements/read)")


def _page(
    session: Session,
    statements: list[dict[str, Any]],
    more: str | None,
    fmt: Format,
    languages: Sequence[str],
    with_attachments: bool,
) -> ResultPage:
    shaped = [format_statement(s, fmt, languages) for s in statements]
    contents: list[AttachmentContent] = []
    if with_attachments:
        wanted = [a["sha2"] for s in statements for a in s.get("attachments", [])]
        contents = list(attachment_store.load(session, wanted).values())
    return ResultPage(shaped, more, contents)
