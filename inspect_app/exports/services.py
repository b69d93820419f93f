"""Build export rows from the database, in chunks, always within the user's scope."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Select, bindparam, func, or_, select

from inspect_app import labels
from inspect_app.access import (
    can_see_department,
    can_see_group,
    problem_scope,
    suggestion_scope,
    visit_scope,
)
from inspect_app.clock import SHANGHAI
from inspect_app.documents.fonts import document_fonts
from inspect_app.documents.handover import write_handover_letter
from inspect_app.exports.figures import ledger_blocks
from inspect_app.extensions import db
from inspect_app.listing.filters import (
    Filters,
    filter_problems,
    filter_suggestions,
    filter_visits,
    join_visit_and_project,
)
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
    Satisfaction,
    Suggestion,
    User,
    Visit,
)
from inspect_app.models.records import problem_co_department, problem_raiser, visit_attendee
from inspect_app.photos import sheet_thumbnail
from inspect_app.settings.office import office_settings
from inspect_app.spreadsheets.handover import write_handover
from inspect_app.spreadsheets.ledger import write_ledger
from inspect_app.spreadsheets.rows import (
    ExportMeta,
    HandoverLetter,
    NoteRow,
    ProblemRow,
    SuggestionRow,
    VisitRow,
)
from inspect_app.spreadsheets.sheets import Picture, Progress, no_progress
from inspect_app.spreadsheets.wording import cn_date

CHUNK = 500
PICTURES_PER_ROW = 2
PICTURE_HEIGHT = 72  # pixels as shown in the cell: two thumbnails fit the column


class ExportContext:
    """What every export needs besides the rows: who, today, photos, links."""

    def __init__(self, user: User, today: date, now: datetime, photo_root: str, base_url: str):
        self.user = user
        self.today = today
        self.now = now
        self.photo_root = Path(photo_root)
        self.base_url = base_url.rstrip("/") + "/"
        self.images = True
        self.paper = "A4"


def latest_campaign() -> Campaign | None:
    return db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))


def problem_query(user: User, filters: Filters) -> Select:
    query = filter_problems(select(Problem).where(problem_scope(user)), filters, user)
    query = join_visit_and_project(query, filters)
    return query.order_by(Group.sort_order, Problem.code, Problem.id).join(
        Group, Problem.group_id == Group.id
    )


def _chunks(query: Select):
    """Rows of a query as plain tuples, CHUNK at a time (Core, in the session's transaction)."""
    result = db.session.connection().execute(query.execution_options(yield_per=CHUNK))
    yield from result.partitions()


IDS = bindparam("ids", expanding=True)  # one compiled statement for every chunk of ids


def _grouped(query: Select, ids: list[int]) -> dict[int, list]:
    """{key: [values...]} from (key, value...) rows for `ids`, in query order."""
    grouped: dict[int, list] = {}
    rows = db.session.connection().execute(query, {"ids": ids}).all()
    if len(query.selected_columns) == 2:
        for key, value in rows:
            grouped.setdefault(key, []).append(value)
    else:
        for key, *values in rows:
            grouped.setdefault(key, []).append(values)
    return grouped


class Labels(dict):
    """Display labels of stored codes, looked up once per export: {(kind, code): label}."""

    def __missing__(self, key: tuple[str, str | None]) -> str:
        self[key] = found = labels.label(*key)
        return found


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
    Problem.answered_at,
    Problem.closed_at,
    Problem.satisfaction_comment,
)


def problem_rows(query: Select, ctx: ExportContext, department_id: int | None = None) -> Iterator:
    """ProblemRows for a problem query (see problem_query), read in chunks."""
    departments, names = _department_names(), Labels()
    for chunk in _chunks(query.with_only_columns(*PROBLEM_COLUMNS)):
        ids = [row[0] for row in chunk]
        related = _problem_details(ids)
        for row in chunk:
            yield _problem_row(row, related, departments, names, ctx, department_id)


PROBLEM_DETAILS = {
    "raisers": select(problem_raiser.c.problem_id, User.name)
    .join(User, User.id == problem_raiser.c.user_id)
    .where(problem_raiser.c.problem_id.in_(IDS))
    .order_by(User.id),
    "co": select(problem_co_department.c.problem_id, problem_co_department.c.department_id)
    .where(problem_co_department.c.problem_id.in_(IDS))
    .order_by(problem_co_department.c.department_id),
    "suggestions": select(Suggestion.problem_id, Suggestion.text)
    .where(Suggestion.problem_id.in_(IDS))
    .order_by(Suggestion.id),
    "photos": select(Photo.problem_id, Photo.id, Photo.storage_key, Photo.width, Photo.height)
    .where(Photo.problem_id.in_(IDS))
    .order_by(Photo.id),
}


def _problem_details(ids: list[int]) -> dict[str, dict]:
    """Raisers, co-departments, suggestions and photos of a chunk of problems."""
    return {name: _grouped(query, ids) for name, query in PROBLEM_DETAILS.items()}


def _problem_row(
    row, related, departments, names: Labels, ctx: ExportContext, department_id
) -> ProblemRow:
    (pid, code, group, town, project, visited_on, category, description, lead_id, deadline,
     status, answer, satisfaction, assigned_at, answered_at, closed_at, comment) = row  # fmt: skip
    photos = related["photos"].get(pid, [])
    role = ""
    if department_id is not None:
        role = "主办" if lead_id == department_id else "协办"
    open_status = status in OPEN_STATUSES
    overdue = bool(deadline and deadline < ctx.today and open_status)
    answered_on = local_day(answered_at)
    rating = names["satisfaction", satisfaction] if satisfaction else ""
    return ProblemRow(
        code=code or "",
        group=group,
        town=town or "",
        project=project,
        visited_on=visited_on,
        category=names["problem_category", category],
        description=description,
        suggestions="\n".join(related["suggestions"].get(pid, [])),
        raised_by="、".join(related["raisers"].get(pid, [])),
        lead_department=departments.get(lead_id, ""),
        co_departments="、".join(departments[d] for d in related["co"].get(pid, [])),
        deadline=deadline,
        status=names["problem_status", status],
        handling=answer or "",
        satisfaction=rating,
        assigned_on=local_day(assigned_at),
        answered_on=answered_on,
        closed_on=local_day(closed_at),
        overdue_days=(ctx.today - deadline).days if overdue else 0,
        rating=f"{rating}：{comment}" if rating and comment else rating,
        role=role,
        pictures=_pictures(photos, ctx) if ctx.images else [],
        photo_count=len(photos),
        photo_url=f"{ctx.base_url}photos/{photos[0][0]}" if photos else None,
        overdue=overdue,
        closed=status == ProblemStatus.CLOSED,
        problem_id=pid,
        assigned=assigned_at is not None,
        answered=answered_on is not None,
        answered_in_time=bool(answered_on and deadline and answered_on <= deadline),
        rated=bool(satisfaction),
        satisfied=satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY),
    )


