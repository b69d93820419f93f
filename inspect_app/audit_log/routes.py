"""The operations log (操作日志): staff read and export the AuditEvents."""

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access import can_view_audit_log, require_role
from inspect_app.audit_log.describe import ACTIONS, ENTITIES, Describer
from inspect_app.audit_log.services import LogFilters, export_rows, log_query
from inspect_app.extensions import db
from inspect_app.models import Role, utcnow
from inspect_app.spreadsheets.audit_log import write_audit_log
from inspect_app.templating import local_datetime

bp = Blueprint("audit_log", __name__, url_prefix="/admin/log")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def staff_only():
    require_role(current_user, Role.STAFF)


@bp.app_context_processor
def audit_log_links():
    return {"can_view_audit_log": lambda: can_view_audit_log(current_user)}


def _filters() -> LogFilters:
    args = request.args
    entity = args.get("entity", "")
    return LogFilters(
        person=args.get("person", "")[:50],
        record=args.get("record", "")[:40],
        entity=entity if entity in ENTITIES else "",
        entity_id=args.get("entity_id", type=int),
        action=args.get("action", "") if args.get("action") in ACTIONS else "",
        date_from=_date(args.get("date_from")),
        date_to=_date(args.get("date_to")),
    )


def _date(text: str | None):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/")
def index():
    filters = _filters()
    page = db.paginate(
        log_query(filters), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    entries = Describer(list(page.items)).entries()
    return render_template(
        "audit_log/index.html",
        filters=filters,
        page=page,
        entries=entries,
        actions=ACTIONS,
        entities=ENTITIES,
    )


@bp.get("/export.xlsx")
def export():
    filters = _filters()
    subtitle = _("导出时间：%(time)s", time=local_datetime(utcnow()))
    stream = write_audit_log(export_rows(filters), _("操作日志"), subtitle)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name="操作日志.xlsx")
