"""待我处理: what waits for the user, by role, with counts."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select

from inspect_app.access import is_secretary, problem_scope, secretary_group_ids, visit_scope
from inspect_app.extensions import db
from inspect_app.listing.rows import PROBLEM_ROW
from inspect_app.models import (
    OPEN_STATUSES,
    ExtensionRequest,
    Problem,
    ProblemStatus,
    Rating,
    Role,
    Urge,
    User,
    Visit,
    VisitStatus,
)
from inspect_app.models.deadlines import overdue_clause, soon_clause
from inspect_app.models.records import problem_raiser

SHOWN = 20


@dataclass
class Section:
    key: str
    title: object
    count: int
    problems: list = field(default_factory=list)
    visits: list = field(default_factory=list)


def _problems(query: Select) -> tuple[int, list[Problem]]:
    count = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Problem.deadline.is_(None), Problem.deadline, Problem.id)
        .limit(SHOWN)
        .options(*PROBLEM_ROW)
    )
    return count, list(rows)


def _section(key: str, title, query: Select) -> Section:
    count, rows = _problems(query)
    return Section(key, title, count, problems=rows)


def sections(user: User, today: date) -> list[Section]:
    """The user's 待我处理 sections (empty ones included, so the page says so)."""
    scoped = select(Problem).where(problem_scope(user))
    if user.role == Role.STAFF:
        return _reviewer(user, scoped) + _staff(scoped, today)
    if user.role == Role.DEPARTMENT:
        return _department(user, scoped, today)
    if user.role == Role.DEPUTY and is_secretary(user):
        return _reviewer(user, scoped) + _deputy(user, scoped)
    if user.role == Role.DEPUTY:
        return _deputy(user, scoped)
    return []


def _reviewer(user: User, scoped: Select) -> list[Section]:
    groups = secretary_group_ids(user)
    visits = select(Visit).where(visit_scope(user), Visit.status == VisitStatus.SUBMITTED)
    problems = scoped.where(Problem.status == ProblemStatus.SUBMITTED)
    if user.role != Role.STAFF:
        visits = visits.where(Visit.group_id.in_(groups))
        problems = problems.where(Problem.group_id.in_(groups))
    visits = visits.where(Visit.sent_back_reason.is_(None))
    problems = problems.where(Problem.sent_back_reason.is_(None))
    visit_count = db.session.scalar(select(func.count()).select_from(visits.subquery())) or 0
    visit_rows = list(db.session.scalars(visits.order_by(Visit.id).limit(SHOWN)))
    return [
        Section("visits_to_review", _l("待审核的视察记录"), visit_count, visits=visit_rows),
        _section("to_review", _l("待审核的问题"), problems),
    ]


def _staff(scoped: Select, today: date) -> list[Section]:
    reviewed = scoped.where(Problem.status == ProblemStatus.REVIEWED)
    pending = select(ExtensionRequest.problem_id).where(ExtensionRequest.status == "pending")
    return [
        _section(
            "to_assign",
            _l("已审核待交办"),
            reviewed.where(Problem.return_reason.is_(None), Problem.merged_into_id.is_(None)),
        ),
        _section(
            "returned", _l("承办单位申请退回"), reviewed.where(Problem.return_reason.is_not(None))
        ),
        _section("extensions", _l("延期申请待审批"), scoped.where(Problem.id.in_(pending))),
        _section("overdue", _l("已超期"), scoped.where(*overdue_clause(today))),
    ]


def _department(user: User, scoped: Select, today: date) -> list[Section]:
    lead = scoped.where(Problem.lead_department_id == user.department_id)
    urged = exists().where(Urge.problem_id == Problem.id, Urge.acknowledged_at.is_(None))
    return [
        _section("new", _l("新交办"), lead.where(Problem.status == ProblemStatus.ASSIGNED)),
        _section("reopened", _l("重新办理"), lead.where(Problem.status == ProblemStatus.REOPENED)),
        _section("urged", _l("被督办"), lead.where(urged, Problem.status.in_(OPEN_STATUSES))),
        _section("soon", _l("即将到期"), lead.where(*soon_clause(today))),
    ]


def _deputy(user: User, scoped: Select) -> list[Section]:
    raised = select(problem_raiser.c.problem_id).where(problem_raiser.c.user_id == user.id)
    sent_back = scoped.where(
        Problem.author_id == user.id,
        Problem.status == ProblemStatus.SUBMITTED,
        Problem.sent_back_reason.is_not(None),
    )
    visits = select(Visit).where(
        Visit.author_id == user.id,
        Visit.status == VisitStatus.SUBMITTED,
        Visit.sent_back_reason.is_not(None),
    )
    visit_rows = list(db.session.scalars(visits.order_by(Visit.id).limit(SHOWN)))
    visit_count = db.session.scalar(select(func.count()).select_from(visits.subquery())) or 0
    rated = exists().where(
        Rating.problem_id == Problem.id,
        Rating.deputy_id == user.id,
        Rating.created_at >= Problem.answered_at,
    )
    to_rate = scoped.where(Problem.id.in_(raised), Problem.status == ProblemStatus.ANSWERED, ~rated)
    sent_back_section = _section("sent_back", _l("被退回修改"), sent_back)
    sent_back_section.visits = visit_rows
    sent_back_section.count += visit_count
    return [sent_back_section, _section("to_rate", _l("待评价"), to_rate)]


def total(found: list[Section]) -> int:
    return sum(section.count for section in found)


def active_urges(user: User) -> list[Urge]:
    """Urges the department has not acted on yet, newest first (top of its home)."""
    if user.role != Role.DEPARTMENT or not user.department_id:
        return []
    query = (
        select(Urge)
        .join(Problem, Urge.problem_id == Problem.id)
        .where(
            Urge.acknowledged_at.is_(None),
            Problem.lead_department_id == user.department_id,
            Problem.status.in_([*OPEN_STATUSES]),
        )
        .order_by(Urge.id.desc())
    )
    return list(db.session.scalars(query))


def department_tiles(user: User, today: date) -> list[tuple[object, int, dict]]:
    """新交办 / 办理中 / 即将到期 / 已超期 / 已答复 with counts and the ledger filter for each."""
    lead = select(Problem.id).where(
        problem_scope(user), Problem.lead_department_id == user.department_id
    )

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(lead.where(*where).subquery()))

    return [
        (_l("新交办"), count(Problem.status == ProblemStatus.ASSIGNED), {"status": "assigned"}),
        (
            _l("办理中"),
            count(Problem.status == ProblemStatus.IN_PROGRESS),
            {"status": "in_progress"},
        ),
        (_l("即将到期"), count(*soon_clause(today)), {"due": "soon"}),
        (_l("已超期"), count(*overdue_clause(today)), {"due": "overdue"}),
        (_l("已答复"), count(Problem.status == ProblemStatus.ANSWERED), {"status": "answered"}),
    ]
