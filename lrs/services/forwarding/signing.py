"""The signature of webhook deliveries, which receivers recompute to trust them."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-LRS-Signature"
TIMESTAMP_HEADER = "X-LRS-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body): what a webhook
    receiver recomputes (and compares in constant time) to trust a delivery."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
