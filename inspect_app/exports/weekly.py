"""A group's 周报: the week's and the running figures, its records, the stored 下周安排."""

from collections import Counter
from datetime import date, timedelta
from typing import BinaryIO

from sqlalchemy import select

from inspect_app.auditing import record_event, snapshot
from inspect_app.documents.fonts import document_fonts
from inspect_app.documents.weekly import write_weekly_document
from inspect_app.exports.services import (
    ExportContext,
    problem_query,
    problem_rows,
    suggestion_rows,
    visit_rows,
)
from inspect_app.extensions import db
from inspect_app.listing.filters import Filters
from inspect_app.models import Group, User, WeeklyPlan
from inspect_app.spreadsheets.rows import WeekFigures, WeeklyReport
from inspect_app.spreadsheets.sheets import Progress, no_progress
from inspect_app.spreadsheets.weekly import write_weekly

PLAN_MAX = 2000


def default_week(today: date) -> tuple[date, date]:
    """This Monday to Sunday; on Monday and Tuesday, last week (the one being reported)."""
    monday = today - timedelta(days=today.weekday())
    if today.weekday() <= 1:
        monday -= timedelta(days=7)
    return monday, monday + timedelta(days=6)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plain_lines(text: str) -> str:
    """Lines as typed, with the CR LF a browser sends made plain line feeds."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def saved_plan(group: Group, start: date) -> str:
    plan = db.session.scalar(
        select(WeeklyPlan).where(
            WeeklyPlan.group_id == group.id, WeeklyPlan.week_start == week_start(start)
        )
    )
    return plain_lines(plan.text) if plan else ""


def save_plan(actor: User, group: Group, start: date, text: str) -> WeeklyPlan:
    """Keep the 下周安排 typed on the export page (one per group and week; audited)."""
    text = plain_lines(text).strip()[:PLAN_MAX]
    monday = week_start(start)
    plan = db.session.scalar(
        select(WeeklyPlan).where(WeeklyPlan.group_id == group.id, WeeklyPlan.week_start == monday)
    )
    if plan is None:
        plan = WeeklyPlan(group_id=group.id, week_start=monday, text=text, updated_by_id=actor.id)
        db.session.add(plan)
        record_event(actor, "create", plan, None, snapshot(plan))
    else:
        before = snapshot(plan)
        plan.text, plan.updated_by_id = text, actor.id
        record_event(actor, "update", plan, before, snapshot(plan))
    return plan


def _figures(ctx: ExportContext, filters: Filters, keep: bool, progress: Progress = no_progress):
    """(figures, visits, problems, suggestions); the lists are empty unless `keep`.

    Reading the problems is most of a 周报's work: `progress(problems read, None)` follows it.
    """
    figures, kept = WeekFigures(), ([], [], [])
    projects, deputies, categories = [], set(), Counter()
    for row in visit_rows(ctx.user, filters):
        figures.visits += 1
        if row.project not in projects:
            projects.append(row.project)
        deputies.update(filter(None, row.attendees.split("、")))
        if keep:
            kept[0].append(row)
    for row in problem_rows(problem_query(ctx.user, filters), ctx):
        figures.problems += 1
        figures.assigned += row.assigned
        figures.closed += row.closed
        categories[row.category] += 1
        progress(figures.problems, None)
        if keep:
            kept[1].append(row)
    for row in suggestion_rows(ctx.user, filters):
        figures.suggestions += 1
        if keep:
            kept[2].append(row)
    figures.projects, figures.project_names = len(projects), projects
    figures.deputies = len(deputies)
    figures.categories = categories.most_common()
    return figures, *kept


def weekly_report(
    ctx: ExportContext, group: Group, start: date, end: date, progress: Progress = no_progress
) -> WeeklyReport:
    ctx.images = False
    week, visits, problems, suggestions = _figures(
        ctx, Filters(group_id=group.id, date_from=start, date_to=end), True, progress
    )
    total, *_ = _figures(ctx, Filters(group_id=group.id, date_to=end), keep=False)
    return WeeklyReport(
        group=group.name,
        start=start,
        end=end,
        reported_on=ctx.today,
        secretaries="、".join(u.name for u in group.secretaries),
        week=week,
        total=total,
        visits=visits,
        problems=problems,
        suggestions=suggestions,
        plan=saved_plan(group, start),
    )


def export_weekly(
    stream: BinaryIO,
    ctx: ExportContext,
    group: Group,
    start: date,
    end: date,
    progress: Progress = no_progress,
):
    report = weekly_report(ctx, group, start, end, progress)
    return write_weekly(stream, report, paper=ctx.paper, progress=progress)


def export_weekly_document(
    stream: BinaryIO,
    ctx: ExportContext,
    group: Group,
    start: date,
    end: date,
    progress: Progress = no_progress,
):
    report = weekly_report(ctx, group, start, end, progress)
    return write_weekly_document(stream, report, document_fonts(), progress)
