"""Logging in, throttled; passwords; ending sessions."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.auditing import record_event
from inspect_app.auth import throttle
from inspect_app.auth.passwords import MIN_PASSWORD_LENGTH, password_problem
from inspect_app.extensions import db
from inspect_app.models import User, utcnow

__all__ = ["MIN_PASSWORD_LENGTH", "LoginResult", "authenticate", "change_password", "create_user"]


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None  # UTC; set when throttling refuses the attempt


def find_user(login: str) -> User | None:
    """A user by phone number or user name (spaces ignored)."""
    login = normalize(login)
    if not login:
        return None
    query = select(User).where(or_(User.username == login, User.phone == login))
    return db.session.scalar(query)


def normalize(login: str) -> str:
    return "".join((login or "").split())


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password-0")


def authenticate(login: str, password: str, address: str | None = None) -> LoginResult:
    """Check a login, throttled per account and per address.

    An unknown login costs the same password hash as a wrong password, so response time
    does not tell which accounts exist. The hash runs outside any database transaction.
    """
    user = find_user(login)
    keys = [throttle.account_key(normalize(login), user.id if user else None)]
    keys.append(throttle.address_key(address))
    until = throttle.locked_until(keys)
    if until is not None:
        return LoginResult(locked_until=until)
    stored = user.password_hash if user is not None else _dummy_hash()
    db.session.commit()  # end the read: no lock is held while the password is hashed
    matches = check_password_hash(stored, password or "")
    if user is None or not matches or not user.active:
        throttle.record_failure(keys[0], keys[1])
        return LoginResult()
    throttle.clear(keys[0])
    user.last_login_at = utcnow()
    return LoginResult(user=user)


def change_password(user: User, new_password: str, actor: User | None = None) -> None:
    """Set a new password; every other session of the user ends."""
    user.set_password(new_password)
    user.must_change_password = False
    user.end_sessions()
    record_event(actor or user, "password_change", user)


def reset_password(actor: User, user: User, password: str) -> None:
    """Staff set a one-time initial password, to be changed at the next login."""
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    record_event(actor, "password_reset", user)


def end_sessions(user: User) -> None:
    user.end_sessions()


def create_user(username: str, name: str, password: str, role: str, **fields) -> User:
    problem = password_problem(password, names=(username, fields.get("phone")))
    if problem:
        raise ValueError(problem)
    user = User(username=username, name=name, role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    record_event(None, "create", user, after={"username": username, "role": role})
    return user
