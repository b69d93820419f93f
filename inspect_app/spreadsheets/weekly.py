"""周报: a group's visits, problems and suggestions for a date range, with a summary sheet."""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import BinaryIO

from inspect_app.spreadsheets.ledger import (
    PROBLEM_COLUMNS,
    SUGGESTION_COLUMNS,
    VISIT_COLUMNS,
    photo_link,
    problem_values,
    suggestion_values,
    visit_values,
)
from inspect_app.spreadsheets.rows import ExportMeta, ProblemRow, SuggestionRow, VisitRow
from inspect_app.spreadsheets.sheets import PlainSheet, PrintableSheet, new_workbook


def write_weekly(
    stream: BinaryIO,
    meta: ExportMeta,
    visits: Iterable[VisitRow],
    problems: Iterable[ProblemRow],
    suggestions: Iterable[SuggestionRow],
    progress: Callable[[int, int | None], None] | None = None,
) -> dict:
    """Write the weekly workbook; return the summary counts.

    `progress(done, total)` as in write_ledger, counting problem rows.
    """
    workbook = new_workbook()
    line = meta.line()
    summary = PlainSheet(workbook, "汇总", meta.title, line, [24, 12, 12, 12, 12])
    visit_sheet = PrintableSheet(
        workbook, "视察记录", f"{meta.title}（视察记录）", line, VISIT_COLUMNS
    )
    problem_sheet = PrintableSheet(workbook, "问题", f"{meta.title}（问题）", line, PROBLEM_COLUMNS)
    suggestion_sheet = PrintableSheet(
        workbook, "意见建议", f"{meta.title}（意见建议）", line, SUGGESTION_COLUMNS
    )
    projects, attendees, categories, days = set(), set(), Counter(), Counter()
    counts = Counter()
    for number, row in enumerate(visits, start=1):
        visit_sheet.append(visit_values(number, row))
        projects.add(row.project)
        attendees.update(filter(None, row.attendees.split("、")))
        days[row.visited_on] += 1
        counts["visits"] = number
    for number, row in enumerate(problems, start=1):
        problem_sheet.append(
            problem_values(number, row), row.pictures, photo_link(row, len(PROBLEM_COLUMNS) - 1)
        )
        categories[row.category] += 1
        counts["problems"] = number
        if progress:
            progress(number, None)
    for number, _row in enumerate(suggestions, start=1):
        suggestion_sheet.append(suggestion_values(number, _row))
        counts["suggestions"] = number
    totals = [
        ["视察次数", counts["visits"]],
        ["视察项目数", len(projects)],
        ["参加代表人数", len(attendees)],
        ["发现问题", counts["problems"]],
        ["意见建议", counts["suggestions"]],
    ]
    summary.section("本周概况", ["项目", "数量"], totals)
    summary.section(
        "问题类别", ["问题类别", "问题数"], [[k, v] for k, v in categories.most_common()]
    )
    by_day = [[day.isoformat() if day else "", n] for day, n in sorted(days.items())]
    summary.section("每日视察", ["日期", "视察次数"], by_day)
    for sheet in (visit_sheet, problem_sheet, suggestion_sheet):
        sheet.close()
    if progress:
        progress(counts["problems"], counts["problems"])
    workbook.save(stream)
    counts["projects"] = len(projects)
    return dict(counts)
