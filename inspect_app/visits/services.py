"""Visits and what they carry: create, update, review, list. No request objects here."""

import uuid
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from inspect_app import signals
from inspect_app.access import is_handed_over
from inspect_app.auditing import record_event, snapshot
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.models import (
    Campaign,
    CampaignStatus,
    Group,
    GroupMember,
    Photo,
    Problem,
    ProblemStatus,
    Project,
    Role,
    Suggestion,
    User,
    Visit,
    VisitStatus,
    group_project,
    utcnow,
)


@dataclass
class ProblemInput:
    client_uuid: str
    category: str
    description: str
    suggestion: str = ""
    photos: list[Photo] = field(default_factory=list)
    id: int | None = None
    delete: bool = False


@dataclass
class SuggestionInput:
    client_uuid: str
    text: str
    id: int | None = None
    delete: bool = False


@dataclass
class VisitInput:
    client_uuid: str
    group_id: int
    project_id: int
    visited_on: date
    summary: str
    attendee_ids: list[int]
    photos: list[Photo] = field(default_factory=list)
    problems: list[ProblemInput] = field(default_factory=list)
    suggestions: list[SuggestionInput] = field(default_factory=list)


def visit_date_error(campaign: Campaign | None, visited_on: date) -> str | None:
    """Why a visit date is refused (in the future, or outside its campaign), or None."""
    if visited_on > today_local():
        return str(_l("视察日期不能晚于今天。"))
    if campaign is None:
        return None
    starts, ends = campaign.starts_on, campaign.ends_on
    if (starts and visited_on < starts) or (ends and visited_on > ends):
        return str(
            _l(
                "视察日期要在本次视察活动期间（%(starts)s 至 %(ends)s）。",
                starts=starts or "",
                ends=ends or "",
            )
        )
    return None


def new_uuid() -> str:
    return str(uuid.uuid4())


def loggable_groups(user: User) -> list[Group]:
    """Groups of active campaigns the user may log visits for."""
    query = (
        select(Group)
        .join(Campaign)
        .where(Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.id.desc(), Group.sort_order)
    )
    if user.role != Role.STAFF:
        if user.role != Role.DEPUTY:
            return []
        query = query.join(GroupMember).where(GroupMember.user_id == user.id)
    return list(db.session.scalars(query))


def group_members(group_id: int) -> list[User]:
    query = (
        select(User)
        .join(GroupMember)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.is_secretary.desc(), User.id)
    )
    return list(db.session.scalars(query))


OTHER_PROJECTS_SHOWN = 30


def project_choices(group_id: int | None, query_text: str = "") -> tuple[list, list]:
    """(the group's projects, the first other projects matching a search), by name or town.

    Other projects are listed only for a search, a page at a time, so the form stays small
    when the province has tens of thousands of projects (the API pages through the rest).
    """
    own_ids = select(group_project.c.project_id).where(group_project.c.group_id == group_id)
    query = select(Project).order_by(Project.town, Project.name)
    words = query_text.strip()
    if words:
        like = f"%{words}%"
        query = query.where(or_(Project.name.ilike(like), Project.town.ilike(like)))
    own = list(db.session.scalars(query.where(Project.id.in_(own_ids)))) if group_id else []
    others = []
    if words:
        others_query = query.where(Project.id.not_in(own_ids)) if group_id else query
        others = list(db.session.scalars(others_query.limit(OTHER_PROJECTS_SHOWN)))
    return own, others


def all_project_ids() -> list[int]:
    return list(db.session.scalars(select(Project.id)))


def find_by_uuid(client_uuid: str) -> Visit | None:
    if not client_uuid:
        return None
    return db.session.scalar(select(Visit).where(Visit.client_uuid == client_uuid))


def _words(text: str) -> str:
    return " ".join((text or "").split())


