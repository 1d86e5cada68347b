"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store import facts, migrate, payloads
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from lrs.store.keys import ROLES
from lrs.store.models import Statement
from lrs.store.statements import StatementQuery
from statements.sources import SOURCES, ReadOptions, demo
from tests.conftest import POSTGRES_ADMIN_URL
from tests.factories import (
    make_activity,
    make_agent,
    make_group,
    make_statement,
    make_statement_ref,
    make_sub_statement,
)


def test_migrated_schema_matches_the_models(database: Database) -> None:
    assert migrate.pending_changes(database.engine) == []


def test_history_is_linear(database: Database) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(database.engine))
    assert len(script.get_heads()) == 1


def test_upgrade_is_idempotent(database: Database) -> None:
    migrate.upgrade(database.engine)
    assert migrate.pending_changes(database.engine) == []


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, to be migrated step by step."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"lrs_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_puts_long_identifiers_of_stored_facts_under_bounded_keys(empty_url: str) -> None:
    """Facts stored before 0005 may hold identifiers too long for its covering indexes on
    PostgreSQL: the upgrade rewrites them (facts and rollups alike) to the bounded key that
    ingest writes now, and then builds the indexes."""
    tail = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(40))
    iri = f"http://wiki.example.com/pages/{tail}"[:2400]
    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, "0004")
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO statement (seq, id, stored, timestamp, verb_id, actor_key, "
                    "object_kind, voided, version, payload) VALUES (1, "
                    "'00000001-0000-4000-8000-000000000000', :at, :at, 'v', 'a', 'Activity', "
                    "false, '1.0.3', '{}')"
                ),
                {"at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO learning_fact (seq, day, hour, weekday, timestamp, actor_key, "
                    "verb_id, concept, activity_id, content_id, source_kind) VALUES (1, "
                    ":day, 9, 7, :at, 'mbox:mailto:ann@example.com', 'v', 'viewed', :iri, "
                    ":iri, 'informal')"
                ),
                {"day": dt.date(2026, 11, 1), "at": dt.datetime(2026, 11, 1, 9), "iri": iri},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO filter_value (dimension, value, label, statements) "
                    "VALUES ('activity', :iri, 'Long', 1), ('team', 'Alpha', 'Alpha', 1)"
                ),
                {"iri": iri},
            )
        migrate.upgrade(database.engine)
        with database.engine.connect() as connection:
            fact = connection.execute(
                sa.text("SELECT activity_id, content_id, actor_key FROM learning_fact")
            ).one()
            values = connection.execute(
                sa.text("SELECT value FROM filter_value ORDER BY dimension")
            ).scalars()
            bounded = facts.bounded_key(iri)
            assert tuple(fact) == (bounded, bounded, "mbox:mailto:ann@example.com")
            assert list(values) == [bounded, "Alpha"]
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


BEFORE_SEALING = "20261202_pulled_sources"


def test_upgrade_encrypts_forwarding_secrets_stored_in_clear(empty_url: str) -> None:
    """Rules stored before forwarding secrets were encrypted get them encrypted with
    LRS_FORWARDING_KEY; without a key the upgrade stops instead of leaving them in clear;
    the downgrade decrypts them again."""
    from lrs.services.forwarding import SecretBox
    from tests.conftest import TEST_FORWARDING_KEY

    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, BEFORE_SEALING)
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO forwarding_rule (name, kind, url, username, password, secret, "
                    "xapi_version, verbs, activity_types, source_kinds, active, created) VALUES "
                    "('lrs', 'xapi', 'http://t.example/xapi/', 'u', 'clear-password', NULL, "
                    "'2.0.0', '[]', '[]', '[]', true, :at), "
                    "('hook', 'webhook', 'http://t.example/h', NULL, NULL, 'clear-secret', "
                    "'2.0.0', '[]', '[]', '[]', true, :at)"
                ),
                {"at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
            )
        with pytest.raises(RuntimeError, match="LRS_FORWARDING_KEY"):
            migrate.upgrade(database.engine)
        migrate.upgrade(database.engine, forwarding_key=TEST_FORWARDING_KEY)

        def stored() -> list[tuple[str | None, str | None]]:
            with database.engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT password, secret FROM forwarding_rule ORDER BY name")
                )
                return [(password, secret) for password, secret in rows]

        [(hook_password, hook_secret), (lrs_password, lrs_secret)] = stored()
        assert hook_password is None and lrs_secret is None
        assert hook_secret != "clear-secret" and lrs_password != "clear-password"
        box = SecretBox(TEST_FORWARDING_KEY)
        assert box.open(hook_secret) == "clear-secret"
        assert box.open(lrs_password) == "clear-password"
        migrate.downgrade(database.engine, BEFORE_SEALING, forwarding_key=TEST_FORWARDING_KEY)
        assert stored() == [(None, "clear-secret"), ("clear-password", None)]
    finally:
        database.dispose()


