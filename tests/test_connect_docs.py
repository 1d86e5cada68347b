"""The connection guide runs: every `sh` block of docs/connect.md and of the README's
"Connecting an LMS" section is executed with bash against a live `lrs serve`, with the
guide's example blog and wiki hosts served by local fixture servers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_FORWARDING_KEY
from tests.e2e.server import KEY, SECRET, Server, serve
from tests.sources.feedserver import FixtureServer, Route, change, fixture_server, mediawiki_api
from tests.sources.helpers import fixture
from tests.sources.test_scheduled import EMPTY_COMMENTS

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "connect.md"
README = ROOT / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
SETTING = re.compile(r"^(LRS|KEY|SECRET)=")


def blocks(text: str) -> list[str]:
    return [match.group(1) for match in BLOCK.finditer(text)]


def readme_section() -> str:
    text = README.read_text()
    start = text.index("## Connecting an LMS")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


@pytest.fixture(scope="module")
def hosts() -> Iterator[FixtureServer]:
    """blog.example.org and wiki.example.org of the guide, served locally."""
    with fixture_server() as server:
        feed = fixture("wordpress.rss").decode()
        for path in ("/2024/03/discovery-calls/feed/", "/2024/02/pricing-objections/feed/"):
            feed = feed.replace(f"https://sales.acme.example{path}", server.url(path))
        server.routes["/feed/"] = Route(feed.encode())
        server.routes["/2024/03/discovery-calls/feed/"] = Route(fixture("wordpress-comments.rss"))
        server.routes["/2024/02/pricing-objections/feed/"] = Route(EMPTY_COMMENTS)
        changes = [
            change(11, "Onboarding", "grace", "2024-01-10T09:00:00Z", new=True),
            change(12, "Onboarding", "alan", "2024-01-11T09:00:00Z"),
            change(13, "Release process", "grace", "2024-01-12T09:00:00Z", new=True),
        ]
        server.routes["/w/api.php"] = Route(mediawiki_api(changes), content_type="application/json")
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    folder = tmp_path_factory.mktemp("connect")
    url = f"sqlite:///{folder / 'lrs.db'}"
    with serve(
        url, folder / "server.log", workers=1, threads=4,
        extra_env={"LRS_SOURCES_WORKER": "false", "LRS_FORWARDING_WORKER": "false",
                   "LRS_FORWARDING_KEY": TEST_FORWARDING_KEY},
    ) as running:  # fmt: skip
        yield running, url


def run_block(block: str, server: Server, database_url: str, hosts: FixtureServer,
              cwd: Path) -> subprocess.CompletedProcess[str]:  # fmt: skip
    lines = [line for line in block.splitlines() if not SETTING.match(line)]
    script = "\n".join(lines)
    for host in ("https://blog.example.org", "https://wiki.example.org"):
        script = script.replace(host, hosts.base)
    bash = shutil.which("bash")
    assert bash is not None
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "LRS": server.base, "KEY": KEY, "SECRET": SECRET, "LRS_DATABASE_URL": database_url,
        "LRS_FORWARDING_KEY": TEST_FORWARDING_KEY,
    }  # fmt: skip
    return subprocess.run(
        [bash, "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_guide_has_runnable_examples() -> None:
    found = blocks(GUIDE.read_text())
    assert len(found) >= 8
    text = "\n".join(found)
    for expected in ("curl", "lrs sources add blog", "lrs sources add wiki",
                     "lrs credentials create", "X-Experience-API-Version"):  # fmt: skip
        assert expected in text
    assert blocks(readme_section())


def test_every_example_runs_against_a_live_server(
    live: tuple[Server, str], hosts: FixtureServer, tmp_path: Path
) -> None:
    server, database_url = live
    outputs = []
    for block in blocks(GUIDE.read_text()) + blocks(readme_section()):
        done = run_block(block, server, database_url, hosts, tmp_path)
        assert done.returncode == 0, (
            f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
        outputs.append(done.stdout)
    output = "\n".join(outputs)
    assert '"version":["1.0.3","2.0.0"]' in output.replace(" ", "")
    assert "team blog: ok, read 4, stored 4, skipped 0, rejected 0" in output
    assert "handbook: ok, read 3, stored 3, skipped 0, rejected 0" in output
    assert "upstream LRS\tlrs\tpaused" in output
    assert (tmp_path / "statements.csv").read_text().startswith("timestamp,stored,")
