"""The frame around every page: navbar, the shared filter bar (mirrored to the URL) and
the page container; plus the callbacks that keep bar and URL in step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html
from flask import g, request, session

from dashboards.panels import described
from lrs.http import context
from lrs.http.access import reader_scope, scoped
from lrs.insight.activity import activity_choices, choice_label, filter_options
from lrs.insight.filters import RANGES, Filters, query_values, to_query

PAGES = (
    ("overview", "Overview", "/"),
    ("courses", "Courses", "/courses"),
    ("knowledge", "Knowledge", "/knowledge"),
    ("convergence", "Convergence", "/convergence"),
    ("people", "People", "/people"),
    ("me", "My learning", "/me"),
    ("experts", "Who knows", "/experts"),
    ("next", "Read next", "/next"),
    ("explorer", "Explorer", "/explorer"),
    ("sources", "Sources", "/sources"),
    ("persons", "Persons", "/persons"),
)
FILTER_KEYS = ("range", "from", "to", "team", "kind", "platform", "verb", "activity")
PICKERS = ("team", "platform", "verb", "activity")  # the filters whose choices are read
_UNSET = {"from": "", "to": ""}  # a filter's value when the URL has none, else "all"
RANGE_LABELS = {"all": "All time", "7d": "Last 7 days", "30d": "Last 30 days",
                "90d": "Last 90 days", "1y": "Last 12 months"}  # fmt: skip
# The URL is Dash's own pages location (inside dash.page_container): a second
# dcc.Location would drift out of step with the page router.
LOCATION = "_pages_location"
CONTENT = "_pages_content"  # the ids of Dash's page container, which its router fills
TITLE_STORE = "_pages_store"
TITLE_DUMMY = "_pages_dummy"
CSRF_KEY = "csrf_token"  # the login blueprint's session key for its CSRF token
ALL = {"label": "All", "value": "all"}
CHOICES_SENT = "filter-choices-sent"
"""A store that is true once the filter bar has its choices: a page load sends them, a
navigation inside the app does not send them again."""


def _select(
    key: str, label: str, options: list[dict[str, str]] | None = None,
    value: str = "all", choices: list[dict[str, str]] | None = None,
) -> dbc.Col:  # fmt: skip
    """A filter: a plain choice for a few fixed values (``options``), else a picker
    searched by name, holding the server's ``choices`` when the layout has them."""
    control = (
        dbc.Select(id=f"filter-{key}", options=[ALL, *options], value=value, size="sm")
        if options
        else dcc.Dropdown(id=f"filter-{key}", options=choices or [ALL], value=value,
                          clearable=False, searchable=True, placeholder="Type to search…",
                          className="filter-search small")
    )  # fmt: skip
    return dbc.Col(
        [
            dbc.Label(label, html_for=f"filter-{key}", className="small mb-0"),
            control,
        ],
        xs=6,
        md=3,
        lg=True,
    )


def _date_filter(label: str, key: str, values: dict[str, str]) -> dbc.Col:
    """A date of the range (``from`` or ``to``), showing its value when the layout has it."""
    return dbc.Col(
        [
            dbc.Label(label, html_for=f"filter-{key}", className="small mb-0"),
            dbc.Input(id=f"filter-{key}", type="date", size="sm", debounce=True,
                      value=values.get(key) or None),
        ],
        xs=6,
        md=3,
        lg=True,
    )  # fmt: skip


def filter_bar(bar: Bar | None = None) -> dbc.Card:
    """The filters every page shares, showing ``bar`` when the layout has it (else the
    callback ``fill_filter_bar`` fills them)."""
    values = bar.values if bar is not None else {}
    choices = bar.choices if bar is not None else {}
    ranges = [{"label": RANGE_LABELS[key], "value": key} for key in RANGES]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(
                                "Time range", html_for="filter-range", className="small mb-0"
                            ),
                            dbc.Select(
                                id="filter-range",
                                options=ranges,
                                value=values.get("range", "all"),
                                size="sm",
                            ),
                        ],
                        xs=6,
                        md=3,
                        lg=True,
                    ),
                    _date_filter("From", "from", values),
                    _date_filter("To", "to", values),
                    _select(
                        "team", "Team", value=values.get("team", "all"), choices=choices.get("team")
                    ),
                    _select(
                        "kind",
                        "Kind",
                        [{"label": k, "value": k} for k in ("formal", "informal", "other")],
                        value=values.get("kind", "all"),
                    ),
                    _select(
                        "platform",
                        "System",
                        value=values.get("platform", "all"),
                        choices=choices.get("platform"),
                    ),
                    _select(
                        "verb", "Verb", value=values.get("verb", "all"), choices=choices.get("verb")
                    ),
                    _select(
                        "activity",
                        "Activity",
                        value=values.get("activity", "all"),
                        choices=choices.get("activity"),
                    ),
                ],
                className="g-2",
            ),
            className="py-2",
        ),
        className="mb-3 filter-bar",
    )


@dataclass(frozen=True)
class Bar:
    """What the filter bar shows for a URL query: each filter's value (a team, system or
    verb the reader cannot choose set back to "All", and named in ``dropped``) and the
    pickers' choices."""

    values: dict[str, str]
    dropped: frozenset[str]
    choices: dict[str, list[dict[str, str]]]


def bar_for(search: str | None) -> Bar:
    """The filter bar for the URL query ``search``, within the reader's scope."""
    values = query_values(search)
    with context.database().querying() as db_session:
        options = filter_options(db_session, scope=reader_scope())
        chosen = values.get("activity")
        if chosen and chosen not in {value for value, _ in options["activity"]}:
            # An activity of the URL beyond the most used: offered under its name.
            label = choice_label(db_session, "activity", chosen)
            options["activity"].insert(0, (chosen, label or chosen))
    # A team, system or verb that is not among the choices (another team than the
    # reader's) is set to "All", which makes the URL writer drop it.
    dropped = frozenset(
        key
        for key in ("team", "platform", "verb")
        if values.get(key, "all") not in {"all", *(value for value, _ in options[key])}
    )
    return Bar(
        values={
            key: "all"
            if key in dropped
            else values.get(key, "" if key in ("from", "to") else "all")
            for key in FILTER_KEYS
        },
        dropped=dropped,
        choices={
            key: [ALL, *({"label": label, "value": value} for value, label in options[key])]
            for key in PICKERS
        },
    )


def nav_links(search: str | None, pathname: str | None) -> tuple[list[str], list[bool]]:
    """Each page's link, carrying the URL's filters, and whether it is the page shown."""
    values = {k: v for k, v in query_values(search).items() if k in FILTER_KEYS}
    query = to_query(values)
    here = dash.strip_relative_path(pathname or "") or ""
    hrefs = [dash.get_relative_path(path) + query for _, _, path in PAGES]
    active = [here == path.strip("/") for _, _, path in PAGES]
    return hrefs, active


def filter_note(search: str | None) -> str:
    """The URL's filters in words, above the page."""
    with context.database().querying() as db_session:
        return "Showing " + described(db_session, scoped(Filters.from_query(search)))


class Address(NamedTuple):
    """The page a layout is asked from (the referrer), its path and query."""

    page: dict[str, Any]
    pathname: str
    search: str


def asking_page() -> Address | None:
    """The page of this app the browser asks for the layout from, if any; a referrer
    that is no text a page could echo (a lone surrogate, which only a server in the
    same process can put in a header) leaves the page to the router."""
    referrer = request.referrer or ""
    try:
        referrer.encode()
    except UnicodeEncodeError:
        return None
    address = urlsplit(referrer)
    page = page_at(address.path) if address.netloc == request.host else None
    if page is None:
        return None
    return Address(page, address.path, f"?{address.query}" if address.query else "")


