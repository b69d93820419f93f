"""Response hardening: security headers on every response, Secure cookies over HTTPS, ProxyFix."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    """Add the headers, mark cookies Secure on HTTPS requests, trust PROXY_COUNT proxies."""
    app.wsgi_app = SecureCookies(app.wsgi_app)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        return response


class SecureCookies:
    """WSGI middleware: every cookie set on an HTTPS request (session, remember-me) is Secure.

    It sits inside ProxyFix, so behind a configured proxy X-Forwarded-Proto decides.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start_secure(status, headers, exc_info=None):
            headers = [
                (name, secure_cookie(value) if name.lower() == "set-cookie" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_secure)


def secure_cookie(cookie: str) -> str:
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in flags else f"{cookie}; Secure"
