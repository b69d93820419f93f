"""Notices produced by the workflow's domain events (inspect_app.signals)."""

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _

from inspect_app import signals
from inspect_app.models import Problem, Visit
from inspect_app.notices import recipients
from inspect_app.notices.delivery import deliver_due
from inspect_app.notices.services import notify


def problem_link(problem: Problem) -> str:
    return f"/problems/{problem.id}"


def visit_link(visit: Visit) -> str:
    return f"/visits/{visit.id}"


def on_problem_changed(sender, problem: Problem, action: str, actor=None, extra=None, **_kw):
    extra = extra or {}
    code = problem.code or f"#{problem.id}"
    with force_locale("zh_Hans_CN"):
        plan = _problem_plan(problem, action, code, extra)
    if plan is None:
        return
    users, text = plan
    notify(users, f"problem.{action}", text, problem_link(problem), actor=actor)


def _problem_plan(problem: Problem, action: str, code: str, extra: dict):
    project = problem.project.name
    reason = extra.get("reason") or extra.get("comment") or extra.get("message") or ""
    reason_text = _("理由：%(r)s", r=reason) if reason else ""
    if action == "assign":
        deadline = problem.deadline.isoformat() if problem.deadline else ""
        text = _(
            "问题 %(code)s（%(project)s）已交办给你单位，办理时限 %(d)s。",
            code=code,
            project=project,
            d=deadline,
        )
        return recipients.department_users(problem), text
    if action == "urge":
        return recipients.department_users(problem), _(
            "问题 %(code)s（%(project)s）被督办，请抓紧办理。%(r)s",
            code=code,
            project=project,
            r=reason_text,
        )
    if action in ("reopen", "rate_unsatisfied"):  # the workflow's name for 不满意 → 重新办理
        return recipients.department_users(problem), _(
            "代表对问题 %(code)s 的办理不满意，已转为重新办理。%(r)s", code=code, r=reason_text
        )
    if action == "answer":
        return recipients.raisers(problem), _(
            "您提出的问题 %(code)s（%(project)s）已答复，请查看并评价。", code=code, project=project
        )
    if action == "send_back":
        return [problem.author], _(
            "您填报的问题 %(code)s 被退回修改。%(r)s", code=code, r=reason_text
        )
    if action == "request_return":
        return recipients.staff(), _(
            "承办单位申请退回问题 %(code)s（%(project)s）。%(r)s",
            code=code,
            project=project,
            r=reason_text,
        )
    if action == "request_extension":
        return recipients.staff(), _(
            "承办单位申请延长问题 %(code)s 的办理时限。%(r)s", code=code, r=reason_text
        )
    if action in ("submit", "resubmit"):
        return recipients.group_secretaries(problem.group_id), _(
            "本组有新的问题 %(code)s 待审核。", code=code
        )
    return None


def on_visit_changed(sender, visit: Visit, action: str, actor=None, extra=None, **_kw):
    extra = extra or {}
    with force_locale("zh_Hans_CN"):
        if action in ("submit", "resubmit"):
            users = recipients.group_secretaries(visit.group_id)
            text = _(
                "%(name)s 提交了视察记录（%(project)s，%(day)s），待您审核。",
                name=visit.author.name,
                project=visit.project.name,
                day=visit.visited_on.isoformat(),
            )
        elif action == "send_back":
            users = [visit.author]
            reason = extra.get("reason") or ""
            text = _(
                "您的视察记录（%(project)s，%(day)s）被退回修改。%(r)s",
                project=visit.project.name,
                day=visit.visited_on.isoformat(),
                r=_("理由：%(r)s", r=reason) if reason else "",
            )
        else:
            return
    notify(users, f"visit.{action}", text, visit_link(visit), actor=actor)


def deliver_after_response(response):
    """Send what this request queued once the response has gone out: no page waits for it."""
    if g.get("notices_queued") and response.status_code < 400:
        app = current_app._get_current_object()

        def deliver():
            with app.app_context():
                try:
                    deliver_due()
                except Exception:  # the outbox keeps it; `flask notices send` retries
                    app.logger.exception("sending notices failed")

        response.call_on_close(deliver)
    return response


def register(app) -> None:
    signals.problem_changed.connect(on_problem_changed, weak=False)
    signals.visit_changed.connect(on_visit_changed, weak=False)
    app.after_request(deliver_after_response)
