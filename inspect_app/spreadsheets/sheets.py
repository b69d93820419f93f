"""A printable, streaming worksheet: title, filters, frozen filtered header, typed cells.

Every user string is written as a text cell (never a formula); dates as dates, numbers as
numbers. Workbooks are write-only, so memory does not grow with the number of rows.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
POINTS_PER_LINE = 15
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters of the default font
    kind: str = "text"  # text | date | number | int


@dataclass(frozen=True)
class Picture:
    """A picture on disk, placed in a cell: path and its size in pixels as shown."""

    path: str
    width: int
    height: int


class DiskImage(SheetImage):
    """An image read from disk only when the workbook is written (one file open at a time)."""

    def __init__(self, path: str, width: int, height: int):  # noqa: D107 - no PIL open here
        self.ref = path
        self.width, self.height = width, height
        self.format = "jpeg"

    def _data(self) -> bytes:
        return Path(self.ref).read_bytes()


def new_workbook() -> Workbook:
    """A write-only workbook with the named styles the sheets use."""
    workbook = Workbook(write_only=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    styles = {
        "title": NamedStyle(
            "title",
            font=Font(name=FONT, size=16, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        "meta": NamedStyle("meta", font=Font(name=FONT, size=10), alignment=wrap),
        "header": NamedStyle(
            "header",
            font=Font(name=FONT, size=11, bold=True),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            fill=PatternFill("solid", fgColor="DDDDDD"),
            border=BORDER,
        ),
        "text": NamedStyle("text", font=Font(name=FONT, size=10), alignment=wrap, border=BORDER),
        "date": NamedStyle(
            "date",
            font=Font(name=FONT, size=10),
            alignment=wrap,
            border=BORDER,
            number_format="yyyy-mm-dd",
        ),
        "number": NamedStyle(
            "number",
            font=Font(name=FONT, size=10),
            alignment=wrap,
            border=BORDER,
            number_format="0.00",
        ),
        "int": NamedStyle(
            "int", font=Font(name=FONT, size=10), alignment=wrap, border=BORDER, number_format="0"
        ),
        "section": NamedStyle("section", font=Font(name=FONT, size=12, bold=True)),
        "link": NamedStyle(
            "link",
            font=Font(name=FONT, size=10, color="0563C1", underline="single"),
            alignment=Alignment(wrap_text=True, vertical="bottom"),
            border=BORDER,
        ),
    }
    for style in styles.values():
        workbook.add_named_style(style)
    return workbook


def clean_text(value) -> str:
    """User text as it may stand in a cell, shown by Excel and LibreOffice exactly as typed.

    XML-illegal control characters go; a carriage return (which XML parsers turn into a line
    feed) is written as OOXML's `_x000D_`, and a literal `_xHHHH_` typed by a user is escaped
    (`_x005F_`) so that it is not read as such an escape.
    """
    text = ILLEGAL.sub("", str(value))
    text = OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return text.replace("\r", "_x000D_")


def _display_width(text: str) -> float:
    """Width in Latin characters: a Chinese character (3 bytes in UTF-8) counts as two."""
    return (len(text.encode("utf-8")) + len(text)) / 2


class PrintableSheet:
    """One worksheet: merged title, filters and export time, frozen filtered header, rows."""

    def __init__(
        self,
        workbook: Workbook,
        name: str,
        title: str,
        meta: str,
        columns: list[Column],
        header: bool = True,
    ):
        self.ws = workbook.create_sheet(name)
        self.ws._values_to_row = self._place_cells  # see _place_cells (openpyxl 3.1 write-only)
        self._styles = {}
        self.columns = columns
        self.row = 0
        last = get_column_letter(len(columns))
        for index, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self._setup_print(last)
        self.ws.merged_cells.add(f"A1:{last}1")
        self.ws.merged_cells.add(f"A2:{last}2")
        self.ws.row_dimensions[1].height = 30
        self.ws.row_dimensions[2].height = max(18, 15 * math.ceil(_display_width(meta) / 150))
        self.header = header
        if header:  # the sheet view is written with the first row: freeze before it
            self.ws.freeze_panes = "A4"
            self.ws.print_title_rows = "3:3"
        self._raw_row([self._cell(title, "title")])
        self._raw_row([self._cell(meta, "meta")])
        if header:
            self.ws.row_dimensions[3].height = 30
            self._raw_row([self._cell(c.header, "header") for c in columns])

    def _setup_print(self, last: str) -> None:
        ws = self.ws
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.font = FONT
        ws.evenFooter.center.text = "第 &P 页，共 &N 页"

    def _style(self, name: str):
        """The style array of a named style, worked out once per sheet (cheaper than per cell)."""
        if name not in self._styles:
            probe = WriteOnlyCell(self.ws)
            probe.style = name
            self._styles[name] = probe._style
        return self._styles[name]

    def _cell(self, value, style: str):
        cell = WriteOnlyCell(self.ws)
        cell._style = self._style(style)
        if isinstance(value, str):
            cell._value = clean_text(value)[:MAX_CELL_TEXT]
            cell.data_type = "s"  # text, never a formula
        elif value is not None:
            cell.value = value
        return cell

    @staticmethod
    def _place_cells(cells, row_index: int):
        """Replaces WriteOnlyWorksheet._values_to_row for rows made only of our own cells.

        openpyxl's version first tries each cell object as a *value* on a scratch cell and
        makes a new scratch cell after every styled one: half the export time. Our rows
        are always lists of WriteOnlyCell, so only the coordinates need setting.
        """
        for column_index, cell in enumerate(cells, start=1):
            cell.column, cell.row = column_index, row_index
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell

    def _raw_row(self, cells) -> None:
        self.ws.append(cells)
        self.row += 1
        # the row (with its height) is written now; keeping its dimension would grow memory
        self.ws.row_dimensions.pop(self.row, None)

    def typed_cell(self, value, column: Column):
        if value is None or value == "":
            return self._cell(None, "text")
        if column.kind == "date" and isinstance(value, date | datetime):
            return self._cell(value, "date")
        if column.kind in ("number", "int") and isinstance(value, int | float | Decimal):
            return self._cell(float(value) if isinstance(value, Decimal) else value, column.kind)
        return self._cell(str(value), "text")

    def append(self, values: list, pictures: list[Picture] = (), link: tuple | None = None) -> None:
        """Append one data row; pictures go into the last column's cell area."""
        row_number = self.row + 1
        cells = [self.typed_cell(v, c) for v, c in zip(values, self.columns, strict=False)]
        if link is not None:
            index, url, text = link
            cells[index] = self._cell(text, "link")
            cells[index].hyperlink = url
        self.ws.row_dimensions[row_number].height = self._height(values, pictures)
        self._raw_row(cells)
        for position, picture in enumerate(pictures):
            self._place(picture, row_number, len(self.columns) - 1, position)

    def _height(self, values: list, pictures) -> float:
        lines = 1
        for value, column in zip(values, self.columns, strict=False):
            if isinstance(value, str) and value:
                per_line = max(1.0, column.width * 1.1 - 1)
                wrapped = sum(
                    math.ceil(_display_width(p) / per_line) or 1 for p in value.split("\n")
                )
                lines = max(lines, wrapped)
        height = lines * POINTS_PER_LINE + 4
        if pictures:  # pictures on top, the link line below them
            height = max(height, max(p.height for p in pictures) * 0.75 + 8 + POINTS_PER_LINE)
        return min(height, 409)

    def _place(self, picture: Picture, row_number: int, column_index: int, position: int) -> None:
        image = DiskImage(picture.path, picture.width, picture.height)
        offset = pixels_to_EMU(4 + position * (picture.width + 4))
        marker = AnchorMarker(
            col=column_index, colOff=offset, row=row_number - 1, rowOff=pixels_to_EMU(4)
        )
        size = XDRPositiveSize2D(pixels_to_EMU(picture.width), pixels_to_EMU(picture.height))
        image.anchor = OneCellAnchor(_from=marker, ext=size)
        self.ws.add_image(image)

    def close(self) -> None:
        """Put the autofilter on the header row over every data row."""
        if not self.header:
            return
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A3:{last}{max(self.row, 3)}"


class PlainSheet:
    """A simple printable sheet of sections (for summaries): title, meta, then small tables."""

    def __init__(self, workbook: Workbook, name: str, title: str, meta: str, widths: list[float]):
        columns = [Column("", w) for w in widths]
        self.sheet = PrintableSheet(workbook, name, title, meta, columns, header=False)

    def section(self, heading: str, headers: list[str], rows: list[list]) -> None:
        sheet = self.sheet
        sheet._raw_row([])
        sheet._raw_row([sheet._cell(heading, "section")])
        sheet._raw_row([sheet._cell(h, "header") for h in headers])
        kinds = ["text"] + ["int"] * (len(headers) - 1)
        for row in rows:
            cells = [
                sheet.typed_cell(v, Column("", 10, k)) for v, k in zip(row, kinds, strict=False)
            ]
            sheet._raw_row(cells)
