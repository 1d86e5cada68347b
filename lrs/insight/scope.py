"""Who may see what: the part of the data a reader of the read side is allowed to count.

A ``Scope`` is decided on the server from who is signed in (``lrs.services.users``):
an admin, an xAPI credential or the command line sees everything; a manager sees the
facts and rollups of their teams; a member sees only their own person. It travels in
``Filters.scope`` and every query turns it into SQL conditions through the helpers of
``lrs.insight._sql``, next to the filters. Filters chosen in a URL only ever narrow
what a scope allows (a member who names another person gets nothing): ``within``
intersects two scopes and never widens one. No Flask and no SQL here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The facts a reader may count.

    ``teams``: the teams whose facts and rollups are visible (``None``: every team, an
    empty set: none). ``person``: when set, only the facts of this person (a person's
    key, ``learning_fact.actor_key``) are visible, whatever their team.
    """

    teams: frozenset[str] | None = None
    person: str | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def of_teams(cls, teams: Iterable[str]) -> Scope:
        return cls(teams=frozenset(teams))

    @classmethod
    def of_person(cls, key: str) -> Scope:
        return cls(person=key)

    @classmethod
    def nothing(cls) -> Scope:
        return cls(teams=frozenset())

    @property
    def is_everything(self) -> bool:
        return self.teams is None and self.person is None

    @property
    def is_nothing(self) -> bool:
        return self.teams is not None and not self.teams

    def within(self, other: Scope) -> Scope:
        """What both scopes allow (the intersection): never more than either."""
        if self.teams is None:
            teams = other.teams
        elif other.teams is None:
            teams = self.teams
        else:
            teams = self.teams & other.teams
        person = self.person
        if other.person is not None:
            if person is not None and person != other.person:
                return Scope.nothing()
            person = other.person
        return Scope(teams=teams, person=person)

    def allows_team(self, team: str | None) -> bool:
        """True when facts of ``team`` may be visible (a member's are decided per person)."""
        return self.teams is None or (team is not None and team in self.teams)

    def allows(self, person: str | None, team: str | None) -> bool:
        """True when a fact of ``person`` (a person's key) in ``team`` is visible."""
        if self.person is not None and person != self.person:
            return False
        return self.allows_team(team)

    def describe(self) -> str:
        """A short human description, e.g. for a page's header."""
        if self.is_everything:
            return "everyone"
        if self.is_nothing:
            return "no one"
        parts = []
        if self.teams is not None:
            parts.append("teams " + ", ".join(sorted(self.teams)))
        if self.person is not None:
            parts.append(f"person {self.person}")
        return " · ".join(parts)


EVERYTHING = Scope.everything()
