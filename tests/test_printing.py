"""Every workbook and document printed through LibreOffice, and the printed pages measured.

pdftotext -bbox gives each word's box; for these CJK fonts the box is 1.3 times the type
size high, so the size printed is the height / 1.3.
"""

import os
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import instances
import pytest

from inspect_app import create_app
from inspect_app.extensions import db

BODY_POINTS = 10.5  # 五号
BOX_PER_POINT = 1.3
NO_LINE_START = "，。、；：？！）」"
FOOTER = re.compile(r"^(第\s*\d+\s*页，共\s*\d+\s*页|—\s*\d+\s*—|[—\d\s]+)$")
STATISTICS_HEADINGS = ("总计", "按问题类别", "按办理状态", "按视察组", "按镇街", "按承办单位")
SHEET_HEADINGS = {*STATISTICS_HEADINGS, "本周及累计", "二、发现的主要问题", "三、意见建议",
                  "一、本周开展情况", "四、下周安排"}  # fmt: skip
DOCUMENT_HEADING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
DOCUMENTS = {
    "ledger": ("export", "ledger", "--out", "{dir}/ledger.xlsx"),
    "ledger_a3": ("export", "ledger", "--paper", "A3", "--out", "{dir}/ledger_a3.xlsx"),
    "handover": ("export", "handover", "--assigned-from", "2000-01-01", "--out", "{dir}/handover"),
    "weekly": ("export", "weekly", "--group", "{group}", "--from", "2025-06-30", "--to",
               "2025-07-06", "--out", "{dir}/weekly.xlsx"),
    "weekly_word": ("export", "weekly", "--word", "--group", "{group}", "--from", "2025-06-30",
                    "--to", "2025-07-06", "--out", "{dir}/weekly_word.docx"),
    "weekly_long": ("export", "weekly", "--group", "{group}", "--from", "2025-07-21", "--to",
                    "2025-07-27", "--out", "{dir}/weekly_long.xlsx"),
    "report": ("export", "report", "--out", "{dir}/report.docx"),
}  # fmt: skip
# a problem described at length (15 lines in its column): its row must hold every line
LONG_DESCRIPTION = "".join(
    f"第{n}句，企业反映的情况写在这里，一直写到句末为止。" for n in range(1, 16)
)
# a 下周安排 at its longest (2,000 characters): it must print whole, over as many pages as it needs
LONG_PLAN = ("下周一至周五，组织代表分三批视察石龙镇、茶山镇的重大项目，重点了解用地审批和配套建设"
             "进展；会后汇总问题，报常委会办公室。" * 40)[:2000]  # fmt: skip


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice or poppler is missing: .ci/run installs them")
        pytest.skip("no LibreOffice (apt-get install libreoffice-calc libreoffice-writer)")
    return found


@pytest.fixture(scope="module")
def printed(demo_folder, tmp_path_factory) -> dict[str, Path]:
    """Every export written from the demo data, then converted to PDF in one LibreOffice run."""
    soffice = _soffice()
    folder = tmp_path_factory.mktemp("printed")
    url = instances.copy_of_demo(demo_folder, folder)  # SQLite or PostgreSQL, as the suite runs
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "PHOTO_ROOT": str(demo_folder / "photos"),
        }
    )
    runner = app.test_cli_runner()
    with app.app_context():
        from sqlalchemy import select

        from inspect_app.models import Group, Problem, WeeklyPlan

        group = db.session.scalar(select(Group.id).where(Group.town == "东城街道"))
        db.session.add(WeeklyPlan(group_id=group, week_start=date(2025, 7, 21), text=LONG_PLAN))
        first = db.session.scalar(select(Problem).where(Problem.code == "2025-01-001"))
        first.description = LONG_DESCRIPTION
        db.session.commit()
        db.session.remove()
    for args in DOCUMENTS.values():
        args = [a.format(dir=folder, group=group) for a in args]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    instances.drop(url)
    sources = [p for p in folder.rglob("*") if p.suffix in (".xlsx", ".docx")]
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder / "pdf"), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    pdfs = {p.stem: p for p in (folder / "pdf").glob("*.pdf")}
    assert len(pdfs) == len(sources)
    return pdfs


