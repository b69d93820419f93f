"""The 周报's written summary, in full sentences, from the week's figures."""

from inspect_app.spreadsheets.rows import WeekFigures, WeeklyReport
from inspect_app.spreadsheets.wording import cn_date


def period(report: WeeklyReport) -> str:
    end = f"{report.end.month}月{report.end.day}日"
    if report.end.year != report.start.year:
        end = cn_date(report.end)
    return f"{cn_date(report.start)}至{end}"


def _categories(figures: WeekFigures) -> str:
    return "、".join(f"{name}（{n} 个）" for name, n in figures.categories[:4])


def week_sentences(report: WeeklyReport) -> str:
    week, group = report.week, report.group
    if not week.visits:
        text = f"本周（{period(report)}），{group}未开展视察活动"
        if week.problems or week.suggestions:
            text += f"，补充问题 {week.problems} 个、意见建议 {week.suggestions} 条"
        return text + "。"
    names = "、".join(week.project_names[:3]) + ("等" if len(week.project_names) > 3 else "")
    text = (
        f"本周（{period(report)}），{group} {week.deputies} 名代表视察了 {week.projects} 个项目"
        f"（{names}），开展视察 {week.visits} 次，发现问题 {week.problems} 个，"
        f"提出意见建议 {week.suggestions} 条。"
    )
    if week.categories:
        text += f"发现的问题主要涉及{_categories(week)}。"
    return text


def total_sentences(report: WeeklyReport) -> str:
    total = report.total
    return (
        f"截至{cn_date(report.end)}，本组累计开展视察 {total.visits} 次，视察项目 "
        f"{total.projects} 个，参加代表 {total.deputies} 人，发现问题 {total.problems} 个、"
        f"提出意见建议 {total.suggestions} 条；其中已交办 {total.assigned} 个，"
        f"已办结 {total.closed} 个。"
    )


FIGURE_HEADERS = ["", "视察（次）", "项目（个）", "代表（人）", "问题（个）", "建议（条）",
                  "已交办", "已办结"]  # fmt: skip


def figure_rows(report: WeeklyReport) -> list[list]:
    """本周 and 累计, one row each."""
    return [
        [label, f.visits, f.projects, f.deputies, f.problems, f.suggestions, f.assigned, f.closed]
        for label, f in (("本周", report.week), ("累计", report.total))
    ]


def reporting_line(report: WeeklyReport) -> str:
    return (
        f"报送单位：{report.group}　　联络员：{report.secretaries or '—'}　　"
        f"报送日期：{cn_date(report.reported_on)}"
    )
