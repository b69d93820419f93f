"""The figures leaders read: plain queries shared by the dashboard, the department table
and the ledger workbook's 统计 sheet, so that all three always agree.

Definitions (DESIGN.md): assigned = handed to a department (已交办 and every later state);
answered = 已答复 or 已办结; answered on time = answered by the end of the deadline day
(Asia/Shanghai); overdue = past the deadline and still open (never stored); 办结率 =
closed / assigned; 满意率 = (满意 + 基本满意) / rated; 按期答复率 = on time / answered.
Problems merged into another (已合并) count nowhere: the one they were merged into counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import DateTime, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from inspect_app import labels
from inspect_app.extensions import db
from inspect_app.models import (
    OPEN_STATUSES,
    AuditEvent,
    Department,
    Group,
    GroupMember,
    Problem,
    ProblemStatus,
    Project,
    Role,
    Satisfaction,
    Suggestion,
    User,
    Visit,
    group_project,
)
from inspect_app.models.records import problem_co_department

ASSIGNED_STATUSES = (
    ProblemStatus.ASSIGNED,
    ProblemStatus.IN_PROGRESS,
    ProblemStatus.ANSWERED,
    ProblemStatus.CLOSED,
    ProblemStatus.REOPENED,
)
ANSWERED_STATUSES = (ProblemStatus.ANSWERED, ProblemStatus.CLOSED)
GOOD_RATINGS = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
URGE = "urge"  # AuditEvent.action written when staff 督办 a problem
MERGED = "merged"  # 已合并: a duplicate merged into another leaves every count


class deadline_end(FunctionElement):
    """The end of a deadline day in Asia/Shanghai, as naive UTC (16:00 UTC that day)."""

    type = DateTime()
    inherit_cache = True


@compiles(deadline_end)
def _deadline_end_sqlite(element, compiler, **kw):
    return f"datetime({compiler.process(element.clauses, **kw)}, '+16 hours')"


@compiles(deadline_end, "postgresql")
def _deadline_end_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} + interval '16 hours')"


@dataclass
class Scope:
    """Which problems count: a campaign, some groups (None: all), optional extra conditions."""

    campaign_id: int | None = None
    group_ids: list[int] | None = None
    conditions: list = field(default_factory=list)

    def where(self, model) -> list:
        clauses = []
        if self.campaign_id:
            clauses.append(model.campaign_id == self.campaign_id)
        if self.group_ids is not None:
            clauses.append(model.group_id.in_(self.group_ids))
        return clauses

    def problems(self) -> list:
        return [*self.where(Problem), Problem.status != MERGED, *self.conditions]


@dataclass
class Figures:
    """Counts of one slice of problems, and the rates derived from them."""

    name: str = ""
    key: object = None
    problems: int = 0
    assigned: int = 0
    answered: int = 0
    on_time: int = 0
    closed: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    co_assigned: int = 0
    urged: int = 0
    visits: int = 0
    suggestions: int = 0

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def assigned_rate(self):
        return self.rate(self.assigned, self.problems)

    @property
    def answered_rate(self):
        return self.rate(self.answered, self.assigned)

    @property
    def on_time_rate(self):
        """按期答复率: answered by the deadline / answered."""
        return self.rate(self.on_time, self.answered)

    @property
    def closed_rate(self):
        """办结率: closed / assigned."""
        return self.rate(self.closed, self.assigned)

    @property
    def satisfied_rate(self):
        """满意率: (满意 + 基本满意) / rated."""
        return self.rate(self.satisfied, self.rated)


def _counted(today: date) -> tuple:
    def when(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    answered = Problem.status.in_(ANSWERED_STATUSES)
    on_time = answered & (Problem.answered_at <= deadline_end(Problem.deadline))
    return (
        func.count(Problem.id),
        when(Problem.status.in_(ASSIGNED_STATUSES)),
        when(answered),
        when(on_time),
        when(Problem.status == ProblemStatus.CLOSED),
        when((Problem.deadline < today) & Problem.status.in_(OPEN_STATUSES)),
        when(Problem.satisfaction.is_not(None)),
        when(Problem.satisfaction.in_(GOOD_RATINGS)),
    )


COUNTED = ("problems", "assigned", "answered", "on_time", "closed", "overdue", "rated", "satisfied")


def _figures(row, name="", key=None) -> Figures:
    return Figures(name, key, **dict(zip(COUNTED, (int(v or 0) for v in row), strict=True)))


def _grouped(key, scope: Scope, today: date, join=None) -> dict:
    query = select(key, *_counted(today)).select_from(Problem).where(*scope.problems())
    if join is not None:
        query = query.join(*join)
    rows = db.session.execute(query.group_by(key))
    return {row[0]: _figures(row[1:]) for row in rows}


def _count(query: Select) -> int:
    return db.session.scalar(query) or 0


def headline(scope: Scope, today: date) -> dict:
    """The dashboard's top figures: people, projects, records and the rates."""
    figures = _figures(db.session.execute(select(*_counted(today)).where(*scope.problems())).one())
    groups = select(Group.id).where(*_group_where(scope))
    figures.visits = _count(select(func.count(Visit.id)).where(*scope.where(Visit)))
    figures.suggestions = _count(select(func.count(Suggestion.id)).where(*scope.where(Suggestion)))
    deputies = select(func.count(func.distinct(GroupMember.user_id))).join(
        User, User.id == GroupMember.user_id
    )
    visits = select(Visit.id).where(Visit.project_id == Project.id, *scope.where(Visit))
    visited = select(func.count(Project.id)).where(visits.exists())  # one probe a project
    listed = select(func.count(func.distinct(group_project.c.project_id))).where(
        group_project.c.group_id.in_(groups)
    )
    secretaries = select(GroupMember.user_id).where(GroupMember.is_secretary.is_(True))
    roster = select(func.count(User.id)).where(  # 联络员 are group staff, not deputies
        User.role == Role.DEPUTY, User.active.is_(True), User.id.not_in(secretaries)
    )
    return {
        "figures": figures,
        "groups": _count(select(func.count()).select_from(groups.subquery())),
        "deputies": _count(
            deputies.where(
                GroupMember.group_id.in_(groups),
                GroupMember.is_secretary.is_(False),
                User.role == Role.DEPUTY,
            )
        ),
        "roster": _count(roster),
        "projects": _count(visited),
        "project_list": _count(listed),
    }