def test_upgrade_gives_every_stored_agent_a_person(empty_url: str) -> None:
    """Statements stored before persons existed get a person per identifier they name
    (actor, Agent object), with the first name and team seen; their facts already count
    under the person's key (the identifier's)."""
    sha1 = hashlib.sha1(b"mailto:app@example.com").hexdigest()
    lms = {
        "name": "Grace Hopper",
        "account": {"homePage": "https://lms.example.com", "name": "10482"},
    }
    bob = {"objectType": "Agent", "name": "Bob", "mbox": "mailto:bob@example.com"}
    payloads = [
        {"actor": lms, "object": bob},
        {"actor": {"mbox_sha1sum": sha1}, "object": {"id": "http://example.com/a"}},
        {"actor": {**lms, "name": "Later"}, "object": {"id": "http://example.com/a"}},
    ]
    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, "20261202_access_sessions")
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with database.engine.begin() as connection:
            for seq, payload in enumerate(payloads, start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO statement (seq, id, stored, timestamp, verb_id, actor_key, "
                        "object_kind, voided, version, payload) VALUES (:seq, :id, :at, :at, "
                        "'v', 'a', 'Activity', false, '1.0.3', :payload)"
                    ),
                    {"seq": seq, "id": str(uuid.UUID(int=seq)), "at": at,
                     "payload": json.dumps(payload)},
                )  # fmt: skip
            connection.execute(
                sa.text(
                    "INSERT INTO learning_fact (seq, day, hour, weekday, timestamp, actor_key, "
                    "verb_id, concept, source_kind, team) VALUES (1, :day, 9, 7, :at, :key, "
                    "'v', 'viewed', 'informal', 'Blue')"
                ),
                {"day": at.date(), "at": at, "key": "account:https://lms.example.com|10482"},
            )
        migrate.upgrade(database.engine)
        with database.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT i.key, p.key, p.name, p.team FROM person_identifier i "
                    "JOIN person p ON p.id = i.person_id ORDER BY i.key"
                )
            ).all()
        key = "account:https://lms.example.com|10482"
        assert [tuple(row) for row in rows] == [
            (key, key, "Grace Hopper", "Blue"),
            ("mbox:mailto:bob@example.com", "mbox:mailto:bob@example.com", "Bob", None),
            (f"mbox_sha1sum:{sha1}", f"mbox_sha1sum:{sha1}", None, None),
        ]
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


BEFORE_SOURCE_SEALING = "20261206_persons"


