"""Settings parsed from the environment, security headers, cookies and the proxy setting."""

import pytest

from inspect_app import create_app
from inspect_app.config import from_environment


def test_environment_settings_take_the_type_of_their_default():
    values = from_environment(
        {
            "INSPECT_SESSION_COOKIE_SECURE": "false",
            "INSPECT_WTF_CSRF_ENABLED": "no",
            "INSPECT_PHOTO_MAX_BYTES": "10_000_000",
            "INSPECT_PROXY_COUNT": "2",
            "INSPECT_OFFICE_REMINDER_DAYS": "10, 3, 1",
            "INSPECT_LANGUAGES": "en",
            "INSPECT_OFFICE_NAME": "某市人大常委会办公室",
            "DATABASE_URL": "postgres://inspect:pw@db/inspect",
        }
    )
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["PHOTO_MAX_BYTES"] == 10_000_000
    assert values["PROXY_COUNT"] == 2
    assert values["OFFICE_REMINDER_DAYS"] == (10, 3, 1)
    assert values["LANGUAGES"] == ("en",)
    assert values["OFFICE_NAME"] == "某市人大常委会办公室"
    assert values["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://inspect:pw@db/inspect"
    assert from_environment({"INSPECT_SESSION_COOKIE_SECURE": "TRUE"})["SESSION_COOKIE_SECURE"]


def test_a_setting_that_is_not_a_boolean_is_refused():
    with pytest.raises(ValueError, match="INSPECT_SESSION_COOKIE_SECURE"):
        from_environment({"INSPECT_SESSION_COOKIE_SECURE": "ja"})


def test_create_app_reads_typed_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("INSPECT_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("INSPECT_PAGE_SIZE", "50")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["PAGE_SIZE"] == 50


@pytest.mark.parametrize("url", ["/login", "/healthz", "/static/css/app.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    response.close()


def test_photos_carry_the_security_headers(client, login, app):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Photo

    with app.app_context():
        photo_id = db.session.scalar(select(Photo.id).order_by(Photo.id))
    login("demo-staff")
    for url in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        response.close()


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def test_cookies_are_httponly_lax_and_not_secure_over_http(client, login):
    client.get("/login")
    response = client.get("/login?lang=en")
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_cookies_are_secure_over_https(client):
    response = client.get("/login?lang=en", base_url="https://inspect.example")
    cookie = _session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_behind_a_configured_proxy_the_forwarded_scheme_and_address_count(make_app):
    from flask import request

    seen = {}
    app = make_app(PROXY_COUNT=1)

    @app.get("/_seen")
    def _seen():
        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    response = app.test_client().get("/login?lang=en", headers=headers)
    assert "Secure" in _session_cookie(response)
    app.test_client().get("/_seen", headers=headers)
    assert seen == {"addr": "203.0.113.9", "secure": True}


def test_without_a_proxy_setting_forwarded_headers_are_ignored(app):
    response = app.test_client().get(
        "/login?lang=en", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}
    )
    assert "Secure" not in _session_cookie(response)
