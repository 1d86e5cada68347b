"""Signed statements: XAPI-00115, XAPI-00116, XAPI-00117 (Data 2.6)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import OctKey, RSAKey

from statements import StatementError, verify_signature
from tests.factories import make_statement

SIG = "http://adlnet.gov/expapi/attachments/signature"


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _signed(
    key: Any,
    alg: str = "RS256",
    header: dict[str, Any] | None = None,
    payload: Any = None,
    **kw: Any,
) -> tuple[dict[str, Any], bytes]:
    statement = make_statement(**kw)
    body = json.dumps(statement if payload is None else payload).encode()
    token = jws.serialize_compact(
        {"alg": alg, **(header or {})}, body, key, algorithms=[alg]
    ).encode()
    statement["attachments"] = [
        {
            "usageType": SIG,
            "display": {"en-US": "Signed by the test"},
            "contentType": "application/octet-stream",
            "length": len(token),
            "sha2": hashlib.sha256(token).hexdigest(),
        }
    ]
    return statement, token


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_rs_algorithms_are_accepted(private_key: rsa.RSAPrivateKey, alg: str) -> None:
    """XAPI-00117: RS256, RS384 and RS512 are accepted."""
    statement, token = _signed(RSAKey.import_key(private_key), alg)
    verify_signature(statement, token)


def test_x5c_certificate_is_checked(private_key: rsa.RSAPrivateKey) -> None:
    """Data 2.6: with an x5c header the signature must verify against that certificate."""
    key = RSAKey.import_key(private_key)
    statement, token = _signed(key, header={"x5c": [_certificate(private_key)]})
    verify_signature(statement, token)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    statement, token = _signed(key, header={"x5c": [_certificate(other)]})
    with pytest.raises(StatementError, match="x5c"):
        verify_signature(statement, token)


def test_other_algorithm_is_rejected() -> None:
    """XAPI-00117: HS256 is not allowed."""
    statement, token = _signed(OctKey.import_key(b"k" * 32), "HS256")
    with pytest.raises(StatementError, match="RS256") as info:
        verify_signature(statement, token)
    assert info.value.path == "attachments[0]"


def test_payload_must_be_json_and_match(private_key: rsa.RSAPrivateKey) -> None:
    """XAPI-00116: the payload is the JSON statement as it was before signing."""
    key = RSAKey.import_key(private_key)
    statement = make_statement()
    broken = json.dumps(statement).replace('"', "'", 1)
    token = jws.serialize_compact({"alg": "RS256"}, broken, key).encode()
    signed, _ = _signed(key)
    with pytest.raises(StatementError, match="not valid JSON"):
        verify_signature(signed, token)
    other, token = _signed(key, payload=make_statement())
    with pytest.raises(StatementError, match="does not match"):
        verify_signature(other, token)


def test_malformed_signatures_are_rejected(private_key: rsa.RSAPrivateKey) -> None:
    """XAPI-00115: not a JWS, wrong contentType, or no signature attachment."""
    statement, token = _signed(RSAKey.import_key(private_key))
    with pytest.raises(StatementError, match="JWS"):
        verify_signature(statement, b"not a jws")
    wrong_type = {
        **statement,
        "attachments": [
            {**statement["attachments"][0], "contentType": "text/plain; charset=ascii"}
        ],
    }
    with pytest.raises(StatementError) as info:
        verify_signature(wrong_type, token)
    assert info.value.path == "attachments[0].contentType"
    with pytest.raises(StatementError):
        verify_signature(make_statement(), token)


def test_duration_precision_beyond_hundredths_is_ignored(private_key: rsa.RSAPrivateKey) -> None:
    """xAPI 2.0 4.2.7: durations compare to 0.01 s."""
    key = RSAKey.import_key(private_key)
    payload = make_statement(result={"duration": "P1DT12H36M0.12S"})
    statement, token = _signed(key, payload=payload)
    statement = {
        **payload,
        "result": {"duration": "P1DT12H36M0.1237S"},
        "attachments": statement["attachments"],
    }
    verify_signature(statement, token)