def layout() -> html.Div:
    """Built per request, so it can show who is logged in and carry the CSRF token.

    Asked from a page of the app (``page_container``), the frame comes filled for that
    page's address as its callbacks would fill it (the filter bar's values and choices,
    the links carrying the filters, the filters in words): they are not called on the
    page load, only when the address changes. A URL filter the reader cannot choose is
    left to the callbacks, which set it back to "All" and take it out of the URL."""
    user = getattr(g, "dashboard_user", None)
    address = asking_page()
    bar = bar_for(address.search) if address is not None else None
    if bar is not None and bar.dropped:
        address, bar = None, None
    hrefs, active = (
        nav_links(address.search, address.pathname)
        if address is not None
        else ([dash.get_relative_path(path) for _, _, path in PAGES], [False] * len(PAGES))
    )
    nav = [
        dbc.NavItem(dbc.NavLink(label, id=f"nav-{key}", href=href, active=on))
        for (key, label, _), href, on in zip(PAGES, hrefs, active, strict=True)
    ]
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=session.get(CSRF_KEY, "")),
            html.A(
                "Users", href="/dashboards/users", id="nav-users", className="text-light small me-3"
            )
            if user is not None and user.is_admin
            else None,
            html.Span(user.username if user else "", className="text-light small me-2"),
            html.Span(_role_note(user), id="nav-role", className="text-light small me-2"),
            html.Button("Sign out", id="sign-out", className="btn btn-outline-light btn-sm"),
        ],
        method="POST",
        action=dash.get_relative_path("/logout"),
        className="d-flex align-items-center ms-auto",
    )
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Learning & knowledge", href=dash.get_relative_path("/")),
                dbc.Nav(nav, navbar=True, className="me-auto"),
                logout,
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )
    return html.Div(
        [
            navbar,
            dbc.Container(
                [
                    filter_bar(bar),
                    dcc.Store(id=CHOICES_SENT, data=bar is not None),
                    html.Div(
                        filter_note(address.search) if address is not None else None,
                        id="filter-note",
                        className="small text-muted mb-2",
                    ),
                    page_container(address),
                ],
                fluid=True,
            ),
        ]
    )


def page_container(address: Address | None) -> html.Div:
    """Dash's page container, holding already the page that asks for the layout.

    The browser asks for the layout from the page's own address, which it sends as the
    referrer (``asking_page``). With the location set to that address and the page's
    layout in place, the location reports no change when it is drawn, so Dash's router
    is not called: the page's callbacks go out with the layout instead of one round trip
    later, after the router's answer. Without a referrer on a known page, the container
    is Dash's own, empty one, which the router fills as before."""
    if address is None:
        container: html.Div = dash.page_container
        return container
    page, pathname, search = address
    # The router's arguments: each parameter's value, a list when it is repeated.
    parameters = parse_qs(search.lstrip("?"), keep_blank_values=True)
    query = {key: values[0] if len(values) == 1 else values for key, values in parameters.items()}
    layout = page["layout"](**query) if callable(page["layout"]) else page["layout"]
    return html.Div(
        [
            dcc.Location(id=LOCATION, refresh="callback-nav", pathname=pathname, search=search),
            html.Div(layout, id=CONTENT, disable_n_clicks=True),
            dcc.Store(id=TITLE_STORE, data={"title": page["title"]}),
            html.Div(id=TITLE_DUMMY, disable_n_clicks=True),
        ]
    )


def page_at(pathname: str) -> dict[str, Any] | None:
    """The registered page at ``pathname`` (an address under the dashboards), if any."""
    if not pathname.startswith(dash.get_relative_path("/")):
        return None
    path = dash.strip_relative_path(pathname) or ""
    return next(
        (page for page in dash.page_registry.values() if page["path"].strip("/") == path), None
    )


def _role_note(user: Any) -> str:
    """What the signed-in user's role lets them see, beside their name."""
    if user is None or user.role == "admin":
        return ""
    if user.role == "manager":
        return "(" + ", ".join(user.teams) + ")"
    return "(" + (user.person_name or "own data") + ")"


