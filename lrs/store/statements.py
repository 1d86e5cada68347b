"""Reading and writing statements and their index rows. Functions take a Session and
never commit: the calling service owns the transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter

from lrs.store import payloads
from lrs.store.dialects import (
    FEW_ROWS,
    in_index_order,
    insert_ignore,
    insert_new,
    insert_rows,
    pipelined,
)
from lrs.store.keys import ROLE_CODES, add_keys, key_number, role_codes
from lrs.store.models import (
    IndexKey,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementRefTerm,
    StoreFlag,
    table,
)
from statements import Statement as StatementJSON

STATEMENT = table(Statement)

# The reads and the insert of every ingest request, built once: building a query and
# computing its cache key cost more than running it for a request's few rows.
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_EXISTING = select(STATEMENT.c.id, STATEMENT.c.payload).where(STATEMENT.c.id.in_(_IDS))
_VOIDING_KINDS = select(STATEMENT.c.id, STATEMENT.c.voids_id).where(STATEMENT.c.id.in_(_IDS))
_VOIDED_AMONG = select(STATEMENT.c.voids_id).where(STATEMENT.c.voids_id.in_(_IDS))
_REFERRERS = select(STATEMENT.c.seq, STATEMENT.c.id, STATEMENT.c.object_key).where(
    STATEMENT.c.object_kind == "StatementRef", STATEMENT.c.object_key.in_(_IDS)
)
# Each returned row names its id, so the rows may come back in any order: asking for the
# parameters' order would make SQLite insert one statement at a time.
_INSERT = insert(STATEMENT).returning(STATEMENT.c.id, STATEMENT.c.seq)

# Roles of an agent that the plain `agent` filter matches (xAPI-Communication 2.1.3);
# `related_agents` widens it to every role.
DIRECT_AGENT_ROLES = ("actor", "object", "member")
DIRECT_ACTIVITY_ROLES = ("object",)


@dataclass
class NewStatement:
    """A validated, enriched statement ready to be stored, with its index rows."""

    id: str
    stored: dt.datetime
    timestamp: dt.datetime
    verb_id: str
    actor_key: str | None
    object_kind: str
    object_key: str | None
    registration: str | None
    voids_id: str | None
    version: str
    authority_key: str | None
    payload: StatementJSON
    index: IndexRows = field(default_factory=lambda: IndexRows([], [], []))


@dataclass(frozen=True)
class StatementQuery:
    """The filters of GET /statements, already parsed and checked."""

    agent_key: str | None = None
    verb_id: str | None = None
    activity_id: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    authority_key: str | None = None
    # Exports for backups include voided statements; GET /statements never does.
    include_voided: bool = False
    ascending: bool = False
    limit: int = 100
    # Paging: continue after this seq, and never past the newest seq of the first page.
    after_seq: int | None = None
    max_seq: int | None = None


@dataclass(frozen=True)
class IndexRows:
    """What a statement matches on: its agents and activities as (number, role code)
    (``lrs.store.keys``), the verb and registration terms it inherits through a
    StatementRef, and the text of each number it names first (``named``), which is
    recorded with the rows."""

    agents: list[tuple[int, int]]
    activities: list[tuple[int, int]]
    ref_terms: list[tuple[str, str]]
    keys: dict[int, str] = field(default_factory=dict)

    @classmethod
    def named(
        cls, agents: Iterable[tuple[str, str]], activities: Iterable[tuple[str, str]]
    ) -> IndexRows:
        """The rows of (agent key, role) and (activity IRI, role) pairs as texts."""
        keys: dict[int, str] = {}

        def numbered(pairs: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
            rows = []
            for text, role in pairs:
                number = key_number(text)
                add_keys(keys, {number: text})
                rows.append((number, ROLE_CODES[role]))
            return rows

        return cls(numbered(agents), numbered(activities), [], keys)

    def __add__(self, other: IndexRows) -> IndexRows:
        keys = dict(self.keys)
        add_keys(keys, other.keys)
        return IndexRows(
            self.agents + other.agents,
            self.activities + other.activities,
            self.ref_terms + other.ref_terms,
            keys,
        )


def existing(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stored payloads of those ``ids`` that exist, by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = session.execute(_EXISTING, {"ids": wanted})
    return {row.id: row.payload for row in rows}


@dataclass
class Inserted:
    """The seq given to each id of inserted statements, and the index rows that the
    caller writes later (``write_index_rows``), if it asked for them to wait."""

    seqs: dict[str, int]
    waiting: list[tuple[Table, list[dict[str, Any]]]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)


def insert_statements(
    session: Session, statements: Sequence[NewStatement], *, later: bool = False
) -> Inserted:
    """Insert statements with their index rows; returns the seq given to each id. With
    ``later``, a request's few index rows are left to ``write_index_rows``, for the
    caller to send with its other writes (nothing may read them before)."""
    if not statements:
        return Inserted({})
    rows = [
        {
            "id": s.id,
            "stored": s.stored,
            "timestamp": s.timestamp,
            "verb_id": s.verb_id,
            "actor_key": s.actor_key,
            "object_kind": s.object_kind,
            # Only a StatementRef's target is looked up by the object (``referrers``);
            # an activity's or agent's identity is in the statement's index rows
            # already, and would be a second copy of it in every row.
            "object_key": s.object_key if s.object_kind == "StatementRef" else None,
            "registration": s.registration,
            "voided": False,
            "voids_id": s.voids_id,
            "version": s.version,
            "authority_key": s.authority_key,
            "payload": s.payload,
        }
        for s in statements
    ]
    # Core inserts on the tables skip the ORM's per-row bookkeeping (hot path).
    result = session.execute(_INSERT, rows)
    seqs = {row.id: row.seq for row in result}
    agent_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    term_rows: list[dict[str, Any]] = []
    keys: dict[int, str] = {}
    for s in statements:
        seq = seqs[s.id]
        agent_rows += _agent_rows(seq, s.index)
        activity_rows += _activity_rows(seq, s.index)
        term_rows += _term_rows(seq, s.index)
        add_keys(keys, s.index.keys)
    few = len(agent_rows) + len(activity_rows) + len(term_rows) <= FEW_ROWS
    inserted = Inserted(
        seqs,
        [(table(StatementAgent), agent_rows), (table(StatementActivity), activity_rows),
         (table(StatementRefTerm), term_rows)],
        _key_rows(keys),
    )  # fmt: skip
    if later and few:
        return inserted
    with pipelined(session, when=few):
        write_index_rows(session, inserted)
    return inserted


def write_index_rows(session: Session, inserted: Inserted) -> None:
    """Write the index rows ``insert_statements`` left waiting (writes only)."""
    _record_keys(session, inserted.keys)
    for into, rows in inserted.waiting:
        insert_rows(session, into, rows)
    inserted.waiting = []
    inserted.keys = []


def _agent_rows(seq: int, rows: IndexRows) -> list[dict[str, Any]]:
    return [{"seq": seq, "agent_number": n, "role": role} for n, role in set(rows.agents)]


def _activity_rows(seq: int, rows: IndexRows) -> list[dict[str, Any]]:
    return [{"seq": seq, "activity_number": n, "role": role} for n, role in set(rows.activities)]


def _term_rows(seq: int, rows: IndexRows) -> list[dict[str, Any]]:
    return [{"seq": seq, "kind": kind, "term": term} for kind, term in set(rows.ref_terms)]


def _key_rows(keys: dict[int, str]) -> list[dict[str, Any]]:
    # In the order of their numbers: concurrent writers of the same new keys wait for
    # each other in one order (no deadlock).
    return [{"number": number, "key": keys[number]} for number in sorted(keys)]


def _record_keys(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record the text of each number (those already known are skipped). Another text
    under a number already taken breaks ``index_key``'s primary key: the write fails
    rather than have one number stand for two agents or activities."""
    insert_new(session, table(IndexKey), rows, key=["key"])