def _group_where(scope: Scope) -> list:
    clauses = []
    if scope.campaign_id:
        clauses.append(Group.campaign_id == scope.campaign_id)
    if scope.group_ids is not None:
        clauses.append(Group.id.in_(scope.group_ids))
    return clauses


def _record_counts(model, scope: Scope) -> dict[int, int]:
    query = select(model.group_id, func.count(model.id)).where(*scope.where(model))
    return dict(db.session.execute(query.group_by(model.group_id)).all())


def by_group(scope: Scope, today: date) -> list[Figures]:
    """Every group of the scope, also those without a single problem, in their order."""
    counted = _grouped(Problem.group_id, scope, today)
    visits, suggestions = _record_counts(Visit, scope), _record_counts(Suggestion, scope)
    groups = db.session.execute(
        select(Group.id, Group.name)
        .where(*_group_where(scope))
        .order_by(Group.campaign_id.desc(), Group.sort_order, Group.id)
    )
    rows = []
    for group_id, name in groups:
        figures = counted.get(group_id) or Figures()
        figures.name, figures.key = name, group_id
        figures.visits, figures.suggestions = visits.get(group_id, 0), suggestions.get(group_id, 0)
        rows.append(figures)
    return rows


def by_town(scope: Scope, today: date) -> list[Figures]:
    counted = _grouped(Project.town, scope, today, join=(Project, Project.id == Problem.project_id))
    rows = [_named(f, town or "（未填）", town) for town, f in counted.items()]
    return sorted(rows, key=lambda f: (-f.problems, f.name))


def by_category(scope: Scope, today: date) -> list[Figures]:
    counted = _grouped(Problem.category, scope, today)
    order = [code for code, _text in labels.pairs("problem_category")]
    keys = sorted(counted, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [_named(counted[c], labels.label("problem_category", c), c) for c in keys]


def by_status(scope: Scope) -> list[tuple[str, int]]:
    """(status, count) in the order of the workflow, every status that has a problem."""
    query = select(Problem.status, func.count(Problem.id)).where(*scope.problems())
    counts = dict(db.session.execute(query.group_by(Problem.status)).all())
    order = [code for code, _text in labels.pairs("problem_status")]
    known = [(code, counts[code]) for code in order if counts.get(code)]
    return known + sorted((c, n) for c, n in counts.items() if c not in order)


def by_department(scope: Scope, today: date, every: bool = True) -> list[Figures]:
    """The table that presses departments: as lead, as co-department, urges, satisfaction.

    `every` lists also departments with nothing assigned (the dashboard); the ledger's sheet
    lists only those its problems name.
    """
    lead = _grouped(Problem.lead_department_id, scope, today)
    co_query = (
        select(problem_co_department.c.department_id, func.count())
        .join(Problem, Problem.id == problem_co_department.c.problem_id)
        .where(*scope.problems())
        .group_by(problem_co_department.c.department_id)
    )
    co = dict(db.session.execute(co_query).all())
    urged = dict(db.session.execute(_urges(scope)).all())
    departments = db.session.execute(
        select(Department.id, Department.name).order_by(Department.sort_order, Department.id)
    )
    rows = []
    for department_id, name in departments:
        figures = lead.get(department_id) or Figures()
        figures.name, figures.key = name, department_id
        figures.co_assigned = co.get(department_id, 0)
        figures.urged = urged.get(department_id, 0)
        if every or figures.problems or figures.co_assigned:
            rows.append(figures)
    return rows


def _urges(scope: Scope) -> Select:
    """督办 per lead department: AuditEvents with action 'urge' on its problems."""
    return (
        select(Problem.lead_department_id, func.count(AuditEvent.id))
        .join(Problem, Problem.id == AuditEvent.entity_id)
        .where(AuditEvent.entity == "problem", AuditEvent.action == URGE, *scope.problems())
        .group_by(Problem.lead_department_id)
    )


def by_week(scope: Scope, today: date) -> list[Figures]:
    """Visits, problems and closed problems per week (Monday), by visit date."""
    days = _grouped(Visit.visited_on, scope, today, join=(Visit, Visit.id == Problem.visit_id))
    visit_days = db.session.execute(
        select(Visit.visited_on, func.count(Visit.id))
        .where(*scope.where(Visit))
        .group_by(Visit.visited_on)
    )
    weeks: dict[date, Figures] = defaultdict(Figures)
    for day, figures in days.items():
        week = weeks[_monday(day)]
        for name in COUNTED:
            setattr(week, name, getattr(week, name) + getattr(figures, name))
    for day, count in visit_days:
        weeks[_monday(day)].visits += count
    rows = []
    for monday in sorted(weeks):
        rows.append(_named(weeks[monday], f"{monday:%m-%d}", monday))
    return rows


def _monday(day) -> date:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day - timedelta(days=day.weekday())


def _named(figures: Figures, name: str, key) -> Figures:
    figures.name, figures.key = name, key
    return figures
