"""Importing the project list and the deputy roster: whole file or nothing, every error named."""

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import GroupMember, Project, User


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# headers in another order, with an extra column, full-width brackets and stray spaces
PROJECTS = [
    ["备注", " 项目名称 ", "镇街", "总投资(亿元)", "项目阶段", "项目编号", "建设单位"],
    ["新项目", "松湖智谷新能源二期", "大朗镇", 35.5, "在建", "NEW-001", "某新能源公司"],
    ["", "滨海湾数据中心", "长安镇", "12", "签约", "NEW-002", "某数据公司"],
    ["", "水乡食品产业园", "麻涌镇", None, "", "", ""],
]


def upload(client, kind: str, data: bytes, filename="list.xlsx", campaign_id=1):
    token = csrf_token(client, "/imports/")
    payload = {
        "csrf_token": token,
        "kind": kind,
        "campaign_id": str(campaign_id),
        "file": (io.BytesIO(data), filename),
    }
    return client.post("/imports/", data=payload, content_type="multipart/form-data")


def project_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Project.id)))


def test_good_project_file_then_reimport_updates(app, client, login):
    login("demo-staff")
    before = project_count(app)
    page = upload(client, "projects", xlsx(PROJECTS)).get_data(as_text=True)
    assert "导入成功：新增 3 条，更新 0 条。" in page
    assert project_count(app) == before + 3
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.code == "NEW-001"))
        assert project.name == "松湖智谷新能源二期" and float(project.investment) == 35.5
        assert project.stage == "building" and project.town == "大朗镇"
    changed = [row[:] for row in PROJECTS]
    changed[1][3] = 40
    page = upload(client, "projects", xlsx(changed)).get_data(as_text=True)
    assert "导入成功：新增 0 条，更新 3 条。" in page
    assert project_count(app) == before + 3
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.code == "NEW-001"))
        assert float(project.investment) == 40


def test_five_bad_rows_are_all_reported_and_nothing_is_written(app, client, login):
    login("demo-staff")
    before = project_count(app)
    rows = [
        ["项目编号", "项目名称", "镇街", "总投资（亿元）", "项目阶段", "经度"],
        ["B-1", "好项目一", "虎门镇", 10, "在建", 113.6],
        ["B-2", "", "虎门镇", 10, "在建", None],  # row 3: no name
        ["B-3", "坏投资", "虎门镇", "很多", "在建", None],  # row 4: not a number
        ["B-4", "坏阶段", "虎门镇", 5, "快完工了", None],  # row 5: unknown stage
        ["B-1", "重复编号", "虎门镇", 5, "在建", None],  # row 6: duplicate code
        ["B-6", "负投资", "虎门镇", -3, "在建", "东经"],  # row 7: negative + bad longitude
        ["B-7", "好项目二", "虎门镇", 8, "投产", None],
    ]
    page = upload(client, "projects", xlsx(rows)).get_data(as_text=True)
    assert "文件有 6 处错误，没有导入任何数据" in page
    for expected in (
        "第 3 行「项目名称」：不能为空",
        "第 4 行「总投资（亿元）」：应为数字（单位：亿元），现为“很多”",
        "第 5 行「项目阶段」：应为 签约、拿地、开工、在建、投产 之一，现为“快完工了”",
        "第 6 行「项目编号」：与第 2 行重复",
        "第 7 行「总投资（亿元）」：应为不小于 0 的数字，现为“-3”",
        "第 7 行「经度」：应为数字，现为“东经”",
    ):
        assert expected in page, expected
    assert project_count(app) == before


def test_a_file_that_is_not_a_spreadsheet(app, client, login):
    login("demo-staff")
    before = project_count(app)
    page = upload(client, "projects", b"<html>not excel</html>", "list.xlsx").get_data(as_text=True)
    assert "这不是 Excel 文件（.xlsx）" in page
    page = upload(client, "projects", b"PK\x03\x04broken zip", "list.xlsx").get_data(as_text=True)
    assert "不是 Excel 文件" in page or "已损坏" in page
    page = upload(client, "projects", xlsx([["随便", "什么"], [1, 2]])).get_data(as_text=True)
    assert "没有找到表头" in page and "项目名称" in page
    assert project_count(app) == before