def owns(number: int, text: str) -> Any:
    """The condition that ``text`` owns ``number`` in ``index_key``: with it, a filter
    by a text that was never stored matches nothing, whatever its number."""
    return select(IndexKey.number).where(IndexKey.number == number, IndexKey.key == text).exists()


def index_rows_of(session: Session, statement_id: str) -> IndexRows | None:
    """Everything a statement matches on, for statements that target it by StatementRef."""
    found = session.execute(
        select(Statement.seq, Statement.verb_id, Statement.registration).where(
            Statement.id == statement_id
        )
    ).first()
    if found is None:
        return None
    agents = session.execute(
        select(StatementAgent.agent_number, StatementAgent.role).where(
            StatementAgent.seq == found.seq
        )
    ).all()
    activities = session.execute(
        select(StatementActivity.activity_number, StatementActivity.role).where(
            StatementActivity.seq == found.seq
        )
    ).all()
    terms = session.execute(
        select(StatementRefTerm.kind, StatementRefTerm.term).where(
            StatementRefTerm.seq == found.seq
        )
    ).all()
    ref_terms = [(row.kind, row.term) for row in terms]
    ref_terms.append(("verb", found.verb_id))
    if found.registration:
        ref_terms.append(("registration", found.registration))
    return IndexRows(
        agents=[(row.agent_number, row.role) for row in agents],
        activities=[(row.activity_number, row.role) for row in activities],
        ref_terms=ref_terms,
    )


