"""When a course and a piece of content are on the same topic: the linking rule.

Real courses and wiki pages rarely carry the same category tag, so a course is linked to
a post or page when they share a tag (a ``category``/``other`` context activity of a tag
type, as the facts keep it) *or* enough keywords of their titles and tags:

- **Tokens**: the text is case-folded and split into runs of letters and digits
  (``"PostgreSQL/Overview"`` → ``postgresql``, ``overview``); a tag's words count as
  words of its owner (``customer-success`` → ``customer``, ``success``).
- **Keywords**: tokens of at least ``MIN_LENGTH`` characters that are not all digits and
  not in ``STOP_WORDS`` — English function words and the words that name the kind of
  thing rather than its subject ("course", "notes", "overview", "guide"...).
- **Minimum overlap**: ``MIN_SHARED`` keyword(s) in common.

``link`` says what linked them (``tag: …`` or ``words: …``), which the question shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

MIN_LENGTH: Final = 3
MIN_SHARED: Final = 1
_FUNCTION_WORDS = """
    about above after again all also and any are because been before being between both
    but can could did does doing down during each few for from further had has have
    having her here hers him his how into its itself just more most much must not now
    off once only other our ours out over own same she should some such than that the
    their theirs them then there these they this those through too under until very
    was were what when where which while who whom why will with would you your yours
"""
_KIND_WORDS = """
    course courses module modules lesson lessons unit units training class essentials
    fundamentals basics introduction intro beginner beginners advanced part final
    assessment exam quiz test notes note takeaways takeaway learned learning guide
    overview checklist faq glossary tools howto common pitfalls page pages post posts
    blog wiki article draft new update updated three five ten first here stuck getting
    started practical things thing team teams quarter field matters think making keep
    skills skill
"""
STOP_WORDS: Final = frozenset((_FUNCTION_WORDS + _KIND_WORDS).split())
"""English function words, and words that say what kind of thing a title names (a
course, a page, notes...) rather than what it is about."""
_TOKEN = re.compile(r"[^\W_]+")


def keywords(*texts: str | None) -> frozenset[str]:
    """The keywords of some texts (titles, tags) under the rules above."""
    found: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall((text or "").casefold()):
            if len(token) >= MIN_LENGTH and not token.isdigit() and token not in STOP_WORDS:
                found.add(token)
    return frozenset(found)


@dataclass(frozen=True)
class Topic:
    """What a course or a piece of content is about: its tags and keywords."""

    tags: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, title: str | None, tags: Iterable[str] = ()) -> Topic:
        tags = frozenset(tags)
        return cls(tags, keywords(title, *tags))


def link(course: Topic, content: Topic) -> str | None:
    """What links a course's topic to a piece of content: ``"tag: a, b"`` for shared
    tags, else ``"words: x, y"`` for ``MIN_SHARED`` or more shared keywords; None."""
    shared_tags = course.tags & content.tags
    if shared_tags:
        return "tag: " + ", ".join(sorted(shared_tags))
    shared_words = course.words & content.words
    if len(shared_words) >= MIN_SHARED:
        return "words: " + ", ".join(sorted(shared_words))
    return None