def register_callbacks(app: Dash) -> None:
    outputs = [Output(f"filter-{key}", "value") for key in FILTER_KEYS]
    options = [Output(f"filter-{key}", "options") for key in PICKERS]

    # Only the values that differ from what the bar shows are sent: a navigation then
    # does not also run the bar's URL writer for nothing (a round trip beside the page's
    # own callbacks). The choices (kilobytes, which each picker indexes again for its
    # search when they come) are sent once per page load. Not called on a page load
    # whose layout came filled (``layout``): only when the location changes.
    @app.callback(
        *outputs,
        *options,
        Output(CHOICES_SENT, "data"),
        Input(LOCATION, "pathname"),
        State(LOCATION, "search"),
        State(CHOICES_SENT, "data"),
        *[State(f"filter-{key}", "value") for key in FILTER_KEYS],
        prevent_initial_call=True,
    )
    def fill_filter_bar(_pathname: str, search: str, sent: Any, *shown: Any) -> list[Any]:
        bar = bar_for(search)
        return [
            *[
                dash.no_update
                if key not in bar.dropped and (bar.values[key] or "") == (now or "")
                else bar.values[key]
                for key, now in zip(FILTER_KEYS, shown, strict=True)
            ],
            *[dash.no_update if sent else bar.choices[key] for key in PICKERS],
            dash.no_update if sent else True,
        ]

    # The activity picker is searched on the server as the reader types: a store holds
    # thousands of activities, and sending every one made each page load carry tens of
    # kilobytes of choices, which the picker indexed (every substring of every IRI)
    # before the page's callbacks could go out. It starts with the most used.
    @app.callback(
        Output("filter-activity", "options", allow_duplicate=True),
        Input("filter-activity", "search_value"),
        State("filter-activity", "value"),
        prevent_initial_call=True,
    )
    def search_activities(search: str | None, chosen: str | None) -> list[dict[str, str]]:
        with context.database().querying() as db_session:
            found = activity_choices(db_session, search if isinstance(search, str) else "")
            if chosen and chosen != "all" and chosen not in {value for value, _ in found}:
                # The chosen activity stays a choice, or the picker would clear it.
                found.insert(0, (chosen, choice_label(db_session, "activity", chosen) or chosen))
        return [{"label": "All", "value": "all"}] + [
            {"label": label, "value": value} for value, label in found
        ]

    # The bar writes the URL's whole ``href``, not its ``search``: the page router and
    # the callbacks that follow the URL take ``search`` as their input, and a callback
    # writing it would put the bar's filling (a server round trip) before the page's
    # layout on every page load, since the renderer holds a callback back while one
    # upstream of it is pending. Writing ``href``, the location itself moves to the new
    # URL and sets its ``search``, which redraws the page as before.
    @app.callback(
        Output(LOCATION, "href", allow_duplicate=True),
        *[Input(f"filter-{key}", "value") for key in FILTER_KEYS],
        State(LOCATION, "search"),
        State(LOCATION, "pathname"),
        prevent_initial_call=True,
    )
    def filters_to_url(*values: Any) -> Any:
        *controls, search, pathname = values
        kept = {k: v for k, v in query_values(search).items() if k not in FILTER_KEYS}
        chosen = dict(zip(FILTER_KEYS, controls, strict=True))
        new = to_query({**chosen, **kept})
        return (pathname or "") + new if new != (search or "") else dash.no_update

    @app.callback(
        *[Output(f"nav-{key}", "href") for key, _, _ in PAGES],
        *[Output(f"nav-{key}", "active") for key, _, _ in PAGES],
        Input(LOCATION, "search"),
        Input(LOCATION, "pathname"),
        prevent_initial_call=True,
    )
    def carry_filters(search: str, pathname: str) -> list[Any]:
        hrefs, active = nav_links(search, pathname)
        return [*hrefs, *active]

    @app.callback(
        Output("filter-note", "children"),
        Input(LOCATION, "search"),
        prevent_initial_call=True,
    )
    def describe_filters(search: str) -> str:
        return filter_note(search)
