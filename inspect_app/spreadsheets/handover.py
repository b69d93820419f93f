"""交办清单: one workbook per department, with only its problems and their deadlines."""

from collections.abc import Callable, Iterable
from typing import BinaryIO

from inspect_app.spreadsheets.ledger import photo_link
from inspect_app.spreadsheets.rows import ExportMeta, ProblemRow
from inspect_app.spreadsheets.sheets import Column, PrintableSheet, new_workbook

HANDOVER_COLUMNS = [
    Column("序号", 6, "int"),
    Column("编号", 13),
    Column("视察组", 14),
    Column("镇街", 10),
    Column("项目名称", 20),
    Column("问题类别", 9),
    Column("问题描述", 36),
    Column("意见建议", 32),
    Column("提出代表", 12),
    Column("承办方式", 8),
    Column("主办单位", 14),
    Column("协办单位", 14),
    Column("交办日期", 11, "date"),
    Column("办理时限", 11, "date"),
    Column("办理状态", 9),
    Column("照片", 22),
]


def handover_values(number: int, row: ProblemRow) -> list:
    status = f"{row.status}（超期）" if row.overdue else row.status
    return [
        number,
        row.code,
        row.group,
        row.town,
        row.project,
        row.category,
        row.description,
        row.suggestions,
        row.raised_by,
        row.role,
        row.lead_department,
        row.co_departments,
        row.assigned_on,
        row.deadline,
        status,
        "",
    ]


def write_handover(
    stream: BinaryIO,
    meta: ExportMeta,
    problems: Iterable[ProblemRow],
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write one department's handover workbook; return the number of problems.

    `progress(done, total)` as in write_ledger: per row with None, then done == total.
    """
    workbook = new_workbook()
    sheet = PrintableSheet(workbook, "交办清单", meta.title, meta.line(), HANDOVER_COLUMNS)
    count = 0
    for count, row in enumerate(problems, start=1):
        link = photo_link(row, len(HANDOVER_COLUMNS) - 1)
        sheet.append(handover_values(count, row), row.pictures, link)
        if progress:
            progress(count, None)
    sheet.close()
    if progress:
        progress(count, count)
    workbook.save(stream)
    return count
