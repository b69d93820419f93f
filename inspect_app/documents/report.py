"""视察报告: the campaign's summary report for the standing committee (Word, a first draft)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from inspect_app.documents.charts import bar_chart
from inspect_app.documents.fonts import DocumentFonts
from inspect_app.documents.layout import WU_HAO, Paper
from inspect_app.spreadsheets.sheets import Progress, no_progress
from inspect_app.spreadsheets.wording import cn_date, cn_ordinal, percent, yi_yuan


@dataclass
class CampaignReport:
    """The figures of one campaign, gathered by the caller."""

    title: str
    office: str
    starts_on: date | None
    ends_on: date | None
    reported_on: date
    city_groups: int
    town_groups: int
    deputies: int
    projects: int
    investment: Decimal | None  # 亿元, of the projects visited
    visits: int
    problems: int
    suggestions: int
    assigned: int
    closed: int
    closing_rate: float | None  # 办结率
    satisfaction_rate: float | None  # 满意率
    in_time_rate: float | None  # 按期答复率
    groups: list[list] = field(default_factory=list)  # 视察组, 代表, 项目, 视察, 问题, 建议
    categories: list[list] = field(default_factory=list)  # 类别, 问题, 交办, 办结, 3 rates
    departments: list[list] = field(default_factory=list)  # 主办单位, 问题, 交办, 办结, 3 rates
    main_problems: list[str] = field(default_factory=list)


GROUP_HEADERS = ["视察组", "参加代表", "视察项目", "视察次数", "发现问题", "意见建议"]
RATE_HEADERS = ["问题数", "已交办", "已办结", "办结率", "满意率", "按期答复率"]


def headline(report: CampaignReport) -> str:
    span = ""
    if report.starts_on and report.ends_on:
        span = f"{cn_date(report.starts_on)}至{cn_date(report.ends_on)}，"
    money = f"，总投资{yi_yuan(report.investment)}" if report.investment else ""
    return (
        f"{span}市人大常委会组织开展{report.title}。全市组成“{report.city_groups}+"
        f"{report.town_groups}”视察组，{report.deputies} 名代表参加，视察重大项目 "
        f"{report.projects} 个{money}，开展视察 {report.visits} 次，发现问题 {report.problems} 个，"
        f"收集意见建议 {report.suggestions} 条。"
    )


def handling(report: CampaignReport) -> str:
    return (
        f"截至{cn_date(report.reported_on)}，已交办问题 {report.assigned} 个，已办结 "
        f"{report.closed} 个，办结率 {percent(report.closing_rate)}；代表满意率 "
        f"{percent(report.satisfaction_rate)}，按期答复率 {percent(report.in_time_rate)}。"
    )


def group_total(report: CampaignReport) -> list:
    """合计 under the groups' table: the campaign's own totals (a deputy or a project counted
    once, though two groups may share it)."""
    return ["合计", report.deputies, report.projects, report.visits, report.problems,
            report.suggestions]  # fmt: skip


def _rate_row(row: list) -> list:
    return [row[0], row[1], row[2], row[3], percent(row[4]), percent(row[5]), percent(row[6])]


def charts(report: CampaignReport, font_path: str | None) -> list[bytes]:
    """The dashboard's charts drawn from the report's own figures."""
    categories = [r[0] for r in report.categories]
    departments = report.departments[:12]
    return [
        bar_chart(
            "问题类别分布",
            categories,
            [("问题数", [r[1] for r in report.categories])],
            " 个",
            font_path,
        ),
        bar_chart(
            "主办单位办理情况",
            [r[0] for r in departments],
            [("已交办", [r[2] for r in departments]), ("已办结", [r[3] for r in departments])],
            " 个",
            font_path,
        ),
        bar_chart(
            "主办单位办结率",
            [r[0] for r in departments],
            [("办结率", [r[4] or 0 for r in departments])],
            "",
            font_path,
            percent=True,
        ),
    ]


def write_report(
    stream: BinaryIO,
    report: CampaignReport,
    fonts: DocumentFonts,
    font_path: str | None = None,
    progress: Progress = no_progress,
) -> int:
    """Write the 视察报告; return the number of main problems listed."""
    paper = Paper(fonts)
    images = charts(report, font_path)
    paper.title(f"关于{report.title}情况的报告")
    paper.line(report.office, align="center")
    paper.heading("一、基本情况")
    paper.line(headline(report), indent=True)
    paper.line(handling(report), indent=True)
    paper.heading("二、各视察组开展情况")
    paper.table(
        GROUP_HEADERS, [*report.groups, group_total(report)], (46, 22, 22, 22, 22, 22), size=WU_HAO
    )
    paper.heading("三、发现问题及办理情况")
    paper.subheading("（一）按问题类别")
    paper.table(
        ["问题类别", *RATE_HEADERS],
        [_rate_row(r) for r in report.categories],
        (30, 18, 18, 18, 24, 24, 24),
        size=WU_HAO,
    )
    paper.picture(images[0], 150)
    paper.subheading("（二）按主办单位")
    paper.table(
        ["主办单位", *RATE_HEADERS],
        [_rate_row(r) for r in report.departments],
        (40, 16, 16, 16, 22, 22, 24),
        size=WU_HAO,
    )
    paper.picture(images[1], 150)
    paper.picture(images[2], 150)
    paper.heading("四、主要问题")
    for number, text in enumerate(report.main_problems, start=1):
        paper.line(f"{number}. {text}", indent=True)
    paper.heading("五、下一步工作建议")
    paper.line(
        f"{cn_ordinal(1)}是对未办结的 {report.assigned - report.closed} 个问题继续跟踪督办；"
        f"{cn_ordinal(2)}是对超期未答复的问题约谈承办单位；{cn_ordinal(3)}是组织代表对办理结果"
        "进行满意度测评。（本节为初稿，请工作人员修改完善。）",
        indent=True,
    )
    paper.signature(report.office, cn_date(report.reported_on))
    paper.save(stream)
    progress(report.problems, report.problems)
    return len(report.main_problems)
