"""A lean HTTP client for load: one keep-alive connection per thread, no extra layers."""

from __future__ import annotations

import base64
import http.client
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return orjson.loads(self.body)


class XapiHttp:
    def __init__(self, base_url: str, key: str, secret: str, version: str = "1.0.3") -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": version,
            "Connection": "keep-alive",
        }
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            connection = self._connection or http.client.HTTPConnection(
                self.host, self.port, timeout=120
            )
            self._connection = connection
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                return Reply(response.status, data, time.perf_counter() - started)
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
