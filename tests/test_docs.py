"""Every setting is documented in the README, with its real default."""

from __future__ import annotations

from pathlib import Path

from lrs.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_readme_table() -> None:
    for variable, default, _help in Settings.documentation():
        assert f"| `{variable}` | `{default}` |" in README, f"{variable} is not documented"


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"LRS_DATABASE_URL": "sqlite:///x.db", "LRS_MAX_PAGE_SIZE": "50", "LRS_DASHBOARDS": "no"}
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.max_page_size == 50
    assert settings.dashboards is False


def test_a_malformed_setting_is_named_in_the_error() -> None:
    try:
        Settings.from_env({"LRS_MAX_PAGE_SIZE": "lots"})
    except ValueError as error:
        assert "LRS_MAX_PAGE_SIZE" in str(error)
    else:
        raise AssertionError("a malformed number was accepted")
