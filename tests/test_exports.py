"""Every exported workbook read back: titles, headers, types, filters, print settings, images."""

import io
import os
import shutil
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Department, Problem
from inspect_app.models.records import problem_co_department

LEDGER_HEADERS = [
    "序号", "编号", "视察组", "镇街", "项目名称", "视察日期", "问题类别", "问题描述", "意见建议",
    "提出代表", "主办单位", "协办单位", "办理时限", "办理状态", "办理情况", "满意度", "照片",
]  # fmt: skip
HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2-3",
    "@SUM(A1)",
    "\t制表符开头",
    "\r回车开头",
    "_x0041_ 看起来像转义",
]


def download(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response, load_workbook(io.BytesIO(response.data))


def data_rows(sheet):
    return [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] is not None]


def test_ledger_workbook_is_printable_and_typed(client, login):
    login("demo-staff")
    response, book = download(client, "/ledger/export.xlsx")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6" in response.headers["Content-Disposition"]
    assert book.sheetnames == ["问题台账", "意见建议", "视察记录", "统计"]
    sheet = book["问题台账"]
    assert sheet["A1"].value == "2025年重大项目集中视察问题台账"
    assert "A1:Q1" in [str(r) for r in sheet.merged_cells.ranges]
    assert sheet["A2"].value.startswith("筛选条件：全部") and "导出时间" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == LEDGER_HEADERS
    assert sheet.freeze_panes == "A4"
    rows = data_rows(sheet)
    assert len(rows) == 56
    assert sheet.auto_filter.ref == f"A3:Q{3 + 56}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$3:$3"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    first = sheet[4]
    assert isinstance(first[0].value, int) and isinstance(first[5].value, datetime)
    assert first[5].number_format == "yyyy-mm-dd"
    assert first[7].font.name == "宋体" and first[7].alignment.wrap_text
    deadlines = [r[12] for r in rows if r[12] is not None]
    assert deadlines and all(isinstance(d, datetime) for d in deadlines)
    assert any("（超期）" in r[13] for r in rows)


