"""周报 (Word): a group's week as a secretary sends it — summary, figures, problems, plan."""

from typing import BinaryIO

from inspect_app.documents.fonts import DocumentFonts
from inspect_app.documents.layout import XIAO_SI, Paper
from inspect_app.spreadsheets.rows import WeeklyReport
from inspect_app.spreadsheets.sheets import Progress, no_progress
from inspect_app.spreadsheets.summary import (
    FIGURE_HEADERS,
    figure_rows,
    period,
    reporting_line,
    total_sentences,
    week_sentences,
)


def write_weekly_document(
    stream: BinaryIO,
    report: WeeklyReport,
    fonts: DocumentFonts,
    progress: Progress = no_progress,
) -> dict:
    """Write the 周报 as a Word document; return the week's figures."""
    paper = Paper(fonts, compact=True)
    paper.title(report.title)
    paper.line(f"（{period(report)}）", align="center")
    paper.line(reporting_line(report), size=XIAO_SI, align="center")
    paper.heading("一、本周开展情况")
    paper.line(f"{week_sentences(report)}{total_sentences(report)}", indent=True)
    paper.table(FIGURE_HEADERS, figure_rows(report), (16, 21, 21, 21, 21, 21, 20, 19))
    paper.heading("二、发现的主要问题")
    if not report.problems:
        paper.line("本周未发现新问题。", indent=True)
    for number, row in enumerate(report.problems, start=1):
        paper.line(f"{number}. {row.project}（{row.category}）：{row.description}", indent=True)
    paper.heading("三、意见建议")
    if not report.suggestions:
        paper.line("本周未提出新的意见建议。", indent=True)
    for number, row in enumerate(report.suggestions, start=1):
        paper.line(f"{number}. {row.project}：{row.text}（{row.author}）", indent=True)
    paper.heading("四、下周安排")
    for text in (report.plan or "（未填写）").split("\n"):
        paper.line(text, indent=True)
    paper.save(stream)
    progress(len(report.problems), len(report.problems))
    return {"visits": report.week.visits, "problems": report.week.problems}
