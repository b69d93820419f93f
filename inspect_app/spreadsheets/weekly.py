"""周报 (Excel): one printed page for a small week: summary, figures, problems, plan."""

from typing import BinaryIO

from inspect_app.spreadsheets.rows import WeeklyReport
from inspect_app.spreadsheets.sheets import Block, Book, Progress, SummarySheet, no_progress
from inspect_app.spreadsheets.summary import (
    period,
    reporting_line,
    total_sentences,
    week_sentences,
)

WIDTHS = [5, 13, 12, 39, 11]  # 序号, 项目名称, 类别 / 日期, 问题 / 建议, 提出代表


def figure_table(report: WeeklyReport) -> list[list]:
    rows = []
    for label, f in (("本周", report.week), ("累计", report.total)):
        rows.append([label, f"{f.visits} ／ {f.projects}", f.deputies, f.problems, f.suggestions])
    return rows


def write_weekly(
    stream: BinaryIO, report: WeeklyReport, paper: str = "A4", progress: Progress = no_progress
) -> dict:
    """Write the 周报 workbook; return the week's figures."""
    book = Book(stream, paper)
    sheet = SummarySheet(book, "周报", report.title, reporting_line(report), WIDTHS)
    sheet.section("一、本周开展情况", f"{week_sentences(report)}{total_sentences(report)}")
    sheet.block(
        Block(
            "本周及累计",
            ["", "视察（次）／项目（个）", "代表（人）", "发现问题（个）", "意见建议（条）"],
            figure_table(report),
            ["text", "int", "int", "int"],
        )
    )
    problems = [
        [n, row.project, row.category, row.description, row.raised_by]
        for n, row in enumerate(report.problems, start=1)
    ]
    sheet.block(
        Block(
            "二、发现的主要问题",
            ["序号", "项目名称", "问题类别", "问题描述", "提出代表"],
            problems or [["", "本周未发现问题", "", "", ""]],
            ["text", "center", "text", "text"],
        )
    )
    suggestions = [
        [n, row.project, row.visited_on, row.text, row.author]
        for n, row in enumerate(report.suggestions, start=1)
    ]
    sheet.block(
        Block(
            "三、意见建议",
            ["序号", "项目名称", "视察日期", "意见建议", "提出代表"],
            suggestions or [["", "本周未提出意见建议", "", "", ""]],
            ["text", "date", "text", "text"],
        )
    )
    sheet.section("四、下周安排", report.plan or "（未填写）")
    sheet.sheet.ws.set_header(f"&C{period(report)}")
    sheet.close()
    progress(len(report.problems), len(report.problems))
    book.close()
    return {
        "visits": report.week.visits,
        "problems": report.week.problems,
        "suggestions": report.week.suggestions,
        "projects": report.week.projects,
    }
