"""The published questions: one explicit entry per query, read by every consumer.

Each ``Aggregate`` names a pure query of the read side with its typed parameters (default
and bounds or choices), a one-line description and the columns of the frame it returns.
The dashboards' panels, ``GET /api/aggregates/<name>`` and every "download the numbers"
button run these entries, so a chart and its API answer from the same code. Adding a
parameter to a query means declaring it here, where it becomes a validated query
parameter of the API; an entry is never found by inspecting signatures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from lrs.errors import BadRequest, NotFound
from lrs.insight import activity, convergence, courses, knowledge, people, pull
from lrs.insight.filters import COMPARE, PREVIOUS, Filters
from lrs.store.dialects import storable_text

Value = int | str
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


@dataclass(frozen=True)
class Parameter:
    """A typed parameter: a whole number in ``minimum..maximum``, one of ``choices``, or
    (``length`` set) free text of at most ``length`` characters, such as a topic; a
    ``required`` parameter must be given (a 400 naming it otherwise)."""

    name: str
    description: str
    default: Value
    minimum: int = 0
    maximum: int = 0
    choices: tuple[str, ...] = ()
    length: int = 0
    required: bool = False

    def parse(self, text: str | None) -> Value:
        """The value of a query parameter's text (the default when absent or empty)."""
        if text is None or not text.strip():
            return self.default
        text = text.strip()
        if isinstance(self.default, int):
            # ASCII digits only: int() would also take "²" or "٣".
            if not _WHOLE_NUMBER.fullmatch(text):
                raise BadRequest(f"{self.name} must be {self._allowed()}, not {text!r}", self.name)
            return self.check(int(text))
        return self.check(text)

    def check(self, value: Value) -> Value:
        """``value`` if allowed, else a 400 naming this parameter and what it allows."""
        if isinstance(self.default, int):
            allowed = isinstance(value, int) and self.minimum <= value <= self.maximum
        elif self.length:
            allowed = isinstance(value, str) and len(value) <= self.length and storable_text(value)
        else:
            allowed = value in self.choices
        if not allowed:
            raise BadRequest(f"{self.name} must be {self._allowed()}, not {value!r}", self.name)
        return value

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"name": self.name, "description": self.description,
                                     "default": self.default}  # fmt: skip
        if isinstance(self.default, int):
            described.update(type="integer", minimum=self.minimum, maximum=self.maximum)
        elif self.length:
            described.update(type="string", max_length=self.length, required=self.required)
        else:
            described.update(type="string", choices=list(self.choices))
        return described

    def _allowed(self) -> str:
        if isinstance(self.default, int):
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.length:
            return f"text of at most {self.length} characters (no U+0000)"
        return "one of " + ", ".join(self.choices)


_COMPARE = Parameter(
    COMPARE, "previous: the rows of the previous period of the same length follow this "
    "period's, each row's period column saying which (none for an open range)",
    "none", choices=("none", PREVIOUS),
)  # fmt: skip


