"""The API's work: reference lists, visits by client UUID (exactly once), photos to a record."""

import hashlib
import io
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.datastructures import FileStorage

from inspect_app import labels
from inspect_app.access import can_edit_visit, visit_scope
from inspect_app.api import schemas
from inspect_app.extensions import db
from inspect_app.models import (
    Group,
    Photo,
    Problem,
    Project,
    Suggestion,
    User,
    Visit,
    group_project,
)
from inspect_app.photo_files.services import error_message, save_upload
from inspect_app.photos import PhotoError
from inspect_app.visits import services as visits


class ApiError(Exception):
    """An answer other than success: HTTP status, code, Chinese message, details."""

    def __init__(self, status: int, code: str, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


# ---------- reference lists ----------


def group_projects(group_id: int) -> list[Project]:
    query = (
        select(Project)
        .join(group_project, group_project.c.project_id == Project.id)
        .where(group_project.c.group_id == group_id)
        .order_by(Project.town, Project.name)
    )
    return list(db.session.scalars(query))


def reference_lists(user: User) -> schemas.ReferenceOut:
    """The user's groups with their members and own projects, and the problem categories."""
    groups = [
        schemas.GroupOut(
            id=g.id,
            name=g.name,
            campaign_title=g.campaign.title,
            members=[schemas.MemberOut(id=u.id, name=u.name) for u in visits.group_members(g.id)],
            projects=[_project(p) for p in group_projects(g.id)],
        )
        for g in visits.loggable_groups(user)
    ]
    pairs = labels.pairs("problem_category")
    categories = [schemas.CategoryOut(code=c, label=str(t)) for c, t in pairs]
    return schemas.ReferenceOut(
        user_id=user.id, user_name=user.name, groups=groups, categories=categories
    )


def _project(project: Project) -> schemas.ProjectOut:
    return schemas.ProjectOut(id=project.id, name=project.name, town=project.town)


def search_projects(words: str, page: int, per_page: int) -> schemas.ProjectPage:
    """All projects matching `words` by name or town, one page at a time."""
    query = select(Project).order_by(Project.town, Project.name, Project.id)
    words = words.strip()
    if words:
        like = f"%{words}%"
        query = query.where(or_(Project.name.ilike(like), Project.town.ilike(like)))
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return schemas.ProjectPage(
        items=[_project(p) for p in result.items],
        page=page,
        pages=result.pages,
        total=result.total or 0,
    )


# ---------- visits ----------


def visit_out(visit: Visit) -> schemas.VisitOut:
    return schemas.VisitOut(
        id=visit.id,
        client_uuid=visit.client_uuid,
        group_id=visit.group_id,
        project_id=visit.project_id,
        visited_on=visit.visited_on,
        summary=visit.summary,
        attendee_ids=[u.id for u in visit.attendees],
        status=visit.status,
        url=url_for("visits.show", visit_id=visit.id),
        photos=[photo_out(p) for p in visits.photos_of(visit)],
        problems=[
            schemas.ProblemOut(
                id=p.id,
                client_uuid=p.client_uuid,
                code=p.code,
                category=p.category,
                description=p.description,
                suggestion=p.suggestions[0].text if p.suggestions else "",
                status=p.status,
                photos=[photo_out(ph) for ph in p.photos],
            )
            for p in visit.problems
        ],
        suggestions=[
            schemas.SuggestionOut(id=s.id, client_uuid=s.client_uuid, text=s.text)
            for s in visit.suggestions
            if s.problem_id is None
        ],
    )


def photo_out(photo: Photo) -> schemas.PhotoOut:
    return schemas.PhotoOut(
        id=photo.id,
        client_uuid=photo.client_uuid,
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        thumb_url=url_for("photos.thumb", photo_id=photo.id),
    )


def scoped_visit(user: User, client_uuid: str) -> Visit:
    visit = db.session.scalar(
        select(Visit).where(Visit.client_uuid == client_uuid, visit_scope(user))
    )
    if visit is None:
        raise ApiError(404, "not_found", _("找不到这条视察记录，或您没有查看它的权限。"))
    return visit


def _check_choices(
    user: User, group_id: int, project_id: int, attendee_ids: list[int], visited_on: date
) -> None:
    details = []
    if group_id not in {g.id for g in visits.loggable_groups(user)}:
        details.append(_("您不能为这个视察组记录视察。"))
    if db.session.get(Project, project_id) is None:
        details.append(_("请选择视察的项目。"))
    group = db.session.get(Group, group_id)
    date_error = visits.visit_date_error(group.campaign if group else None, visited_on)
    if date_error:
        details.append(date_error)
    members = {u.id for u in visits.group_members(group_id)}
    if not set(attendee_ids) <= members:
        details.append(_("参加代表必须是本组成员。"))
    if details:
        raise ApiError(400, "invalid", _("有几处需要修改。"), details)


def _check_child_uuids(visit: Visit | None, data: visits.VisitInput) -> None:
    """A problem or suggestion UUID already used by another visit is a conflict."""
    own = visit.id if visit is not None else None
    for entry in data.problems:
        found = visits.find_problem_by_uuid(entry.client_uuid)
        if found is not None and found.visit_id != own:
            raise ApiError(409, "conflict", _("问题的 UUID 已被另一条视察记录使用。"))
    for entry in data.suggestions:
        found = db.session.scalar(
            select(Suggestion).where(Suggestion.client_uuid == entry.client_uuid)
        )
        if found is not None and found.visit_id != own:
            raise ApiError(409, "conflict", _("意见建议的 UUID 已被另一条视察记录使用。"))


def _visit_input(client_uuid: str, group_id: int, body, visit: Visit | None):
    """The form's VisitInput from an API body; an update keeps the photos already attached."""
    existing = {p.client_uuid: p for p in visit.problems} if visit is not None else {}
    free = {s.client_uuid: s for s in visit.suggestions if s.problem_id is None} if visit else {}
    problems = []
    for p in body.problems:
        stored = existing.get(str(p.client_uuid))
        problems.append(
            visits.ProblemInput(
                id=stored.id if stored else None,
                client_uuid=str(p.client_uuid),
                category=p.category.value,
                description=p.description,
                suggestion=p.suggestion,
                photos=list(stored.photos) if stored else [],
                delete=p.delete,
            )
        )
    suggestions = [
        visits.SuggestionInput(
            id=free[str(s.client_uuid)].id if str(s.client_uuid) in free else None,
            client_uuid=str(s.client_uuid),
            text=s.text,
            delete=s.delete,
        )
        for s in body.suggestions
    ]
    return visits.VisitInput(
        client_uuid=client_uuid,
        group_id=group_id,
        project_id=body.project_id,
        visited_on=body.visited_on,
        summary=body.summary,
        attendee_ids=sorted(set(body.attendee_ids)),
        photos=visits.photos_of(visit) if visit is not None else [],
        problems=problems,
        suggestions=suggestions,
    )


def create_visit(user: User, body: schemas.VisitIn) -> tuple[Visit, bool]:
    """Store a new visit, or return the one stored under the same UUID with the same content."""
    client_uuid = str(body.client_uuid)
    data = _visit_input(client_uuid, body.group_id, body, None)
    existing = visits.find_by_uuid(client_uuid)
    if existing is not None:
        return _already_stored(user, existing, data), False
    _check_choices(user, body.group_id, body.project_id, body.attendee_ids, body.visited_on)
    _check_child_uuids(None, data)
    return visits.create_visit(user, data), True


def _already_stored(user: User, visit: Visit, data: visits.VisitInput) -> Visit:
    if visit.author_id != user.id:
        raise ApiError(409, "conflict", _("这个 UUID 已被另一条记录使用。"))
    differences = visits.content_differences(visit, data)
    if differences:
        raise ApiError(
            409,
            "conflict",
            _("这条视察记录已经保存过，但这次发送的内容与已保存的不同，没有覆盖。"),
            differences,
        )
    return visit


def update_visit(user: User, client_uuid: str, body: schemas.VisitUpdate) -> Visit:
    visit = scoped_visit(user, client_uuid)
    if not can_edit_visit(user, visit):
        raise ApiError(409, "locked", _("这条记录已审核或不归您修改，不能再修改。"))
    _check_choices_for_update(visit, body)
    data = _visit_input(visit.client_uuid, visit.group_id, body, visit)
    _check_child_uuids(visit, data)
    return visits.update_visit(user, visit, data)


def _check_choices_for_update(visit: Visit, body: schemas.VisitUpdate) -> None:
    details = []
    if db.session.get(Project, body.project_id) is None:
        details.append(_("请选择视察的项目。"))
    date_error = visits.visit_date_error(visit.campaign, body.visited_on)
    if date_error:
        details.append(date_error)
    if not set(body.attendee_ids) <= {u.id for u in visits.group_members(visit.group_id)}:
        details.append(_("参加代表必须是本组成员。"))
    if details:
        raise ApiError(400, "invalid", _("有几处需要修改。"), details)


# ---------- photos ----------


def photo_target(user: User, kind: str, client_uuid: str) -> tuple[Visit, Problem | None]:
    """The visit (and problem) a photo goes to; the user must be allowed to edit the visit."""
    if kind == "problem":
        problem = visits.find_problem_by_uuid(client_uuid)
        visit = scoped_visit(user, problem.visit.client_uuid) if problem else None
        if problem is None or visit is None:
            raise ApiError(404, "not_found", _("找不到这个问题，或您没有查看它的权限。"))
    else:
        problem, visit = None, scoped_visit(user, client_uuid)
    if not can_edit_visit(user, visit):
        raise ApiError(409, "locked", _("这条记录已审核或不归您修改，不能再添加照片。"))
    return visit, problem


def add_photo(
    user: User, visit: Visit, problem: Problem | None, client_uuid: str, upload: FileStorage
) -> tuple[Photo, bool]:
    """Store a photo once: the same UUID or bytes on the same record, is the stored one."""
    same_uuid = db.session.scalar(select(Photo).where(Photo.client_uuid == client_uuid))
    if same_uuid is not None:
        if _belongs(same_uuid, visit, problem):
            return same_uuid, False
        raise ApiError(409, "conflict", _("这张照片的 UUID 已用于另一条记录。"))
    limit = current_app.config["PHOTO_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    digest = hashlib.sha256(data).hexdigest()
    for photo in visits.photos_of(visit, problem):
        if photo.sha256 == digest:
            return photo, False
    name = upload.filename or "photo.jpg"
    try:
        photo = save_upload(user, FileStorage(io.BytesIO(data), filename=name), client_uuid)
    except PhotoError as error:
        raise ApiError(400, "bad_photo", error_message(error, name)) from error
    visits.attach_photo(user, visit, problem, photo)
    return photo, True


def _belongs(photo: Photo, visit: Visit, problem: Problem | None) -> bool:
    return photo.visit_id == visit.id and photo.problem_id == (problem.id if problem else None)
