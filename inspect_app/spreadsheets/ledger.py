"""问题台账: the aggregated problem ledger, with 意见建议, 办理进展, 视察记录, 照片 and 统计 sheets.

The printed ledger carries the photo count, not pictures; the 照片 sheet holds the thumbnails
(or only the count and a link, for a light file). On A4 the problem sheet prints in two parts
side by side (the problem, then its handling; 序号 and 编号 on both), at 11 pt; on A3 it prints
one page wide.
"""

from collections.abc import Callable, Iterable
from typing import BinaryIO

from inspect_app.spreadsheets.rows import (
    ExportMeta,
    NoteRow,
    ProblemRow,
    SuggestionRow,
    VisitRow,
)
from inspect_app.spreadsheets.sheets import (
    Block,
    Book,
    Column,
    Progress,
    SummarySheet,
    display_width,
    line_capacity,
    no_progress,
)

# Printed on A4 in three parts side by side, 序号 and 编号 on each (about 118 of the 120
# units a part holds): the problem, its handing over, its outcome. Short labels (视察组, 镇街,
# 类别, 状态) fit one or two lines, so the long texts decide a row's height.
PROBLEM_COLUMNS = [
    Column("序号", 5, "int"),
    Column("编号", 13),
    Column("视察组", 11),
    Column("镇街", 9),
    Column("项目名称", 14),
    Column("视察日期", 12, "date"),
    Column("问题类别", 9, "center"),
    Column("问题描述", 45, "prose"),
    Column("意见建议", 36, "prose"),
    Column("提出代表", 10),
    Column("主办单位", 13),
    Column("协办单位", 13),
    Column("交办日期", 12, "date"),
    Column("办理时限", 12, "date"),
    Column("答复日期", 12, "date"),
    Column("办结日期", 12, "date"),
    Column("办理状态", 9, "center"),
    Column("是否超期", 5, "center"),
    Column("超期天数", 5, "count"),
    Column("照片", 5, "count"),
    Column("办理情况", 38, "prose"),
    Column("代表评价", 14, "prose"),
]
PROBLEM_HEADERS = [c.header for c in PROBLEM_COLUMNS]
SUGGESTION_COLUMNS = [
    Column("序号", 5, "int"),
    Column("问题编号", 13),
    Column("视察组", 8),
    Column("镇街", 7),
    Column("项目名称", 12),
    Column("视察日期", 12, "date"),
    Column("意见建议", 28, "prose"),
    Column("提出代表", 7),
    Column("办理单位", 10),
    Column("采纳情况", 9, "center"),
    Column("说明", 9, "prose"),
]
NOTE_COLUMNS = [
    Column("序号", 5, "int"),
    Column("问题编号", 13),
    Column("承办单位", 16),
    Column("日期", 12, "date"),
    Column("办理进展", 74, "prose"),
]
VISIT_COLUMNS = [
    Column("序号", 5, "int"),
    Column("视察组", 8),
    Column("镇街", 7),
    Column("项目名称", 13),
    Column("视察日期", 12, "date"),
    Column("参加代表", 18, "prose"),
    Column("进展情况", 31, "prose"),
    Column("填报人", 7),
    Column("状态", 7, "center"),
    Column("问题数", 6, "int"),
    Column("建议数", 6, "int"),
]
PHOTO_COLUMNS = [
    Column("序号", 5, "int"),
    Column("问题编号", 13),
    Column("项目名称", 14),
    Column("问题描述", 38, "prose"),
    Column("照片数", 6, "count"),
    Column("照片", 44),
]


RAISED_BY_WIDTH = next(c.width for c in PROBLEM_COLUMNS if c.header == "提出代表")
CO_DEPARTMENTS_WIDTH = next(c.width for c in PROBLEM_COLUMNS if c.header == "协办单位")
ATTENDEES_WIDTH = next(c.width for c in VISIT_COLUMNS if c.header == "参加代表")


def names_in_lines(names: str, width: float) -> str:
    """A list of names (张三、李四) broken into lines between names, never inside one."""
    capacity = line_capacity(width)
    if display_width(names) <= capacity:
        return names
    lines, line = [], ""
    for name in names.split("、"):
        if line and display_width(f"{line}、{name}、") > capacity:
            lines.append(f"{line}、")
            line = name
        else:
            line = f"{line}、{name}" if line else name
    return "\n".join([*lines, line])


