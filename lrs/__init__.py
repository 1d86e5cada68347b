"""An xAPI 1.0.3 and 2.0 Learning Record Store with dashboards.

``create_app`` is imported when first asked for, not with the package: every ``lrs``
command imports this package, and most of them never build the application (Flask,
the HTTP surfaces and the dashboards)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrs.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from lrs.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
