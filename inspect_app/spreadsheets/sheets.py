"""Printable, streaming worksheets on XlsxWriter's public API.

A workbook is written row by row (`constant_memory`), so memory does not grow with the rows.
Every sheet has a merged title, the filters and export time, a frozen filtered header, typed
cells, A4 (or A3) landscape with the header repeated and page numbers. Column widths are
chosen so that the body prints at 11 pt without shrinking; a sheet too wide for one page is
split into parts printed side by side (page breaks between columns, the first columns repeated).
Every user string is written with `write_string` (never a formula); a string that a
spreadsheet could take for a formula when edited ("=", "+", "-", "@") also gets a quote prefix.
"""

import math
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import BinaryIO

import xlsxwriter

FONT = "宋体"
BODY_SIZE = 11  # printed at 100 %: above 五号 (10.5 pt)
LINE_POINTS = 16  # one line of 11 pt text as LibreOffice prints it (Noto Sans CJK: 1.45 em)
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
MAX_ROW_POINTS = 409
FORMULA_STARTS = ("=", "+", "-", "@")
# paper code; the landscape width in column units as LibreOffice prints them (about 6.2 pt
# each, 0.5 in margins, a little to spare), and the portrait width
PAPERS = {"A4": (9, 120, 82), "A3": (8, 176, 120)}
WRAPPED = ("text", "prose")
REPEATED = 2  # 序号 and 编号 head every printed part of a wide sheet
# a zip holds 65,535 files without ZIP64 extensions; every picture is a file of the xlsx
PICTURES_WITHOUT_ZIP64 = 60_000

Progress = Callable[[int, int | None], None]


def no_progress(_done: int, _total: int | None) -> None:
    """The default progress callback: nobody is listening."""


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters of Excel's default font (one Chinese character is about 2)
    # text | prose (both broken into lines the Chinese way when too long for a line)
    # | center (short labels such as statuses, never broken) | date | number | int | percent
    # | count
    kind: str = "text"


@dataclass(frozen=True)
class Picture:
    """A picture on disk, placed in a cell: path and its size in pixels as shown."""

    path: str
    width: int
    height: int


@dataclass
class Block:
    """One table of a summary sheet: a heading, a header row and rows (first column text)."""

    heading: str
    headers: list[str]
    rows: list[list]
    kinds: list[str] = field(default_factory=list)  # per column after the first; default int


NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’％…—·,.;:?!)]}%")
NO_LINE_END = frozenset("（「『【《〈“‘([{")
TOKEN = re.compile(r"[A-Za-z0-9_@#$&+\-=./:%]+|\s+|.")


def _width(token: str) -> int:
    """Half-width characters: 2 for a Chinese character or punctuation (3 bytes in UTF-8)."""
    return (len(token.encode("utf-8")) + len(token)) // 2


def wrap_lines(text: str, capacity: float) -> list[str]:
    """Break text into lines of at most `capacity` half-width characters, the Chinese way.

    No line starts with closing punctuation (，。、；：？！）」 …) and none ends with an opening
    one: the character before moves down with it. Latin words and numbers are not split
    unless longer than a line. Spreadsheet programs (LibreOffice Calc among them) break
    Chinese anywhere, so the printed sheets carry these breaks in the cell.
    """
    capacity = max(2, int(capacity))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if _width(paragraph) <= capacity:
            lines.append(paragraph)
        elif NARROW_OR_SPACE.search(paragraph) is None:
            _wrap_wide(paragraph, capacity, lines)
        else:
            _wrap_tokens(paragraph, capacity, lines)
    return lines


NARROW_OR_SPACE = re.compile(r"[\x00-\x7f\s]")


def _wrap_wide(paragraph: str, capacity: int, lines: list[str]) -> None:
    """`_wrap_tokens` for a paragraph of wide characters only (two units each, no spaces):
    every character is a token, so a line is a slice of capacity // 2 characters."""
    per_line, start, count = capacity // 2, 0, len(paragraph)
    while start < count:
        cut = start + per_line
        if cut >= count:
            lines.append(paragraph[start:])
            return
        while cut - 1 > start and paragraph[cut] in NO_LINE_START:
            cut -= 1  # the character before comes down with the punctuation
        while cut - 1 > start and paragraph[cut - 1] in NO_LINE_END:
            cut -= 1
        lines.append(paragraph[start:cut])
        start = cut


