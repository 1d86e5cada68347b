"""`lrs sources ...` through click's CliRunner against a real SQLite file, pulling a
fixture feed from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from lrs.cli import main
from tests.sources.feedserver import Route, fixture_server
from tests.sources.helpers import fixture


def _run(url: str, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(main, list(args), env={"LRS_DATABASE_URL": url}, catch_exceptions=False)


def test_sources_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    assert _run(url, "db", "upgrade").exit_code == 0
    with fixture_server() as server:
        server.routes["/feed.atom"] = Route(fixture("engineering.atom"))
        server.routes["/down"] = Route(b"", status=503)
        added = _run(url, "sources", "add", "blog", "--url", server.url("/feed.atom"),
                     "--name", "engineering", "--every", "30m")  # fmt: skip
        assert added.exit_code == 0, added.output
        assert "added source 1 'engineering' (blog, every 1800 s)" in added.stdout
        ran = _run(url, "sources", "run", "engineering")
        assert ran.exit_code == 0, ran.output
        assert "engineering: ok, read 3, stored 3, skipped 0, rejected 0" in ran.stdout
        listed = _run(url, "sources", "list").stdout
        assert "engineering\tblog\tok\t" in listed and "stored 3/3" in listed
        shown = orjson.loads(_run(url, "sources", "show", "1").stdout)
        assert shown["totals"]["stored"] == 3 and shown["last_status"] == "ok"
        assert "paused" in _run(url, "sources", "pause", "engineering").stdout
        assert "\tpaused\t" in _run(url, "sources", "list").stdout
        assert "resumed" in _run(url, "sources", "resume", "engineering").stdout
        _run(url, "sources", "add", "blog", "--url", server.url("/down"), "--name", "down")
        failed = _run(url, "sources", "run", "down")
        assert failed.exit_code == 1
        assert "answered 503" in failed.stderr
        assert "removed" in _run(url, "sources", "remove", "down").stdout
        bad = _run(url, "sources", "add", "blog", "--url", "file:///etc/passwd")
        assert bad.exit_code == 1 and "url must be an absolute http(s) URL" in bad.output


def test_a_mapping_path_is_kept_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's workers run elsewhere: a relative --mapping is stored absolute."""
    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    (tmp_path / "people.csv").write_text("user,name,mbox\ngrace,Grace,grace@acme.example\n")
    monkeypatch.chdir(tmp_path)
    assert _run(url, "db", "upgrade").exit_code == 0
    added = _run(url, "sources", "add", "blog", "--url", "http://127.0.0.1:9/feed/",
                 "--mapping", "people.csv")  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = orjson.loads(_run(url, "sources", "show", "1").stdout)
    assert shown["mapping"] == str(tmp_path / "people.csv")
