"""Filters and their options for the lists of visits, problems and suggestions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select

from inspect_app.access import is_secretary, member_group_ids
from inspect_app.extensions import db
from inspect_app.models import (
    Campaign,
    Department,
    Group,
    Problem,
    ProblemStatus,
    Project,
    Role,
    Suggestion,
    User,
    Visit,
)
from inspect_app.models.records import problem_co_department
from inspect_app.problems.deadlines import overdue_clause, soon_clause
from inspect_app.templating import today_local


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    group_id: int | None = None
    town: str = ""
    project_id: int | None = None
    author_id: int | None = None
    status: str = ""
    category: str = ""
    q: str = ""
    mine: bool = False
    campaign_id: int | None = None
    department_id: int | None = None
    due: str = ""  # "overdue" or "soon" (within 7 days), derived from the deadline
    sort: str = ""  # "deadline" sorts the ledger by 办理时限

    def problem_only(self) -> bool:
        """Whether a filter applies to problems only (status, category, department)."""
        return bool(self.status or self.category or self.department_id or self.due)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_filters(args) -> Filters:
    return Filters(
        date_from=_date(args.get("date_from")),
        date_to=_date(args.get("date_to")),
        group_id=_int(args.get("group_id")),
        town=(args.get("town") or "").strip(),
        project_id=_int(args.get("project_id")),
        author_id=_int(args.get("author_id")),
        status=(args.get("status") or "").strip(),
        category=(args.get("category") or "").strip(),
        q=(args.get("q") or "").strip()[:100],
        mine=args.get("mine") == "1",
        campaign_id=_int(args.get("campaign_id")),
        department_id=_int(args.get("department_id")),
        due=args.get("due") if args.get("due") in ("overdue", "soon") else "",
        sort="deadline" if args.get("sort") == "deadline" else "",
    )


def _common(query: Select, model, f: Filters, user: User) -> Select:
    if f.campaign_id:
        query = query.where(model.campaign_id == f.campaign_id)
    if f.group_id:
        query = query.where(model.group_id == f.group_id)
    if f.project_id:
        query = query.where(model.project_id == f.project_id)
    if f.author_id:
        query = query.where(model.author_id == f.author_id)
    if f.mine:
        query = query.where(model.author_id == user.id)
    if f.date_from:
        query = query.where(Visit.visited_on >= f.date_from)
    if f.date_to:
        query = query.where(Visit.visited_on <= f.date_to)
    if f.town:
        query = query.where(Project.town == f.town)
    return query


def filter_visits(query: Select, f: Filters, user: User) -> Select:
    query = query.join(Project, Visit.project_id == Project.id)
    query = _common(query, Visit, f, user)
    if f.q:
        query = query.where(or_(Visit.summary.contains(f.q), Project.name.contains(f.q)))
    return query


def filter_problems(query: Select, f: Filters, user: User) -> Select:
    query = query.join(Visit, Problem.visit_id == Visit.id).join(
        Project, Problem.project_id == Project.id
    )
    query = _common(query, Problem, f, user)
    if f.status:
        query = query.where(Problem.status == f.status)
    else:  # a merged duplicate leaves the counts
        query = query.where(Problem.status != ProblemStatus.MERGED)
    if f.category:
        query = query.where(Problem.category == f.category)
    if f.department_id:
        co = select(problem_co_department.c.problem_id).where(
            problem_co_department.c.department_id == f.department_id
        )
        query = query.where(or_(Problem.lead_department_id == f.department_id, Problem.id.in_(co)))
    if f.q:
        query = query.where(or_(Problem.description.contains(f.q), Problem.code.contains(f.q)))
    if f.due:
        clause = overdue_clause if f.due == "overdue" else soon_clause
        query = query.where(*clause(today_local()))
    return query


def filter_suggestions(query: Select, f: Filters, user: User) -> Select:
    query = query.join(Visit, Suggestion.visit_id == Visit.id).join(
        Project, Visit.project_id == Project.id
    )
    if f.project_id:
        query = query.where(Visit.project_id == f.project_id)
    f_no_project = Filters(**{**f.__dict__, "project_id": None})
    query = _common(query, Suggestion, f_no_project, user)
    if f.q:
        query = query.where(Suggestion.text.contains(f.q))
    return query


def filter_options(user: User) -> dict:
    """Choices for the filter bar, limited to what the user may see."""
    groups = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if user.role not in (Role.STAFF, Role.VIEWER):
        groups = groups.where(Group.id.in_(member_group_ids(user)))
    group_list = list(db.session.scalars(groups))
    authors = select(User).where(
        User.id.in_(
            select(Visit.author_id).where(Visit.group_id.in_([g.id for g in group_list])).distinct()
        )
    )
    towns = select(Project.town).where(Project.town.is_not(None)).distinct().order_by(Project.town)
    return {
        "campaigns": list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc()))),
        "departments": list(db.session.scalars(select(Department).order_by(Department.sort_order))),
        "groups": group_list,
        "towns": list(db.session.scalars(towns)),
        "projects": list(db.session.scalars(select(Project).order_by(Project.name))),
        "authors": list(db.session.scalars(authors.order_by(User.name))),
        "show_group": user.role in (Role.STAFF, Role.VIEWER) or len(group_list) > 1,
        "show_departments": user.role in (Role.STAFF, Role.VIEWER) or is_secretary(user),
    }
