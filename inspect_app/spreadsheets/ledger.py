"""问题台账: the aggregated problem ledger, with 意见建议, 视察记录 and 统计 sheets."""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import BinaryIO

from inspect_app.spreadsheets.rows import ExportMeta, ProblemRow, SuggestionRow, VisitRow
from inspect_app.spreadsheets.sheets import Column, PlainSheet, PrintableSheet, new_workbook

PROBLEM_COLUMNS = [
    Column("序号", 6, "int"),
    Column("编号", 13),
    Column("视察组", 12),
    Column("镇街", 8),
    Column("项目名称", 16),
    Column("视察日期", 11, "date"),
    Column("问题类别", 9),
    Column("问题描述", 32),
    Column("意见建议", 24),
    Column("提出代表", 10),
    Column("主办单位", 12),
    Column("协办单位", 12),
    Column("办理时限", 11, "date"),
    Column("办理状态", 9),
    Column("办理情况", 24),
    Column("满意度", 8),
    Column("照片", 22),
]
SUGGESTION_COLUMNS = [
    Column("序号", 6, "int"),
    Column("问题编号", 13),
    Column("视察组", 12),
    Column("镇街", 8),
    Column("项目名称", 16),
    Column("视察日期", 11, "date"),
    Column("意见建议", 50),
    Column("提出代表", 10),
    Column("办理单位", 14),
    Column("采纳情况", 10),
    Column("说明", 30),
]
VISIT_COLUMNS = [
    Column("序号", 6, "int"),
    Column("视察组", 12),
    Column("镇街", 8),
    Column("项目名称", 22),
    Column("视察日期", 11, "date"),
    Column("参加代表", 24),
    Column("进展情况", 50),
    Column("填报人", 10),
    Column("状态", 8),
    Column("问题数", 8, "int"),
    Column("建议数", 8, "int"),
]


def problem_values(number: int, row: ProblemRow) -> list:
    status = f"{row.status}（超期）" if row.overdue else row.status
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
        row.raised_by,
        row.lead_department,
        row.co_departments,
        row.deadline,
        status,
        row.handling,
        row.satisfaction,
        "",
    ]


def photo_link(row: ProblemRow, column: int) -> tuple | None:
    if not row.photo_url:
        return None
    return (column, row.photo_url, f"查看照片（{row.photo_count} 张）")


class LedgerStats:
    """Counts of the exported problems, gathered while they are written."""

    def __init__(self):
        self.by = {key: Counter() for key in ("group", "town", "category", "lead", "status")}
        self.closed, self.overdue, self.co = Counter(), Counter(), Counter()

    def add(self, row: ProblemRow) -> None:
        keys = {
            "group": row.group,
            "town": row.town or "（未填）",
            "category": row.category,
            "lead": row.lead_department or "（未交办）",
            "status": row.status,
        }
        for name, key in keys.items():
            self.by[name][key] += 1
        self.closed[row.lead_department or "（未交办）"] += row.closed
        self.overdue[row.lead_department or "（未交办）"] += row.overdue
        self.overdue["group:" + row.group] += row.overdue
        self.closed["group:" + row.group] += row.closed
        for name in filter(None, row.co_departments.split("、")):
            self.co[name] += 1

    def write(self, sheet: PlainSheet) -> None:
        total = sum(self.by["status"].values())
        sheet.section("总计", ["项目", "数量"], [["问题总数", total]])
        groups = [
            [g, n, self.closed["group:" + g], self.overdue["group:" + g]]
            for g, n in self.by["group"].items()
        ]
        sheet.section("按视察组", ["视察组", "问题数", "已办结", "超期"], groups)
        sheet.section("按镇街", ["镇街", "问题数"], _sorted(self.by["town"]))
        sheet.section("按问题类别", ["问题类别", "问题数"], _sorted(self.by["category"]))
        departments = sorted(set(self.by["lead"]) | set(self.co))
        rows = [
            [d, self.by["lead"][d], self.co[d], self.closed[d], self.overdue[d]]
            for d in departments
        ]
        rows.sort(key=lambda r: (-r[1], -r[2], r[0]))
        sheet.section("按承办单位", ["承办单位", "主办", "协办", "已办结", "超期"], rows)
        sheet.section("按办理状态", ["办理状态", "问题数"], _sorted(self.by["status"]))


def _sorted(counter: Counter) -> list[list]:
    return [[k, v] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def write_ledger(
    stream: BinaryIO,
    meta: ExportMeta,
    problems: Iterable[ProblemRow],
    suggestions: Iterable[SuggestionRow],
    visits: Iterable[VisitRow],
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write the ledger workbook to `stream`; return the number of problems written.

    `progress(done, total)` is called after every problem row with total None, and once with
    done == total when every row is written and the file is being packed.
    """
    workbook = new_workbook()
    line = meta.line()
    problem_sheet = PrintableSheet(workbook, "问题台账", meta.title, line, PROBLEM_COLUMNS)
    suggestion_sheet = PrintableSheet(
        workbook, "意见建议", f"{meta.title}（意见建议）", line, SUGGESTION_COLUMNS
    )
    visit_sheet = PrintableSheet(
        workbook, "视察记录", f"{meta.title}（视察记录）", line, VISIT_COLUMNS
    )
    stats_sheet = PlainSheet(workbook, "统计", f"{meta.title}（统计）", line, [24, 10, 10, 10, 10])
    stats = LedgerStats()
    count = 0
    for count, row in enumerate(problems, start=1):
        problem_sheet.append(
            problem_values(count, row), row.pictures, photo_link(row, len(PROBLEM_COLUMNS) - 1)
        )
        stats.add(row)
        if progress:
            progress(count, None)
    for number, row in enumerate(suggestions, start=1):
        suggestion_sheet.append(suggestion_values(number, row))
    for number, row in enumerate(visits, start=1):
        visit_sheet.append(visit_values(number, row))
    stats.write(stats_sheet)
    for sheet in (problem_sheet, suggestion_sheet, visit_sheet):
        sheet.close()
    if progress:
        progress(count, count)
    workbook.save(stream)
    return count


def suggestion_values(number: int, row: SuggestionRow) -> list:
    return [
        number,
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


def visit_values(number: int, row: VisitRow) -> list:
    return [
        number,
        row.group,
        row.town,
        row.project,
        row.visited_on,
        row.attendees,
        row.summary,
        row.author,
        row.status,
        row.problems,
        row.suggestions,
    ]
