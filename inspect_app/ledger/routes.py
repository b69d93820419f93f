"""Downloads: the ledger, the departments' handover lists, the weekly group workbook."""

import tempfile
import zipfile
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import force_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.access import is_secretary, require_role, secretary_group_ids
from inspect_app.extensions import db
from inspect_app.ledger import services
from inspect_app.listing import Filters, read_filters
from inspect_app.models import Department, Group, Role
from inspect_app.spreadsheets.handover import safe_file_name, unique_names
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
    ctx.images = request.args.get("images", "1") != "0"
    return ctx


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


@bp.get("/export.xlsx")
@login_required
def export():
    _require_exporter()
    filters, ctx = read_filters(request.args, current_user), _context()
    return _send(lambda out: services.export_ledger(out, ctx, filters), f"问题台账_{_stamp()}.xlsx")


@bp.get("/handover/")
@login_required
def handover():
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    filters = read_filters(request.args, current_user)
    departments = services.handover_departments(current_user, filters)
    if current_user.role == Role.DEPARTMENT:  # its own list only, not its co-departments'
        departments = [d for d in departments if d.id == current_user.department_id]
    return render_template("ledger/handover.html", departments=departments, filters=filters)


@bp.get("/handover/<int:department_id>.xlsx")
@login_required
def handover_one(department_id: int):
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    if current_user.role == Role.DEPARTMENT and current_user.department_id != department_id:
        abort(404)
    department = db.get_or_404(Department, department_id)
    filters, ctx = read_filters(request.args, current_user), _context()
    name = f"交办清单_{safe_file_name(department.name)}_{_stamp()}.xlsx"
    return _send(lambda out: services.export_handover(out, ctx, filters, department), name)


@bp.get("/handover.zip")
@login_required
def handover_all():
    require_role(current_user, Role.STAFF)
    filters, ctx = read_filters(request.args, current_user), _context()

    def write(out):
        departments = services.handover_departments(current_user, filters)
        names = unique_names(d.name for d in departments)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for department, name in zip(departments, names, strict=True):
                with tempfile.TemporaryFile() as part:
                    services.export_handover(part, ctx, filters, department)
                    part.seek(0)
                    with archive.open(f"交办清单_{name}.xlsx", "w") as entry:
                        while chunk := part.read(1 << 20):
                            entry.write(chunk)

    return _send(write, f"交办清单_全部承办单位_{_stamp()}.zip")


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
    filters = read_filters(request.args, current_user)
    start, end = _this_week(filters)
    return render_template(
        "ledger/weekly.html", groups=groups, start=start, end=end, group_id=filters.group_id
    )


@bp.get("/weekly.xlsx")
@login_required
def weekly_export():
    _require_weekly_reporter()
    filters = read_filters(request.args, current_user)
    group = next((g for g in _weekly_groups() if g.id == filters.group_id), None)
    if group is None:
        abort(404)
    start, end = _this_week(filters)
    ctx = _context()
    group_name = safe_file_name(group.name, "视察组")
    name = f"周报_{group_name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return _send(lambda out: services.export_weekly(out, ctx, group, start, end), name)
