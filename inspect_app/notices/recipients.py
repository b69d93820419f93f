"""Who hears of what: the people a domain event concerns."""

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import GroupMember, Problem, Role, User, Visit


def _active(query) -> list[User]:
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def department_users(problem: Problem) -> list[User]:
    """The liaisons of the lead and co-departments."""
    ids = [problem.lead_department_id, *(d.id for d in problem.co_departments)]
    ids = [i for i in ids if i]
    if not ids:
        return []
    return _active(select(User).where(User.role == Role.DEPARTMENT, User.department_id.in_(ids)))


def raisers(problem: Problem) -> list[User]:
    """The deputies who raised the problem, and its author."""
    people = {u.id: u for u in problem.raised_by}
    people.setdefault(problem.author_id, problem.author)
    return [u for u in people.values() if u.active]


def staff() -> list[User]:
    return _active(select(User).where(User.role == Role.STAFF))


def group_secretaries(group_id: int) -> list[User]:
    members = select(GroupMember.user_id).where(
        GroupMember.group_id == group_id, GroupMember.is_secretary.is_(True)
    )
    return _active(select(User).where(User.id.in_(members)))


def visit_author(visit: Visit) -> list[User]:
    return [visit.author] if visit.author.active else []
