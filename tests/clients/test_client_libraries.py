"""Every common xAPI client library works against a live `lrs serve`.

The maintained libraries from the registries, at the versions pinned in
``tests/clients/package.json`` (npm) and ``pyproject.toml`` (PyPI), drive one live
server: statements (single, batch, get, query, ``more`` paging, voiding, attachments),
state, activity and agent profiles, agents and activities. The JavaScript ones run with
Node (``drive.js``; ``npm ci`` installs them when ``node_modules`` is missing). Where a
library cannot make a request or read a valid answer, the test pins that limitation —
so the README table stays true — and makes the same request with raw HTTP to show the
LRS answers it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.server import KEY, SECRET, Server, serve

HERE = Path(__file__).parent
AUTH = (KEY, SECRET)
V103 = {"X-Experience-API-Version": "1.0.3"}

# What each library does not do, and why; everything else must pass.
NOT_IN_LIBRARY = {
    "xapi": {
        # Under Node, @xapi/xapi 3.0.3 sends its multipart/mixed body with the header
        # "Content-Type: application/octet-stream" (its boundary is lost), which the LRS
        # must refuse (400); in browsers it sends multipart/mixed.
        "statement_attachments": "Content-Type application/octet-stream is not accepted",
    },
}
EXPECTED_CHECKS = {
    "xapi": {"about", "statement_single", "statement_batch", "statement_get", "statement_query",
             "statement_more", "statement_void", "statement_attachments", "state",
             "activity_profile", "agent_profile", "agents", "activities"},
    "tincanjs": {"about", "statement_single", "statement_batch", "statement_get",
                 "statement_query", "statement_more", "statement_void", "statement_attachments",
                 "state", "activity_profile", "agent_profile", "activities"},
    "adl": {"statement_single", "statement_batch", "statement_get", "statement_query",
            "statement_more", "statement_void", "state", "activity_profile", "agent_profile",
            "agents", "activities"},
    "cmi5": {"lms_launch_data", "cmi5_initialize", "cmi5_complete_pass_terminate",
             "cmi5_statements_stored"},
}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("clients")
    with serve(
        f"sqlite:///{folder / 'lrs.db'}", folder / "server.log", workers=2, threads=4,
        extra_env={"LRS_SOURCES_WORKER": "false", "LRS_FORWARDING_WORKER": "false"},
    ) as running:  # fmt: skip
        yield running


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The pinned npm packages, installed with `npm ci` when they are not there yet."""
    installed = HERE / "node_modules"
    if not (installed / "tincanjs").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed for the client-library tests (Node 20 and npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,
                       timeout=600)  # fmt: skip
    return installed


def drive(library: str, server: Server) -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    assert node is not None, "node is needed for the client-library tests"
    finished = subprocess.run(
        [node, str(HERE / "drive.js"), library, f"{server.xapi}/", KEY, SECRET],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    results = [json.loads(line) for line in finished.stdout.splitlines() if line.strip()]
    return {result["check"]: result for result in results}


@pytest.mark.parametrize("library", ["xapi", "tincanjs", "adl", "cmi5"])
def test_javascript_library(library: str, server: Server, node_modules: Path) -> None:
    results = drive(library, server)
    assert set(results) == EXPECTED_CHECKS[library]
    known = NOT_IN_LIBRARY.get(library, {})
    for name, result in results.items():
        if name in known:
            assert not result["ok"] and known[name] in result["detail"], result
        else:
            assert result["ok"], result


def test_multipart_attachments_with_raw_http(server: Server) -> None:
    """The request @xapi/xapi means to send under Node, with its multipart/mixed header:
    stored, and the attachment comes back with ``attachments=true``."""
    content = b"hello attachment"
    sha2 = hashlib.sha256(content).hexdigest()
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:raw@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/raw/attachments"},
        "attachments": [{"usageType": "http://example.com/usage/note", "display": {"en-US": "n"},
                         "contentType": "text/plain", "length": len(content), "sha2": sha2}],
    }  # fmt: skip
    body = (
        b"--xyz\r\nContent-Type: application/json\r\n\r\n" + json.dumps(statement).encode()
        + b"\r\n--xyz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
        + f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode() + content + b"\r\n--xyz--\r\n"
    )  # fmt: skip
    stored = requests.post(
        f"{server.xapi}/statements", data=body, auth=AUTH, timeout=10,
        headers={**V103, "Content-Type": "multipart/mixed; boundary=xyz"},
    )  # fmt: skip
    assert stored.status_code == 200, stored.text
    back = requests.get(
        f"{server.xapi}/statements", auth=AUTH, headers=V103, timeout=10,
        params={"statementId": statement["id"], "attachments": "true"},
    )  # fmt: skip
    assert back.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    assert content in back.content


# --- TinCanPython (PyPI `tincan`) ------------------------------------------------------------


