"""Downloads: the ledger, the departments' handover lists, the weekly group workbook.

Each URL answers a POST (the page's button) by starting a background job and showing its
progress; a GET sends a small export straight back and offers the button for a larger one.
"""

import tempfile
from datetime import datetime, timedelta
from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.access import is_secretary, require_role, secretary_group_ids
from inspect_app.extensions import db
from inspect_app.jobs.services import start_export
from inspect_app.ledger import services
from inspect_app.ledger.export_kinds import write_handover_zip
from inspect_app.listing import Filters, read_filters
from inspect_app.models import Department, Group, Role
from inspect_app.templating import SHANGHAI, today_local

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROLES = (Role.STAFF, Role.DEPARTMENT, Role.VIEWER)  # and 联络员 (is_secretary)


def _require_exporter() -> None:
    if not is_secretary(current_user):
        require_role(current_user, *EXPORT_ROLES)


def _require_weekly_reporter() -> None:
    if not is_secretary(current_user):
        require_role(current_user, Role.STAFF)


def _context() -> services.ExportContext:
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    ctx = services.ExportContext(
        current_user, today_local(), now, current_app.config["PHOTO_ROOT"], request.url_root
    )
    ctx.images = request.values.get("images", "1") != "0"
    return ctx


def _export(kind: str, filename: str, write, count, **params):
    """POST: start the job (one per click). GET: small exports straight back, else the button."""
    params = {
        "args": request.args.to_dict(),
        "images": request.values.get("images", "1") != "0",
        "base_url": request.url_root,
        **params,
    }
    if request.method == "POST":
        token = request.form.get("request_token")
        job = start_export(current_user, kind, params, filename, token)
        return redirect(url_for("jobs.show", job_id=job.id, started=1))
    rows = count()
    if rows <= int(current_app.config["INLINE_EXPORT_MAX_ROWS"]):
        return _send(write, filename)
    return render_template("jobs/start.html", filename=filename, rows=rows)


def _send(write, filename: str):
    """Write a workbook into a temporary file and send it (memory stays flat)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it
    with force_locale("zh_Hans_CN"):
        write(handle)
    handle.seek(0)
    mimetype = "application/zip" if filename.endswith(".zip") else XLSX
    return send_file(handle, mimetype=mimetype, as_attachment=True, download_name=filename)


def _stamp() -> str:
    return today_local().strftime("%Y%m%d")


@bp.route("/export.xlsx", methods=("GET", "POST"))
@login_required
def export():
    _require_exporter()
    filters, ctx = read_filters(request.args), _context()
    return _export(
        "ledger",
        f"问题台账_{_stamp()}.xlsx",
        lambda out: services.export_ledger(out, ctx, filters),
        lambda: services.count_problems(current_user, filters),
    )


@bp.get("/handover/")
@login_required
def handover():
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    filters = read_filters(request.args)
    departments = services.handover_departments(current_user, filters)
    if current_user.role == Role.DEPARTMENT:  # its own list only, not its co-departments'
        departments = [d for d in departments if d.id == current_user.department_id]
    return render_template("ledger/handover.html", departments=departments, filters=filters)


@bp.route("/handover/<int:department_id>.xlsx", methods=("GET", "POST"))
@login_required
def handover_one(department_id: int):
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    if current_user.role == Role.DEPARTMENT and current_user.department_id != department_id:
        abort(404)
    department = db.get_or_404(Department, department_id)
    filters, ctx = read_filters(request.args), _context()
    name = f"交办清单_{department.name}_{_stamp()}.xlsx"
    scoped = Filters(**{**filters.__dict__, "department_id": department.id})
    return _export(
        "handover",
        name,
        lambda out: services.export_handover(out, ctx, filters, department),
        lambda: services.count_problems(current_user, scoped),
        department_id=department.id,
    )


@bp.route("/handover.zip", methods=("GET", "POST"))
@login_required
def handover_all():
    require_role(current_user, Role.STAFF)
    filters, ctx = read_filters(request.args), _context()

    write = partial(write_handover_zip, ctx=ctx, filters=filters)

    return _export(
        "handover_all",
        f"交办清单_全部承办单位_{_stamp()}.zip",
        write,
        lambda: services.count_problems(current_user, filters),
    )


def _weekly_groups() -> list[Group]:
    query = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if current_user.role != Role.STAFF:
        query = query.where(Group.id.in_(secretary_group_ids(current_user)))
    return list(db.session.scalars(query))


def _this_week(filters: Filters):
    today = today_local()
    monday = today - timedelta(days=today.weekday())
    return filters.date_from or monday, filters.date_to or monday + timedelta(days=6)


@bp.get("/weekly")
@login_required
def weekly():
    _require_weekly_reporter()
    groups = _weekly_groups()
    if not groups:
        abort(404)
    filters = read_filters(request.args)
    start, end = _this_week(filters)
    return render_template(
        "ledger/weekly.html", groups=groups, start=start, end=end, group_id=filters.group_id
    )


@bp.route("/weekly.xlsx", methods=("GET", "POST"))
@login_required
def weekly_export():
    _require_weekly_reporter()
    filters = read_filters(request.values)
    group = next((g for g in _weekly_groups() if g.id == filters.group_id), None)
    if group is None:
        abort(404)
    start, end = _this_week(filters)
    ctx = _context()
    name = f"周报_{group.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    week = Filters(group_id=group.id, date_from=start, date_to=end)
    return _export(
        "weekly",
        name,
        lambda out: services.export_weekly(out, ctx, group, start, end),
        lambda: services.count_problems(current_user, week),
        group_id=group.id,
        start=start.isoformat(),
        end=end.isoformat(),
    )
