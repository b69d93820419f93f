"""The operations log (操作日志) as a workbook: rows in, an .xlsx stream out.

Pure: no Flask, no database. Every user-written value is a text cell, never a formula.
"""

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

HEADERS = ("时间", "操作人", "操作", "记录类型", "记录", "字段", "修改前", "修改后")
WIDTHS = (18, 10, 10, 10, 24, 14, 40, 40)


def write_audit_log(rows: Iterable[dict], title: str, subtitle: str) -> io.BytesIO:
    """One line per changed field (an event without field changes takes one line)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("操作日志")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.merged_cells.add("A1:H1")
    sheet.merged_cells.add("A2:H2")
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    bold, wrap = Font(name="宋体", bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_text(sheet, title, Font(name="宋体", bold=True, size=14))])
    sheet.append([_text(sheet, subtitle, Font(name="宋体"))])
    sheet.append([_text(sheet, h, bold) for h in HEADERS])
    count = 0
    for row in rows:
        head = [row["when"], row["actor"], row["action"], row["record_kind"], row["record"]]
        for field, before, after in row["changes"] or [("", "", "")]:
            values = [*head, field, before, after]
            sheet.append([_text(sheet, v, None, wrap) for v in values])
            count += 1
    sheet.auto_filter.ref = f"A3:H{max(3, count + 3)}"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def _text(sheet, value, font=None, alignment=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"  # text, never a formula
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell
