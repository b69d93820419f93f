"""The 用户 page: create, edit, reset, forced change at first login, deactivate, unlock."""

import re

from sqlalchemy import select
from support import csrf_token

from inspect_app.access import secretary_group_ids
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, GroupMember, User

PASSWORD = re.compile(r'<code class="password">([^<]+)</code>')


def _post(client, url, data=None, page=None):
    token = csrf_token(client, page or url)
    return client.post(url, data={**(data or {}), "csrf_token": token})


def _login(client, login, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/notices/")})


def _user(app, **where) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(**where))
        db.session.expunge_all()
        return user


def test_search_by_name_phone_role_group_and_department(client, login, demo, app):
    login("demo-staff")
    deputy = _user(app, username="demo-deputy")
    by_name = client.get(f"/admin/users/?q={deputy.name}").get_data(as_text=True)
    assert deputy.name in by_name
    assert _user(app, username="demo-secretary").name not in by_name
    by_phone = client.get(f"/admin/users/?q={deputy.phone}").get_data(as_text=True)
    assert deputy.name in by_phone
    secretaries = client.get("/admin/users/?role=secretary").get_data(as_text=True)
    assert _user(app, username="demo-secretary").name in secretaries
    assert deputy.name not in secretaries
    group = client.get(f"/admin/users/?group_id={demo['group']}").get_data(as_text=True)
    assert deputy.name in group
    other = client.get(f"/admin/users/?group_id={demo['other_group']}").get_data(as_text=True)
    assert deputy.name not in other
    dept = client.get(f"/admin/users/?department_id={demo['housing']}").get_data(as_text=True)
    assert _user(app, username="demo-department").name in dept and deputy.name not in dept


