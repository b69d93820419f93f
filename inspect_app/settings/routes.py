"""The office's 设置 page (staff)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access import require_role
from inspect_app.models import Role
from inspect_app.settings.forms import SettingsForm
from inspect_app.settings.office import office_settings
from inspect_app.settings.services import save_settings

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


@bp.before_request
@login_required
def staff_only():
    require_role(current_user, Role.STAFF)


@bp.route("/", methods=["GET", "POST"])
def edit():
    current = office_settings()
    data = {**current.__dict__, "reminder_days": ",".join(str(d) for d in current.reminder_days)}
    form = SettingsForm(data=data)
    if form.validate_on_submit():
        values = {name: form[name].data for name in form.data if name != "csrf_token"}
        values["reminder_days"] = form.reminder_list
        save_settings(current_user, values)
        flash(_("设置已保存。"), "success")
        return redirect(url_for("settings.edit"))
    return render_template("settings/edit.html", form=form)
