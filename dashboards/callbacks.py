"""Wiring a panel to its page: one Dash callback that parses the page's filters, opens a
read session and returns the panel's outputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash import Dash, Input, Output

from lrs.http import context
from lrs.insight.filters import Filters


def connect(
    app: Dash,
    page: str,
    outputs: Sequence[Output],
    panel: Callable[..., list[Any]],
    *inputs: Input,
) -> None:
    """Fill ``outputs`` with ``panel(session, filters, *values of inputs)`` whenever the
    page's filters (its ``<page>-query`` store) or one of ``inputs`` change."""

    def update(query: str, *values: Any) -> Any:
        filters = Filters.from_query(query)
        with context.database().reading() as session:
            result = panel(session, filters, *values)
        return result if len(outputs) > 1 else result[0]

    app.callback(*outputs, Input(f"{page}-query", "data"), *inputs)(update)
