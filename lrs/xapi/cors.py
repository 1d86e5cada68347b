"""CORS for browser-based learning content calling /xapi/ from another origin.

A listed origin is echoed with ``Access-Control-Allow-Credentials: true``. The wildcard
``*`` answers ``Access-Control-Allow-Origin: *`` and never allows credentials: any site
may then call the LRS with an ``Authorization`` header it sets itself, but no browser
sends cookies or stored HTTP credentials along.
"""

from __future__ import annotations

from flask import Flask, Response, request

from lrs.config import Settings

ALLOWED_HEADERS = (
    "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
    "Content-Length, Accept-Language"
)
EXPOSED_HEADERS = (
    "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
)


def init_cors(app: Flask, settings: Settings) -> None:
    origins = {origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()}

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if not request.path.startswith("/xapi") or origin is None:
            return response
        if origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        elif "*" in origins:
            response.headers["Access-Control-Allow-Origin"] = "*"
        else:
            return response
        response.headers["Access-Control-Allow-Methods"] = "GET, PUT, POST, DELETE, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