def stored_submission(user: User, data: VisitInput) -> Visit | None:
    """The visit this submission was already stored as, or None.

    The same client UUID (a double tap, a retry after a lost response, a resubmitted page),
    or, when a page reached again by Back carries a fresh UUID, the same author, group,
    project, date and progress text.
    """
    found = find_by_uuid(data.client_uuid)
    if found is not None:
        return found
    query = (
        select(Visit)
        .where(
            Visit.author_id == user.id,
            Visit.group_id == data.group_id,
            Visit.project_id == data.project_id,
            Visit.visited_on == data.visited_on,
        )
        .order_by(Visit.id.desc())
    )
    summary = _words(data.summary)
    return next((v for v in db.session.scalars(query) if _words(v.summary) == summary), None)


def adds_to(visit: Visit, data: VisitInput) -> bool:
    """Whether a submission carries problems or suggestions the stored visit lacks."""
    stored = {_words(p.description) for p in visit.problems}
    stored |= {_words(s.text) for s in visit.suggestions}
    typed = {_words(p.description) for p in data.problems if not p.delete}
    typed |= {_words(p.suggestion) for p in data.problems if not p.delete}
    typed |= {_words(s.text) for s in data.suggestions if not s.delete}
    return bool(typed - stored - {""})


def next_problem_code(group: Group) -> str:
    """编号: <year>-<group number>-<sequence>, e.g. 2025-07-003.

    The group's row is locked first (SELECT … FOR NO KEY UPDATE on PostgreSQL, which does
    not clash with the key-share locks that foreign keys take; SQLite's write transactions
    are serialised anyway), so concurrent saves in a group take turns.
    """
    lock = select(Group.id).where(Group.id == group.id).with_for_update(key_share=True)
    db.session.execute(lock)
    year = (group.campaign.starts_on or date.today()).year
    prefix = f"{year}-{group.sort_order:02d}-"
    last = db.session.scalar(
        select(Problem.code)
        .where(Problem.group_id == group.id, Problem.code.like(f"{prefix}%"))
        .order_by(func.length(Problem.code).desc(), Problem.code.desc())
        .limit(1)
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:03d}"


def create_visit(user: User, data: VisitInput) -> Visit:
    group = db.session.get(Group, data.group_id)
    visit = Visit(
        client_uuid=data.client_uuid or new_uuid(),
        campaign_id=group.campaign_id,
        group_id=group.id,
        project_id=data.project_id,
        visited_on=data.visited_on,
        summary=data.summary.strip(),
        author_id=user.id,
        attendees=_users(data.attendee_ids),
    )
    db.session.add(visit)
    db.session.flush()
    _attach_photos(visit, None, data.photos)
    record_event(user, "create", visit, after=_visit_snapshot(visit))
    _apply_children(user, visit, data)
    signals.visit_changed.send(
        current_app._get_current_object(), visit=visit, action="submit", actor=user, extra={}
    )
    return visit


def update_visit(user: User, visit: Visit, data: VisitInput) -> Visit:
    before = _visit_snapshot(visit)
    visit.project_id = data.project_id
    visit.visited_on = data.visited_on
    visit.summary = data.summary.strip()
    visit.attendees = _users(data.attendee_ids)
    _sync_photos(visit, None, data.photos)
    db.session.flush()
    record_event(user, "update", visit, before=before, after=_visit_snapshot(visit))
    _apply_children(user, visit, data)
    return visit


def delete_visit(user: User, visit: Visit) -> list[str]:
    """Delete a visit with its problems, suggestions and photos; return the photo keys to remove."""
    keys = [
        p.storage_key for p in db.session.scalars(select(Photo).where(Photo.visit_id == visit.id))
    ]
    for problem in visit.problems:
        record_event(user, "delete", problem, before=snapshot(problem))
    for suggestion in visit.suggestions:
        record_event(user, "delete", suggestion, before=snapshot(suggestion))
    record_event(user, "delete", visit, before=_visit_snapshot(visit))
    db.session.delete(visit)
    db.session.flush()
    return keys


def photo_count(visit: Visit) -> int:
    """All photos a delete takes with it: the visit's and its problems'."""
    query = select(func.count(Photo.id)).where(Photo.visit_id == visit.id)
    return db.session.scalar(query) or 0


