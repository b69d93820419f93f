"""Downloads: the ledger, the 交办单 (Excel and Word), the 周报 (Excel and Word), the 视察报告.

Each URL answers a POST (the page's button) by starting a background job and showing its
progress; a GET sends a small export straight back and offers the button for a larger one.
"""

import tempfile
from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.access import can_export_report, is_secretary, require_role, secretary_group_ids
from inspect_app.clock import SHANGHAI, today_local
from inspect_app.exports import report, services
from inspect_app.exports import weekly as weekly_reports
from inspect_app.exports.forms import WeeklyForm
from inspect_app.exports.kinds import batch_from_args, write_handover_zip
from inspect_app.extensions import db
from inspect_app.jobs.services import start_export
from inspect_app.listing.filters import Filters, parse_date, read_filters
from inspect_app.models import Campaign, Department, Group, Role
from inspect_app.spreadsheets.handover import safe_file_name
from inspect_app.spreadsheets.wording import cn_date

bp = Blueprint("exports", __name__, url_prefix="/ledger")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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
        current_user,
        today_local(),
        now,
        current_app.config["PHOTO_ROOT"],
        current_app.config["EXTERNAL_URL"],  # links that work from the office, not this host
    )
    ctx.images = request.args.get("images", "1") != "0"
    ctx.paper = "A3" if request.args.get("paper") == "A3" else "A4"
    return ctx


def _start_job(kind: str, filename: str, params: dict):
    """Start the job for this click (a double tap sends the same token: one job)."""
    params = {"origin": request.full_path.rstrip("?"), **params}
    job = start_export(current_user, kind, params, filename, request.form.get("request_token"))
    return redirect(url_for("jobs.show", job_id=job.id, started=1))


def _export(kind: str, filename: str, write, count, summary: str, **params):
    """POST: start the job (one per click). GET: small exports straight back, else the button.

    `summary` tells the user's exports apart in 我的导出 (the filters, the batch, the week).
    """
    params = {"args": request.args.to_dict(), "summary": summary, **params}
    if request.method == "POST":
        return _start_job(kind, filename, params)
    rows = count()
    if rows <= int(current_app.config["INLINE_EXPORT_MAX_ROWS"]):
        return _send(write, filename)
    return render_template("jobs/start.html", filename=filename, rows=rows)


