"""IRIs (RFC 3987, XAPI-00011) are matched by one regular expression written from the
RFC's ABNF, in time linear in their length:

* over the Basic Multilingual Plane and without IP literals, it answers as the Earley
  parser of the grammar (rfc3987-syntax) does;
* IPv6 literal hosts are the addresses Python's ``ipaddress`` reads, and characters of the
  other planes are ``ucschar`` or ``iprivate`` (the parser refuses both, wrongly);
* a statement full of long IRIs outside ASCII, or a query parameter holding one, costs
  milliseconds, where the parser took half a millisecond per character.
"""

from __future__ import annotations

import ipaddress
import json
import time

from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from rfc3987_syntax import is_valid_syntax_iri

from statements import StatementError, validate
from statements.fields import is_iri
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_activity, make_statement
from tests.helpers import XapiClient

# The characters and pieces IRIs are made of, and ones they may not hold; no "[" (IP
# literals are checked against ipaddress below) and no character beyond U+FFFF.
_PIECES = st.sampled_from(
    [*"aZ09-._~!$&'()*+,;=:@/?#%", " ", '"', "<", "\\", "^", "`", "{", "|", "}", "\x7f",
     "\u00a0", "\u00e4", "\u2603", "\u200e", "\ud7ff", "\ue000", "\uf8ff", "\uf900", "\ufdd0",
     "\ufdef", "\ufffd", "\ufffe", "%41", "%4", "%zz", "//", "http://", "1.2.3.4", ":80"]
)  # fmt: skip
_TEXT = st.lists(_PIECES, max_size=16).map("".join)
_CANDIDATES = st.tuples(st.sampled_from(["http:", "urn:", "a+b.c-d:", "1a:", "", "x"]), _TEXT)


@settings(max_examples=400)
@given(_CANDIDATES)
def test_iris_are_what_the_rfc_grammar_parses(parts: tuple[str, str]) -> None:
    value = "".join(parts)
    assert is_iri(value) == bool(is_valid_syntax_iri(value)), value


_H16 = st.integers(0, 0xFFFF).map(lambda n: format(n, "x"))


@st.composite
def _ipv6_like(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(_H16, max_size=9))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(pieces)))
        pieces = [*pieces[:at], "", *pieces[at:]]
        pieces = [""] * (at == 0) + pieces + [""] * (at == len(pieces) - 1)
    text = ":".join(pieces)
    return text + draw(st.sampled_from(["", ":1.2.3.4", "1.2.3.4", ":256.0.0.1", "::"]))


@settings(max_examples=500)
@given(_ipv6_like())
def test_an_ipv6_host_is_an_address(text: str) -> None:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        valid = False
    else:
        valid = True
    assert is_iri(f"http://[{text}]/a") == valid, text


def test_characters_of_the_other_planes_are_ucschar_or_iprivate() -> None:
    assert is_iri("http://example.com/\U0001f600/\U000e1000")
    assert is_iri("urn:x?\U000f0000\U0010fffd")  # iprivate: in a query only
    assert not is_iri("urn:x#\U000f0000")
    assert not is_iri("urn:x/\U0001fffe")  # a plane's last two code points are not ucschar
    assert is_iri("http://[::1]/") and is_iri("http://[v7.a:b]/") and not is_iri("http://[::1/")


def test_long_iris_outside_ascii_cost_time_linear_in_their_length() -> None:
    category = [{"id": f"http://example.com/{n}/" + "\u00e4" * 4000} for n in range(100)]
    statement = make_statement(context={"contextActivities": {"category": category}})
    bad = [{"id": f"http://example.com/{n} " + "\u00e4" * 4000} for n in range(100)]
    started = time.process_time()
    validate(statement, "1.0.3")
    try:
        validate(make_statement(context={"contextActivities": {"category": bad}}), "1.0.3")
    except StatementError as error:
        assert "category" in error.path
    else:
        raise AssertionError("accepted an IRI holding a space")
    for length in (10_000, 100_000):
        assert is_iri("http://x.com/" + "\u00e4" * length)
        assert not is_iri("http://" + "a:" * length + "x")
    # The grammar's parser took about 200 s of CPU for the statements alone.
    assert time.process_time() - started < 5


def test_a_long_iri_in_a_query_is_answered_at_once(client: FlaskClient) -> None:
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "1.0.3")
    iri = "http://example.com/" + "\u00e4" * 2000
    stored = xapi.post("statements", json=make_statement(object=make_activity(iri)))
    assert stored.status_code == 200, stored.get_data(as_text=True)
    started = time.process_time()
    for name in ("verb", "activity"):
        response = xapi.get("statements", query_string={name: iri})
        assert response.status_code == 200, response.get_data(as_text=True)
    answer = xapi.get("statements", query_string={"activity": iri}).get_json()
    assert [s["object"]["id"] for s in answer["statements"]] == [iri]
    assert json.dumps(answer)
    assert time.process_time() - started < 5
