"""Staff import the project list and the deputy roster from Excel."""

import io

from flask import Blueprint, abort, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from inspect_app.access import require_role
from inspect_app.extensions import db
from inspect_app.imports import services
from inspect_app.imports.forms import ImportForm
from inspect_app.models import Campaign, Role
from inspect_app.spreadsheets.imports import ImportFileError

bp = Blueprint("imports", __name__, url_prefix="/imports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@bp.before_request
@login_required
def staff_only():
    require_role(current_user, Role.STAFF)


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc())))


@bp.route("/", methods=["GET", "POST"])
def index():
    form = ImportForm(kind=request.args.get("kind") or "projects")
    form.campaign_id.choices = [SelectChoice(c.id, c.title) for c in _campaigns()]
    outcome, file_error = None, None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_IMPORT_BYTES + 1)
        try:
            if len(data) > MAX_IMPORT_BYTES:
                raise ImportFileError(_("文件太大：最大 20 MB。"))
            outcome = _run(form.kind.data, data, form.campaign_id.data)
        except ImportFileError as error:
            file_error = str(error)
        if outcome is not None and outcome.ok:
            flash(
                _("导入成功：新增 %(c)s 条，更新 %(u)s 条。", c=outcome.created, u=outcome.updated),
                "success",
            )
        elif outcome is not None:
            db.session.rollback()
    return render_template("imports/index.html", form=form, outcome=outcome, file_error=file_error)


def _run(kind: str, data: bytes, campaign_id: int):
    if kind == "projects":
        return services.import_projects(current_user, data)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise ImportFileError(_("请先选择视察活动。"))
    return services.import_deputies(current_user, data, campaign)


@bp.get("/template/<kind>.xlsx")
def template(kind: str):
    if kind == "projects":
        data, name = services.projects_template(), "重大项目清单_模板.xlsx"
    elif kind == "deputies":
        campaign_id = request.args.get("campaign_id", type=int)
        campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
        data, name = (
            services.deputies_template(campaign or next(iter(_campaigns()), None)),
            "代表名单_模板.xlsx",
        )
    else:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
