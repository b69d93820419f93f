"""Deadline reminders for departments, for `flask notices remind` (cron): idempotent."""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import OPEN_STATUSES, Problem
from inspect_app.notices import recipients
from inspect_app.notices.listeners import problem_link
from inspect_app.notices.services import notify
from inspect_app.settings.office import office_settings


def reminder_threshold(days_left: int, schedule: tuple[int, ...]) -> int | None:
    """The reminder due for a deadline `days_left` away: the nearest threshold reached."""
    reached = [d for d in schedule if 0 <= days_left <= d]
    return min(reached) if reached else None


def send_reminders(today: date) -> int:
    """Remind the departments of open problems near their deadline; returns notices made.

    Each (problem, deadline, threshold, person) is reminded once: running it again, or
    twice a day, adds nothing.
    """
    schedule = office_settings().reminder_days
    if not schedule:
        return 0
    query = select(Problem).where(Problem.status.in_(OPEN_STATUSES), Problem.deadline.is_not(None))
    made = 0
    for problem in db.session.scalars(query.order_by(Problem.id)):
        days_left = (problem.deadline - today).days
        threshold = reminder_threshold(days_left, schedule)
        if threshold is None:
            continue
        code = problem.code or f"#{problem.id}"
        with force_locale("zh_Hans_CN"):
            text = _(
                "问题 %(code)s（%(project)s）的办理时限是 %(d)s，还有 %(n)s 天到期。",
                code=code,
                project=problem.project.name,
                d=problem.deadline.isoformat(),
                n=days_left,
            )
        key = f"remind:{problem.id}:{problem.deadline.isoformat()}:{threshold}"
        made += len(
            notify(
                recipients.department_users(problem),
                "problem.reminder",
                text,
                problem_link(problem),
                once_key=key,
            )
        )
    return made