def test_tincan_python(server: Server) -> None:
    """TinCanPython 1.0.0: statements, paging, voiding, state and both profiles —
    including a profile PUT with no If-Match/If-None-Match, which the library sends when
    it creates a profile (xAPI Communication 3.1: 409 only for an existing document)."""
    tincan = pytest.importorskip("tincan")
    lrs = tincan.RemoteLRS(endpoint=f"{server.xapi}/", username=KEY, password=SECRET,
                           version="1.0.3")  # fmt: skip
    agent = tincan.Agent(name="Tin Can", mbox=f"mailto:{uuid.uuid4()}@example.com")
    activity = tincan.Activity(id=f"http://example.com/tincan-python/{uuid.uuid4()}")
    verb = tincan.Verb(id="http://adlnet.gov/expapi/verbs/experienced",
                       display=tincan.LanguageMap({"en-US": "experienced"}))  # fmt: skip

    def statement() -> Any:
        return tincan.Statement(actor=agent, verb=verb, object=activity)

    single = lrs.save_statement(statement())
    assert single.success, single.data
    batch = lrs.save_statements([statement(), statement(), statement()])
    assert batch.success and len(batch.content) == 3
    got = lrs.retrieve_statement(single.content.id)
    assert got.success and str(got.content.id) == str(single.content.id)
    page = lrs.query_statements({"activity": activity, "verb": verb, "limit": 3})
    assert page.success and len(page.content.statements) == 3 and page.content.more
    rest = lrs.more_statements(page.content)
    assert rest.success and len(rest.content.statements) == 1
    voiding = tincan.Statement(
        actor=agent, verb=tincan.Verb(id="http://adlnet.gov/expapi/verbs/voided"),
        object=tincan.StatementRef(id=batch.content[0].id),
    )  # fmt: skip
    assert lrs.save_statement(voiding).success
    voided = lrs.retrieve_voided_statement(batch.content[0].id)
    assert voided.success and str(voided.content.id) == str(batch.content[0].id)

    state = tincan.StateDocument(
        id="bookmark", activity=activity, agent=agent, content='{"page": 7}',
        content_type="application/json",
    )  # fmt: skip
    assert lrs.save_state(state).success
    read = lrs.retrieve_state(activity, agent, "bookmark")
    assert read.success and json.loads(bytes(read.content.content)) == {"page": 7}
    assert lrs.delete_state(read.content).success

    profile = tincan.ActivityProfileDocument(
        id="settings", activity=activity, content='{"a": 1}', content_type="application/json"
    )
    created = lrs.save_activity_profile(profile)  # no If-Match / If-None-Match
    assert created.success, created.data
    read_profile = lrs.retrieve_activity_profile(activity, "settings").content
    assert json.loads(bytes(read_profile.content)) == {"a": 1}
    # The library never reads a document's ETag (it looks for "etag" in the list that
    # Python 3's getheaders() returns), so its update carries no If-Match: a 409, as
    # Communication 3.1 requires for an existing document. With the ETag set from the
    # response header, the same call updates it.
    assert read_profile.etag is None
    read_profile.content = '{"a": 2}'
    assert lrs.save_activity_profile(read_profile).response.status == 409
    read_profile.etag = requests.get(
        f"{server.xapi}/activities/profile", auth=AUTH, headers=V103, timeout=10,
        params={"activityId": activity.id, "profileId": "settings"},
    ).headers["ETag"]  # fmt: skip
    assert lrs.save_activity_profile(read_profile).success
    changed = lrs.retrieve_activity_profile(activity, "settings").content
    assert json.loads(bytes(changed.content)) == {"a": 2}
    assert lrs.retrieve_activity_profile_ids(activity).content == ["settings"]

    agent_profile = tincan.AgentProfileDocument(
        id="preferences", agent=agent, content='{"b": 1}', content_type="application/json"
    )
    assert lrs.save_agent_profile(agent_profile).success
    read_agent = lrs.retrieve_agent_profile(agent, "preferences")
    assert json.loads(bytes(read_agent.content.content)) == {"b": 1}

    # TinCanPython has no call for the Agents and Activities resources: raw HTTP.
    person = requests.get(f"{server.xapi}/agents", auth=AUTH, headers=V103, timeout=10,
                          params={"agent": agent.to_json()})  # fmt: skip
    assert person.json()["objectType"] == "Person"
    defined = requests.get(f"{server.xapi}/activities", auth=AUTH, headers=V103, timeout=10,
                           params={"activityId": activity.id})  # fmt: skip
    assert defined.json()["id"] == activity.id


def test_tincan_python_cannot_read_about_with_2_0(server: Server) -> None:
    """TinCanPython 1.0.0 refuses an About whose versions include 2.0.0 (it checks each
    against the versions it knows). The raw request shows the LRS's valid answer."""
    tincan = pytest.importorskip("tincan")
    lrs = tincan.RemoteLRS(endpoint=f"{server.xapi}/", username=KEY, password=SECRET)
    with pytest.raises(ValueError, match=r"2\.0\.0"):
        lrs.about()
    about = requests.get(f"{server.xapi}/about", timeout=10)
    assert about.status_code == 200
    assert about.json()["version"] == ["1.0.3", "2.0.0"]


def test_agents_resource_with_raw_http(server: Server) -> None:
    """TinCanJS has no call for GET agents either: the raw request."""
    agent = {"objectType": "Agent", "mbox": "mailto:raw-agent@example.com", "name": "Raw"}
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    person = requests.get(
        f"{server.xapi}/agents", params={"agent": json.dumps(agent)}, timeout=10,
        headers={**V103, "Authorization": f"Basic {token}"},
    )  # fmt: skip
    assert person.status_code == 200
    assert person.json() == {"objectType": "Person", "mbox": ["mailto:raw-agent@example.com"],
                             "name": ["Raw"]}  # fmt: skip
