"""Importers that turn outside activity into valid xAPI statements.

``SOURCES`` maps a source kind to its :class:`Source`: ``blog`` (Atom/RSS feeds and WordPress
comment feeds), ``wiki`` (MediaWiki XML exports and recent-changes JSON) and ``courses``
(course-records CSV). ``NDJSON`` reads statements that are already xAPI. A source reads bytes
(or a path or binary file) and yields :class:`Item` objects — statements with derived,
stable ids, or rejections naming their line or element — each with the position to resume
after it. Pure Python: fetching URLs is the service layer's job. The vocabulary is
``statements.vocabulary``; docs/sources.md lists every IRI. ``demo`` writes a deterministic
demo organisation in these sources' formats, which then goes through the same importers.
``read_statement_result`` reads a page of another LRS's statements and ``feed_links``
finds a blog's comment feeds, for the sources the LRS pulls on a schedule.
"""

from __future__ import annotations

from ._common import (
    EXTENSION,
    NAMESPACE,
    Identities,
    Item,
    ReadOptions,
    Source,
    SourceError,
    SourceInput,
    derived_id,
    read_bytes,
)
from .blog_feed import BLOG, FeedLinks, feed_links
from .course_csv import COURSES
from .ndjson import NDJSON
from .statement_result import StatementPage, read_statement_result
from .wiki_history import WIKI

SOURCES: dict[str, Source] = {"blog": BLOG, "wiki": WIKI, "courses": COURSES}

__all__ = [
    "EXTENSION",
    "NAMESPACE",
    "NDJSON",
    "SOURCES",
    "FeedLinks",
    "Identities",
    "Item",
    "ReadOptions",
    "Source",
    "SourceError",
    "SourceInput",
    "StatementPage",
    "derived_id",
    "feed_links",
    "read_bytes",
    "read_statement_result",
]
