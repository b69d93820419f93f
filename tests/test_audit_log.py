"""The operations log: filters, before/after in words, Excel export, staff only."""

import io

from openpyxl import load_workbook
from sqlalchemy import select
from support import csrf_token
from test_visits import post_form, visit_form

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Problem, Visit
from inspect_app.spreadsheets.audit_log import write_audit_log


def _change_category(client, app, problem_id):
    with app.app_context():
        problem = db.session.get(Problem, problem_id)
        description = problem.description
    token = csrf_token(client, f"/problems/{problem_id}/edit")
    response = client.post(
        f"/problems/{problem_id}/edit",
        data={
            "category": "land",
            "description": description,
            "csrf_token": token,
            "lead_department_id": "0",
        },
    )
    assert response.status_code == 302


def test_problem_change_is_shown_in_words(client, login, demo, app):
    login("demo-staff")
    problem_id = demo["unassigned_problem"]
    with app.app_context():
        problem = db.session.get(Problem, problem_id)
        code, before = problem.code, problem.category
    _change_category(client, app, problem_id)
    page = client.get(f"/admin/log/?record={code}").get_data(as_text=True)
    assert "问题类别" in page and "用地" in page
    assert before != "land"
    assert "&#34;category&#34;" not in page and '"category"' not in page  # no JSON
    show = client.get(f"/problems/{problem_id}").get_data(as_text=True)
    assert f"/admin/log/?entity=problem&amp;entity_id={problem_id}" in show
    linked = client.get(f"/admin/log/?entity=problem&entity_id={problem_id}")
    assert "用地" in linked.get_data(as_text=True)


def test_filters_by_person_action_and_dates(client, login, demo, app):
    login("demo-staff")
    _change_category(client, app, demo["unassigned_problem"])
    mine = client.get("/admin/log/?person=demo-staff&action=update").get_data(as_text=True)
    assert "问题类别" in mine
    nobody = client.get("/admin/log/?person=demo-deputy&action=update").get_data(as_text=True)
    assert "问题类别" not in nobody
    long_ago = client.get("/admin/log/?action=update&date_to=2000-01-01").get_data(as_text=True)
    assert "没有符合条件的操作。" in long_ago
    logins = client.get("/admin/log/?action=login").get_data(as_text=True)
    assert "登录" in logins and "问题类别" not in logins


def test_visit_entries_found_by_project_name(client, login, demo, app):
    login("demo-deputy")
    assert post_form(client, "/visits/new", visit_form(client)).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login("demo-staff")
    with app.app_context():
        visit = db.session.scalar(select(Visit).order_by(Visit.id.desc()))
        project = visit.project.name
    page = client.get(f"/admin/log/?record={project}").get_data(as_text=True)
    assert "视察记录" in page and "新建" in page and "视察日期" in page and "2025-07-20" in page
    other = client.get("/admin/log/?record=没有这个项目").get_data(as_text=True)
    assert "没有符合条件的操作。" in other


def test_visit_page_links_to_its_entries(client, login, demo):
    login("demo-staff")
    page = client.get(f"/visits/{demo['own_visit']}").get_data(as_text=True)
    assert f"entity=visit&amp;entity_id={demo['own_visit']}" in page
    login_page = client.get(f"/admin/log/?entity=visit&entity_id={demo['own_visit']}")
    assert login_page.status_code == 200


def test_others_see_no_log_link_and_get_404(client, login, demo):
    login("demo-secretary")
    page = client.get(f"/problems/{demo['own_problem']}").get_data(as_text=True)
    assert "/admin/log/" not in page
    assert client.get("/admin/log/").status_code == 404


def test_export_is_a_workbook_with_text_cells(client, login, demo, app):
    login("demo-staff")
    _change_category(client, app, demo["unassigned_problem"])
    response = client.get("/admin/log/export.xlsx?action=update")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[3]][:3] == ["时间", "操作人", "操作"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert any(row[5] == "问题类别" and row[7] == "用地" for row in values)


def test_writer_never_writes_a_formula():
    rows = [
        {
            "when": "2025-07-01 10:00",
            "actor": "=cmd()",
            "action": "修改",
            "record_kind": "问题",
            "record": "X",
            "changes": [("问题描述", "+1", "=HYPERLINK(1)")],
        }
    ]
    sheet = load_workbook(write_audit_log(rows, "操作日志", "")).active
    assert sheet["B4"].value == "=cmd()" and sheet["B4"].data_type == "s"
    assert sheet["H4"].data_type == "s"


def test_every_event_written_by_the_app_is_readable(client, login, app):
    """No event leaves a raw field name or JSON on the page."""
    login("demo-staff")
    with app.app_context():
        count = len(db.session.scalars(select(AuditEvent.id)).all())
    assert count > 0
    page = client.get("/admin/log/").get_data(as_text=True)
    assert "_id" not in page.split("<main")[1]
