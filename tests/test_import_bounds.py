"""Imports read only the cells really in the file, echo little of a bad cell, take 20,000 rows."""

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.imports.services import PROJECT_SPECS, import_deputies, import_projects
from inspect_app.models import AuditEvent, Campaign, Project, User
from inspect_app.spreadsheets.imports import (
    MAX_ECHO_CHARS,
    ImportFileError,
    parse_value,
    read_rows,
)

HEADERS = [s.header for s in PROJECT_SPECS]


def workbook(rows: list[list]) -> bytes:
    """An .xlsx with shared strings, as Excel and WPS write them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "重大项目清单"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through `change`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def declaring_huge_dimension(data: bytes) -> bytes:
    def change(xml: str) -> str:
        if "<dimension" in xml:
            return re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)
        return xml.replace("<sheetData", '<dimension ref="A1:XFD1048576"/><sheetData', 1)

    return rewrite_sheet(data, change)


def project_rows(n: int) -> list[list]:
    return [HEADERS] + [
        [f"P{i:05d}", f"项目{i}号", "东城街道", "制造业", "某某建设有限公司", 12.5, "在建",
         "东莞市东城街道某路1号", 113.7, 23.0]
        for i in range(n)
    ]  # fmt: skip


def test_a_huge_declared_dimension_reads_only_the_real_rows_in_bounded_memory():
    data = declaring_huge_dimension(workbook(project_rows(3)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert 'ref="A1:XFD1048576"' in archive.read("xl/worksheets/sheet1.xml").decode()
    tracemalloc.start()
    try:
        result = read_rows(data, PROJECT_SPECS)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r["code"] for r in result.rows] == ["P00000", "P00001", "P00002"]
    assert [r["_row"] for r in result.rows] == [2, 3, 4] and not result.errors
    assert peak < 50 * 1024 * 1024  # the declared 17 billion cells are never materialised


def test_a_cell_far_down_or_far_right_is_bounded():
    def far_cells(xml: str) -> str:
        far = (
            '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c>'
            '<c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        )
        return xml.replace("</sheetData>", far + "</sheetData>")

    data = rewrite_sheet(workbook(project_rows(2)), far_cells)
    with pytest.raises(ImportFileError, match="行以下还有内容"):
        read_rows(data, PROJECT_SPECS)


def test_blank_formatted_rows_between_and_below_the_data_are_ignored():
    def blank_rows(xml: str) -> str:
        rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(10, 2000))
        return xml.replace("</sheetData>", rows + "</sheetData>")

    data = rewrite_sheet(workbook(project_rows(2)), blank_rows)
    assert len(read_rows(data, PROJECT_SPECS).rows) == 2


def test_a_zip_that_inflates_too_far_is_refused(monkeypatch):
    from inspect_app.spreadsheets import imports

    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportFileError, match="解压后太大"):
        read_rows(workbook(project_rows(5)), PROJECT_SPECS)


def test_a_bad_cell_is_echoed_short():
    spec = next(s for s in PROJECT_SPECS if s.key == "investment")
    _value, message = parse_value(spec, "很多" * 5000)
    assert len(message) < MAX_ECHO_CHARS + 30 and message.endswith("…”")


def test_twenty_thousand_projects_import_in_one_go(app):
    data = workbook(project_rows(20_000))
    with app.app_context(), writing():
        before = db.session.scalar(select(func.count(Project.id)))
        outcome = import_projects(None, data)
        db.session.commit()
        assert outcome.ok and outcome.created == 20_000
        assert db.session.scalar(select(func.count(Project.id))) == before + 20_000
        events = select(func.count(AuditEvent.id)).where(AuditEvent.entity == "project")
        assert db.session.scalar(events) >= 20_000
        again = import_projects(None, data)  # a second time: updates, no duplicates
        db.session.commit()
        assert again.updated == 20_000 and again.created == 0
        assert db.session.scalar(select(func.count(Project.id))) == before + 20_000


def test_roster_import_updates_existing_deputies_by_phone(app):
    with app.app_context(), writing():
        campaign = db.session.scalar(select(Campaign))
        group = campaign.groups[0]
        members = [m.user for m in group.members if m.user.phone][:3]
        rows = [["姓名", "手机号", "视察组", "代表团"]]
        rows += [[f"{u.name}改", u.phone, group.name, "东城代表团"] for u in members]
        rows += [["新代表", "13912345678", group.name, "东城代表团"]]
        outcome = import_deputies(None, workbook(rows), campaign)
        db.session.commit()
        assert outcome.ok and (outcome.created, outcome.updated) == (1, len(members))
        renamed = db.session.scalars(select(User.name).where(User.id.in_([u.id for u in members])))
        assert all(name.endswith("改") for name in renamed)
        new = db.session.scalar(select(User).where(User.phone == "13912345678"))
        assert new.check_password(outcome.passwords[0][2])
        assert group.id in {m.group_id for m in new.memberships}
