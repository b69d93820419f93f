"""The 设置 page, and the groups and projects lists that answer the office's questions."""

import re

from sqlalchemy import func, select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Group, GroupMember, Problem, Project, Visit
from inspect_app.settings.office import office_settings

CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def row_cells(page: str, first: str) -> list[str]:
    """The texts of the cells of the table row whose first cell is `first`."""
    for row in page.split("<tr>")[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in CELL.findall(row)]
        if cells and cells[0] == first:
            return cells
    return []


GOOD = {
    "office_name": "东莞市人大常委会办公室（测试）",
    "handover_number_pattern": "莞人常交〔{year}〕{n}号",
    "contact_name": "李科长",
    "contact_phone": "0769-12345678",
    "assign_days": "20",
    "reopen_days": "10",
    "reminder_days": "10，3",
}


def test_defaults_come_from_the_config(app):
    with app.app_context():
        settings = office_settings()
    assert settings.office_name == app.config["OFFICE_NAME"]
    assert settings.reminder_days == (7, 1)


def test_saved_settings_are_read_back_and_logged(client, login, app):
    login("demo-staff")
    page = client.get("/admin/settings/").get_data(as_text=True)
    assert "莞人常办交〔{year}〕{n}号" in page
    token = csrf_token(client, "/admin/settings/")
    response = client.post("/admin/settings/", data={**GOOD, "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        settings = office_settings()
        assert settings.office_name == GOOD["office_name"]
        assert settings.assign_days == 20 and settings.reminder_days == (10, 3)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "setting"))
        assert event.before["assign_days"] == 30 and event.after["assign_days"] == 20
    log = client.get("/admin/log/?entity=setting").get_data(as_text=True)
    assert "交办默认时限（天）" in log and "20" in log


def test_bad_settings_are_refused_in_chinese_and_kept(client, login, app):
    login("demo-staff")
    token = csrf_token(client, "/admin/settings/")
    bad = {
        **GOOD,
        "handover_number_pattern": "无序号",
        "reminder_days": "七天",
        "csrf_token": token,
    }
    page = client.post("/admin/settings/", data=bad).get_data(as_text=True)
    assert "文号格式里要有 {n}（序号）。" in page and "请填天数" in page
    assert "李科长" in page
    with app.app_context():
        assert office_settings().contact_name == app.config["OFFICE_CONTACT_NAME"]


def test_groups_list_shows_members_secretaries_visits_and_problems(client, login, demo, app):
    login("demo-staff")
    with app.app_context():
        group = db.session.get(Group, demo["group"])
        members = db.session.scalar(select(func.count()).where(GroupMember.group_id == group.id))
        visits = db.session.scalar(select(func.count()).where(Visit.group_id == group.id))
        problems = db.session.scalar(select(func.count()).where(Problem.group_id == group.id))
        secretary = group.secretaries[0].name
        name = group.name
    page = client.get(f"/admin/groups/?q={name}").get_data(as_text=True)
    cells = row_cells(page, name)
    assert cells[4:8] == [str(members), secretary, str(visits), str(problems)]


def test_projects_list_says_which_were_not_visited(client, login, app):
    login("demo-staff")
    with app.app_context():
        db.session.add(Project(name="松山湖未视察测试项目", town="大朗镇"))
        db.session.commit()
        visited = set(db.session.scalars(select(Visit.project_id)))
        names = {p.id: p.name for p in db.session.scalars(select(Project))}
    page = client.get("/admin/projects/?visited=no").get_data(as_text=True)
    assert row_cells(page, "松山湖未视察测试项目")[4:7] == ["未视察", "0", "0"]
    assert visited and not any(row_cells(page, names[i]) for i in visited)
    everything = client.get("/admin/projects/").get_data(as_text=True)
    assert "未视察" in everything and "视察组数" in everything


def test_import_pages_sit_beside_their_lists(client, login):
    login("demo-staff")
    projects = client.get("/admin/projects/").get_data(as_text=True)
    assert "/imports/?kind=projects" in projects
    page = client.get("/imports/?kind=deputies").get_data(as_text=True)
    assert 'value="deputies" selected' in page or 'selected value="deputies"' in page
    assert "/admin/users/" in page  # the 管理 tabs