def test_upgrade_encrypts_source_passwords_stored_in_clear(empty_url: str) -> None:
    """Sources stored before their passwords were encrypted get them encrypted with
    LRS_FORWARDING_KEY; without a key the upgrade stops; the downgrade decrypts them."""
    from lrs.services.sealing import SecretBox
    from tests.conftest import TEST_FORWARDING_KEY

    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, BEFORE_SOURCE_SEALING)
        counts = ", ".join(["0"] * 8)
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO pulled_source (name, kind, url, every_seconds, username, "
                    "password, options, state, active, next_run, failures, last_read, "
                    "last_stored, last_skipped, last_rejected, total_stored, total_skipped, "
                    "total_rejected, created) VALUES "
                    f"('upstream', 'lrs', 'http://t.example/xapi/', 900, 'k', 'clear-password',"
                    f" '{{}}', '{{}}', true, :at, {counts}, :at), "
                    f"('blog', 'blog', 'http://t.example/feed', 900, NULL, NULL,"
                    f" '{{}}', '{{}}', true, :at, {counts}, :at)"
                ),
                {"at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
            )
        with pytest.raises(RuntimeError, match="LRS_FORWARDING_KEY"):
            migrate.upgrade(database.engine)

        def stored() -> list[str | None]:
            with database.engine.connect() as connection:
                query = sa.text("SELECT password FROM pulled_source ORDER BY name")
                return [password for (password,) in connection.execute(query)]

        assert stored() == [None, "clear-password"]
        migrate.upgrade(database.engine, forwarding_key=TEST_FORWARDING_KEY)
        [blog, upstream] = stored()
        assert blog is None and upstream is not None and "clear" not in upstream
        assert SecretBox(TEST_FORWARDING_KEY).open(upstream) == "clear-password"
        migrate.downgrade(
            database.engine, BEFORE_SOURCE_SEALING, forwarding_key=TEST_FORWARDING_KEY
        )
        assert stored() == [None, "clear-password"]
    finally:
        database.dispose()


def test_upgrade_turns_viewers_into_managers_of_every_known_team(empty_url: str) -> None:
    """A viewer saw every team: it becomes a manager of each team known at the upgrade
    (the filter bar's and the persons'), written out; an admin stays an admin."""
    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, "20261207_pull_course_index")
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with database.engine.begin() as connection:
            for name, role in (("vera", "viewer"), ("ada", "admin")):
                connection.execute(
                    sa.text(
                        "INSERT INTO dashboard_user (username, password_hash, role, created) "
                        "VALUES (:name, 'x', :role, :at)"
                    ),
                    {"name": name, "role": role, "at": at},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO filter_value (dimension, value, label, statements) VALUES "
                    "('team', 'Beta', NULL, 3), ('team', '', NULL, 1), ('verb', 'v', NULL, 4)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO person (key, name, team, created) VALUES "
                    "('mbox:mailto:a@example.com', 'A', 'Alpha', :at), "
                    "('mbox:mailto:b@example.com', 'B', NULL, :at)"
                ),
                {"at": at},
            )
        migrate.upgrade(database.engine)
        with database.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT username, role, teams FROM dashboard_user ORDER BY username")
            ).all()
        decoded = [(n, r, t if isinstance(t, list) else json.loads(t)) for n, r, t in rows]
        assert decoded == [("ada", "admin", []), ("vera", "manager", ["Alpha", "Beta"])]
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


def test_upgrade_fills_the_activity_rollups_from_the_stored_facts(empty_url: str) -> None:
    """Facts stored before ``activity_day`` existed are counted in it per day, activity
    and source kind, and in ``activity_month`` per month; facts with no activity are not."""
    database = Database(empty_url)
    page = "http://example.com/page"
    days = [dt.date(2026, 3, 30), dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)]
    try:
        migrate.upgrade(database.engine, "20261207_completion_fact_ix")
        with database.engine.begin() as connection:
            for seq, day in enumerate([*days, days[0]], start=1):
                at = dt.datetime.combine(day, dt.time(9), dt.UTC)
                _insert_statement(connection, seq, at)
                _insert_fact(
                    connection, seq, at, actor_key="mbox:mailto:a@example.com", concept="viewed",
                    source_kind="informal", base_kind="informal",
                    activity_id=page if seq <= 4 else None,
                )  # fmt: skip
        migrate.upgrade(database.engine)
        with database.engine.connect() as connection:
            daily = connection.execute(
                sa.text("SELECT day, activity_id, source_kind, statements FROM activity_day")
            ).all()
            monthly = connection.execute(
                sa.text("SELECT month, activity_id, source_kind, statements FROM activity_month")
            ).all()
        assert sorted((str(day), *rest) for day, *rest in daily) == [
            ("2026-03-30", page, "informal", 2),
            ("2026-03-31", page, "informal", 1),
            ("2026-04-01", page, "informal", 1),
        ]
        assert sorted((str(month), *rest) for month, *rest in monthly) == [
            ("2026-03-01", page, "informal", 3),
            ("2026-04-01", page, "informal", 1),
        ]
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