def local_day(moment: datetime | None) -> date | None:
    """The Asia/Shanghai calendar day of a stored (UTC) moment."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def _pictures(photos: list, ctx: ExportContext) -> list[Picture]:
    """Up to two sheet thumbnails (about 5 KB each): (id, key, width, height) rows."""
    pictures = []
    for _photo_id, key, width, height in photos[:PICTURES_PER_ROW]:
        path = sheet_thumbnail(ctx.photo_root, key)
        if path is not None:
            shown = max(1, round(PICTURE_HEIGHT * width / max(height, 1)))
            pictures.append(Picture(str(path), shown, PICTURE_HEIGHT))
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
    departments, names = _department_names(), Labels()
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
                adoption=names["adoption", adoption],
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
    names = Labels()
    for chunk in _chunks(query):
        ids = [row[0] for row in chunk]
        attendees = _grouped(ATTENDEES, ids)
        problems = _counts(PROBLEMS_PER_VISIT, ids)
        suggestions = _counts(SUGGESTIONS_PER_VISIT, ids)
        for vid, group, town, project, day, summary, author, status in chunk:
            yield VisitRow(
                group=group,
                town=town or "",
                project=project,
                visited_on=day,
                attendees="、".join(attendees.get(vid, [])),
                summary=summary,
                author=author,
                status=names["visit_status", status],
                problems=problems.get(vid, 0),
                suggestions=suggestions.get(vid, 0),
            )


ATTENDEES = (
    select(visit_attendee.c.visit_id, User.name)
    .join(User, User.id == visit_attendee.c.user_id)
    .where(visit_attendee.c.visit_id.in_(IDS))
    .order_by(User.id)
)


def _count_by(column) -> Select:
    return select(column, func.count()).where(column.in_(IDS)).group_by(column)


PROBLEMS_PER_VISIT = _count_by(Problem.visit_id)
SUGGESTIONS_PER_VISIT = _count_by(Suggestion.visit_id)


def _counts(query: Select, ids: list[int]) -> dict[int, int]:
    return dict(db.session.connection().execute(query, {"ids": ids}).all())


def describe_filters(filters: Filters, user: User) -> str:
    """The filters in words, for the second row of every workbook (only what `user` may see)."""
    parts = []
    hidden = "（不在可查看范围内）"

    def name_of(model, object_id, attribute="name"):
        found = db.session.get(model, object_id)
        return getattr(found, attribute) if found else str(object_id)

    if filters.campaign_id:
        parts.append(f"视察活动：{name_of(Campaign, filters.campaign_id, 'title')}")
    if filters.group_id:
        visible = can_see_group(user, filters.group_id)
        parts.append(f"视察组：{name_of(Group, filters.group_id) if visible else hidden}")
    if filters.town:
        parts.append(f"镇街：{filters.town}")
    if filters.project_id:
        parts.append(f"项目：{name_of(Project, filters.project_id)}")
    elif filters.project_name:
        parts.append(f"项目名称含：{filters.project_name}")
    if filters.author_name and not filters.author_id:
        parts.append(f"填报人姓名含：{filters.author_name}")
    if filters.category:
        parts.append(f"问题类别：{labels.label('problem_category', filters.category)}")
    if filters.status:
        parts.append(f"办理状态：{labels.label('problem_status', filters.status)}")
    if filters.department_id:
        visible = can_see_department(user, filters.department_id)
        name = name_of(Department, filters.department_id) if visible else hidden
        parts.append(f"承办单位：{name}")
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


def note_rows(user: User, filters: Filters) -> Iterator[NoteRow]:
    """Progress notes (办理进展) of the exported problems, by problem then date."""
    matching = problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
    query = (
        select(Problem.code, ProgressNote.department_id, ProgressNote.created_at, ProgressNote.text)
        .join(Problem, Problem.id == ProgressNote.problem_id)
        .where(ProgressNote.problem_id.in_(matching))
        .order_by(Problem.code, ProgressNote.created_at, ProgressNote.id)
    )
    departments = _department_names()
    for chunk in _chunks(query):
        for code, department_id, created_at, text in chunk:
            yield NoteRow(
                code or "", departments.get(department_id, ""), local_day(created_at), text
            )


def count_problems(user: User, filters: Filters) -> int:
    query = problem_query(user, filters).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(query.select_from(Problem)) or 0


@contextmanager
def objects_before_frozen():
    """The garbage collector's full collections skip the objects that existed before (the
    application's, often most of the heap) while a long export allocates row after row."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def export_ledger(
    stream: BinaryIO, ctx: ExportContext, filters: Filters, progress: Progress = no_progress
) -> int:
    meta = ExportMeta(
        export_title(filters, "问题台账"), describe_filters(filters, ctx.user), ctx.now
    )
    exported = problem_query(ctx.user, filters).with_only_columns(Problem.id).order_by(None)
    with objects_before_frozen():
        return write_ledger(
            stream,
            meta,
            problem_rows(problem_query(ctx.user, filters), ctx),
            suggestion_rows(ctx.user, filters),
            visit_rows(ctx.user, filters),
            note_rows(ctx.user, filters),
            stats=lambda: ledger_blocks(ctx.user, filters, exported, ctx.today),
            paper=ctx.paper,
            progress=progress,
            total=count_problems(ctx.user, filters),
        )


@dataclass
class HandoverBatch:
    """The problems handed over together: by 交办日期 (local days) or an explicit id list."""

    assigned_from: date | None = None
    assigned_to: date | None = None
    problem_ids: tuple[int, ...] = ()
    first_number: int = 1  # the n of the first department's 文号; the next ones count on
    campaign_id: int | None = None

    def describe(self) -> str:
        if self.problem_ids:
            return f"指定问题 {len(self.problem_ids)} 个"
        if self.assigned_from or self.assigned_to:
            start, end = cn_date(self.assigned_from) or "…", cn_date(self.assigned_to) or "…"
            return f"交办日期：{start} 至 {end}"
        return "全部已交办问题"


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC).replace(tzinfo=None)


def batch_query(user: User, batch: HandoverBatch) -> Select:
    """Problems of the batch within the user's scope (assigned ones only)."""
    query = problem_query(user, Filters(campaign_id=batch.campaign_id)).where(
        Problem.assigned_at.is_not(None)
    )
    if batch.problem_ids:
        query = query.where(Problem.id.in_(batch.problem_ids))
    if batch.assigned_from:
        query = query.where(Problem.assigned_at >= _utc_start(batch.assigned_from))
    if batch.assigned_to:
        query = query.where(Problem.assigned_at < _utc_start(batch.assigned_to + timedelta(days=1)))
    return query