def _with_previous(query: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """``query`` over time, with ``compare=previous`` adding the previous period's rows."""

    def compared(
        session: Session, filters: Filters, compare: str = "none", **values: Value
    ) -> pd.DataFrame:
        frame = query(session, filters, **values)
        if compare != PREVIOUS:
            return frame
        before = filters.previous()
        parts = [frame.assign(period="current")]
        if before is not None:
            parts.append(query(session, before, **values).assign(period=PREVIOUS))
        parts = [part for part in parts if not part.empty] or parts[:1]
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    return compared


def _limit(default: int, maximum: int = 1000) -> Parameter:
    return Parameter("limit", "How many rows at most (the total is counted)", default, 1, maximum)


@dataclass(frozen=True)
class Aggregate:
    """A published query: ``query(session, filters, **parameters) -> frame of columns``."""

    name: str
    query: Callable[..., pd.DataFrame]
    description: str
    columns: tuple[str, ...]
    parameters: tuple[Parameter, ...] = ()
    needs: tuple[str, ...] = ()
    """Filters that must be set (e.g. ``person``)."""
    beyond_scope: str = ""
    """What the entry shows beyond the reader's scope, and why (empty: nothing)."""

    def run(self, session: Session, filters: Filters, **values: Value) -> pd.DataFrame:
        """The frame under ``filters``; parameters not given take their defaults."""
        unknown = sorted(set(values) - {p.name for p in self.parameters})
        if unknown:
            raise TypeError(f"{self.name} takes no parameter {', '.join(unknown)}")
        for name in self.needs:
            if getattr(filters, name) is None:
                raise BadRequest(f"{self.name} needs the {name} filter", name)
        arguments = {p.name: p.check(values.get(p.name, p.default)) for p in self.parameters}
        for p in self.parameters:
            if p.required and not str(arguments[p.name]).strip():
                raise BadRequest(f"{self.name} needs the {p.name} parameter", p.name)
        return self.query(session, filters, **arguments)

    def parse(self, params: Mapping[str, str]) -> dict[str, Value]:
        """This entry's parameters read from query parameters, defaults filled in."""
        return {p.name: p.parse(params.get(p.name)) for p in self.parameters}

    def bind(
        self, filters: Filters, values: Mapping[str, Value]
    ) -> Callable[[Session], pd.DataFrame]:
        """This entry under ``filters`` and ``values``, waiting for a session."""

        def bound(session: Session) -> pd.DataFrame:
            return self.run(session, filters, **values)

        return bound

    @property
    def required(self) -> tuple[str, ...]:
        """The parameters that must be given."""
        return tuple(p.name for p in self.parameters if p.required)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": [p.describe() for p in self.parameters],
            "needs": list(self.needs),
            "columns": list(self.columns),
            "beyond_scope": self.beyond_scope,
        }


# -- overview and explorer -----------------------------------------------------------

SUMMARY = Aggregate(
    "summary", activity.summary,
    "Statements by source kind, distinct people and activities",
    ("statements", "formal", "informal", "other", "people", "activities"),
)  # fmt: skip
STATEMENTS_OVER_TIME = Aggregate(
    "statements_over_time", _with_previous(activity.statements_over_time),
    "Statements per day and source kind",
    ("day", "source_kind", "statements"),
    (_COMPARE,),
)  # fmt: skip
ACTIVE_PEOPLE_OVER_TIME = Aggregate(
    "active_people_over_time", _with_previous(activity.active_people_over_time),
    "Distinct people with at least one statement, per day",
    ("day", "people"),
    (_COMPARE,),
)  # fmt: skip
TOP_ACTIVITIES = Aggregate(
    "top_activities", activity.top_activities,
    "Most used activities: statements and distinct people",
    ("activity_id", "name", "source_kind", "statements", "people"),
    (_limit(10),),
)  # fmt: skip
TOP_VERBS = Aggregate(
    "top_verbs", activity.top_verbs,
    "Most used verbs with their concept",
    ("verb_id", "concept", "statements"),
    (_limit(10),),
)  # fmt: skip
SUMMARY_CHANGE = Aggregate(
    "summary_change", activity.summary_change,
    "Every overview figure against the previous period of the same length: current, "
    "previous, change and change ratio (no previous period for an open range)",
    activity.CHANGE_COLUMNS,
)  # fmt: skip
RHYTHM = Aggregate(
    "rhythm", activity.rhythm,
    "Statements per ISO weekday (1 = Monday) and UTC hour",
    ("weekday", "hour", "statements"),
)  # fmt: skip
FACTS = Aggregate(
    "facts", activity.fact_page,
    "One page of the matching statements' facts, newest first",
    activity.FACT_COLUMNS,
    (Parameter("page", "Page number, from 0", 0, 0, 1_000_000),
     Parameter("size", "Statements per page", 25, 1, 1000)),
)  # fmt: skip

# -- people --------------------------------------------------------------------------

