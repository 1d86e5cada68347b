"""`lrs forwarding add|list|remove|failed|replay|deliver` against a real receiver."""

from __future__ import annotations

from click.testing import CliRunner

from lrs.cli import main
from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from tests.conftest import TEST_FORWARDING_KEY, TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.lrs.api.receiver import receiver


def test_forwarding_commands(database: Database, database_url: str) -> None:
    runner = CliRunner()
    env = {
        "LRS_DATABASE_URL": database_url,
        "LRS_FORWARDING_KEY": TEST_FORWARDING_KEY,
        "HOOK_SECRET": "s3cret",
    }

    def run(*args: str) -> str:
        result = runner.invoke(main, ["forwarding", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    with receiver() as target:
        added = run("add", "--name", "hook", "--kind", "webhook", "--url", target.url,
                    "--secret-env", "HOOK_SECRET", "--source-kind", "formal")  # fmt: skip
        assert "added rule" in added
        assert "hook" in run("list") and "formal" in run("list")
        principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
        assert principal is not None
        store_statements(database, [make_statement()], version="2.0.0", principal=principal)
        target.statuses = [400]
        assert "failed 1" in run("deliver")
        failed = run("failed")
        assert "400" in failed
        delivery_id = failed.split("\t")[0]
        assert "replayed 1" in run("replay", delivery_id)
        assert "delivered 1" in run("deliver")
        assert run("failed") == ""
        assert len(target.requests) == 2
    assert "removed rule" in run("remove", added.split()[2])
    assert run("list") == ""
    bad = runner.invoke(main, ["forwarding", "remove", "999"], env=env)
    assert bad.exit_code == 1
