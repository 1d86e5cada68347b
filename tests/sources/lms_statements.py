"""Statements the way the systems people connect write them, built from their public
specifications and documentation: the Moodle xAPI logstore, Open edX event routing, the
cmi5 specification's samples, a video course per the xAPI Video Profile, and an
Activity Streams social site.

Each ``*_statements()`` returns a list of valid xAPI 1.0.3 statements in time order; the
expectations (formal, informal, other; the funnel per course) are in
``tests/test_vocabularies.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_TYPE = "http://adlnet.gov/expapi/activities/"
TINCAN = "http://id.tincanapi.com/verb/"
TINCAN_TYPE = "http://id.tincanapi.com/activitytype/"
AS = "http://activitystrea.ms/schema/1.0/"
ACROSSX = "https://w3id.org/xapi/acrossx/verbs/"
VIDEO = "https://w3id.org/xapi/video/verbs/"
VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"

MOODLE = "https://moodle.example.edu"
MOODLE_COURSE = MOODLE + "/course/view.php?id=7"
EDX = "https://courses.example.org"
EDX_COURSE = EDX + "/course/course-v1:ExampleX+Water101+2026"
CMI5_LMS = "https://lms.example.com/cmi5"
CMI5_COURSE = CMI5_LMS + "/Course/6397"
VIDEO_COURSE = "https://videos.example.net/courses/astronomy"
SOCIAL = "https://social.example.org"


def _moment(day: int, minute: int) -> str:
    return f"2026-03-{day:02d}T09:{minute:02d}:00Z"


def _activity(activity_id: str, kind: str | None = None, name: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    definition: dict[str, Any] = {}
    if kind:
        definition["type"] = kind
    if name:
        definition["name"] = {"en": name}
    if definition:
        activity["definition"] = definition
    return activity


def _statement(
    actor: dict[str, Any],
    verb: str,
    target: dict[str, Any],
    when: str,
    context: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{actor}|{verb}|{target['id']}|{when}")),
        "actor": actor,
        "verb": {"id": verb, "display": {"en": verb.rstrip("/").rsplit("/", 1)[-1]}},
        "object": target,
        "timestamp": when,
    }
    if context:
        statement["context"] = context
    if result:
        statement["result"] = result
    return statement


# -- Moodle: the xAPI logstore plugin ---------------------------------------------------
# The actor is a Moodle account; the context names the platform and language, the site
# (type lms) and the course (type lms/course) in grouping, and Moodle as source category.


def _moodle_actor(user: int) -> dict[str, Any]:
    return {"objectType": "Agent", "name": f"Learner {user}",
            "account": {"homePage": MOODLE, "name": str(user)}}  # fmt: skip


def _moodle_context(*within: dict[str, Any], in_course: bool = True) -> dict[str, Any]:
    grouping = [_activity(MOODLE, TINCAN_TYPE + "lms", "Example University")]
    if in_course:
        grouping.append(_activity(MOODLE_COURSE, TINCAN_TYPE + "lms/course", "Chemistry 1"))
    grouping += within
    return {
        "platform": "Moodle",
        "language": "en",
        "contextActivities": {
            "grouping": grouping,
            "category": [_activity("http://moodle.org", TINCAN_TYPE + "source", "Moodle")],
        },
    }


def moodle_statements() -> list[dict[str, Any]]:
    """Two learners in one course: enrolment, course and page views, a quiz attempt with
    answered questions, completion; a forum discussion, a reply, a chat message, a wiki
    edit and a comment; and a login."""
    course = _activity(MOODLE_COURSE, TINCAN_TYPE + "lms/course", "Chemistry 1")
    page = _activity(MOODLE + "/mod/page/view.php?id=21", TINCAN_TYPE + "lms/module", "Safety")
    quiz = _activity(MOODLE + "/mod/quiz/view.php?id=22", ADL_TYPE + "assessment", "Quiz 1")
    forum = _activity(MOODLE + "/mod/forum/view.php?id=23", TINCAN_TYPE + "forum", "Forum")
    discussion = _activity(MOODLE + "/mod/forum/discuss.php?d=5", TINCAN_TYPE + "discussion")
    reply = _activity(MOODLE + "/mod/forum/discuss.php?d=5#p9", TINCAN_TYPE + "forum-reply")
    chat = _activity(MOODLE + "/mod/chat/view.php?id=24#m3", TINCAN_TYPE + "chat-message")
    wiki = _activity(MOODLE + "/mod/wiki/view.php?pageid=4", TINCAN_TYPE + "wiki-page")
    comment = _activity(MOODLE + "/comment/2", AS + "comment")
    site = _activity(MOODLE, TINCAN_TYPE + "lms", "Example University")
    statements: list[dict[str, Any]] = []
    for user in (1, 2):
        who = _moodle_actor(user)
        statements += [
            _statement(who, ADL + "registered", course, _moment(2, user), _moodle_context()),
            _statement(who, TINCAN + "viewed", course, _moment(3, user), _moodle_context()),
            _statement(who, TINCAN + "viewed", page, _moment(3, 10 + user), _moodle_context()),
            _statement(who, ADL + "attempted", quiz, _moment(4, user), _moodle_context()),
        ]
        for question in (1, 2):
            statements.append(_statement(
                who, ADL + "answered",
                _activity(f"{MOODLE}/question/{question}", ADL_TYPE + "cmi.interaction"),
                _moment(4, 10 * question + user), _moodle_context(quiz),
                {"success": question == 1 or user == 1},
            ))  # fmt: skip
        statements.append(_statement(
            who, ADL + "completed", quiz, _moment(4, 40 + user), _moodle_context(),
            {"score": {"raw": 2 if user == 1 else 1, "min": 0, "max": 2}, "completion": True},
        ))  # fmt: skip
    first, second = _moodle_actor(1), _moodle_actor(2)
    statements += [
        _statement(first, ADL + "completed", course, _moment(5, 1), _moodle_context()),
        _statement(first, AS + "create", discussion, _moment(6, 1), _moodle_context(forum)),
        _statement(second, TINCAN + "replied", reply, _moment(6, 2), _moodle_context(forum)),
        _statement(second, TINCAN + "viewed", discussion, _moment(6, 3), _moodle_context(forum)),
        _statement(first, AS + "post", chat, _moment(6, 4), _moodle_context()),
        _statement(second, AS + "update", wiki, _moment(6, 5), _moodle_context()),
        _statement(first, ADL + "commented", comment, _moment(6, 6), _moodle_context()),
        _statement(first, "https://brindlewaye.com/xAPITerms/verbs/loggedin/", site,
                   _moment(6, 7), _moodle_context(in_course=False)),
    ]  # fmt: skip
    return statements


# -- Open edX: event-routing-backends ---------------------------------------------------
# The course is the parent context activity (type course); videos follow the xAPI Video
# Profile; forum events use acrossx and Open edX verbs on a discussion.


def _edx_actor(user: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": EDX, "name": user}}


def _edx_context(*, video: bool = False) -> dict[str, Any]:
    activities: dict[str, Any] = {
        "parent": [_activity(EDX_COURSE, ADL_TYPE + "course", "Water 101")]
    }
    if video:
        activities["category"] = [_activity("https://w3id.org/xapi/video", ADL_TYPE + "profile")]
    return {
        "contextActivities": activities,
        "extensions": {
            "https://w3id.org/xapi/openedx/extension/transformer-version": "event-routing-backends"
        },
    }


def openedx_statements() -> list[dict[str, Any]]:
    """Three learners: enrolment, navigation, a video watched, problems checked, a
    passing grade; a forum thread posted, edited, voted, reported, viewed; one unenrols."""
    course = _activity(EDX_COURSE, ADL_TYPE + "course", "Water 101")
    block = EDX + "/xblock/block-v1:ExampleX+Water101+2026+type@"
    sequence = _activity(block + "sequential+block@intro", ADL_TYPE + "module", "Intro")
    video = _activity(block + "video+block@rivers", VIDEO_TYPE, "Rivers")
    problem = _activity(block + "problem+block@q1", ADL_TYPE + "question", "Q1")
    thread = _activity(EDX + "/api/discussion/v1/threads/64a8", TINCAN_TYPE + "discussion")
    response = _activity(EDX + "/api/discussion/v1/comments/64b1", TINCAN_TYPE + "discussion")
    statements: list[dict[str, Any]] = []
    for index, user in enumerate(("u-ada", "u-bo", "u-cy")):
        who = _edx_actor(user)
        statements += [
            _statement(who, ADL + "registered", course, _moment(2, index)),
            _statement(who, "https://w3id.org/xapi/dod-isd/verbs/navigated", sequence,
                       _moment(3, index), _edx_context()),
            _statement(who, ADL + "initialized", video, _moment(3, 10 + index),
                       _edx_context(video=True)),
            _statement(who, VIDEO + "played", video, _moment(3, 20 + index),
                       _edx_context(video=True)),
            _statement(who, VIDEO + "paused", video, _moment(3, 30 + index),
                       _edx_context(video=True)),
        ]  # fmt: skip
        if index < 2:
            statements += [
                _statement(who, VIDEO + "seeked", video, _moment(3, 40 + index),
                           _edx_context(video=True)),
                _statement(who, ADL + "completed", video, _moment(3, 50 + index),
                           _edx_context(video=True)),
                _statement(who, ADL + "answered", problem, _moment(4, index), _edx_context(),
                           {"success": index == 0, "score": {"scaled": 1.0 - index}}),
            ]  # fmt: skip
    ada, bo, cy = (_edx_actor(user) for user in ("u-ada", "u-bo", "u-cy"))
    statements += [
        _statement(ada, ADL + "passed", course, _moment(5, 1), None, {"success": True}),
        _statement(ada, ACROSSX + "posted", thread, _moment(6, 1), _edx_context()),
        _statement(bo, ACROSSX + "posted", response, _moment(6, 2), _edx_context()),
        _statement(ada, ACROSSX + "edited", thread, _moment(6, 3), _edx_context()),
        _statement(cy, "https://w3id.org/xapi/openedx/verb/voted", thread, _moment(6, 4),
                   _edx_context()),
        _statement(bo, ACROSSX + "reported", response, _moment(6, 5), _edx_context()),
        _statement(cy, TINCAN + "viewed", thread, _moment(6, 6), _edx_context()),
        _statement(cy, TINCAN + "unregistered", course, _moment(7, 1)),
    ]  # fmt: skip
    return statements


# -- cmi5: the specification's sample sessions -------------------------------------------
# Every statement carries the registration; the AU's publisher id is the grouping; the
# LMS's launched and satisfied and the AU's cmi5 defined statements carry the cmi5
# category; only ``satisfied`` names the course (its object).


def _cmi5_actor(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name,
            "account": {"homePage": CMI5_LMS, "name": name.lower()}}  # fmt: skip


def _cmi5_context(registration: str, *categories: str) -> dict[str, Any]:
    activities: dict[str, Any] = {
        "grouping": [_activity("https://publisher.example.com/aus/EFE02C21")]
    }
    if categories:
        activities["category"] = [_activity(category) for category in categories]
    return {
        "registration": registration,
        "contextActivities": activities,
        "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": "1519"},
    }


def cmi5_statements() -> list[dict[str, Any]]:
    """Lisa passes the AU's test and satisfies the course; Tom completes the AU in two
    sessions (failed, then passed) and satisfies it; Kim launches and abandons."""
    au = _activity(CMI5_LMS + "/AU/10724", None, "Space Shuttle AU")
    course = _activity(CMI5_COURSE, "https://w3id.org/xapi/cmi5/activitytype/course",
                       "Space Shuttle")  # fmt: skip
    question = CMI5_LMS + "/AU/10724/quizzes/q_6A82/questions/"
    statements: list[dict[str, Any]] = []

    def session(who: dict[str, Any], registration: str, day: int, outcome: str) -> None:
        def at(minute: int) -> str:
            return _moment(day, minute)

        statements.extend([
            _statement(who, ADL + "launched", au, at(0), _cmi5_context(registration,
                                                                        CMI5_CATEGORY)),
            _statement(who, ADL + "initialized", au, at(1), _cmi5_context(registration,
                                                                           CMI5_CATEGORY)),
        ])  # fmt: skip
        if outcome == "abandoned":
            statements.append(_statement(
                who, "https://w3id.org/xapi/adl/verbs/abandoned", au, at(30),
                _cmi5_context(registration, CMI5_CATEGORY), {"duration": "PT29M"},
            ))  # fmt: skip
            return
        for number in (1, 2):
            statements.append(_statement(
                who, ADL + "answered", _activity(question + str(number),
                                                 ADL_TYPE + "cmi.interaction"),
                at(2 + number), _cmi5_context(registration),
                {"success": outcome == "passed", "response": "0_Freeform 1"},
            ))  # fmt: skip
        moveon = _cmi5_context(registration, CMI5_CATEGORY, MOVEON_CATEGORY)
        if outcome == "passed":
            statements.extend([
                _statement(who, ADL + "completed", au, at(10), moveon, {"completion": True}),
                _statement(who, ADL + "passed", au, at(11), moveon,
                           {"success": True, "score": {"scaled": 0.9}}),
            ])  # fmt: skip
        else:
            statements.append(_statement(who, ADL + "failed", au, at(11), moveon,
                                         {"success": False, "score": {"scaled": 0.4}}))  # fmt: skip
        statements.append(_statement(who, ADL + "terminated", au, at(12),
                                     _cmi5_context(registration, CMI5_CATEGORY),
                                     {"duration": "PT12M"}))  # fmt: skip
        if outcome == "passed":
            statements.append(_statement(who, SATISFIED, course, at(13),
                                         _cmi5_context(registration, CMI5_CATEGORY)))  # fmt: skip

    lisa, tom, kim = _cmi5_actor("Lisa"), _cmi5_actor("Tom"), _cmi5_actor("Kim")
    session(lisa, "676437af-c6b2-4619-9043-096de04ad996", 2, "passed")
    session(tom, "0b9c1f6e-2d4e-4b8a-9a31-5c0e8f2a7d11", 3, "failed")
    session(kim, "5f1d2c3b-8e7a-4c6d-b2f1-0a9e8d7c6b5a", 3, "abandoned")
    session(tom, "0b9c1f6e-2d4e-4b8a-9a31-5c0e8f2a7d11", 4, "passed")
    return statements


# -- a video course: the xAPI Video Profile, as a simulation of it writes ----------------
# The video's statements name the course as parent; the quiz questions name nothing but
# the registration, which the course's registered statement ties to the course.


def video_course_statements() -> list[dict[str, Any]]:
    """Three learners register, watch two videos (initialized, played, paused, seeked,
    interacted, completed, terminated) and answer quiz questions; one also watches a
    video outside any course."""
    course = _activity(VIDEO_COURSE, ADL_TYPE + "course", "Astronomy")
    videos = [_activity(f"{VIDEO_COURSE}/videos/{n}", VIDEO_TYPE, f"Lecture {n}") for n in (1, 2)]
    profile = [_activity("https://w3id.org/xapi/video", ADL_TYPE + "profile")]
    statements: list[dict[str, Any]] = []
    for index, name in enumerate(("ari", "bea", "cal")):
        who = {"objectType": "Agent", "mbox": f"mailto:{name}@example.net"}
        registration = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{VIDEO_COURSE}|{name}"))
        plain = {"registration": registration}
        watching = {"registration": registration,
                    "contextActivities": {"parent": [course], "category": profile}}  # fmt: skip
        statements.append(_statement(who, ADL + "registered", course, _moment(2, index), plain))
        for number, video in enumerate(videos[: 2 - (index == 2)]):
            verbs = [ADL + "initialized", VIDEO + "played", VIDEO + "paused",
                     VIDEO + "seeked", VIDEO + "played", ADL + "interacted",
                     ADL + "completed", ADL + "terminated"]  # fmt: skip
            for step, verb in enumerate(verbs):
                when = _moment(3 + number, 10 * index + step)
                statements.append(_statement(who, verb, video, when, watching))
        for number in (1, 2, 3):
            statements.append(_statement(
                who, ADL + "answered",
                _activity(f"{VIDEO_COURSE}/quiz/q{number}", ADL_TYPE + "cmi.interaction"),
                _moment(5, 10 * index + number), plain, {"success": number != 3 or index == 0},
            ))  # fmt: skip
        if index < 2:
            statements.append(_statement(who, ADL + "passed", course, _moment(6, index), plain,
                                         {"success": True, "score": {"scaled": 0.8}}))  # fmt: skip
    outside = _activity("https://videos.example.net/talks/comets", VIDEO_TYPE, "Comets")
    ari = {"objectType": "Agent", "mbox": "mailto:ari@example.net"}
    statements += [
        _statement(ari, VIDEO + "played", outside, _moment(7, 1),
                   {"contextActivities": {"category": profile}}),
        _statement(ari, VIDEO + "paused", outside, _moment(7, 2),
                   {"contextActivities": {"category": profile}}),
    ]  # fmt: skip
    return statements


# -- Activity Streams: a social site ----------------------------------------------------


def activity_stream_statements() -> list[dict[str, Any]]:
    """Posts, comments, likes, shares, follows, reads and bookmarks on a social site; one
    statement with a verb and type of no known vocabulary."""
    people = [{"objectType": "Agent", "mbox": f"mailto:{n}@social.example.org"}
              for n in ("dee", "eli", "fay")]  # fmt: skip
    post = _activity(SOCIAL + "/posts/1", AS + "article", "Notes on testing")
    note = _activity(SOCIAL + "/notes/2", AS + "note")
    comment = _activity(SOCIAL + "/comments/3", AS + "comment")
    person = _activity(SOCIAL + "/people/dee", AS + "person")
    bookmark = _activity(SOCIAL + "/bookmarks/4", AS + "bookmark")
    dee, eli, fay = people
    in_post = {"contextActivities": {"parent": [post]}}
    return [
        _statement(dee, AS + "post", post, _moment(2, 1)),
        _statement(eli, AS + "read", post, _moment(2, 2)),
        _statement(eli, AS + "comment", comment, _moment(2, 3), in_post),
        _statement(fay, AS + "like", post, _moment(2, 4)),
        _statement(fay, AS + "share", post, _moment(2, 5)),
        _statement(eli, AS + "follow", person, _moment(2, 6)),
        _statement(dee, AS + "post", note, _moment(2, 7)),
        _statement(fay, AS + "save", bookmark, _moment(2, 8)),
        _statement(dee, "http://example.org/verbs/poked",
                   _activity(SOCIAL + "/pokes/1", "http://example.org/types/poke"), _moment(2, 9)),
    ]  # fmt: skip


SOURCES = {
    "moodle": moodle_statements,
    "openedx": openedx_statements,
    "cmi5": cmi5_statements,
    "video": video_course_statements,
    "activity_streams": activity_stream_statements,
}
