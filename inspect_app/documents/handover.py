"""交办函: the Word letter that hands a department its problems (A4 portrait, 公文 layout)."""

from typing import BinaryIO

from inspect_app.documents.fonts import DocumentFonts
from inspect_app.documents.layout import SI_HAO, Paper
from inspect_app.spreadsheets.rows import HandoverLetter
from inspect_app.spreadsheets.sheets import Progress, display_width, no_progress
from inspect_app.spreadsheets.wording import cn_date, with_project

# mm across the 156 mm type area: 序号, 项目名称, 问题描述, 办理时限, 办理情况 (left blank)
TABLE_WIDTHS = (14, 24, 52, 24, 42)


def table_date(day) -> str:
    """A date in a narrow table column: the year on its own line, then 月 and 日 together
    (left to the width, LibreOffice broke 2025年10月 / 31日)."""
    return f"{day.year}年\n{day.month}月{day.day}日" if day else ""


TITLE_LINE = 40  # half-width characters of one line of the 二号 title across the type area


def letter_title(letter: HandoverLetter) -> str:
    """The title; too long for a line, it breaks before 发现问题的函 (never leaving 的函 alone)."""
    head, tail = f"关于交办{letter.campaign}", "发现问题的函"
    return head + tail if display_width(head + tail) <= TITLE_LINE else f"{head}\n{tail}"


def opening(letter: HandoverLetter) -> str:
    lead, co = letter.counts()
    roles = "、".join(
        part for part in (f"主办 {lead} 件" if lead else "", f"协办 {co} 件" if co else "") if part
    )
    return (
        f"在{letter.campaign}中，人大代表发现了以下问题，现交由你单位办理（{roles}）。"
        f"请认真研究，逐项落实，并于{cn_date(letter.reply_by)}前将办理情况书面答复我办。"
        "主办单位负责答复，协办单位请于答复期限前向主办单位提出协办意见。"
    )


def write_handover_letter(
    stream: BinaryIO,
    letter: HandoverLetter,
    fonts: DocumentFonts,
    progress: Progress = no_progress,
) -> int:
    """Write the 交办函 for one department; return the number of problems."""
    paper = Paper(fonts)
    paper.line(letter.number, align="right")
    paper.line("")
    paper.title(letter_title(letter))
    paper.line(f"{letter.department}：")
    paper.line(opening(letter), indent=True)
    for number, row in enumerate(letter.problems, start=1):
        what = with_project(row.project, row.description)
        paper.line(f"{number}. {what}（{row.code}，{row.role}）", indent=True)
        if row.suggestions:
            paper.line(f"代表建议：{row.suggestions}", indent=True)
        if row.deadline:
            paper.line(f"办理时限：{cn_date(row.deadline)}。", indent=True)
    paper.line(f"联系人：{letter.contact}，联系电话：{letter.phone}。", indent=True)
    paper.line("附件：问题交办单", indent=True)
    paper.signature(letter.office, cn_date(letter.issued_on))
    attachment = paper.line("附件", font=fonts.heading, keep=True)
    attachment.paragraph_format.page_break_before = True  # never a blank page before it
    paper.title("问题交办单")
    paper.line(f"{letter.number}　　交办日期：{cn_date(letter.issued_on)}", size=SI_HAO)
    paper.line(
        f"承办单位：{letter.department}　　请于{cn_date(letter.reply_by)}前书面答复", size=SI_HAO
    )
    rows = [
        [number, row.project, f"{row.description}（{row.role}）", table_date(row.deadline), ""]
        for number, row in enumerate(letter.problems, start=1)
    ]
    paper.table(
        ["序号", "项目名称", "问题描述", "办理时限", "办理情况"],
        rows,
        TABLE_WIDTHS,
        min_height_mm=40,
    )
    paper.line(
        "承办单位（盖章）：　　　　　　经办人：　　　　　　联系电话：　　　　　　",
        size=SI_HAO,
    )
    paper.save(stream)
    progress(len(letter.problems), len(letter.problems))
    return len(letter.problems)