def test_upgrade_fills_each_learners_first_completion_from_course_progress(
    empty_url: str,
) -> None:
    """Pairs stored before ``course_learner`` kept its first completions get them from
    their ``course_progress`` days: the least times and the greatest name of the days
    with a completion; a pair that never completed gets none."""
    database = Database(empty_url)
    course, ann, ben = "http://example.com/course", "mbox:mailto:ann@example.com", "b"
    first, second = (
        dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC),
    )
    days = [  # actor, day, name, completed, completed_at, part_completed_at
        (ann, dt.date(2026, 3, 1), "Zed", 0, None, None),
        (ann, dt.date(2026, 3, 2), "Ann", 1, None, first),
        (ann, dt.date(2026, 3, 3), "Anna", 1, second, second),
        (ben, dt.date(2026, 3, 1), "Ben", 0, None, None),
    ]
    try:
        migrate.upgrade(database.engine, "20261211_progress_measured_ix")
        with database.engine.begin() as connection:
            for actor, day, name, completed, at, part_at in days:
                connection.execute(
                    sa.text(
                        "INSERT INTO course_progress (day, course, actor_key, team, actor_name, "
                        "statements, enrolled, started, completed, passed, failed, timed, "
                        "seconds, attempt_seconds, satisfied, completed_at, part_completed_at) "
                        "VALUES (:day, :course, :actor, '', :name, 1, 0, 0, :completed, 0, 0, "
                        "0, 0, 0, 0, :at, :part_at)"
                    ),
                    {"day": day, "course": course, "actor": actor, "name": name,
                     "completed": completed, "at": at, "part_at": part_at},
                )  # fmt: skip
            for actor, completed in ((ann, 2), (ben, 0)):
                connection.execute(
                    sa.text(
                        "INSERT INTO course_learner (course, actor_key, team, statements, "
                        "enrolled, started, completed, passed, failed, satisfied, timed, "
                        "seconds, attempt_seconds, first_day, last_day) VALUES (:course, "
                        ":actor, '', 1, 0, 0, :completed, 0, 0, 0, 0, 0, 0, '2026-03-01', "
                        "'2026-03-03')"
                    ),
                    {"course": course, "actor": actor, "completed": completed},
                )
        migrate.upgrade(database.engine, "20261212_learner_completed_at")
        with database.engine.connect() as connection:
            found = connection.execute(
                sa.text(
                    "SELECT actor_key, completed_at, part_completed_at, completed_name "
                    "FROM course_learner ORDER BY actor_key"
                )
            ).all()
        assert [(a, str(at)[:16] if at else at, str(p)[:16] if p else p, name)
                for a, at, p, name in found] == [
            ("b", None, None, None),
            (ann, "2026-03-03 09:00", "2026-03-02 09:00", "Anna"),
        ]  # fmt: skip
        migrate.upgrade(database.engine)
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


