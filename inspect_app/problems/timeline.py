"""A problem's 办理记录: its AuditEvents told in words."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app import labels
from inspect_app.audit_log.describe import ACTIONS as LOG_ACTIONS
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Problem

ACTIONS = {
    "create": _l("提交问题"),
    "update": _l("修改问题"),
    "correct": _l("修改文字"),
    "transition": _l("变更状态"),
    "review": _l("审核通过"),
    "send_back": _l("退回修改"),
    "resubmit": _l("重新提交"),
    "merge": _l("合并重复"),
    "merged_in": _l("合并进重复问题"),
    "unmerge": _l("撤销合并"),
    "unmerged_out": _l("撤销合并（移出）"),
    "assign": _l("交办"),
    "unassign": _l("撤销交办"),
    "request_return": _l("申请退回"),
    "sign": _l("签收"),
    "progress": _l("办理进展"),
    "co_opinion": _l("协办意见"),
    "request_extension": _l("申请延期"),
    "decide_extension": _l("审批延期"),
    "urge": _l("督办"),
    "answer": _l("答复"),
    "rate_satisfied": _l("评价"),
    "rate_unsatisfied": _l("评价（不满意，重新办理）"),
    "add_rating": _l("补充评价"),
    "delete": _l("删除"),
}


@dataclass
class Step:
    when: datetime
    who: str
    what: str
    details: list[str]


def timeline(problem: Problem) -> list[Step]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity == "problem", AuditEvent.entity_id == problem.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .options(selectinload(AuditEvent.actor))
    )
    return [_step(event) for event in db.session.scalars(query)]


def _step(event: AuditEvent) -> Step:
    who = event.actor.name if event.actor else _("系统")
    what = str(ACTIONS.get(event.action) or LOG_ACTIONS.get(event.action) or _("其他操作"))
    return Step(event.created_at, who, what, _details(event.before or {}, event.after or {}))


def _details(before: dict, after: dict) -> list[str]:
    lines = []
    if "status" in after:
        old = labels.label("problem_status", before.get("status"))
        new = labels.label("problem_status", after["status"])
        lines.append(
            _("状态：%(old)s → %(new)s", old=old, new=new) if old else _("状态：%(new)s", new=new)
        )
    words = {
        "reason": _("原因"),
        "message": _("督办意见"),
        "text": _("内容"),
        "answer": _("答复"),
        "note": _("意见"),
        "comment": _("代表意见"),
        "lead": _("主办单位"),
        "deadline": _("办理时限"),
        "requested": _("申请延至"),
        "old_deadline": _("原时限"),
        "letter": _("答复函"),
        "deputy": _("评价代表"),
        "into_code": _("合并至"),
        "from_code": _("合并进"),
    }
    for key, word in words.items():
        if after.get(key):
            lines.append(f"{word}：{after[key]}")
    if after.get("co"):
        lines.append(_("协办单位：%(names)s", names="、".join(after["co"])))
    if "approved" in after:
        lines.append(_("同意延期") if after["approved"] else _("不同意延期"))
    if after.get("satisfaction"):
        lines.append(_("评价：%(s)s", s=labels.label("satisfaction", after["satisfaction"])))
    if after.get("on_paper"):
        lines.append(_("纸质评价，由工作人员录入"))
    if "description" in after and "description" in before:
        lines.append(_("原文：%(text)s", text=before["description"]))
        lines.append(_("改为：%(text)s", text=after["description"]))
    if "category" in after and "category" in before:
        old = labels.label("problem_category", before["category"])
        lines.append(
            _(
                "类别：%(old)s → %(new)s",
                old=old,
                new=labels.label("problem_category", after["category"]),
            )
        )
    return lines
