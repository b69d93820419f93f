"""Every exported workbook read back: titles, headers, types, filters, print settings, images."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import func, select
from support import csrf_token, row_count

from inspect_app.exports.weekly import default_week
from inspect_app.extensions import db, queue
from inspect_app.models import AuditEvent, Department, Problem
from inspect_app.models.records import problem_co_department

LEDGER_HEADERS = [
    "序号", "编号", "视察组", "镇街", "项目名称", "视察日期", "问题类别", "问题描述", "意见建议",
    "提出代表", "主办单位", "协办单位", "交办日期", "办理时限", "答复日期", "办结日期", "办理状态",
    "是否超期", "超期天数", "照片", "办理情况", "代表评价",
]  # fmt: skip
COLUMN = {name: index for index, name in enumerate(LEDGER_HEADERS)}
HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2-3",
    "@SUM(A1)",
    "\t制表符开头",
    "\r回车开头",
    "_x0041_ 看起来像转义",
]


def finished_file(job_page: str) -> str:
    """Run the export job the form started (as the worker would); its download URL."""
    assert queue.run_pending() == 1
    return job_page.split("?")[0] + "/download"


def download(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response, load_workbook(io.BytesIO(response.data))


def data_rows(sheet):
    return [row for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]


def unwrapped(value):
    """A cell's text without the line breaks the printed sheets add (Chinese line-breaking)."""
    return value.replace("\n", "") if isinstance(value, str) else value


def test_ledger_workbook_is_printable_and_typed(app, client, login):
    login("demo-staff")
    response, book = download(client, "/ledger/export.xlsx")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6" in response.headers["Content-Disposition"]
    assert book.sheetnames == ["问题台账", "意见建议", "办理进展", "视察记录", "照片", "统计"]
    sheet = book["问题台账"]
    assert sheet["A1"].value == "2025年重大项目集中视察问题台账"
    assert sheet["A2"].value.startswith("筛选条件：全部") and "导出时间" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == LEDGER_HEADERS
    assert sheet.freeze_panes == "A4"
    rows = data_rows(sheet)
    problems = row_count(app, Problem)  # staff: every problem
    assert len(rows) == problems
    assert sheet.auto_filter.ref == f"A3:V{3 + problems}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$3:$3" and sheet.print_title_cols == "$A:$B"
    # too wide for one A4 page at a readable size: printed in parts side by side, the
    # problem (to 问题描述), its handing over (意见建议 to 办理时限), its outcome
    assert [LEDGER_HEADERS[b.id] for b in sheet.col_breaks.brk] == ["意见建议", "答复日期"]
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    first = sheet[4]
    assert isinstance(first[0].value, int) and isinstance(first[5].value, datetime)
    assert first[5].number_format == "yyyy-mm-dd"
    assert first[7].font.name == "宋体" and first[7].font.size >= 10.5
    assert first[7].alignment.wrap_text
    for name in ("交办日期", "办理时限", "答复日期", "办结日期"):
        values = [r[COLUMN[name]] for r in rows if r[COLUMN[name]] is not None]
        assert values and all(isinstance(v, datetime) for v in values), name
    statuses = {r[COLUMN["办理状态"]] for r in rows}
    assert "已办结" in statuses and not any("超期" in s for s in statuses)  # pure, for filtering
    overdue = [r for r in rows if r[COLUMN["是否超期"]] == "是"]
    assert overdue and all(r[COLUMN["超期天数"]] > 0 for r in overdue)
    assert {r[COLUMN["是否超期"]] for r in rows} == {"是", "否"}
    with app.app_context():
        answers = dict(db.session.execute(select(Problem.code, Problem.answer)).all())
        ratings = dict(db.session.execute(select(Problem.code, Problem.satisfaction)).all())
    for row in rows:  # 办理情况 is the answer alone (progress notes have their own sheet)
        assert unwrapped(row[COLUMN["办理情况"]]) == answers[row[1]], row[1]
        assert bool(row[COLUMN["代表评价"]]) == bool(ratings[row[1]])
    assert len(data_rows(book["办理进展"])) > 0


