"""Build export rows from the database, in chunks, always within the user's scope."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from inspect_app import labels
from inspect_app.access import problem_scope, suggestion_scope, visit_scope
from inspect_app.extensions import db
from inspect_app.listing import Filters, filter_problems, filter_suggestions, filter_visits
from inspect_app.models import (
    Campaign,
    Department,
    Group,
    Problem,
    ProblemStatus,
    Project,
    Suggestion,
    User,
    Visit,
)
from inspect_app.photos import photo_paths
from inspect_app.spreadsheets.handover import write_handover
from inspect_app.spreadsheets.ledger import write_ledger
from inspect_app.spreadsheets.rows import ExportMeta, ProblemRow, SuggestionRow, VisitRow
from inspect_app.spreadsheets.sheets import Picture
from inspect_app.spreadsheets.weekly import write_weekly

CHUNK = 500
PICTURES_PER_ROW = 2
PICTURE_HEIGHT = 56  # pixels as shown in the cell: two thumbnails fit the column


class ExportContext:
    """What every export needs besides the rows: who, today, photos, links."""

    def __init__(self, user: User, today: date, now: datetime, photo_root: str, base_url: str):
        self.user = user
        self.today = today
        self.now = now
        self.photo_root = Path(photo_root)
        self.base_url = base_url.rstrip("/") + "/"
        self.images = True


def latest_campaign() -> Campaign | None:
    return db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))


def problem_query(user: User, filters: Filters) -> Select:
    query = filter_problems(select(Problem).where(problem_scope(user)), filters, user)
    return query.order_by(Group.sort_order, Problem.code, Problem.id).join(
        Group, Problem.group_id == Group.id
    )


def _problem_options():
    return (
        selectinload(Problem.group),
        selectinload(Problem.project),
        selectinload(Problem.visit),
        selectinload(Problem.raised_by),
        selectinload(Problem.lead_department),
        selectinload(Problem.co_departments),
        selectinload(Problem.suggestions),
        selectinload(Problem.photos),
        selectinload(Problem.progress_notes),
    )


def _chunked(query: Select):
    return db.session.scalars(query.execution_options(yield_per=CHUNK))


def problem_rows(query: Select, ctx: ExportContext, department_id: int | None = None) -> Iterator:
    for problem in _chunked(query.options(*_problem_options())):
        yield problem_row(problem, ctx, department_id)


def problem_row(problem: Problem, ctx: ExportContext, department_id: int | None) -> ProblemRow:
    notes = [n.text for n in problem.progress_notes]
    handling = problem.answer or "\n".join(notes)
    photos = problem.photos
    role = ""
    if department_id is not None:
        role = "主办" if problem.lead_department_id == department_id else "协办"
    return ProblemRow(
        code=problem.code or "",
        group=problem.group.name,
        town=problem.project.town or "",
        project=problem.project.name,
        visited_on=problem.visit.visited_on,
        category=labels.label("problem_category", problem.category),
        description=problem.description,
        suggestions="\n".join(s.text for s in problem.suggestions),
        raised_by="、".join(u.name for u in problem.raised_by),
        lead_department=problem.lead_department.name if problem.lead_department else "",
        co_departments="、".join(d.name for d in problem.co_departments),
        deadline=problem.deadline,
        status=labels.label("problem_status", problem.status),
        handling=handling,
        satisfaction=labels.label("satisfaction", problem.satisfaction),
        assigned_on=problem.assigned_at.date() if problem.assigned_at else None,
        role=role,
        pictures=_pictures(photos, ctx) if ctx.images else [],
        photo_count=len(photos),
        photo_url=f"{ctx.base_url}photos/{photos[0].id}" if photos else None,
        overdue=problem.is_overdue(ctx.today),
        closed=problem.status == ProblemStatus.CLOSED,
    )


def _pictures(photos, ctx: ExportContext) -> list[Picture]:
    pictures = []
    for photo in photos[:PICTURES_PER_ROW]:
        _image, thumb = photo_paths(ctx.photo_root, photo.storage_key)
        if thumb.exists():
            width = max(1, round(PICTURE_HEIGHT * photo.width / max(photo.height, 1)))
            pictures.append(Picture(str(thumb), width, PICTURE_HEIGHT))
    return pictures


def suggestion_rows(user: User, filters: Filters) -> Iterator[SuggestionRow]:
    query = filter_suggestions(select(Suggestion).where(suggestion_scope(user)), filters, user)
    if filters.problem_only():
        matching = problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
        query = query.where(Suggestion.problem_id.in_(matching))
    query = query.order_by(Visit.visited_on, Suggestion.id).options(
        selectinload(Suggestion.group),
        selectinload(Suggestion.visit).selectinload(Visit.project),
        selectinload(Suggestion.problem),
        selectinload(Suggestion.author),
        selectinload(Suggestion.department),
    )
    for s in _chunked(query):
        yield SuggestionRow(
            problem_code=s.problem.code if s.problem else "",
            group=s.group.name,
            town=s.visit.project.town or "",
            project=s.visit.project.name,
            visited_on=s.visit.visited_on,
            text=s.text,
            author=s.author.name,
            department=s.department.name if s.department else "",
            adoption=labels.label("adoption", s.adoption),
            reason=s.adoption_reason or "",
        )


def visit_rows(user: User, filters: Filters) -> Iterator[VisitRow]:
    query = filter_visits(select(Visit).where(visit_scope(user)), filters, user)
    if filters.problem_only():
        matching = problem_query(user, filters).with_only_columns(Problem.visit_id).order_by(None)
        query = query.where(Visit.id.in_(matching))
    query = query.order_by(Visit.visited_on, Visit.id).options(
        selectinload(Visit.group),
        selectinload(Visit.project),
        selectinload(Visit.attendees),
        selectinload(Visit.author),
        selectinload(Visit.problems),
        selectinload(Visit.suggestions),
    )
    for v in _chunked(query):
        yield VisitRow(
            group=v.group.name,
            town=v.project.town or "",
            project=v.project.name,
            visited_on=v.visited_on,
            attendees="、".join(u.name for u in v.attendees),
            summary=v.summary,
            author=v.author.name,
            status=labels.label("visit_status", v.status),
            problems=len(v.problems),
            suggestions=len(v.suggestions),
        )


def describe_filters(filters: Filters) -> str:
    """The filters in words, for the second row of every workbook."""
    parts = []

    def name_of(model, object_id, attribute="name"):
        found = db.session.get(model, object_id)
        return getattr(found, attribute) if found else str(object_id)

    if filters.campaign_id:
        parts.append(f"视察活动：{name_of(Campaign, filters.campaign_id, 'title')}")
    if filters.group_id:
        parts.append(f"视察组：{name_of(Group, filters.group_id)}")
    if filters.town:
        parts.append(f"镇街：{filters.town}")
    if filters.project_id:
        parts.append(f"项目：{name_of(Project, filters.project_id)}")
    if filters.category:
        parts.append(f"问题类别：{labels.label('problem_category', filters.category)}")
    if filters.status:
        parts.append(f"办理状态：{labels.label('problem_status', filters.status)}")
    if filters.department_id:
        parts.append(f"承办单位：{name_of(Department, filters.department_id)}")
    if filters.date_from or filters.date_to:
        parts.append(f"视察日期：{filters.date_from or '…'} 至 {filters.date_to or '…'}")
    if filters.q:
        parts.append(f"关键词：{filters.q}")
    return "；".join(parts) or "全部"


def export_title(filters: Filters, suffix: str) -> str:
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    return f"{campaign.title if campaign else '视察活动'}{suffix}"


def export_ledger(stream: BinaryIO, ctx: ExportContext, filters: Filters) -> int:
    meta = ExportMeta(export_title(filters, "问题台账"), describe_filters(filters), ctx.now)
    return write_ledger(
        stream,
        meta,
        problem_rows(problem_query(ctx.user, filters), ctx),
        suggestion_rows(ctx.user, filters),
        visit_rows(ctx.user, filters),
    )


def handover_departments(user: User, filters: Filters) -> list[Department]:
    """Departments that have at least one problem in this export (lead or co)."""
    ids = set()
    query = problem_query(user, filters).options(selectinload(Problem.co_departments))
    for problem in _chunked(query):
        if problem.lead_department_id:
            ids.add(problem.lead_department_id)
        ids.update(d.id for d in problem.co_departments)
    if not ids:
        return []
    query = select(Department).where(Department.id.in_(ids)).order_by(Department.sort_order)
    return list(db.session.scalars(query))


def export_handover(
    stream: BinaryIO, ctx: ExportContext, filters: Filters, department: Department
) -> int:
    scoped = Filters(**{**filters.__dict__, "department_id": department.id})
    title = export_title(filters, f"问题交办清单（{department.name}）")
    meta = ExportMeta(title, describe_filters(scoped), ctx.now)
    rows = problem_rows(problem_query(ctx.user, scoped), ctx, department.id)
    return write_handover(stream, meta, rows)


def export_weekly(stream: BinaryIO, ctx: ExportContext, group: Group, start: date, end: date):
    filters = Filters(group_id=group.id, date_from=start, date_to=end)
    title = f"{group.name}视察周报（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）"
    meta = ExportMeta(title, describe_filters(filters), ctx.now)
    return write_weekly(
        stream,
        meta,
        visit_rows(ctx.user, filters),
        problem_rows(problem_query(ctx.user, filters), ctx),
        suggestion_rows(ctx.user, filters),
    )
