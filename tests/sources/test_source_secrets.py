"""A pulled source's password is encrypted at rest with LRS_FORWARDING_KEY, as forwarding
secrets are: the stored value is never the clear password, a run still signs in with it,
and `lrs forwarding rotate-key` re-encrypts it under the new key. Both databases."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from lrs.cli import main
from lrs.errors import BadRequest
from lrs.services import sources
from lrs.services.principal import OPERATOR
from lrs.services.sealing import SecretBox, generate_key
from lrs.store.engine import Database
from lrs.store.models import PulledSource
from tests.conftest import TEST_FORWARDING_KEY
from tests.sources.feedserver import FixtureServer, Route, fixture_server
from tests.sources.helpers import fixture

BOX = SecretBox(TEST_FORWARDING_KEY)
NEW_KEY = generate_key()
PASSWORD = "source-password"
HOME = "http://lrs.test"


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with fixture_server() as running:
        running.routes["/feed.atom"] = Route(fixture("engineering.atom"))
        yield running


def _add(database: Database, server: FixtureServer, name: str, box: SecretBox) -> None:
    values = {"name": name, "kind": "blog", "url": server.url("/feed.atom"),
              "username": "reader", "password": PASSWORD}  # fmt: skip
    sources.add_source(database, OPERATOR, values, box=box)


def _stored(database: Database) -> dict[str, str | None]:
    with database.reading() as session:
        rows = session.execute(sa.select(PulledSource.name, PulledSource.password))
        return {str(name): password for name, password in rows}


def _run(database: Database, name: str, box: SecretBox) -> sources.RunReport:
    return sources.run_source(database, OPERATOR, name, box=box, home_page=HOME, timeout=5)


def test_the_password_is_stored_encrypted_and_used_in_clear(
    database: Database, server: FixtureServer
) -> None:
    _add(database, server, "private blog", BOX)
    stored = _stored(database)["private blog"]
    assert stored is not None and PASSWORD not in stored
    assert BOX.open(stored) == PASSWORD
    assert sources.get_source(database, OPERATOR, "private blog")["has_password"] is True
    report = _run(database, "private blog", BOX)
    assert (report.status, report.stored) == ("ok", 3)
    expected = "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
    assert server.hits("/feed.atom")[0].headers["Authorization"] == expected


def test_without_a_key_no_password_is_stored(database: Database, server: FixtureServer) -> None:
    with pytest.raises(BadRequest, match="LRS_FORWARDING_KEY") as refused:
        _add(database, server, "private blog", SecretBox(""))
    assert refused.value.path == "password"
    assert _stored(database) == {}
    public = {"name": "public blog", "kind": "blog", "url": server.url("/feed.atom")}
    sources.add_source(database, OPERATOR, public, box=SecretBox(""))  # no password, no key
    assert _stored(database) == {"public blog": None}


def test_a_run_whose_password_no_key_opens_fails_without_calling(
    database: Database, server: FixtureServer
) -> None:
    _add(database, server, "private blog", BOX)
    report = _run(database, "private blog", SecretBox(NEW_KEY))
    assert report.status == "error" and report.error is not None
    assert "cannot be decrypted" in report.error
    assert server.requests == []


def test_rotation_re_encrypts_under_the_new_key(database: Database, server: FixtureServer) -> None:
    _add(database, server, "private blog", BOX)
    _add(database, server, "second blog", BOX)
    before = _stored(database)
    both = SecretBox(f"{NEW_KEY},{TEST_FORWARDING_KEY}")
    assert sources.rotate_key(database, OPERATOR, box=both) == 2
    after = _stored(database)
    new_only = SecretBox(NEW_KEY)
    for name, sealed in after.items():
        assert sealed != before[name]
        assert new_only.open(sealed) == PASSWORD
        with pytest.raises(ValueError):
            BOX.open(sealed)
    assert _run(database, "private blog", new_only).status == "ok"


def test_rotation_refuses_passwords_no_key_opens(database: Database, server: FixtureServer) -> None:
    _add(database, server, "private blog", BOX)
    before = _stored(database)
    with pytest.raises(BadRequest, match="cannot be decrypted"):
        sources.rotate_key(database, OPERATOR, box=SecretBox(NEW_KEY))
    assert _stored(database) == before  # one transaction: nothing changed


def test_the_rotate_key_command_covers_sources(
    database: Database, database_url: str, server: FixtureServer
) -> None:
    _add(database, server, "private blog", BOX)
    env = {"LRS_DATABASE_URL": database_url,
           "LRS_FORWARDING_KEY": f"{NEW_KEY},{TEST_FORWARDING_KEY}"}  # fmt: skip
    result = CliRunner().invoke(main, ["forwarding", "rotate-key"], env=env)
    assert result.exit_code == 0, result.output
    assert "and 1 source passwords" in result.output
    assert SecretBox(NEW_KEY).open(_stored(database)["private blog"]) == PASSWORD


def test_the_add_command_seals_with_the_key_of_the_environment(
    database: Database, database_url: str, server: FixtureServer
) -> None:
    args = ["sources", "add", "blog", "--url", server.url("/feed.atom"), "--name", "cli blog",
            "--credential", f"reader:{PASSWORD}", "--paused"]  # fmt: skip
    without = CliRunner().invoke(
        main, args, env={"LRS_DATABASE_URL": database_url, "LRS_FORWARDING_KEY": ""}
    )
    assert without.exit_code == 1 and "LRS_FORWARDING_KEY" in without.output
    env = {"LRS_DATABASE_URL": database_url, "LRS_FORWARDING_KEY": TEST_FORWARDING_KEY}
    added = CliRunner().invoke(main, args, env=env)
    assert added.exit_code == 0, added.output
    assert BOX.open(_stored(database)["cli blog"]) == PASSWORD