TOP_PEOPLE = Aggregate(
    "top_people", people.top_people,
    "Most active people: statements in total, formal and informal",
    ("actor_key", "name", "statements", "formal", "informal"),
    (_limit(10),),
)  # fmt: skip
PERSON_SUMMARY = Aggregate(
    "person_summary", people.person_summary,
    "One person's formal and informal sides summed (needs the person filter)",
    ("actor_key", "name", "team", "explorer_query", "statements", "formal", "informal",
     "courses_completed", "courses_passed", "mean_score", "contributions", "hours_learning"),
    needs=("person",),
)  # fmt: skip
PERSON_COURSES = Aggregate(
    "person_courses", courses.person_courses,
    "One person's courses: status (passed, failed, completed, started, enrolled), stages, "
    "best score, minutes spent, last day (needs the person filter)",
    courses.PERSON_COURSE_COLUMNS,
    needs=("person",),
)  # fmt: skip

# -- courses -------------------------------------------------------------------------

COURSE_FUNNEL = Aggregate(
    "course_funnel", courses.course_funnel,
    "Per course: people enrolled (registered or a new registration), started, "
    "completed, passed, failed (never passed), satisfied (cmi5); completion rate "
    "(completed / people), pass rate (passed / (passed + failed)), mean and median best "
    "score, median minutes spent",
    ("course", "name", "enrolled", "started", "completed", "passed", "failed", "satisfied",
     "people", "statements", "mean_score", "median_score", "completion_rate", "pass_rate",
     "median_minutes"),
    (_limit(15),
     Parameter("sort", "Order: most people first, by name, or lowest first",
               "people", choices=courses.FUNNEL_SORTS)),
)  # fmt: skip
SCORE_DISTRIBUTION = Aggregate(
    "score_distribution", courses.score_distribution,
    "Scaled scores of formal results in tenths",
    ("bucket", "results"),
)  # fmt: skip
TIME_SPENT = Aggregate(
    "time_spent", courses.time_spent,
    "Per course: people with timed statements, total hours, mean and median minutes per "
    "person (the larger of session-end and attempt-end durations per person)",
    ("course", "name", "people", "seconds", "hours", "minutes_per_person",
     "median_minutes"),
    (_limit(15),),
)  # fmt: skip
STALLED = Aggregate(
    "stalled", courses.stalled,
    "People who started a course (not only enrolled), have not completed it and were "
    "idle on it for days or more before the end of the range; longest idle first",
    ("actor_key", "name", "team", "course", "course_name", "last_day", "days_idle"),
    (Parameter("days", "Days idle at least", 14, 1, 3650), _limit(50),
     Parameter("offset", "Rows to skip (paging)", 0, 0, 1_000_000)),
)  # fmt: skip

# -- knowledge -----------------------------------------------------------------------

CONTRIBUTIONS_OVER_TIME = Aggregate(
    "contributions_over_time", _with_previous(knowledge.contributions_over_time),
    "Informal posts, edits, comments, replies, questions and likes per day and concept",
    ("day", "concept", "statements"),
    (_COMPARE,),
)  # fmt: skip
PARTICIPATION = Aggregate(
    "participation", knowledge.participation,
    "Contributors, reactors (likes only) and readers of informal content, with the "
    "definition of each group",
    ("role", "people", "contributions", "definition"),
)  # fmt: skip
CONTRIBUTION_SHARES = Aggregate(
    "contribution_shares", knowledge.contribution_shares,
    "Contributions per contributor, most first",
    ("actor_key", "contributions"),
)  # fmt: skip
TOP_CONTENT = Aggregate(
    "top_content", knowledge.top_content,
    "Informal content most read (views), edited, discussed (comments, replies) or reused "
    "(people other than the author who read it and then edited or commented on it)",
    ("content_id", "name", "count"),
    (Parameter("metric", "What to rank by", "read",
               choices=("read", "edited", "discussed", "reused")),
     _limit(10),
     Parameter("content", "Which content: any, posts or wiki pages", "any",
               choices=tuple(knowledge.CONTENT_KINDS))),
)  # fmt: skip
TOP_CONTRIBUTORS = Aggregate(
    "top_contributors", knowledge.top_contributors,
    "People ranked by informal contributions, with team and the split into posts, edits, "
    "comments and other",
    knowledge.CONTRIBUTOR_COLUMNS,
    (_limit(10),),
)  # fmt: skip
RESPONSE_TIMES = Aggregate(
    "response_times", knowledge.response_times,
    "Per post or question: hours until the first comment or reply by someone else",
    ("content_id", "kind", "created", "hours"),
)  # fmt: skip
EMERGING_TOPICS = Aggregate(
    "emerging_topics", knowledge.emerging_topics,
    "Tags of informal activity growing in the last days of the range",
    ("tag", "recent", "earlier", "growth"),
    (Parameter("recent_days", "Days counted as recent", 30, 1, 3650), _limit(10)),
)  # fmt: skip

