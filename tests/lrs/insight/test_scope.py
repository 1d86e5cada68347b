"""Scopes on the read side: a manager's teams or a member's person limit every registry
entry exactly as the equivalent filter would, and a filter only narrows a scope."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from lrs.insight import activity, people, registry
from lrs.insight.filters import Filters
from lrs.insight.scope import Scope
from tests.lrs.insight.data import actor_key

# A fixed range: "the last day" of an open range is the last day the scope sees.
MARCH = Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
ANN = actor_key("ann")
ALPHA = Scope.of_teams({"Alpha"})
REQUIRED = {"topic": "safety", "course": "http://lms.example.com/courses/safety"}
"""Values for the parameters some entries require."""


def same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    if left.empty and right.empty:
        return True
    return bool(left.reset_index(drop=True).equals(right.reset_index(drop=True)))


@pytest.mark.parametrize(
    ("scope", "equivalent", "someone"),
    [
        (ALPHA, MARCH.replace(team="Alpha"), "ann"),
        (Scope.of_teams({"Beta"}), MARCH.replace(team="Beta"), "cat"),
        (Scope.of_person(ANN), MARCH.replace(person=ANN), "ann"),
    ],
    ids=["manager-alpha", "manager-beta", "member-ann"],
)
def test_every_entry_under_a_scope_answers_as_its_filter(
    session: Session, scope: Scope, equivalent: Filters, someone: str
) -> None:
    """(For an entry about one person, a person the scope sees.)"""
    scoped = MARCH.within(scope)
    for name, entry in registry.AGGREGATES.items():
        if entry.beyond_scope:  # what it shows beyond a scope is tested with the entry
            continue
        given = {p: REQUIRED[p] for p in entry.required}
        if "person" in entry.needs:
            scoped_run = entry.run(session, scoped.replace(person=actor_key(someone)), **given)
            filtered_run = entry.run(
                session, equivalent.replace(person=actor_key(someone)), **given
            )
        else:
            scoped_run = entry.run(session, scoped, **given)
            filtered_run = entry.run(session, equivalent, **given)
        assert same(scoped_run, filtered_run), name
        assert scoped_run.attrs.get("total") == filtered_run.attrs.get("total"), name


def test_exact_counts_per_scope(session: Session) -> None:
    assert activity.count_facts(session, Filters()) == 20
    assert activity.count_facts(session, Filters().within(ALPHA)) == 12
    assert activity.count_facts(session, Filters().within(Scope.of_teams({"Beta"}))) == 7
    assert activity.count_facts(session, Filters().within(Scope.of_person(ANN))) == 8
    assert activity.count_facts(session, Filters().within(Scope.nothing())) == 0
    summary = activity.summary(session, Filters().within(ALPHA)).iloc[0].to_dict()
    assert (summary["statements"], summary["people"]) == (12, 2)


def test_a_filter_narrows_a_scope_and_never_widens_it(session: Session) -> None:
    ben = actor_key("ben")
    cat = actor_key("cat")
    member = Scope.of_person(ANN)
    assert activity.count_facts(session, Filters(person=ben).within(member)) == 0
    assert activity.count_facts(session, Filters(team="Beta").within(ALPHA)) == 0
    assert activity.count_facts(session, Filters(person=cat).within(ALPHA)) == 0
    assert activity.count_facts(session, Filters(person=ben).within(ALPHA)) == 4
    # Scopes intersect: narrowing again can only take away.
    assert Filters().within(member).within(Scope.of_person(ben)).scope == Scope.nothing()
    assert ALPHA.within(Scope.of_teams({"Beta"})) == Scope.nothing()
    with pytest.raises(ValueError, match="narrowed"):
        Filters().replace(scope=Scope.everything())


def test_a_person_outside_the_scope_shows_neither_numbers_nor_team(session: Session) -> None:
    row = registry.PERSON_SUMMARY.run(session, Filters(person=ANN).within(Scope.of_teams({"Beta"})))
    assert row.iloc[0][["statements", "team", "name"]].tolist() == [0, "(no team)", ANN]
    assert people.person_names(session, [ANN], Scope.of_teams({"Beta"})) == {}
    assert people.person_names(session, [ANN], ALPHA) == {ANN: ("Ann", "Alpha")}


def test_pickers_offer_only_what_the_scope_sees(session: Session) -> None:
    everyone = people.people_options(session, "")
    assert len(everyone) == 5
    alpha = people.people_options(session, "", scope=ALPHA)
    assert sorted(alpha["name"]) == ["Ann", "Ben"]
    mine = people.people_options(session, "", scope=Scope.of_person(ANN))
    assert list(mine["actor_key"]) == [ANN]
    assert [t for t, _ in activity.filter_options(session)["team"]] == ["Alpha", "Beta"]
    assert [t for t, _ in activity.filter_options(session, scope=ALPHA)["team"]] == ["Alpha"]
    assert activity.filter_options(session, scope=Scope.of_person(ANN))["team"] == []
