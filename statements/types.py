"""JSON type aliases and TypedDicts for the xAPI objects passed between layers.

They describe the *shape* of already validated data; :func:`statements.validate` is what
guarantees it. Keys are the exact xAPI JSON keys, hence the camelCase.
"""

from __future__ import annotations

from typing import Literal, NotRequired, Required, TypeAlias, TypedDict

__all__ = [
    "JSON",
    "Account",
    "Activity",
    "ActivityDefinition",
    "Actor",
    "Agent",
    "Attachment",
    "Context",
    "ContextActivities",
    "ContextAgent",
    "ContextGroup",
    "Extensions",
    "Group",
    "InteractionComponent",
    "JSONObject",
    "LanguageMap",
    "Result",
    "Score",
    "Statement",
    "StatementObject",
    "StatementRef",
    "SubStatement",
    "Verb",
]

JSON: TypeAlias = "str | int | float | bool | list[JSON] | dict[str, JSON] | None"
JSONObject: TypeAlias = dict[str, JSON]
LanguageMap: TypeAlias = dict[str, str]
Extensions: TypeAlias = dict[str, JSON]


class Account(TypedDict):
    homePage: str
    name: str


class Agent(TypedDict, total=False):
    objectType: Literal["Agent"]
    name: str
    mbox: str
    mbox_sha1sum: str
    openid: str
    account: Account


class Group(TypedDict, total=False):
    objectType: Required[Literal["Group"]]
    name: str
    mbox: str
    mbox_sha1sum: str
    openid: str
    account: Account
    member: list[Agent]


Actor: TypeAlias = Agent | Group


class Verb(TypedDict):
    id: str
    display: NotRequired[LanguageMap]


class InteractionComponent(TypedDict):
    id: str
    description: NotRequired[LanguageMap]


class ActivityDefinition(TypedDict, total=False):
    name: LanguageMap
    description: LanguageMap
    type: str
    moreInfo: str
    interactionType: str
    correctResponsesPattern: list[str]
    choices: list[InteractionComponent]
    scale: list[InteractionComponent]
    source: list[InteractionComponent]
    target: list[InteractionComponent]
    steps: list[InteractionComponent]
    extensions: Extensions


class Activity(TypedDict):
    id: str
    objectType: NotRequired[Literal["Activity"]]
    definition: NotRequired[ActivityDefinition]


class StatementRef(TypedDict):
    objectType: Literal["StatementRef"]
    id: str


class Score(TypedDict, total=False):
    scaled: float
    raw: float
    min: float
    max: float


class Result(TypedDict, total=False):
    score: Score
    success: bool
    completion: bool
    response: str
    duration: str
    extensions: Extensions


class ContextActivities(TypedDict, total=False):
    """After :func:`statements.validate` every value is a list (XAPI-00096)."""

    parent: list[Activity]
    grouping: list[Activity]
    category: list[Activity]
    other: list[Activity]


class ContextAgent(TypedDict):
    """xAPI 2.0 only."""

    objectType: Literal["contextAgent"]
    agent: Agent
    relevantTypes: NotRequired[list[str]]


class ContextGroup(TypedDict):
    """xAPI 2.0 only."""

    objectType: Literal["contextGroup"]
    group: Group
    relevantTypes: NotRequired[list[str]]


class Context(TypedDict, total=False):
    registration: str
    instructor: Actor
    team: Group
    contextActivities: ContextActivities
    contextAgents: list[ContextAgent]
    contextGroups: list[ContextGroup]
    revision: str
    platform: str
    language: str
    statement: StatementRef
    extensions: Extensions


class Attachment(TypedDict):
    usageType: str
    display: LanguageMap
    contentType: str
    length: int
    sha2: str
    description: NotRequired[LanguageMap]
    fileUrl: NotRequired[str]


class SubStatement(TypedDict):
    objectType: Literal["SubStatement"]
    actor: Actor
    verb: Verb
    object: Activity | Agent | Group | StatementRef
    result: NotRequired[Result]
    context: NotRequired[Context]
    timestamp: NotRequired[str]
    attachments: NotRequired[list[Attachment]]


StatementObject: TypeAlias = Activity | Agent | Group | StatementRef | SubStatement


class Statement(TypedDict):
    actor: Actor
    verb: Verb
    object: StatementObject
    id: NotRequired[str]
    result: NotRequired[Result]
    context: NotRequired[Context]
    timestamp: NotRequired[str]
    stored: NotRequired[str]
    authority: NotRequired[Actor]
    version: NotRequired[str]
    attachments: NotRequired[list[Attachment]]
