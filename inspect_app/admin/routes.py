"""Staff pages to list and edit campaigns, groups (with members), projects and departments."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from inspect_app.access import require_role
from inspect_app.admin import forms, overview
from inspect_app.admin.services import add_member, remove_member, save_record
from inspect_app.extensions import db
from inspect_app.models import Campaign, Department, Group, Project, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    title: object
    columns: tuple  # (attribute, heading, label kind or None)
    order: tuple
    search: tuple = ()


KINDS = {
    "campaigns": Kind(
        Campaign,
        forms.CampaignForm,
        _l("视察活动"),
        (
            ("title", _l("名称"), None),
            ("kind", _l("类型"), "campaign_kind"),
            ("starts_on", _l("开始"), None),
            ("ends_on", _l("结束"), None),
            ("status", _l("状态"), "campaign_status"),
        ),
        (Campaign.id.desc(),),
    ),
    "groups": Kind(
        Group,
        forms.GroupForm,
        _l("视察组"),
        (
            ("name", _l("组名"), None),
            ("level", _l("层级"), "group_level"),
            ("town", _l("镇街"), None),
            ("campaign", _l("活动"), None),
        ),
        (Group.campaign_id.desc(), Group.sort_order),
        (Group.name, Group.town),
    ),
    "projects": Kind(
        Project,
        forms.ProjectForm,
        _l("重大项目"),
        (
            ("name", _l("项目名称"), None),
            ("town", _l("镇街"), None),
            ("investment", _l("投资（亿元）"), None),
            ("stage", _l("阶段"), "project_stage"),
        ),
        (Project.town, Project.name),
        (Project.name, Project.town, Project.owner),
    ),
    "departments": Kind(
        Department,
        forms.DepartmentForm,
        _l("承办单位"),
        (("name", _l("单位名称"), None), ("contact_name", _l("联系人"), None)),
        (Department.sort_order, Department.id),
        (Department.name,),
    ),
}


@bp.before_request
@login_required
def staff_only():
    require_role(current_user, Role.STAFF)


def admin_tabs() -> list[tuple[str, dict, object]]:
    """The 管理 area's pages, in the order of the tabs (endpoint, arguments, title)."""
    tabs = [("admin.records", {"kind": name}, kind.title) for name, kind in KINDS.items()]
    tabs += [
        ("accounts.index", {}, _l("用户")),
        ("imports.index", {}, _l("导入")),
        ("audit_log.index", {}, _l("操作日志")),
        ("settings.edit", {}, _l("设置")),
    ]
    return tabs


@bp.app_context_processor
def admin_navigation():
    return {"admin_tabs": admin_tabs}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


@bp.get("/")
def index():
    return redirect(url_for("admin.records", kind="campaigns"))


@bp.get("/<kind>/")
def records(kind: str):
    spec = _kind(kind)
    query = select(spec.model).order_by(*spec.order)
    words = (request.args.get("q") or "").strip()
    if words and spec.search:
        query = query.where(or_(*(column.contains(words) for column in spec.search)))
    campaign = overview.current_campaign(request.args.get("campaign_id", type=int))
    not_visited = kind == "projects" and request.args.get("visited") == "no"
    if not_visited:
        query = query.where(Project.id.not_in(overview.visited_projects(campaign)))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"] * 2, error_out=False)
    extra = {}
    if kind == "groups":
        extra = overview.group_rows(page.items)
    elif kind == "projects":
        extra = overview.project_rows([p.id for p in page.items], campaign)
    return render_template(
        "admin/list.html",
        kind=kind,
        spec=spec,
        page=page,
        kinds=KINDS,
        q=words,
        extra=extra,
        campaign=campaign,
        not_visited=not_visited,
    )


def _form_for(kind: str, record):
    spec = _kind(kind)
    extra = {"current_id": record.id} if kind in ("projects", "departments", "groups") else {}
    form = spec.form(obj=record, **extra)
    if kind == "groups":
        campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id.desc()))
        form.campaign_id.choices = [SelectChoice(c.id, c.title) for c in campaigns]
    return form


@bp.route("/<kind>/new", methods=["GET", "POST"])
def create(kind: str):
    return _edit(kind, _kind(kind).model())


@bp.route("/<kind>/<int:record_id>/edit", methods=["GET", "POST"])
def edit(kind: str, record_id: int):
    record = db.session.get(_kind(kind).model, record_id)
    if record is None:
        abort(404)
    return _edit(kind, record)


def _edit(kind: str, record, member_form=None):
    form = _form_for(kind, record)
    if member_form is None and form.validate_on_submit():
        save_record(current_user, record, form)
        flash(_("已保存。"), "success")
        return redirect(url_for("admin.edit", kind=kind, record_id=record.id))
    if member_form is None and kind == "groups" and record.id:
        member_form = forms.MemberForm(prefix="member", formdata=None)
    return render_template(
        "admin/edit.html",
        kind=kind,
        spec=_kind(kind),
        form=form,
        record=record,
        member_form=member_form,
        kinds=KINDS,
    )


@bp.post("/groups/<int:group_id>/members")
def members(group_id: int):
    group = db.get_or_404(Group, group_id)
    form = forms.MemberForm(prefix="member")
    if not form.validate_on_submit():  # the error beside the field, the typed text kept
        return _edit("groups", group, member_form=form)
    add_member(current_user, group, form.user, form.is_secretary.data)
    flash(_("已添加成员 %(name)s。", name=form.user.name), "success")
    return redirect(url_for("admin.edit", kind="groups", record_id=group.id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def remove(group_id: int, user_id: int):
    group = db.get_or_404(Group, group_id)
    if forms.FlaskForm().validate_on_submit():
        remove_member(current_user, group, user_id)
        flash(_("已移出成员。"), "success")
    return redirect(url_for("admin.edit", kind="groups", record_id=group.id))
