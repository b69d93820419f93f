"""Editing problems and suggestions, and counting them by status."""

from sqlalchemy import select

from inspect_app.auditing import record_event, snapshot
from inspect_app.extensions import db
from inspect_app.models import (
    Department,
    Problem,
    Suggestion,
    User,
)


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.sort_order)))


def _problem_state(problem: Problem) -> dict:
    return snapshot(problem, co_department_ids=[d.id for d in problem.co_departments])


def edit_problem(user: User, problem: Problem, category: str, description: str) -> None:
    before = _problem_state(problem)
    problem.category = category
    problem.description = description.strip()
    db.session.flush()
    record_event(user, "update", problem, before=before, after=_problem_state(problem))


def edit_suggestion(user: User, suggestion: Suggestion, text: str) -> None:
    before = snapshot(suggestion)
    suggestion.text = text.strip()
    db.session.flush()
    record_event(user, "update", suggestion, before=before, after=snapshot(suggestion))
