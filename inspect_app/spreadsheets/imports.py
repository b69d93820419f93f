"""Reading 重大项目清单 and 代表名单 from .xlsx: headers matched by name, every bad cell reported.

Pure: bytes in, rows and errors out. Nothing is written anywhere unless the caller sees
no errors at all.

Only the cells really in the file are read: a sheet may declare any `<dimension>` (a
156 KB file claiming A1:XFD1048576 once cost 2.7 GB and 34 s), so the declared size is
ignored, columns are cut at MAX_COLUMNS, data past MAX_SHEET_ROW is refused, and the zip
may not inflate past MAX_UNPACKED_BYTES (which bounds the XML parsed).
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 60  # the templates have 10; extra columns are ignored anyway
MAX_SHEET_ROW = 50_000  # any row below this one (even a blank, formatted one) is refused
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # 20,000 rows of long Chinese text need about 30 MB
MAX_ECHO_CHARS = 40  # how much of a bad cell an error message repeats
PHONE = re.compile(r"^1\d{10}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class FieldSpec:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text | decimal | float | phone | choice
    choices: tuple = ()  # for kind == "choice": the allowed values
    aliases: tuple = ()
    max_length: int = 200
    note: str = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.message}"


@dataclass
class ReadResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def normalize_header(text) -> str:
    """Full-width to half-width, no spaces at all, lower case: '项目名称 ' == '项目名称'."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


def _open(data: bytes):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("这不是 Excel 文件（.xlsx）。请用本页提供的模板填写后上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError("文件已损坏或不是 Excel 文件（.xlsx），无法读取。") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError("文件解压后太大，无法导入。请只保留需要导入的工作表和行。")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("文件已损坏或不是 Excel 文件（.xlsx），无法读取。") from exc


def _sheet_rows(sheet) -> list[tuple[int, tuple]]:
    """(row number, values) of every non-blank row, read within the bounds above."""
    sheet.reset_dimensions()  # ignore the declared <dimension>: read what is there
    rows = []
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        if number > MAX_SHEET_ROW:
            raise ImportFileError(
                f"表格第 {MAX_SHEET_ROW} 行以下还有内容（也可能只是格式）。"
                f"一次最多导入 {MAX_ROWS} 行，请删除多余的行后再导入。"
            )
        if not any(v is not None and v != "" for v in row):
            continue  # blank, or formatted only
        if len(rows) >= MAX_ROWS + HEADER_SCAN_ROWS:
            raise ImportFileError(f"行数太多：一次最多导入 {MAX_ROWS} 行。")
        rows.append((number, row))
    return rows


def _find_header(rows: list[tuple], specs: list[FieldSpec]) -> tuple[int, dict[str, int]]:
    wanted = {s.key: {normalize_header(h) for h in (s.header, *s.aliases)} for s in specs}
    for index, (_number, row) in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = [normalize_header(v) for v in row]
        positions = {}
        for spec in specs:
            for column, name in enumerate(names):
                if name and name in wanted[spec.key]:
                    positions[spec.key] = column
                    break
        if all(s.key in positions for s in specs if s.required):
            return index, positions
    required = "、".join(s.header for s in specs if s.required)
    raise ImportFileError(f"没有找到表头。第一行应包含这些列：{required}。请使用本页提供的模板。")


def read_rows(data: bytes, specs: list[FieldSpec]) -> ReadResult:
    """Every data row as a dict keyed by spec.key (with '_row': its row number), and all errors."""
    workbook = _open(data)
    try:
        rows = _sheet_rows(workbook.worksheets[0])
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise ImportFileError("文件已损坏或不是 Excel 文件（.xlsx），无法读取。") from exc
    finally:
        workbook.close()
    header_index, positions = _find_header(rows, specs)
    result = ReadResult()
    for offset, row in rows[header_index + 1 :]:
        values = {s.key: _cell(row, positions.get(s.key)) for s in specs}
        if all(v in (None, "") for v in values.values()):
            continue
        parsed = {"_row": offset}
        for spec in specs:
            value, message = parse_value(spec, values[spec.key])
            if message:
                result.errors.append(RowError(offset, spec.header, message))
            parsed[spec.key] = value
        result.rows.append(parsed)
    if not result.rows and not result.errors:
        raise ImportFileError("表格里没有数据行。")
    return result


def _cell(row: tuple, position: int | None):
    if position is None or position >= len(row):
        return None
    value = row[position]
    return value.strip() if isinstance(value, str) else value


def parse_value(spec: FieldSpec, value) -> tuple[object, str | None]:
    """(the value as stored, or None; an error message in Chinese, or None)."""
    if value is None or value == "":
        return None, ("不能为空" if spec.required else None)
    if spec.kind == "decimal":
        return _decimal(value)
    if spec.kind == "float":
        try:
            return float(value), None
        except (TypeError, ValueError):
            return None, f"应为数字，现为“{echo(value)}”"
    text = _text(value)
    if spec.kind == "phone":
        digits = re.sub(r"[\s-]", "", text)
        if not PHONE.match(digits):
            return None, f"手机号应为 1 开头的 11 位数字，现为“{echo(text)}”"
        return digits, None
    if spec.kind == "choice" and text not in spec.choices:
        return None, f"应为 {'、'.join(spec.choices)} 之一，现为“{echo(text)}”"
    if len(text) > spec.max_length:
        return None, f"太长：最多 {spec.max_length} 个字"
    return text, None


def echo(value) -> str:
    """A cell's value as an error message may repeat it: one line, at most MAX_ECHO_CHARS."""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 1] + "…"


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _decimal(value) -> tuple[Decimal | None, str | None]:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None, f"应为数字（单位：亿元），现为“{echo(value)}”"
    if not number.is_finite() or number < 0:
        return None, f"应为不小于 0 的数字，现为“{echo(value)}”"
    return number.quantize(Decimal("0.01")), None


def duplicate_errors(rows: list[dict], key: str, header: str) -> list[RowError]:
    """A value that appears on two rows of the file is an error on the later row."""
    seen, errors = {}, []
    for row in rows:
        value = row.get(key)
        if value is None:
            continue
        if value in seen:
            errors.append(RowError(row["_row"], header, f"与第 {seen[value]} 行重复"))
        else:
            seen[value] = row["_row"]
    return errors


def template_workbook(title: str, specs: list[FieldSpec]) -> bytes:
    """A blank template: the header row, and a sheet that explains each column."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_numbers": False})
    header = workbook.add_format({"font_name": "宋体", "bold": True, "bg_color": "#DDDDDD"})
    wrap = workbook.add_format({"font_name": "宋体", "text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(title)
    for column, spec in enumerate(specs):
        sheet.write_string(0, column, spec.header, header)
        sheet.set_column(column, column, max(12, len(spec.header) * 2 + 4))
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("填写说明")
    notes.set_column(0, 1, 14, wrap)
    notes.set_column(2, 2, 60, wrap)
    for row, values in enumerate(
        [["列名", "是否必填", "说明"]]
        + [
            [
                spec.header,
                "必填" if spec.required else "选填",
                spec.note + (f"可填：{'、'.join(spec.choices)}。" if spec.choices else ""),
            ]
            for spec in specs
        ]
    ):
        for column, value in enumerate(values):
            notes.write_string(row, column, value, wrap)
    workbook.close()
    return out.getvalue()
