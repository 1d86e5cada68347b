"""Erasure finds every spelling of a person, on SQLite and PostgreSQL.

One person sent under many spellings — the e-mail address in other cases, the SHA-1 of
spellings that never appear in clear, bare ``mailto:`` values in extensions, an Agent
inside an extension, voiding and referring statements of other people — is forgotten
from any one spelling; afterwards no table holds any of them and the store is
consistent. Retention removes the agent row of someone whose statements are all gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.services import credentials, privacy
from lrs.services import statements as statement_service
from lrs.services.principal import OPERATOR
from lrs.store import payloads
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import (
    VERB_VOIDED,
    make_agent,
    make_statement,
    make_statement_ref,
    make_verb,
)
from tests.helpers import XapiClient
from tests.security.consistency import problems

ADDRESS = "pat.smith@example.com"
BOB = make_agent("bob")
CAROL = make_agent("carol")
EXTENSION = "http://example.com/extensions/"


def _sha1(mbox: str) -> str:
    return hashlib.sha1(mbox.encode()).hexdigest()


def _store(database: Database, *statements: dict[str, Any], now: dt.datetime | None = None) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    statement_service.store_statements(
        database, list(statements), version="2.0.0", principal=principal, now=now
    )


def _ids(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT id FROM statement")).scalars())


def _traces(database: Database, sha1s: set[str]) -> list[str]:
    """Every row of any table that still names the person, by address or hash."""
    found: list[str] = []
    with database.engine.connect() as connection:
        for table, column in (
            ("index_key", "key"),
            ("agent", "agent_key"),
            ("document", "agent_key"),
            ("learning_fact", "actor_key"),
            ("statement", "actor_key"),
        ):
            for (value,) in connection.execute(sa.text(f"SELECT {column} FROM {table}")):
                text = str(value or "").lower()
                if "pat.smith@" in text or any(sha1 in text for sha1 in sha1s):
                    found.append(f"{table}: {value}")
        for (payload,) in connection.execute(sa.text("SELECT payload FROM statement")):
            text = json.dumps(payloads.decode(payload))
            if "pat.smith@" in text.lower() or any(sha1 in text.lower() for sha1 in sha1s):
                found.append(f"statement payload: {text[:120]}")
    return found


def _pat(mbox: str, **overrides: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": "Pat", "mbox": mbox, **overrides}


def _world(database: Database, xapi: XapiClient) -> tuple[dict[str, dict[str, Any]], set[str]]:
    hidden = "mailto:pAt.SmItH@ExAmPlE.cOm"  # a spelling only ever sent hashed
    sha1s = {_sha1("mailto:PAT.SMITH@EXAMPLE.COM"), _sha1(hidden)}
    s = {
        "upper": make_statement(actor=_pat("mailto:PAT.SMITH@EXAMPLE.COM")),
        "capitalised": make_statement(actor=_pat("mailto:Pat.Smith@example.com")),
        "domain": make_statement(actor=_pat("mailto:pat.smith@Example.COM")),
        "sha1 upper": make_statement(
            actor={"mbox_sha1sum": _sha1("mailto:PAT.SMITH@EXAMPLE.COM")}
        ),
        "sha1 hidden, hex in upper case": make_statement(
            actor={"mbox_sha1sum": _sha1(hidden).upper()}
        ),
        "instructor": make_statement(
            actor=BOB, context={"instructor": _pat("mailto:PAT.smith@example.com")}
        ),
        "bare extension": make_statement(
            actor=BOB,
            result={"extensions": {EXTENSION + "reviewer": "mailto:PAT.Smith@example.com"}},
        ),
        "agent in extension": make_statement(
            actor=BOB,
            context={
                "extensions": {EXTENSION + "mentor": {"mbox": "mailto:Pat.smith@EXAMPLE.com"}}
            },
        ),
        "bob": make_statement(actor=BOB),
    }  # fmt: skip
    _store(database, *s.values())
    # Bob voids one of Pat's; Carol refers to another; Bob voids Carol's reference.
    s["bob voids pat"] = make_statement(
        actor=BOB, verb=make_verb(VERB_VOIDED), object=make_statement_ref(s["upper"]["id"])
    )
    s["carol refers"] = make_statement(
        actor=CAROL, object=make_statement_ref(s["capitalised"]["id"])
    )
    _store(database, s["bob voids pat"], s["carol refers"])
    s["bob voids carol"] = make_statement(
        actor=BOB, verb=make_verb(VERB_VOIDED), object=make_statement_ref(s["carol refers"]["id"])
    )
    _store(database, s["bob voids carol"])
    for spelling, resource, extra in (
        ("mailto:PAT.SMITH@EXAMPLE.COM", "activities/state",
         {"activityId": "http://example.com/a/1", "stateId": "bookmark"}),
        ("mailto:Pat.Smith@example.com", "agents/profile", {"profileId": "prefs"}),
    ):  # fmt: skip
        response = xapi.put(
            resource,
            query_string={"agent": json.dumps({"mbox": spelling}), **extra},
            json={"k": 1},
            headers={"If-None-Match": "*"},
        )
        assert response.status_code == 204, response.get_data(as_text=True)
    return s, sha1s


KEPT = {"bob", "carol refers", "bob voids carol"}


def test_forget_from_one_spelling_finds_every_other(database: Database, xapi: XapiClient) -> None:
    world, sha1s = _world(database, xapi)
    assert _traces(database, sha1s)
    dry = privacy.forget(database, OPERATOR, {"mbox": f"mailto:{ADDRESS}"}, dry_run=True).as_json()
    receipt = privacy.forget(database, OPERATOR, {"mbox": f"mailto:{ADDRESS}"}).as_json()

    assert _ids(database) == {world[name]["id"] for name in KEPT}
    assert _traces(database, sha1s) == []
    assert problems(database) == []
    removed = receipt["removed"]
    assert removed == dry["removed"]
    assert removed["statement"] == len(world) - len(KEPT)
    # Pat's agent rows: three spellings of the address and two hashes, all actors.
    assert removed["agent"] == 5
    assert removed["document"] == 2
    assert removed["statement_agent"] >= removed["statement"]
    assert receipt["reindexed_statements"] == 2  # Carol's reference and Bob's voiding of it
    assert {
        "mbox:mailto:PAT.SMITH@example.com",
        "mbox:mailto:Pat.Smith@example.com",
        "mbox:mailto:pat.smith@example.com",
        *(f"mbox_sha1sum:{sha1}" for sha1 in sha1s),
    } <= set(receipt["identities"])
    person = xapi.get("agents", query_string={"agent": json.dumps({"mbox": f"mailto:{ADDRESS}"})})
    assert "name" not in person.get_json()


def test_forget_from_a_hash_finds_the_statements_sent_with_it(
    database: Database, xapi: XapiClient
) -> None:
    sha1 = _sha1("mailto:PAT.SMITH@EXAMPLE.COM")
    statement = make_statement(actor={"mbox_sha1sum": sha1.upper()})
    _store(database, statement, make_statement(actor=BOB))
    receipt = privacy.forget(database, OPERATOR, {"mbox_sha1sum": sha1}).as_json()
    assert statement["id"] not in _ids(database)
    assert receipt["removed"] | {"statement": 1, "agent": 1} == receipt["removed"]
    assert _traces(database, {sha1}) == []


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sent=st.lists(st.integers(0, 2**14 - 1), min_size=1, max_size=4),
    asked=st.integers(0, 2**14 - 1),
    hashed=st.booleans(),
)
def test_any_case_spelling_forgets_any_other(
    database: Database, sent: list[int], asked: int, hashed: bool
) -> None:
    def spelling(mask: int) -> str:
        letters = [c.upper() if mask >> i & 1 else c for i, c in enumerate(ADDRESS)]
        return "mailto:" + "".join(letters)

    statements = [
        make_statement(actor={"mbox_sha1sum": _sha1(spelling(mask))} if hashed and n % 2 else
                       _pat(spelling(mask)))
        for n, mask in enumerate(sent)
    ]  # fmt: skip
    keep = make_statement(actor=BOB)
    _store(database, *statements, keep)
    receipt = privacy.forget(database, OPERATOR, {"mbox": spelling(asked)}).as_json()
    assert receipt["removed"]["statement"] == len(statements)
    assert keep["id"] in _ids(database)
    assert _traces(database, {_sha1(spelling(mask)) for mask in sent}) == []


def test_retention_removes_the_agent_row_of_someone_whose_statements_are_all_gone(
    database: Database,
) -> None:
    now = dt.datetime.now(dt.UTC)
    gone, stays = make_agent("gone", name="Gone"), make_agent("stays", name="Stays")
    _store(database, make_statement(actor=gone), make_statement(actor=stays),
           now=now - dt.timedelta(days=400))  # fmt: skip
    _store(database, make_statement(actor=stays), now=now)
    receipt = privacy.retention(database, OPERATOR, older_than=dt.timedelta(days=365)).as_json()
    assert receipt["removed"]["statement"] == 2
    assert receipt["removed"]["agent"] == 1
    with database.engine.connect() as connection:
        keys = set(connection.execute(sa.text("SELECT agent_key FROM agent")).scalars())
    assert "mbox:mailto:gone@example.com" not in keys
    assert "mbox:mailto:stays@example.com" in keys
    assert problems(database) == []
