"""Admin and assignment forms refuse bad input beside the field, never with a 500."""

from sqlalchemy import func, select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import Department, Group, Problem


def _error_beside(page: str, name: str) -> str:
    """The text of the field block holding the input `name`."""
    start = page.rindex('<div class="field', 0, page.index(f'name="{name}"'))
    return page[start : page.index("</div>", page.index(f'name="{name}"'))]


def test_blank_order_number_is_refused_beside_the_field(app, client, login):
    login("demo-staff")
    token = csrf_token(client, "/admin/departments/new")
    data = {"csrf_token": token, "name": "市新设局", "sort_order": ""}
    response = client.post("/admin/departments/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "请填写序号（数字）。" in _error_beside(page, "sort_order")
    assert 'value="市新设局"' in page
    with app.app_context():
        assert db.session.scalar(select(Department).where(Department.name == "市新设局")) is None


def test_duplicate_group_name_is_refused_beside_the_field(app, client, login, demo):
    login("demo-staff")
    with app.app_context():
        group = db.session.get(Group, demo["group"])
        campaign_id, name = group.campaign_id, group.name
        groups = db.session.scalar(select(func.count(Group.id)))
    token = csrf_token(client, "/admin/groups/new")
    data = {
        "csrf_token": token,
        "campaign_id": str(campaign_id),
        "name": name,
        "level": "town",
        "sort_order": "99",
    }
    response = client.post("/admin/groups/new", data=data)
    assert response.status_code == 200
    text = _error_beside(response.get_data(as_text=True), "name")
    assert "这个视察活动里已有同名的视察组。" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Group.id))) == groups


def test_unknown_member_keeps_what_was_typed(client, login, demo):
    login("demo-staff")
    url = f"/admin/groups/{demo['group']}/edit"
    token = csrf_token(client, url)
    data = {"csrf_token": token, "member-login": "13800009999"}
    response = client.post(f"/admin/groups/{demo['group']}/members", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "找不到这个用户。" in _error_beside(page, "member-login")
    assert 'value="13800009999"' in page


def test_nonexistent_department_is_refused_with_a_message(app, client, login):
    login("demo-staff")
    with app.app_context():
        problem = db.session.scalar(select(Problem).where(Problem.status == "reviewed"))
        pid, status = problem.id, problem.status
    url = f"/problems/{pid}/assign"
    data = {
        "csrf_token": csrf_token(client, url),
        "lead_id": "99999",
        "co_id": ["99998"],
        "preset": "30",
        "do_assign": "1",
    }
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "没有这个承办单位，请从列表中选择。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Problem, pid).status == status
