"""ARCHITECTURE.md stays true: every file and folder it names in backticks exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A backticked repository path: `lrs/services/statements.py`, `dashboards/pages/`,
# `pyproject.toml`; never a URL path (`/xapi/...`), a command or a code snippet.
PATH = re.compile(r"`([A-Za-z_][\w.-]*(?:/[\w.-]+)*/?)`")


def named_paths(text: str) -> list[str]:
    return [
        found
        for found in PATH.findall(text)
        if "/" in found or found.endswith((".py", ".toml", ".md"))
    ]


def test_architecture_names_only_files_that_exist() -> None:
    named = named_paths((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(named) > 20, "ARCHITECTURE.md names the files of each flow"
    missing = sorted({path for path in named if not (ROOT / path).exists()})
    assert missing == [], f"ARCHITECTURE.md names files that do not exist: {missing}"


def test_a_moved_file_is_noticed() -> None:
    named = named_paths("see `lrs/services/statements.py` and `lrs/nowhere.py`, not `/xapi/x`")
    assert named == ["lrs/services/statements.py", "lrs/nowhere.py"]
    assert not (ROOT / "lrs/nowhere.py").exists()
