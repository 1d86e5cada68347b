"""`lrs import statements FILE` on an export with bad lines, on both databases: every bad
line is reported with its number and the reason, every good line is stored — those after
a bad one too — and the exit status and summary say how many of each.

The lines are generated: exported statements (some voided), mixed with lines that are
not JSON, not an export's statements, lack what an export always has (``version``,
``stored``, ...), hold invalid values (a timestamp out of range, U+0000), or void a
voiding statement (refused by the store, found by storing the batch line by line).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.cli import main
from lrs.services import imports
from lrs.store.engine import Database
from tests.factories import VERB_VOIDED, make_agent, make_statement, make_statement_ref, make_verb
from tests.security.inputs import EXAMPLES, stored_count

STORED = "2026-01-02T03:04:05.678Z"


def _exported(**overrides: Any) -> dict[str, Any]:
    exported = {"stored": STORED, "timestamp": STORED, "version": "1.0.0"}
    return make_statement(**{**exported, "authority": make_agent("lrs"), **overrides})


def _voiding(target: str) -> dict[str, Any]:
    return _exported(verb=make_verb(VERB_VOIDED), object=make_statement_ref(target))


# Each makes a bad line (given the id of a voiding statement stored first); the reason
# must name what is wrong.
BAD: dict[str, tuple[Callable[[str], bytes], str]] = {
    "not JSON": (lambda _: b"{not json", "not valid JSON"),
    "not an object": (lambda _: b"[1, 2]", "not a statement of an NDJSON export"),
    "no version": (lambda _: orjson.dumps(_exported(version=None)), "version: missing"),
    "no stored": (lambda _: orjson.dumps(_exported(stored=None)), "not a statement"),
    "no timestamp": (lambda _: orjson.dumps(_exported(timestamp=None)), "timestamp: missing"),
    "stored out of range": (
        lambda _: orjson.dumps(_exported(stored="0001-01-01T00:00:00+14:00")),
        "stored: Must lie between the years 0001 and 9999",
    ),
    "stored in the future": (
        lambda _: orjson.dumps(_exported(stored="9999-12-31T23:59:59Z")),
        "stored: 9999-12-31T23:59:59Z is later than this LRS's clock",
    ),
    "NUL": (
        lambda _: orjson.dumps(_exported(result={"response": "a\x00"})),
        "result.response: Must not contain the NUL character",
    ),
    "voids a voiding statement": (
        lambda voiding_id: orjson.dumps(_voiding(voiding_id)),
        "cannot be voided",
    ),
}


@settings(
    max_examples=max(EXAMPLES // 5, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.sampled_from(["good", "voided good", *sorted(BAD)]), min_size=1, max_size=12),
    batch_size=st.integers(1, 5),
)
def test_every_bad_line_is_reported_and_every_good_line_stored(
    database: Database, tmp_path_factory: Any, kinds: list[str], batch_size: int
) -> None:
    voiding = _voiding(str(uuid.uuid4()))
    lines = [orjson.dumps(voiding)]
    expected_bad: dict[int, str] = {}
    good = 1
    for number, kind in enumerate(kinds, start=2):
        if kind == "good":
            lines.append(orjson.dumps(_exported()))
            good += 1
        elif kind == "voided good":
            lines.append(orjson.dumps({"voided": True, "statement": _exported()}))
            good += 1
        else:
            make, reason = BAD[kind]
            lines.append(make(voiding["id"]))
            expected_bad[number] = reason
    path = tmp_path_factory.mktemp("import") / "export.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    before = stored_count(database)
    summary = imports.import_source(
        database, "statements", str(path), home_page="http://lrs.test", batch_size=batch_size
    )
    assert summary.stored == good
    assert stored_count(database) == before + good
    assert [r.where for r in summary.rejected] == [f"line {n}" for n in sorted(expected_bad)]
    for rejection in summary.rejected:
        assert expected_bad[int(rejection.where.split()[1])] in rejection.reason, rejection
    assert summary.read == len(lines)
    assert summary.failed == bool(expected_bad)


def test_the_command_reports_bad_lines_and_exits_non_zero(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    lines = [
        orjson.dumps(_exported()),
        orjson.dumps(_exported(version=None)),  # stored, but no version
        orjson.dumps(_exported()),
        b"{not json",
        orjson.dumps(_exported()),
    ]
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"\n".join(lines))
    result = CliRunner().invoke(
        main, ["import", "statements", str(path)], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1, result.output
    assert f"{path}: read 5, stored 3, skipped 0 (already there), rejected 2" in result.stdout
    assert "rejected line 2: version: missing; every statement of an export has it" in (
        result.stderr
    )
    assert "rejected line 4: not valid JSON" in result.stderr
    assert stored_count(database) == 3
