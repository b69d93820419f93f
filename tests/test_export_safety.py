"""Exported names and file names cannot carry paths or name what the user may not see."""

import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Department, Group, Problem
from inspect_app.models.records import problem_co_department
from inspect_app.spreadsheets.handover import safe_file_name, unique_names


def test_safe_file_name_leaves_no_folders_or_reserved_characters():
    for hostile in ("../../etc/passwd", 'a<b>c:d"e|f?g*h', "C:\\x\\y", "tab\there\x00", ".."):
        name = safe_file_name(hostile)
        assert name and ".." not in name and not name.startswith(".")
        assert not set(name) & set('/\\<>:"|?*') and name.isprintable()
    assert safe_file_name("市住房和城乡建设局") == "市住房和城乡建设局"
    assert unique_names(["a/b", "a_b"]) == ["a_b", "a_b（2）"]


def test_handover_zip_entries_are_safe_names(app, client, login, demo):
    with app.app_context():
        db.session.get(Department, demo["housing"]).name = '../..\\市住建局<1>:"|?*\x07'
        db.session.commit()
    login("demo-staff")
    with client.get("/ledger/handover.zip?assigned_from=") as response:  # every 交办 day
        assert response.status_code == 200
        data = response.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert "交办单__._市住建局_1______.xlsx" in names
    assert "交办函__._市住建局_1______.docx" in names
    for name in names:
        assert "/" not in name and ".." not in name and name.isprintable()
        assert not set(name) & set('\\<>:"|?*')


def filter_line(client, url: str) -> str:
    with client.get(url) as response:
        assert response.status_code == 200
        return load_workbook(io.BytesIO(response.data))["问题台账"]["A2"].value


def test_filter_line_names_only_groups_in_scope(app, client, login, demo):
    with app.app_context():
        own = db.session.get(Group, demo["group"]).name
        other = db.session.get(Group, demo["other_group"]).name
    login("demo-secretary")
    assert f"视察组：{own}" in filter_line(client, f"/ledger/export.xlsx?group_id={demo['group']}")
    line = filter_line(client, f"/ledger/export.xlsx?group_id={demo['other_group']}")
    assert other not in line and "视察组：（不在可查看范围内）" in line


def test_filter_line_names_only_departments_in_scope(app, client, login, demo):
    with app.app_context():
        shared = select(problem_co_department.c.department_id)
        handling = {
            d
            for p in db.session.scalars(select(Problem))
            for d in [p.lead_department_id]
            if d is not None
        } | set(db.session.scalars(shared))
        stranger = db.session.scalar(
            select(Department).where(Department.id.not_in(handling | {demo["housing"]}))
        )
        name = stranger.name
        stranger_id = stranger.id
    login("demo-department")
    line = filter_line(client, f"/ledger/export.xlsx?department_id={stranger_id}")
    assert name not in line and "承办单位：（不在可查看范围内）" in line
    own = filter_line(client, f"/ledger/export.xlsx?department_id={demo['housing']}")
    assert "承办单位：市住房和城乡建设局" in own
