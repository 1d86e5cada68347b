"""Property tests: generated valid statements round-trip unchanged; garbage only ever raises
StatementError."""

from __future__ import annotations

import contextlib
import copy
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements import StatementError, agent_keys_in, format_statement, same_statement, validate

# Any character but U+0000, which no statement may hold (see tests/security/test_nul.py).
_chars = st.characters(codec="utf-8", exclude_characters="\x00")
_word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
_iri = st.builds(lambda host, path: f"http://{host}.example.com/{path}", _word, _word)
_lang = st.sampled_from(["en-US", "en", "fr-FR", "de", "zh-Hant", "sr-Latn-RS", "es-419", "tlh"])
_lang_map = st.dictionaries(_lang, st.text(_chars, max_size=20), min_size=1, max_size=3)
_uuid = st.uuids().map(str)
_mbox = _word.map(lambda w: f"mailto:{w}@example.com")
_ifi = st.one_of(
    _mbox.map(lambda m: {"mbox": m}),
    st.text("0123456789abcdef", min_size=40, max_size=40).map(lambda h: {"mbox_sha1sum": h}),
    _iri.map(lambda i: {"openid": i}),
    st.builds(
        lambda h, n: {"account": {"homePage": h, "name": n}}, _iri, st.text(_chars, max_size=10)
    ),
)
_agent = st.builds(
    lambda ifi, name: {"objectType": "Agent", **ifi, **name},
    _ifi,
    st.one_of(st.just({}), st.text(_chars, max_size=10).map(lambda n: {"name": n})),
)
_group = st.builds(
    lambda members, ifi: {"objectType": "Group", "member": members, **ifi},
    st.lists(_agent, min_size=1, max_size=3),
    st.one_of(st.just({}), _ifi),
)
_activity = st.builds(
    lambda i, name, t: {"id": i, "definition": {"name": name, "type": t}}, _iri, _lang_map, _iri
)
_extensions = st.dictionaries(
    _iri, st.one_of(st.none(), st.integers(), st.text(_chars, max_size=5)), max_size=2
)
_score = st.builds(
    lambda scaled, raw: {"scaled": scaled, "raw": raw, "min": 0, "max": 100},
    st.floats(-1, 1),
    st.integers(0, 100),
)
_result = st.fixed_dictionaries(
    {},
    optional={
        "score": _score,
        "success": st.booleans(),
        "completion": st.booleans(),
        "response": st.text(_chars, max_size=10),
        "duration": st.integers(0, 9999).map(lambda s: f"PT{s}S"),
        "extensions": _extensions,
    },
)
_context = st.fixed_dictionaries(
    {},
    optional={
        "registration": _uuid,
        "instructor": _agent,
        "contextActivities": st.fixed_dictionaries(
            {"parent": st.lists(_activity, min_size=1, max_size=2)},
            optional={"other": _activity},
        ),
        "language": _lang,
        "extensions": _extensions,
    },
)
_statement = st.fixed_dictionaries(
    {
        "actor": st.one_of(_agent, _group),
        "verb": st.builds(lambda i, d: {"id": i, "display": d}, _iri, _lang_map),
        "object": st.one_of(
            _activity, _agent, st.builds(lambda i: {"objectType": "StatementRef", "id": i}, _uuid)
        ),
    },
    optional={
        "id": _uuid,
        "result": _result,
        "context": _context,
        "timestamp": st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(
            lambda d: d.isoformat()
        ),
        "version": st.sampled_from(["1.0.0", "1.0.3", "1.0"]),
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_statement, st.sampled_from(["1.0.3", "2.0.0"]))
def test_generated_valid_statements_round_trip(statement: dict[str, Any], version: str) -> None:
    """Valid statements are accepted; only contextActivities singletons change shape."""
    before = copy.deepcopy(statement)
    result: dict[str, Any] = dict(validate(statement, version))
    assert statement == before
    assert same_statement(result, statement)
    other = before.get("context", {}).get("contextActivities", {}).get("other")
    if isinstance(other, dict):
        assert result["context"]["contextActivities"]["other"] == [other]
    else:
        assert result == before
    assert agent_keys_in(result)
    assert format_statement(result, "ids", [])["actor"]["objectType"] in ("Agent", "Group")


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(_chars, max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "actor",
                    "verb",
                    "object",
                    "id",
                    "mbox",
                    "objectType",
                    "member",
                    "context",
                    "result",
                    "x",
                ]
            )
            | st.text(_chars, max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(_json, st.sampled_from(["1.0.3", "2.0.0"]))
def test_garbage_only_raises_statement_error(data: Any, version: str) -> None:
    """Any JSON value is either a valid statement or a StatementError, never another error."""
    try:
        validate(data, version)
    except StatementError as error:
        assert isinstance(error.path, str)
        assert error.message


@settings(max_examples=200)
@given(_statement, st.sampled_from(["actor", "verb", "object"]), _json)
def test_corrupted_statements_only_raise_statement_error(
    statement: dict[str, Any], key: str, junk: Any
) -> None:
    """Replacing a required part with junk never crashes the validator."""
    with contextlib.suppress(StatementError):
        validate({**statement, key: junk}, "2.0.0")