def test_ledger_embeds_thumbnails_with_links_or_leaves_them_out(client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx")
    sheet = book["问题台账"]
    assert len(sheet._images) >= 6
    linked = [c for c in sheet["Q"] if c.hyperlink is not None]
    assert linked and linked[0].hyperlink.target.startswith("http://localhost/photos/")
    assert linked[0].value.startswith("查看照片")
    _response, light = download(client, "/ledger/export.xlsx?images=0")
    assert light["问题台账"]._images == []
    assert [c for c in light["问题台账"]["Q"] if c.hyperlink is not None]


def test_statistics_sheet_counts_the_exported_problems(client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx")
    values = [row for row in book["统计"].iter_rows(values_only=True) if row[0] is not None]
    assert ("问题总数", 56) in [(r[0], r[1]) for r in values]
    headings = [r[0] for r in values]
    for heading in ("按视察组", "按镇街", "按问题类别", "按承办单位", "按办理状态"):
        assert heading in headings
    by_status = dict((r[0], r[1]) for r in values[headings.index("按办理状态") + 2 :])
    assert by_status["已办结"] == 14


def test_filters_decide_the_rows(app, client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx?status=closed")
    rows = data_rows(book["问题台账"])
    assert len(rows) == 14 and {r[13] for r in rows} == {"已办结"}
    assert "办理状态：已办结" in book["问题台账"]["A2"].value
    with app.app_context():
        dept = db.session.scalar(select(Department).where(Department.name == "市财政局"))
    _response, book = download(client, f"/ledger/export.xlsx?department_id={dept.id}")
    rows = data_rows(book["问题台账"])
    assert rows and all("市财政局" in (r[10] or "") + (r[11] or "") for r in rows)


def test_hostile_text_is_text_never_a_formula(app, client, login):
    with app.app_context():
        problems = db.session.scalars(
            select(Problem).order_by(Problem.id).limit(len(HOSTILE))
        ).all()
        for problem, text in zip(problems, HOSTILE, strict=True):
            problem.description = text
        db.session.commit()
    login("demo-staff")
    response, book = download(client, "/ledger/export.xlsx")
    # what Excel and LibreOffice show: the cell text after OOXML's _xHHHH_ unescaping
    rows = book["问题台账"].iter_rows(min_row=4)
    cells = {
        unescape(c.value) if isinstance(c.value, str) else c.value: c for row in rows for c in row
    }
    for text in HOSTILE:
        assert text in cells, text
        assert cells[text].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)


def test_secretary_export_holds_only_their_group(client, login, demo, app):
    login("demo-secretary")
    _response, book = download(client, "/ledger/export.xlsx")
    groups = {r[2] for r in data_rows(book["问题台账"])}
    assert groups == {"东城街道视察组"}
    assert {r[1] for r in data_rows(book["视察记录"])} == {"东城街道视察组"}
    assert {r[2] for r in data_rows(book["意见建议"])} == {"东城街道视察组"}


def test_department_export_holds_only_its_problems(client, login, demo, app):
    with app.app_context():
        co = select(problem_co_department.c.problem_id).where(
            problem_co_department.c.department_id == demo["housing"]
        )
        expected = db.session.scalar(
            select(func.count(Problem.id)).where(
                (Problem.lead_department_id == demo["housing"]) | Problem.id.in_(co)
            )
        )
    login("demo-department")
    _response, book = download(client, "/ledger/export.xlsx")
    rows = data_rows(book["问题台账"])
    assert len(rows) == expected
    assert all("市住房和城乡建设局" in (r[10] or "") + (r[11] or "") for r in rows)
    assert data_rows(book["视察记录"]) == []


def test_deputy_cannot_export(client, login):
    login("demo-deputy")
    assert client.get("/ledger/export.xlsx").status_code == 404
    assert client.get("/ledger/handover.zip").status_code == 404
    assert client.get("/ledger/weekly").status_code == 404


def test_handover_per_department_and_zip(app, client, login, demo):
    login("demo-staff")
    _response, book = download(client, f"/ledger/handover/{demo['housing']}.xlsx")
    sheet = book["交办清单"]
    assert sheet["A1"].value == "2025年重大项目集中视察问题交办清单（市住房和城乡建设局）"
    assert sheet["J3"].value == "承办方式" and sheet["N3"].value == "办理时限"
    rows = data_rows(sheet)
    assert rows and {r[9] for r in rows} <= {"主办", "协办"}
    assert all("市住房和城乡建设局" in (r[10] or "") + (r[11] or "") for r in rows)
    with client.get("/ledger/handover.zip") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        data = response.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "交办清单_市住房和城乡建设局.xlsx" in names
        for name in names:
            part = load_workbook(io.BytesIO(archive.read(name)))
            department = name.removeprefix("交办清单_").removesuffix(".xlsx")
            assert all(
                department in (r[10] or "") + (r[11] or "") for r in data_rows(part["交办清单"])
            )


def test_department_gets_only_its_own_handover(client, login, demo, app):
    with app.app_context():
        other = db.session.scalar(select(Department.id).where(Department.id != demo["housing"]))
    login("demo-department")
    page = client.get("/ledger/handover/").get_data(as_text=True)
    assert "市住房和城乡建设局" in page and f"/ledger/handover/{other}.xlsx" not in page
    with client.get(f"/ledger/handover/{demo['housing']}.xlsx") as response:
        assert response.status_code == 200
    assert client.get(f"/ledger/handover/{other}.xlsx").status_code == 404
    assert client.get("/ledger/handover.zip").status_code == 404


def test_weekly_workbook_for_a_group(client, login, demo, app):
    login("demo-secretary")
    url = f"/ledger/weekly.xlsx?group_id={demo['group']}&date_from=2025-07-01&date_to=2025-07-31"
    response, book = download(client, url)
    assert book.sheetnames == ["汇总", "视察记录", "问题", "意见建议"]
    assert book["汇总"]["A1"].value == "东城街道视察组视察周报（2025年07月01日至2025年07月31日）"
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True) if r[0]}
    assert summary["视察次数"] == 3 and summary["发现问题"] == 3
    assert len(data_rows(book["视察记录"])) == 3
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    # another group's weekly answers 404 for this secretary
    other = client.get(f"/ledger/weekly.xlsx?group_id={demo['other_group']}")
    assert other.status_code == 404


def test_weekly_defaults_to_this_week(client, login, demo):
    login("demo-secretary")
    page = client.get("/ledger/weekly").get_data(as_text=True)
    assert 'name="date_from"' in page
    _response, book = download(client, f"/ledger/weekly.xlsx?group_id={demo['group']}")
    assert "周报" in book["汇总"]["A1"].value and data_rows(book["视察记录"]) == []


def test_command_line_exports(runner, tmp_path, demo):
    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["export-ledger", "--out", str(out), "--no-images"])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book["问题台账"]["A1"].value == "2025年重大项目集中视察问题台账"
    assert len(data_rows(book["问题台账"])) == 56 and book["问题台账"]._images == []
    folder = tmp_path / "handover"
    result = runner.invoke(args=["export-handover", "--out", str(folder)])
    assert result.exit_code == 0 and (folder / "交办清单_市住房和城乡建设局.xlsx").exists()
    weekly = tmp_path / "weekly.xlsx"
    args = [
        "export-weekly",
        "--group",
        str(demo["group"]),
        "--from",
        "2025-07-01",
        "--to",
        "2025-07-31",
    ]
    result = runner.invoke(args=[*args, "--out", str(weekly)])
    assert result.exit_code == 0 and len(data_rows(load_workbook(weekly)["视察记录"])) == 3
    assert runner.invoke(args=["export-weekly"]).exit_code != 0


def _soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing: .ci/run must install libreoffice-calc")
        pytest.skip("no LibreOffice (apt-get install libreoffice-calc poppler-utils)")
    return found


def test_libreoffice_converts_the_ledger_to_pdf(runner, tmp_path):
    soffice = _soffice()
    out = tmp_path / "ledger.xlsx"
    assert runner.invoke(args=["export-ledger", "--out", str(out)]).exit_code == 0
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "ledger.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "2025年重大项目集中视察问题台账" in text.stdout
    assert "第 1 页" in text.stdout