def test_upgrade_counts_each_persons_responses_to_each_content_from_the_facts(
    empty_url: str,
) -> None:
    """Facts stored before ``content_response`` existed are counted in it per (content,
    person): comments, replies, edits and likes of any source kind; views and facts
    without content are not."""
    database = Database(empty_url)
    post, page = "http://example.com/post", "http://example.com/page"
    facts_stored = [  # actor, concept, source kind, content
        ("a", "commented", "informal", post),
        ("a", "liked", "informal", post),
        ("a", "edited", "formal", post),
        ("a", "viewed", "informal", post),
        ("b", "replied", "informal", page),
        ("b", "liked", "informal", None),
    ]
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    try:
        migrate.upgrade(database.engine, "20261212_learner_completed_at")
        with database.engine.begin() as connection:
            for seq, (actor, concept, kind, content) in enumerate(facts_stored, start=1):
                _insert_statement(connection, seq, at)
                _insert_fact(
                    connection, seq, at, actor_key=actor, concept=concept, source_kind=kind,
                    base_kind=kind, content_id=content,
                )  # fmt: skip
        migrate.upgrade(database.engine, "20261212_content_response")
        with database.engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT content_id, actor_key, responses FROM content_response")
            ).all()
        assert sorted(tuple(row) for row in found) == [(page, "b", 1), (post, "a", 3)]
        migrate.upgrade(database.engine)
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


KEYED_BY_VALUE = (
    "statement_ref_term", "learning_fact_tag", "daily_activity", "actor_day",
    "actor_informal_month", "actor_month", "course_progress", "course_learner",
    "registration_course", "hourly_activity", "content_day", "content_month",
    "content_use_month", "tag_day", "tag_month", "activity_day", "activity_month",
    "content_author", "content_tag", "completion_tag", "contribution_tag",
    "content_contributor", "filter_value",
)  # fmt: skip


def test_upgrade_keeps_the_rows_of_tables_made_without_rowid(empty_url: str, backend: str) -> None:
    """The rollups, tags and inherited terms of stored statements are the same rows after
    their tables are made again without rowid on SQLite, with the same indexes."""
    if backend == "postgresql":
        # Nothing changes there, and today's ingest writes a payload that column cannot take.
        pytest.skip("tables without rowid are SQLite's")
    database = Database(empty_url)
    try:
        # Stored by today's ingest, then taken back to the schema before the change.
        migrate.upgrade(database.engine)
        principal = credentials.internal_principal(
            database, name="test", scopes=["all"], home_page="http://example.com"
        )
        organisation = demo.generate(people=6, days=20, seed=7)
        identities = organisation.identities()
        batch: list[dict[str, object]] = []
        for kind, _label, data, base_url in organisation.sources():
            options = ReadOptions(identities=identities, base_url=base_url)
            batch += [
                item.statement for item in SOURCES[kind].read(data, options) if item.statement
            ]
        batch += organisation.interactions
        target = str(batch[0].setdefault("id", str(uuid.uuid4())))
        for start in range(0, len(batch), 200):
            store_statements(
                database, batch[start : start + 200], version="1.0.3", principal=principal
            )
        referrer = make_statement(object={"objectType": "StatementRef", "id": target})
        store_statements(database, [referrer], version="1.0.3", principal=principal)
        migrate.downgrade(database.engine, "20261212_content_response")
        before = _rows_and_indexes(database.engine)
        assert before["content_day"] and before["statement_ref_term"]
        migrate.upgrade(database.engine)
        assert _rows_and_indexes(database.engine) == before
        if backend == "sqlite":
            with database.engine.connect() as connection:
                tables = dict(
                    connection.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                    ).all()
                )
            assert [name for name in KEYED_BY_VALUE if "WITHOUT ROWID" not in tables[name]] == []
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


def _rows_and_indexes(engine: sa.Engine) -> dict[str, object]:
    inspector = sa.inspect(engine)
    found: dict[str, object] = {}
    with engine.connect() as connection:
        for name in KEYED_BY_VALUE:
            rows = connection.execute(sa.text(f"SELECT * FROM {name}")).all()
            found[name] = sorted(tuple(map(str, row)) for row in rows)
            found[f"{name} indexes"] = sorted(
                (index["name"], tuple(index["column_names"]))
                for index in inspector.get_indexes(name)
            )
    return found