def test_deputy_roster_import_creates_accounts_and_memberships(app, client, login):
    login("demo-staff")
    rows = [
        ["姓名", "手机号", "视察组", "角色", "代表团", "工作单位", "初始密码"],
        ["周新", "139 0000 1111", "虎门镇视察组", "代表", "滨海湾代表团", "某公司", "first-pass-1"],
        ["钱进", 13900002222, "虎门镇视察组", "联络员", "", "虎门人大", ""],
    ]
    page = upload(client, "deputies", xlsx(rows)).get_data(as_text=True)
    assert "导入成功：新增 2 条，更新 0 条。" in page
    assert "13900002222" in page and "初始密码" in page  # the generated password is shown once
    with app.app_context():
        zhou = db.session.scalar(select(User).where(User.phone == "13900001111"))
        assert zhou.role == "deputy" and zhou.check_password("first-pass-1")
        qian = db.session.scalar(select(User).where(User.phone == "13900002222"))
        membership = db.session.scalar(select(GroupMember).where(GroupMember.user_id == qian.id))
        assert (
            qian.role == "deputy"
            and membership.is_secretary
            and membership.group.name == "虎门镇视察组"
        )
        users = db.session.scalar(select(func.count(User.id)))
    rows[1][5] = "新单位"
    page = upload(client, "deputies", xlsx(rows)).get_data(as_text=True)
    assert "导入成功：新增 0 条，更新 2 条。" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users
        assert (
            db.session.scalar(select(User.employer).where(User.phone == "13900001111")) == "新单位"
        )


def test_roster_errors_name_row_and_column(app, client, login):
    login("demo-staff")
    rows = [
        ["姓名", "手机号", "视察组"],
        ["甲", "12345", "虎门镇视察组"],
        ["乙", "13900003333", "不存在的组"],
        ["", "13900003333", "虎门镇视察组"],
    ]
    page = upload(client, "deputies", xlsx(rows)).get_data(as_text=True)
    assert "第 2 行「手机号」：手机号应为 1 开头的 11 位数字，现为“12345”" in page
    assert "第 3 行「视察组」" in page and "现为“不存在的组”" in page
    assert "第 4 行「姓名」：不能为空" in page and "第 4 行「手机号」：与第 3 行重复" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "13900003333")) is None


def test_templates_have_the_headers(client, login):
    login("demo-staff")
    with client.get("/imports/template/projects.xlsx") as response:
        book = load_workbook(io.BytesIO(response.data))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[:2] == ["项目编号", "项目名称"] and "总投资（亿元）" in headers
    assert book.sheetnames == ["重大项目清单", "填写说明"]
    with client.get("/imports/template/deputies.xlsx") as response:
        book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["姓名", "手机号", "视察组"]
    notes = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row)
    assert "东城街道视察组" in notes


def test_a_filled_template_imports(app, client, login):
    login("demo-staff")
    with client.get("/imports/template/projects.xlsx") as response:
        book = load_workbook(io.BytesIO(response.data))
    book.worksheets[0].append(["T-1", "模板填写的项目", "石龙镇"])
    out = io.BytesIO()
    book.save(out)
    assert "新增 1 条" in upload(client, "projects", out.getvalue()).get_data(as_text=True)


def test_only_staff_may_import(client, login):
    login("demo-secretary")
    assert client.get("/imports/").status_code == 404
    assert client.get("/imports/template/projects.xlsx").status_code == 404


def test_command_line_import(runner, tmp_path, app):
    path = tmp_path / "projects.xlsx"
    path.write_bytes(xlsx(PROJECTS))
    result = runner.invoke(args=["import", "projects", str(path)])
    assert result.exit_code == 0 and "3 created" in result.output
    result = runner.invoke(args=["import", "projects", str(path)])
    assert result.exit_code == 0 and "3 updated" in result.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    result = runner.invoke(args=["import", "projects", str(bad)])
    assert result.exit_code != 0 and "不是 Excel 文件" in result.output
