"""A small hand-made set for the pull views, on the catalogue of ``knowledge_set``.

Every record is written out, so that the expected answers can be read off the list:
who completed or passed which course and when, who wrote, edited, commented on, read or
liked which post or page. Days count from ``knowledge_set.FIRST_DAY``.
"""

from __future__ import annotations

import datetime as dt

from tests.lrs.insight.knowledge_set import BLOG, COURSES, FIRST_DAY, LMS, WIKI, Record, people

GLAZE = LMS + "glaze"
KILN = LMS + "kiln"
GLAZE_POST = BLOG + "2"  # "Why glaze chemistry matters", tag studio
KILN_POST = BLOG + "1"  # "Notes from the Kiln Safety course"
STUDIO_POST = BLOG + "3"  # "Studio open day", tag ceramics
GLAZES_PAGE = WIKI + "glazes"  # "Glazes/Overview"
PRICING_PAGE = WIKI + "pricing"  # "Pricing checklist", tag business
ROTA_PAGE = WIKI + "rota"  # "Cleaning rota"
TAGS = {GLAZE_POST: ("studio",), STUDIO_POST: ("ceramics",), PRICING_PAGE: ("business",)}


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(hour), dt.UTC)


def _record(person: str, verb: str, target: str, day: int, hour: int = 10) -> Record:
    team = people()[person]
    if verb == "commented":
        comment = f"{target}#c-{person}-{day}-{hour}"
        return Record(person, team, verb, target, _at(day, hour), comment=comment)
    tags = COURSES[target][1] if target in COURSES else TAGS.get(target, ())
    return Record(person, team, verb, target, _at(day, hour), tags=tags)


ROWS = [
    # The glaze course: m01 and m04 pass, m02 and m03 complete, m05 completes then passes,
    # m07 fails (no evidence).
    ("m01", "passed", GLAZE, 1),
    ("m02", "completed", GLAZE, 3),
    ("m03", "completed", GLAZE, 5),
    ("m04", "passed", GLAZE, 6),
    ("m05", "completed", GLAZE, 7),
    ("m05", "passed", GLAZE, 9),
    ("m07", "failed", GLAZE, 4),
    # m01 writes the glaze post and the pricing page.
    ("m01", "authored", GLAZE_POST, 2),
    ("m01", "created", PRICING_PAGE, 3),
    ("m01", "viewed", GLAZE_POST, 4),
    # What others do with them.
    ("m02", "viewed", GLAZE_POST, 4),
    ("m02", "edited", GLAZE_POST, 10),
    ("m02", "commented", GLAZE_POST, 11),
    ("m02", "commented", GLAZE_POST, 12),
    ("m03", "commented", GLAZE_POST, 8),
    ("m03", "commented", GLAZE_POST, 9),
    ("m03", "commented", GLAZE_POST, 10),
    ("m03", "commented", GLAZE_POST, 10, 16),  # a fourth comment counts no more
    ("m03", "viewed", GLAZE_POST, 20),
    ("m04", "commented", GLAZE_POST, 6, 12),
    ("m06", "viewed", GLAZE_POST, 5),
    ("m06", "viewed", GLAZE_POST, 5, 15),
    ("m06", "liked", GLAZE_POST, 6),
    ("m05", "viewed", PRICING_PAGE, 8),
    ("m05", "edited", PRICING_PAGE, 9),
    ("m07", "liked", PRICING_PAGE, 9),
    # Reading after the glaze course (m04 read the rota before passing).
    ("m03", "viewed", GLAZES_PAGE, 21),
    ("m04", "viewed", GLAZES_PAGE, 7),
    ("m04", "viewed", ROTA_PAGE, 2),
    # The kiln course (tag ceramics) and the ceramics post; m10 writes on the kiln.
    ("m08", "completed", KILN, 12),
    ("m09", "authored", STUDIO_POST, 14),
    ("m10", "authored", KILN_POST, 15),
    ("m08", "viewed", KILN_POST, 16),
    # Read more than 30 days after passing the glaze course: not "next" any more.
    ("m01", "viewed", GLAZES_PAGE, 40),
]


def records() -> list[Record]:
    return sorted((_record(*row) for row in ROWS), key=lambda r: r.when)