def test_ledger_photos_are_counted_and_pictured_on_their_own_sheet(client, login):
    login("demo-staff")
    response, book = download(client, "/ledger/export.xlsx")
    rows = data_rows(book["问题台账"])
    counted = [r for r in rows if r[COLUMN["照片"]]]
    assert counted and book["问题台账"]._images == []  # the printed ledger: a count
    photos = book["照片"]
    assert len(data_rows(photos)) == len(counted)
    assert len(photos._images) >= len(counted)
    linked = [c for c in photos["F"] if c.hyperlink is not None]
    assert linked and linked[0].hyperlink.target.startswith("http://127.0.0.1:5000/photos/")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        media = [i for i in archive.infolist() if i.filename.startswith("xl/media/")]
    assert media and max(i.file_size for i in media) < 12_000  # thumbnails made for the sheet
    _response, light = download(client, "/ledger/export.xlsx?images=0")
    assert light["照片"]._images == []
    assert [c for c in light["照片"]["F"] if c.hyperlink is not None]


def test_statistics_sheet_carries_rates_block_by_block(client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx")
    sheet = book["统计"]
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] is not None]
    headings = [r[0] for r in values]
    for heading in ("总计", "按视察组", "按镇街", "按问题类别", "按承办单位", "按办理状态"):
        assert heading in headings
    total = values[headings.index("总计") + 2]
    assert total[:4] == ("全部问题", 56, 48, 14)
    assert abs(total[5] - 14 / 48) < 1e-9  # 办结率 = closed / assigned, as a number
    assert values[headings.index("总计") + 1][5:8] == ("办结率", "满意率", "按期答复率")
    by_status = dict((r[0], r[1]) for r in values[headings.index("按办理状态") + 2 :])
    assert by_status["已办结"] == 14
    departments = values[headings.index("按承办单位") + 1 :]
    assert departments[0][-1] == "满意率"  # every column of the widest block is written
    assert all(0 <= r[8] <= 1 for r in departments[1:] if r[8] is not None)
    assert any(r[8] is not None for r in departments[1:])
    assert sheet.row_breaks.brk  # blocks that would not fit start a new page


def test_filters_decide_the_rows(app, client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx?status=closed")
    rows = data_rows(book["问题台账"])
    assert len(rows) == 14 and {r[COLUMN["办理状态"]] for r in rows} == {"已办结"}
    assert "办理状态：已办结" in book["问题台账"]["A2"].value
    with app.app_context():
        dept = db.session.scalar(select(Department).where(Department.name == "市财政局"))
    _response, book = download(client, f"/ledger/export.xlsx?department_id={dept.id}")
    rows = data_rows(book["问题台账"])
    assert rows and all("市财政局" in unwrapped((r[10] or "") + (r[11] or "")) for r in rows)


def test_a3_prints_the_ledger_in_fewer_parts(client, login):
    login("demo-staff")
    _response, book = download(client, "/ledger/export.xlsx?paper=A3")
    sheet = book["问题台账"]
    assert sheet.page_setup.paperSize == 8
    assert len(sheet.col_breaks.brk) == 1


def test_hostile_text_is_text_never_a_formula(app, client, login):
    with app.app_context():
        problems = db.session.scalars(
            select(Problem).order_by(Problem.id).limit(len(HOSTILE))
        ).all()
        for problem, text in zip(problems, HOSTILE, strict=True):
            problem.description = text
            problem.answer = text
        db.session.commit()
    login("demo-staff")
    response, book = download(client, "/ledger/export.xlsx")
    # what Excel and LibreOffice show: the cell text after OOXML's _xHHHH_ unescaping
    rows = book["问题台账"].iter_rows(min_row=4)
    cells = {
        unescape(c.value) if isinstance(c.value, str) else c.value: c for row in rows for c in row
    }
    for text in HOSTILE:
        shown = "\n" + text[1:] if text.startswith("\r") else text  # XML reads CR as LF
        assert text in cells or shown in cells, text
        cell = cells.get(text) or cells[shown]
        assert cell.data_type == "s"
        if text.startswith(("=", "+", "-", "@")):  # stays text when a user edits the cell
            assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)


def test_secretary_export_holds_only_their_group(client, login, demo, app):
    login("demo-secretary")
    _response, book = download(client, "/ledger/export.xlsx")
    groups = {unwrapped(r[2]) for r in data_rows(book["问题台账"])}
    assert groups == {"东城街道视察组"}
    assert {unwrapped(r[1]) for r in data_rows(book["视察记录"])} == {"东城街道视察组"}
    assert {unwrapped(r[2]) for r in data_rows(book["意见建议"])} == {"东城街道视察组"}


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
    assert all("市住房和城乡建设局" in unwrapped((r[10] or "") + (r[11] or "")) for r in rows)
    assert data_rows(book["视察记录"]) == []


