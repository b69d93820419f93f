"""Workflow actions on problems: each checks the transition table, changes the problem,
writes an AuditEvent on the problem (action = the workflow action) and sends problem_changed."""

import uuid
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.auditing import record_event
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.models import (
    AuditEvent,
    Department,
    ExtensionRequest,
    ExtensionStatus,
    NoteKind,
    Photo,
    Problem,
    ProblemStatus,
    ProgressNote,
    Rating,
    ReplyLetter,
    Satisfaction,
    Suggestion,
    Urge,
    User,
    utcnow,
)
from inspect_app.problems.letters import CheckedLetter, store_letter
from inspect_app.problems.workflow import Transition, WorkflowError, check, target
from inspect_app.settings.office import office_settings
from inspect_app.signals import problem_changed


def _move(user: User, problem: Problem, transition: Transition, **details) -> None:
    """Apply the (already checked) transition's new state, write the AuditEvent, signal."""
    action = transition.action
    old = problem.status
    problem.status = target(problem, transition)
    db.session.flush()
    after = {k: v for k, v in details.items() if v not in (None, "", [])}
    if problem.status != old:
        record_event(user, action, problem, {"status": old}, {"status": problem.status, **after})
    else:
        record_event(user, action, problem, after=after)
    problem_changed.send(
        current_app._get_current_object(), problem=problem, action=action, actor=user, extra=after
    )


