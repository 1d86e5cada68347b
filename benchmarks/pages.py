"""Browser benchmark: how long each dashboard page takes to be fully drawn in headless
Chromium, served by `lrs serve`, with N facts stored, on SQLite and PostgreSQL.

    python -m benchmarks.pages --facts 1000000 --databases sqlite,postgresql --reuse

``--role manager`` (of the team of the person "me" opens on) or ``--role member`` (that
person) signs in with that role instead of an admin, so that every page reads within its
scope; ``--role admin,manager,member`` measures each in turn on the same prepared data.
"Fully drawn" is ``benchmarks.browser.wait_drawn``: no callback pending or in flight and
every graph plotted. Each page is reached ``--repeat`` times through the navbar (the
page's own navigation: layout, callbacks, plotting) and by loading its URL (the whole
app: HTML, scripts from the browser cache, layout, callbacks, plotting), under each
filter set; p50 and p95 are printed per page and written as JSON with ``--report``.
The data is ``benchmarks.dashboards``' (``--reuse`` measures the database an earlier
run left, loading it when empty).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks import browser
from benchmarks.dashboards import COURSE, PERSON, TOPIC, _analyze, _database, add_persons, load
from benchmarks.server import serve
from lrs.services import users
from lrs.store import facts, migrate
from lrs.store.engine import Database
from lrs.store.models import LearningFact

PAGES = ("overview", "courses", "knowledge", "convergence", "people", "explorer", "me",
         "experts", "next")  # fmt: skip
TITLES = {**{page: page.title() for page in PAGES}, "me": "My learning",
          "experts": "Who knows", "next": "Read next"}  # fmt: skip
OWN_QUERY = {"me": {"person": PERSON}, "experts": {"topic": TOPIC}, "next": {"course": COURSE}}
"""What a pull page is opened on (by its URL only: from the navbar it opens empty)."""
FILTERS = {"all time": "", "last 90 days": "?range=90d"}
ROLES = ("admin", "manager", "member")
USER, PASSWORD = "bench", "bench-password-not-for-production"


def _username(role: str) -> str:
    return USER if role == "admin" else f"{USER}-{role}"


def _role(database: Database, role: str) -> users.Role:
    """The benchmark user's role: an admin, a manager of the team of the person the "me"
    page is opened on, or a member linked to that person."""
    if role == "admin":
        return users.Role("admin")
    if role == "member":
        return users.Role("member", person=PERSON)
    with database.reading() as session:
        team = session.execute(
            sa.select(LearningFact.team)
            .where(LearningFact.actor_key == PERSON, LearningFact.team.is_not(None))
            .limit(1)
        ).scalar_one()
    return users.Role("manager", teams=(str(team),))


def _prepare(
    database: Database,
    n: int,
    reuse: bool,
    roles: tuple[str, ...] = ("admin",),
    rebuild: bool = True,
) -> float:
    """Schema, facts (loaded unless reused; their rollups rebuilt unless ``rebuild`` is
    false) and the benchmark's dashboard users."""
    began = time.perf_counter()
    migrate.upgrade(database.engine)
    with database.reading() as session:
        loaded = bool(
            session.execute(sa.select(sa.func.count()).select_from(LearningFact)).scalar()
        )
    if reuse and loaded:
        if rebuild:
            with database.writing() as session:
                facts.rebuild_rollups(session)
            _analyze(database)
    else:
        load(database, n)
    add_persons(database)  # a data set loaded before the benchmark made persons
    known = {user.username for user in users.listing(database)}
    for role in roles:
        if _username(role) not in known:
            users.create(
                database, username=_username(role), password=PASSWORD, role=_role(database, role)
            )
    return time.perf_counter() - began


