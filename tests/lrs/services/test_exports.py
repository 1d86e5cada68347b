"""The export service and the lossless NDJSON import: round trips into a fresh database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from lrs.errors import BadRequest, Forbidden
from lrs.services import credentials, exports
from lrs.services.exports import ExportSpec
from lrs.services.principal import OPERATOR, Principal
from lrs.services.statements import store_statements
from lrs.store import payloads
from lrs.store.engine import Database
from lrs.store.models import LearningFact, Statement, StatementActivity, StatementAgent
from lrs.store.statements import StatementQuery
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_agent, make_statement, make_verb
from tests.lrs.api.data import known_statements


def _principal(database: Database) -> Principal:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    return principal


def _fill(database: Database, extra: int = 0) -> list[str]:
    principal = _principal(database)
    ids: list[str] = []
    for statement in known_statements().values():
        ids += store_statements(database, [statement], version="2.0.0", principal=principal)
    if extra:
        batch = [make_statement(actor=make_agent(f"p{i}")) for i in range(extra)]
        ids += store_statements(database, batch, version="1.0.3", principal=principal)
    return ids


def _export(database: Database, **spec: Any) -> bytes:
    return b"".join(exports.export(database, OPERATOR, ExportSpec(**spec)))


def _parsed(dump: bytes) -> list[Any]:
    return [orjson.loads(line) for line in dump.splitlines()]


def _snapshot(database: Database) -> dict[str, Any]:
    """Everything the round trip must keep, in storage order, without surrogate keys."""
    with database.engine.connect() as connection:
        statements = connection.execute(
            sa.select(
                Statement.id,
                Statement.stored,
                Statement.timestamp,
                Statement.verb_id,
                Statement.actor_key,
                Statement.object_key,
                Statement.registration,
                Statement.voided,
                Statement.voids_id,
                Statement.version,
                Statement.authority_key,
                Statement.payload,
            ).order_by(Statement.seq)
        ).all()
        agents = connection.execute(
            sa.select(Statement.id, StatementAgent.agent_number, StatementAgent.role).join(
                StatementAgent, StatementAgent.seq == Statement.seq
            )
        ).all()
        activities = connection.execute(
            sa.select(Statement.id, StatementActivity.activity_number, StatementActivity.role).join(
                StatementActivity, StatementActivity.seq == Statement.seq
            )
        ).all()
        facts = connection.execute(
            sa.select(Statement.id, LearningFact.source_kind, LearningFact.verb_id).join(
                LearningFact, LearningFact.seq == Statement.seq
            )
        ).all()
    return {
        "statements": [tuple(row) for row in statements],
        "agents": sorted(tuple(row) for row in agents),
        "activities": sorted(tuple(row) for row in activities),
        "facts": sorted(tuple(row) for row in facts),
    }


@pytest.fixture
def fresh_database(_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """Another, empty LRS of ours (a migrated SQLite file)."""
    path = tmp_path / "target.db"
    shutil.copyfile(_sqlite_template, path)
    target = Database(f"sqlite:///{path}")
    yield target
    target.dispose()


def test_round_trip_into_a_fresh_database_is_lossless(
    database: Database, fresh_database: Database
) -> None:
    _fill(database, extra=30)
    dump = _export(database, query=StatementQuery(ascending=True, include_voided=True))
    result = exports.import_statements(fresh_database, dump.splitlines(), batch_size=7)
    assert (result.imported, result.skipped) == (35, 0)
    assert _snapshot(fresh_database) == _snapshot(database)
    # And the copy exports the very same statements.
    again = _export(fresh_database, query=StatementQuery(ascending=True, include_voided=True))
    assert _parsed(again) == _parsed(dump)


def test_round_trip_back_into_the_same_kind_of_database(database: Database) -> None:
    """Export, empty the store, import: the PostgreSQL (or SQLite) store is restored."""
    _fill(database, extra=5)
    before = _snapshot(database)
    dump = _export(database, query=StatementQuery(ascending=True, include_voided=True))
    with database.writing() as session:
        session.execute(sa.delete(Statement))
    assert _snapshot(database)["statements"] == []
    exports.import_statements(database, dump.splitlines())
    assert _snapshot(database) == before


def test_voided_state_is_kept_without_the_voiding_statement(
    database: Database, fresh_database: Database
) -> None:
    _fill(database)
    dump = _export(
        database,
        query=StatementQuery(
            ascending=True, include_voided=True, agent_key="mbox:mailto:dave@example.com"
        ),
    )
    # Keep only the voided statement's line: its envelope still says it is voided.
    lines = [line for line in dump.splitlines() if b'"voided":true' in line]
    assert len(lines) == 1
    result = exports.import_statements(fresh_database, lines)
    assert result.voided == 1
    with fresh_database.reading() as session:
        voided = session.execute(sa.select(Statement.id, Statement.voided)).all()
        facts = session.execute(sa.select(sa.func.count()).select_from(LearningFact)).scalar()
    assert [(row.id, row.voided) for row in voided] == [
        (orjson.loads(lines[0])["statement"]["id"], True)
    ]
    assert facts == 0


def test_import_skips_ids_already_present(database: Database) -> None:
    _fill(database)
    dump = _export(database).splitlines()
    result = exports.import_statements(database, dump + dump)
    assert (result.imported, result.skipped) == (0, 8)


def test_import_rejects_a_line_that_is_not_an_exported_statement(
    fresh_database: Database,
) -> None:
    result = exports.import_statements(fresh_database, [b"", b"[1, 2]", b"{not json"])
    assert [number for number, _ in result.rejected] == [2, 3]
    assert "not valid JSON" in result.rejected[1][1]
    bad = make_statement(
        stored="2026-01-01T00:00:00Z",
        timestamp="2026-01-01T00:00:00Z",
        version="1.0.0",
        authority=make_agent("x"),
        verb={"id": "nope"},
    )
    result = exports.import_statements(fresh_database, [orjson.dumps(bad)])
    assert result.rejected == [(1, "verb.id: Must be an absolute IRI with a scheme (RFC 3987).")]
    assert result.imported == 0


def test_import_rejects_a_stored_from_the_future_and_stores_the_other_lines(
    database: Database, fresh_database: Database
) -> None:
    _fill(database)
    lines = _parsed(_export(database))
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)
    lines[1]["stored"] = "2999-01-01T00:00:00.000Z"
    lines[2]["stored"] = soon.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    result = exports.import_statements(fresh_database, [orjson.dumps(line) for line in lines])
    assert [number for number, _ in result.rejected] == [2]
    assert result.rejected[0][1].startswith(
        "stored: 2999-01-01T00:00:00.000Z is later than this LRS's clock ("
    )
    assert result.imported == len(lines) - 1
    restored = {line["id"]: line["stored"] for line in _parsed(_export(fresh_database))}
    assert set(restored) == {line["id"] for line in lines} - {lines[1]["id"]}
    assert restored[lines[2]["id"]] == lines[2]["stored"]


def test_export_pages_through_the_store(database: Database) -> None:
    ids = _fill(database, extra=25)
    chunks = list(exports.export(database, OPERATOR, ExportSpec(), page_size=4))
    # The four known non-voided statements, the voiding statement's target left out.
    assert len(chunks) == 8
    exported = [orjson.loads(line)["id"] for chunk in chunks for line in chunk.splitlines()]
    assert len(exported) == len(ids) - 1
    assert set(exported) < set(ids)


def test_export_is_a_lazy_generator(database: Database) -> None:
    """Nothing is read before the consumer asks; the response streams page by page."""
    stream = exports.export(database, OPERATOR, ExportSpec())
    assert inspect.isgenerator(stream)
    assert inspect.getgeneratorstate(stream) == inspect.GEN_CREATED
    stream.close()


def test_export_checks_scope_before_streaming(database: Database) -> None:
    writer = credentials.create(
        database, name="w", scopes=["statements/write"], home_page="http://lrs.test"
    )
    with pytest.raises(Forbidden):
        exports.export(database, writer.principal, ExportSpec())
    with pytest.raises(BadRequest):
        exports.export(database, OPERATOR, dataclasses.replace(ExportSpec(), source_kind="both"))


def test_count_matches_the_export(database: Database) -> None:
    _fill(database, extra=3)
    spec = ExportSpec(source_kind="formal")
    assert exports.count(database, OPERATOR, spec) == 4  # the passed test and three course attempts
    assert exports.count(database, OPERATOR, ExportSpec()) == 7


@pytest.mark.parametrize("ascending", [True, False])
def test_windows_cover_every_seq_in_order(database: Database, ascending: bool) -> None:
    """Sparse matches across many seq windows come out complete and in order."""
    principal = _principal(database)
    statements = [make_statement(actor=make_agent("rare" if i % 9 == 0 else f"p{i}"))
                  for i in range(60)]  # fmt: skip
    for first in range(0, 60, 7):
        store_statements(database, statements[first : first + 7], version="1.0.3",
                         principal=principal)  # fmt: skip
    expected = [s["id"] for i, s in enumerate(statements) if i % 9 == 0]
    query = StatementQuery(ascending=ascending, agent_key="mbox:mailto:rare@example.com")
    chunks = exports.export(database, OPERATOR, ExportSpec(query=query), page_size=2)
    got = [orjson.loads(line)["id"] for chunk in chunks for line in chunk.splitlines()]
    assert got == (expected if ascending else expected[::-1])
    everything = exports.export(
        database, OPERATOR, ExportSpec(query=StatementQuery(ascending=ascending)), page_size=3
    )
    ids = [orjson.loads(line)["id"] for chunk in everything for line in chunk.splitlines()]
    all_ids = [s["id"] for s in statements]
    assert ids == (all_ids if ascending else all_ids[::-1])


def test_ndjson_lines_are_the_stored_text_byte_for_byte(database: Database) -> None:
    """Whatever a statement's text holds (quotes, backslashes, escaped control characters,
    text beyond ASCII, or line breaks and tabs kept as the JSON was sent), its line is
    that text, as a plain read of the column gives it."""
    principal = _principal(database)
    names = ['say "hi"', "back\\slash", "\x01\x02 controls\t\r\n", "é ü 漢字 🎓", "\\u0001"]
    batch = [make_statement(actor=make_agent(f"n{i}"), verb=make_verb(display={"en-US": name}))
             for i, name in enumerate(names)]  # fmt: skip
    ids = store_statements(database, batch, version="1.0.3", principal=principal)
    spaced = '{\n\t"id": "%s",\r\n "x": "\x7f"}' % ids[0]  # noqa: UP031
    with database.engine.begin() as connection:
        # Text written by hand, unlike any the LRS writes: the whitespace JSON allows.
        connection.execute(
            sa.text("UPDATE statement SET payload = :stored WHERE id = :id"),
            {"stored": payloads.encode_text(spaced.encode()), "id": ids[1]},
        )
    with database.engine.connect() as connection:
        texts = connection.execute(
            sa.select(payloads.as_text(Statement.payload)).order_by(Statement.seq)
        ).scalars()
        expected = b"".join(text.encode() + b"\n" for text in texts)
    assert spaced.encode() in expected
    for page_size in (1, 2, 1000):
        assert b"".join(exports.export(database, OPERATOR, ExportSpec(), page_size=page_size)) \
            == expected  # fmt: skip


def test_an_export_left_unread_leaves_its_connection_usable(database: Database) -> None:
    """A reader that goes away (a download cancelled) ends the export midway; the
    connection it used serves the next export."""
    _fill(database, extra=20)
    whole = _export(database)
    for _ in range(3):
        stream = exports.export(database, OPERATOR, ExportSpec(), page_size=2)
        assert next(stream)
        stream.close()
        assert _export(database) == whole
