"""超期 and 即将到期, derived from the deadline (never stored)."""

from datetime import date, timedelta

from inspect_app.models import OPEN_STATUSES, Problem

SOON_DAYS = 7


def overdue_clause(today: date) -> tuple:
    """Open, and the deadline has passed."""
    return Problem.deadline < today, Problem.status.in_(OPEN_STATUSES)


def soon_clause(today: date) -> tuple:
    """Open, and the deadline falls within the next SOON_DAYS days."""
    return (
        Problem.deadline >= today,
        Problem.deadline <= today + timedelta(days=SOON_DAYS),
        Problem.status.in_(OPEN_STATUSES),
    )