def test_create_shows_initial_password_once_and_forces_a_change(client, login, demo, app):
    login("demo-staff")
    response = _post(
        client,
        "/admin/users/new",
        {
            "name": "林晓",
            "phone": "13912345678",
            "role": "deputy",
            "department_id": "0",
            "group_ids": [str(demo["group"])],
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = PASSWORD.search(response.get_data(as_text=True)).group(1)
    created = _user(app, phone="13912345678")
    assert created.must_change_password and created.username == "13912345678"
    edit_page = client.get(f"/admin/users/{created.id}").get_data(as_text=True)
    assert password not in edit_page  # shown once only
    _logout(client)

    assert _login(client, "13912345678", password).status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "请先修改初始密码" in page and "修改密码" in page
    assert client.get("/visits/").status_code == 302  # nothing else until changed
    token = csrf_token(client, "/account")
    weak = client.post(
        "/account",
        data={"current": password, "new": "abcdefgh", "confirm": "abcdefgh", "csrf_token": token},
    )
    assert "密码要同时包含字母和数字。" in weak.get_data(as_text=True)
    done = client.post(
        "/account",
        data={
            "current": password,
            "new": "lin-2025-ok",
            "confirm": "lin-2025-ok",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    assert client.get("/visits/").status_code == 200
    assert not _user(app, phone="13912345678").must_change_password


def test_create_refuses_a_taken_phone_and_keeps_the_input(client, login, app):
    login("demo-staff")
    phone = _user(app, username="demo-deputy").phone
    response = _post(
        client, "/admin/users/new", {"name": "重复的人", "phone": phone, "role": "deputy"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "这个手机号已被其他账户使用。" in page
    assert 'value="重复的人"' in page


def test_secretary_flag_lives_in_the_groups_ticked(client, login, demo, app):
    login("demo-staff")
    deputy = _user(app, username="demo-deputy")
    url = f"/admin/users/{deputy.id}"
    response = _post(
        client,
        url,
        {
            "name": deputy.name,
            "phone": deputy.phone,
            "username": deputy.username,
            "role": "deputy",
            "department_id": "0",
            "group_ids": [str(demo["group"])],
            "secretary_group_ids": [str(demo["group"])],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, deputy.id)
        membership = db.session.get(GroupMember, (demo["group"], deputy.id))
        assert membership.is_secretary and demo["group"] in secretary_group_ids(user)
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_id == user.id)
        )
        assert event.before["secretary_of"] == [] and event.after["secretary_of"] == [demo["group"]]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    _login(client, "demo-deputy", "inspect-demo")
    page = client.get(f"/visits/{demo['own_visit']}").get_data(as_text=True)
    assert "审核通过" in page  # he may review his group's records now
    assert client.get("/admin/users/?role=secretary").status_code == 404  # staff only


def test_deactivate_ends_a_live_session(app, demo):
    staff, deputy = app.test_client(), app.test_client()
    assert _login(deputy, "demo-deputy", "inspect-demo").status_code == 302
    assert deputy.get("/visits/").status_code == 200
    assert _login(staff, "demo-staff", "inspect-demo").status_code == 302
    user_id = demo["users"]["demo-deputy"]
    response = _post(staff, f"/admin/users/{user_id}/deactivate", page=f"/admin/users/{user_id}")
    assert response.status_code == 302
    assert "已停用" in staff.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert deputy.get("/visits/").status_code == 302  # the open session is over
    refused = _login(deputy, "demo-deputy", "inspect-demo")
    assert refused.status_code == 200 and "手机号/用户名或密码不正确。" in refused.get_data(
        as_text=True
    )
    _post(staff, f"/admin/users/{user_id}/activate", page=f"/admin/users/{user_id}")
    assert _login(deputy, "demo-deputy", "inspect-demo").status_code == 302


def test_reset_gives_a_one_time_password_and_ends_sessions(app, demo):
    staff, deputy = app.test_client(), app.test_client()
    _login(deputy, "demo-deputy", "inspect-demo")
    _login(staff, "demo-staff", "inspect-demo")
    user_id = demo["users"]["demo-deputy"]
    response = _post(staff, f"/admin/users/{user_id}/reset", page=f"/admin/users/{user_id}")
    password = PASSWORD.search(response.get_data(as_text=True)).group(1)
    assert deputy.get("/visits/").status_code == 302
    assert _login(deputy, "demo-deputy", "inspect-demo").status_code == 200
    assert _login(deputy, "demo-deputy", password).status_code == 302
    assert "请先修改初始密码" in deputy.get("/", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        actions = set(
            db.session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity == "user", AuditEvent.entity_id == user_id
                )
            )
        )
        assert "password_reset" in actions


def test_unlock_a_throttled_account(app, demo):
    staff, deputy = app.test_client(), app.test_client()
    for _ in range(5):
        _login(deputy, "demo-deputy", "wrong-pass-1")
    locked = _login(deputy, "demo-deputy", "inspect-demo")
    assert locked.status_code == 429
    _login(staff, "demo-staff", "inspect-demo")
    user_id = demo["users"]["demo-deputy"]
    page = staff.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "已被暂时锁定" in page
    response = _post(staff, f"/admin/users/{user_id}/unlock", page=f"/admin/users/{user_id}")
    assert response.status_code == 302
    assert _login(deputy, "demo-deputy", "inspect-demo").status_code == 302


def test_imported_deputy_changes_the_initial_password_at_first_login(app, client, login):
    from test_imports import upload, xlsx

    login("demo-staff")
    rows = [
        ["姓名", "手机号", "视察组", "代表团", "初始密码"],
        ["孙立", "13911112222", "虎门镇视察组", "", "sun-first-1"],
        ["吴弱", "13911113333", "虎门镇视察组", "", "12345678"],
    ]
    refused = upload(client, "deputies", xlsx(rows)).get_data(as_text=True)
    assert "第 3 行「初始密码」：密码要同时包含字母和数字。" in refused
    assert _user(app, phone="13911112222") is None  # nothing written
    del rows[2]
    assert "导入成功" in upload(client, "deputies", xlsx(rows)).get_data(as_text=True)
    _logout(client)
    assert _login(client, "13911112222", "sun-first-1").status_code == 302
    assert client.get("/problems/").status_code == 302
    assert "请先修改初始密码" in client.get("/account").get_data(as_text=True)
