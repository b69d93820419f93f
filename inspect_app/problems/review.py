"""The 待审核 queue and the review of visits (退回修改, resubmit, 审核通过)."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.access import can_review, problem_scope, visit_scope
from inspect_app.auditing import record_event
from inspect_app.extensions import db
from inspect_app.listing.rows import PROBLEM_ROW, VISIT_ROW
from inspect_app.models import Problem, ProblemStatus, User, Visit, VisitStatus
from inspect_app.problems.duplicates import likely_duplicates_of_many
from inspect_app.problems.workflow import WorkflowError
from inspect_app.signals import visit_changed
from inspect_app.visits.services import review_visit

QUEUE_LIMIT = 100


def queue(user: User, group_id: int | None = None) -> dict:
    """Visits and problems waiting for review in groups the user reviews, with duplicates."""
    visits = select(Visit).where(visit_scope(user), Visit.status == VisitStatus.SUBMITTED)
    problems = select(Problem).where(problem_scope(user), Problem.status == ProblemStatus.SUBMITTED)
    if group_id:
        visits = visits.where(Visit.group_id == group_id)
        problems = problems.where(Problem.group_id == group_id)
    visit_rows = [
        v
        for v in db.session.scalars(
            visits.order_by(Visit.id).limit(QUEUE_LIMIT).options(*VISIT_ROW)
        )
        if can_review(user, v.group_id)
    ]
    problem_rows = [
        p
        for p in db.session.scalars(
            problems.order_by(Problem.id).limit(QUEUE_LIMIT).options(*PROBLEM_ROW)
        )
        if can_review(user, p.group_id)
    ]
    return {
        "visits": visit_rows,
        "problems": problem_rows,
        "duplicates": likely_duplicates_of_many(user, problem_rows),
    }


def _signal(visit: Visit, action: str, user: User, **extra) -> None:
    visit_changed.send(
        current_app._get_current_object(), visit=visit, action=action, actor=user, extra=extra
    )


def send_back_visit(user: User, visit: Visit, reason: str) -> None:
    if visit.status != VisitStatus.SUBMITTED:
        raise WorkflowError(_("这条视察记录已审核，不能退回。"))
    if visit.sent_back_reason:
        raise WorkflowError(_("这条视察记录已退回，等待填报人修改后重新提交。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明退回修改的原因。"))
    visit.sent_back_reason = reason
    record_event(user, "send_back", visit, after={"reason": reason})
    _signal(visit, "send_back", user, reason=reason)


def resubmit_visit(user: User, visit: Visit) -> None:
    if visit.author_id != user.id or not visit.sent_back_reason:
        raise WorkflowError(_("这条视察记录没有被退回，不需要重新提交。"))
    visit.sent_back_reason = None
    record_event(user, "resubmit", visit, after={"summary": visit.summary})
    _signal(visit, "resubmit", user)


def approve_visit(user: User, visit: Visit) -> None:
    if visit.status != VisitStatus.SUBMITTED:
        raise WorkflowError(_("这条视察记录已审核。"))
    visit.sent_back_reason = None
    review_visit(user, visit)
    for problem in visit.problems:
        problem.sent_back_reason = None
    _signal(visit, "review", user)
