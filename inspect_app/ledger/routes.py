"""Downloads: the ledger, the 交办单 (Excel and Word), the 周报 (Excel and Word), the 视察报告."""

import tempfile
import zipfile
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
from inspect_app.extensions import db
from inspect_app.ledger import report, services
from inspect_app.ledger import weekly as weekly_reports
from inspect_app.ledger.forms import WeeklyForm
from inspect_app.listing import read_filters
from inspect_app.models import Campaign, Department, Group, Role
from inspect_app.spreadsheets.handover import safe_file_name, unique_names
from inspect_app.templating import SHANGHAI, today_local

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
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


@bp.get("/export.xlsx")
@login_required
def export():
    _require_exporter()
    filters, ctx = read_filters(request.args, current_user), _context()
    return _send(lambda out: services.export_ledger(out, ctx, filters), f"问题台账_{_stamp()}.xlsx")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _batch() -> services.HandoverBatch:
    """The 交办 batch from the query: 交办日期 range (default: the latest day) or ids."""
    args = request.args
    ids = tuple(int(p) for p in args.get("ids", "").replace("，", ",").split(",") if p.isdigit())
    start, end = _date(args.get("assigned_from")), _date(args.get("assigned_to"))
    if not ids and not start and not end and "assigned_from" not in args:
        start = end = services.latest_assignment_day(current_user)
    number = args.get("number", "1")
    return services.HandoverBatch(
        assigned_from=start,
        assigned_to=end,
        problem_ids=ids,
        first_number=int(number) if number.isdigit() and 0 < int(number) < 100000 else 1,
        campaign_id=read_filters(args).campaign_id,
    )


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
        if args.get(key) and _date(args[key]) is None:
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
    return redirect(url_for("ledger.handover", **_batch_args(batch)))


@bp.get("/handover/")
@login_required
def handover():
    require_role(current_user, Role.STAFF, Role.DEPARTMENT)
    batch = _batch()
    departments = services.handover_departments(current_user, batch)
    if current_user.role == Role.DEPARTMENT:  # its own list only, not its co-departments'
        departments = [d for d in departments if d.id == current_user.department_id]
    return render_template(
        "ledger/handover.html",
        departments=departments,
        batch=batch,
        batch_args=_batch_args(batch),
        errors=_batch_errors(batch),
    )


@bp.get("/handover/<int:department_id>.xlsx")
@login_required
def handover_one(department_id: int):
    department = _handover_department(department_id)
    batch, ctx = _batch(), _context()
    if (back := _nothing_to_send(batch, department)) is not None:
        return back
    name = f"交办单_{safe_file_name(department.name)}_{_stamp()}.xlsx"
    return _send(lambda out: services.export_handover(out, ctx, batch, department), name)


@bp.get("/handover/<int:department_id>.docx")
@login_required
def handover_letter(department_id: int):
    department = _handover_department(department_id)
    batch, ctx = _batch(), _context()
    if (back := _nothing_to_send(batch, department)) is not None:
        return back
    name = f"交办函_{safe_file_name(department.name)}_{_stamp()}.docx"
    return _send(lambda out: services.export_handover_letter(out, ctx, batch, department), name)


@bp.get("/handover.zip")
@login_required
def handover_all():
    require_role(current_user, Role.STAFF)
    batch, ctx = _batch(), _context()
    if (back := _nothing_to_send(batch)) is not None:
        return back

    def write(out):
        departments = services.handover_departments(current_user, batch)
        names = unique_names(d.name for d in departments)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for department, safe_name in zip(departments, names, strict=True):
                for kind, export in (
                    ("交办单", services.export_handover),
                    ("交办函", services.export_handover_letter),
                ):
                    suffix = "xlsx" if kind == "交办单" else "docx"
                    with tempfile.TemporaryFile() as part:
                        export(part, ctx, batch, department)
                        part.seek(0)
                        with archive.open(f"{kind}_{safe_name}.{suffix}", "w") as entry:
                            while chunk := part.read(1 << 20):
                                entry.write(chunk)

    return _send(write, f"交办单_全部承办单位_{_stamp()}.zip")


def _weekly_groups() -> list[Group]:
    query = select(Group).order_by(Group.campaign_id.desc(), Group.sort_order)
    if current_user.role != Role.STAFF:
        query = query.where(Group.id.in_(secretary_group_ids(current_user)))
    return list(db.session.scalars(query))


def _week(args) -> tuple[date, date]:
    start, end = weekly_reports.default_week(today_local())
    return _date(args.get("date_from")) or start, _date(args.get("date_to")) or end


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
        weekly_reports.save_plan(current_user, group, form.date_from.data, form.plan.data or "")
        fmt = "docx" if form.word.data else "xlsx"
        return redirect(
            url_for(
                "ledger.weekly_export",
                fmt=fmt,
                group_id=group.id,
                date_from=form.date_from.data.isoformat(),
                date_to=form.date_to.data.isoformat(),
            )
        )
    return render_template("ledger/weekly.html", form=form, groups=groups)


@bp.get("/weekly.<any(xlsx, docx):fmt>")
@login_required
def weekly_export(fmt: str):
    _require_weekly_reporter()
    group = _weekly_group(_weekly_groups(), read_filters(request.args, current_user).group_id)
    start, end = _week(request.args)
    if start > end:
        flash(_("开始日期不能晚于结束日期。"), "error")
        return redirect(url_for("ledger.weekly", group_id=group.id))
    ctx = _context()
    name = f"周报_{safe_file_name(group.name, '视察组')}_{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    write = weekly_reports.export_weekly if fmt == "xlsx" else weekly_reports.export_weekly_document
    return _send(lambda out: write(out, ctx, group, start, end), name)


@bp.get("/report.docx")
@login_required
def report_document():
    if not can_export_report(current_user):
        abort(403)
    campaign_id = read_filters(request.args, current_user).campaign_id
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else services.latest_campaign()
    if campaign is None:
        abort(404)
    ctx = _context()
    name = f"视察报告_{safe_file_name(campaign.title, '视察')}_{_stamp()}.docx"
    return _send(lambda out: report.export_report(out, ctx, campaign), name)
