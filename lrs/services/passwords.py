"""Hashing and checking the secrets people and clients sign in with: xAPI credential
secrets and dashboard passwords alike.

bcrypt reads at most 72 bytes of a password (bcrypt 5 refuses longer ones), so a secret
of any length is first reduced to a fixed-size text: the base64 of its HMAC-SHA256 under
a fixed label (44 ASCII characters, no NUL byte). Stored hashes of this scheme carry the
``sha256+`` prefix; hashes written before it (plain ``$2b$``) still verify, and a secret
longer than 72 bytes simply does not match them.

Checks are bounded: at most ``CONCURRENT_CHECKS`` bcrypt checks run at once in a
process, so that a burst of failing sign-ins cannot take every thread of a worker.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading

import bcrypt

ROUNDS = 12
SCHEME = "sha256+"
_LABEL = b"lrs password pre-hash v1"
_BCRYPT_LIMIT = 72
CONCURRENT_CHECKS = 2
_checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)


def _encode(secret: str) -> bytes:
    # "surrogatepass": a lone surrogate in a secret is odd, but not a reason to fail.
    return secret.encode("utf-8", "surrogatepass")


def _prehash(secret: str) -> bytes:
    return base64.b64encode(hmac.new(_LABEL, _encode(secret), hashlib.sha256).digest())


def hash_secret(secret: str) -> str:
    """The text to store for ``secret`` (any length, any characters)."""
    return SCHEME + bcrypt.hashpw(_prehash(secret), bcrypt.gensalt(rounds=ROUNDS)).decode()


def verify(secret: str, stored: str) -> bool:
    """True when ``secret`` is the one ``stored`` was made from; never raises for any input."""
    if stored.startswith(SCHEME):
        candidate, hashed = _prehash(secret), stored[len(SCHEME) :]
    else:
        candidate, hashed = _encode(secret), stored
        if len(candidate) > _BCRYPT_LIMIT or b"\0" in candidate:
            return False  # such a secret could never have been stored in the old scheme
    with _checks:
        try:
            return bcrypt.checkpw(candidate, hashed.encode())
        except ValueError:  # a stored value that is not a bcrypt hash
            return False


def fingerprint(secret: str) -> bytes:
    """A fast digest of ``secret``, to recognise one already verified (never stored)."""
    return hashlib.sha256(_encode(secret)).digest()