def _wrap_tokens(paragraph: str, capacity: int, lines: list[str]) -> None:
    """Lines of one paragraph, token by token (Latin words, runs of spaces, characters)."""
    tokens = TOKEN.findall(paragraph)  # a Latin word, a run of spaces, or one character
    if max(map(len, tokens)) >= capacity:  # a very long Latin run: split it
        tokens = [t[i : i + capacity - 1] for t in tokens for i in range(0, len(t), capacity - 1)]
    # a token is ASCII (one unit a character) or one wide character (two units)
    ends = list(accumulate([len(t) if t.isascii() else 2 for t in tokens], initial=0))
    start, count = 0, len(tokens)
    while start < count:
        cut = bisect_right(ends, ends[start] + capacity) - 1  # tokens[start:cut] fit
        if cut >= count:
            lines.append("".join(tokens[start:]))
            break
        cut = max(cut, start + 1)
        while cut - 1 > start and tokens[cut][0] in NO_LINE_START:
            cut -= 1  # the character before comes down with the punctuation
        while cut - 1 > start and tokens[cut - 1][-1] in NO_LINE_END:
            cut -= 1
        lines.append("".join(tokens[start:cut]).rstrip())
        while cut < count and tokens[cut].isspace():
            cut += 1
        start = cut


@lru_cache(maxsize=4096)
def label_cell(text: str, capacity: float) -> tuple[str, int]:
    """A name as its cell holds it (broken into lines if too long) and its line count.

    The names a ledger repeats on every row (groups, towns, projects, departments,
    deputies) are so broken once per column width; prose is not kept.
    """
    if "\n" not in text and _width(text) <= capacity:
        return text, 1
    lines = wrap_lines(text, capacity)
    return "\n".join(lines), len(lines)


# how append writes a column's cells; PLAIN: text never broken, for any other kind
PROSE, LABEL, CENTER, DATE, NUMBER, PLAIN = range(6)
CELL_KINDS = {
    "prose": PROSE, "text": LABEL, "center": CENTER, "date": DATE,
    "number": NUMBER, "int": NUMBER, "count": NUMBER, "percent": NUMBER,
}  # fmt: skip


def line_capacity(width: float) -> float:
    """Half-width characters on one line of a column, as Excel shows 11 pt 宋体 (the
    narrower of Excel and LibreOffice, so that neither breaks the line again)."""
    return (width * 7 + 5 - 8) / 7.4


def display_width(text: str) -> float:
    """Width in Latin characters: a Chinese character (3 bytes in UTF-8) counts as two."""
    return (len(text.encode("utf-8")) + len(text)) / 2


def split_parts(columns: list[Column], budget: float) -> list[int]:
    """Where to break a wide sheet into printed parts; each part repeats the first columns."""
    repeated = sum(c.width for c in columns[:REPEATED])
    breaks, used = [], 0.0
    for index, column in enumerate(columns):
        if used + column.width > budget and index > REPEATED:
            breaks.append(index)
            used = repeated
        used += column.width
    return breaks