def _insert_statement(
    connection: sa.Connection, seq: int, at: dt.datetime, payload: str = "{}"
) -> None:
    """A bare statement row ``seq`` stored at ``at`` with the JSON text ``payload``, as an
    older schema held it."""
    connection.execute(
        sa.text(
            "INSERT INTO statement (seq, id, stored, timestamp, verb_id, actor_key, "
            "object_kind, voided, version, payload) VALUES (:seq, :id, :at, :at, "
            "'v', 'a', 'Activity', false, '1.0.3', :payload)"
        ),
        {"seq": seq, "id": str(uuid.UUID(int=seq)), "at": at, "payload": payload},
    )


def _insert_fact(connection: sa.Connection, seq: int, at: dt.datetime, **columns: Any) -> None:
    """The learning fact of statement ``seq`` at ``at`` (a Monday's hour 9, verb ``v``)
    with ``columns`` besides, as an older schema held it."""
    row = {"seq": seq, "day": at.date(), "hour": 9, "weekday": 1, "timestamp": at,
           "verb_id": "v", **columns}  # fmt: skip
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    connection.execute(sa.text(f"INSERT INTO learning_fact ({names}) VALUES ({values})"), row)


BEFORE_PAYLOAD_COMPRESSION = "20261212_rollups_without_rowid"


def test_upgrade_compresses_stored_payloads_keeping_their_text(empty_url: str) -> None:
    """Statements stored as JSON text are read back after the upgrade as that very text
    (spacing, key order, escapes and text beyond ASCII kept) and as the same statement;
    a downgrade gives the text back to the column."""
    texts = [
        '{"id": "%s", "verb": {"display": {"en-US": "a \\"b\\" \\\\ \\u0001"}}}',
        '{"id":"%s","actor":{"name":"é ü 漢字 🎓"},"object":{"id":"http://example.com/a"}}',
        '{\n\t"id": "%s",\r\n "x": [1, 2.5, null, true]}',
    ]
    ids = [str(uuid.UUID(int=seq)) for seq in range(1, len(texts) + 1)]
    texts = [text % statement_id for text, statement_id in zip(texts, ids, strict=True)]
    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine, BEFORE_PAYLOAD_COMPRESSION)
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with database.engine.begin() as connection:
            for seq, text in enumerate(texts, start=1):
                _insert_statement(connection, seq, at, payload=text)
        migrate.upgrade(database.engine)
        with database.reading() as session:
            found = [statement_store.get_one(session, i, voided=False) for i in ids]
            stored = session.execute(
                sa.select(payloads.as_text(Statement.payload)).order_by(Statement.seq)
            ).scalars()
            assert list(stored) == texts
        assert found == [json.loads(text) for text in texts]
        assert migrate.pending_changes(database.engine) == []
        migrate.downgrade(database.engine, BEFORE_PAYLOAD_COMPRESSION)
        with database.engine.connect() as connection:
            back = connection.exec_driver_sql("SELECT CAST(payload AS TEXT) FROM statement")
            assert sorted(back.scalars()) == sorted(texts)
    finally:
        database.dispose()


BEFORE_NUMBERED_INDEX_ROWS = "20261213_statement_payload_zlib"