def add_index_rows(session: Session, seq: int, rows: IndexRows) -> None:
    """Add inherited index rows to an already stored statement (skipping ones it has)."""
    _record_keys(session, _key_rows(rows.keys))
    insert_ignore(session, table(StatementAgent), _agent_rows(seq, rows))
    insert_ignore(session, table(StatementActivity), _activity_rows(seq, rows))
    insert_ignore(session, table(StatementRefTerm), _term_rows(seq, rows))


def referrers(session: Session, statement_ids: Iterable[str]) -> list[tuple[int, str, str]]:
    """(seq, id, target id) of stored statements whose object is a StatementRef to an id."""
    wanted = list(set(statement_ids))
    if not wanted:
        return []
    rows = session.execute(_REFERRERS, {"ids": wanted})
    return [(row.seq, row.id, row.object_key) for row in rows]


def voided_among(session: Session, statement_ids: Iterable[str]) -> set[str]:
    """Those ids that a stored voiding statement already targets."""
    wanted = list(set(statement_ids))
    if not wanted:
        return set()
    rows = session.execute(_VOIDED_AMONG, {"ids": wanted})
    return {row.voids_id for row in rows}


def mark_voided(session: Session, statement_ids: Iterable[str]) -> None:
    wanted = list(set(statement_ids))
    if wanted:
        session.execute(update(Statement).where(Statement.id.in_(wanted)).values(voided=True))


def voiding_kinds(session: Session, statement_ids: Iterable[str]) -> dict[str, str | None]:
    """For each stored id: the id it voids (a voiding statement) or None."""
    wanted = list(set(statement_ids))
    if not wanted:
        return {}
    rows = session.execute(_VOIDING_KINDS, {"ids": wanted})
    return {row.id: row.voids_id for row in rows}


def get_one(session: Session, statement_id: str, *, voided: bool) -> dict[str, Any] | None:
    """The statement with this id if its voided state is ``voided``."""
    row = session.execute(
        select(Statement.payload).where(Statement.id == statement_id, Statement.voided == voided)
    ).first()
    return None if row is None else row.payload


def ids_of(session: Session, seqs: Iterable[int]) -> dict[int, str]:
    """The statement id of each of ``seqs`` (facts name statements by seq)."""
    wanted = list(seqs)
    if not wanted:
        return {}
    rows = session.execute(select(Statement.seq, Statement.id).where(Statement.seq.in_(wanted)))
    return {row.seq: row.id for row in rows}


def by_seq(session: Session, seq: int) -> tuple[str, dict[str, Any]] | None:
    """The id and the statement as stored of ``seq``, voided or not."""
    row = session.execute(select(Statement.id, Statement.payload).where(Statement.seq == seq))
    found = row.first()
    return None if found is None else (found.id, found.payload)


def newest_seq(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Statement.seq), 0))).scalar_one())


@dataclass(frozen=True)
class Found:
    """A statement of a GET /statements page: its seq, when it was stored, and its JSON
    as stored (``statement_json``)."""

    seq: int
    stored: dt.datetime
    json: bytes


def statement_json(payload: bytes) -> bytes:
    """A statement's JSON (UTF-8) from its payload column as stored: what a page sends
    as it is, or decodes when it reshapes the statement."""
    return payloads.utf8_of(payload)


