"""Logging in and managing passwords."""

from sqlalchemy import or_, select

from inspect_app.auditing import record_event
from inspect_app.extensions import db
from inspect_app.models import User, utcnow

MIN_PASSWORD_LENGTH = 8


def find_user(login: str) -> User | None:
    """A user by phone number or user name (spaces ignored)."""
    login = "".join(login.split())
    if not login:
        return None
    query = select(User).where(or_(User.username == login, User.phone == login))
    return db.session.scalar(query)


def authenticate(login: str, password: str) -> User | None:
    user = find_user(login)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    record_event(user, "password_change", user)


def create_user(username: str, name: str, password: str, role: str, **fields) -> User:
    user = User(username=username, name=name, role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    record_event(None, "create", user, after={"username": username, "role": role})
    return user