def test_upgrade_numbers_the_index_rows_keeping_every_filters_answers(empty_url: str) -> None:
    """The agent and activity index rows of stored statements (own, inherited through
    StatementRefs, inside SubStatements, Group members) hold numbers after the upgrade:
    every agent and activity filter, alone, widened and combined, answers as before, and
    a downgrade gives back the rows as texts."""
    database = Database(empty_url)
    try:
        migrate.upgrade(database.engine)
        principal = credentials.internal_principal(
            database, name="test", scopes=["all"], home_page="http://example.com"
        )
        batch = _varied_statements()
        for start in range(0, len(batch), 50):
            store_statements(
                database, batch[start : start + 50], version="1.0.3", principal=principal
            )
        referrers = [make_statement_ref(str(s["id"])) for s in batch[:40:3]]
        store_statements(
            database,
            [
                make_statement(actor=make_agent(f"r{i}"), object=ref)
                for i, ref in enumerate(referrers)
            ],
            version="1.0.3",
            principal=principal,
        )
        agents, activities = _index_texts(database)
        queries = _every_filter(agents, activities)
        answers = _answers(database, queries)
        assert sum(map(len, answers)) > len(queries)
        rows = _index_rows_as_texts(database)
        migrate.downgrade(database.engine, BEFORE_NUMBERED_INDEX_ROWS)
        with database.engine.connect() as connection:
            old = {
                table: sorted(tuple(row) for row in connection.exec_driver_sql(
                    f"SELECT seq, {column}, role FROM {table}"
                ))
                for table, column in (("statement_agent", "agent_key"),
                                      ("statement_activity", "activity_id"))
            }  # fmt: skip
        assert old == rows
        migrate.upgrade(database.engine)
        assert _index_rows_as_texts(database) == rows
        assert _answers(database, queries) == answers
        assert migrate.pending_changes(database.engine) == []
    finally:
        database.dispose()


def _varied_statements() -> list[dict[str, Any]]:
    people = [make_agent(name) for name in ("ann", "bea", "cy", "dee", "eve")]
    activities = [make_activity(f"http://example.com/a/{i}") for i in range(6)]
    batch: list[dict[str, Any]] = []
    for i in range(120):
        actor = people[i % 5]
        if i % 7 == 0:
            actor = make_group(
                people[(i + 1) % 5], people[(i + 2) % 5], mbox="mailto:t@example.com"
            )
        statement = make_statement(
            id=str(uuid.UUID(int=i + 1)),
            actor=actor,
            object=activities[i % 6] if i % 4 else people[(i + 3) % 5],
            context={
                "instructor": people[(i + 4) % 5],
                "contextActivities": {
                    "parent": [activities[(i + 1) % 6]],
                    "grouping": [activities[(i + 2) % 6]],
                },
            },
        )
        if i % 11 == 0:
            statement["object"] = make_sub_statement(
                actor=people[(i + 2) % 5], object=activities[(i + 3) % 6]
            )
        batch.append(statement)
    return batch


def _index_texts(database: Database) -> tuple[list[str], list[str]]:
    with database.engine.connect() as connection:
        texts = [
            sorted(connection.exec_driver_sql(
                f"SELECT DISTINCT key FROM index_key JOIN {table} ON number = {column}"
            ).scalars())
            for table, column in (("statement_agent", "agent_number"),
                                  ("statement_activity", "activity_number"))
        ]  # fmt: skip
    return texts[0], texts[1]


def _every_filter(agents: list[str], activities: list[str]) -> list[StatementQuery]:
    queries = []
    for related in (False, True):
        queries += [StatementQuery(agent_key=a, related_agents=related, limit=500) for a in agents]
        queries += [
            StatementQuery(activity_id=a, related_activities=related, limit=500) for a in activities
        ]
        queries += [
            StatementQuery(agent_key=agent, activity_id=activity, related_agents=related,
                           related_activities=not related, limit=500)
            for agent in agents for activity in activities
        ]  # fmt: skip
    queries.append(StatementQuery(agent_key="mbox:mailto:nobody@example.com"))
    return queries


def _answers(database: Database, queries: list[StatementQuery]) -> list[list[int]]:
    with database.reading() as session:
        return [[row.seq for row in statement_store.find(session, q)] for q in queries]


def _index_rows_as_texts(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.engine.connect() as connection:
        return {
            table: sorted(
                (seq, key, ROLES[role])
                for seq, key, role in connection.exec_driver_sql(
                    f"SELECT seq, key, role FROM {table} JOIN index_key ON number = {column}"
                )
            )
            for table, column in (("statement_agent", "agent_number"),
                                  ("statement_activity", "activity_number"))
        }  # fmt: skip