def find(session: Session, query: StatementQuery) -> list[Found]:
    """Up to ``query.limit + 1`` matching statements, in query order."""
    statement, seq, joined, window, alternatives = _filtered(session, query, stored_in_sql=False)
    statement = statement.add_columns(Statement.stored)
    order = seq.asc() if query.ascending else seq.desc()
    wanted = query.limit + 1
    # An agent may match one statement in several roles: rows come in seq order straight
    # from the index, and repeats of a statement are dropped here rather than by a
    # GROUP BY, which would have to read every match before returning the first page.
    # Likewise the `stored` bounds of since/until are checked here (see _stored_bounds).
    found: dict[int, Any] = {}
    after = query.after_seq
    size = wanted
    # Each query walks the index of its filter in seq order from where the last page
    # stopped, on PostgreSQL too, whatever it expects to find (see in_index_order).
    with in_index_order(session):
        while True:
            page = statement if after is None else statement.where(_beyond(seq, after, query))
            rows = session.execute(_first(page, order, size, alternatives, query.ascending)).all()
            for row in rows:
                if row.payload is not None:  # null: outside the since/until window
                    found.setdefault(row.seq, row)
            repeats = joined or window or alternatives
            if len(found) >= wanted or len(rows) < size or not repeats:
                break
            after = rows[-1].seq
            # The edges of a since/until window hold a few seconds of statements that fall
            # just outside it: walk past them in growing steps.
            size = min(size * 2, MAX_WALK_STEP)
    return [
        Found(row.seq, row.stored, statement_json(row.payload))
        for row in list(found.values())[:wanted]
    ]


def _first(
    page: Select[Any], order: Any, size: int, alternatives: list[list[Any]], ascending: bool
) -> Select[Any]:
    """The first ``size`` rows of ``page`` in ``order``, where each list of
    ``alternatives`` is a condition of which one must hold.

    Written as an OR, a verb that statements also inherit through a StatementRef
    (``verb_id = v OR seq IN (...)``) can use no index in seq order: the database reads
    the table backwards and skips what does not match, or collects every match and sorts
    it, for every page. Each combination of alternatives instead reads its own index in
    seq order, and the first ``size`` of their union are taken (a statement matching
    several comes more than once: the caller keeps the first).
    """
    if not alternatives:
        return page.order_by(order).limit(size)
    parts = [
        select(page.where(*combination).order_by(order).limit(size).subquery())
        for combination in itertools.product(*alternatives)
    ]
    union = union_all(*parts).subquery()
    return (
        select(union).order_by(union.c.seq.asc() if ascending else union.c.seq.desc()).limit(size)
    )


def _beyond(seq: Any, after: int, query: StatementQuery) -> Any:
    return seq > after if query.ascending else seq < after


def matching(session: Session, query: StatementQuery) -> Select[Any]:
    """``select(seq, payload as JSON text)`` of the statements matching ``query``'s filters and seq
    bounds, each once, unordered and unlimited: for callers that page through it."""
    statement, seq, joined, _window, alternatives = _filtered(session, query, stored_in_sql=True)
    statement = statement.where(*(or_(*choices) for choices in alternatives))
    if query.after_seq is not None:
        statement = statement.where(_beyond(seq, query.after_seq, query))
    return statement.group_by(Statement.seq, seq) if joined else statement