def test_deputy_cannot_export(client, login):
    login("demo-deputy")
    assert client.get("/ledger/export.xlsx").status_code == 404
    assert client.get("/ledger/handover.zip").status_code == 404
    assert client.get("/ledger/weekly").status_code == 404


EVERYTHING = "assigned_from=2000-01-01&assigned_to=2099-12-31"


def department_problem_codes(app, department_id, start=None, end=None) -> set[str]:
    """Codes of problems handed to a department (lead or co), by local 交办日期."""
    from inspect_app.exports.services import local_day

    with app.app_context():
        co = select(problem_co_department.c.problem_id).where(
            problem_co_department.c.department_id == department_id
        )
        rows = db.session.execute(
            select(Problem.code, Problem.assigned_at).where(
                Problem.assigned_at.is_not(None),
                (Problem.lead_department_id == department_id) | Problem.id.in_(co),
            )
        ).all()
    return {
        code
        for code, at in rows
        if (start is None or local_day(at) >= start) and (end is None or local_day(at) <= end)
    }


def test_handover_sheet_is_a_real_handover_form(app, client, login, demo):
    login("demo-staff")
    _response, book = download(client, f"/ledger/handover/{demo['housing']}.xlsx?{EVERYTHING}")
    sheet = book["交办单"]
    assert sheet["A1"].value == "2025年重大项目集中视察问题交办单"
    heading = sheet["A2"].value
    handed_over = latest_handover_day(app, demo["housing"])
    assert re.search(f"文号：莞人常办交〔{handed_over.year}〕\\d+号", heading)
    assert "交办单位：东莞市人大常委会办公室" in heading
    assert "承办单位：市住房和城乡建设局" in heading and "前书面答复" in heading
    assert "联系人：联络科" in heading and "0769-22830000" in heading
    assert [c.value for c in sheet[3]][-1] == "办理情况（由承办单位填写）"
    rows = data_rows(sheet)
    assert {r[1] for r in rows} == department_problem_codes(app, demo["housing"])
    assert {r[5] for r in rows} <= {"主办", "协办"}
    assert all(r[-1] is None for r in rows)  # left blank for the department's answer
    assert sheet.row_dimensions[4].height >= 90  # room to write by hand
    # the texts fit the writing space: no row made taller by a narrow 意见建议 column
    heights = [sheet.row_dimensions[4 + n].height for n in range(len(rows))]
    assert max(heights) == 90, heights


def latest_handover_day(app, department_id) -> date:
    """The local day a department's problems were last handed over (交办)."""
    from inspect_app.exports.services import local_day

    with app.app_context():
        co = select(problem_co_department.c.problem_id).where(
            problem_co_department.c.department_id == department_id
        )
        latest = db.session.scalar(
            select(func.max(Problem.assigned_at)).where(
                (Problem.lead_department_id == department_id) | Problem.id.in_(co)
            )
        )
    return local_day(latest)


def test_handover_is_dated_the_day_of_handing_over(app, client, login, demo):
    """A batch printed again months later still reads as it was sent: dated the 交办 day,
    the reply asked for after it, the 文号 of that year."""
    from inspect_app.spreadsheets.wording import cn_date

    handed_over = latest_handover_day(app, demo["housing"])
    assert handed_over < date.today()  # the demo's 交办 were in 2025
    login("demo-staff")
    _response, book = download(client, f"/ledger/handover/{demo['housing']}.xlsx?{EVERYTHING}")
    heading = book["交办单"]["A2"].value
    assert f"交办日期：{cn_date(handed_over)}" in heading
    reply_by = re.search(r"请于(\d+)年(\d+)月(\d+)日前书面答复", heading).groups()
    assert date(*map(int, reply_by)) > handed_over
    with client.get(f"/ledger/handover/{demo['housing']}.docx?{EVERYTHING}") as response:
        texts = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert cn_date(handed_over) in texts  # the date under the 落款
    assert texts[0].startswith(f"莞人常办交〔{handed_over.year}〕")


