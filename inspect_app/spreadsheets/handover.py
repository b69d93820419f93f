"""交办单 (Excel): one department's batch, with 文号, deadline to reply and a blank 办理情况."""

import re
import unicodedata
from collections.abc import Iterable
from typing import BinaryIO

from inspect_app.spreadsheets.rows import HandoverLetter, ProblemRow
from inspect_app.spreadsheets.sheets import Book, Column, Progress, no_progress
from inspect_app.spreadsheets.wording import cn_date

HANDOVER_COLUMNS = [
    Column("序号", 5, "int"),
    Column("编号", 13),
    Column("项目名称", 11),
    Column("问题描述", 25, "prose"),
    Column("意见建议", 20, "prose"),
    Column("承办方式", 6, "center"),
    Column("办理时限", 12, "date"),
    Column("办理情况（由承办单位填写）", 28),  # about 55 mm to write in by hand
]
WRITING_SPACE = 90  # points: room to write the answer by hand
STAMP_LINE = "承办单位（盖章）：　　　　　　经办人：　　　　　　联系电话：　　　　　　答复日期："


UNSAFE_IN_NAMES = re.compile(r'[\\/<>:"|?*\x00-\x1f\x7f]')
MAX_NAME_CHARS = 100


def safe_file_name(name: str, fallback: str = "承办单位") -> str:
    """A name safe as a zip entry or a file on any system: no folders, no `..`, no <>:"|?*."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(name or ""))
    text = UNSAFE_IN_NAMES.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text).strip(" .")
    return text[:MAX_NAME_CHARS].strip(" .") or fallback


def unique_names(names: Iterable[str]) -> list[str]:
    """The same names made safe, with （2）, （3）… added where two would collide."""
    seen, result = set(), []
    for name in names:
        base = safe_file_name(name)
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{base}（{n}）"
        seen.add(candidate.lower())
        result.append(candidate)
    return result


def handover_values(number: int, row: ProblemRow) -> list:
    return [
        number,
        row.code,
        row.project,
        row.description,
        row.suggestions,
        row.role,
        row.deadline,
        "",
    ]


def heading_lines(letter: HandoverLetter) -> str:
    return "\n".join(
        [
            f"文号：{letter.number}　　交办单位：{letter.office}　　"
            f"交办日期：{cn_date(letter.issued_on)}",
            f"承办单位：{letter.department}　　请于{cn_date(letter.reply_by)}前书面答复",
            f"联系人：{letter.contact}　　联系电话：{letter.phone}　　批次：{letter.batch}",
        ]
    )


def write_handover(
    stream: BinaryIO,
    letter: HandoverLetter,
    paper: str = "A4",
    progress: Progress = no_progress,
) -> int:
    """Write one department's 交办单 workbook; return the number of problems."""
    book = Book(stream, paper)
    title = f"{letter.campaign}问题交办单"
    sheet = book.sheet("交办单", title, heading_lines(letter), HANDOVER_COLUMNS)
    total = len(letter.problems)
    for number, row in enumerate(letter.problems, start=1):
        sheet.append(handover_values(number, row), min_height=WRITING_SPACE)
        progress(number, total)
    # the department signs and stamps every page: in the footer, the line never ends up
    # alone on a last page as a row under the table did
    sheet.ws.set_footer(f"&L{STAMP_LINE}&R第 &P 页，共 &N 页")
    sheet.close()
    book.close()
    return total
