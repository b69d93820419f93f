"""Logging in by phone or user name, passwords, language."""

from sqlalchemy import select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import User


def _login(client, login, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


def test_login_by_user_name_and_by_phone(client, app):
    with app.app_context():
        phone = db.session.scalar(select(User.phone).where(User.username == "demo-deputy"))
    assert _login(client, "demo-deputy", "inspect-demo").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    response = _login(client, f" {phone} ", "inspect-demo")
    assert response.status_code == 302
    assert "陈建国" in client.get("/").get_data(as_text=True)


def test_wrong_password_says_so_in_chinese(client):
    response = _login(client, "demo-deputy", "wrong-password")
    assert response.status_code == 200
    assert "手机号/用户名或密码不正确。" in response.get_data(as_text=True)


def test_passwords_are_hashed(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "demo-staff"))
        assert "inspect-demo" not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_change_own_password(client, login):
    login("demo-deputy")
    token = csrf_token(client, "/account")
    bad = client.post(
        "/account",
        data={
            "current": "nope",
            "new": "new-secret-1",
            "confirm": "new-secret-1",
            "csrf_token": token,
        },
    )
    assert "当前密码不正确。" in bad.get_data(as_text=True)
    short = client.post(
        "/account",
        data={"current": "inspect-demo", "new": "short", "confirm": "short", "csrf_token": token},
    )
    assert "密码至少要 8 个字符。" in short.get_data(as_text=True)
    good = client.post(
        "/account",
        data={
            "current": "inspect-demo",
            "new": "new-secret-1",
            "confirm": "new-secret-1",
            "csrf_token": token,
        },
    )
    assert good.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert _login(client, "demo-deputy", "inspect-demo").status_code == 200
    assert _login(client, "demo-deputy", "new-secret-1").status_code == 302


def test_login_does_not_redirect_off_site(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"login": "demo-deputy", "password": "inspect-demo", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_form_needs_csrf(client):
    response = client.post("/login", data={"login": "demo-deputy", "password": "inspect-demo"})
    assert response.status_code == 400


def test_logout_needs_post(client, login):
    login("demo-deputy")
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/").status_code == 302


def test_everyone_sets_his_own_email_for_notices(client, login, app):
    login("demo-department")
    token = csrf_token(client, "/account")
    bad = client.post(
        "/account/email", data={"mail-email": "not-an-address", "mail-csrf_token": token}
    )
    assert bad.status_code == 302
    assert "邮箱格式不正确。" in client.get("/account").get_data(as_text=True)
    client.post("/account/email", data={"mail-email": "zjj@dg.gov.cn", "mail-csrf_token": token})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "demo-department"))
        assert user.email == "zjj@dg.gov.cn"