def _filtered(
    session: Session, query: StatementQuery, *, stored_in_sql: bool
) -> tuple[Select[Any], Any, bool, StoredWindow | None, list[list[Any]]]:
    """The select of matching (seq, payload as stored), the seq column that orders it, whether
    an index table is joined (then a statement can come more than once), the
    since/until window when ``stored_in_sql`` is false and the select leaves it out of its
    conditions (then a row outside it comes with a null payload), and the conditions left out
    of the select of which one of each list must hold (a verb or registration of its own,
    or inherited through a StatementRef).

    An agent or activity filter drives the query from its index table, whose
    (key, seq, role) index yields rows already in seq order: the first page of a rare
    agent costs as little as that of a common one. The seq bounds of paging apply to the
    driving column so that page N starts where page N-1 ended, without a scan.
    """
    stored: Any = payloads.as_stored(Statement.payload).label("payload")
    statement: Select[Any] = select(Statement.seq).add_columns(stored)
    seq: Any = Statement.seq
    conditions: list[Any] = [] if query.include_voided else [Statement.voided.is_(False)]
    joined = False
    alternatives: list[list[Any]] = []
    if query.agent_key is not None:
        agents = aliased(StatementAgent)
        statement = statement.join(agents, agents.seq == Statement.seq)
        number = key_number(query.agent_key)
        conditions.append(agents.agent_number == number)
        conditions.append(owns(number, query.agent_key))
        if not query.related_agents:
            conditions.append(agents.role.in_(role_codes(DIRECT_AGENT_ROLES)))
        seq, joined = agents.seq, True
    if query.activity_id is not None:
        activities = aliased(StatementActivity)
        statement = statement.join(activities, activities.seq == Statement.seq)
        number = key_number(query.activity_id)
        conditions.append(activities.activity_number == number)
        conditions.append(owns(number, query.activity_id))
        if not query.related_activities:
            conditions.append(activities.role.in_(role_codes(DIRECT_ACTIVITY_ROLES)))
        if not joined:
            seq = activities.seq
        joined = True
    for column, kind, value in (
        (Statement.verb_id, "verb", query.verb_id),
        (Statement.registration, "registration", query.registration),
    ):
        if value is not None:
            choices = _own_or_inherited(session, column, kind, value)
            if len(choices) == 1:
                conditions += choices
            else:
                alternatives.append(choices)
    if query.authority_key is not None:
        conditions.append(Statement.authority_key == query.authority_key)
    bounds, window = _stored_bounds(session, query, seq, stored_in_sql=stored_in_sql)
    conditions += bounds
    if window is not None:
        # The rows just outside the window that the caller walks past (up to a couple of
        # seconds of statements) come with a null payload: neither their text nor their
        # `stored` is read into Python.
        inside = [
            condition
            for condition in (
                None if window.since is None else Statement.stored > window.since,
                None if window.until is None else Statement.stored <= window.until,
            )
            if condition is not None
        ]
        payload = payloads.as_stored(case((and_(*inside), Statement.payload), else_=None))
        statement = statement.with_only_columns(Statement.seq, payload.label("payload"))
    if query.max_seq is not None:
        conditions.append(seq <= query.max_seq)
    return statement.where(*conditions), seq, joined, window, alternatives


# How far `stored` may run behind `seq` order in ordinary ingest: `stored` is stamped in
# the write transaction just before the insert that takes the seq, so concurrent writers
# interleave by at most that gap. Statements imported with older `stored` times raise
# the OUT_OF_ORDER flag, after which since/until bounds are computed exactly.
STORED_ORDER_MARGIN = dt.timedelta(seconds=2)
OUT_OF_ORDER = "stored_out_of_order"
# The most rows one step of a since/until walk reads past the edges of its window.
MAX_WALK_STEP = 5000


@dataclass(frozen=True)
class StoredWindow:
    """The `stored` interval of since/until: (since, until]."""

    since: dt.datetime | None
    until: dt.datetime | None


def _stored_bounds(
    session: Session, query: StatementQuery, seq: Any, *, stored_in_sql: bool
) -> tuple[list[Any], StoredWindow | None]:
    """Seq bounds that let the database scan only the part of the table that can match
    since/until, with the `stored` conditions themselves, or the window to check on
    each row (in the select list, where it steers no plan).

    While seq and stored agree, nearly every statement between the seq bounds matches,
    and a page is the first rows of a walk along `seq`: then the `stored` conditions are
    left out of the SQL (when the caller checks them), because a planner that sees them
    may pick the (stored, seq) index instead, read every statement of the window and
    sort them; at a thousand statements a second a one-minute window is 60,000 rows.
    """
    if query.since is None and query.until is None:
        return [], None
    in_order = session.get(StoreFlag, OUT_OF_ORDER) is None
    low, high = _bounds_in_order(session, query) if in_order else _bounds_exact(session, query)
    conditions: list[Any] = []
    if low is not None:
        conditions.append(seq > low)
    if high is not None:
        conditions.append(seq < high)
    if in_order and not stored_in_sql:
        return conditions, StoredWindow(query.since, query.until)
    if query.since is not None:
        conditions.append(Statement.stored > query.since)
    if query.until is not None:
        conditions.append(Statement.stored <= query.until)
    return conditions, None


def _bounds_in_order(session: Session, query: StatementQuery) -> tuple[int | None, int | None]:
    # While seq and stored agree up to the margin: every match comes after the newest
    # statement stored a margin before `since`, and before the oldest one stored a margin
    # after `until`. Two probes of the (stored, seq) index.
    low = high = None
    # Near the ends of the calendar the margin has no room: then no probe bounds the scan.
    if query.since is not None and query.since > dt.datetime.min.replace(tzinfo=dt.UTC) + (
        STORED_ORDER_MARGIN
    ):
        low = session.execute(
            select(Statement.seq)
            .where(Statement.stored <= query.since - STORED_ORDER_MARGIN)
            .order_by(Statement.stored.desc(), Statement.seq.desc())
            .limit(1)
        ).scalar()
    if query.until is not None and query.until < dt.datetime.max.replace(tzinfo=dt.UTC) - (
        STORED_ORDER_MARGIN
    ):
        high = session.execute(
            select(Statement.seq)
            .where(Statement.stored > query.until + STORED_ORDER_MARGIN)
            .order_by(Statement.stored.asc(), Statement.seq.asc())
            .limit(1)
        ).scalar()
    return _tightened(session, query, low, high)


def _tightened(
    session: Session, query: StatementQuery, low: int | None, high: int | None
) -> tuple[int | None, int | None]:
    # The probes leave a margin of statements outside the window at each end, which a
    # page would read and drop: at a thousand statements a second, thousands of rows.
    # The statements stored within two margins inside each end say exactly where the
    # matches start and stop, as long as one of them lies within one margin of the end:
    # every match farther inside was stored more than a margin apart from it.
    margin = STORED_ORDER_MARGIN
    if query.until is not None and query.until > dt.datetime.min.replace(tzinfo=dt.UTC) + (
        2 * margin
    ):
        last, latest = session.execute(
            select(func.max(Statement.seq + 0), func.max(Statement.stored)).where(
                Statement.stored > query.until - 2 * margin, Statement.stored <= query.until
            )
        ).one()
        if latest is not None and latest > query.until - margin:
            high = last + 1 if high is None else min(high, last + 1)
    if query.since is not None and query.since < dt.datetime.max.replace(tzinfo=dt.UTC) - (
        2 * margin
    ):
        first, earliest = session.execute(
            select(func.min(Statement.seq + 0), func.min(Statement.stored)).where(
                Statement.stored > query.since, Statement.stored <= query.since + 2 * margin
            )
        ).one()
        if earliest is not None and earliest <= query.since + margin:
            low = first - 1 if low is None else max(low, first - 1)
    return low, high


def _bounds_exact(session: Session, query: StatementQuery) -> tuple[int | None, int | None]:
    # The first and last seq stored inside the window, from the (stored, seq) index alone
    # (`+ 0` keeps the aggregates off the seq key): with both ends given this reads the
    # window's entries only, not every statement stored after `since` or before `until`.
    window: list[Any] = []
    if query.since is not None:
        window.append(Statement.stored > query.since)
    if query.until is not None:
        window.append(Statement.stored <= query.until)
    first, last = session.execute(
        select(func.min(Statement.seq + 0), func.max(Statement.seq + 0)).where(*window)
    ).one()
    if first is None:
        return 2**62, 0  # nothing was stored in the window
    low = first - 1 if query.since is not None else None
    high = last + 1 if query.until is not None else None
    return low, high


def note_out_of_order(session: Session, now: dt.datetime) -> None:
    """Record that statements were stored with `stored` times from the past (imports)."""
    insert_ignore(session, table(StoreFlag), [{"name": OUT_OF_ORDER, "raised": now}])


def _own_or_inherited(session: Session, column: Any, kind: str, value: str) -> list[Any]:
    """The conditions of which one must hold for a statement to have the term ``value``:
    its own ``column``, or (when there are any) the statements inheriting it."""
    # Statements inheriting a term through a StatementRef are rare: look them up first
    # so that the common case stays a plain indexed equality.
    inherited = list(
        session.execute(
            select(StatementRefTerm.seq).where(
                StatementRefTerm.kind == kind, StatementRefTerm.term == value
            )
        ).scalars()
    )
    if not inherited:
        return [column == value]
    return [column == value, Statement.seq.in_(inherited)]
