"""Statement forwarding: rules, the transactional outbox and its delivery worker.

- ``rules``: rule administration; passwords and secrets sealed at rest (``sealing``).
- ``outbox``: outbox rows written by ingest (``enqueue``) and the deliveries' admin.
- ``delivery``: a round that claims due rows, sends them and records the outcome.
- ``sender``: the HTTP POST to another xAPI LRS or a webhook (``signing``: its HMAC).
- ``worker``: the daemon thread that runs delivery rounds in a server process.
"""

from __future__ import annotations

from lrs.services.forwarding.delivery import DeliveryReport, backoff, deliver_due
from lrs.services.forwarding.outbox import (
    describe_delivery,
    enqueue,
    get_delivery,
    list_deliveries,
    replay,
)
from lrs.services.forwarding.rules import (
    KINDS,
    SOURCE_KINDS,
    XAPI_VERSIONS,
    create_rule,
    describe_rule,
    get_rule,
    list_rules,
    remove_rule,
    rotate_key,
    update_rule,
)
from lrs.services.forwarding.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from lrs.services.forwarding.worker import Worker
from lrs.services.sealing import SecretBox, generate_key

__all__ = [
    "KINDS",
    "SIGNATURE_HEADER",
    "SOURCE_KINDS",
    "TIMESTAMP_HEADER",
    "XAPI_VERSIONS",
    "DeliveryReport",
    "SecretBox",
    "Worker",
    "backoff",
    "create_rule",
    "deliver_due",
    "describe_delivery",
    "describe_rule",
    "enqueue",
    "generate_key",
    "get_delivery",
    "get_rule",
    "list_deliveries",
    "list_rules",
    "remove_rule",
    "replay",
    "rotate_key",
    "sign",
    "update_rule",
]
