"""Forwarding passwords and webhook secrets are encrypted at rest (LRS_FORWARDING_KEY):
the stored value is never the clear secret, delivery still signs and authenticates with
it, and rotating the key re-encrypts every stored value under the new key."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from lrs.cli import main
from lrs.errors import BadRequest
from lrs.services import credentials, forwarding
from lrs.services.principal import OPERATOR
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.models import ForwardingRule
from tests.conftest import TEST_FORWARDING_KEY, TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.lrs.api.receiver import Receiver, receiver

BOX = forwarding.SecretBox(TEST_FORWARDING_KEY)
NEW_KEY = forwarding.generate_key()
PASSWORD = "target-password"
SECRET = "webhook-secret"


@pytest.fixture
def target() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def _stored(database: Database) -> dict[str, tuple[str | None, str | None]]:
    with database.reading() as session:
        rows = session.execute(
            sa.select(ForwardingRule.name, ForwardingRule.password, ForwardingRule.secret)
        )
        return {name: (password, secret) for name, password, secret in rows}


def _rules(database: Database, url: str, box: forwarding.SecretBox) -> None:
    forwarding.create_rule(
        database, OPERATOR,
        {"name": "lrs", "kind": "xapi", "url": url + "/xapi/", "username": "u",
         "password": PASSWORD},
        box=box,
    )  # fmt: skip
    forwarding.create_rule(
        database, OPERATOR, {"name": "hook", "kind": "webhook", "url": url + "/hook",
                             "secret": SECRET}, box=box,
    )  # fmt: skip


def _store_one(database: Database) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    store_statements(database, [make_statement()], version="2.0.0", principal=principal)


def _check_delivery(database: Database, target: Receiver, box: forwarding.SecretBox) -> None:
    _store_one(database)
    target.requests.clear()
    assert forwarding.deliver_due(database, box).delivered == 2
    by_path = {request.path: request for request in target.requests}
    basic = base64.b64encode(f"u:{PASSWORD}".encode()).decode()
    assert by_path["/xapi/statements"].headers["authorization"] == f"Basic {basic}"
    hook = by_path["/hook"]
    stamp = hook.headers["x-lrs-timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + hook.body, hashlib.sha256)
    assert hook.headers["x-lrs-signature"] == "sha256=" + expected.hexdigest()


def test_secrets_are_stored_encrypted_and_deliveries_still_authenticate(
    database: Database, target: Receiver
) -> None:
    _rules(database, target.url, BOX)
    stored = _stored(database)
    password, _ = stored["lrs"]
    _, secret = stored["hook"]
    assert password is not None and secret is not None
    assert PASSWORD not in password and SECRET not in secret
    assert BOX.open(password) == PASSWORD
    assert BOX.open(secret) == SECRET
    _check_delivery(database, target, BOX)


def test_an_update_seals_a_new_secret_and_keeps_the_old_one_otherwise(
    database: Database, target: Receiver
) -> None:
    _rules(database, target.url, BOX)
    [hook] = [r for r in forwarding.list_rules(database, OPERATOR) if r["name"] == "hook"]
    before = _stored(database)["hook"][1]
    forwarding.update_rule(database, OPERATOR, hook["id"], {"active": True}, box=BOX)
    assert _stored(database)["hook"][1] == before
    forwarding.update_rule(database, OPERATOR, hook["id"], {"secret": "another"}, box=BOX)
    after = _stored(database)["hook"][1]
    assert after is not None and "another" not in after
    assert BOX.open(after) == "another"


def test_rotation_re_encrypts_under_the_new_key(database: Database, target: Receiver) -> None:
    _rules(database, target.url, BOX)
    before = _stored(database)
    both = forwarding.SecretBox(f"{NEW_KEY},{TEST_FORWARDING_KEY}")
    assert forwarding.rotate_key(database, OPERATOR, box=both) == 2
    after = _stored(database)
    new_only = forwarding.SecretBox(NEW_KEY)
    for name in ("lrs", "hook"):
        assert after[name] != before[name]
        sealed = after[name][0] or after[name][1]
        assert new_only.open(sealed) in (PASSWORD, SECRET)
        with pytest.raises(ValueError):
            BOX.open(sealed)
    _check_delivery(database, target, new_only)


def test_rotation_refuses_values_no_key_opens(database: Database, target: Receiver) -> None:
    _rules(database, target.url, BOX)
    before = _stored(database)
    with pytest.raises(BadRequest, match="cannot be decrypted"):
        forwarding.rotate_key(database, OPERATOR, box=forwarding.SecretBox(NEW_KEY))
    assert _stored(database) == before  # one transaction: nothing changed


def test_without_a_key_no_secret_is_stored(database: Database, target: Receiver) -> None:
    with pytest.raises(BadRequest, match="LRS_FORWARDING_KEY"):
        _rules(database, target.url, forwarding.SecretBox(""))
    assert _stored(database) == {}


def test_a_delivery_whose_secret_no_key_opens_fails_without_sending(
    database: Database, target: Receiver
) -> None:
    _rules(database, target.url, BOX)
    _store_one(database)
    report = forwarding.deliver_due(database, forwarding.SecretBox(NEW_KEY))
    assert report.failed == 2
    assert "cannot be decrypted" in report.errors[0]
    assert target.requests == []


def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(ValueError, match="Fernet keys"):
        forwarding.SecretBox("not-a-key")


def test_rotate_key_command(database: Database, database_url: str, target: Receiver) -> None:
    _rules(database, target.url, BOX)
    env = {
        "LRS_DATABASE_URL": database_url,
        "LRS_FORWARDING_KEY": f"{NEW_KEY},{TEST_FORWARDING_KEY}",
    }
    result = CliRunner().invoke(main, ["forwarding", "rotate-key"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-encrypted 2" in result.output
    new_only = forwarding.SecretBox(NEW_KEY)
    assert new_only.open(_stored(database)["hook"][1]) == SECRET
    generated = CliRunner().invoke(main, ["forwarding", "generate-key"])
    assert forwarding.SecretBox(generated.output.strip()).has_keys
