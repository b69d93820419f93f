"""Names matching typed text, within what the user may see; a handful at a time."""

from sqlalchemy import ColumnElement, false, or_, select, true

from inspect_app.access import READ_ALL, member_group_ids, problem_scope
from inspect_app.extensions import db
from inspect_app.models import GroupMember, Problem, Project, Role, User, Visit, group_project

LIMIT = 12


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def project_scope(user: User) -> ColumnElement[bool]:
    """Projects a user may filter by: all for staff and leaders, else his groups' or his own."""
    if user.role in READ_ALL:
        return true()
    if user.role == Role.DEPARTMENT:
        return Project.id.in_(select(Problem.project_id).where(problem_scope(user)))
    groups = member_group_ids(user)
    listed = select(group_project.c.project_id).where(group_project.c.group_id.in_(groups))
    visited = select(Visit.project_id).where(Visit.group_id.in_(groups))
    return or_(Project.id.in_(listed), Project.id.in_(visited))


def people_scope(user: User) -> ColumnElement[bool]:
    """People a user may filter by author: everyone for staff and leaders, else his groups'."""
    if user.role in READ_ALL:
        return true()
    if user.role == Role.DEPUTY:
        members = select(GroupMember.user_id).where(
            GroupMember.group_id.in_(member_group_ids(user))
        )
        return User.id.in_(members)
    return false()


def projects(user: User, text: str) -> list[dict]:
    query = (
        select(Project.id, Project.name, Project.town)
        .where(project_scope(user), Project.name.like(_like(text), escape="\\"))
        .order_by(Project.name)
        .limit(LIMIT)
    )
    return [{"id": i, "name": n, "detail": t or ""} for i, n, t in db.session.execute(query)]


def people(user: User, text: str) -> list[dict]:
    query = (
        select(User.id, User.name, User.delegation)
        .where(
            people_scope(user),
            User.role.in_((Role.DEPUTY, Role.STAFF)),
            User.name.like(_like(text), escape="\\"),
        )
        .order_by(User.name, User.id)
        .limit(LIMIT)
    )
    return [{"id": i, "name": n, "detail": d or ""} for i, n, d in db.session.execute(query)]


def project_name(user: User, project_id: int) -> str | None:
    query = select(Project.name).where(Project.id == project_id, project_scope(user))
    return db.session.scalar(query)


def person_name(user: User, user_id: int) -> str | None:
    return db.session.scalar(select(User.name).where(User.id == user_id, people_scope(user)))
