"""Passwords and secrets the LRS sends elsewhere, encrypted at rest.

A forwarding rule's ``password`` and ``secret`` and a pulled source's ``password`` are
needed in clear to call the other server, so they are encrypted, not hashed: with Fernet
(AES-128-CBC and HMAC-SHA256, from ``cryptography``) under the keys of
LRS_FORWARDING_KEY. The first key encrypts; every key decrypts, so that keys can be
rotated: put a new key first, run ``lrs forwarding rotate-key`` to encrypt every stored
value (rules and sources) under it, then drop the old one.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from lrs.errors import BadRequest


class SecretBox:
    """Seals and opens stored passwords and secrets with the keys of LRS_FORWARDING_KEY
    (comma separated, newest first); without keys nothing can be sealed or opened."""

    def __init__(self, keys: str) -> None:
        parts = [key.strip() for key in keys.split(",") if key.strip()]
        try:
            fernets = [Fernet(key) for key in parts]
        except ValueError:
            raise ValueError(
                "LRS_FORWARDING_KEY must hold Fernet keys (32 url-safe base64-encoded bytes), "
                "comma separated; make one with `lrs forwarding generate-key`"
            ) from None
        self._fernet = MultiFernet(fernets) if fernets else None

    @property
    def has_keys(self) -> bool:
        return self._fernet is not None

    def seal(self, clear: str | None, name: str = "secret") -> str | None:
        """``clear`` encrypted under the first key; ``None`` stays ``None``."""
        if clear is None:
            return None
        return self._keys(name).encrypt(clear.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        """The clear text of ``sealed``; ``ValueError`` when no key opens it."""
        if sealed is None:
            return None
        try:
            return self._keys().decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError("no key of LRS_FORWARDING_KEY decrypts this value") from None

    def reseal(self, sealed: str) -> str:
        """``sealed`` encrypted again under the first key (key rotation)."""
        try:
            return self._keys().rotate(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError("no key of LRS_FORWARDING_KEY decrypts this value") from None

    def _keys(self, name: str = "secret") -> MultiFernet:
        if self._fernet is None:
            raise BadRequest(
                "passwords and secrets of forwarding rules and sources are stored encrypted: "
                "set LRS_FORWARDING_KEY (make a key with `lrs forwarding generate-key`)",
                name,
            )
        return self._fernet


def generate_key() -> str:
    """A new random key for LRS_FORWARDING_KEY."""
    return Fernet.generate_key().decode()
