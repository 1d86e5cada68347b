"""The administrators' page of dashboard users, ``/dashboards/users``: list them with
their roles and live sessions, create one, change a role (teams, person), end a user's
sessions, remove a user.

A plain HTML page with forms, behind the dashboards' login guard; every change is a
``POST`` carrying the session's CSRF token, and only an admin may read or change
anything (anyone else gets 403). Thin: the rules live in ``lrs.services.users``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, request
from flask import render_template_string as render
from werkzeug.wrappers import Response

from lrs.errors import LRSError
from lrs.http.context import database
from lrs.http.errors import error_response
from lrs.services import users
from lrs.web.login import csrf_ok, csrf_token

PATH = "/dashboards/users"

bp = Blueprint("user_admin", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Users · Learning dashboards</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#212529}
table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #dee2e6;
padding:.35rem .6rem;text-align:left;vertical-align:top;font-size:.92rem}
form{display:inline-block;margin:0 .3rem .3rem 0}input,select{font-size:.9rem;padding:.2rem}
fieldset{border:1px solid #dee2e6;padding:.8rem;margin:1rem 0;max-width:46rem}
.message{padding:.5rem .8rem;border-radius:.3rem;background:#e7f1ff}
.error{background:#fde8ea;color:#b00020}
</style></head><body>
<p><a href="/dashboards/">← Dashboards</a></p>
<h1>Users</h1>
<p>An <b>admin</b> sees everything and manages users; a <b>manager</b> sees the statements of
their teams; a <b>member</b> sees only their own (a person's id or key, one of its identifiers,
or an e-mail address). A change of role signs the user out everywhere.</p>
{% if message %}<p id="message" class="message {{ 'error' if failed else '' }}"
 role="status">{{ message }}</p>{% endif %}
<table id="users"><thead><tr><th>user</th><th>role</th><th>teams or person</th>
<th>sessions</th><th>change</th></tr></thead><tbody>
{% for user in listed %}
<tr id="user-{{ user.username }}"><td>{{ user.username }}</td><td>{{ user.role }}</td>
<td>{% if user.role == 'manager' %}{{ user.teams | join(', ') }}{% elif user.role == 'member' -%}
{{ user.person_name or user.person_key or 'a person no longer known' -}}
{{ ' (%s)' % user.person_identifier }}
{%- endif %}</td>
<td>{{ sessions.get(user.id, 0) }}</td>
<td><form method="post" action="{{ path }}/role">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="username" value="{{ user.username }}">
<select name="role" aria-label="role of {{ user.username }}">
{% for role in roles %}<option {{ 'selected' if role == user.role else '' }}>{{ role }}</option>
{% endfor %}</select>
<input name="teams" placeholder="teams, comma-separated" aria-label="teams of {{ user.username }}"
 value="{{ user.teams | join(', ') }}">
<input name="person" placeholder="person" aria-label="person of {{ user.username }}"
 value="{{ user.person_identifier or '' }}">
<button type="submit">Change role</button></form>
<form method="post" action="{{ path }}/end-sessions">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="username" value="{{ user.username }}">
<button type="submit">End sessions</button></form>
{% if user.username != me %}<form method="post" action="{{ path }}/delete">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="username" value="{{ user.username }}">
<button type="submit">Remove</button></form>{% endif %}</td></tr>
{% endfor %}</tbody></table>
<fieldset><legend>New user</legend>
<form id="create" method="post" action="{{ path }}/create">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input id="new-username" name="username" placeholder="username" required>
<input id="new-password" name="password" type="password" placeholder="password (8+)"
 autocomplete="new-password" required>
<select id="new-role" name="role">{% for role in roles %}<option>{{ role }}</option>{% endfor %}
</select>
<input id="new-teams" name="teams" placeholder="teams, comma-separated">
<input id="new-person" name="person" placeholder="person">
<button id="create-user" type="submit">Create</button></form></fieldset>
</body></html>"""


def _admin_only() -> Response | None:
    user = g.get("dashboard_user")
    if user is None or not user.is_admin:
        return error_response(403, "forbidden", "dashboard users are managed by admins only")
    return None


def _page(message: str | None = None, failed: bool = False, status: int = 200) -> Response:
    db = database()
    html = render(
        PAGE, path=PATH, csrf=csrf_token(), listed=users.listing(db),
        sessions=users.sessions_by_user(db), roles=users.ROLES, me=g.dashboard_user.username,
        message=message, failed=failed,
    )  # fmt: skip
    return Response(html, status=status, mimetype="text/html")


def _role() -> users.Role:
    teams = tuple(t for t in request.form.get("teams", "").split(",") if t.strip())
    person = request.form.get("person", "").strip() or None
    return users.Role(request.form.get("role", ""), teams=teams, person=person)


@bp.get(PATH)
def listing() -> Response:
    return _admin_only() or _page()


@bp.post(f'{PATH}/<any(create, role, "end-sessions", delete):action>')
def change(action: str) -> Response:
    refused = _admin_only()
    if refused is not None:
        return refused
    if not csrf_ok():
        return error_response(400, "bad_request", "missing or wrong CSRF token")
    username = request.form.get("username", "").strip()
    db = database()
    try:
        if action == "create":
            role = _role()
            users.create(db, username=username, password=request.form.get("password", ""),
                         role=role)  # fmt: skip
            done = f"Created {username} ({role.name})."
        elif action == "role":
            if username == g.dashboard_user.username and request.form.get("role") != "admin":
                return _page("You cannot take your own admin role.", failed=True, status=400)
            user = users.set_role(db, username=username, role=_role())
            done = f"{user.username} is now {user.role}; their sessions were ended."
        elif action == "end-sessions":
            ended = users.end_sessions(db, username)
            done = f"Ended {ended} session(s) of {username}."
        else:
            if username == g.dashboard_user.username:
                return _page("You cannot remove yourself.", failed=True, status=400)
            users.delete(db, username=username)
            done = f"Removed {username}."
    except LRSError as error:
        return _page(error.message, failed=True, status=error.status)
    return _page(done)


def init_user_admin(app: Flask) -> None:
    app.register_blueprint(bp)