def _text(value: str | None, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise WorkflowError(message)
    return text


# Review (联络员, staff)


def review(user: User, problem: Problem) -> None:
    transition = check(user, problem, "review")
    problem.reviewed_by_id, problem.reviewed_at = user.id, utcnow()
    problem.sent_back_reason = None
    _move(user, problem, transition)


def send_back(user: User, problem: Problem, reason: str) -> None:
    transition = check(user, problem, "send_back")
    reason = _text(reason, _("请写明退回修改的原因。"))
    problem.sent_back_reason = reason
    _move(user, problem, transition, reason=reason)


def resubmit(user: User, problem: Problem) -> None:
    transition = check(user, problem, "resubmit")
    problem.sent_back_reason = None
    _move(user, problem, transition, description=problem.description)


def merge(user: User, problem: Problem, into: Problem) -> None:
    """Merge a duplicate into another problem: it carries all raisers, photos, suggestions."""
    transition = check(user, problem, "merge")
    if into.id == problem.id or into.merged_into_id or into.status == ProblemStatus.MERGED:
        raise WorkflowError(_("不能合并到这个问题：请选择另一个未合并的问题。"))
    if into.project_id != problem.project_id:
        raise WorkflowError(_("只能合并同一项目的问题。"))
    raisers = [u for u in problem.raised_by if u not in into.raised_by]
    photos = [p.id for p in problem.photos]
    suggestions = [s.id for s in problem.suggestions]
    into.raised_by.extend(raisers)
    for photo in list(problem.photos):
        photo.problem_id = into.id
    for suggestion in list(problem.suggestions):
        suggestion.problem_id = into.id
    problem.merged_into_id = into.id
    problem.merged_from_status = problem.status
    db.session.flush()
    db.session.expire(into, ["photos", "suggestions"])
    db.session.expire(problem, ["photos", "suggestions"])
    _move(
        user,
        problem,
        transition,
        into=into.id,
        into_code=into.code,
        raisers=[u.id for u in raisers],
        photos=photos,
        suggestions=suggestions,
    )
    record_event(user, "merged_in", into, after={"from": problem.id, "from_code": problem.code})


def unmerge(user: User, problem: Problem) -> None:
    """Undo the last merge: give back the raisers, photos and suggestions it moved."""
    transition = check(user, problem, "unmerge")
    into = problem.merged_into
    moved = _last_merge(problem)
    if into is not None:
        added = set(moved.get("raisers", []))
        into.raised_by = [u for u in into.raised_by if u.id not in added]
        for photo in db.session.scalars(select(Photo).where(Photo.id.in_(moved.get("photos", [])))):
            photo.problem_id = problem.id
        ids = moved.get("suggestions", [])
        for suggestion in db.session.scalars(select(Suggestion).where(Suggestion.id.in_(ids))):
            suggestion.problem_id = problem.id
        record_event(user, "unmerged_out", into, after={"from": problem.id})
    code = into.code if into else ""
    problem.merged_into_id = None
    _move(user, problem, transition, into_code=code)
    problem.merged_from_status = None
    db.session.flush()
    for obj in (problem, into):
        if obj is not None:
            db.session.expire(obj, ["photos", "suggestions"])


def _last_merge(problem: Problem) -> dict:
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "problem",
            AuditEvent.entity_id == problem.id,
            AuditEvent.action == "merge",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return (event.after or {}) if event else {}


# 交办 (staff)


def default_deadline(today: date | None = None) -> date:
    return (today or today_local()) + timedelta(days=office_settings().assign_days)


def assign(
    user: User,
    problem: Problem,
    lead: Department,
    co: list[Department],
    deadline: date,
    note: str,
) -> None:
    transition = check(user, problem, "assign")
    if problem.merged_into_id:
        raise WorkflowError(_("已合并的问题不能交办。"))
    if deadline < today_local():
        raise WorkflowError(_("办理时限不能早于今天。"))
    co = [d for d in co if d.id != lead.id]
    problem.lead_department = lead
    problem.co_departments = co
    problem.deadline = deadline
    problem.assign_note = (note or "").strip() or None
    problem.assigned_by_id, problem.assigned_at = user.id, utcnow()
    problem.return_reason = None
    problem.signed_at = None
    for suggestion in problem.suggestions:
        suggestion.department_id = lead.id
    _move(
        user,
        problem,
        transition,
        lead=lead.name,
        co=[d.name for d in co],
        deadline=deadline.isoformat(),
        note=problem.assign_note,
    )


def unassign(user: User, problem: Problem) -> None:
    transition = check(user, problem, "unassign")
    lead = problem.lead_department.name if problem.lead_department else ""
    _clear_assignment(problem)
    _move(user, problem, transition, lead=lead)


def _clear_assignment(problem: Problem) -> None:
    problem.lead_department_id = None
    problem.co_departments = []
    problem.deadline = None
    problem.assigned_at = None
    for suggestion in problem.suggestions:
        suggestion.department_id = None


# 办理 (departments)


def request_return(user: User, problem: Problem, reason: str) -> None:
    transition = check(user, problem, "request_return")
    reason = _text(reason, _("请写明申请退回的原因。"))
    lead = problem.lead_department.name if problem.lead_department else ""
    _clear_assignment(problem)
    problem.return_reason = reason
    _move(user, problem, transition, reason=reason, lead=lead)


def sign(user: User, problem: Problem) -> None:
    transition = check(user, problem, "sign")
    problem.signed_at = utcnow()
    _acknowledge_urges(problem)
    _move(user, problem, transition)


def add_note(user: User, problem: Problem, text: str, kind: str = NoteKind.PROGRESS) -> None:
    action = "co_opinion" if kind == NoteKind.CO_OPINION else "progress"
    transition = check(user, problem, action)
    text = _text(text, _("请填写内容。"))
    problem.progress_notes.append(
        ProgressNote(author_id=user.id, department_id=user.department_id, kind=kind, text=text)
    )
    if action == "progress":
        _acknowledge_urges(problem)
    _move(user, problem, transition, text=text)


def request_extension(user: User, problem: Problem, new_deadline: date | None, reason: str) -> None:
    transition = check(user, problem, "request_extension")
    if new_deadline is None:
        raise WorkflowError(_("请选择申请延至的日期。"))
    if new_deadline < today_local() or (problem.deadline and new_deadline <= problem.deadline):
        raise WorkflowError(_("申请的日期必须晚于现在的办理时限，且不能早于今天。"))
    reason = _text(reason, _("请写明申请延期的原因。"))
    problem.extension_requests.append(
        ExtensionRequest(
            department_id=user.department_id,
            requested_by_id=user.id,
            old_deadline=problem.deadline,
            new_deadline=new_deadline,
            reason=reason,
        )
    )
    _move(user, problem, transition, requested=new_deadline.isoformat(), reason=reason)


def pending_extension(problem: Problem) -> ExtensionRequest | None:
    return next((r for r in problem.extension_requests if r.status == "pending"), None)


def decide_extension(user: User, problem: Problem, approve: bool, note: str = "") -> None:
    transition = check(user, problem, "decide_extension")
    request = pending_extension(problem)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by_id, request.decided_at = user.id, utcnow()
    request.decision_note = (note or "").strip() or None
    old = problem.deadline
    if approve:
        problem.deadline = request.new_deadline
    _move(
        user,
        problem,
        transition,
        approved=approve,
        deadline=request.new_deadline.isoformat(),
        old_deadline=old.isoformat() if old else None,
        note=request.decision_note,
    )


def urge(user: User, problem: Problem, message: str) -> None:
    """督办: an Urge row plus the AuditEvent action "urge" (the department table counts these)."""
    check(user, problem, "urge")
    message = _text(message, _("请填写督办意见。"))
    problem.urges.append(
        Urge(author_id=user.id, department_id=problem.lead_department_id, message=message)
    )
    db.session.flush()
    record_event(user, "urge", problem, after={"message": message})
    problem_changed.send(
        current_app._get_current_object(),
        problem=problem,
        action="urge",
        actor=user,
        extra={"message": message},
    )


def _acknowledge_urges(problem: Problem) -> None:
    now = utcnow()
    for row in problem.urges:
        if row.acknowledged_at is None:
            row.acknowledged_at = now


def answer(
    user: User,
    problem: Problem,
    text: str,
    adoptions: dict[int, tuple[str, str]],
    letter: tuple[CheckedLetter, str] | None,
) -> None:
    """答复: text, adoption per suggestion (code, reason), optional reply letter."""
    transition = check(user, problem, "answer")
    text = _text(text, _("请填写答复内容。"))
    for suggestion in problem.suggestions:
        code, reason = adoptions.get(suggestion.id, ("", ""))
        if not code:
            raise WorkflowError(_("请对每条意见建议选择采纳情况。"))
        if code != "adopted" and not reason.strip():
            raise WorkflowError(_("部分采纳或暂不采纳的建议，请写明理由。"))
    for suggestion in problem.suggestions:
        code, reason = adoptions[suggestion.id]
        suggestion.adoption, suggestion.adoption_reason = code, reason.strip() or None
        suggestion.department_id = problem.lead_department_id
    letter_name = None
    if letter is not None:
        checked, original_name = letter
        key = uuid.uuid4().hex
        store_letter(checked.data, reply_root(), key)
        letter_name = _safe_name(original_name, checked.extension)
        problem.reply_letters.append(
            ReplyLetter(
                uploaded_by_id=user.id,
                storage_key=key,
                original_name=letter_name,
                content_type=checked.content_type,
                byte_size=len(checked.data),
                sha256=checked.sha256,
            )
        )
    problem.answer, problem.answered_at = text, utcnow()
    _acknowledge_urges(problem)
    _move(
        user,
        problem,
        transition,
        answer=text,
        letter=letter_name,
        adoptions={str(k): v[0] for k, v in adoptions.items()},
    )


def reply_root():
    from pathlib import Path

    configured = current_app.config.get("REPLY_ROOT")
    return Path(configured or Path(current_app.instance_path) / "replies")


def _safe_name(name: str, extension: str) -> str:
    stem = (name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].strip()
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"<>:|?*')[:80]
    return f"{stem or '答复函'}.{extension}"


# 满意度 (deputies; staff for a paper rating)


def rate(
    user: User,
    problem: Problem,
    satisfaction: str,
    comment: str,
    deputy: User | None = None,
    reopen_deadline: date | None = None,
) -> None:
    """The first rating of an answer decides; later raisers add theirs."""
    deputy = deputy or user
    if satisfaction not in {s.value for s in Satisfaction}:
        raise WorkflowError(_("请选择满意、基本满意或不满意。"))
    if deputy.id not in {u.id for u in problem.raised_by}:
        raise WorkflowError(_("只有提出这个问题的代表才能评价。"))
    if problem.answered_at is None:
        raise WorkflowError(_("这个问题还没有答复，不能评价。"))
    if _rated_since_answer(problem, deputy):
        raise WorkflowError(_("这位代表已经评价过这次答复。"))
    comment = (comment or "").strip()
    if satisfaction == Satisfaction.UNSATISFIED and not comment:
        raise WorkflowError(_("不满意时请写明意见，承办单位据此重新办理。"))
    decisive = problem.status == ProblemStatus.ANSWERED
    if decisive:
        action = (
            "rate_unsatisfied" if satisfaction == Satisfaction.UNSATISFIED else "rate_satisfied"
        )
    else:
        action = "add_rating"
    transition = check(user, problem, action)
    if action == "rate_unsatisfied":
        deadline = reopen_deadline or today_local() + timedelta(days=office_settings().reopen_days)
        if deadline < today_local():
            raise WorkflowError(_("办理时限不能早于今天。"))
    rating = Rating(
        deputy_id=deputy.id,
        recorded_by_id=user.id,
        satisfaction=satisfaction,
        comment=comment,
        on_paper=deputy.id != user.id,
        decisive=decisive,
    )
    problem.ratings.append(rating)
    if decisive:
        problem.satisfaction, problem.satisfaction_comment = satisfaction, comment or None
        problem.rated_by_id, problem.rated_at = deputy.id, utcnow()
        if action == "rate_satisfied":
            problem.closed_at = utcnow()
        else:
            problem.deadline = deadline
            problem.signed_at = None
    _move(
        user,
        problem,
        transition,
        satisfaction=satisfaction,
        comment=comment,
        deputy=deputy.name,
        on_paper=rating.on_paper or None,
        deadline=problem.deadline.isoformat() if action == "rate_unsatisfied" else None,
    )


def _rated_since_answer(problem: Problem, deputy: User) -> bool:
    return any(
        r.deputy_id == deputy.id and r.created_at >= problem.answered_at for r in problem.ratings
    )


def may_rate(user: User, problem: Problem) -> bool:
    """Whether the user (a raiser) may rate the current answer."""
    if problem.answered_at is None or problem.status not in (
        ProblemStatus.ANSWERED,
        ProblemStatus.CLOSED,
        ProblemStatus.REOPENED,
    ):
        return False
    if problem.status == ProblemStatus.REOPENED and not _rated_answer_round(problem):
        return False
    raiser = user.id in {u.id for u in problem.raised_by}
    return raiser and not _rated_since_answer(problem, user)


def _rated_answer_round(problem: Problem) -> bool:
    """A reopened problem's last answer was rated (others may add theirs until re-answered)."""
    return any(r.decisive and r.created_at >= problem.answered_at for r in problem.ratings)
