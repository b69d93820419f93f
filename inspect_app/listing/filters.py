"""Filters and their options for the lists of visits, problems and suggestions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, literal, or_, select

from inspect_app.access import is_secretary, member_group_ids
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.listing.search import person_name, project_name
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
from inspect_app.models.deadlines import overdue_clause, soon_clause
from inspect_app.models.records import problem_co_department


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
    project_name: str = ""  # typed in the search field (no script, or not yet picked)
    author_name: str = ""
    sort: str = ""
    descending: bool = False

    def problem_only(self) -> bool:
        """Whether a filter applies to problems only (status, category, department)."""
        return bool(self.status or self.category or self.department_id or self.due)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def parse_date(value: str | None) -> date | None:
    """A query-string date (2025-07-21), or None when empty or unreadable."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_filters(args, user: User | None = None) -> Filters:
    """The filters of a list page. With `user`, a chosen project or author id is shown by
    its name (within the user's scope); a different name typed over it wins over the id."""
    filters = Filters(
        date_from=parse_date(args.get("date_from")),
        date_to=parse_date(args.get("date_to")),
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
        project_name=(args.get("project") or "").strip()[:100],
        author_name=(args.get("author") or "").strip()[:50],
        sort=args.get("sort") if args.get("sort") in PROBLEM_SORTS else "",
        descending=args.get("dir") == "desc",
    )
    if user is not None:
        _resolve_names(filters, user)
    return filters


def _resolve_names(f: Filters, user: User) -> None:
    if f.project_id:
        name = project_name(user, f.project_id)
        if f.project_name and f.project_name != name:
            f.project_id = None
        else:
            f.project_name = name or ""
    if f.author_id:
        name = person_name(user, f.author_id)
        if f.author_name and f.author_name != name:
            f.author_id = None
        else:
            f.author_name = name or ""


def _common(query: Select, model, f: Filters, user: User) -> Select:
    if f.campaign_id:
        query = query.where(model.campaign_id == f.campaign_id)
    if f.group_id:
        query = query.where(model.group_id == f.group_id)
    if f.project_id:
        query = query.where(model.project_id == f.project_id)
    elif f.project_name:
        query = query.where(model.project_id.in_(_projects_named(f.project_name)))
    if f.author_id:
        query = query.where(model.author_id == f.author_id)
    elif f.author_name:
        query = query.where(model.author_id.in_(_people_named(f.author_name)))
    if f.mine:
        query = query.where(model.author_id == user.id)
    if f.date_from:
        query = query.where(Visit.visited_on >= f.date_from)
    if f.date_to:
        query = query.where(Visit.visited_on <= f.date_to)
    if f.town:
        query = query.where(Project.town == f.town)
    return query


def _projects_named(text: str) -> Select:
    return select(Project.id).where(Project.name.contains(text, autoescape=True))


def _people_named(text: str) -> Select:
    return select(User.id).where(User.name.contains(text, autoescape=True))


def filter_visits(query: Select, f: Filters, user: User) -> Select:
    query = query.join(Project, Visit.project_id == Project.id)
    query = _common(query, Visit, f, user)
    if f.q:
        query = query.where(or_(Visit.summary.contains(f.q), Project.name.contains(f.q)))
    return query


def problem_needs_visit(f: Filters) -> bool:
    """Whether filtering or sorting problems reads their visit (dates) or project (town)."""
    return bool(f.date_from or f.date_to or f.town or f.sort == "visited")


def join_visit_and_project(query: Select, f: Filters) -> Select:
    """A filtered problem query joined to its visit and project (for their columns)."""
    if problem_needs_visit(f):
        return query
    return query.join(Visit, Problem.visit_id == Visit.id).join(
        Project, Problem.project_id == Project.id
    )


def filter_problems(query: Select, f: Filters, user: User) -> Select:
    """Join the visit and project only when needed: counts and deep pages stay on indexes."""
    if problem_needs_visit(f):
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


PROBLEM_SORTS = {  # sort name -> columns, ascending; every one ends on the id (stable pages)
    "code": (Problem.code, Problem.id),
    "visited": (Visit.visited_on, Problem.id),
    "category": (Problem.category, Problem.id),
    "status": (Problem.status, Problem.id),
    "deadline": (Problem.deadline, Problem.id),
    "department": (Problem.lead_department_id, Problem.id),
}


def sort_problems(query: Select, f: Filters) -> Select:
    """Newest first unless a column is chosen (each sort has an index: migration 0004)."""
    if not f.sort:
        return query.order_by(Problem.id.desc())
    columns = PROBLEM_SORTS[f.sort]
    ordered = (c.desc() if f.descending else c.asc() for c in columns)
    return query.order_by(*(c.nulls_last() for c in ordered))  # no deadline: at the end


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
    """Choices for the filter bar, limited to what the user may see.

    Projects and deputies can be thousands: they are searched as typed (listing/search.py),
    never listed; the fields carry the chosen id, or the typed name without a script.
    """
    groups = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if user.role not in (Role.STAFF, Role.VIEWER):
        groups = groups.where(Group.id.in_(member_group_ids(user)))
    group_list = list(db.session.scalars(groups))
    towns = select(Project.town).where(Project.town.is_not(None)).distinct().order_by(Project.town)
    return {
        "campaigns": list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc()))),
        "departments": list(db.session.scalars(select(Department).order_by(Department.sort_order))),
        "groups": group_list,
        "towns": list(db.session.scalars(towns)),
        "show_author": user.role != Role.DEPARTMENT,
        "show_group": user.role in (Role.STAFF, Role.VIEWER) or len(group_list) > 1,
        "show_departments": user.role in (Role.STAFF, Role.VIEWER) or is_secretary(user),
    }


COUNT_CAP = 10_000  # beyond this a list says "more than 10,000" instead of counting them all


class Page:
    """One page of a list, with a count capped at COUNT_CAP (what the pager macro reads)."""

    def __init__(self, query: Select, page: int, per_page: int, cap: int = COUNT_CAP):
        self.page, self.per_page = max(page, 1), per_page
        counted = capped_count(query, cap)
        self.capped = counted > cap
        self.total = min(counted, cap)
        self.pages = max(1, -(-self.total // per_page))
        if self.capped:  # the page itself tells whether there is a next one
            self.pages = max(self.pages, self.page)
        else:  # a page past the end shows the last one
            self.page = min(self.page, self.pages)
        offset = (self.page - 1) * per_page
        rows = list(db.session.scalars(query.limit(per_page + 1).offset(offset)))
        self.items = rows[:per_page]
        self.has_prev = self.page > 1
        self.has_next = len(rows) > per_page
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def capped_count(query: Select, cap: int = COUNT_CAP) -> int:
    """How many rows a filtered query selects, counting no further than `cap` + 1."""
    limited = (
        query.order_by(None)
        .with_only_columns(literal(1), maintain_column_froms=True)
        .limit(cap + 1)
    )
    return db.session.scalar(select(func.count()).select_from(limited.subquery())) or 0


def page_number(args) -> int:
    value = args.get("page", "")
    return min(int(value), 1_000_000) if value.isdigit() and int(value) > 0 else 1


def status_counts(query: Select, statuses: list[str], cap: int = COUNT_CAP) -> dict[str, int]:
    """Problems per status of a filtered query, each counted up to `cap` (one statement)."""
    base = query.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
    counts = [
        select(func.count())
        .select_from(base.where(Problem.status == status).limit(cap + 1).subquery())
        .scalar_subquery()
        for status in statuses
    ]
    if not counts:
        return {}
    row = db.session.execute(select(*counts)).one()
    return {status: n for status, n in zip(statuses, row, strict=True) if n}