def _navigate(driver: Any, base: str, page: str, query: str, by: str) -> float:
    """Seconds from asking for ``page`` to the page fully drawn."""
    from selenium.webdriver.common.by import By

    path = "" if page == "overview" else page
    began = time.monotonic()
    if by == "url":
        driver.get(f"{base}/dashboards/{path}{query}")
    else:
        driver.find_element(By.ID, f"nav-{page}").click()
        deadline = began + 30
        while not driver.current_url.split("?")[0].rstrip("/").endswith(path or "dashboards"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the navbar did not open {page}")
            time.sleep(0.005)
    browser.wait_drawn(driver, timeout=120, title=TITLES[page])
    return time.monotonic() - began


def _own(page: str, query: str) -> str:
    """``query`` with what the page is opened on (a person, a topic, a course)."""
    if page not in OWN_QUERY:
        return query
    return f"{query}{'&' if query else '?'}{urlencode(OWN_QUERY[page])}"


def measure(
    base: str, repeat: int, pages: tuple[str, ...] = PAGES, role: str = "admin"
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    with browser.chromium() as driver:
        browser.sign_in(driver, base, _username(role), PASSWORD)
        for label, query in FILTERS.items():
            for page in pages:  # once, untimed: scripts cached, workers warm
                _navigate(driver, base, page, _own(page, query), "url")
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(repeat):
                for by in ("navbar", "url"):
                    # Through the navbar, each page is reached from the one before it.
                    _navigate(driver, base, pages[-1], _own(pages[-1], query), "url")
                    for page in pages:
                        if by == "navbar" and page in OWN_QUERY:
                            continue
                        seconds = _navigate(driver, base, page, _own(page, query), by)
                        times.setdefault((page, by), []).append(seconds)
            for (page, by), seen in times.items():
                name = f"{page} / {label} / {by}"
                results[name] = {"p50": statistics.median(seen), "p95": _p95(seen),
                                 "max": max(seen), "runs": len(seen)}  # fmt: skip
                print(f"  {name:<40} p50 {results[name]['p50']:6.3f} s  "
                      f"p95 {results[name]['p95']:6.3f} s", file=sys.stderr)  # fmt: skip
    return results


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(report: dict[str, Any]) -> str:
    """The report as a Markdown table: page, role, filters, navigation, p50/p95 per
    database."""
    kinds = list(report["databases"])
    roles = list(report["roles"])
    names = list(next(iter(report["databases"].values()))["roles"][roles[0]]) if kinds else []
    head = "| page | role | filters | reached by | " + " | ".join(
        f"{kind} p50 | {kind} p95" for kind in kinds
    )
    lines = [head + " |", "|---" * (4 + 2 * len(kinds)) + "|"]
    for name in names:
        page, *rest = name.split(" / ")
        for role in roles:
            cells = []
            for kind in kinds:
                result = report["databases"][kind]["roles"][role].get(name, {})
                cells += [f"{result.get('p50', 0):.2f} s", f"{result.get('p95', 0):.2f} s"]
            lines.append("| " + " | ".join([page, role, *rest, *cells]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--workdir", type=Path, default=Path("."))
    parser.add_argument("--pages", default=",".join(PAGES), help="Pages to time, comma separated")
    parser.add_argument(
        "--postgres-name", default="lrs_bench_dashboards", help="PostgreSQL database of --reuse"
    )
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="measure (and keep) benchmarks.dashboards' database"
    )
    parser.add_argument(
        "--keep-rollups", action="store_true",
        help="with --reuse: measure the rollups as stored (an earlier run rebuilt them) "
        "instead of rebuilding them first",
    )  # fmt: skip
    parser.add_argument(
        "--role", default="admin",
        help="the roles the benchmark signs in with, in turn: admin, manager, member "
        "(comma separated)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    roles = tuple(r.strip() for r in args.role.split(",") if r.strip())
    if not roles or not set(roles) <= set(ROLES):
        parser.error(f"--role takes {', '.join(ROLES)} (comma separated)")
    if not browser.available():
        print("needs chromium and chromedriver in /usr/bin", file=sys.stderr)
        return 2
    report: dict[str, Any] = {"facts": args.facts, "repeat": args.repeat, "roles": roles,
                              "databases": {}}  # fmt: skip
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        database, drop = _database(kind, args.workdir, args.reuse, args.postgres_name)
        try:
            seconds = _prepare(
                database, args.facts, args.reuse, roles, rebuild=not args.keep_rollups
            )
            print(f"{kind}: {args.facts:,} facts ready in {seconds:.0f} s", file=sys.stderr)
            url = database.engine.url.render_as_string(hide_password=False)
            database.dispose()
            with serve(url, workers=args.workers) as server:
                pages = tuple(p.strip() for p in args.pages.split(",") if p.strip() in PAGES)
                report["databases"][kind] = {"roles": {}}
                for role in roles:
                    print(f"{kind}: {role}", file=sys.stderr)
                    measured = measure(server.base_url, args.repeat, pages, role)
                    report["databases"][kind]["roles"][role] = measured
        finally:
            database.dispose()
            if not args.reuse:
                drop()
    text = json.dumps(report, indent=2)
    if args.report:
        args.report.write_text(text + "\n")
    print(table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
