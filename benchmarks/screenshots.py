"""Screenshots of every dashboard page for the README, taken from the demo organisation.

    python -m benchmarks.screenshots [--output docs/screenshots]

Fills a temporary SQLite store with ``make demo``'s organisation (ending today), serves
it on a loopback port, signs in with headless Chromium at 1440 px wide and saves each
page, fully drawn and whole (not only the window), as a PNG scaled down to keep the
files small. Run it again whenever a page changes.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import browser
from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import imports
from lrs.store import migrate
from lrs.store.engine import Database

PAGES = ("overview", "courses", "knowledge", "convergence", "people", "explorer")
PULL_TITLES = {"me": "My learning", "experts": "Who knows", "next": "Read next"}
SCALE = 0.6


def pull_queries(database: Database) -> dict[str, dict[str, str]]:
    """What the pull pages are shown on: the demo's top contributor, the tag most
    written about, and the course most completed."""
    from sqlalchemy import func, select

    from lrs.insight import pull, registry
    from lrs.insight.filters import Filters
    from lrs.store.models import LearningFactTag

    with database.reading() as session:
        person = registry.TOP_CONTRIBUTORS.run(session, Filters(), limit=1)["actor_key"][0]
        count = func.count()
        tag = session.execute(
            select(LearningFactTag.tag).group_by(LearningFactTag.tag).order_by(count.desc())
        ).scalars().first()  # fmt: skip
        course = pull.course_options(session, Filters(), limit=1)[0][0]
    return {"me": {"person": str(person)}, "experts": {"topic": str(tag or "")},
            "next": {"course": course}}  # fmt: skip


def save_page(driver: object, path: Path, scale: float = SCALE) -> int:
    """The whole page as a PNG at ``scale``; its size in bytes."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})  # type: ignore[attr-defined]
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                  "scale": scale}},
    )  # fmt: skip
    data = base64.b64decode(shot["data"])
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    if not browser.available():
        print("needs chromium and chromedriver in /usr/bin", file=sys.stderr)
        return 2
    from werkzeug.serving import make_server

    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lrs-screenshots-") as folder:
        url = f"sqlite:///{Path(folder) / 'lrs.db'}"
        database = Database(url)
        migrate.upgrade(database.engine)
        imports.load_demo(database, people=args.people, days=args.days, seed=2024,
                          home_page="http://127.0.0.1")  # fmt: skip
        username, password = imports.demo_login(database)
        opened = pull_queries(database)
        database.dispose()
        app = create_app(Settings(database_url=url, secret_key="screenshots",
                                  forwarding_worker=False, sources_worker=False))  # fmt: skip
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with browser.chromium() as driver:
                browser.sign_in(driver, base, username, password)
                for name in PAGES:
                    path = "" if name == "overview" else name
                    driver.get(f"{base}/dashboards/{path}?range=1y")
                    browser.wait_drawn(driver, timeout=120, title=name.title())
                    size = save_page(driver, args.output / f"{name}.png")
                    print(f"{args.output / name}.png  {size / 1024:.0f} KiB")
                for name, title in PULL_TITLES.items():
                    query = urlencode({"range": "1y", **opened[name]})
                    driver.get(f"{base}/dashboards/{name}?{query}")
                    browser.wait_drawn(driver, timeout=120, title=title)
                    size = save_page(driver, args.output / f"{name}.png")
                    print(f"{args.output / name}.png  {size / 1024:.0f} KiB")
        finally:
            server.shutdown()
            thread.join(timeout=10)
            context.of(app).database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
