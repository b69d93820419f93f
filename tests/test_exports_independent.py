"""The exports read by an independent implementation (calamine, in Rust), not by openpyxl."""

import io
from datetime import date

from python_calamine import CalamineWorkbook
from sqlalchemy import select
from support import row_count

from inspect_app.extensions import db
from inspect_app.models import Problem

HOSTILE = ["=1+2", "+SUM(1,2)", "-5+3", "@A1", "\t制表符"]


def read(client, url):
    with client.get(url) as response:
        assert response.status_code == 200
        return CalamineWorkbook.from_filelike(io.BytesIO(response.data))


def test_ledger_as_another_reader_sees_it(app, client, login):
    with app.app_context():
        problems = db.session.scalars(select(Problem).order_by(Problem.id).limit(len(HOSTILE)))
        for problem, text in zip(problems, HOSTILE, strict=True):
            problem.description = text
        db.session.commit()
    login("demo-staff")
    book = read(client, "/ledger/export.xlsx")
    assert book.sheet_names == ["问题台账", "意见建议", "办理进展", "视察记录", "照片", "统计"]
    rows = book.get_sheet_by_name("问题台账").to_python()
    assert rows[0][0] == "2025年重大项目集中视察问题台账"
    assert rows[2][:3] == ["序号", "编号", "视察组"]
    data = [r for r in rows[3:] if isinstance(r[0], int | float) and r[0] != ""]
    assert len(data) == row_count(app, Problem)
    assert all(isinstance(r[5], date) for r in data)  # 视察日期 is a date, not text
    descriptions = {r[7] for r in data}
    for text in HOSTILE:
        assert text in descriptions  # shown as typed, not a computed value


def test_handover_and_weekly_as_another_reader_sees_them(client, login, demo):
    login("demo-staff")
    url = f"/ledger/handover/{demo['housing']}.xlsx?assigned_from=2000-01-01"
    rows = read(client, url).get_sheet_by_name("交办单").to_python()
    assert rows[0][0].endswith("问题交办单") and rows[2][5] == "承办方式"
    assert "请于" in rows[1][0] and "前书面答复" in rows[1][0]
    url = f"/ledger/weekly.xlsx?group_id={demo['group']}&date_from=2025-07-01&date_to=2025-07-31"
    weekly = read(client, url)
    assert weekly.sheet_names == ["周报"]
    texts = [c for row in weekly.get_sheet_by_name("周报").to_python() for c in row if c]
    assert any(isinstance(t, str) and "视察了 3 个项目" in t.replace("\n", "") for t in texts)
