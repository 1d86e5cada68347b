"""Tables of the store, as SQLAlchemy 2 typed models.

One model set serves SQLite and PostgreSQL; the few type differences live in the
type map below (JSON becomes JSONB on PostgreSQL, integer keys become BIGINT). Schema
changes go through alembic migrations only.

The annotations are evaluated as each class is made (no ``from __future__ import
annotations``): SQLAlchemy reads the ``Mapped[...]`` types either way, and from strings it
must parse and evaluate each one again, which made importing the models (every command's
and every worker's start) a third slower.
"""

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lrs.store.payloads import Payload
from statements.vocabulary import AUTHORING, COMPLETED, CONTRIBUTE, RESPONDING

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


SerialKey = BigInteger().with_variant(Integer(), "sqlite")
JsonDocument = JSON().with_variant(JSONB(), "postgresql")
Bytes = LargeBinary().with_variant(BYTEA(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
        str: Text(),
        bytes: Bytes,
        float: Float(),
        bool: Boolean(),
    }


WITHOUT_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}
"""The table options of a table keyed by its values (index rows, tags, rollups): SQLite
keeps such a table as its primary key's B-tree alone, rather than as rows beside a copy
of their key in the key's index, which stored each row twice."""


def table(model: type[Base]) -> Table:
    """The Core table of a model, for bulk statements on the hot paths."""
    return cast(Table, model.__table__)


class Statement(Base):
    """One stored statement; ``seq`` orders statements by storage and pages ``more``."""

    __tablename__ = "statement"

    seq: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    stored: Mapped[dt.datetime]
    timestamp: Mapped[dt.datetime]
    verb_id: Mapped[str]
    actor_key: Mapped[str | None]
    object_kind: Mapped[str] = mapped_column(String(16))
    object_key: Mapped[str | None]
    """The target id of a StatementRef object; None for any other object."""
    registration: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(default=False)
    voids_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[str] = mapped_column(String(16))
    authority_key: Mapped[str | None]
    # The JSON text compressed (``lrs.store.payloads``), on both databases: the statement
    # is only ever read whole, never searched by its parts in SQL, and goes out to pages
    # and exports as the text it was stored as.
    payload: Mapped[dict[str, Any]] = mapped_column(Payload())

    __table_args__ = (
        Index("ix_statement_verb_seq", "verb_id", "seq"),
        # Partial indexes: only the few rows a lookup can want are indexed.
        Index(
            "ix_statement_registration_seq",
            "registration",
            "seq",
            sqlite_where=text("registration IS NOT NULL"),
            postgresql_where=text("registration IS NOT NULL"),
        ),
        Index("ix_statement_stored", "stored", "seq"),
        Index(
            "ix_statement_voids_id",
            "voids_id",
            sqlite_where=text("voids_id IS NOT NULL"),
            postgresql_where=text("voids_id IS NOT NULL"),
        ),
        Index(
            "ix_statement_object_key",
            "object_kind",
            "object_key",
            sqlite_where=text("object_kind = 'StatementRef'"),
            postgresql_where=text("object_kind = 'StatementRef'"),
        ),
        Index("ix_statement_authority_seq", "authority_key", "seq"),
    )


KeyNumber = BigInteger().with_variant(Integer(), "sqlite")
"""A key's number (``lrs.store.keys``): SQLite's INTEGER holds 64 bits, and as the
primary key of ``index_key`` it is the row's own id there, with no index beside it."""


class StatementAgent(Base):
    """Index row: an agent a statement mentions and in which role (actor, object, ...),
    both as numbers (``lrs.store.keys``)."""

    __tablename__ = "statement_agent"

    seq: Mapped[int] = mapped_column(SerialKey, ForeignKey("statement.seq", ondelete="CASCADE"))
    agent_number: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[int] = mapped_column(SmallInteger)

    # The key is (key, seq, role): a filter reads matches in seq order and checks the
    # role in the key itself. SQLite keeps such a table as that key alone (no rowid), so
    # the rows are not stored a second time beside their index; the seq index serves
    # deletes and StatementRef inheritance. Numbers rather than the texts make each row
    # and each index entry a few fixed-width values.
    __table_args__ = (
        PrimaryKeyConstraint("agent_number", "seq", "role"),
        Index("ix_statement_agent_seq", "seq"),
        WITHOUT_ROWID,
    )


class StatementActivity(Base):
    """Index row: an activity a statement mentions and in which role (object, parent, ...),
    both as numbers (``lrs.store.keys``)."""

    __tablename__ = "statement_activity"

    seq: Mapped[int] = mapped_column(SerialKey, ForeignKey("statement.seq", ondelete="CASCADE"))
    activity_number: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[int] = mapped_column(SmallInteger)

    # Keyed as StatementAgent is, for the same reasons.
    __table_args__ = (
        PrimaryKeyConstraint("activity_number", "seq", "role"),
        Index("ix_statement_activity_seq", "seq"),
        WITHOUT_ROWID,
    )


