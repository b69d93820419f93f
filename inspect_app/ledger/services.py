"""Build export rows from the database, in chunks, always within the user's scope."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Select, func, or_, select

from inspect_app import labels
from inspect_app.access import problem_scope, suggestion_scope, visit_scope
from inspect_app.extensions import db
from inspect_app.listing import Filters, filter_problems, filter_suggestions, filter_visits
from inspect_app.models import (
    OPEN_STATUSES,
    Campaign,
    Department,
    Group,
    Photo,
    Problem,
    ProblemStatus,
    ProgressNote,
    Project,
    Suggestion,
    User,
    Visit,
)
from inspect_app.models.records import problem_co_department, problem_raiser, visit_attendee
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


def _chunks(query: Select):
    """Rows of a query, CHUNK at a time, without building ORM objects."""
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _grouped(query: Select) -> dict[int, list]:
    """{key: [values...]} from (key, value...) rows, in query order."""
    grouped: dict[int, list] = {}
    for key, *values in db.session.execute(query):
        grouped.setdefault(key, []).append(values[0] if len(values) == 1 else values)
    return grouped


def _department_names() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)).all())


PROBLEM_COLUMNS = (
    Problem.id,
    Problem.code,
    Group.name,
    Project.town,
    Project.name,
    Visit.visited_on,
    Problem.category,
    Problem.description,
    Problem.lead_department_id,
    Problem.deadline,
    Problem.status,
    Problem.answer,
    Problem.satisfaction,
    Problem.assigned_at,
)


def problem_rows(query: Select, ctx: ExportContext, department_id: int | None = None) -> Iterator:
    """ProblemRows for a problem query (see problem_query), read in chunks."""
    departments = _department_names()
    for chunk in _chunks(query.with_only_columns(*PROBLEM_COLUMNS)):
        ids = [row[0] for row in chunk]
        related = _problem_details(ids)
        for row in chunk:
            yield _problem_row(row, related, departments, ctx, department_id)


def _problem_details(ids: list[int]) -> dict[str, dict]:
    raisers = (
        select(problem_raiser.c.problem_id, User.name)
        .join(User, User.id == problem_raiser.c.user_id)
        .where(problem_raiser.c.problem_id.in_(ids))
        .order_by(User.id)
    )
    co = (
        select(problem_co_department.c.problem_id, problem_co_department.c.department_id)
        .where(problem_co_department.c.problem_id.in_(ids))
        .order_by(problem_co_department.c.department_id)
    )
    suggestions = (
        select(Suggestion.problem_id, Suggestion.text)
        .where(Suggestion.problem_id.in_(ids))
        .order_by(Suggestion.id)
    )
    photos = (
        select(Photo.problem_id, Photo.id, Photo.storage_key, Photo.width, Photo.height)
        .where(Photo.problem_id.in_(ids))
        .order_by(Photo.id)
    )
    notes = (
        select(ProgressNote.problem_id, ProgressNote.text)
        .where(ProgressNote.problem_id.in_(ids))
        .order_by(ProgressNote.id)
    )
    return {
        "raisers": _grouped(raisers),
        "co": _grouped(co),
        "suggestions": _grouped(suggestions),
        "photos": _grouped(photos),
        "notes": _grouped(notes),
    }


def _problem_row(row, related, departments, ctx: ExportContext, department_id) -> ProblemRow:
    (pid, code, group, town, project, visited_on, category, description, lead_id, deadline,
     status, answer, satisfaction, assigned_at) = row  # fmt: skip
    photos = related["photos"].get(pid, [])
    role = ""
    if department_id is not None:
        role = "主办" if lead_id == department_id else "协办"
    open_status = status in OPEN_STATUSES
    return ProblemRow(
        code=code or "",
        group=group,
        town=town or "",
        project=project,
        visited_on=visited_on,
        category=labels.label("problem_category", category),
        description=description,
        suggestions="\n".join(related["suggestions"].get(pid, [])),
        raised_by="、".join(related["raisers"].get(pid, [])),
        lead_department=departments.get(lead_id, ""),
        co_departments="、".join(departments[d] for d in related["co"].get(pid, [])),
        deadline=deadline,
        status=labels.label("problem_status", status),
        handling=answer or "\n".join(related["notes"].get(pid, [])),
        satisfaction=labels.label("satisfaction", satisfaction),
        assigned_on=assigned_at.date() if assigned_at else None,
        role=role,
        pictures=_pictures(photos, ctx) if ctx.images else [],
        photo_count=len(photos),
        photo_url=f"{ctx.base_url}photos/{photos[0][0]}" if photos else None,
        overdue=bool(deadline and deadline < ctx.today and open_status),
        closed=status == ProblemStatus.CLOSED,
    )


def _pictures(photos: list, ctx: ExportContext) -> list[Picture]:
    """Up to two thumbnails on disk, sized for the cell: (id, key, width, height) rows."""
    pictures = []
    for _photo_id, key, width, height in photos[:PICTURES_PER_ROW]:
        _image, thumb = photo_paths(ctx.photo_root, key)
        if thumb.exists():
            shown = max(1, round(PICTURE_HEIGHT * width / max(height, 1)))
            pictures.append(Picture(str(thumb), shown, PICTURE_HEIGHT))
    return pictures


def suggestion_rows(user: User, filters: Filters) -> Iterator[SuggestionRow]:
    query = filter_suggestions(select(Suggestion).where(suggestion_scope(user)), filters, user)
    if filters.problem_only():
        matching = problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
        query = query.where(Suggestion.problem_id.in_(matching))
    query = (
        query.join(Group, Group.id == Suggestion.group_id)
        .join(User, User.id == Suggestion.author_id)
        .outerjoin(Problem, Problem.id == Suggestion.problem_id)
        .with_only_columns(
            Problem.code,
            Group.name,
            Project.town,
            Project.name,
            Visit.visited_on,
            Suggestion.text,
            User.name,
            Suggestion.department_id,
            Suggestion.adoption,
            Suggestion.adoption_reason,
        )
        .order_by(Visit.visited_on, Suggestion.id)
    )
    departments = _department_names()
    for chunk in _chunks(query):
        for code, group, town, project, day, text, author, dept, adoption, reason in chunk:
            yield SuggestionRow(
                problem_code=code or "",
                group=group,
                town=town or "",
                project=project,
                visited_on=day,
                text=text,
                author=author,
                department=departments.get(dept, ""),
                adoption=labels.label("adoption", adoption),
                reason=reason or "",
            )


def visit_rows(user: User, filters: Filters) -> Iterator[VisitRow]:
    query = filter_visits(select(Visit).where(visit_scope(user)), filters, user)
    if filters.problem_only():
        matching = problem_query(user, filters).with_only_columns(Problem.visit_id).order_by(None)
        query = query.where(Visit.id.in_(matching))
    query = (
        query.join(Group, Group.id == Visit.group_id)
        .join(User, User.id == Visit.author_id)
        .with_only_columns(
            Visit.id,
            Group.name,
            Project.town,
            Project.name,
            Visit.visited_on,
            Visit.summary,
            User.name,
            Visit.status,
        )
        .order_by(Visit.visited_on, Visit.id)
    )
    for chunk in _chunks(query):
        ids = [row[0] for row in chunk]
        attendees = _grouped(
            select(visit_attendee.c.visit_id, User.name)
            .join(User, User.id == visit_attendee.c.user_id)
            .where(visit_attendee.c.visit_id.in_(ids))
            .order_by(User.id)
        )
        problems = _counts(Problem.visit_id, ids)
        suggestions = _counts(Suggestion.visit_id, ids)
        for vid, group, town, project, day, summary, author, status in chunk:
            yield VisitRow(
                group=group,
                town=town or "",
                project=project,
                visited_on=day,
                attendees="、".join(attendees.get(vid, [])),
                summary=summary,
                author=author,
                status=labels.label("visit_status", status),
                problems=problems.get(vid, 0),
                suggestions=suggestions.get(vid, 0),
            )


def _counts(column, ids: list[int]) -> dict[int, int]:
    query = select(column, func.count()).where(column.in_(ids)).group_by(column)
    return dict(db.session.execute(query).all())


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
    """'<campaign title><suffix>': the chosen campaign, or the only one there is."""
    if filters.campaign_id:
        campaign = db.session.get(Campaign, filters.campaign_id)
    else:
        campaigns = db.session.scalars(select(Campaign).limit(2)).all()
        campaign = campaigns[0] if len(campaigns) == 1 else None
    return f"{campaign.title if campaign else '视察活动'}{suffix}"


def export_ledger(stream: BinaryIO, ctx: ExportContext, filters: Filters, progress=None) -> int:
    meta = ExportMeta(export_title(filters, "问题台账"), describe_filters(filters), ctx.now)
    return write_ledger(
        stream,
        meta,
        problem_rows(problem_query(ctx.user, filters), ctx),
        suggestion_rows(ctx.user, filters),
        visit_rows(ctx.user, filters),
        progress,
    )


def handover_departments(user: User, filters: Filters) -> list[Department]:
    """Departments that have at least one problem in this export (lead or co)."""
    problems = problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
    leads = problem_query(user, filters).with_only_columns(Problem.lead_department_id)
    co = select(problem_co_department.c.department_id).where(
        problem_co_department.c.problem_id.in_(problems)
    )
    query = (
        select(Department)
        .where(or_(Department.id.in_(leads.order_by(None)), Department.id.in_(co)))
        .order_by(Department.sort_order, Department.id)
    )
    return list(db.session.scalars(query))


def export_handover(
    stream: BinaryIO, ctx: ExportContext, filters: Filters, department: Department, progress=None
) -> int:
    scoped = Filters(**{**filters.__dict__, "department_id": department.id})
    title = export_title(filters, f"问题交办清单（{department.name}）")
    meta = ExportMeta(title, describe_filters(scoped), ctx.now)
    rows = problem_rows(problem_query(ctx.user, scoped), ctx, department.id)
    return write_handover(stream, meta, rows, progress)


def export_weekly(
    stream: BinaryIO, ctx: ExportContext, group: Group, start: date, end: date, progress=None
):
    filters = Filters(group_id=group.id, date_from=start, date_to=end)
    title = f"{group.name}视察周报（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）"
    meta = ExportMeta(title, describe_filters(filters), ctx.now)
    return write_weekly(
        stream,
        meta,
        visit_rows(ctx.user, filters),
        problem_rows(problem_query(ctx.user, filters), ctx),
        suggestion_rows(ctx.user, filters),
        progress,
    )


def count_problems(user: User, filters: Filters) -> int:
    """How many problems an export with these filters writes (the progress bar's total)."""
    ids = problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