class Book:
    """An XlsxWriter workbook with the formats every sheet shares (made once, reused)."""

    def __init__(self, stream: BinaryIO, paper: str = "A4"):
        self.paper = paper if paper in PAPERS else "A4"
        self.workbook = xlsxwriter.Workbook(
            stream,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.workbook.set_properties({"title": "", "author": "Inspect"})
        self.formats = self._formats()
        self.pictures = 0

    def _formats(self) -> dict:
        add = self.workbook.add_format
        body = {"font_name": FONT, "font_size": BODY_SIZE, "valign": "top", "text_wrap": True}
        cell = {**body, "border": 1, "border_color": "#999999"}
        return {
            "title": add(
                {
                    "font_name": FONT,
                    "font_size": 16,
                    "bold": True,
                    "align": "center",
                    "valign": "vcenter",
                }
            ),
            "meta": add({**body, "font_size": BODY_SIZE}),
            "meta_right": add({**body, "align": "right"}),
            "header": add(
                {
                    **cell,
                    "bold": True,
                    "align": "center",
                    "valign": "vcenter",
                    "bg_color": "#DDDDDD",
                }
            ),
            "section": add({"font_name": FONT, "font_size": 13, "bold": True}),
            "text": add(cell),
            "quoted": add({**cell, "quote_prefix": True}),
            "center": add({**cell, "align": "center"}),
            "date": add({**cell, "num_format": "yyyy-mm-dd", "align": "center"}),
            "number": add({**cell, "num_format": "0.00"}),
            "int": add({**cell, "num_format": "0", "align": "center"}),
            "count": add({**cell, "num_format": "0", "align": "center"}),
            "percent": add({**cell, "num_format": "0.0%", "align": "center"}),
            "link": add({**cell, "font_color": "#0563C1", "underline": 1}),
        }

    def sheet(self, name: str, title: str, meta: str, columns: list[Column], **options):
        return PrintableSheet(self, name, title, meta, columns, **options)

    def close(self) -> None:
        if self.pictures > PICTURES_WITHOUT_ZIP64:  # else XlsxWriter refuses to close
            self.workbook.use_zip64()
        self.workbook.close()


class PrintableSheet:
    """One worksheet: merged title, filters and export time, frozen filtered header, rows."""

    def __init__(
        self,
        book: Book,
        name: str,
        title: str,
        meta: str,
        columns: list[Column],
        header: bool = True,
        split: bool = False,
        portrait: bool = False,
    ):
        self.book, self.columns, self.header = book, columns, header
        self.formats = book.formats
        self.ws = book.workbook.add_worksheet(name)
        self.row = 0
        budget = PAPERS[book.paper][2 if portrait else 1]
        parts = split_parts(columns, budget) if split else None
        self._plan = [(CELL_KINDS.get(c.kind, PLAIN), line_capacity(c.width), c) for c in columns]
        for index, column in enumerate(columns):
            self.ws.set_column(index, index, column.width)
        self._setup_print(parts, portrait)
        last = max((parts[0] if parts else len(columns)) - 1, 1)  # title over the first part
        self.ws.set_row(0, 30)
        self.ws.merge_range(0, 0, 0, last, title, self.formats["title"])
        self.ws.set_row(1, LINE_POINTS * self._lines(meta, self._span_width(parts)) + 4)
        # at the right on a sheet printed in parts: the parts repeat the first columns of every
        # row, where a left-aligned line would show its first words cut off
        meta_format = self.formats["meta_right" if parts else "meta"]
        self.ws.merge_range(1, 0, 1, last, meta, meta_format)
        self.row = 2
        if header:
            self.ws.freeze_panes(3, 0)
            self.ws.repeat_rows(2)
            height = max(self._lines(c.header, c.width) for c in columns) * LINE_POINTS + 6
            self.ws.set_row(2, height)
            for index, column in enumerate(columns):
                self.ws.write_string(2, index, column.header, self.formats["header"])
            self.row = 3

    def _span_width(self, parts) -> float:
        end = parts[0] if parts else len(self.columns)
        return sum(c.width for c in self.columns[:end])

    def _setup_print(self, parts: list[int] | None, portrait: bool) -> None:
        ws = self.ws
        ws.set_paper(PAPERS[self.book.paper][0])
        if portrait:
            ws.set_portrait()
        else:
            ws.set_landscape()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.center_horizontally()
        if parts:  # too wide for one page: parts side by side, 序号 and 编号 on each
            ws.set_v_pagebreaks(parts)
            ws.repeat_columns(0, REPEATED - 1)
            ws.print_across()
        elif not self.header:  # a summary with its own page breaks (fit-to-page drops them)
            ws.set_print_scale(100)
        else:
            ws.fit_to_pages(1, 0)

    @staticmethod
    def _lines(text: str, width: float) -> int:
        per_line = max(1.0, line_capacity(width))
        return sum(math.ceil(display_width(p) / per_line) or 1 for p in str(text).split("\n"))

    def write_value(self, column_index: int, value, column: Column) -> None:
        ws, formats, row = self.ws, self.formats, self.row
        if value is None or value == "":
            ws.write_blank(row, column_index, None, formats["text"])
        elif column.kind == "date" and isinstance(value, date | datetime):
            ws.write_datetime(row, column_index, value, formats["date"])
        elif column.kind in ("number", "int", "count", "percent") and isinstance(
            value, int | float | Decimal
        ):
            ws.write_number(row, column_index, float(value), formats[column.kind])
        else:
            text = str(value)
            if column.kind in WRAPPED and _width(text) > line_capacity(column.width):
                text = "\n".join(wrap_lines(text, line_capacity(column.width)))
            self.write_text(column_index, text, "center" if column.kind == "center" else "")

    def write_text(self, column_index: int, text: str, style: str = "") -> None:
        text = text[:MAX_CELL_TEXT]
        if text.startswith(FORMULA_STARTS):
            style = "quoted"
        self.ws.write_string(self.row, column_index, text, self.formats[style or "text"])

    def append(
        self,
        values: list,
        pictures: list[Picture] = (),
        link: tuple | None = None,
        min_height: float = 0,
    ) -> None:
        """Append one data row; pictures go into the last column's cell area.

        Each cell is written as it is looked at (long text broken into lines once); the
        row's height, from its tallest cell, is set before the row is left.
        """
        ws, row, formats, lines = self.ws, self.row, self.formats, 1
        text_format = formats["text"]
        for index, (value, (kind, capacity, column)) in enumerate(
            zip(values, self._plan, strict=False)
        ):
            if value is None or value == "":
                ws.write_blank(row, index, None, text_format)
                continue
            if not isinstance(value, str):
                if kind == DATE and isinstance(value, date | datetime):
                    ws.write_datetime(row, index, value, formats["date"])
                elif kind == NUMBER and isinstance(value, int | float | Decimal):
                    ws.write_number(row, index, float(value), formats[column.kind])
                else:
                    self.write_value(index, value, column)
                continue
            style = text_format
            if kind == PROSE:
                if "\n" in value or _width(value) > capacity:
                    broken = wrap_lines(value, capacity)
                    lines = max(lines, len(broken))
                    value = "\n".join(broken)
            elif kind == LABEL:
                value, count = label_cell(value, capacity)
                lines = max(lines, count)
            else:  # a status, or text in a date or number column: never broken
                lines = max(lines, self._lines(value, column.width))
                if kind == CENTER:
                    style = formats["center"]
            if len(value) > MAX_CELL_TEXT:
                value = value[:MAX_CELL_TEXT]
            if value.startswith(FORMULA_STARTS):
                style = formats["quoted"]
            ws.write_string(row, index, value, style)
        height = lines * LINE_POINTS + 4
        if pictures:  # pictures on top, the link line below them
            height = max(height, max(p.height for p in pictures) * 0.75 + 8 + LINE_POINTS)
        ws.set_row(row, min(max(min_height, height), MAX_ROW_POINTS))
        if link is not None:
            index, url, text = link
            ws.write_url(row, index, url, formats["link"], string=text)
        for position, picture in enumerate(pictures):
            self._place(picture, len(self.columns) - 1, position)
        self.row += 1

    def _height(self, values: list, pictures) -> float:
        lines = 1
        for value, column in zip(values, self.columns, strict=False):
            if isinstance(value, str) and value:
                capacity = line_capacity(column.width)
                if column.kind in WRAPPED:
                    lines = max(lines, len(wrap_lines(value, capacity)))
                else:
                    lines = max(lines, self._lines(value, column.width))
        height = lines * LINE_POINTS + 4
        if pictures:  # pictures on top, the link line below them
            height = max(height, max(p.height for p in pictures) * 0.75 + 8 + LINE_POINTS)
        return min(height, MAX_ROW_POINTS)

    def _place(self, picture: Picture, column_index: int, position: int) -> None:
        self.book.pictures += 1
        self.ws.insert_image(
            self.row,
            column_index,
            picture.path,
            {
                "x_offset": 4 + position * (picture.width + 4),
                "y_offset": 4,
                "object_position": 1,
                "description": "照片",
            },
        )

    def note(self, text: str) -> None:
        """A line of text under the table, over the whole width (outside the filter)."""
        self.close()
        self.header = False
        self.row += 1
        width = sum(c.width for c in self.columns)
        self.ws.set_row(self.row, self._lines(text, width) * LINE_POINTS + 8)
        last = len(self.columns) - 1
        self.ws.merge_range(self.row, 0, self.row, last, text, self.formats["meta"])
        self.row += 1

    def page_break(self) -> None:
        """Start a new printed page at the next row."""
        self._breaks = [*getattr(self, "_breaks", []), self.row]
        self.ws.set_h_pagebreaks(self._breaks)

    def blank_row(self) -> None:
        self.row += 1

    def close(self) -> None:
        """Put the autofilter on the header row over every data row."""
        if self.header:
            self.ws.autofilter(2, 0, max(self.row - 1, 2), len(self.columns) - 1)


class SummarySheet:
    """A printable sheet of headings, paragraphs and blocks (small tables), A4 portrait.

    Heights are counted in points so that a block, or a heading with its paragraph, that
    would not fit on what is left of the page starts a new page instead.
    """

    PAGE_POINTS = 745  # A4 portrait between the margins (row heights are counted generously)
    PARAGRAPH_ROW_LINES = 20  # lines of running text in one (merged) row
    KEPT_LINES = 6  # a paragraph up to this long is never split; a longer one keeps these
    # a line of running text as LibreOffice prints it with a CJK fallback font (Noto Sans CJK
    # is 1.45 em high); LINE_POINTS (Excel's 宋体) loses a line in 20
    PARAGRAPH_LINE_POINTS = 16

    def __init__(self, book: Book, name: str, title: str, meta: str, widths: list[float]):
        columns = [Column("", w) for w in widths]
        self.sheet = PrintableSheet(book, name, title, meta, columns, header=False, portrait=True)
        self.width = sum(widths)
        self.used = 30 + self._paragraph_points(meta)

    def _paragraph_lines(self, text: str) -> list[str]:
        return wrap_lines(text, line_capacity(self.width))

    def _paragraph_points(self, text: str) -> float:
        return len(self._paragraph_lines(text)) * LINE_POINTS + 6

    def _room_for(self, points: float) -> None:
        """Start a new page unless `points` more fit on this one."""
        if self.used + points > self.PAGE_POINTS and self.used > 0:
            self.sheet.page_break()
            self.used = 0

    def _row_points(self, lines: list[str]) -> float:
        return len(lines) * self.PARAGRAPH_LINE_POINTS + 6

    def paragraph(self, text: str) -> None:
        """Running text over the whole width (merged, broken the Chinese way).

        A long text fills what is left of the page and goes on over the next ones, in rows of
        at most PARAGRAPH_ROW_LINES lines (Excel's rows stop at 409 pt; a taller text is cut).
        """
        sheet = self.sheet
        last = len(sheet.columns) - 1
        lines = self._paragraph_lines(text) or [""]
        while lines:
            room = int((self.PAGE_POINTS - self.used - 6) // self.PARAGRAPH_LINE_POINTS)
            take = min(len(lines), self.PARAGRAPH_ROW_LINES, room)
            if take < min(len(lines), 2) and self.used > 0:  # not two lines left here
                self._room_for(self.PAGE_POINTS)
                continue
            chunk, lines = lines[:take], lines[take:]
            height = self._row_points(chunk)
            sheet.ws.set_row(sheet.row, height)
            cell = "\n".join(chunk)[:MAX_CELL_TEXT]
            sheet.ws.merge_range(sheet.row, 0, sheet.row, last, cell, sheet.formats["meta"])
            sheet.row += 1
            self.used += height

    def section(self, heading: str, text: str) -> None:
        """A heading and its paragraph on the same page (a long one: its first lines)."""
        first = self._paragraph_lines(text)[: self.KEPT_LINES]
        self._room_for(22 + self._row_points(first))
        self.heading(heading)
        self.paragraph(text)

    def heading(self, text: str) -> None:
        sheet = self.sheet
        sheet.ws.set_row(sheet.row, 22)
        sheet.write_text(0, text, "section")
        sheet.row += 1
        self.used += 22

    def _block_row_points(self, values: list) -> float:
        """A table row as LibreOffice prints it: 16 pt a line and a point to spare, so that a
        block of 38 groups (the "6+32" of a campaign) fits one page."""
        lines = round((self.sheet._height(values, ()) - 4) / LINE_POINTS)
        return max(1, lines) * self.PARAGRAPH_LINE_POINTS + 1

    def block(self, block: Block) -> None:
        sheet = self.sheet
        widths = [c.width for c in sheet.columns]
        header_lines = max(sheet._lines(h, w) for h, w in zip(block.headers, widths, strict=False))
        header_height = header_lines * LINE_POINTS + 4
        heights = [self._block_row_points(values) for values in block.rows]
        self._room_for(LINE_POINTS + 22 + header_height + sum(heights))
        if self.used:
            sheet.ws.set_row(sheet.row, LINE_POINTS)
            sheet.blank_row()
            self.used += LINE_POINTS
        self.heading(block.heading)
        sheet.ws.set_row(sheet.row, header_height)
        for index, text in enumerate(block.headers):
            sheet.ws.write_string(sheet.row, index, text, sheet.formats["header"])
        sheet.row += 1
        kinds = ["text", *(block.kinds or ["int"] * (len(block.headers) - 1))]
        columns = [Column("", c.width, k) for c, k in zip(sheet.columns, kinds, strict=False)]
        for values, height in zip(block.rows, heights, strict=True):
            sheet.ws.set_row(sheet.row, height)
            for index, (value, column) in enumerate(zip(values, columns, strict=False)):
                sheet.write_value(index, value, column)
            sheet.row += 1
        self.used += header_height + sum(heights)

    def close(self) -> None:
        self.sheet.close()
