"""A deterministic, realistic demo organisation: people, teams, courses, blogs and a wiki.

``generate(people=300, days=365, seed=..., end=...)`` builds one year (or ``days``) of an
organisation's learning and knowledge work, ending on ``end`` (today, UTC, when not given,
so that every recent range of the dashboards has data), from a seeded ``random.Random``
(no global state: the same arguments and end day give byte-identical output). It produces
*source records* — a course CSV, Atom and WordPress RSS feeds with comment feeds, a
MediaWiki XML export — which go through the same importers as real data, plus
``viewed``/``liked`` statements that no source file carries. The shape is what dashboards
need to look real:

- teams with their own subjects; compulsory and team courses with modules and a scored
  final assessment, drop-outs, failed-then-passed retakes;
- heavy-tailed contribution (Pareto propensities: a few people write most posts and edits,
  most people only read) and popularity (Zipf: a few pages get most views);
- weekly and daily rhythm (weekdays, office hours), quieter August and late December;
- people who learn and then share: they complete a course and post or edit on its subject
  within days (recorded in :attr:`DemoOrganisation.shares`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from statements.sources._common import Identities, derived_id, team_group, timestamp
from statements.vocabulary import ActivityTypes, Verbs

__all__ = ["DemoOrganisation", "Person", "Share", "generate"]

DOMAIN = "acme.example"
LMS_URL = f"https://lms.{DOMAIN}/"
WIKI_URL = f"https://wiki.{DOMAIN}/"
TEAMS_URL = f"https://{DOMAIN}/teams"

FIRST_NAMES = (  # noqa: SIM905 - a word list reads better as text
    "Ada Alan Amara Ana Arjun Aya Ben Carla Chen Dara Diego Elena Emeka Eva Farah Felix "
    "Grace Hana Hugo Ines Ivan Jada Jonas Kai Kenji Lara Leo Lina Luca Maya Mei Mila Nadia "
    "Nils Noor Omar Priya Rafael Rosa Sami Sara Sofia Tariq Theo Uma Vera Wen Yara Yusuf Zoe "
    "Anton Bea Cyrus Dina Elif Femi Gita Ilse Joao Kofi"
).split()
LAST_NAMES = (  # noqa: SIM905 - a word list reads better as text
    "Hopper Turing Lovelace Babbage Okafor Nakamura Silva Novak Haddad Kowalski Fischer "
    "Rossi Moreau Jensen Patel Garcia Kim Nguyen Osei Larsen Schmidt Dubois Costa Ahmed "
    "Ivanova Berg Sato Mendes Lindqvist Mwangi Romero Tanaka Weber Yilmaz Zhang Andersen "
    "Bianchi Castillo Dahl Eze Ferreira Gupta Holm Ito Jovanovic Khan Laine Meyer Nowak "
    "Ortiz Pereira Quinn Rahman Santos Toure Varga Wolff Xu Young Zielinski"
).split()


@dataclass(frozen=True)
class Subject:
    key: str
    title: str


SUBJECTS = {
    s.key: s
    for s in (
        Subject("security", "Secure Coding"),
        Subject("postgresql", "PostgreSQL"),
        Subject("python", "Python"),
        Subject("kubernetes", "Kubernetes"),
        Subject("operations", "Incident Management"),
        Subject("documentation", "Documentation"),
        Subject("accessibility", "Accessibility"),
        Subject("privacy", "Data Privacy"),
        Subject("negotiation", "Negotiation"),
        Subject("sales", "Discovery Calls"),
        Subject("presentations", "Presentations"),
        Subject("customer-success", "Customer Empathy"),
        Subject("feedback", "Feedback"),
        Subject("leadership", "Leading Remote Teams"),
        Subject("finance", "Financial Literacy"),
    )
}

# team -> (relative size, its subjects)
TEAMS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Platform Engineering": (14, ("security", "postgresql", "kubernetes", "operations")),
    "Product Engineering": (18, ("security", "python", "accessibility", "documentation")),
    "Data & Analytics": (10, ("python", "postgresql", "privacy")),
    "Security": (5, ("security", "privacy", "operations")),
    "Design": (6, ("accessibility", "presentations", "customer-success")),
    "Sales EMEA": (12, ("negotiation", "sales", "presentations")),
    "Sales Americas": (11, ("negotiation", "sales", "presentations")),
    "Customer Success": (9, ("customer-success", "feedback", "sales")),
    "Support": (10, ("customer-success", "operations", "documentation")),
    "Marketing": (7, ("presentations", "customer-success", "documentation")),
    "People & Culture": (4, ("feedback", "leadership", "privacy")),
    "Finance": (4, ("finance", "privacy")),
}

# course -> (subject, modules); the last module is the scored assessment.
COURSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Secure Coding Essentials": (
        "security",
        ("Threat modelling", "Injection attacks", "Secrets management", "Final assessment"),
    ),
    "PostgreSQL Performance": (
        "postgresql",
        ("Reading query plans", "Indexes that help", "Vacuum and bloat", "Final assessment"),
    ),
    "Python for Data Analysis": (
        "python",
        ("pandas basics", "Cleaning data", "Plotting", "Notebooks in practice", "Final assessment"),
    ),
    "Kubernetes Fundamentals": (
        "kubernetes",
        ("Pods and deployments", "Services and ingress", "Observability", "Final assessment"),
    ),
    "Incident Management": (
        "operations",
        ("On-call basics", "Running an incident", "Blameless reviews", "Final assessment"),
    ),
    "Writing Clear Documentation": (
        "documentation",
        ("Know your reader", "Structure", "Style guide", "Final assessment"),
    ),
    "Accessible Design": (
        "accessibility",
        ("WCAG overview", "Keyboard and focus", "Colour and contrast", "Final assessment"),
    ),
    "Data Privacy & GDPR": (
        "privacy",
        ("Personal data", "Lawful basis", "Data subject requests", "Final assessment"),
    ),
    "Negotiation Skills": (
        "negotiation",
        ("Preparation", "Anchoring", "Handling objections", "Final assessment"),
    ),
    "Discovery Calls": ("sales", ("Asking open questions", "Qualifying", "Final assessment")),
    "Effective Presentations": (
        "presentations",
        ("Storyline", "Slides that work", "Delivery", "Final assessment"),
    ),
    "Customer Empathy": (
        "customer-success",
        ("Listening", "Journey mapping", "Final assessment"),
    ),
    "Giving and Receiving Feedback": (
        "feedback",
        ("Why feedback matters", "The SBI model", "Receiving feedback", "Final assessment"),
    ),
    "Leading Remote Teams": (
        "leadership",
        ("Trust at a distance", "Rituals", "One-to-ones", "Final assessment"),
    ),
    "Financial Literacy for Managers": (
        "finance",
        ("Reading a P&L", "Budgets", "Business cases", "Final assessment"),
    ),
}
COMPULSORY_COURSE = "Data Privacy & GDPR"


@dataclass(frozen=True)
class Blog:
    name: str
    url: str
    subjects: tuple[str, ...]
    wordpress: bool


BLOGS = (
    Blog(
        "Acme Engineering",
        f"https://engineering.{DOMAIN}/",
        (
            "security",
            "postgresql",
            "kubernetes",
            "python",
            "operations",
            "accessibility",
            "documentation",
        ),
        False,
    ),
    Blog(
        "Data & Analytics Notes",
        f"https://data.{DOMAIN}/",
        ("python", "postgresql", "privacy"),
        False,
    ),
    Blog(
        "Sales Playbook",
        f"https://sales.{DOMAIN}/",
        ("negotiation", "sales", "presentations", "customer-success"),
        True,
    ),
    Blog(
        "People & Culture",
        f"https://people.{DOMAIN}/",
        ("feedback", "leadership", "privacy", "finance", "documentation"),
        True,
    ),
)

POST_TITLES = (
    "What I learned about {s}",
    "A practical guide to {s}",
    "{s}: five lessons from the field",
    "Notes on {s} from this quarter",
    "Why {s} matters more than you think",
    "{s} mistakes we keep making",
    "Getting started with {s}",
    "How our team does {s}",
)
SHARE_TITLES = (
    "Notes from the {c} course",
    "Three takeaways from {c}",
    "I just finished {c} — here is what stuck",
)
WIKI_PAGES = (
    "Overview",
    "Checklist",
    "FAQ",
    "How-to",
    "Glossary",
    "Common pitfalls",
    "Tools",
    "Reading list",
)
GENERAL_PAGES = (
    "Onboarding checklist",
    "Expense policy",
    "Travel guide",
    "Office etiquette",
    "Holiday calendar",
    "IT help",
    "Meeting rooms",
    "Team directory",
    "Coding conventions",
    "Release process",
    "Architecture overview",
    "Customer escalation process",
)
EDIT_COMMENTS = (
    "",
    "typo",
    "clarify wording",
    "add example",
    "update links",
    "new section",
    "restructure",
    "fix formatting",
    "add screenshot",
    "outdated info removed",
)
COMMENTS = (
    "Thanks, this is really helpful!",
    "We ran into the same thing last month.",
    "Great write-up. Could you share the slides?",
    "How does this work with our current setup?",
    "I'd add one more point: keep it simple.",
    "Bookmarked — sending this to my team.",
    "Interesting. Do you have numbers on that?",
    "This matches what we saw in the course.",
)


@dataclass(frozen=True)
class Person:
    """One member of the organisation with their identities in each source."""

    name: str
    email: str
    team: str
    lms_user: str
    wiki_user: str
    contribution: float
    learning: float
    reading: float
    sharer: bool

    @property
    def agent(self) -> dict[str, Any]:
        return {"objectType": "Agent", "name": self.name, "mbox": f"mailto:{self.email}"}


@dataclass(frozen=True)
class Share:
    """A person who completed a course and then contributed on its subject."""

    person: str
    course: str
    subject: str
    completed: dt.datetime
    shared: dt.datetime
    kind: str  # "post" or "wiki"


@dataclass
class DemoOrganisation:
    """The generated organisation: people, source records and direct statements."""

    people: list[Person]
    start: dt.date
    end: dt.date
    mapping_rows: list[dict[str, str]]
    course_csv: bytes
    feeds: list[tuple[str, bytes]]  # (blog url, feed document)
    wiki_export: bytes
    interactions: list[dict[str, Any]]
    shares: list[Share] = field(default_factory=list)

    def identities(self) -> Identities:
        return Identities.from_rows(self.mapping_rows, team_home=TEAMS_URL)

    def sources(self) -> Iterator[tuple[str, str, bytes, str | None]]:
        """(kind, label, bytes, base URL) of every source record set, for the importers."""
        yield "courses", "course records", self.course_csv, LMS_URL
        for url, document in self.feeds:
            yield "blog", url, document, None
        yield "wiki", "wiki export", self.wiki_export, None

    def mapping_json(self) -> bytes:
        return json.dumps(self.mapping_rows, indent=1).encode()


# --- time ---------------------------------------------------------------------------------


def _day_weight(day: dt.date) -> float:
    weight = (1.0, 1.0, 1.0, 0.95, 0.8, 0.12, 0.07)[day.weekday()]
    if day.month == 8:
        weight *= 0.6
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 2):
        weight *= 0.25
    return weight


class _Clock:
    """Random moments of a working life inside [start, end]."""

    def __init__(self, rng: random.Random, start: dt.date, end: dt.date) -> None:
        self.rng = rng
        self.start = start
        self.end = end
        self.limit = dt.datetime.combine(end, dt.time(23, 59, 59), dt.UTC)

    def day(self, low: dt.date | None = None, high: dt.date | None = None) -> dt.date:
        low = max(low or self.start, self.start)
        high = min(high or self.end, self.end)
        if high < low:
            return high
        span = (high - low).days
        for _ in range(50):
            day = low + dt.timedelta(days=self.rng.randint(0, span))
            if self.rng.random() < _day_weight(day):
                return day
        return low + dt.timedelta(days=self.rng.randint(0, span))

    def moment(self, day: dt.date) -> dt.datetime:
        # Office hours peak mid-morning and mid-afternoon; a few early or late moments.
        hour = self.rng.choices(
            range(7, 21),
            weights=(2, 8, 14, 16, 14, 8, 11, 14, 13, 9, 5, 2, 1.5, 1),
        )[0]
        return dt.datetime.combine(day, dt.time(hour), dt.UTC) + dt.timedelta(
            minutes=self.rng.randint(0, 59), seconds=self.rng.randint(0, 59)
        )

    def after(self, moment: dt.datetime, mean_days: float) -> dt.datetime | None:
        """A working moment some (exponentially distributed) days after ``moment``."""
        days = self.rng.expovariate(1 / mean_days) if mean_days > 0 else 0
        day = (moment + dt.timedelta(days=days)).date()
        while _day_weight(day) < 0.5 and self.rng.random() > _day_weight(day):
            day += dt.timedelta(days=1)
        result = self.moment(day)
        if result <= moment:
            result = moment + dt.timedelta(minutes=self.rng.randint(5, 90))
        return result if result <= self.limit else None


# --- people -------------------------------------------------------------------------------


def _people(rng: random.Random, count: int) -> list[Person]:
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(names, count)
    teams = list(TEAMS)
    team_weights = [TEAMS[t][0] for t in teams]
    people = []
    for name in chosen:
        first, last = name.split(" ", 1)
        # Pareto propensity: most people barely contribute, a few contribute a lot.
        contribution = rng.paretovariate(1.16) - 1 if rng.random() < 0.35 else 0.0
        people.append(
            Person(
                name=name,
                email=f"{first.lower()}.{last.lower()}@{DOMAIN}",
                team=rng.choices(teams, weights=team_weights)[0],
                lms_user=f"{first[0].lower()}{last.lower()}",
                wiki_user=f"{first}{last[0]}",
                contribution=min(contribution, 40.0),
                learning=rng.betavariate(2.5, 2.0),
                reading=rng.lognormvariate(0, 0.8),
                sharer=contribution > 0 and rng.random() < 0.45,
            )
        )
    return people


def _mapping(people: Sequence[Person]) -> list[dict[str, str]]:
    rows = []
    for person in people:
        common = {"name": person.name, "mbox": person.email, "team": person.team}
        rows.append({"source": LMS_URL, "user": person.lms_user, **common})
        rows.append({"source": WIKI_URL, "user": person.wiki_user, **common})
        rows.append({"source": "", "user": person.name, **common})
    return rows


# --- generation ---------------------------------------------------------------------------


@dataclass
class _Post:
    blog: Blog
    url: str
    title: str
    author: Person
    published: dt.datetime
    subjects: list[str]
    popularity: float
    comments: list[tuple[Person, dt.datetime, str, int]] = field(default_factory=list)


@dataclass
class _Page:
    title: str
    subject: str | None
    popularity: float
    created: dt.datetime | None = None
    size: int = 0
    revisions: list[tuple[dt.datetime, Person, int, str, bool]] = field(default_factory=list)


class _Generator:
    def __init__(self, people: int, days: int, seed: int, end: dt.date) -> None:
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - dt.timedelta(days=days - 1)
        self.clock = _Clock(self.rng, self.start, end)
        self.people = _people(self.rng, people)
        self.scale = people / 300 * days / 365
        self.csv_rows: list[list[str]] = []
        self.posts: list[_Post] = []
        self.pages: dict[str, _Page] = {}
        self.shares: list[Share] = []
        self.interactions: list[dict[str, Any]] = []
        self.post_numbers = 0

    # courses
    def courses(self) -> None:
        for person in self.people:
            subjects = TEAMS[person.team][1]
            taken = [COMPULSORY_COURSE] if self.rng.random() < 0.92 else []
            team_courses = [c for c, (s, _) in COURSES.items() if s in subjects and c not in taken]
            extra = min(len(team_courses), round(person.learning * 3.5 + self.rng.random()))
            taken += self.rng.sample(team_courses, extra)
            if self.rng.random() < person.learning * 0.5:
                other = [c for c in COURSES if c not in taken]
                taken.append(self.rng.choice(other))
            for course in taken:
                self._course_run(person, course)

    def _row(
        self,
        person: Person,
        course: str,
        module: str,
        event: str,
        when: dt.datetime,
        score: str = "",
        duration: str = "",
    ) -> None:
        self.csv_rows.append(
            [person.lms_user, person.name, course, module, event, score, duration, timestamp(when)]
        )

    def _course_run(self, person: Person, course: str) -> None:
        subject, modules = COURSES[course]
        day = self.clock.day(high=self.end - dt.timedelta(days=5))
        moment: dt.datetime | None = self.clock.moment(day)
        assert moment is not None
        self._row(person, course, "", "enrolled", moment)
        for module in modules:
            moment = self.clock.after(moment, 2.5 + (1 - person.learning) * 6)
            if moment is None:
                return  # still in progress at the end of the history
            self._row(person, course, module, "launched", moment)
            if self.rng.random() < 0.07 + (1 - person.learning) * 0.08:
                return  # dropped out in this module: launched, never finished
            minutes = max(4, round(self.rng.gauss(22, 8)))
            finished = moment + dt.timedelta(minutes=minutes)
            if finished > self.clock.limit:
                return
            if module != modules[-1]:
                self._row(person, course, module, "completed", finished, duration=f"PT{minutes}M")
                moment = finished
                continue
            score = self._score(person)
            attempts = 1
            while score < 70 and attempts < 2:
                self._row(
                    person, course, module, "failed", finished, f"{score}/100", f"PT{minutes}M"
                )
                retry = self.clock.after(finished, 3)
                if retry is None:
                    return
                self._row(person, course, module, "launched", retry)
                finished = retry + dt.timedelta(minutes=minutes)
                score = min(100, score + self.rng.randint(4, 20))
                attempts += 1
            if finished > self.clock.limit:
                return
            if score < 70:  # failed the retake too: the course stays failed
                self._row(
                    person, course, module, "failed", finished, f"{score}/100", f"PT{minutes}M"
                )
                return
            self._row(person, course, module, "passed", finished, f"{score}/100", f"PT{minutes}M")
            done = finished + dt.timedelta(minutes=1)
            self._row(person, course, "", "completed", done)
            if person.sharer and self.rng.random() < 0.75:
                self._share(person, course, subject, done)

    def _score(self, person: Person) -> int:
        return max(20, min(100, round(self.rng.gauss(62 + person.learning * 30, 11))))

    def _share(self, person: Person, course: str, subject: str, completed: dt.datetime) -> None:
        shared = self.clock.after(completed, 2.5)
        if shared is None or shared - completed > dt.timedelta(days=10):
            return
        if self.rng.random() < 0.55:
            blogs = [b for b in BLOGS if subject in b.subjects] or list(BLOGS)
            title = self.rng.choice(SHARE_TITLES).format(c=course)
            self._post(person, self.rng.choice(blogs), subject, shared, title)
            kind = "post"
        else:
            page = self._subject_page(subject, shared)
            self._revise(page, person, shared, f"add notes from the {course} course")
            kind = "wiki"
        self.shares.append(Share(person.name, course, subject, completed, shared, kind))

    # blogs
    def blogs(self) -> None:
        contributors = [p for p in self.people if p.contribution > 0]
        weights = [p.contribution for p in contributors]
        for _ in range(round(330 * self.scale)):
            author = self.rng.choices(contributors, weights=weights)[0]
            subjects = TEAMS[author.team][1]
            subject = self.rng.choice(subjects)
            blogs = [b for b in BLOGS if subject in b.subjects] or list(BLOGS)
            title = self.rng.choice(POST_TITLES).format(s=SUBJECTS[subject].title)
            self._post(author, self.rng.choice(blogs), subject, None, title)

    def _post(
        self, author: Person, blog: Blog, subject: str, when: dt.datetime | None, title: str
    ) -> None:
        if when is None:
            when = self.clock.moment(self.clock.day())
        self.post_numbers += 1
        slug = title.lower().replace(" — ", " ").replace(":", "").replace(" ", "-")
        url = f"{blog.url}{when:%Y/%m}/{quote(slug, safe='-')}-{self.post_numbers}/"
        subjects = [subject]
        if self.rng.random() < 0.4:
            subjects.append(self.rng.choice(blog.subjects))
        post = _Post(
            blog,
            url,
            title,
            author,
            when,
            list(dict.fromkeys(subjects)),
            self.rng.paretovariate(1.5),
        )
        self.posts.append(post)

    def reactions(self) -> None:
        readers = self.people
        reading = [p.reading for p in readers]
        commenting = [p.contribution + 0.15 for p in readers]
        comment_number = 0
        for post in self.posts:
            for _ in range(self._poisson(0.9 * post.popularity)):
                commenter = self.rng.choices(readers, weights=commenting)[0]
                when = self.clock.after(post.published, 1.5)
                if commenter is post.author or when is None:
                    continue
                comment_number += 1
                post.comments.append((commenter, when, self.rng.choice(COMMENTS), comment_number))
            viewers = min(len(readers), self._poisson(20 * post.popularity))
            for viewer in self._distinct(readers, reading, viewers):
                when = self.clock.after(post.published, 3)
                if when is None or viewer is post.author:
                    continue
                self._interaction(
                    viewer,
                    "viewed",
                    post.url,
                    ActivityTypes.ARTICLE,
                    post.title,
                    post.blog.url,
                    ActivityTypes.BLOG,
                    post.blog.name,
                    when,
                )
                if self.rng.random() < 0.09:
                    liked = when + dt.timedelta(seconds=self.rng.randint(20, 600))
                    self._interaction(
                        viewer,
                        "liked",
                        post.url,
                        ActivityTypes.ARTICLE,
                        post.title,
                        post.blog.url,
                        ActivityTypes.BLOG,
                        post.blog.name,
                        liked,
                    )

    # wiki
    def _subject_page(self, subject: str, when: dt.datetime) -> _Page:
        title = f"{SUBJECTS[subject].title}/{WIKI_PAGES[0]}"
        return self.pages[title]

    def wiki(self) -> None:
        titles: list[tuple[str, str | None]] = [(t, None) for t in GENERAL_PAGES]
        for subject in SUBJECTS.values():
            titles += [(f"{subject.title}/{page}", subject.key) for page in WIKI_PAGES]
        for rank, (title, key) in enumerate(self.rng.sample(titles, len(titles)), start=1):
            self.pages[title] = _Page(title, key, 1 / rank**0.9)

    def wiki_edits(self) -> None:
        editors = [p for p in self.people if p.contribution > 0]
        weights = [p.contribution**1.3 for p in editors]
        pages = list(self.pages.values())
        page_weights = [p.popularity for p in pages]
        for _ in range(round(1500 * self.scale)):
            page = self.rng.choices(pages, weights=page_weights)[0]
            editor = self.rng.choices(editors, weights=weights)[0]
            if page.subject is not None and page.subject not in TEAMS[editor.team][1]:
                editor = self.rng.choices(editors, weights=weights)[0]
            when = self.clock.moment(self.clock.day())
            self._revise(page, editor, when, self.rng.choice(EDIT_COMMENTS))

    def _revise(self, page: _Page, editor: Person, when: dt.datetime, comment: str) -> None:
        page.revisions.append((when, editor, 0, comment, comment in ("typo", "fix formatting")))

    def wiki_views(self) -> None:
        pages = [p for p in self.pages.values() if p.revisions]
        reading = [p.reading for p in self.people]
        for page in pages:
            page.revisions.sort(key=lambda r: r[0])
            created = page.revisions[0][0]
            views = self._poisson(120 * page.popularity * self.scale * len(self.people) / 300)
            url = _page_url(page.title)
            for viewer in self.rng.choices(self.people, weights=reading, k=views):
                when = self.clock.moment(self.clock.day(low=created.date()))
                if when <= created:
                    continue
                self._interaction(
                    viewer,
                    "viewed",
                    url,
                    ActivityTypes.PAGE,
                    page.title,
                    WIKI_URL,
                    ActivityTypes.WIKI,
                    "Acme Handbook",
                    when,
                )

    # helpers
    def _poisson(self, mean: float) -> int:
        # Knuth for small means, normal approximation for large ones.
        if mean > 30:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, product, count = math.exp(-mean), self.rng.random(), 0
        while product > limit:
            product *= self.rng.random()
            count += 1
        return count

    def _distinct(self, people: list[Person], weights: list[float], count: int) -> list[Person]:
        chosen: dict[str, Person] = {}
        for _ in range(count * 3):
            if len(chosen) >= count:
                break
            person = self.rng.choices(people, weights=weights)[0]
            chosen.setdefault(person.email, person)
        return list(chosen.values())

    def _interaction(
        self,
        person: Person,
        verb: str,
        object_id: str,
        object_type: str,
        name: str,
        space: str,
        space_type: str,
        space_name: str,
        when: dt.datetime,
    ) -> None:
        if when > self.clock.limit:
            return
        verb_id = Verbs.VIEWED if verb == "viewed" else Verbs.LIKED
        self.interactions.append(
            {
                "id": derived_id("demo", verb, person.email, object_id, timestamp(when)),
                "actor": person.agent,
                "verb": {"id": verb_id, "display": {"en-US": verb}},
                "object": {
                    "objectType": "Activity",
                    "id": object_id,
                    "definition": {"type": object_type, "name": {"en": name}},
                },
                "context": {
                    "contextActivities": {
                        "grouping": [
                            {
                                "objectType": "Activity",
                                "id": space,
                                "definition": {"type": space_type, "name": {"en": space_name}},
                            }
                        ]
                    },
                    "team": team_group(person.team, TEAMS_URL),
                },
                "timestamp": timestamp(when),
            }
        )


def _page_url(title: str) -> str:
    return f"{WIKI_URL}wiki/{quote(title.replace(' ', '_'), safe='/:_-.(),~')}"


# --- source documents ---------------------------------------------------------------------


def _course_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["learner", "learner_name", "course", "module", "event", "score", "duration", "timestamp"]
    )
    ordered: list[list[str]] = sorted(rows, key=lambda row: row[7])
    writer.writerows(ordered)
    return out.getvalue().encode()


def _rfc822(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _atom(blog: Blog, posts: list[_Post]) -> bytes:
    entries = []
    for post in posts:
        tags = "".join(f'<category term="{escape(s)}"/>' for s in post.subjects)
        entries.append(
            f"<entry><title>{escape(post.title)}</title>"
            f'<link rel="alternate" href="{escape(post.url)}"/><id>{escape(post.url)}</id>'
            f"<published>{timestamp(post.published)}</published>"
            f"<updated>{timestamp(post.published)}</updated>"
            f"<author><name>{escape(post.author.name)}</name></author>{tags}"
            f"<summary>{escape(post.title)}, by {escape(post.author.name)}.</summary></entry>"
        )
        for person, when, text, number in post.comments:
            link = f"{post.url}#comment-{number}"
            entries.append(
                f"<entry><title>Re: {escape(post.title)}</title>"
                f'<link rel="alternate" href="{escape(link)}"/><id>{escape(link)}</id>'
                f"<published>{timestamp(when)}</published><updated>{timestamp(when)}</updated>"
                f"<author><name>{escape(person.name)}</name></author>"
                f"<summary>{escape(text)}</summary></entry>"
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        f'<title>{escape(blog.name)}</title><link rel="alternate" href="{blog.url}"/>'
        f"<id>{blog.url}</id><updated>{timestamp(posts[0].published) if posts else ''}</updated>"
        + "".join(entries)
        + "</feed>\n"
    ).encode()


_RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
)


def _wordpress(blog: Blog, posts: list[_Post]) -> tuple[bytes, bytes]:
    items = []
    comments = []
    for post in posts:
        tags = "".join(f"<category><![CDATA[{s}]]></category>" for s in post.subjects)
        items.append(
            f"<item><title>{escape(post.title)}</title><link>{escape(post.url)}</link>"
            f"<dc:creator><![CDATA[{post.author.name}]]></dc:creator>"
            f"<pubDate>{_rfc822(post.published)}</pubDate>{tags}"
            f'<guid isPermaLink="false">{escape(post.url)}</guid>'
            f"<description><![CDATA[{post.title}]]></description>"
            f"<wfw:commentRss>{escape(post.url)}feed/</wfw:commentRss>"
            f"<slash:comments>{len(post.comments)}</slash:comments></item>"
        )
        for person, when, text, number in post.comments:
            link = f"{post.url}#comment-{number}"
            comments.append(
                (
                    when,
                    f"<item><title>Comment on {escape(post.title)} by {escape(person.name)}"
                    f"</title><link>{escape(link)}</link>"
                    f"<dc:creator><![CDATA[{person.name}]]></dc:creator>"
                    f"<pubDate>{_rfc822(when)}</pubDate>"
                    f'<guid isPermaLink="false">{escape(link)}</guid>'
                    f"<description><![CDATA[{text}]]></description></item>",
                )
            )
    comments.sort(key=lambda pair: pair[0], reverse=True)
    head = f"<link>{blog.url}</link><language>en-US</language>"
    head += "<generator>https://wordpress.org/?v=6.4.3</generator>"
    feed = f"{_RSS_HEAD}<title>{escape(blog.name)}</title>{head}{''.join(items)}</channel></rss>"
    comment_feed = (
        f"{_RSS_HEAD}<title>Comments for {escape(blog.name)}</title>{head}"
        + "".join(item for _, item in comments)
        + "</channel></rss>"
    )
    return feed.encode(), comment_feed.encode()


def _wiki_export(pages: list[_Page], rng: random.Random) -> bytes:
    revisions = []
    for page in pages:
        for when, editor, _, comment, minor in page.revisions:
            revisions.append((when, page, editor, comment, minor))
    revisions.sort(key=lambda r: (r[0], r[1].title))
    out = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" '
        'xml:lang="en"><siteinfo><sitename>Acme Handbook</sitename><dbname>handbook</dbname>'
        f"<base>{WIKI_URL}wiki/Main_Page</base><generator>MediaWiki 1.41.0</generator>"
        "</siteinfo>"
    ]
    # Revision ids grow with time across the wiki, as MediaWiki assigns them.
    by_page: dict[str, list[tuple[int, Any]]] = {}
    for number, revision in enumerate(revisions):
        by_page.setdefault(revision[1].title, []).append((1001 + number, revision))
    for page_id, page in enumerate(pages, start=1):
        listed = by_page.get(page.title)
        if not listed:
            continue
        out.append(f"<page><title>{escape(page.title)}</title><ns>0</ns><id>{page_id}</id>")
        size = 0
        parent = None
        for revision_id, (when, _, editor, comment, minor) in listed:
            size = max(
                120, size + round(rng.gauss(900, 300) if parent is None else rng.gauss(140, 320))
            )
            parent_tag = f"<parentid>{parent}</parentid>" if parent else ""
            out.append(
                f"<revision><id>{revision_id}</id>{parent_tag}<timestamp>"
                f"{when:%Y-%m-%dT%H:%M:%SZ}</timestamp><contributor><username>"
                f"{escape(editor.wiki_user)}</username></contributor>"
                f"{'<minor/>' if minor and parent else ''}"
                f"{f'<comment>{escape(comment)}</comment>' if comment else ''}"
                "<model>wikitext</model><format>text/x-wiki</format>"
                f'<text bytes="{size}" xml:space="preserve" /></revision>'
            )
            parent = revision_id
        out.append("</page>")
    out.append("</mediawiki>\n")
    return "".join(out).encode()


def generate(
    *, people: int = 300, days: int = 365, seed: int = 2024, end: dt.date | None = None
) -> DemoOrganisation:
    """Generate the organisation: ``people`` people over the ``days`` ending at ``end``
    (today in UTC when not given)."""
    if people < 5 or days < 14:
        raise ValueError("the demo needs at least 5 people and 14 days")
    end = end or dt.datetime.now(dt.UTC).date()
    generator = _Generator(people, days, seed, end)
    generator.wiki()
    generator.courses()
    generator.blogs()
    generator.wiki_edits()
    generator.reactions()
    generator.wiki_views()
    feeds: list[tuple[str, bytes]] = []
    for blog in BLOGS:
        posts = sorted(
            (p for p in generator.posts if p.blog is blog), key=lambda p: p.published, reverse=True
        )
        if not posts:
            continue
        if blog.wordpress:
            feed, comment_feed = _wordpress(blog, posts)
            feeds += [(blog.url, feed), (blog.url, comment_feed)]
        else:
            feeds.append((blog.url, _atom(blog, posts)))
    return DemoOrganisation(
        people=generator.people,
        start=generator.start,
        end=end,
        mapping_rows=_mapping(generator.people),
        course_csv=_course_csv(generator.csv_rows),
        feeds=feeds,
        wiki_export=_wiki_export(list(generator.pages.values()), generator.rng),
        interactions=sorted(generator.interactions, key=lambda s: s["timestamp"]),
        shares=generator.shares,
    )