def review_visit(user: User, visit: Visit) -> None:
    """A secretary's review: the visit and its submitted problems become 已审核."""
    now = utcnow()
    record_event(user, "transition", visit, {"status": visit.status}, {"status": "reviewed"})
    visit.status = VisitStatus.REVIEWED
    visit.reviewed_by_id, visit.reviewed_at = user.id, now
    for problem in visit.problems:
        if problem.status in (ProblemStatus.DRAFT, ProblemStatus.SUBMITTED):
            record_event(
                user, "transition", problem, {"status": problem.status}, {"status": "reviewed"}
            )
            problem.status = ProblemStatus.REVIEWED
            problem.reviewed_by_id, problem.reviewed_at = user.id, now


def _users(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def _visit_snapshot(visit: Visit) -> dict:
    return snapshot(
        visit,
        attendee_ids=[u.id for u in visit.attendees],
        photo_ids=[p.id for p in _photos_of(visit.id, None)],
    )


def _photos_of(visit_id: int, problem_id: int | None) -> list[Photo]:
    query = select(Photo).where(Photo.visit_id == visit_id)
    query = query.where(
        Photo.problem_id == problem_id if problem_id else Photo.problem_id.is_(None)
    )
    return list(db.session.scalars(query.order_by(Photo.id)))


def _attach_photos(visit: Visit, problem: Problem | None, photos: list[Photo]) -> None:
    for photo in photos:
        photo.visit_id = visit.id
        photo.problem_id = problem.id if problem else None


def _sync_photos(visit: Visit, problem: Problem | None, photos: list[Photo]) -> None:
    """Make the attached photos exactly `photos`; a removed one goes back to pending."""
    keep = {p.id for p in photos}
    for photo in _photos_of(visit.id, problem.id if problem else None):
        if photo.id not in keep:
            photo.visit_id = None
            photo.problem_id = None
    _attach_photos(visit, problem, photos)


def _apply_children(user: User, visit: Visit, data: VisitInput) -> None:
    existing_problems = {p.id: p for p in visit.problems}
    for entry in data.problems:
        problem = existing_problems.get(entry.id) if entry.id else None
        if problem is not None and is_handed_over(problem):
            continue  # handed over to a department: changed only through the problem workflow
        if entry.delete:
            if problem is not None:
                _delete_problem(user, visit, problem)
        elif problem is not None:
            _update_problem(user, visit, problem, entry)
        elif entry.description.strip():
            _create_problem(user, visit, entry)
        elif entry.suggestion.strip() or entry.photos:
            raise ValueError("a problem block with content needs a description")
    existing_suggestions = {s.id: s for s in visit.suggestions if s.problem_id is None}
    for entry in data.suggestions:
        suggestion = existing_suggestions.get(entry.id) if entry.id else None
        if suggestion is not None and (entry.delete or not entry.text.strip()):
            record_event(user, "delete", suggestion, before=snapshot(suggestion))
            visit.suggestions.remove(suggestion)
        elif suggestion is not None:
            before = snapshot(suggestion)
            suggestion.text = entry.text.strip()
            record_event(user, "update", suggestion, before=before, after=snapshot(suggestion))
        elif entry.text.strip() and not entry.delete:
            _create_suggestion(user, visit, entry.text, entry.client_uuid, None)


def _create_problem(user: User, visit: Visit, entry: ProblemInput) -> Problem:
    problem = Problem(
        client_uuid=entry.client_uuid or new_uuid(),
        code=next_problem_code(visit.group),
        campaign_id=visit.campaign_id,
        group_id=visit.group_id,
        visit=visit,
        project_id=visit.project_id,
        category=entry.category,
        description=entry.description.strip(),
        author_id=user.id,
        status=ProblemStatus.SUBMITTED,
        raised_by=[user] if user.role == Role.DEPUTY else [],
    )
    db.session.add(problem)
    db.session.flush()
    _attach_photos(visit, problem, entry.photos)
    record_event(user, "create", problem, after=_problem_snapshot(problem))
    if entry.suggestion.strip():
        linked_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"suggestion:{problem.client_uuid}"))
        _create_suggestion(user, visit, entry.suggestion, linked_uuid, problem)
    return problem


