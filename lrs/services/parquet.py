"""Parquet files of statements, written row group by row group as the export pages arrive.

A warehouse or DuckDB reads these columns without parsing JSON: the statement's id,
times (UTC microseconds), actor, verb, object, result, registration, the course, source
kind and team of its dashboard fact, its voided state, and the whole statement as JSON
text for whatever the columns leave out. ``write`` turns the export's pages of rows into
the bytes of one Parquet file and hands them on as soon as each row group is written,
so that memory holds one row group (``ROW_GROUP_ROWS`` statements) at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from lrs.store.exports import ExportRow
from statements import TimestampError, agent_key, best_language, parse_timestamp

# Statements per row group: a few tens of megabytes of Arrow data at about 1.7 KB a
# statement, and large enough for a reader's column statistics to skip whole groups.
ROW_GROUP_ROWS = 20_000

# Labels are read in English where a statement has it, else in its first language.
_LANGUAGES = ("en-US", "en")
_TIME = pa.timestamp("us", tz="UTC")
_COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("id", pa.string(), "statement id (UUID)"),
    ("timestamp", _TIME, "when the experience happened, in UTC"),
    ("stored", _TIME, "when the LRS stored the statement, in UTC"),
    ("version", pa.string(), "xAPI version of the statement"),
    ("actor_key", pa.string(), "actor identity: mbox:, mbox_sha1sum:, openid: or account:"),
    ("actor_name", pa.string(), "actor's name"),
    ("actor_type", pa.string(), "Agent or Group"),
    ("verb_id", pa.string(), "verb IRI"),
    ("verb_display", pa.string(), "verb display, en-US else the first language"),
    ("object_id", pa.string(), "activity IRI, agent identity or statement id of the object"),
    ("object_type", pa.string(), "Activity, Agent, Group, StatementRef or SubStatement"),
    ("object_name", pa.string(), "activity name, en-US else the first language"),
    ("activity_type", pa.string(), "activity type IRI"),
    ("result_score_scaled", pa.float64(), "result.score.scaled"),
    ("result_score_raw", pa.float64(), "result.score.raw"),
    ("result_score_min", pa.float64(), "result.score.min"),
    ("result_score_max", pa.float64(), "result.score.max"),
    ("result_success", pa.bool_(), "result.success"),
    ("result_completion", pa.bool_(), "result.completion"),
    ("result_response", pa.string(), "result.response"),
    ("result_duration", pa.string(), "result.duration (ISO 8601 duration)"),
    ("registration", pa.string(), "context.registration (UUID)"),
    ("platform", pa.string(), "context.platform"),
    ("course", pa.string(), "course, blog or wiki the statement belongs to"),
    ("source_kind", pa.string(), "formal, informal or other"),
    ("team", pa.string(), "the actor's team, as the dashboards count the statement"),
    ("voided", pa.bool_(), "true when a voiding statement voided it"),
    ("statement", pa.string(), "the statement as stored, JSON text"),
)
SCHEMA = pa.schema(
    [
        pa.field(name, kind, metadata={"description": description})
        for name, kind, description in _COLUMNS
    ]
)
NAMES = tuple(name for name, _, _ in _COLUMNS)


class _Sink:
    """A write-only file for the Parquet writer whose bytes are taken as they come."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def write(
    pages: Iterable[list[ExportRow]], *, row_group_rows: int = ROW_GROUP_ROWS
) -> Iterator[bytes]:
    """The bytes of one Parquet file holding every row of ``pages``, in their order."""
    sink = _Sink()
    writer = pq.ParquetWriter(sink, SCHEMA, compression="zstd")
    batches: list[pa.RecordBatch] = []
    pending = 0
    try:
        for rows in pages:
            batches.append(record_batch(rows))
            pending += len(rows)
            if pending >= row_group_rows:
                writer.write_table(pa.Table.from_batches(batches, SCHEMA), pending)
                batches, pending = [], 0
                yield sink.take()
        if pending:
            writer.write_table(pa.Table.from_batches(batches, SCHEMA), pending)
    finally:
        writer.close()
    yield sink.take()


def record_batch(rows: Iterable[ExportRow]) -> pa.RecordBatch:
    """The Parquet columns of ``rows``."""
    columns: dict[str, list[Any]] = {name: [] for name in NAMES}
    for row in rows:
        for name, value in zip(NAMES, _values(row), strict=True):
            columns[name].append(value)
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def _values(row: ExportRow) -> tuple[Any, ...]:
    statement = orjson.loads(row.payload)
    actor = statement.get("actor") or {}
    verb = statement.get("verb") or {}
    target = statement.get("object") or {}
    object_type = target.get("objectType", "Activity")
    definition = target.get("definition") or {}
    result = statement.get("result") or {}
    score = result.get("score") or {}
    context = statement.get("context") or {}
    return (
        statement.get("id"),
        _instant(statement.get("timestamp")),
        _instant(statement.get("stored")),
        statement.get("version"),
        agent_key(actor),
        actor.get("name"),
        actor.get("objectType", "Agent"),
        verb.get("id"),
        _label(verb.get("display")),
        _object_id(target, object_type),
        object_type,
        _label(definition.get("name")) or target.get("name"),
        definition.get("type"),
        _number(score.get("scaled")),
        _number(score.get("raw")),
        _number(score.get("min")),
        _number(score.get("max")),
        result.get("success"),
        result.get("completion"),
        result.get("response"),
        result.get("duration"),
        context.get("registration"),
        context.get("platform"),
        row.course,
        row.source_kind,
        row.team,
        row.voided,
        row.payload,
    )


def _object_id(target: Mapping[str, Any], object_type: str) -> str | None:
    if object_type in ("Agent", "Group"):
        return agent_key(target)
    if object_type == "SubStatement":
        return None
    return target.get("id")


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except TimestampError:
        return None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _label(language_map: Mapping[str, str] | None) -> str | None:
    if not language_map:
        return None
    return next(iter(best_language(language_map, _LANGUAGES).values()))
