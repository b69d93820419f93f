"""The Word documents opened with python-docx: layout, styles, fonts, rows against the database."""

import io
import re
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy import func, select
from support import row_count

from inspect_app.documents.charts import bar_chart, chart_font_path
from inspect_app.documents.fonts import BODY_FONTS, TITLE_FONTS, best, document_fonts
from inspect_app.extensions import db
from inspect_app.models import (
    Department,
    Group,
    Problem,
    ProgressNote,
    Project,
    Suggestion,
    User,
)
from inspect_app.models.records import problem_co_department
from inspect_app.spreadsheets.wording import cn_date, yi_yuan

EVERYTHING = "assigned_from=2000-01-01&assigned_to=2099-12-31"
HOSTILE = ["=1+1", "@SUM(A1:A9)", "-2+3", "<script>alert(1)</script>", "+CMD|' /C calc'!A0"]


def get_document(client, url) -> Document:
    with client.get(url) as response:
        assert response.status_code == 200, url
        assert response.mimetype.endswith("wordprocessingml.document")
        return Document(io.BytesIO(response.data)), response.data


def east_asian_font(run) -> str:
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def all_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_dates_and_money_in_the_official_form():
    from datetime import date

    assert cn_date(date(2025, 7, 1)) == "2025年7月1日"
    assert cn_date(date(2025, 12, 21)) == "2025年12月21日"
    assert yi_yuan(12.5) == "12.5亿元" and yi_yuan(3) == "3亿元"


def test_title_font_is_the_best_installed():
    assert best(TITLE_FONTS, frozenset({"Noto Serif CJK SC", "宋体"})) == "Noto Serif CJK SC"
    assert best(TITLE_FONTS, frozenset({"方正小标宋简体", "宋体"})) == "方正小标宋简体"
    assert best(BODY_FONTS, frozenset()) == "仿宋_GB2312"  # Word substitutes on its own


def test_handover_letter_is_a_gongwen(app, client, login, demo):
    login("demo-staff")
    document, _data = get_document(
        client, f"/ledger/handover/{demo['housing']}.docx?{EVERYTHING}&number=12"
    )
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297  # A4
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    with app.app_context():
        fonts = document_fonts()
        latest = db.session.scalar(
            select(func.max(Problem.assigned_at)).where(
                Problem.lead_department_id == demo["housing"]
            )
        )
        year = latest.year  # dated the day of 交办
    number, title, addressee = paragraphs[0], paragraphs[1], paragraphs[2]
    assert re.fullmatch(f"莞人常办交〔{year}〕(1[2-9]|[2-9][0-9])号", number.text)  # 12 on
    assert title.text == "关于交办2025年重大项目集中视察\n发现问题的函"  # two balanced lines
    assert title.runs[0].font.size == Pt(22) and east_asian_font(title.runs[0]) == fonts.title
    assert addressee.text == "市住房和城乡建设局："  # 主送
    body = paragraphs[3]
    assert body.runs[0].font.size == Pt(16) and east_asian_font(body.runs[0]) == fonts.body
    assert "前将办理情况书面答复我办" in body.text
    assert document.styles["Normal"].font.size == Pt(16)
    texts = [p.text for p in paragraphs]
    assert "东莞市人大常委会办公室" in texts  # 落款
    assert "联系人：联络科，联系电话：0769-22830000。" in texts
    numbered = [t for t in texts if t[:2] in {f"{n}." for n in range(1, 10)}]
    with app.app_context():
        projects = set(db.session.scalars(select(Project.name)))
    for item in numbered:  # each project named once: 1. 瑞丰…工厂规划调整…（2025-04-004，主办）
        assert not any(f"{name}：{name}" in item for name in projects), item
        assert re.search(r"（\d{4}-\d{2}-\d{3}，(主办|协办)）$", item), item
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号", "项目名称", "问题描述", "办理时限", "办理情况"
    ]  # fmt: skip
    with app.app_context():
        co = select(problem_co_department.c.problem_id).where(
            problem_co_department.c.department_id == demo["housing"]
        )
        expected = db.session.scalars(
            select(Problem.description).where(
                Problem.assigned_at.is_not(None),
                (Problem.lead_department_id == demo["housing"]) | Problem.id.in_(co),
            )
        ).all()
    rows = table.rows[1:]
    assert len(rows) == len(expected) == len(numbered)
    assert all(row.cells[4].text == "" for row in rows)  # the department writes its answer here
    assert sorted(r.cells[2].text.rsplit("（", 1)[0] for r in rows) == sorted(expected)


def test_weekly_document_holds_the_week(client, login, demo):
    login("demo-secretary")
    url = f"/ledger/weekly.docx?group_id={demo['group']}&date_from=2025-06-30&date_to=2025-07-06"
    document, _data = get_document(client, url)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "东城街道视察组视察工作周报"
    assert "（2025年6月30日至7月6日）" in texts
    assert any(t.startswith("报送单位：东城街道视察组") and "报送日期：" in t for t in texts)
    summary = next(t for t in texts if t.startswith("本周（"))
    assert "东城街道视察组 4 名代表视察了 2 个项目" in summary and "本组累计" in summary
    for heading in ("一、本周开展情况", "二、发现的主要问题", "三、意见建议", "四、下周安排"):
        assert heading in texts
    figures = document.tables[0]
    assert [c.text for c in figures.rows[1].cells][:2] == ["本周", "2"]