class IndexKey(Base):
    """The text of each agent key and activity IRI the index rows name by number: one
    text per number, so a second text with the same number is refused."""

    __tablename__ = "index_key"

    number: Mapped[int] = mapped_column(KeyNumber, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(unique=True)


class StatementRefTerm(Base):
    """Verb and registration a statement inherits from the statement it targets.

    A statement whose object is a StatementRef matches a query filter when its target
    does (xAPI-Communication 2.1.3, applied recursively); agents and activities are
    inherited as ordinary index rows, verbs and registrations land here.
    """

    __tablename__ = "statement_ref_term"

    seq: Mapped[int] = mapped_column(
        SerialKey, ForeignKey("statement.seq", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    term: Mapped[str] = mapped_column(primary_key=True)

    __table_args__ = (Index("ix_statement_ref_term_kind_term", "kind", "term"), WITHOUT_ROWID)


class Activity(Base):
    """The LRS's canonical definition of an activity, merged from statements."""

    __tablename__ = "activity"

    activity_id: Mapped[str] = mapped_column(primary_key=True)
    definition: Mapped[dict[str, Any] | None]
    updated: Mapped[dt.datetime]


class Agent(Base):
    """Every agent or identified group seen, by identity key, with its latest form."""

    __tablename__ = "agent"

    agent_key: Mapped[str] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None]
    ifi: Mapped[dict[str, Any]]
    updated: Mapped[dt.datetime]


class Person(Base):
    """A human behind one or more agent identifiers (an LMS account, a blog's mbox, a
    wiki account...). ``key`` is the canonical key of one of its identifiers: the one the
    dashboards' facts and rollups count the person under (``actor_key``). ``team_source``
    says where ``team`` came from: ``statement`` (context.team), ``mapping`` or ``set``."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str | None]
    team: Mapped[str | None]
    team_source: Mapped[str | None] = mapped_column(String(16))
    created: Mapped[dt.datetime]


class PersonIdentifier(Base):
    """An inverse functional identifier (canonical agent key) and the person it belongs
    to; each identifier belongs to exactly one person."""

    __tablename__ = "person_identifier"

    key: Mapped[str] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(SerialKey, ForeignKey("person.id"), index=True)
    name: Mapped[str | None]
    created: Mapped[dt.datetime]


class PersonChange(Base):
    """The audit trail of persons: each merge or split, who made it and what moved.

    ``person_id`` is the person that stays (merge) or is split; ``other_id`` the person
    merged away or split off; ``identifiers`` the keys that moved; ``detail`` the keys,
    names and teams before the change, so that a split can undo a merge exactly."""

    __tablename__ = "person_change"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int] = mapped_column(SerialKey, index=True)
    other_id: Mapped[int | None] = mapped_column(SerialKey)
    identifiers: Mapped[list[Any]]
    by: Mapped[str]
    detail: Mapped[dict[str, Any]]


class Attachment(Base):
    """Attachment content, addressed by its SHA-2 hash and shared by statements."""

    __tablename__ = "attachment"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str]
    length: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes]


class Document(Base):
    """A state, activity profile or agent profile document.

    Absent key parts are stored as empty strings so that the unique key holds on both
    databases (NULLs never collide in a unique index).
    """

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    activity_id: Mapped[str] = mapped_column(default="")
    agent_key: Mapped[str] = mapped_column(default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    document_id: Mapped[str]
    content_type: Mapped[str]
    content: Mapped[bytes]
    etag: Mapped[str] = mapped_column(String(64))
    updated: Mapped[dt.datetime]

    __table_args__ = (
        Index(
            "uq_document_key",
            "kind",
            "activity_id",
            "agent_key",
            "registration",
            "document_id",
            unique=True,
        ),
    )


class Credential(Base):
    """An xAPI client credential: key, hashed secret, scopes and the authority it stamps."""

    __tablename__ = "credential"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    secret_hash: Mapped[str]
    name: Mapped[str]
    scopes: Mapped[list[Any]]
    authority: Mapped[dict[str, Any]]
    created: Mapped[dt.datetime]
    revoked: Mapped[dt.datetime | None]


class DashboardUser(Base):
    """A person who logs in to the dashboards (separate from xAPI credentials).

    ``role``: ``admin`` (everything), ``manager`` (the facts of ``teams``) or ``member``
    (the facts of the person who holds ``person_identifier``, a canonical agent key: an
    identifier moves with a merge, so the link follows the person). ``subject``: the
    ``issuer sub`` of an OpenID Connect identity signed in as this user. An empty
    ``password_hash`` signs in only through the identity provider.
    """

    __tablename__ = "dashboard_user"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    teams: Mapped[list[Any]] = mapped_column(server_default="[]")
    person_identifier: Mapped[str | None]
    subject: Mapped[str | None] = mapped_column(String(512), unique=True)
    created: Mapped[dt.datetime]


class DashboardSession(Base):
    """A signed-in dashboards session; the cookie holds its token, the row its hash.

    Deleting the row ends the session on every worker (logout, `lrs users end-sessions`).
    """

    __tablename__ = "dashboard_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        SerialKey, ForeignKey("dashboard_user.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[dt.datetime]
    expires: Mapped[dt.datetime] = mapped_column(index=True)


class SignInFailure(Base):
    """Failed sign-ins of one subject (``key:…``, ``user:…`` or ``address:…``), shared by
    every worker: the count since the subject was last quiet and how long it is refused."""

    __tablename__ = "sign_in_failure"

    subject: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int]
    last_failed: Mapped[dt.datetime] = mapped_column(index=True)
    blocked_until: Mapped[dt.datetime | None]


class StoreFlag(Base):
    """A named fact about the whole store, present or absent (e.g. that statements were
    imported with `stored` times older than statements stored before them)."""

    __tablename__ = "store_flag"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    raised: Mapped[dt.datetime]


class ServerSecret(Base):
    """A random secret of the whole server, made once and shared by every worker and
    machine through the database (e.g. the key that signs `more` paging tokens)."""

    __tablename__ = "server_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created: Mapped[dt.datetime]


class ImportCursor(Base):
    """Where an importer stopped for one source, so a re-run resumes there."""

    __tablename__ = "import_cursor"

    source: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[str]
    updated: Mapped[dt.datetime]


AUTHORED_FACTS = text(
    f"concept IN ({', '.join(repr(concept) for concept in AUTHORING)}) AND source_kind = 'informal'"
)
ANSWER_FACTS = text(f"concept IN ({', '.join(repr(concept) for concept in RESPONDING)})")
COMPLETION_FACTS = text(
    f"concept IN ({', '.join(repr(concept) for concept in COMPLETED)}) AND course_id IS NOT NULL"
)
CONTRIBUTION_FACTS = text(
    f"concept IN ({', '.join(repr(concept) for concept in CONTRIBUTE)})"
    " AND source_kind = 'informal' AND content_id IS NOT NULL"
)
"""The facts of ``ix_learning_fact_contributions`` (``lrs.insight._sql.contributing``):
informal contributions on a piece of content."""
SCORED_FACTS = text("score_scaled IS NOT NULL")
"""The facts of ``ix_learning_fact_scored``: those with a scaled score."""
"""The facts of ``ix_learning_fact_completions`` (``lrs.insight._sql.completing``)."""
"""The facts of ``ix_learning_fact_answers`` (``lrs.insight._sql.answering``)."""
"""The facts of ``ix_learning_fact_authored``: a query reaches the index with these
conditions written with their values inline (``lrs.insight._sql.authored``)."""


class LearningFact(Base):
    """One narrow row per stored, non-voided statement for the dashboards.

    Written in the ingest transaction from ``statements.vocabulary`` so that no dashboard
    ever reads ``statement.payload``.
    """

    __tablename__ = "learning_fact"

    seq: Mapped[int] = mapped_column(
        SerialKey, ForeignKey("statement.seq", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date]
    hour: Mapped[int] = mapped_column(SmallInteger)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    timestamp: Mapped[dt.datetime]
    actor_key: Mapped[str]
    actor_name: Mapped[str | None]
    verb_id: Mapped[str]
    concept: Mapped[str] = mapped_column(String(32))
    activity_id: Mapped[str | None]
    activity_type: Mapped[str | None]
    activity_name: Mapped[str | None]
    content_id: Mapped[str | None]
    source_kind: Mapped[str] = mapped_column(String(8))
    base_kind: Mapped[str] = mapped_column(String(8))
    """The kind the vocabulary alone gives, before the administrator's rules."""
    space_id: Mapped[str | None]
    course_id: Mapped[str | None]
    """The course the statement is about or happens in (``statements.vocabulary``), or
    the course its registration belongs to; None outside courses."""
    named_course: Mapped[str | None]
    """The course the statement names by type, before rules and registration."""
    platform: Mapped[str | None]
    team: Mapped[str | None]
    registration: Mapped[str | None] = mapped_column(String(36))
    opens_registration: Mapped[bool] = mapped_column(server_default=false())
    """The first stored fact of its registration: an enrolment (cmi5 sends no
    ``registered``; a registration is one enrolment of a learner in a course)."""
    score_scaled: Mapped[float | None]
    success: Mapped[bool | None]
    completion: Mapped[bool | None]
    duration_seconds: Mapped[float | None]

    __table_args__ = (
        # Covering indexes: the dashboards' grouped scans read these narrow entries and
        # never the wide rows (names, timestamps), which cost one random read each.
        Index(
            "ix_learning_fact_scan",
            *("day", "team", "source_kind", "concept", "activity_id", "content_id", "actor_key"),
        ),
        # A person's facts by day with what they were on: what people read or wrote
        # from a day on, from the index alone.
        Index(
            "ix_learning_fact_actor_day", "actor_key", "day", "source_kind", "concept", "content_id"
        ),
        # An activity's kind and people, over all days or a range of them, index only.
        Index("ix_learning_fact_activity", "activity_id", "source_kind", "actor_key", "day"),
        Index("ix_learning_fact_space_concept", "space_id", "concept"),
        # Who completed a course and when, from the index alone.
        Index(
            "ix_learning_fact_course_concept",
            "course_id",
            "concept",
            "source_kind",
            "actor_key",
            "day",
        ),
        Index("ix_learning_fact_registration", "registration", "seq"),
        # Scores, and the seq that joins the tags of informal facts.
        Index("ix_learning_fact_kind_day", "source_kind", "day", "team", "score_scaled", "seq"),
        # The facts with a score (a few in ten formal facts): the score distribution
        # reads only them, from the index alone; partial.
        Index(
            "ix_learning_fact_scored",
            *("source_kind", "day", "team", "score_scaled"),
            sqlite_where=SCORED_FACTS,
            postgresql_where=SCORED_FACTS,
        ),
        Index(
            "ix_learning_fact_content_concept",
            *("content_id", "concept", "source_kind", "actor_key", "day", "team"),
        ),
        # Completions and contributions with their time, content and the seq that joins
        # the tags.
        Index(
            "ix_learning_fact_concept_day",
            *(
                "concept",
                "day",
                "source_kind",
                "team",
                "actor_key",
                "timestamp",
                "seq",
                "content_id",
            ),
        ),
        Index("ix_learning_fact_timestamp_seq", "timestamp", "seq"),
        Index("ix_learning_fact_team_timestamp", "team", "timestamp", "seq"),
        # Informal posts, pages and questions written, with their time (response times),
        # index only; partial: a few facts in a hundred.
        Index(
            "ix_learning_fact_authored",
            *("concept", "source_kind", "day", "team", "actor_key", "activity_id", "timestamp"),
            sqlite_where=AUTHORED_FACTS,
            postgresql_where=AUTHORED_FACTS,
        ),
        # Each piece of content's comments and replies in time order (its first answer
        # by someone other than its author); partial.
        Index(
            "ix_learning_fact_answers",
            *("content_id", "timestamp", "actor_key"),
            sqlite_where=ANSWER_FACTS,
            postgresql_where=ANSWER_FACTS,
        ),
        # Each person's contributions on each piece of content with their times
        # (completion to contribution), index only, in (person, content) order; partial:
        # a few facts in ten.
        Index(
            "ix_learning_fact_contributions",
            *("actor_key", "content_id", "timestamp", "team", "source_kind", "concept"),
            sqlite_where=CONTRIBUTION_FACTS,
            postgresql_where=CONTRIBUTION_FACTS,
        ),
        # The completions of courses (of any source kind) by person and course: the
        # courses each person completed in a range, index only; partial.
        Index(
            "ix_learning_fact_completions",
            *("actor_key", "course_id", "day", "team"),
            sqlite_where=COMPLETION_FACTS,
            postgresql_where=COMPLETION_FACTS,
        ),
    )


class LearningFactTag(Base):
    """A tag (topic) of a fact, from context activities of a tag type; for topic charts."""

    __tablename__ = "learning_fact_tag"

    seq: Mapped[int] = mapped_column(
        SerialKey, ForeignKey("learning_fact.seq", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(primary_key=True)

    __table_args__ = (Index("ix_learning_fact_tag_tag", "tag", "seq"), WITHOUT_ROWID)


class DailyActivity(Base):
    """Daily rollup of facts by every filter dimension except person and activity.

    Kept current in the ingest transaction (incremented by ``facts.record``, decremented
    by ``facts.forget`` on voiding). Absent team/platform are stored as ``""`` so that
    the key is unique on both databases.
    """

    __tablename__ = "daily_activity"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    verb_id: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(primary_key=True)
    concept: Mapped[str] = mapped_column(String(32))
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        # One kind's rows by day and concept (informal work over time), index only.
        Index(
            "ix_daily_activity_kind_day",
            *("source_kind", "day", "concept", "team", "platform", "verb_id", "statements"),
        ),
        WITHOUT_ROWID,
    )


ACTOR_DAY_COLUMNS = ("actor_key", "day", "team", "statements", "formal", "informal",
                     "contributions", "reactions", "scores", "score_sum", "actor_name")  # fmt: skip
CONTENT_ROLLUP_COLUMNS = ("activity_type", "content_id", "team", "statements")
"""Index columns of ``content_day`` and ``content_month`` after concept and period: a
ranking reads one concept's rows over a range, index only."""
COURSE_PROGRESS_COLUMNS = ("course", "actor_key", "day", "team", "enrolled", "started",
                           "completed", "passed", "failed", "statements", "timed", "seconds",
                           "attempt_seconds", "best_score", "actor_name", "satisfied")  # fmt: skip


class ActorDay(Base):
    """Per (day, person, team) counts for distinct-people and per-person dashboard figures.

    Kept current in the ingest transaction like ``daily_activity``; ``contributions`` and
    ``reactions`` count informal statements of the contribute and react concepts. Absent
    team is ``""``.
    """

    __tablename__ = "actor_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    actor_name: Mapped[str | None]
    statements: Mapped[int] = mapped_column(BigInteger)
    formal: Mapped[int] = mapped_column(BigInteger)
    informal: Mapped[int] = mapped_column(BigInteger)
    contributions: Mapped[int] = mapped_column(BigInteger)
    reactions: Mapped[int] = mapped_column(BigInteger)
    scores: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[float]

    __table_args__ = (
        Index("ix_actor_day_team_day", "team", "day", "actor_key"),
        # Per-person sums (top people, participation, scores) read this in person order
        # without touching the table.
        Index("ix_actor_day_actor", *ACTOR_DAY_COLUMNS),
        WITHOUT_ROWID,
    )


class ActorInformalMonth(Base):
    """Per (calendar month, person, team) the person's informal facts, contributions and
    reactions (``actor_day``'s informal counts summed per month; only rows with informal
    facts): the knowledge page's participation and contributors read whole months here,
    so that an all-time ranking of people grows with the months, not the days. Kept in
    the ingest transaction; removing facts takes them out."""

    __tablename__ = "actor_informal_month"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    informal: Mapped[int] = mapped_column(BigInteger)
    contributions: Mapped[int] = mapped_column(BigInteger)
    reactions: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        # Per-person sums in person order, index only.
        Index(
            "ix_actor_informal_month_actor",
            *("actor_key", "month", "team", "informal", "contributions", "reactions"),
        ),
        WITHOUT_ROWID,
    )


ACTOR_MONTH_COLUMNS = ("actor_key", "month", "team", "statements", "formal", "informal",
                       "actor_name", "contributions", "scores", "score_sum")  # fmt: skip


class ActorMonth(Base):
    """Per (calendar month, person, team) the person's facts, formal and informal, its
    name (the greatest), informal contributions and formal scores (``actor_day`` summed
    per month; only rows with facts): the people picker, the most active people and
    contribution against results read whole months here, so that an all-time ranking of
    people grows with the months, not the days. Kept in the ingest transaction; removing
    facts recounts the months they were in from ``actor_day``."""

    __tablename__ = "actor_month"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)
    formal: Mapped[int] = mapped_column(BigInteger)
    informal: Mapped[int] = mapped_column(BigInteger)
    actor_name: Mapped[str | None]
    contributions: Mapped[int] = mapped_column(BigInteger)
    scores: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[float]

    __table_args__ = (
        # Per-person sums in person order, index only.
        Index("ix_actor_month_actor", *ACTOR_MONTH_COLUMNS),
        WITHOUT_ROWID,
    )


COMPLETION_INDEX_COLUMNS = ("course", "actor_key", "day", "team", "completed_at",
                            "part_completed_at", "actor_name")  # fmt: skip
COMPLETED_ROWS = text("completed > 0")
MEASURED_INDEX_COLUMNS = ("course", "actor_key", "day", "team", "best_score", "seconds",
                          "attempt_seconds")  # fmt: skip
MEASURED_ROWS = text("best_score IS NOT NULL OR seconds != 0 OR attempt_seconds != 0")
LEARNER_STAGE_COLUMNS = ("enrolled", "started", "completed", "passed", "failed", "satisfied",
                         "statements")  # fmt: skip
LEARNER_SCORED_COLUMNS = ("course", "best_score")
LEARNER_SCORED_ROWS = text("best_score IS NOT NULL")
LEARNER_TIMED_COLUMNS = ("course", "seconds", "attempt_seconds", "actor_key")
LEARNER_TIMED_ROWS = text("seconds != 0 OR attempt_seconds != 0")
LEARNER_STALLED_COLUMNS = ("last_day", "actor_key", "course", "actor_name", "team")
LEARNER_STALLED_ROWS = text("started > 0 AND completed = 0")
LEARNER_COMPLETED_COLUMNS = ("course", "actor_key", "completed_at", "part_completed_at",
                             "completed_name")  # fmt: skip


class CourseProgress(Base):
    """Per (day, course, person, team) counts of formal facts for the course pages: how
    many enrol, start, complete, pass or fail it; timed session ends with their seconds,
    the seconds of attempt ends (completed, passed, failed), and the best scaled score of
    a pass or fail. The course is the fact's course/space, else its activity. Removing
    facts recomputes their rows."""

    __tablename__ = "course_progress"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    actor_name: Mapped[str | None]
    statements: Mapped[int] = mapped_column(BigInteger)
    enrolled: Mapped[int] = mapped_column(BigInteger)
    started: Mapped[int] = mapped_column(BigInteger)
    completed: Mapped[int] = mapped_column(BigInteger)
    passed: Mapped[int] = mapped_column(BigInteger)
    failed: Mapped[int] = mapped_column(BigInteger)
    timed: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float]
    attempt_seconds: Mapped[float]
    best_score: Mapped[float | None]
    satisfied: Mapped[int] = mapped_column(BigInteger, server_default="0")
    completed_at: Mapped[dt.datetime | None]
    """The time of the first completion (completed, passed...) on the course itself."""
    part_completed_at: Mapped[dt.datetime | None]
    """The time of the first completion on the course or any of its parts."""

    __table_args__ = (
        # Per (course, person) stages (funnel, stalled) stream in this order, index only.
        Index("ix_course_progress_course_actor", *COURSE_PROGRESS_COLUMNS),
        # Who completed which course when (completion to contribution), index only, in
        # (course, person) order: the rows that count a completion alone.
        Index(
            "ix_course_progress_completions",
            *COMPLETION_INDEX_COLUMNS,
            sqlite_where=COMPLETED_ROWS,
            postgresql_where=COMPLETED_ROWS,
        ),
        # The rows with a score or seconds, the only ones that change a pair's best score
        # or time (course funnel, time spent over a range), index only, in (course,
        # person) order: a quarter of the rows.
        Index(
            "ix_course_progress_measured",
            *MEASURED_INDEX_COLUMNS,
            sqlite_where=MEASURED_ROWS,
            postgresql_where=MEASURED_ROWS,
        ),
        WITHOUT_ROWID,
    )


