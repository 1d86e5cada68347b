"""ARCHITECTURE.md stays true: every file and folder it names in backticks exists, and
every package of ours has its place in the layers contract it describes."""

from __future__ import annotations

import re
import tomllib
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


def test_every_package_of_ours_has_a_place_in_the_layers() -> None:
    """A module of ``lrs`` missing from the layers contract would be free to import
    anything and be imported by anything: import-linter checks only what is listed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    listed = {name.strip() for layer in layers for name in layer.split("|")}
    ours = {"statements", "dashboards", "migrations"} | {
        f"lrs.{path.stem}"
        for path in (ROOT / "lrs").iterdir()
        if path.name != "__init__.py"
        and ((path.suffix == ".py") or (path / "__init__.py").exists())
    }
    assert sorted(ours - listed) == []
