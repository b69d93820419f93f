"""What the home page shows each role."""

from datetime import date

from sqlalchemy import func, or_, select

from inspect_app.access import problem_scope, secretary_group_ids, suggestion_scope, visit_scope
from inspect_app.extensions import db
from inspect_app.listing.rows import VISIT_ROW
from inspect_app.models import (
    OPEN_STATUSES,
    Problem,
    ProblemStatus,
    Suggestion,
    User,
    Visit,
    VisitStatus,
)
from inspect_app.models.records import visit_attendee as visit_attendee_table


def recent_visits(user: User, limit: int = 10) -> list[Visit]:
    """Visits the user wrote or attended, newest first."""
    attended = select(visit_attendee_table.c.visit_id).where(
        visit_attendee_table.c.user_id == user.id
    )
    query = (
        select(Visit)
        .where(visit_scope(user), or_(Visit.author_id == user.id, Visit.id.in_(attended)))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
        .options(*VISIT_ROW)
    )
    return list(db.session.scalars(query))


def group_recent_visits(user: User, limit: int = 10) -> list[Visit]:
    """A secretary's home: the recent visits of the groups he reviews, by anyone."""
    query = (
        select(Visit)
        .where(Visit.group_id.in_(secretary_group_ids(user)))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
        .options(*VISIT_ROW)
    )
    return list(db.session.scalars(query))


def visits_to_review(user: User) -> int:
    """Visits in the user's scope still waiting for a secretary's review."""
    query = select(func.count(Visit.id)).where(
        visit_scope(user), Visit.status == VisitStatus.SUBMITTED
    )
    return db.session.scalar(query) or 0


def dashboard(user: User, today: date) -> dict:
    """Counts within the user's scope."""

    def count(query) -> int:
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    counted = (problem_scope(user), Problem.status != ProblemStatus.MERGED)
    problems = select(Problem.id).where(*counted)
    by_status = dict(
        db.session.execute(
            select(Problem.status, func.count()).where(*counted).group_by(Problem.status)
        ).all()
    )
    overdue = problems.where(Problem.deadline < today, Problem.status.in_(OPEN_STATUSES))
    return {
        "visits": count(select(Visit.id).where(visit_scope(user))),
        "to_review": visits_to_review(user),
        "problems": count(problems),
        "suggestions": count(select(Suggestion.id).where(suggestion_scope(user))),
        "overdue": count(overdue),
        "by_status": by_status,
    }