def test_handover_batch_is_chosen_by_assignment_date(app, client, login, demo):
    from inspect_app.exports.services import local_day

    with app.app_context():
        day = local_day(db.session.get(Problem, demo["assigned_problem"]).assigned_at)
    login("demo-staff")
    url = f"/ledger/handover/{demo['housing']}.xlsx?assigned_from={day}&assigned_to={day}"
    _response, book = download(client, url)
    codes = {r[1] for r in data_rows(book["交办单"])}
    assert codes == department_problem_codes(app, demo["housing"], day, day)
    assert codes < department_problem_codes(app, demo["housing"])
    page = client.get(f"/ledger/handover/?assigned_from={day}&assigned_to={day}&number=7")
    assert "市住房和城乡建设局" in page.get_data(as_text=True)
    # the 文号 counts on from the number given, one per department in the batch
    with client.get(f"/ledger/handover.zip?assigned_from={day}&assigned_to={day}&number=7") as r:
        assert r.status_code == 200 and r.mimetype == "application/zip"
        data = r.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "交办单_市住房和城乡建设局.xlsx" in names
        assert "交办函_市住房和城乡建设局.docx" in names
        numbers = set()
        for name in names:
            if name.endswith(".xlsx"):
                heading = load_workbook(io.BytesIO(archive.read(name)))["交办单"]["A2"].value
                numbers.add(heading.split("〕")[1].split("号")[0])
    assert numbers == {str(7 + i) for i in range(len(numbers))}


def test_department_gets_only_its_own_handover(client, login, demo, app):
    with app.app_context():
        other = db.session.scalar(select(Department.id).where(Department.id != demo["housing"]))
    login("demo-department")
    page = client.get(f"/ledger/handover/?{EVERYTHING}").get_data(as_text=True)
    assert "市住房和城乡建设局" in page and f"/ledger/handover/{other}.xlsx" not in page
    with client.get(f"/ledger/handover/{demo['housing']}.docx?{EVERYTHING}") as response:
        assert response.status_code == 200
    assert client.get(f"/ledger/handover/{other}.xlsx").status_code == 404
    assert client.get(f"/ledger/handover/{other}.docx").status_code == 404
    assert client.get("/ledger/handover.zip").status_code == 404


def test_weekly_workbook_for_a_group(client, login, demo, app):
    login("demo-secretary")
    url = f"/ledger/weekly.xlsx?group_id={demo['group']}&date_from=2025-07-01&date_to=2025-07-31"
    response, book = download(client, url)
    assert book.sheetnames == ["周报"]
    sheet = book["周报"]
    assert sheet["A1"].value == "东城街道视察组视察工作周报"
    assert "报送单位：东城街道视察组" in sheet["A2"].value and "报送日期：" in sheet["A2"].value
    texts = [unwrapped(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    summary = next(t for t in texts if isinstance(t, str) and t.startswith("本周（"))
    assert "2025年7月1日至7月31日" in summary
    assert "东城街道视察组" in summary and "视察了 3 个项目" in summary
    assert "发现问题 3 个" in summary and "截至2025年7月31日，本组累计" in summary
    assert "四、下周安排" in texts and "二、发现的主要问题" in texts
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    other = client.get(f"/ledger/weekly.xlsx?group_id={demo['other_group']}")
    assert other.status_code == 404


def test_weekly_plan_is_typed_on_the_page_and_kept(client, login, demo, app):
    login("demo-secretary")
    token = csrf_token(client, "/ledger/weekly")
    form = {
        "csrf_token": token,
        "group_id": demo["group"],
        "date_from": "2025-07-14",
        "date_to": "2025-07-20",
        "plan": "=1+1 下周视察石龙镇两个项目。",
        "word": "下载周报 Word",
    }
    response = client.post("/ledger/weekly", data=form)
    assert response.status_code == 302 and "/exports/" in response.location  # a job
    page = client.get(f"/ledger/weekly?group_id={demo['group']}&date_from=2025-07-14")
    assert "=1+1 下周视察石龙镇两个项目。" in page.get_data(as_text=True)
    with client.get(finished_file(response.location)) as download_response:
        document = Document(io.BytesIO(download_response.data))
    assert "=1+1 下周视察石龙镇两个项目。" in [p.text for p in document.paragraphs]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "weekly_plan"))
        assert event is not None and event.action == "create"
    bad = client.post("/ledger/weekly", data={**form, "date_to": "2025-07-01"})
    assert bad.status_code == 200 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)
    assert "=1+1 下周视察石龙镇两个项目。" in bad.get_data(as_text=True)  # nothing lost


