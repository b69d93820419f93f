"""The 用户 page under 管理: staff search, create and look after people's accounts."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from inspect_app.access import require_role
from inspect_app.accounts import services
from inspect_app.accounts.forms import AccountForm, SearchForm
from inspect_app.admin.overview import current_campaign
from inspect_app.extensions import db
from inspect_app.models import Department, Group, Role, User

bp = Blueprint("accounts", __name__, url_prefix="/admin/users")


@bp.before_request
@login_required
def staff_only():
    require_role(current_user, Role.STAFF)


def _departments() -> list[SelectChoice]:
    rows = db.session.scalars(select(Department).order_by(Department.sort_order, Department.id))
    return [SelectChoice(d.id, d.name) for d in rows]


def _groups(user: User | None = None) -> list[SelectChoice]:
    """Groups of the current campaign, plus any the user already belongs to."""
    campaign = current_campaign()
    query = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if campaign is not None:
        own = [m.group_id for m in user.memberships] if user else []
        query = query.where((Group.campaign_id == campaign.id) | Group.id.in_(own))
    return [SelectChoice(g.id, g.name) for g in db.session.scalars(query)]


@bp.get("/")
def index():
    form = SearchForm(request.args)
    form.group_id.choices = [SelectChoice(0, _("全部视察组")), *_groups()]
    form.department_id.choices = [SelectChoice(0, _("全部承办单位")), *_departments()]
    form.validate()
    query = services.search_users(
        form.q.data or "",
        form.role.data or "",
        form.group_id.data or 0 if not form.group_id.errors else 0,
        form.department_id.data or 0 if not form.department_id.errors else 0,
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("accounts/index.html", form=form, page=page)


def _account_form(user: User | None) -> AccountForm:
    data = None
    if user is not None and request.method == "GET":
        data = {
            "group_ids": [m.group_id for m in user.memberships],
            "secretary_group_ids": [m.group_id for m in user.memberships if m.is_secretary],
            "department_id": user.department_id or 0,
            "role": Role.DEPUTY if user.role == "secretary" else user.role,
        }
    form = AccountForm(obj=user, data=data, current_id=user.id if user else None)
    form.department_id.choices = [SelectChoice(0, "—"), *_departments()]
    groups = _groups(user)
    form.group_ids.choices = groups
    form.secretary_group_ids.choices = groups
    return form


def _form_values(form: AccountForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _account_form(None)
    if form.validate_on_submit():
        user, password = services.create_account(current_user, _form_values(form))
        return _show_password(user, password)
    return render_template("accounts/edit.html", form=form, user=None)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = _account_form(user)
    if form.validate_on_submit():
        services.update_account(current_user, user, _form_values(form))
        flash(_("已保存。"), "success")
        return redirect(url_for("accounts.edit", user_id=user.id))
    return render_template(
        "accounts/edit.html",
        form=form,
        user=user,
        locked=services.is_locked(user),
        action_form=FlaskForm(),
    )


def _confirmed() -> bool:
    if not FlaskForm().validate_on_submit():
        abort(400)
    return True


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    user = _user_or_404(user_id)
    _confirmed()
    if user.id == current_user.id:
        flash(_("不能停用自己的账户。"), "error")
    else:
        services.set_active(current_user, user, False)
        flash(_("已停用 %(name)s 的账户，他的所有登录已退出。", name=user.name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id))


@bp.post("/<int:user_id>/activate")
def activate(user_id: int):
    user = _user_or_404(user_id)
    _confirmed()
    services.set_active(current_user, user, True)
    flash(_("已恢复 %(name)s 的账户。", name=user.name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id))


@bp.post("/<int:user_id>/reset")
def reset(user_id: int):
    user = _user_or_404(user_id)
    _confirmed()
    password = services.reset_to_initial_password(current_user, user)
    return _show_password(user, password)


def _show_password(user: User, password: str):
    """The initial password, shown this once and never stored in a cache."""
    page = render_template("accounts/password.html", user=user, password=password)
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/<int:user_id>/unlock")
def unlock(user_id: int):
    user = _user_or_404(user_id)
    _confirmed()
    services.unlock(current_user, user)
    flash(_("已解锁，%(name)s 现在可以登录。", name=user.name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id))
