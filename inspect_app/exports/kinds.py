"""The ledger's exports as background-job kinds: 问题台账, 交办单 and 交办函 (one or all),
周报 (Excel and Word) and the 视察报告.

Each kind rebuilds what the page asked for from the job's parameters (the query string as it
was, plus ids) with the requester's scope frozen at the click (ScopeSnapshot). create_app
imports this module, which registers the kinds with the job runner (jobs/kinds.py).
"""

import tempfile
import zipfile
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from inspect_app.clock import SHANGHAI
from inspect_app.exports import report, services
from inspect_app.exports import weekly as weekly_reports
from inspect_app.extensions import db
from inspect_app.jobs.kinds import ExportKind, register
from inspect_app.listing.filters import Filters, parse_date, read_filters
from inspect_app.models import Campaign, Department, Group
from inspect_app.spreadsheets.handover import unique_names
from inspect_app.spreadsheets.sheets import Progress, no_progress


def _context(user, params: dict) -> services.ExportContext:
    """What the export needs besides the rows, as the page would have it (photos, paper)."""
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    config = current_app.config
    ctx = services.ExportContext(
        user, now.date(), now, config["PHOTO_ROOT"], config["EXTERNAL_URL"]
    )
    args = params.get("args", {})
    ctx.images = args.get("images", "1") != "0"
    ctx.paper = "A3" if args.get("paper") == "A3" else "A4"
    return ctx


def _kind(name: str, label, suffix: str, total, write) -> ExportKind:
    """Register a kind whose total(ctx, params) and write(stream, ctx, params, progress)
    take the export's context, built here from the frozen scope the job runner passes."""

    def kind_total(user, params):
        return total(_context(user, params), params)

    def kind_write(stream, user, params, progress):
        return write(stream, _context(user, params), params, progress)

    return register(ExportKind(name, label, suffix, kind_total, kind_write))


def _filters(params: dict) -> Filters:
    return read_filters(params.get("args", {}))


def _found(model, key):
    """The row the job names, or LookupError (it was deleted since the click)."""
    row = db.session.get(model, int(key)) if key is not None else None
    if row is None:
        raise LookupError(f"{model.__name__} {key}")
    return row


def batch_from_args(args: dict, user) -> services.HandoverBatch:
    """The 交办 batch of a query string: 交办日期 range (default: the latest day) or ids."""
    ids = tuple(int(p) for p in args.get("ids", "").replace("，", ",").split(",") if p.isdigit())
    start, end = parse_date(args.get("assigned_from")), parse_date(args.get("assigned_to"))
    if not ids and not start and not end and "assigned_from" not in args:
        start = end = services.latest_assignment_day(user)
    number = str(args.get("number", "1"))
    return services.HandoverBatch(
        assigned_from=start,
        assigned_to=end,
        problem_ids=ids,
        first_number=int(number) if number.isdigit() and 0 < int(number) < 100000 else 1,
        campaign_id=read_filters(args).campaign_id,
    )


# ---------- 问题台账 ----------


def _ledger_total(ctx, params) -> int:
    return services.count_problems(ctx.user, _filters(params))


def _ledger_write(stream, ctx, params, progress):
    return services.export_ledger(stream, ctx, _filters(params), progress)


# ---------- 交办单 / 交办函 ----------


def _batch(ctx, params) -> services.HandoverBatch:
    return batch_from_args(params.get("args", {}), ctx.user)


def _handover_total(ctx, params) -> int:
    department = _found(Department, params.get("department_id"))
    return services.count_batch(ctx.user, _batch(ctx, params), department)


def _handover_writer(export):
    def write(stream, ctx, params, progress):
        department = _found(Department, params.get("department_id"))
        return export(stream, ctx, _batch(ctx, params), department, progress)

    return write


def _handover_all_total(ctx, params) -> int:
    return services.count_batch(ctx.user, _batch(ctx, params))


def _handover_all_write(stream, ctx, params, progress):
    return write_handover_zip(stream, ctx, _batch(ctx, params), progress)


def write_handover_zip(
    stream, ctx, batch: services.HandoverBatch, progress: Progress = no_progress
) -> int:
    """Each department's 交办单 and 交办函, zipped as written (one temp file at a time)."""
    departments = services.handover_departments(ctx.user, batch)
    total = services.count_batch(ctx.user, batch)
    written = 0
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for department, name in zip(departments, unique_names(d.name for d in departments),
                                    strict=True):  # fmt: skip
            for kind, suffix, export in (
                ("交办单", "xlsx", services.export_handover),
                ("交办函", "docx", services.export_handover_letter),
            ):
                with tempfile.TemporaryFile() as part:
                    count = export(part, ctx, batch, department)
                    part.seek(0)
                    with archive.open(f"{kind}_{name}.{suffix}", "w") as entry:
                        while chunk := part.read(1 << 20):
                            entry.write(chunk)
            written += count
            progress(min(written, max(total - 1, 0)), total)  # packing once the zip is closed
    progress(total, total)
    return written


# ---------- 周报 and 视察报告 ----------


def _weekly_parts(params) -> tuple[Group, date, date]:
    group = _found(Group, params.get("group_id"))
    return group, date.fromisoformat(params["start"]), date.fromisoformat(params["end"])


def _weekly_total(ctx, params) -> int:
    group, start, end = _weekly_parts(params)
    return services.count_problems(
        ctx.user, Filters(group_id=group.id, date_from=start, date_to=end)
    )


def _weekly_writer(export):
    def write(stream, ctx, params, progress):
        group, start, end = _weekly_parts(params)
        return export(stream, ctx, group, start, end, progress)

    return write


def _report_total(ctx, params) -> int:
    campaign = _found(Campaign, params.get("campaign_id"))
    return services.count_problems(ctx.user, Filters(campaign_id=campaign.id))


def _report_write(stream, ctx, params, progress):
    campaign = _found(Campaign, params.get("campaign_id"))
    return report.export_report(stream, ctx, campaign, progress)


LEDGER = _kind("ledger", _l("问题台账"), ".xlsx", _ledger_total, _ledger_write)
HANDOVER = _kind(
    "handover", _l("交办单"), ".xlsx", _handover_total, _handover_writer(services.export_handover)
)
HANDOVER_LETTER = _kind(
    "handover_letter", _l("交办函"), ".docx", _handover_total,
    _handover_writer(services.export_handover_letter),
)  # fmt: skip
HANDOVER_ALL = _kind(
    "handover_all", _l("交办单（全部承办单位）"), ".zip", _handover_all_total, _handover_all_write
)
WEEKLY = _kind(
    "weekly", _l("周报"), ".xlsx", _weekly_total, _weekly_writer(weekly_reports.export_weekly)
)
WEEKLY_DOCUMENT = _kind(
    "weekly_document", _l("周报（Word）"), ".docx", _weekly_total,
    _weekly_writer(weekly_reports.export_weekly_document),
)  # fmt: skip
REPORT = _kind("report", _l("视察报告"), ".docx", _report_total, _report_write)