def test_weekly_plan_typed_in_lines_prints_in_lines(client, login, demo):
    """A browser sends a textarea's lines with CR LF: the workbook holds plain lines (a CR
    in a cell is _x000D_ to Excel), the form shows them as typed."""
    login("demo-secretary")
    form = {
        "csrf_token": csrf_token(client, "/ledger/weekly"),
        "group_id": demo["group"],
        "date_from": "2025-07-14",
        "date_to": "2025-07-20",
        "plan": "一、视察石龙镇两个项目。\r\n二、汇总问题。",
        "excel": "下载周报 Excel",
    }
    response = client.post("/ledger/weekly", data=form)
    _response, book = download(client, finished_file(response.location))
    cells = [c for row in book["周报"].iter_rows(values_only=True) for c in row if c]
    assert "一、视察石龙镇两个项目。\n二、汇总问题。" in cells
    assert not any("\r" in c or "_x000D_" in c for c in cells if isinstance(c, str))


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (date(2025, 7, 21), date(2025, 7, 14)),  # Monday: last week
        (date(2025, 7, 22), date(2025, 7, 14)),  # Tuesday: last week
        (date(2025, 7, 23), date(2025, 7, 21)),  # Wednesday: this week
        (date(2025, 7, 27), date(2025, 7, 21)),  # Sunday: this week
    ],
)
def test_weekly_default_week(today, monday):
    assert default_week(today) == (monday, monday + timedelta(days=6))


def test_command_line_exports(app, runner, tmp_path, demo):
    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["export", "ledger", "--out", str(out), "--no-images"])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book["问题台账"]["A1"].value == "2025年重大项目集中视察问题台账"
    assert len(data_rows(book["问题台账"])) == row_count(app, Problem)
    assert book["照片"]._images == []
    folder = tmp_path / "handover"
    result = runner.invoke(args=["export", "handover", "--out", str(folder), "--assigned-from",
                                 "2000-01-01", "--assigned-to", "2099-12-31"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (folder / "交办单_市住房和城乡建设局.xlsx").exists()
    assert (folder / "交办函_市住房和城乡建设局.docx").exists()
    args = ["export", "weekly", "--group", str(demo["group"]), "--from", "2025-07-01", "--to",
            "2025-07-31"]  # fmt: skip
    weekly = tmp_path / "weekly.xlsx"
    result = runner.invoke(args=[*args, "--out", str(weekly)])
    assert result.exit_code == 0 and load_workbook(weekly).sheetnames == ["周报"]
    result = runner.invoke(args=[*args, "--word", "--out", str(tmp_path / "weekly.docx")])
    assert result.exit_code == 0 and (tmp_path / "weekly.docx").exists()
    result = runner.invoke(args=["export", "report", "--out", str(tmp_path / "report.docx")])
    assert result.exit_code == 0 and (tmp_path / "report.docx").exists()
    assert runner.invoke(args=["export", "weekly"]).exit_code != 0


def test_a_batch_with_nothing_to_send_says_so_instead_of_an_empty_file(client, login, demo):
    """Reversed dates, ids that do not exist or another department's: no empty 交办单, no
    empty zip, but the 交办单 page again with a plain message; what was typed is kept."""
    login("demo-staff")
    housing = demo["housing"]
    for url in (
        f"/ledger/handover/{housing}.xlsx?assigned_from=2025-08-31&assigned_to=2025-07-01",
        f"/ledger/handover/{housing}.docx?ids=99999",
        "/ledger/handover.zip?assigned_from=2025-08-31&assigned_to=2025-07-01",
        "/ledger/handover.zip?ids=99999",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/ledger/handover/"), url
        page = client.get(response.location).get_data(as_text=True)
        assert "这批问题中没有要交给该单位的问题，没有生成文件。" in page, url
    page = client.get(response.location).get_data(as_text=True)
    assert 'value="99999"' in page  # the ids typed are still in the form


def test_handover_page_names_what_it_could_not_read(client, login):
    login("demo-staff")
    page = client.get("/ledger/handover/?assigned_from=2025-13-45&ids=3,abc，x7").get_data(
        as_text=True
    )
    assert "“2025-13-45”不是日期（如 2025-08-05），没有按它筛选。" in page
    assert "问题序号只能是数字：abc、x7 已略过。" in page
    page = client.get("/ledger/handover/?assigned_from=2025-08-31&assigned_to=2025-07-01")
    assert "开始日期晚于结束日期，没有选出问题。" in page.get_data(as_text=True)
