"""AuditEvents in words: Chinese field labels, values as a user reads them, not JSON."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inspect_app import labels
from inspect_app.extensions import db
from inspect_app.models import (
    AuditEvent,
    Campaign,
    Department,
    Group,
    Problem,
    Project,
    Suggestion,
    User,
    Visit,
)
from inspect_app.templating import local_datetime

ACTIONS = {
    "create": _l("新建"),
    "update": _l("修改"),
    "delete": _l("删除"),
    "transition": _l("状态变更"),
    "import": _l("导入更新"),
    "seed_demo": _l("载入演示数据"),
    "login": _l("登录"),
    "logout": _l("退出登录"),
    "password_change": _l("修改密码"),
    "password_reset": _l("重置密码"),
    "deactivate": _l("停用账户"),
    "activate": _l("恢复账户"),
    "unlock": _l("解锁账户"),
    "review": _l("审核通过"),
    "send_back": _l("退回修改"),
    "resubmit": _l("重新提交"),
    "merge": _l("合并重复"),
    "unmerge": _l("撤销合并"),
    "unassign": _l("撤销交办"),
    "co_opinion": _l("协办意见"),
    "decide_extension": _l("审批延期"),
    "rate_satisfied": _l("满意"),
    "rate_unsatisfied": _l("不满意"),
    "add_rating": _l("补充评价"),
    "assign": _l("交办"),
    "sign": _l("签收"),
    "progress": _l("办理进展"),
    "urge": _l("督办"),
    "answer": _l("答复"),
    "rate": _l("评价"),
    "reopen": _l("重新办理"),
    "request_return": _l("申请退回"),
    "request_extension": _l("申请延期"),
    "approve_extension": _l("同意延期"),
    "refuse_extension": _l("不同意延期"),
    "attach_photo": _l("添加照片"),
    "correct": _l("修改文字"),
}

ENTITIES = {
    "problem": _l("问题"),
    "visit": _l("视察记录"),
    "suggestion": _l("意见建议"),
    "user": _l("用户"),
    "campaign": _l("视察活动"),
    "inspection_group": _l("视察组"),
    "project": _l("重大项目"),
    "department": _l("承办单位"),
    "setting": _l("设置"),
    "photo": _l("照片"),
    "progress_note": _l("办理进展"),
}

FIELDS = {
    "status": _l("状态"),
    "note": _l("交办意见"),
    "photo_id": _l("照片"),
    "category": _l("问题类别"),
    "description": _l("问题描述"),
    "code": _l("编号"),
    "lead_department_id": _l("主办单位"),
    "co_department_ids": _l("协办单位"),
    "department_id": _l("承办单位"),
    "deadline": _l("办理时限"),
    "answer": _l("答复"),
    "answered_at": _l("答复时间"),
    "satisfaction": _l("满意度"),
    "satisfaction_comment": _l("代表评价"),
    "rated_by_id": _l("评价人"),
    "rated_at": _l("评价时间"),
    "merged_into_id": _l("合并到"),
    "reviewed_by_id": _l("审核人"),
    "reviewed_at": _l("审核时间"),
    "assigned_at": _l("交办时间"),
    "closed_at": _l("办结时间"),
    "author_id": _l("填报人"),
    "raised_by": _l("提出代表"),
    "attendee_ids": _l("参加代表"),
    "member_ids": _l("成员"),
    "secretary": _l("联络员"),
    "photo_ids": _l("照片"),
    "suggestion": _l("意见建议"),
    "text": _l("内容"),
    "adoption": _l("采纳情况"),
    "adoption_reason": _l("理由"),
    "campaign_id": _l("视察活动"),
    "group_id": _l("视察组"),
    "group": _l("视察组"),
    "groups": _l("所在视察组"),
    "secretary_of": _l("担任联络员的组"),
    "project_id": _l("项目"),
    "visit_id": _l("视察记录"),
    "problem_id": _l("问题"),
    "visited_on": _l("视察日期"),
    "summary": _l("进展情况"),
    "name": _l("名称"),
    "title": _l("名称"),
    "username": _l("用户名"),
    "phone": _l("手机号"),
    "email": _l("电子邮箱"),
    "role": _l("身份"),
    "delegation": _l("代表团"),
    "employer": _l("工作单位"),
    "active": _l("账户可用"),
    "must_change_password": _l("需修改初始密码"),
    "locale": _l("界面语言"),
    "last_login_at": _l("最近登录"),
    "kind": _l("类型"),
    "starts_on": _l("开始日期"),
    "ends_on": _l("结束日期"),
    "level": _l("层级"),
    "town": _l("镇街"),
    "leader_id": _l("组长"),
    "sort_order": _l("序号"),
    "industry": _l("行业"),
    "owner": _l("建设单位"),
    "investment": _l("总投资（亿元）"),
    "stage": _l("阶段"),
    "address": _l("地址"),
    "latitude": _l("纬度"),
    "longitude": _l("经度"),
    "contact_name": _l("联系人"),
    "contact_phone": _l("联系电话"),
    "is_town_government": _l("镇街政府"),
    "office_name": _l("发文单位"),
    "handover_number_pattern": _l("交办文号格式"),
    "assign_days": _l("交办默认时限（天）"),
    "reopen_days": _l("重新办理默认时限（天）"),
    "reminder_days": _l("到期前提醒（天）"),
    "reason": _l("理由"),
    "comment": _l("意见"),
    "message": _l("督办意见"),
    "deputy": _l("代表"),
    "on_paper": _l("纸质评价"),
    "lead": _l("主办单位"),
    "demo": _l("演示数据"),
}
HIDDEN = {"id", "client_uuid", "session_version", "password_hash", "storage_key", "sha256"}

# Which table an id field points to.
REFERENCES = {
    "user": (
        "author_id",
        "rated_by_id",
        "reviewed_by_id",
        "leader_id",
        "raised_by",
        "attendee_ids",
        "member_ids",
        "uploaded_by_id",
    ),
    "department": ("lead_department_id", "co_department_ids", "department_id"),
    "inspection_group": ("group_id", "groups", "secretary_of"),
    "project": ("project_id",),
    "campaign": ("campaign_id",),
    "visit": ("visit_id",),
    "problem": ("merged_into_id", "problem_id"),
}
FIELD_TABLE = {field: table for table, names in REFERENCES.items() for field in names}
STATUS_KIND = {"problem": "problem_status", "visit": "visit_status", "campaign": "campaign_status"}
CODE_KINDS = {
    "category": "problem_category",
    "role": "role",
    "satisfaction": "satisfaction",
    "adoption": "adoption",
    "level": "group_level",
    "stage": "project_stage",
}
EMPTY = _l("（空）")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    event: AuditEvent
    when: str
    actor: str
    action: str
    record_kind: str
    record: str
    changes: list[Change]


def _ids(value) -> list[int]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int)]
    return [value] if isinstance(value, int) else []


def _record_names(table: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    model, column = {
        "user": (User, User.name),
        "department": (Department, Department.name),
        "inspection_group": (Group, Group.name),
        "project": (Project, Project.name),
        "campaign": (Campaign, Campaign.title),
        "problem": (Problem, Problem.code),
    }.get(table, (None, None))
    if table == "visit":
        rows = db.session.execute(
            select(Visit.id, Project.name, Visit.visited_on)
            .join(Project, Project.id == Visit.project_id)
            .where(Visit.id.in_(ids))
        )
        return {i: f"{name} {day:%Y-%m-%d}" for i, name, day in rows}
    if table == "suggestion":
        rows = db.session.execute(
            select(Suggestion.id, Suggestion.text).where(Suggestion.id.in_(ids))
        )
        return {i: (text[:30] + "…" if len(text) > 30 else text) for i, text in rows}
    if model is None:
        return {}
    rows = db.session.execute(select(model.id, column).where(model.id.in_(ids)))
    return {i: name or f"#{i}" for i, name in rows}


class Describer:
    """Turns a page of events into Entries, reading each referenced table once."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.entity_id is not None:
                wanted[event.entity].add(event.entity_id)
            for values in (event.before or {}, event.after or {}):
                for key, value in values.items():
                    if key in FIELD_TABLE:
                        wanted[FIELD_TABLE[key]].update(_ids(value))
        self.names = {table: _record_names(table, ids) for table, ids in wanted.items()}
        self.events = events

    def entries(self) -> list[Entry]:
        return [self.entry(event) for event in self.events]

    def entry(self, event: AuditEvent) -> Entry:
        keys = [k for k in {**(event.before or {}), **(event.after or {})} if k not in HIDDEN]
        before, after = event.before or {}, event.after or {}
        changes = [
            Change(
                str(FIELDS.get(key, key)),
                self.value(event.entity, key, before.get(key)) if key in before else "",
                self.value(event.entity, key, after.get(key)) if key in after else "",
            )
            for key in keys
        ]
        return Entry(
            event=event,
            when=local_datetime(event.created_at),
            actor=event.actor.name if event.actor else str(_l("系统")),
            action=str(ACTIONS.get(event.action) or _l("其他操作")),
            record_kind=str(ENTITIES.get(event.entity, event.entity)),
            record=self.names.get(event.entity, {}).get(event.entity_id, "")
            or (f"#{event.entity_id}" if event.entity_id else ""),
            changes=changes,
        )

    def value(self, entity: str, key: str, value) -> str:
        if value is None or value == "" or value == []:
            return str(EMPTY)
        if key in FIELD_TABLE:
            names = self.names.get(FIELD_TABLE[key], {})
            return "、".join(names.get(i, f"#{i}") for i in _ids(value)) or str(EMPTY)
        if key == "status" and entity in STATUS_KIND:
            return labels.label(STATUS_KIND[entity], value)
        if key == "kind" and entity == "campaign":
            return labels.label("campaign_kind", value)
        if key in CODE_KINDS:
            return labels.label(CODE_KINDS[key], value)
        if key == "photo_ids":
            return str(_l("%(n)s 张", n=len(value)))
        if isinstance(value, bool):
            return str(_l("是") if value else _l("否"))
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            try:
                return local_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        return str(value)