# -- convergence ---------------------------------------------------------------------

TEAM_MIX = Aggregate(
    "team_mix", convergence.team_mix,
    "Statements per team and source kind, with the team's total and informal share; "
    "largest informal share first",
    ("team", "source_kind", "statements", "team_statements", "share", "informal_share"),
)  # fmt: skip
CONTRIBUTION_VS_RESULTS = Aggregate(
    "contribution_vs_results", convergence.contribution_vs_results,
    "Per person with formal results: informal contributions, mean score, completions",
    ("actor_key", "name", "team", "contributions", "mean_score", "completions"),
)  # fmt: skip
COMPLETION_TO_CONTRIBUTION = Aggregate(
    "completion_to_contribution", convergence.completion_to_contribution,
    "Per person and completed course: the first contribution after it on content of the "
    "course's topic (a shared tag, else shared title or tag keywords), what linked them, "
    "and the days between",
    convergence.COMPLETION_COLUMNS,
)  # fmt: skip
CONTRIBUTORS_AND_COURSES = Aggregate(
    "contributors_and_courses", convergence.contributors_and_courses,
    "The top informal contributors and the courses each completed and passed",
    convergence.CONTRIBUTOR_COURSE_COLUMNS,
    (_limit(10),),
)  # fmt: skip
INFORMAL_GROWTH = Aggregate(
    "informal_growth", convergence.informal_growth,
    "Informal statements, contributions, contributors, reactors and readers against the "
    "previous period of the same length",
    activity.CHANGE_COLUMNS,
)  # fmt: skip
KNOWLEDGE_FLOW = Aggregate(
    "knowledge_flow", convergence.knowledge_flow,
    "Who contributes to (or learns from) whose content: edges weighted by statements",
    ("source", "target", "weight", "source_name", "target_name", "source_team",
     "target_team"),
    (Parameter("relation", "contribute (comments, edits, likes) or learn (views)",
               "contribute", choices=("contribute", "learn")),
     _limit(150)),
)  # fmt: skip

# -- pull: my learning and sharing, who knows about X, what to read next --------------

MY_CONTRIBUTIONS = Aggregate(
    "my_contributions", pull.my_contributions,
    "The content a person authored and what others did with it: readers, reads, reusers "
    "(read it, then edited or commented on it), comments, likes, edits (needs the person "
    "filter)",
    pull.CONTRIBUTION_COLUMNS,
    needs=("person",),
    beyond_scope='the reactions of anyone to the content of a person the reader may see',
)  # fmt: skip
MY_AUDIENCE = Aggregate(
    "my_audience", pull.my_audience,
    "The people who read, reused, commented on, liked or edited a person's content, with "
    "each reaction (needs the person filter)",
    pull.AUDIENCE_COLUMNS,
    (_limit(50),),
    needs=("person",),
    beyond_scope='who reacted to the content of a person the reader may see',
)  # fmt: skip
MY_TIMELINE = Aggregate(
    "my_timeline", _with_previous(pull.my_timeline),
    "A person's learning (course results) and sharing (contributions) per day and "
    "activity, newest first (needs the person filter)",
    pull.TIMELINE_COLUMNS,
    (_limit(500, 5000), _COMPARE),
    needs=("person",),
)  # fmt: skip
AFTER_MY_COURSES = Aggregate(
    "after_my_courses", pull.after_my_courses,
    "What the other people who completed a person's completed courses read or wrote in "
    "the 30 days from their first completion (needs the person filter)",
    pull.NEXT_COLUMNS,
    (_limit(10),),
    needs=("person",),
)  # fmt: skip
_TOPIC = Parameter("topic", "A topic: a tag, or words of course and content titles and tags",
                   "", length=pull.TOPIC_MAX, required=True)  # fmt: skip
