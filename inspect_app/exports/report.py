"""The figures of the 视察报告: small queries over one campaign, within the user's scope."""

from collections import Counter
from decimal import Decimal
from typing import BinaryIO

from sqlalchemy import func, select

from inspect_app.access import suggestion_scope, visit_scope
from inspect_app.dashboard import stats
from inspect_app.documents.charts import chart_font_path
from inspect_app.documents.fonts import document_fonts
from inspect_app.documents.report import CampaignReport, write_report
from inspect_app.exports.figures import export_scope, rates
from inspect_app.exports.services import ExportContext, problem_query, problem_rows
from inspect_app.extensions import db
from inspect_app.listing.filters import Filters
from inspect_app.models import Campaign, Group, GroupLevel, Problem, Project, Suggestion, Visit
from inspect_app.models.records import visit_attendee
from inspect_app.settings.office import office_settings
from inspect_app.spreadsheets.sheets import Progress, no_progress
from inspect_app.spreadsheets.wording import with_project

MAIN_PROBLEMS = 20


def _visit_figures(ctx: ExportContext, campaign: Campaign) -> dict:
    visits = select(Visit.id, Visit.group_id, Visit.project_id).where(
        Visit.campaign_id == campaign.id, visit_scope(ctx.user)
    )
    rows = db.session.execute(visits).all()
    ids = [r.id for r in rows]
    attendees = db.session.execute(
        select(visit_attendee.c.visit_id, visit_attendee.c.user_id).where(
            visit_attendee.c.visit_id.in_(ids)
        )
    ).all()
    group_of = {r.id: r.group_id for r in rows}
    by_group = {}
    for row in rows:
        entry = by_group.setdefault(
            row.group_id, {"visits": 0, "projects": set(), "deputies": set()}
        )
        entry["visits"] += 1
        entry["projects"].add(row.project_id)
    for visit_id, user_id in attendees:
        by_group[group_of[visit_id]]["deputies"].add(user_id)
    projects = {r.project_id for r in rows}
    investment = db.session.scalar(
        select(func.sum(Project.investment)).where(Project.id.in_(projects))
    )
    return {
        "visits": len(rows),
        "projects": len(projects),
        "deputies": len({u for _v, u in attendees}),
        "investment": Decimal(investment) if investment else None,
        "by_group": by_group,
    }


def _suggestions(ctx: ExportContext, campaign: Campaign) -> Counter:
    query = (
        select(Suggestion.group_id, func.count())
        .where(Suggestion.campaign_id == campaign.id, suggestion_scope(ctx.user))
        .group_by(Suggestion.group_id)
    )
    return Counter(dict(db.session.execute(query).all()))


def campaign_report(ctx: ExportContext, campaign: Campaign) -> CampaignReport:
    ctx.images = False
    filters = Filters(campaign_id=campaign.id)
    query = problem_query(ctx.user, filters)
    scope = export_scope(ctx.user, filters, query.with_only_columns(Problem.id).order_by(None))
    by_group_problems = Counter()
    main = []
    for row in problem_rows(query, ctx):
        by_group_problems[row.group] += 1
        main.append(row)
    visits = _visit_figures(ctx, campaign)
    suggestions = _suggestions(ctx, campaign)
    groups = list(
        db.session.scalars(
            select(Group)
            .where(Group.campaign_id == campaign.id)
            .order_by(Group.sort_order, Group.id)
        )
    )
    group_rows = []
    for group in groups:
        entry = visits["by_group"].get(group.id)
        if entry is None and not by_group_problems[group.name]:
            continue
        entry = entry or {"visits": 0, "projects": set(), "deputies": set()}
        group_rows.append(
            [
                group.name,
                len(entry["deputies"]),
                len(entry["projects"]),
                entry["visits"],
                by_group_problems[group.name],
                suggestions[group.id],
            ]
        )
    total = stats.headline(scope, ctx.today)["figures"]
    categories = sorted(
        (_rates(f) for f in stats.by_category(scope, ctx.today)), key=lambda r: -r[1]
    )
    departments = sorted(
        (_rates(f) for f in stats.by_department(scope, ctx.today, every=False) if f.problems),
        key=lambda row: -row[1],
    )
    category_rank = {name: index for index, (name, *_r) in enumerate(categories)}
    main.sort(key=lambda r: (category_rank.get(r.category, 99), r.code))
    return CampaignReport(
        title=campaign.title,
        office=office_settings().office_name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        reported_on=ctx.today,
        city_groups=sum(1 for g in groups if g.level == GroupLevel.CITY),
        town_groups=sum(1 for g in groups if g.level != GroupLevel.CITY),
        deputies=visits["deputies"],
        projects=visits["projects"],
        investment=visits["investment"],
        visits=visits["visits"],
        problems=total.problems,
        suggestions=sum(suggestions.values()),
        assigned=total.assigned,
        closed=total.closed,
        closing_rate=rates(total)[0],
        satisfaction_rate=rates(total)[1],
        in_time_rate=rates(total)[2],
        groups=group_rows,
        categories=categories,
        departments=departments,
        main_problems=[_problem_line(r) for r in main[:MAIN_PROBLEMS]],
    )


def _rates(f: stats.Figures) -> list:
    """Name, 问题数, 已交办, 已办结, 办结率, 满意率, 按期答复率."""
    return [f.name, f.problems, f.assigned, f.closed, *rates(f)]


def _problem_line(row) -> str:
    """【类别】项目：问题（主办：单位）; a description that names its project already
    is not prefixed with the name again."""
    lead = f"（主办：{row.lead_department}）" if row.lead_department else ""
    return f"【{row.category}】{with_project(row.project, row.description)}{lead}"


def export_report(
    stream: BinaryIO, ctx: ExportContext, campaign: Campaign, progress: Progress = no_progress
) -> int:
    report = campaign_report(ctx, campaign)
    return write_report(stream, report, document_fonts(), chart_font_path(), progress)