class CourseLearner(Base):
    """Per (course, person) the same counts as ``course_progress`` over all days: what an
    all-time course question reads instead of grouping every day's rows. ``team`` is the
    greatest team the person's facts on the course name (``""``: none), ``first_day`` and
    ``last_day`` the days of the first and last of them, ``completed_last`` the day of
    the last completion, ``completed_at`` and ``part_completed_at`` the first completion
    times and ``completed_name`` the name of the days with a completion (the course's
    first completion per person, read rather than grouped from every day). Kept in the
    ingest transaction with ``course_progress``; removing facts recounts the pairs from
    it."""

    __tablename__ = "course_learner"

    course: Mapped[str] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str]
    actor_name: Mapped[str | None]
    statements: Mapped[int] = mapped_column(BigInteger)
    enrolled: Mapped[int] = mapped_column(BigInteger)
    started: Mapped[int] = mapped_column(BigInteger)
    completed: Mapped[int] = mapped_column(BigInteger)
    passed: Mapped[int] = mapped_column(BigInteger)
    failed: Mapped[int] = mapped_column(BigInteger)
    satisfied: Mapped[int] = mapped_column(BigInteger)
    timed: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float]
    attempt_seconds: Mapped[float]
    best_score: Mapped[float | None]
    first_day: Mapped[dt.date]
    last_day: Mapped[dt.date]
    completed_last: Mapped[dt.date | None]
    """The day of the last completion (None: never completed)."""
    completed_at: Mapped[dt.datetime | None]
    """The time of the first completion on the course itself (``course_progress``'s)."""
    part_completed_at: Mapped[dt.datetime | None]
    """The time of the first completion on the course or any of its parts."""
    completed_name: Mapped[str | None]
    """The greatest name of the days the person completed the course on."""

    __table_args__ = (
        # The all-time funnel's people per stage and statements of each course, in course
        # order from the index alone.
        Index("ix_course_learner_stages", "course", *LEARNER_STAGE_COLUMNS),
        # The completions of a set of courses (who knows about X) from the index alone.
        Index(
            "ix_course_learner_completions",
            *("course", "completed", "actor_key", "passed", "completed_last"),
        ),
        # The all-time medians of the course funnel and time spent read only the pairs
        # with a score, or with seconds, in course order from these.
        Index(
            "ix_course_learner_scored",
            *LEARNER_SCORED_COLUMNS,
            sqlite_where=LEARNER_SCORED_ROWS,
            postgresql_where=LEARNER_SCORED_ROWS,
        ),
        Index(
            "ix_course_learner_timed",
            *LEARNER_TIMED_COLUMNS,
            sqlite_where=LEARNER_TIMED_ROWS,
            postgresql_where=LEARNER_TIMED_ROWS,
        ),
        # The all-time stalled learners, longest idle first, a page and their count
        # from the index alone.
        Index(
            "ix_course_learner_stalled",
            *LEARNER_STALLED_COLUMNS,
            sqlite_where=LEARNER_STALLED_ROWS,
            postgresql_where=LEARNER_STALLED_ROWS,
        ),
        # Who completed which course first when (all-time completion to contribution),
        # index only: the pairs that completed alone.
        Index(
            "ix_course_learner_completed",
            *LEARNER_COMPLETED_COLUMNS,
            sqlite_where=COMPLETED_ROWS,
            postgresql_where=COMPLETED_ROWS,
        ),
        WITHOUT_ROWID,
    )


