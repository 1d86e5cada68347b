"""One HTTP POST of a batch of statements to a rule's target: another xAPI LRS's
statements resource (Basic auth and the version header) or a webhook (HMAC-signed)."""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urljoin

from lrs.services.forwarding.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from lrs.services.sealing import SecretBox
from lrs.store import forwarding as store
from lrs.store.models import ForwardingRule

# Statuses that are worth another try: the target is down, overloaded or slow.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


class SendError(Exception):
    """A batch was not accepted; ``retry`` when a later attempt may succeed."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def send(
    rule: ForwardingRule, batch: Sequence[store.Claimed], timeout: float, box: SecretBox
) -> None:
    """POST ``batch`` as one JSON array to ``rule``'s target; ``SendError`` otherwise."""
    body = ("[" + ",".join(item.payload for item in batch) + "]").encode()
    headers = {"Content-Type": "application/json", "User-Agent": "lrs-forwarding/1"}
    url = rule.url
    if rule.kind == "xapi":
        url = urljoin(url if url.endswith("/") else url + "/", "statements")
        password = _open(box, rule.password, rule)
        token = base64.b64encode(f"{rule.username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        headers["X-Experience-API-Version"] = rule.xapi_version
    else:
        stamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = stamp
        headers[SIGNATURE_HEADER] = sign(_open(box, rule.secret, rule), stamp, body)
        headers["X-LRS-Rule"] = rule.name
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        retry = error.code >= 500 or error.code in RETRYABLE_STATUSES
        raise SendError(f"{url} answered {error.code} {error.reason}", retry=retry) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendError(f"{url} could not be reached: {reason}", retry=True) from None


def _open(box: SecretBox, sealed: str | None, rule: ForwardingRule) -> str:
    try:
        return box.open(sealed) or ""
    except Exception as error:  # no key, or none that opens it: fail until replayed
        raise SendError(
            f"the credentials of rule {rule.name!r} cannot be decrypted: {error}", retry=False
        ) from None
