"""The pull views as JSON for an intranet or a chat bot: a person's learning and sharing
(``/api/people/me``), who knows about a topic (``/api/experts``) and what to read after
a course (``/api/courses/next``). Each runs entries of the read side's registry under
the dashboards' filters (see ``docs/pull.md``); a bad parameter is a 400 naming it. A
credential reads everything; the dashboards' session cookie reads within the signed-in
user's role (``lrs.http.access``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.auth import current_principal, session_readable
from lrs.errors import BadRequest
from lrs.http.access import api_scoped
from lrs.http.context import database
from lrs.http.params import reject_unknown
from lrs.services import aggregates

ME = {"summary": "person_summary", "courses": "person_courses",
      "contributions": "my_contributions", "audience": "my_audience",
      "timeline": "my_timeline", "after_my_courses": "after_my_courses"}  # fmt: skip
"""The parts of a person's page and the registry entry of each."""


@bp.get("/people/me")
@session_readable
def me() -> Response:
    from lrs.insight import filters, registry

    reject_unknown(request.args, filters.PARAMETERS)
    chosen = api_scoped(filters.Filters.parse(request.args))
    # A reader scoped to one person is that person, whatever the URL names.
    person = chosen.scope.person or chosen.person
    if person is None:
        raise BadRequest("name the person (person=KEY): this reader is linked to none", "person")
    chosen = chosen.replace(person=person)
    views = {part: registry.get(name).bind(chosen, {}) for part, name in ME.items()}
    found = aggregates.compute_all(database(), current_principal(), views)
    summary = found.pop("summary")
    return jsonify({"person": person, "filters": chosen.described(),
                    "summary": summary[0] if summary else None, **found})  # fmt: skip


@bp.get("/experts")
@session_readable
def experts() -> Response:
    from lrs.insight import filters, registry

    reject_unknown(request.args, (*filters.PARAMETERS, "topic", "limit"))
    chosen = api_scoped(filters.Filters.parse(request.args))
    values = registry.EXPERTS.parse(request.args)
    found = aggregates.compute_all(database(), current_principal(), {
        "experts": registry.EXPERTS.bind(chosen, values),
        "evidence": registry.EXPERT_EVIDENCE.bind(chosen, values)})  # fmt: skip
    evidence: dict[str, list[dict[str, Any]]] = {}
    for row in found["evidence"]:
        evidence.setdefault(row["actor_key"], []).append(row)
    people = [{**row, "evidence": evidence.get(row["actor_key"], [])} for row in found["experts"]]
    return jsonify({"topic": values["topic"], "filters": chosen.described(), "people": people})


@bp.get("/courses/next")
@session_readable
def course_next() -> Response:
    from lrs.insight import filters, registry

    reject_unknown(request.args, (*filters.PARAMETERS, "course", "limit"))
    chosen = api_scoped(filters.Filters.parse(request.args))
    values = registry.READ_NEXT.parse(request.args)
    found = aggregates.compute_all(database(), current_principal(), {
        "read_next": registry.READ_NEXT.bind(chosen, values),
        "writers": registry.COURSE_WRITERS.bind(chosen, {"course": values["course"]})})  # fmt: skip
    return jsonify({"course": values["course"], "filters": chosen.described(), **found})