class RegistrationCourse(Base):
    """The course of each registration, from the first statement that names both: cmi5
    AUs name no course, the LMS's statements on the course (``satisfied``) do, and all
    share the registration (cmi5 9.6.1). Learned from every stored statement, voided or
    not, so that it never depends on voiding."""

    __tablename__ = "registration_course"

    registration: Mapped[str] = mapped_column(String(36), primary_key=True)
    course: Mapped[str]
    seq: Mapped[int] = mapped_column(SerialKey)

    __table_args__ = WITHOUT_ROWID


class HourlyActivity(Base):
    """Statements per (day, weekday, UTC hour, team), for the weekly rhythm chart."""

    __tablename__ = "hourly_activity"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class ContentDay(Base):
    """Per (day, content, team, concept, activity type) counts of informal facts on a
    piece of content, for the knowledge page's rankings (most read posts and pages, most
    edited, most discussed) without reading a fact row per view. ``activity_type`` is
    the fact's own activity's type (``""``: none). Kept in the ingest transaction;
    removing facts takes them out."""

    __tablename__ = "content_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    content_id: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    concept: Mapped[str] = mapped_column(String(32), primary_key=True)
    activity_type: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_content_day_concept", "concept", "day", *CONTENT_ROLLUP_COLUMNS),
        WITHOUT_ROWID,
    )


