"""The service worker (served from the root so it controls the whole app) and the manifest."""

from flask import Blueprint, current_app, jsonify, send_from_directory, url_for
from flask_babel import gettext as _

from inspect_app.offline.assets import SHELL_FILES, shell_version

bp = Blueprint("offline", __name__)
# Pages the phone keeps for offline use (besides the static shell and the reference lists).
SHELL_PAGES = ("/", "/visits/new")


@bp.get("/sw.js")
def service_worker():
    """static/js/sw.js, stamped with the shell version so a deployment installs a new worker."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    file = response.response
    response.direct_passthrough = False
    script = b"".join(file)
    file.close()
    stamp = f"\n// shell {shell_version(current_app)}\n".encode()
    response.set_data(script + stamp)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/sw-config.json")
def service_worker_config():
    """What the service worker caches; versioned URLs change when a file changes."""
    assets = [url_for("static", filename=name) for name in SHELL_FILES]
    assets.append(url_for("offline.manifest"))
    body = {
        "version": shell_version(current_app),
        "assets": assets,
        "pages": list(SHELL_PAGES),
        "data": [url_for("api.reference")],
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icon = "static"
    body = {
        "name": _("人大代表视察"),
        "short_name": _("视察"),
        "lang": "zh-CN",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {
                "src": url_for(icon, filename="icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": url_for(icon, filename="icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": url_for(icon, filename="icons/icon-512-maskable.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": url_for(icon, filename="icons/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            },
        ],
    }
    response = jsonify(body)
    response.headers["Content-Type"] = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response
