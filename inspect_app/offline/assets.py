"""Versioned static URLs (?v=<content hash>) served with long-cache headers."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, request

LONG_CACHE = "public, max-age=31536000, immutable"
# What the service worker keeps so the capture pages open with no network.
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/offline.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)


@cache
def _file_version(static_folder: str, filename: str) -> str:
    path = Path(static_folder) / filename
    if not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def file_version(app: Flask, filename: str) -> str:
    if app.debug:
        _file_version.cache_clear()
    return _file_version(app.static_folder, filename)


def shell_version(app: Flask) -> str:
    """One hash over every shell file: a new deployment makes a new service-worker cache."""
    joined = "".join(file_version(app, name) for name in SHELL_FILES)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def register(app: Flask) -> None:
    @app.url_defaults
    def add_static_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def long_cache_for_versioned_files(response):
        if request.endpoint not in ("static", "offline.service_worker"):
            return response
        if response.status_code == 200 and response.direct_passthrough:
            # Small files: read them whole so compression never leaves a file open.
            file = response.response
            response.direct_passthrough = False
            data = b"".join(file)
            if hasattr(file, "close"):
                file.close()
            response.set_data(data)
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = LONG_CACHE
            response.headers.pop("Expires", None)
        return response