class ContentMonth(Base):
    """``content_day`` summed per calendar month (``month``: its first day): the whole
    months of a range are read here, so an all-time ranking grows with the months, not
    with the days or statements."""

    __tablename__ = "content_month"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    content_id: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    concept: Mapped[str] = mapped_column(String(32), primary_key=True)
    activity_type: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_content_month_concept", "concept", "month", *CONTENT_ROLLUP_COLUMNS),
        WITHOUT_ROWID,
    )


class ContentUseMonth(Base):
    """Per (piece of content, person, team, calendar month) how the person used informal
    content: their reads (``reads``) and their edits, comments and replies on it
    (``responses``), with the first day they read it and the last day they responded to
    it in the month. "Most reused" (read, then edited or answered the same day or later) reads
    whole months here, one row per person and content a month instead of one fact per
    view. Kept in the ingest transaction; removing facts recounts their pairs from the
    facts."""

    __tablename__ = "content_use_month"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    reads: Mapped[int] = mapped_column(BigInteger)
    responses: Mapped[int] = mapped_column(BigInteger)
    first_read: Mapped[dt.date | None]
    last_response: Mapped[dt.date | None]

    __table_args__ = (
        # A range's whole months from the index alone.
        Index(
            "ix_content_use_month_month",
            *("month", "content_id", "actor_key", "team", "first_read", "last_response"),
        ),
        # Each (content, person) pair's months in key order (all-time "most reused"),
        # index only.
        Index(
            "ix_content_use_month_pair",
            *("content_id", "actor_key", "month", "team", "first_read", "last_response"),
        ),
        WITHOUT_ROWID,
    )


