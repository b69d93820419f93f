"""Staff pages for reference data, and the problem edit page with assignment."""

from sqlalchemy import select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Department, Group, Problem, Project, User


def test_staff_edits_a_project_with_audit(app, client, login):
    login("demo-staff")
    with app.app_context():
        project = db.session.scalar(select(Project).order_by(Project.id))
        url = f"/admin/projects/{project.id}/edit"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "新名称项目",
            "town": "虎门镇",
            "investment": "12.5",
            "stage": "building",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        project = db.session.get(Project, project.id)
        assert project.name == "新名称项目" and float(project.investment) == 12.5
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "project"))
        assert event.after["name"] == "新名称项目"


def test_project_form_errors_in_chinese(client, login):
    login("demo-staff")
    token = csrf_token(client, "/admin/projects/new")
    page = client.post(
        "/admin/projects/new", data={"csrf_token": token, "name": "", "investment": "-3"}
    )
    text = page.get_data(as_text=True)
    assert "此项必填。" in text and "投资额不能为负数。" in text


def test_staff_adds_and_removes_group_member(app, client, login):
    login("demo-staff")
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.town == "虎门镇"))
        staff2 = db.session.scalar(select(User).where(User.username == "staff-2"))
        gid, uid = group.id, staff2.id
    url = f"/admin/groups/{gid}/edit"
    token = csrf_token(client, url)
    client.post(
        f"/admin/groups/{gid}/members", data={"csrf_token": token, "member-login": "staff-2"}
    )
    assert "何丽娟" in client.get(url).get_data(as_text=True)
    client.post(f"/admin/groups/{gid}/members/{uid}/remove", data={"csrf_token": token})
    assert "何丽娟" not in client.get(url).get_data(as_text=True)


def test_staff_assigns_lead_and_co_departments_with_deadline(app, client, login):
    """交办 is its own action (not a field of 修改): lead, co-department, deadline, note."""
    login("demo-staff")
    with app.app_context():
        problem = db.session.scalar(select(Problem).where(Problem.status == "reviewed"))
        lead = db.session.scalar(select(Department).where(Department.name == "市财政局"))
        co = db.session.scalar(select(Department).where(Department.name == "市国资委"))
        pid, lead_id, co_id = problem.id, lead.id, co.id
    url = f"/problems/{pid}/assign"
    token = csrf_token(client, url)
    data = {
        "csrf_token": token,
        "lead_id": str(lead_id),
        "co_id": [str(co_id), str(lead_id)],
        "preset": "custom",
        "deadline": "2099-01-31",
        "note": "请于时限内书面答复。",
        "do_assign": "1",
    }
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        problem = db.session.get(Problem, pid)
        assert problem.lead_department_id == lead_id
        assert [d.id for d in problem.co_departments] == [co_id]
        assert problem.status == "assigned" and str(problem.deadline) == "2099-01-31"
        assert problem.assign_note == "请于时限内书面答复。"
    assert "lead_department_id" not in client.get(f"/problems/{pid}/edit").get_data(as_text=True)