EXPERTS = Aggregate(
    "experts", pull.experts,
    "Who knows about a topic: people ranked by evidence (courses passed 5, completed 3, "
    "posts and pages written 4, pages edited 2, each comment or reply 1, 3 at most per "
    "post or page); ties to the "
    "most recent evidence, then the name",
    pull.EXPERT_COLUMNS,
    (_TOPIC, _limit(20)),
    beyond_scope='public contributions: who wrote, edited or commented on posts and pages',
)  # fmt: skip
EXPERT_EVIDENCE = Aggregate(
    "expert_evidence", pull.expert_evidence,
    "The evidence behind the experts on a topic, person by person in their rank",
    pull.EVIDENCE_COLUMNS,
    (_TOPIC, _limit(20)),
    beyond_scope='public contributions: who wrote, edited or commented on posts and pages',
)  # fmt: skip
_COURSE = Parameter("course", "The course (its activity id)", "", length=2048, required=True)
READ_NEXT = Aggregate(
    "read_next", pull.read_next,
    "What to read next after a course: the posts and pages most read by the people who "
    "completed it, in the 30 days from their first completion, and how many of them wrote "
    "or edited each",
    pull.NEXT_COLUMNS,
    (_COURSE, _limit(10)),
)  # fmt: skip
COURSE_WRITERS = Aggregate(
    "course_writers", pull.course_writers,
    "The people who completed a course and then wrote or edited posts and pages on its "
    "topic (a shared tag, else shared title or tag keywords), with what linked them",
    pull.WRITER_COLUMNS,
    (_COURSE,),
)  # fmt: skip

AGGREGATES: dict[str, Aggregate] = {
    entry.name: entry
    for entry in (
        SUMMARY, SUMMARY_CHANGE, STATEMENTS_OVER_TIME, ACTIVE_PEOPLE_OVER_TIME,
        TOP_ACTIVITIES, TOP_VERBS, RHYTHM, FACTS, TOP_PEOPLE, PERSON_SUMMARY, PERSON_COURSES,
        COURSE_FUNNEL, SCORE_DISTRIBUTION, TIME_SPENT, STALLED, CONTRIBUTIONS_OVER_TIME,
        PARTICIPATION, CONTRIBUTION_SHARES, TOP_CONTENT, TOP_CONTRIBUTORS, RESPONSE_TIMES,
        EMERGING_TOPICS, TEAM_MIX, CONTRIBUTION_VS_RESULTS, CONTRIBUTORS_AND_COURSES,
        INFORMAL_GROWTH, COMPLETION_TO_CONTRIBUTION, KNOWLEDGE_FLOW, MY_CONTRIBUTIONS,
        MY_AUDIENCE, MY_TIMELINE, AFTER_MY_COURSES, EXPERTS, EXPERT_EVIDENCE, READ_NEXT,
        COURSE_WRITERS,
    )
}  # fmt: skip
"""Every published query by name, in the order the API lists them."""


def get(name: str) -> Aggregate:
    """The entry called ``name``, or a 404 that says where the names are listed."""
    entry = AGGREGATES.get(name)
    if entry is None:
        raise NotFound(f"no aggregate named {name!r}; GET /api/aggregates lists them")
    return entry