class TagDay(Base):
    """Informal facts per (day, team, tag), for the emerging topics: a tag's statements
    in a period without joining every tag to its fact. Kept like ``content_day``."""

    __tablename__ = "tag_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class TagMonth(Base):
    """``tag_day`` summed per calendar month (``month``: its first day)."""

    __tablename__ = "tag_month"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class ActivityDay(Base):
    """Per (day, activity, source kind) counts of the facts about an activity, for the
    overview's distinct activities and most used activities over a range of days without
    reading a fact per statement (a popular page has a fact per view). Kept in the ingest
    transaction; removing facts takes them out."""

    __tablename__ = "activity_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    activity_id: Mapped[str] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class ActivityMonth(Base):
    """``activity_day`` summed per calendar month (``month``: its first day)."""

    __tablename__ = "activity_month"

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    activity_id: Mapped[str] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class ContentAuthor(Base):
    """The author of a piece of content: the actor of its first authored/created/asked
    fact (lowest ``seq``). Recomputed for the content whose authoring fact is removed."""

    __tablename__ = "content_author"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    author_key: Mapped[str]
    at: Mapped[dt.datetime]

    __table_args__ = WITHOUT_ROWID


class ContentTag(Base):
    """A tag a piece of content is written with: a tag of one of its informal authoring
    or editing facts (``statements.vocabulary.WRITING``), which is what a course's topic
    is matched against (a popular page has many more views than writings). Kept in the
    ingest transaction; recomputed for the content whose facts are removed."""

    __tablename__ = "content_tag"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(primary_key=True)

    __table_args__ = WITHOUT_ROWID