def test_report_document_has_figures_tables_charts_and_main_problems(app, client, login):
    login("demo-staff")
    document, data = get_document(client, "/ledger/report.docx")
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于2025年重大项目集中视察情况的报告"
    headline = next(t for t in texts if "市人大常委会组织开展" in t)
    problems, suggestions = row_count(app, Problem), row_count(app, Suggestion)
    assert "“6+32”视察组" in headline and "亿元" in headline
    assert f"发现问题 {problems} 个" in headline
    assert any("办结率" in t and "满意率" in t and "按期答复率" in t for t in texts)
    groups, categories, departments = document.tables[:3]
    assert [c.text for c in groups.rows[0].cells][0] == "视察组"
    assert len(groups.rows) - 2 == row_count(app, Group)  # every group, and 合计
    total = [c.text for c in groups.rows[-1].cells]  # 合计: the campaign's own totals
    assert total[0] == "合计" and total[4:] == [str(problems), str(suggestions)]
    assert f"{total[1]} 名代表参加" in headline and f"开展视察 {total[3]} 次" in headline
    assert groups.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [c.text for c in categories.rows[0].cells][-3:] == ["办结率", "满意率", "按期答复率"]
    with app.app_context():
        assigned_departments = db.session.scalar(
            select(db.func.count(db.distinct(Problem.lead_department_id))).where(
                Problem.lead_department_id.is_not(None)
            )
        )
    assert len(departments.rows) - 1 == assigned_departments
    main = [t for t in texts if t[:1].isdigit() and "【" in t]
    assert len(main) == 20
    with app.app_context():
        projects = set(db.session.scalars(select(Project.name)))
    for line in main:  # 【类别】 then the project named once
        what = line.split("】", 1)[1]
        assert not any(what.startswith(f"{name}：{name}") for name in projects), line
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(images) == 3 and all(n.endswith(".png") for n in images)


def test_charts_are_drawn_without_a_browser():
    png = bar_chart(
        "问题类别分布", ["审批", "用地"], [("问题数", [3, 1])], " 个", chart_font_path()
    )
    assert png.startswith(b"\x89PNG")
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.width >= 1000


def test_hostile_text_stays_text_in_every_document(app, client, login, demo):
    with app.app_context():
        problems = db.session.scalars(select(Problem).order_by(Problem.id)).all()
        for index, problem in enumerate(problems):
            text = HOSTILE[index % len(HOSTILE)]
            problem.description = text
            problem.answer = text
            problem.satisfaction_comment = text
        for index, suggestion in enumerate(db.session.scalars(select(Suggestion))):
            suggestion.text = HOSTILE[index % len(HOSTILE)]
        for index, note in enumerate(db.session.scalars(select(ProgressNote))):
            note.text = HOSTILE[index % len(HOSTILE)]
        for index, project in enumerate(db.session.scalars(select(Project))):
            project.name = f"{HOSTILE[index % len(HOSTILE)]}项目{index}"
        housing = db.session.get(Department, demo["housing"])
        housing.name = "=HYPERLINK(1)局"
        db.session.get(User, demo["users"]["d001"]).name = "@张三"
        db.session.commit()
    login("demo-staff")
    urls = [
        f"/ledger/handover/{demo['housing']}.docx?{EVERYTHING}",
        "/ledger/report.docx",
        f"/ledger/weekly.docx?group_id={demo['group']}&date_from=2025-06-01&date_to=2025-07-31",
    ]
    for url in urls:
        document, data = get_document(client, url)
        text = all_text(document)
        shown = [hostile for hostile in HOSTILE if hostile in text]
        assert shown == HOSTILE or ("weekly" in url and len(shown) >= 3), (url, shown)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
        assert b"<w:fldSimple" not in xml and b"<w:instrText" not in xml  # no fields
        assert b"<script>" not in xml  # escaped as text
    document, _data = get_document(client, urls[0])
    assert "=HYPERLINK(1)局：" in all_text(document)
    for url in (
        f"/ledger/handover/{demo['housing']}.xlsx?{EVERYTHING}",
        f"/ledger/weekly.xlsx?group_id={demo['group']}&date_from=2025-06-01&date_to=2025-07-31",
        "/ledger/export.xlsx",
    ):
        with client.get(url) as response:
            assert response.status_code == 200
            with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
                sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
                assert not any(b"<f>" in archive.read(n) for n in sheets), url
                xml = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
                if url == "/ledger/export.xlsx":
                    assert b"=1+1" in xml and b"&lt;script&gt;alert(1)&lt;/script&gt;" in xml


def test_every_role_that_may_download_a_document_finds_its_link(app):
    """The viewer (领导) may download the 视察报告: the 问题台账 page links to it."""
    from support import csrf_token

    documents = ("/ledger/report.docx", "/ledger/handover/", "/ledger/weekly")
    for user, links in (
        ("demo-viewer", {"/ledger/report.docx"}),
        ("demo-staff", set(documents)),
        ("demo-secretary", {"/ledger/weekly"}),
        ("demo-department", {"/ledger/handover/"}),
    ):
        client = app.test_client()
        token = csrf_token(client, "/login")
        client.post("/login", data={"login": user, "password": "inspect-demo", "csrf_token": token})
        page = client.get("/problems/").get_data(as_text=True)
        assert {link for link in documents if f'href="{link}' in page} == links, user
        for link in links:
            with client.get(link) as response:
                assert response.status_code == 200, (user, link)
