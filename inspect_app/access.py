"""Who may see and change what. Every list, page and file goes through these scopes.

deputy     his own groups' records; edits his own until reviewed
secretary  a deputy marked 联络员 in a group (GroupMember.is_secretary, the one source):
           everything of that group
staff      everything
department only problems assigned to it (lead or co-department) and their suggestions
viewer     read-only, everything

The dashboard and its department table are for leaders (viewer) and staff, across every
group; a secretary sees his own groups' figures; a deputy or a department gets 404 there
(a department's figures are in its own list; a deputy's are his group's to report).
"""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement, false, or_, select, true

from inspect_app.extensions import db
from inspect_app.models import (
    GroupMember,
    Photo,
    Problem,
    ProblemStatus,
    Role,
    Suggestion,
    User,
    Visit,
    VisitStatus,
)
from inspect_app.models.records import problem_co_department

READ_ALL = (Role.STAFF, Role.VIEWER)
GROUP_ROLES = (Role.DEPUTY,)
BEFORE_HANDOVER = (ProblemStatus.DRAFT, ProblemStatus.SUBMITTED, ProblemStatus.REVIEWED)


@dataclass(frozen=True)
class ScopeSnapshot:
    """A user's scope frozen when he asked for a background job; stands in for the User."""

    id: int
    role: str
    department_id: int | None
    group_ids: tuple[int, ...]
    secretary_group_ids: tuple[int, ...]

    @classmethod
    def of(cls, user: User) -> "ScopeSnapshot":
        return cls(
            user.id,
            user.role,
            user.department_id,
            tuple(member_group_ids(user)),
            tuple(secretary_group_ids(user)),
        )

    def as_dict(self) -> dict:
        return {**self.__dict__, "group_ids": list(self.group_ids),
                "secretary_group_ids": list(self.secretary_group_ids)}  # fmt: skip

    @classmethod
    def from_dict(cls, values: dict) -> "ScopeSnapshot":
        return cls(
            values["id"],
            values["role"],
            values.get("department_id"),
            tuple(values.get("group_ids", ())),
            tuple(values.get("secretary_group_ids", ())),
        )


def member_group_ids(user: User) -> list[int]:
    if isinstance(user, ScopeSnapshot):
        return list(user.group_ids)
    return list(
        db.session.scalars(select(GroupMember.group_id).where(GroupMember.user_id == user.id))
    )


def secretary_group_ids(user: User) -> list[int]:
    """The groups in which the user is 联络员."""
    if user.role not in GROUP_ROLES:
        return []
    if isinstance(user, ScopeSnapshot):
        return list(user.secretary_group_ids)
    query = select(GroupMember.group_id).where(
        GroupMember.user_id == user.id, GroupMember.is_secretary.is_(True)
    )
    return list(db.session.scalars(query))


def visit_scope(user: User) -> ColumnElement[bool]:
    if user.role in READ_ALL:
        return true()
    if user.role in GROUP_ROLES:
        return Visit.group_id.in_(member_group_ids(user))
    return false()


def _assigned_to(department_id: int | None) -> ColumnElement[bool]:
    if department_id is None:
        return false()
    co = select(problem_co_department.c.problem_id).where(
        problem_co_department.c.department_id == department_id
    )
    return or_(Problem.lead_department_id == department_id, Problem.id.in_(co))


def problem_scope(user: User) -> ColumnElement[bool]:
    if user.role in READ_ALL:
        return true()
    if user.role in GROUP_ROLES:
        return Problem.group_id.in_(member_group_ids(user))
    if user.role == Role.DEPARTMENT:
        return _assigned_to(user.department_id)
    return false()


def suggestion_scope(user: User) -> ColumnElement[bool]:
    if user.role in READ_ALL:
        return true()
    if user.role in GROUP_ROLES:
        return Suggestion.group_id.in_(member_group_ids(user))
    if user.role == Role.DEPARTMENT and user.department_id:
        assigned = select(Problem.id).where(_assigned_to(user.department_id))
        return or_(
            Suggestion.department_id == user.department_id, Suggestion.problem_id.in_(assigned)
        )
    return false()


def _get_scoped(model, scope, object_id: int):
    found = db.session.scalar(select(model).where(model.id == object_id, scope))
    if found is None:
        abort(404)
    return found


def get_visit_or_404(user: User, visit_id: int) -> Visit:
    return _get_scoped(Visit, visit_scope(user), visit_id)


def get_problem_or_404(user: User, problem_id: int) -> Problem:
    return _get_scoped(Problem, problem_scope(user), problem_id)


def get_suggestion_or_404(user: User, suggestion_id: int) -> Suggestion:
    return _get_scoped(Suggestion, suggestion_scope(user), suggestion_id)


def can_edit_visit(user: User, visit: Visit) -> bool:
    if user.role == Role.STAFF:
        return True
    if visit.group_id in secretary_group_ids(user):
        return True
    return (
        user.role in GROUP_ROLES
        and visit.author_id == user.id
        and visit.status != VisitStatus.REVIEWED
        and visit.group_id in member_group_ids(user)
    )


def is_handed_over(problem: Problem) -> bool:
    """Past 已审核 (assigned, answered, closed…): the record stays as it was handed over."""
    return problem.status not in BEFORE_HANDOVER


