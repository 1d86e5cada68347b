"""`lrs serve`: migrate, make sure a credential exists, run gunicorn."""

from __future__ import annotations

import gc
import os
from typing import Any

import click

from lrs.cli.common import authority_home, load_settings, main, open_database, upgrade


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Upgrade the database, make sure a credential exists, and serve LRS + dashboards."""
    from lrs.errors import LRSError
    from lrs.services import credentials

    settings = load_settings().with_secret_key()
    database = open_database(settings)
    upgrade(database, settings)
    home_page = authority_home(settings, host, port)
    if settings.api_key and settings.api_secret:
        try:
            credentials.ensure(
                database, key=settings.api_key, secret=settings.api_secret, home_page=home_page
            )
        except LRSError as error:
            raise click.ClickException(f"LRS_API_KEY / LRS_API_SECRET: {error.message}") from error
        click.echo(f"xAPI credential {settings.api_key!r} (from LRS_API_KEY) is ready.")
    elif not credentials.has_any(database):
        created = credentials.create(
            database, name="first credential", scopes=["all"], home_page=home_page
        )
        click.echo("Created a first xAPI credential (shown once, keep it safe):")
        click.echo(f"  key:    {created.key}\n  secret: {created.secret}")
    database.dispose()
    base = f"http://{host}:{port}"
    click.echo(f"xAPI endpoint: {base}/xapi/   dashboards: {base}/dashboards/")
    # Workers must share one secret so that dashboard sessions survive across them.
    os.environ["LRS_SECRET_KEY"] = settings.secret_key
    _run_gunicorn(f"{host}:{port}", workers, threads)


def _run_gunicorn(bind: str, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("timeout", 120)
            # Request lines of any length reach the app, which answers a URL longer than
            # LRS_MAX_URL_BYTES with 414 in the one error shape (gunicorn's own is HTML).
            self.cfg.set("limit_request_line", 0)

        def load(self) -> Any:
            return served_app()

    _Server().run()


def served_app() -> Any:
    """The application a worker serves, with every object made to build it (the Dash
    pages, plotly's validators, pandas, SQLAlchemy's metadata: about 200,000) frozen out
    of the garbage collector. A full collection walks every object alive, and a request
    that set one off (a dashboard callback building frames and figures does, every few
    pages) waited 100 to 200 ms for it; the frozen objects live as long as the worker and
    are never walked again."""
    from lrs.app import create_app

    app = create_app()
    gc.collect()  # what building it left behind is freed, not kept for good
    gc.freeze()
    return app
