"""Logins and sessions: throttling, equal timing, sessions that logout and password change end."""

import os
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import csrf_token

from inspect_app.auth import services as auth_services
from inspect_app.config import from_environment
from inspect_app.extensions import db
from inspect_app.models import LoginThrottle, User, utcnow


def _login(client, login, password, remember=False):
    data = {"login": login, "password": password, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def test_account_is_locked_after_five_failures_with_a_chinese_message(client):
    for _ in range(4):
        assert _login(client, "demo-deputy", "wrong-pass-1").status_code == 200
    fifth = _login(client, "demo-deputy", "wrong-pass-1")
    assert fifth.status_code == 200  # the fifth failure is still only "wrong"
    locked = _login(client, "demo-deputy", "inspect-demo")  # even the right password
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429
    assert "登录失败次数过多" in page and "分钟后" in page and "再试" in page


def test_lock_is_per_account_not_for_others(client):
    for _ in range(5):
        _login(client, "demo-deputy", "wrong-pass-1")
    assert _login(client, "demo-staff", "inspect-demo").status_code == 302


def test_unknown_logins_are_throttled_like_real_ones(client):
    for _ in range(5):
        assert _login(client, "13000000000", "wrong-pass-1").status_code == 200
    assert _login(client, "13000000000", "wrong-pass-1").status_code == 429


def test_address_is_locked_after_many_failures_across_accounts(app):
    app.config["LOGIN_ADDRESS_FAILURES"] = 6
    client = app.test_client()
    for n in range(6):
        _login(client, f"1300000000{n}", "wrong-pass-1")
    assert _login(client, "demo-staff", "inspect-demo").status_code == 429
    other = app.test_client()
    token = csrf_token(other, "/login")
    response = other.post(
        "/login",
        data={"login": "demo-staff", "password": "inspect-demo", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_lock_expires(client, app):
    for _ in range(5):
        _login(client, "demo-deputy", "wrong-pass-1")
    with app.app_context():
        for row in db.session.scalars(select(LoginThrottle)):
            row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _login(client, "demo-deputy", "inspect-demo").status_code == 302


def test_unknown_login_costs_a_password_hash(app, monkeypatch):
    """An unknown name is checked against a dummy hash, as a wrong password is."""
    checked = []
    real = auth_services.check_password_hash
    monkeypatch.setattr(
        auth_services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    with app.test_request_context():
        # a password set by the app itself (the demo's carry a cheap hash in tests)
        auth_services.find_user("demo-deputy").set_password("inspect-demo")
        db.session.commit()
        assert auth_services.authenticate("nobody-here", "whatever-1").user is None
        assert auth_services.authenticate("demo-deputy", "whatever-1").user is None
    assert len(checked) == 2 and checked[0].split("$")[0] == checked[1].split("$")[0]


def test_logout_ends_every_session_and_the_remember_cookie(app):
    phone, laptop = app.test_client(), app.test_client()
    assert _login(phone, "demo-deputy", "inspect-demo", remember=True).status_code == 302
    remember = phone.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    assert _login(laptop, "demo-deputy", "inspect-demo").status_code == 302
    laptop.post("/logout", data={"csrf_token": csrf_token(laptop, "/account")})
    assert phone.get("/visits/").status_code == 302  # the other session is over
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/visits/").status_code == 302  # the old remember-me cookie too


def test_password_change_ends_other_sessions_but_not_this_one(app):
    phone, laptop = app.test_client(), app.test_client()
    _login(phone, "demo-deputy", "inspect-demo", remember=True)
    remember = phone.get_cookie("remember_token").value
    _login(laptop, "demo-deputy", "inspect-demo")
    token = csrf_token(laptop, "/account")
    changed = laptop.post(
        "/account",
        data={
            "current": "inspect-demo",
            "new": "changed-pass-9",
            "confirm": "changed-pass-9",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302
    assert laptop.get("/visits/").status_code == 200
    assert phone.get("/visits/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/visits/").status_code == 302


def test_remember_me_is_off_by_default_and_lasts_at_most_30_days(client, app, make_app):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="remember"' in page and "checked" not in page.split('name="remember"')[1][:40]
    _login(client, "demo-deputy", "inspect-demo")
    assert client.get_cookie("remember_token") is None
    long = make_app(beside=app, REMEMBER_COOKIE_DURATION=timedelta(days=365))
    assert long.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_cookies_are_secure_when_served_over_https(app, make_app):
    secure = make_app(beside=app, SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    token = csrf_token(client, "https://localhost/login")
    client.post(
        "https://localhost/login",
        data={
            "login": "demo-deputy",
            "password": "inspect-demo",
            "remember": "y",
            "csrf_token": token,
        },
        headers={"Referer": "https://localhost/login"},  # CSRF checks it over HTTPS
    )
    session, remember = client.get_cookie("session"), client.get_cookie("remember_token")
    assert session.secure and session.http_only and session.same_site == "Lax"
    assert remember.secure and remember.same_site == "Lax"


def test_environment_settings_are_parsed_to_their_types(monkeypatch):
    monkeypatch.setenv("INSPECT_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("INSPECT_LOGIN_ACCOUNT_FAILURES", "3")
    monkeypatch.setenv("INSPECT_OFFICE_REMINDER_DAYS", "10,3")
    monkeypatch.setenv("INSPECT_REMEMBER_COOKIE_DURATION", "7")
    monkeypatch.setenv("INSPECT_SMS_PASSWORD", "0123")
    values = from_environment()
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["LOGIN_ACCOUNT_FAILURES"] == 3
    assert values["OFFICE_REMINDER_DAYS"] == (10, 3)
    assert values["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)
    assert values["SMS_PASSWORD"] == "0123"
    monkeypatch.setenv("INSPECT_SESSION_COOKIE_SECURE", "maybe")
    with pytest.raises(ValueError, match="true or false"):
        from_environment()


def test_one_password_rule_everywhere(runner, client, login, app):
    result = runner.invoke(args=["create-user", "li", "--name", "李", "--password", "onlyletters"])
    assert result.exit_code != 0 and "密码要同时包含字母和数字。" in result.output
    login("demo-deputy")
    token = csrf_token(client, "/account")
    page = client.post(
        "/account",
        data={
            "current": "inspect-demo",
            "new": "12345678",
            "confirm": "12345678",
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "密码要同时包含字母和数字。" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "demo-deputy"))
        assert user.check_password("inspect-demo")


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free port (installed by .ci/run)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.02)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    server.terminate()
    server.wait()


def test_counters_live_in_redis_when_configured(app, redis_url, make_app):
    import redis

    app.config["REDIS_URL"] = redis_url
    client = app.test_client()
    for _ in range(5):
        _login(client, "demo-deputy", "wrong-pass-1")
    assert _login(client, "demo-deputy", "inspect-demo").status_code == 429
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle)) is None  # nothing in the database
    keys = redis.Redis.from_url(redis_url).keys("inspect:lock:*")
    assert keys
    other_server = make_app(beside=app)  # a second app server shares the lock
    assert _login(other_server.test_client(), "demo-deputy", "inspect-demo").status_code == 429


def test_old_counters_are_forgotten(client, app):
    _login(client, "13000000001", "wrong-pass-1")
    with app.app_context():
        for row in db.session.scalars(select(LoginThrottle)):
            row.window_started_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    _login(client, "13000000002", "wrong-pass-1")
    with app.app_context():
        keys = set(db.session.scalars(select(LoginThrottle.key)))
    assert "login:13000000001" not in keys and "login:13000000002" in keys