def can_delete_visit(user: User, visit: Visit) -> bool:
    """Deleting takes the problems with it: not once one of them is handed over (staff may)."""
    if not can_edit_visit(user, visit):
        return False
    return user.role == Role.STAFF or not any(is_handed_over(p) for p in visit.problems)


def is_secretary(user: User) -> bool:
    """联络员 of at least one group."""
    return bool(secretary_group_ids(user))


def can_review_any(user: User) -> bool:
    """Staff, and 联络员 of any group: the 待审核 queue."""
    return user.role == Role.STAFF or is_secretary(user)


def can_review(user: User, group_id: int) -> bool:
    return user.role == Role.STAFF or group_id in secretary_group_ids(user)


def can_edit_problem(user: User, problem: Problem) -> bool:
    if can_review(user, problem.group_id):
        return True
    return (
        user.role in GROUP_ROLES
        and problem.author_id == user.id
        and problem.status in (ProblemStatus.DRAFT, ProblemStatus.SUBMITTED)
        and problem.group_id in member_group_ids(user)
    )


def can_edit_suggestion(user: User, suggestion: Suggestion) -> bool:
    if can_review(user, suggestion.group_id):
        return True
    return (
        user.role in GROUP_ROLES
        and suggestion.author_id == user.id
        and suggestion.visit.status != VisitStatus.REVIEWED
    )


def suggestion_editor(user: User):
    """can_edit_suggestion for many rows, with the user's groups read once."""
    reviewing = set(secretary_group_ids(user))
    members = set(member_group_ids(user)) if user.role in GROUP_ROLES else set()

    def may_edit(suggestion: Suggestion) -> bool:
        if user.role == Role.STAFF or suggestion.group_id in reviewing:
            return True
        return (
            suggestion.group_id in members
            and suggestion.author_id == user.id
            and suggestion.visit.status != VisitStatus.REVIEWED
        )

    return may_edit


def can_see_photo(user: User, photo: Photo) -> bool:
    if photo.problem_id is not None:
        scope = problem_scope(user)
        query = select(Problem.id).where(Problem.id == photo.problem_id, scope)
        return db.session.scalar(query) is not None
    if photo.visit_id is not None:
        query = select(Visit.id).where(Visit.id == photo.visit_id, visit_scope(user))
        return db.session.scalar(query) is not None
    return photo.uploaded_by_id == user.id  # not yet attached: only its uploader


def can_view_audit_log(user: User) -> bool:
    """The operations log (操作日志) and the office pages under 管理 are staff-only."""
    return bool(user.is_authenticated) and user.role == Role.STAFF


def require_role(user: User, *roles: str) -> None:
    """Pages a role may not use answer 404, like rows it may not see."""
    if user.role not in roles:
        abort(404)


# ---- page-level rules, reached by templates as can_* helpers (templates never test roles) ----


def can_log_visits(user: User) -> bool:
    return user.role in (Role.DEPUTY, Role.STAFF)


def can_list_visits(user: User) -> bool:
    return user.role != Role.DEPARTMENT


def is_group_member_role(user: User) -> bool:
    """Deputies (联络员 included): the pages show their group's tabs and capture hero."""
    return user.role == Role.DEPUTY


def can_export_ledger(user: User) -> bool:
    return user.role in (Role.STAFF, Role.DEPARTMENT, Role.VIEWER) or is_secretary(user)


def can_export_handover(user: User) -> bool:
    return user.role in (Role.STAFF, Role.DEPARTMENT)


def can_export_weekly(user: User) -> bool:
    return user.role == Role.STAFF or is_secretary(user)


def can_export_report(user: User) -> bool:
    """视察报告: the campaign's report for the standing committee."""
    return user.role in (Role.STAFF, Role.VIEWER)


def can_manage(user: User) -> bool:
    """管理: campaigns, groups, projects, departments, accounts, imports, settings."""
    return user.role == Role.STAFF


def can_see_home_counts(user: User) -> bool:
    """The visits tile on home (departments see only their problems)."""
    return user.role != Role.DEPARTMENT


def can_view_dashboard(user: User) -> bool:
    """Leaders and staff see every group's figures; a 联络员 his own groups'."""
    return user.role in READ_ALL or is_secretary(user)


def dashboard_group_ids(user: User) -> list[int] | None:
    """Groups whose figures the user sees on the dashboard: None for all; 404 if none."""
    if user.role in READ_ALL:
        return None
    ids = secretary_group_ids(user)
    if ids:
        return ids
    abort(404)


def stats_group_ids(user: User) -> list[int] | None:
    """Groups listed in a user's statistics (the ledger's 统计 sheet): None for every group."""
    if user.role in GROUP_ROLES:
        return member_group_ids(user)
    return None


def can_see_group(user: User, group_id: int) -> bool:
    """A group is named to those who see its records (exports' filter line, for one)."""
    if user.role in READ_ALL:
        return True
    if user.role in GROUP_ROLES:
        return group_id in member_group_ids(user)
    query = select(Problem.id).where(Problem.group_id == group_id, problem_scope(user))
    return db.session.scalar(query.limit(1)) is not None


def can_see_department(user: User, department_id: int) -> bool:
    """A department is named to staff and viewers, to itself, and where it handles a problem
    the user sees."""
    own = user.role == Role.DEPARTMENT and user.department_id == department_id
    if user.role in READ_ALL or own:
        return True
    handled = select(Problem.id).where(_assigned_to(department_id), problem_scope(user))
    return db.session.scalar(handled.limit(1)) is not None
