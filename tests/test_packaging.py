"""What ``pip install`` puts in the package: every file our packages need besides their
modules (the dashboards' assets, the migrations' template) is named by the package data
of pyproject.toml, so an install from a wheel serves what a checkout does."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    left_out = []
    for package in ("lrs", "statements", "dashboards", "migrations"):
        folder = ROOT / package
        patterns = package_data.get(package, [])
        covered = {path for pattern in patterns for path in folder.glob(pattern)}
        data = {
            path
            for path in folder.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")
            and "__pycache__" not in path.parts
        }  # fmt: skip
        left_out += sorted(str(path.relative_to(ROOT)) for path in data - covered)
    assert left_out == [], f"not installed by pip: {left_out}"