def latest_assignment_day(user: User) -> date | None:
    """The local day of the most recent 交办 in the user's scope: the default batch."""
    query = problem_query(user, Filters()).with_only_columns(func.max(Problem.assigned_at))
    return local_day(db.session.scalar(query.order_by(None)))


def handover_departments(user: User, batch: HandoverBatch) -> list[Department]:
    """Departments that have at least one problem of the batch (lead or co)."""
    problems = batch_query(user, batch).with_only_columns(Problem.id).order_by(None)
    leads = batch_query(user, batch).with_only_columns(Problem.lead_department_id).order_by(None)
    co = select(problem_co_department.c.department_id).where(
        problem_co_department.c.problem_id.in_(problems)
    )
    query = (
        select(Department)
        .where(or_(Department.id.in_(leads), Department.id.in_(co)))
        .order_by(Department.sort_order, Department.id)
    )
    return list(db.session.scalars(query))


def _department_batch(user: User, batch: HandoverBatch, department: Department) -> Select:
    co = select(problem_co_department.c.problem_id).where(
        problem_co_department.c.department_id == department.id
    )
    return batch_query(user, batch).where(
        or_(Problem.lead_department_id == department.id, Problem.id.in_(co))
    )


def handover_day(rows: list[ProblemRow], today: date) -> date:
    """The date a 交办单 carries: the day its problems were handed over (the latest one),
    so that a batch printed again later never asks for a reply before the letter's date."""
    return max((r.assigned_on for r in rows if r.assigned_on), default=today)


def handover_letter(
    ctx: ExportContext, batch: HandoverBatch, department: Department, number: int
) -> HandoverLetter:
    """Everything a 交办单 for one department says, with its problems."""
    settings = office_settings()
    rows = list(problem_rows(_department_batch(ctx.user, batch, department), ctx, department.id))
    issued_on = handover_day(rows, ctx.today)
    deadlines = [r.deadline for r in rows if r.deadline]
    reply_by = min(deadlines) if deadlines else issued_on + timedelta(days=settings.assign_days)
    filters = Filters(campaign_id=batch.campaign_id)
    return HandoverLetter(
        number=settings.handover_number_pattern.format(year=issued_on.year, n=number),
        campaign=export_title(filters, ""),
        office=settings.office_name,
        department=department.name,
        issued_on=issued_on,
        reply_by=reply_by,
        contact=settings.contact_name,
        phone=settings.contact_phone,
        batch=batch.describe(),
        problems=rows,
    )


def handover_letters(ctx: ExportContext, batch: HandoverBatch) -> Iterator[HandoverLetter]:
    """One letter per department of the batch, 文号 numbered on from batch.first_number."""
    for offset, department in enumerate(handover_departments(ctx.user, batch)):
        yield handover_letter(ctx, batch, department, batch.first_number + offset)


def department_number(ctx: ExportContext, batch: HandoverBatch, department: Department) -> int:
    """The 文号 n of one department: the same as it gets in the whole batch."""
    ids = [d.id for d in handover_departments(ctx.user, batch)]
    offset = ids.index(department.id) if department.id in ids else 0
    return batch.first_number + offset


def export_handover(
    stream: BinaryIO,
    ctx: ExportContext,
    batch: HandoverBatch,
    department: Department,
    progress: Progress = no_progress,
) -> int:
    letter = handover_letter(ctx, batch, department, department_number(ctx, batch, department))
    return write_handover(stream, letter, paper=ctx.paper, progress=progress)


def export_handover_letter(
    stream: BinaryIO,
    ctx: ExportContext,
    batch: HandoverBatch,
    department: Department,
    progress: Progress = no_progress,
) -> int:
    letter = handover_letter(ctx, batch, department, department_number(ctx, batch, department))
    return write_handover_letter(stream, letter, document_fonts(), progress)


def count_batch(user: User, batch: HandoverBatch, department: Department | None = None) -> int:
    """How many problems a 交办单 (one department's, or the batch's) lists: the progress total."""
    query = _department_batch(user, batch, department) if department else batch_query(user, batch)
    query = query.with_only_columns(func.count(Problem.id)).order_by(None)
    return db.session.scalar(query) or 0