def _update_problem(user: User, visit: Visit, problem: Problem, entry: ProblemInput) -> None:
    before = _problem_snapshot(problem)
    problem.category = entry.category
    problem.description = entry.description.strip()
    problem.project_id = visit.project_id
    _sync_photos(visit, problem, entry.photos)
    linked = problem.suggestions[0] if problem.suggestions else None
    if linked is not None and entry.suggestion.strip():
        linked.text = entry.suggestion.strip()
    elif linked is not None:
        record_event(user, "delete", linked, before=snapshot(linked))
        db.session.delete(linked)
    elif entry.suggestion.strip():
        _create_suggestion(user, visit, entry.suggestion, new_uuid(), problem)
    db.session.flush()
    record_event(user, "update", problem, before=before, after=_problem_snapshot(problem))


def _delete_problem(user: User, visit: Visit, problem: Problem) -> None:
    record_event(user, "delete", problem, before=_problem_snapshot(problem))
    for photo in problem.photos:
        photo.visit_id = None
        photo.problem_id = None
    for suggestion in list(problem.suggestions):
        db.session.delete(suggestion)
    visit.problems.remove(problem)
    db.session.flush()


def _problem_snapshot(problem: Problem) -> dict:
    suggestion = problem.suggestions[0].text if problem.suggestions else ""
    return snapshot(
        problem,
        photo_ids=[p.id for p in problem.photos],
        suggestion=suggestion,
        raised_by=[u.id for u in problem.raised_by],
        co_department_ids=[d.id for d in problem.co_departments],
    )


def _create_suggestion(
    user: User, visit: Visit, text: str, client_uuid: str, problem: Problem | None
) -> Suggestion:
    suggestion = Suggestion(
        client_uuid=client_uuid or new_uuid(),
        campaign_id=visit.campaign_id,
        group_id=visit.group_id,
        visit=visit,
        problem=problem,
        text=text.strip(),
        author_id=user.id,
    )
    db.session.add(suggestion)
    db.session.flush()
    record_event(user, "create", suggestion, after=snapshot(suggestion))
    return suggestion


def find_problem_by_uuid(client_uuid: str) -> Problem | None:
    if not client_uuid:
        return None
    return db.session.scalar(select(Problem).where(Problem.client_uuid == client_uuid))


def attach_photo(user: User, visit: Visit, problem: Problem | None, photo: Photo) -> None:
    """Give a stored photo to a visit (or one of its problems), with an AuditEvent."""
    _attach_photos(visit, problem, [photo])
    db.session.flush()
    target = problem if problem is not None else visit
    record_event(user, "attach_photo", target, after={"photo_id": photo.id})


def photos_of(visit: Visit, problem: Problem | None = None) -> list[Photo]:
    return _photos_of(visit.id, problem.id if problem else None)


def content_differences(visit: Visit, data: VisitInput) -> list[str]:
    """What a resubmission under the same client UUID changes in the stored visit (Chinese)."""
    diffs = []
    if visit.group_id != data.group_id or visit.project_id != data.project_id:
        diffs.append(str(_l("视察组或项目不同")))
    if visit.visited_on != data.visited_on:
        diffs.append(str(_l("视察日期不同")))
    if visit.summary != data.summary.strip():
        diffs.append(str(_l("进展情况不同")))
    if {u.id for u in visit.attendees} != set(data.attendee_ids):
        diffs.append(str(_l("参加代表不同")))
    stored = {
        p.client_uuid: (
            p.category,
            p.description,
            p.suggestions[0].text if p.suggestions else "",
        )
        for p in visit.problems
    }
    sent = {
        p.client_uuid: (p.category, p.description.strip(), p.suggestion.strip())
        for p in data.problems
        if not p.delete and p.description.strip()
    }
    if stored != sent:
        diffs.append(str(_l("问题不同")))
    stored_free = {s.client_uuid: s.text for s in visit.suggestions if s.problem_id is None}
    sent_free = {s.client_uuid: s.text.strip() for s in data.suggestions if s.text.strip()}
    if stored_free != sent_free:
        diffs.append(str(_l("意见建议不同")))
    return diffs
