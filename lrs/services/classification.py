"""Classification rules an administrator changes without code, and re-applying them (or
the vocabulary itself) to the stored statements.

The rules file (``LRS_CLASSIFICATION_RULES``, TOML) holds ``[[rule]]`` tables — ``verb``,
``type``, ``platform`` and/or ``prefix`` (of the object's id) → ``kind`` (``formal``,
``informal`` or ``ignore``) — and ``[[course]]`` tables — an activity ``id`` or id
``prefix`` that is a course, or belongs to the ``course`` given. Ingest applies them
(``learning_fact``); ``preview`` says what applying them to the stored facts would
change, ``apply`` changes it with set-based SQL and recounts every rollup, and
``reclassify`` recomputes every fact from its statement (after a vocabulary upgrade).
Each public call is one transaction.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lrs.errors import BadRequest
from lrs.store import facts as fact_store
from lrs.store import reclassify as store
from lrs.store.engine import Database
from statements.vocabulary import NO_RULES, Rules, learning_fact, rules_from_mapping

CHUNK = 2000
"""Statements read and recomputed at a time by ``reclassify``."""


def load_rules(path: str) -> Rules:
    """The rules of the file at ``path`` (none for an empty path); a missing or
    malformed file is a 400 naming the file and what is wrong."""
    if not path:
        return NO_RULES
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
        return rules_from_mapping(data)
    except OSError as error:
        raise BadRequest(f"classification rules {path}: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, ValueError) as error:
        raise BadRequest(f"classification rules {path}: {error}") from error


@dataclass(frozen=True)
class Change:
    """How many facts go from one kind to another, or change course."""

    changes: dict[tuple[str, str], int]
    courses: int

    @property
    def total(self) -> int:
        return sum(self.changes.values())


def preview(database: Database, rules: Rules) -> Change:
    """What applying ``rules`` to the stored facts would change; changes nothing."""
    with database.reading() as session:
        return Change(store.kind_changes(session, rules), store.course_changes(session, rules))


def apply(database: Database, rules: Rules) -> Change:
    """Apply ``rules`` to the stored facts and recount every rollup, in one transaction."""
    with database.writing() as session:
        change = Change(store.kind_changes(session, rules), store.course_changes(session, rules))
        store.apply_rules(session, rules)
    return change


def reclassify(
    database: Database, rules: Rules, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute every fact from its statement with the current vocabulary and
    ``rules``, in storage order as ingest did (a voided statement teaches its
    registration's course, then its fact leaves), and every rollup; returns how many
    statements were read."""
    # Imported here: every command loads the rules through this module, and persons
    # (with the importers' identities) is only needed to recompute facts.
    from lrs.services import persons

    now = dt.datetime.now(dt.UTC)
    with database.writing() as session:
        store.clear_facts(session)
        last, read = 0, 0
        while chunk := store.statements_after(session, last, CHUNK):
            made = [(seq, statement, learning_fact(statement, rules), voided)
                    for seq, statement, voided in chunk]  # fmt: skip
            # Facts count under their actor's person, as at ingest.
            persons.count_as_persons(session, [(st, fact) for _, st, fact, _ in made], now)
            fact_store.record(session, [(seq, fact) for seq, _, fact, _ in made if fact],
                              count=False)  # fmt: skip
            fact_store.forget_seqs(
                session, [seq for seq, _, fact, voided in made if voided and fact]
            )
            last, read = chunk[-1][0], read + len(chunk)
            if progress is not None:
                progress(len(chunk))
        fact_store.rebuild_rollups(session)
    return read
