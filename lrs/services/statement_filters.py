"""The statement filters shared by GET /xapi/statements, GET /api/export/statements and
`lrs export`, checked in one place and turned into the store's ``StatementQuery``.

The HTTP layer reads them from query parameters (``lrs.http.params.statement_filters``),
the command line from its options; both then call :meth:`StatementFilters.query`, and
both read times with :func:`timestamp`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import statements
from lrs.errors import BadRequest
from lrs.store.statements import StatementQuery
from statements import TimestampError, parse_timestamp


@dataclass(frozen=True)
class StatementFilters:
    """The xAPI filters of a statement query, typed but not yet checked against the spec.

    ``agent`` is the Agent or identified Group as parsed JSON; ``registration`` a UUID in
    its canonical text form.
    """

    agent: Any = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    ascending: bool = False

    def query(
        self, version: str, *, limit: int = 100, include_voided: bool = False
    ) -> StatementQuery:
        """The store query of these filters under the rules of ``version``; a
        ``StatementError`` naming the parameter when the agent or an IRI is not valid."""
        # The data model's checks (read from the package when called, which imports their
        # schemas then): an export of everything, as `lrs export`, loads none of them.
        agent_key = None if self.agent is None else statements.validate_agent(self.agent, version)
        if self.verb is not None:
            statements.validate_iri(self.verb, "verb")
        if self.activity is not None:
            statements.validate_iri(self.activity, "activity")
        return StatementQuery(
            agent_key=agent_key,
            verb_id=self.verb,
            activity_id=self.activity,
            registration=self.registration,
            related_activities=self.related_activities,
            related_agents=self.related_agents,
            since=self.since,
            until=self.until,
            include_voided=include_voided,
            ascending=self.ascending,
            limit=limit,
        )


def timestamp(value: str | None, name: str) -> dt.datetime | None:
    """``value`` read by the rules of statement timestamps, except that one without a
    time zone is taken as UTC in every xAPI version; a 400 naming ``name`` saying what is
    wrong otherwise."""
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except TimestampError as error:
        raise BadRequest(f"{name} is not an accepted timestamp: {error}", name) from None
