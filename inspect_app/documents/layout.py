"""A 公文-shaped Word document on python-docx: A4, the standard margins, CJK fonts, tables."""

import io
import re
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from inspect_app.documents.fonts import DocumentFonts

# 字号 in points
ER_HAO, SAN_HAO, XIAO_SAN, SI_HAO, XIAO_SI, WU_HAO = 22, 16, 15, 14, 12, 10.5
FIGURE = re.compile(r"\d+(\.\d+)?%?|—")  # a count, a rate, or none
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    """User text as Word may hold it: XML-illegal characters go, a CR becomes a line feed."""
    return ILLEGAL.sub("", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")


def _east_asian(element, name: str) -> None:
    """python-docx sets only the Latin font name; Chinese text reads w:eastAsia."""
    r_pr = element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.append(r_fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        r_fonts.set(qn(attribute), name)


class Paper:
    """A Word document being written: styles set up once, then paragraphs and tables."""

    def __init__(self, fonts: DocumentFonts, landscape: bool = False, compact: bool = False):
        """`compact`: 四号 on 20 pt lines and 25 mm margins, for a one-page 周报."""
        self.fonts = fonts
        self.size = SI_HAO if compact else SAN_HAO
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        # GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        if landscape or compact:
            section.top_margin, section.bottom_margin = Mm(25), Mm(25)
            section.left_margin, section.right_margin = Mm(25), Mm(25)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(self.size)
        normal.font.name = fonts.body
        _east_asian(normal.element, fonts.body)
        normal.paragraph_format.line_spacing = Pt(20 if compact else 28)
        normal.paragraph_format.space_after = Pt(0)
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        """Footer: — 1 — in the middle, as 公文 number their pages."""
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(paragraph, "— ", XIAO_SI)
        run = self._run(paragraph, "", XIAO_SI)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                field = OxmlElement("w:fldChar")
                field.set(qn("w:fldCharType"), kind)
                run._r.append(field)
            else:
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = text
                run._r.append(instruction)
        self._run(paragraph, " —", XIAO_SI)

    def _run(self, paragraph, text: str, size: float, font: str | None = None, bold=False):
        run = paragraph.add_run(clean(text))
        run.font.size = Pt(size)
        run.bold = bold
        name = font or self.fonts.body
        run.font.name = name
        _east_asian(run._r, name)
        return run

    def title(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(36)
        paragraph.paragraph_format.space_after = Pt(self.size if self.size == SAN_HAO else 4)
        paragraph.paragraph_format.keep_with_next = True
        self._run(paragraph, text, ER_HAO, self.fonts.title)

    def line(
        self,
        text: str,
        align: str = "left",
        size: float | None = None,
        indent=False,
        font: str | None = None,
        bold=False,
        keep=False,
    ):
        size = size or self.size
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = {
            "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)
        if keep:
            paragraph.paragraph_format.keep_with_next = True
        if size < self.size:
            paragraph.paragraph_format.line_spacing = Pt(size * 1.5)
        for part_index, part in enumerate(clean(text).split("\n")):
            if part_index:
                self._run(paragraph, "", size).add_break()
            self._run(paragraph, part, size, font, bold)
        return paragraph

    def heading(self, text: str) -> None:
        """一级标题 in 黑体, kept with what follows (never alone at a page foot)."""
        self.line(text, indent=True, font=self.fonts.heading, keep=True)

    def subheading(self, text: str) -> None:
        self.line(text, indent=True, bold=True, keep=True)

    def signature(self, office: str, day: str) -> None:
        """落款 and date, right-aligned with a four-character margin as 公文 do; never alone
        on a page (GB/T 9704): the last two paragraphs of the text go over with them."""
        for paragraph in self.doc.paragraphs[-2:]:
            paragraph.paragraph_format.keep_with_next = True
        self.line("", keep=True)
        for text in (office, day):
            paragraph = self.line(text, align="right", keep=text == office)
            paragraph.paragraph_format.right_indent = Pt(self.size * 2)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence],
        widths_mm: Sequence[float],
        size: float = XIAO_SI,
        min_height_mm: float | None = None,
    ):
        """A bordered table; the header row repeats on every page; rows never split."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)  # the grid, which LibreOffice reads
        header = table.rows[0]
        self._no_split(header, repeat=True)
        for cell, text, width in zip(header.cells, headers, widths_mm, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.line_spacing = Pt(size * 1.4)
            self._run(paragraph, text, size, self.fonts.heading)
        for values in rows:
            row = table.add_row()
            self._no_split(row)
            if min_height_mm:
                row.height = Mm(min_height_mm)
            for cell, value, width in zip(row.cells, values, widths_mm, strict=True):
                cell.width = Mm(width)
                paragraph = cell.paragraphs[0]
                if FIGURE.fullmatch(str(value)):  # numbers and rates in the middle, as tabled
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.line_spacing = Pt(size * 1.4)
                paragraph.paragraph_format.first_line_indent = None
                self._run(paragraph, "" if value is None else str(value), size)
        return table

    @staticmethod
    def _no_split(row, repeat: bool = False) -> None:
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)
        if repeat:
            tr_pr.append(OxmlElement("w:tblHeader"))

    def picture(self, png: bytes, width_mm: float) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))

    def save(self, stream) -> None:
        self.doc.save(stream)