class CompletionTag(Base):
    """A tag of a course's completions (formal completed, passed... facts on it) per
    (day, course, team): the course's side of the topic its completions are matched
    against ("completion to contribution") within a range, without joining every
    completion to its tags. Absent team is ``""``. Kept in the ingest transaction (with
    the facts a registration's course joins later); recomputed for the (day, course,
    team) whose completions are removed."""

    __tablename__ = "completion_tag"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(primary_key=True)

    __table_args__ = WITHOUT_ROWID


class ContributionTag(Base):
    """A tag of one of a piece of content's informal contributions (``CONTRIBUTE``: a
    post, edit, comment, reply, share, tagging...): the content's side of the topic a
    course's completion is matched against ("completion to contribution"). Kept in the
    ingest transaction; recomputed for the content whose contributions are removed."""

    __tablename__ = "contribution_tag"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(primary_key=True)

    __table_args__ = WITHOUT_ROWID


class ContentContributor(Base):
    """Per (piece of content, person) what the person wrote on it: posts, pages or
    questions written (``wrote``), edits (``edited``), comments and replies
    (``commented``), and the last day of their writing and of their comments, over all
    days: the evidence "who knows about X" reads for all time, one row per person and
    content instead of one fact per edit or comment. Kept in the ingest transaction;
    removing facts recounts their pairs from the facts."""

    __tablename__ = "content_contributor"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    wrote: Mapped[int] = mapped_column(BigInteger)
    edited: Mapped[int] = mapped_column(BigInteger)
    commented: Mapped[int] = mapped_column(BigInteger)
    written_last: Mapped[dt.date | None]
    commented_last: Mapped[dt.date | None]

    __table_args__ = WITHOUT_ROWID