def problem_values(number: int, row: ProblemRow) -> list:
    return [
        number,
        row.code,
        row.group,
        row.town,
        row.project,
        row.visited_on,
        row.category,
        row.description,
        row.suggestions,
        names_in_lines(row.raised_by, RAISED_BY_WIDTH),
        row.lead_department,
        names_in_lines(row.co_departments, CO_DEPARTMENTS_WIDTH),
        row.assigned_on,
        row.deadline,
        row.answered_on,
        row.closed_on,
        row.status,
        "是" if row.overdue else "否",
        row.overdue_days if row.overdue else None,
        row.photo_count,
        row.handling,
        row.rating,
    ]


def photo_values(number: int, row: ProblemRow) -> list:
    return [number, row.code, row.project, row.description, row.photo_count, ""]


def photo_link(row: ProblemRow, column: int) -> tuple | None:
    if not row.photo_url:
        return None
    return (column, row.photo_url, f"查看照片（{row.photo_count} 张）")


def write_ledger(
    stream: BinaryIO,
    meta: ExportMeta,
    problems: Iterable[ProblemRow],
    suggestions: Iterable[SuggestionRow],
    visits: Iterable[VisitRow],
    notes: Iterable[NoteRow] = (),
    stats: Callable[[], list[Block]] = list,
    paper: str = "A4",
    progress: Progress = no_progress,
    total: int | None = None,
) -> int:
    """Write the ledger workbook to `stream`; return the number of problems written.

    `stats` is called after the problems are written (it may count them as they pass) and
    returns the 统计 sheet's blocks; `progress(rows written, total)` is called as rows go out.
    """
    book = Book(stream, paper)
    line = meta.line()
    problem_sheet = book.sheet("问题台账", meta.title, line, PROBLEM_COLUMNS, split=True)
    others = {
        name: book.sheet(name, f"{meta.title}（{name}）", line, columns)
        for name, columns in (
            ("意见建议", SUGGESTION_COLUMNS),
            ("办理进展", NOTE_COLUMNS),
            ("视察记录", VISIT_COLUMNS),
            ("照片", PHOTO_COLUMNS),
        )
    }
    photo_sheet = others["照片"]
    count, step = 0, max(1, min(200, (total or 0) // 100))  # about 100 progress steps
    for count, row in enumerate(problems, start=1):
        problem_sheet.append(problem_values(count, row))
        if row.photo_count:
            link = photo_link(row, len(PHOTO_COLUMNS) - 1)
            photo_sheet.append(photo_values(count, row), row.pictures, link)
        if count % step == 0:
            progress(count, total)
    progress(count, total)
    write_rows(others["意见建议"], map(suggestion_values, suggestions))
    write_rows(others["办理进展"], map(note_values, notes))
    write_rows(others["视察记录"], map(visit_values, visits))
    write_blocks(book, "统计", f"{meta.title}（统计）", line, stats())
    for sheet in (problem_sheet, photo_sheet):
        sheet.close()
    book.close()
    return count


def write_rows(sheet, rows) -> None:
    """Numbered rows (each row's values without the 序号)."""
    for number, values in enumerate(rows, start=1):
        sheet.append([number, *values])
    sheet.close()


def write_blocks(book: Book, name: str, title: str, line: str, blocks: list[Block]) -> None:
    """A summary sheet: each block (heading and small table) kept on one printed page."""
    widths = [20, 7, 7, 7, 7, 8, 8, 9, 8]  # room for the widest block (按承办单位: 9 columns)
    sheet = SummarySheet(book, name, title, line, widths)
    for block in blocks:
        sheet.block(block)
    sheet.close()


def suggestion_values(row: SuggestionRow) -> list:
    return [
        row.problem_code,
        row.group,
        row.town,
        row.project,
        row.visited_on,
        row.text,
        row.author,
        row.department,
        row.adoption,
        row.reason,
    ]


def note_values(row: NoteRow) -> list:
    return [row.problem_code, row.department, row.written_on, row.text]


def visit_values(row: VisitRow) -> list:
    return [
        row.group,
        row.town,
        row.project,
        row.visited_on,
        names_in_lines(row.attendees, ATTENDEES_WIDTH),
        row.summary,
        row.author,
        row.status,
        row.problems,
        row.suggestions,
    ]