def _send(write, filename: str):
    """Write a file into a temporary file and send it (memory stays flat)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it
    with force_locale("zh_Hans_CN"):
        write(handle)
    handle.seek(0)
    mimetype = {"zip": "application/zip", "docx": DOCX}.get(filename.rsplit(".", 1)[-1], XLSX)
    return send_file(handle, mimetype=mimetype, as_attachment=True, download_name=filename)


def _stamp() -> str:
    return today_local().strftime("%Y%m%d")


@bp.route("/export.xlsx", methods=("GET", "POST"))
@login_required
def ledger():
    _require_exporter()
    filters, ctx = read_filters(request.args, current_user), _context()
    return _export(
        "ledger",
        f"问题台账_{_stamp()}.xlsx",
        lambda out: services.export_ledger(out, ctx, filters),
        lambda: services.count_problems(current_user, filters),
        _ledger_summary(filters, ctx),
    )


def _ledger_summary(filters, ctx: services.ExportContext) -> str:
    options = [_("A3 打印") if ctx.paper == "A3" else "", "" if ctx.images else _("不含照片")]
    return "　".join(filter(None, [services.describe_filters(filters, current_user), *options]))


def _batch() -> services.HandoverBatch:
    """The 交办 batch from the query: 交办日期 range (default: the latest day) or ids."""
    return batch_from_args(request.args, current_user)


def _batch_args(batch: services.HandoverBatch) -> dict:
    return {
        "assigned_from": batch.assigned_from.isoformat() if batch.assigned_from else "",
        "assigned_to": batch.assigned_to.isoformat() if batch.assigned_to else "",
        "ids": ",".join(map(str, batch.problem_ids)) or None,
        "number": batch.first_number,
        "campaign_id": batch.campaign_id,
    }


def _handover_department(department_id: int) -> Department:
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    if current_user.role == Role.DEPARTMENT and current_user.department_id != department_id:
        abort(404)
    return db.get_or_404(Department, department_id)


def _batch_errors(batch: services.HandoverBatch) -> list[str]:
    """What was wrong with the batch typed into the query, in words (nothing is dropped
    silently: a date or number that cannot be read is named)."""
    args, errors = request.args, []
    for key in ("assigned_from", "assigned_to"):
        if args.get(key) and parse_date(args[key]) is None:
            errors.append(
                _("“%(value)s”不是日期（如 2025-08-05），没有按它筛选。", value=args[key])
            )
    if batch.assigned_from and batch.assigned_to and batch.assigned_from > batch.assigned_to:
        errors.append(_("开始日期晚于结束日期，没有选出问题。"))
    wrong = [p for p in args.get("ids", "").replace("，", ",").split(",") if p.strip()]
    wrong = [p.strip() for p in wrong if not p.strip().isdigit()]
    if wrong:
        errors.append(_("问题序号只能是数字：%(ids)s 已略过。", ids="、".join(wrong)))
    return errors


def _nothing_to_send(batch: services.HandoverBatch, department: Department | None = None):
    """A way back to the 交办单 page, saying why, when the batch holds nothing to send."""
    departments = services.handover_departments(current_user, batch)
    if department is not None and department in departments:
        return None
    if department is None and departments:
        return None
    flash(_("这批问题中没有要交给该单位的问题，没有生成文件。"), "error")
    return redirect(url_for("exports.handover", **_batch_args(batch)))


@bp.get("/handover/")
@login_required
def handover():
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    batch = _batch()
    departments = services.handover_departments(current_user, batch)
    if current_user.role == Role.DEPARTMENT:  # its own list only, not its co-departments'
        departments = [d for d in departments if d.id == current_user.department_id]
    return render_template(
        "exports/handover.html",
        departments=departments,
        batch=batch,
        batch_args=_batch_args(batch),
        errors=_batch_errors(batch),
    )


def _handover_export(kind: str, department_id: int, export, suffix: str):
    department = _handover_department(department_id)
    batch, ctx = _batch(), _context()
    if (back := _nothing_to_send(batch, department)) is not None:
        return back
    title = "交办单" if suffix == "xlsx" else "交办函"
    return _export(
        kind,
        f"{title}_{safe_file_name(department.name)}_{_stamp()}.{suffix}",
        lambda out: export(out, ctx, batch, department),
        lambda: services.count_batch(current_user, batch, department),
        f"{department.name}　{batch.describe()}",
        department_id=department.id,
    )


@bp.route("/handover/<int:department_id>.xlsx", methods=("GET", "POST"))
@login_required
def handover_one(department_id: int):
    return _handover_export("handover", department_id, services.export_handover, "xlsx")


@bp.route("/handover/<int:department_id>.docx", methods=("GET", "POST"))
@login_required
def handover_letter(department_id: int):
    return _handover_export(
        "handover_letter", department_id, services.export_handover_letter, "docx"
    )


@bp.route("/handover.zip", methods=("GET", "POST"))
@login_required
def handover_all():
    require_role(current_user, Role.STAFF)
    batch, ctx = _batch(), _context()
    if (back := _nothing_to_send(batch)) is not None:
        return back
    return _export(
        "handover_all",
        f"交办单_全部承办单位_{_stamp()}.zip",
        lambda out: write_handover_zip(out, ctx, batch),
        lambda: services.count_batch(current_user, batch),
        batch.describe(),
    )


def _weekly_groups() -> list[Group]:
    query = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if current_user.role != Role.STAFF:
        query = query.where(Group.id.in_(secretary_group_ids(current_user)))
    return list(db.session.scalars(query))


def _week(args) -> tuple[date, date]:
    start, end = weekly_reports.default_week(today_local())
    return parse_date(args.get("date_from")) or start, parse_date(args.get("date_to")) or end


def _weekly_group(groups: list[Group], group_id) -> Group:
    group = next((g for g in groups if g.id == group_id), None)
    if group is None:
        abort(404)
    return group


@bp.route("/weekly", methods=["GET", "POST"])
@login_required
def weekly():
    _require_weekly_reporter()
    groups = _weekly_groups()
    if not groups:
        abort(404)
    form = WeeklyForm(request.form if request.method == "POST" else None)
    form.group_id.choices = [(g.id, f"{g.campaign.title} · {g.name}") for g in groups]
    if request.method == "GET":
        filters = read_filters(request.args, current_user)
        form.group_id.data = filters.group_id or groups[0].id
        form.date_from.data, form.date_to.data = _week(request.args)
        group = _weekly_group(groups, form.group_id.data)
        form.plan.data = weekly_reports.saved_plan(group, form.date_from.data)
    elif form.validate():
        group = _weekly_group(groups, form.group_id.data)
        start, end = form.date_from.data, form.date_to.data
        weekly_reports.save_plan(current_user, group, start, form.plan.data or "")
        fmt = "docx" if form.word.data else "xlsx"
        kind, name, params = _weekly_job(group, start, end, fmt)
        args = {"group_id": group.id, "date_from": start.isoformat(), "date_to": end.isoformat()}
        origin = url_for("exports.weekly_export", fmt=fmt, **args)
        return _start_job(kind, name, {"args": args, "origin": origin, **params})
    return render_template("exports/weekly.html", form=form, groups=groups)


def _weekly_job(group: Group, start: date, end: date, fmt: str) -> tuple[str, str, dict]:
    """The job kind, file name and parameters of a group's 周报."""
    name = f"周报_{safe_file_name(group.name, '视察组')}_{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    params = {
        "summary": f"{group.name}　{cn_date(start)}至{cn_date(end)}",
        "group_id": group.id,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return ("weekly" if fmt == "xlsx" else "weekly_document"), name, params


@bp.route("/weekly.<any(xlsx, docx):fmt>", methods=("GET", "POST"))
@login_required
def weekly_export(fmt: str):
    _require_weekly_reporter()
    group = _weekly_group(_weekly_groups(), read_filters(request.args, current_user).group_id)
    start, end = _week(request.args)
    if start > end:
        flash(_("开始日期不能晚于结束日期。"), "error")
        return redirect(url_for("exports.weekly", group_id=group.id))
    ctx = _context()
    kind, name, params = _weekly_job(group, start, end, fmt)
    write = weekly_reports.export_weekly if fmt == "xlsx" else weekly_reports.export_weekly_document
    week = Filters(group_id=group.id, date_from=start, date_to=end)
    return _export(
        kind,
        name,
        lambda out: write(out, ctx, group, start, end),
        lambda: services.count_problems(current_user, week),
        **params,
    )


@bp.route("/report.docx", methods=("GET", "POST"))
@login_required
def report_document():
    if not can_export_report(current_user):
        abort(403)
    campaign_id = read_filters(request.args, current_user).campaign_id
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else services.latest_campaign()
    if campaign is None:
        abort(404)
    ctx = _context()
    return _export(
        "report",
        f"视察报告_{safe_file_name(campaign.title, '视察')}_{_stamp()}.docx",
        lambda out: report.export_report(out, ctx, campaign),
        lambda: services.count_problems(current_user, Filters(campaign_id=campaign.id)),
        campaign.title,
        campaign_id=campaign.id,
    )