class ContentResponse(Base):
    """Per (piece of content, person) their facts that answer, edit or react to it
    (``statements.vocabulary.RESPONSES``: comments, replies, edits, likes..., of any
    source kind), over all days: the all-time knowledge flow (who responds to whose
    content) reads one row per person and content instead of one fact per like. Kept in
    the ingest transaction; removing facts recounts their pairs from the facts."""

    __tablename__ = "content_response"

    content_id: Mapped[str] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(primary_key=True)
    responses: Mapped[int] = mapped_column(BigInteger)


class FilterValue(Base):
    """Distinct values of the filter bar (team, platform, verb, activity) with how many
    facts carry them and a label (verb concept, activity name)."""

    __tablename__ = "filter_value"

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(primary_key=True)
    label: Mapped[str | None]
    statements: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = WITHOUT_ROWID


class ForwardingRule(Base):
    """Where matching statements are forwarded: another xAPI LRS or a signed webhook.

    Empty filter lists match everything. ``password`` (Basic auth of an LRS target) and
    ``secret`` (HMAC key of a webhook) are needed in clear to call the target, so they are
    stored encrypted (Fernet tokens, ``lrs.services.sealing``); the API never
    returns them.
    """

    __tablename__ = "forwarding_rule"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str]
    username: Mapped[str | None]
    password: Mapped[str | None]
    secret: Mapped[str | None]
    xapi_version: Mapped[str] = mapped_column(String(16))
    verbs: Mapped[list[Any]]
    activity_types: Mapped[list[Any]]
    source_kinds: Mapped[list[Any]]
    active: Mapped[bool]
    created: Mapped[dt.datetime]


class ForwardingDelivery(Base):
    """The outbox: one statement to deliver under one rule, written in the ingest
    transaction and worked off by the forwarding worker (pending → delivering →
    delivered, or failed after its attempts, until replayed)."""

    __tablename__ = "forwarding_delivery"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    # No foreign key: a worker whose cached rule set is a few seconds old may still write
    # rows for a rule just removed; those are never claimed (claims join active rules).
    rule_id: Mapped[int] = mapped_column(SerialKey)
    statement_seq: Mapped[int] = mapped_column(
        SerialKey, ForeignKey("statement.seq", ondelete="CASCADE")
    )
    statement_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt: Mapped[dt.datetime]
    claimed_until: Mapped[dt.datetime | None]
    claim: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None]
    created: Mapped[dt.datetime]
    delivered: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_forwarding_delivery_status_next", "status", "next_attempt"),
        Index("ix_forwarding_delivery_rule_status", "rule_id", "status"),
        Index("ix_forwarding_delivery_claim", "claim"),
        Index("ix_forwarding_delivery_statement_seq", "statement_seq"),
    )


class PulledSource(Base):
    """An outside source the LRS pulls on a schedule: a blog feed, a wiki's recent
    changes, another LRS's statements or a course CSV at a URL.

    ``state`` is the kind's own cursor (per-feed positions, the wiki's last change, the
    other LRS's last ``stored``) and the validators of conditional GETs. Workers claim a
    due source with ``claim``/``claimed_until`` (a lease) so that no two processes pull
    the same source at once; ``failures`` counts errors in a row and stretches the wait.
    ``password`` is the Basic-auth secret for the source, needed in clear to call it, so
    it is stored encrypted (a Fernet token, ``lrs.services.sealing``); the API never
    returns it.
    """

    __tablename__ = "pulled_source"

    id: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str]
    every_seconds: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[str | None]
    username: Mapped[str | None]
    password: Mapped[str | None]
    options: Mapped[dict[str, Any]]
    state: Mapped[dict[str, Any]]
    active: Mapped[bool]
    next_run: Mapped[dt.datetime]
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[dt.datetime | None]
    failures: Mapped[int] = mapped_column(Integer)
    last_started: Mapped[dt.datetime | None]
    last_finished: Mapped[dt.datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None]
    last_read: Mapped[int] = mapped_column(Integer)
    last_stored: Mapped[int] = mapped_column(Integer)
    last_skipped: Mapped[int] = mapped_column(Integer)
    last_rejected: Mapped[int] = mapped_column(Integer)
    total_stored: Mapped[int] = mapped_column(BigInteger)
    total_skipped: Mapped[int] = mapped_column(BigInteger)
    total_rejected: Mapped[int] = mapped_column(BigInteger)
    created: Mapped[dt.datetime]

    __table_args__ = (Index("ix_pulled_source_active_next", "active", "next_run"),)