def words(pdf: Path) -> list[dict]:
    """Every word of the PDF: page, box and text."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = {k: float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")}
            found.append({"page": number, "text": word.text or "", **box})
    return found


def lines_by_page(found: list[dict]) -> dict[int, list[str]]:
    """Text lines of each page, top to bottom (words on the same baseline joined)."""
    rows = defaultdict(list)
    for word in found:
        rows[(word["page"], round(word["yMax"]))].append(word)
    pages = defaultdict(list)
    for (page, _y), line in sorted(rows.items()):
        pages[page].append("".join(w["text"] for w in sorted(line, key=lambda w: w["xMin"])))
    return pages


def pages_with_images(pdf: Path) -> set[int]:
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return {int(line.split()[0]) for line in listing if line.strip()}


def printed_points(word: dict) -> float:
    return (word["yMax"] - word["yMin"]) / BOX_PER_POINT


def assert_readable(pdf: Path, headings=SHEET_HEADINGS, heading_pattern=None) -> list[dict]:
    found = words(pdf)
    assert found, pdf.name
    small = [w for w in found if printed_points(w) < BODY_POINTS - 0.05]
    assert not small, f"{pdf.name}: {[(w['text'], round(printed_points(w), 1)) for w in small[:5]]}"
    pictured = pages_with_images(pdf)
    pages = lines_by_page(found)
    for page in range(1, max(pages) + 1):
        content = [line for line in pages.get(page, []) if not FOOTER.match(line)]
        assert content or page in pictured, f"{pdf.name}: page {page} is empty"
        if not content:
            continue
        last = content[-1]
        lone = last in headings or (heading_pattern and heading_pattern.match(last))
        assert not lone, f"{pdf.name}: page {page} ends with the heading {last!r}"
    for word in found:  # a word that starts a line never starts with closing punctuation
        if word["text"][:1] in NO_LINE_START:
            before = [
                w for w in found
                if w["page"] == word["page"] and abs(w["yMax"] - word["yMax"]) < 1
                and 0 <= word["xMin"] - w["xMax"] < 14
            ]  # fmt: skip
            assert before, f"{pdf.name}: a line starts with {word['text']!r}"
    return found


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_ledger_prints_readably_on_a4_and_a3(printed):
    for name in ("ledger", "ledger_a3"):
        found = assert_readable(printed[name])
        pages = max(w["page"] for w in found)
        assert "2025年重大项目集中视察问题台账" in text_of(printed[name])
        assert pages < 80
        for page in range(1, pages + 1):  # the parts repeat 序号 and 编号 of every row: the
            on_page = [w for w in found if w["page"] == page]  # filters line stays clear of them
            heads = [w for w in on_page if w["text"] == "编号"]
            for line in (w for w in on_page if w["text"].startswith("筛选条件") and heads):
                assert line["xMin"] > heads[0]["xMax"] + 30, f"{name}: page {page} cut"
    a4, a3 = (max(w["page"] for w in words(printed[n])) for n in ("ledger", "ledger_a3"))
    assert a3 < a4


def assert_signed_with_text(pdf: Path, office: str = "东莞市人大常委会办公室") -> None:
    """The 落款 (office and date) shares its page with the end of the text (GB/T 9704)."""
    pages = lines_by_page(words(pdf))
    signed = [n for n, lines in pages.items()
              if any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t) for t in lines)
              and office in lines]  # fmt: skip
    assert signed, pdf.name
    lines = [t for t in pages[signed[0]] if not FOOTER.match(t)]
    before = lines[: lines.index(office)]
    assert len([t for t in before if t]) >= 2, f"{pdf.name}: 落款 alone on page {signed[0]}"


def test_handover_prints_with_its_number_and_reply_date(printed):
    sheets = [p for name, p in printed.items() if name.startswith("交办单_")]
    letters = [p for name, p in printed.items() if name.startswith("交办函_")]
    assert sheets and len(sheets) == len(letters)
    for pdf in sheets:
        found = assert_readable(pdf)
        last = max(w["page"] for w in found)
        assert row_tops(found, last), f"{pdf.name}: no problem on the last page"
        for page, lines in lines_by_page(found).items():  # signed and stamped on every page
            assert any(t.startswith("承办单位（盖章）") for t in lines), (pdf.name, page)
        text = text_of(pdf).replace(" ", "")
        assert "问题交办单" in text and re.search(r"莞人常办交〔\d{4}〕\d+号", text)
        assert re.search(r"请于\d{4}年\d{1,2}月\d{1,2}日前书面答复", text)
        assert "办理情况（由承办单位填写）" in text
    for pdf in letters:
        found = assert_readable(pdf, headings=set(), heading_pattern=DOCUMENT_HEADING)
        assert_signed_with_text(pdf)
        pages = lines_by_page(found)
        attached = min(n for n, lines in pages.items() if "附件" in lines)
        table = [t for n, lines in pages.items() if n >= attached for t in lines]
        cells = [w["text"] for w in found if w["page"] >= attached]
        assert "序号" in cells, pdf.name  # the attached 交办单's narrow column, on one line
        days = [d for t in table for d in re.findall(r"\d{1,2}月(\d{1,2}日)?", t)]
        assert days and all(days), pdf.name  # 办理时限: 月 and 日 on the same line
        lines = text_of(pdf).replace(" ", "").split("\n")
        assert "发现问题的函" in lines  # the title's second line, not 的函 alone
        text = "".join(lines)
        assert "关于交办2025年重大项目集中视察发现问题的函" in text
        assert re.search(r"莞人常办交〔\d{4}〕\d+号", text)
        assert re.search(r"于\d{4}年\d{1,2}月\d{1,2}日前将办理情况书面答复", text)
        assert "东莞市人大常委会办公室" in text


def test_weekly_prints_on_one_page_with_its_summary(printed):
    for name in ("weekly", "weekly_word"):
        pattern = DOCUMENT_HEADING if name == "weekly_word" else None
        found = assert_readable(printed[name], heading_pattern=pattern)
        assert max(w["page"] for w in found) == 1, name
        text = text_of(printed[name]).replace(" ", "").replace("\n", "")
        assert "本周（2025年6月30日至7月6日），东城街道视察组" in text
        assert "视察了2个项目" in text and "本组累计" in text
        assert "报送单位：东城街道视察组" in text


def test_report_prints_readably(printed):
    found = assert_readable(printed["report"], headings=set(), heading_pattern=DOCUMENT_HEADING)
    assert_signed_with_text(printed["report"])
    text = text_of(printed["report"]).replace(" ", "").replace("\n", "")
    assert "关于2025年重大项目集中视察情况的报告" in text
    assert "办结率" in text and "亿元" in text
    assert max(w["page"] for w in found) >= 2


def test_a_long_plan_prints_whole_and_inside_the_page(printed):
    """A 2,000-character 下周安排 flows over pages: every character printed, nothing over the
    footer, and its heading stays with the start of its text."""
    pdf = printed["weekly_long"]
    found = assert_readable(pdf)
    for page in {w["page"] for w in found}:
        on_page = [w for w in found if w["page"] == page]
        footer = max(w["yMax"] for w in on_page if w["text"] == "第")
        body = [w for w in on_page if abs(w["yMax"] - footer) >= 1]
        assert max(w["yMax"] for w in body) < footer - 11, f"page {page}: text over the footer"
    period = "2025年7月21日至7月27日"  # the page header
    lines = [line.strip() for line in text_of(pdf).splitlines()]
    printed_text = "".join(line for line in lines if not FOOTER.match(line) and line != period)
    assert LONG_PLAN in re.sub(r"\s", "", printed_text)


def test_statistics_blocks_each_print_on_one_page_without_empty_pages(printed):
    """The 统计 sheet (the ledger's last): every printed page starts with a block, none runs
    over a page, and the short blocks share the first page instead of leaving it empty."""
    for name in ("ledger", "ledger_a3"):
        pages = lines_by_page(words(printed[name]))
        first = next(n for n, lines in pages.items() if any("（统计）" in t for t in lines))
        statistics = {n: [t for t in lines if not FOOTER.match(t)] for n, lines in pages.items()
                      if n >= first}  # fmt: skip
        starts = [
            next(t for t in lines if t in STATISTICS_HEADINGS) for lines in statistics.values()
        ]
        for number, lines in statistics.items():
            body = lines[lines.index(starts[number - first]) :]
            assert body[0] in STATISTICS_HEADINGS and (number == first or lines[0] == body[0])
        assert starts[0] == "总计"
        assert sum(t in STATISTICS_HEADINGS for t in statistics[first]) >= 3, name
        assert sorted(t for lines in statistics.values() for t in lines
                      if t in STATISTICS_HEADINGS) == sorted(STATISTICS_HEADINGS)  # fmt: skip


def test_ledger_prints_labels_and_names_whole(printed, app):
    """On the printed problem sheet a town, a category or a deputy's name is never broken
    over two lines (the narrow columns broke 东城街道 and 邓德明 into pieces)."""
    from sqlalchemy import text

    with app.app_context():
        towns = set(db.session.scalars(text(
            "SELECT DISTINCT project.town FROM problem JOIN visit ON visit.id = problem.visit_id"
            " JOIN project ON project.id = visit.project_id")))  # fmt: skip
        names = set(db.session.scalars(text(
            'SELECT DISTINCT u.name FROM problem_raiser r JOIN "user" u ON u.id = r.user_id'
        )))  # fmt: skip
    categories = {"审批", "用地", "资金", "人才", "基础设施", "配套", "政策落实", "营商环境"}
    for name in ("ledger", "ledger_a3"):
        found = words(printed[name])
        pages = lines_by_page(found)
        end = next(n for n, lines in pages.items() if any("（意见建议）" in t for t in lines))
        texts = [w["text"] for w in found if w["page"] < end]
        for whole in sorted(towns | names | categories):
            assert any(whole in t for t in texts), f"{name}: {whole} broken over lines"


def row_tops(found: list[dict], page: int) -> list[float]:
    """The top of each table row on a page: where its 序号 (a number in the first column) is."""
    header = min((w for w in found if w["page"] == page and w["text"] == "序号"),
                 key=lambda w: w["yMin"], default=None)  # fmt: skip
    if header is None:
        return []
    return sorted(
        w["yMin"] for w in found
        if w["page"] == page and w["text"].isdigit() and w["yMin"] > header["yMax"]
        and w["xMin"] >= header["xMin"] - 6 and w["xMax"] <= header["xMax"] + 6
    )  # fmt: skip


def test_every_line_of_a_row_prints_inside_it(printed):
    """A row is as tall as LibreOffice prints its lines: a 15-line 问题描述 is not cut at its
    last line (rows counted at Excel's 15 pt a line lost one line in fifteen)."""
    for name in ("ledger", "ledger_a3"):
        found = words(printed[name])
        texts = "".join(w["text"] for w in found)
        assert "第15句" in texts and "一直写到句末为止。" in texts
        for page in {w["page"] for w in found}:
            tops = row_tops(found, page)
            for word in (w for w in found if w["page"] == page and tops):
                below = [top for top in tops if top > word["yMin"] + 1]
                if below:  # a word of one row never reaches into the next row
                    assert word["yMax"] <= below[0] + 1, f"{name} p{page}: {word['text']}"
