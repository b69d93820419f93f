"""People's accounts: search, create, edit, deactivate, reset, unlock — each audited."""

from sqlalchemy import or_, select

from inspect_app.auditing import record_event, snapshot
from inspect_app.auth import throttle
from inspect_app.auth.passwords import initial_password
from inspect_app.auth.services import reset_password
from inspect_app.extensions import db
from inspect_app.models import Group, GroupMember, Role, User

FIELDS = ("name", "phone", "username", "email", "role", "delegation", "employer")
# 联络员 lives only in GroupMember.is_secretary: a secretary's role stays "deputy".


def search_users(q: str = "", role: str = "", group_id: int = 0, department_id: int = 0):
    """A query of accounts matching the search (name, phone, user name, role, group, dept)."""
    query = select(User).order_by(User.role, User.name, User.id)
    words = "".join((q or "").split())
    if words:
        query = query.where(
            or_(User.name.contains(words), User.phone.contains(words), User.username == words)
        )
    if role == "secretary":
        secretaries = select(GroupMember.user_id).where(GroupMember.is_secretary.is_(True))
        query = query.where(User.id.in_(secretaries))
    elif role == Role.DEPUTY:
        query = query.where(User.role == Role.DEPUTY)
    elif role:
        query = query.where(User.role == role)
    if group_id:
        members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
        query = query.where(User.id.in_(members))
    if department_id:
        query = query.where(User.department_id == department_id)
    return query


def _state(user: User) -> dict:
    return snapshot(
        user,
        groups=sorted(m.group_id for m in user.memberships),
        secretary_of=sorted(m.group_id for m in user.memberships if m.is_secretary),
    )


def _apply(user: User, data: dict) -> None:
    for key in FIELDS:
        setattr(user, key, data.get(key) or None if key not in ("name", "role") else data[key])
    user.username = data.get("username") or data.get("phone")
    user.department_id = data.get("department_id") or None
    if user.role != Role.DEPARTMENT:
        user.department_id = None
    secretary_of = set(data.get("secretary_group_ids") or [])
    groups = set(data.get("group_ids") or []) | secretary_of
    kept = [m for m in user.memberships if m.group_id in groups]
    for membership in kept:
        membership.is_secretary = membership.group_id in secretary_of
    known = {m.group_id for m in kept}
    for group_id in sorted(groups - known):
        group = db.session.get(Group, group_id)
        kept.append(GroupMember(group=group, is_secretary=group_id in secretary_of))
    user.memberships = kept


def create_account(actor: User, data: dict) -> tuple[User, str]:
    """A new account with a one-time initial password (returned, shown once)."""
    password = initial_password()
    user = User(name=data["name"], role=data["role"], password_hash="")
    _apply(user, data)
    user.set_password(password)
    user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    record_event(actor, "create", user, after=_state(user))
    return user, password


def update_account(actor: User, user: User, data: dict) -> None:
    before = _state(user)
    _apply(user, data)
    db.session.flush()
    if before.get("role") != user.role or before.get("department_id") != user.department_id:
        user.end_sessions()  # what he may see changed: sign in again
    record_event(actor, "update", user, before=before, after=_state(user))


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivating ends every session of the user at once."""
    before = {"active": user.active}
    user.active = active
    if not active:
        user.end_sessions()
    record_event(
        actor, "deactivate" if not active else "activate", user, before, {"active": active}
    )


def reset_to_initial_password(actor: User, user: User) -> str:
    password = initial_password()
    reset_password(actor, user, password)
    throttle.clear(throttle.account_key("", user.id))
    return password


def unlock(actor: User, user: User) -> None:
    throttle.clear(throttle.account_key("", user.id))
    record_event(actor, "unlock", user)


def is_locked(user: User) -> bool:
    return throttle.is_locked(user.id)
