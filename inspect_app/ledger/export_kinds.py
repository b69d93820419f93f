"""The ledger's exports as background-job kinds: 问题台账, 交办清单 (one or all), 周报."""

import tempfile
import zipfile
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.jobs.kinds import ExportKind, register
from inspect_app.ledger import services
from inspect_app.listing import Filters, read_filters
from inspect_app.models import Department, Group


def _filters(params: dict) -> Filters:
    return read_filters(params.get("args", {}))


def _department(params: dict) -> Department:
    return db.session.get(Department, int(params["department_id"]))


def _ledger_total(ctx, params) -> int:
    return services.count_problems(ctx.user, _filters(params))


def _ledger_write(stream, ctx, params, progress):
    return services.export_ledger(stream, ctx, _filters(params), progress)


def _handover_total(ctx, params) -> int:
    scoped = Filters(**{**_filters(params).__dict__, "department_id": int(params["department_id"])})
    return services.count_problems(ctx.user, scoped)


def _handover_write(stream, ctx, params, progress):
    return services.export_handover(stream, ctx, _filters(params), _department(params), progress)


def _all_departments(ctx, params) -> list[Department]:
    return services.handover_departments(ctx.user, _filters(params))


def _handover_all_total(ctx, params) -> int:
    filters = _filters(params)
    return sum(
        services.count_problems(ctx.user, Filters(**{**filters.__dict__, "department_id": d.id}))
        for d in _all_departments(ctx, params)
    )


def _handover_all_write(stream, ctx, params, progress):
    return write_handover_zip(stream, ctx, _filters(params), progress)


def write_handover_zip(stream, ctx, filters: Filters, progress=None) -> int:
    """One workbook per department, zipped as they are written (one temp file at a time)."""
    progress = progress or (lambda done, total: None)
    written = 0

    def step(done, _total):
        progress(written + done, None)

    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for department in services.handover_departments(ctx.user, filters):
            with tempfile.TemporaryFile() as part:
                written += services.export_handover(part, ctx, filters, department, step)
                part.seek(0)
                with archive.open(f"交办清单_{department.name}.xlsx", "w") as entry:
                    while chunk := part.read(1 << 20):
                        entry.write(chunk)
        progress(written, written)
    return written


def _weekly_parts(ctx, params) -> tuple[Group, date, date]:
    group = db.session.scalar(select(Group).where(Group.id == int(params["group_id"])))
    return group, date.fromisoformat(params["start"]), date.fromisoformat(params["end"])


def _weekly_total(ctx, params) -> int:
    group, start, end = _weekly_parts(ctx, params)
    return services.count_problems(
        ctx.user, Filters(group_id=group.id, date_from=start, date_to=end)
    )


def _weekly_write(stream, ctx, params, progress):
    group, start, end = _weekly_parts(ctx, params)
    return services.export_weekly(stream, ctx, group, start, end, progress)


LEDGER = register(ExportKind("ledger", _l("问题台账"), ".xlsx", _ledger_total, _ledger_write))
HANDOVER = register(
    ExportKind("handover", _l("交办清单"), ".xlsx", _handover_total, _handover_write)
)
HANDOVER_ALL = register(
    ExportKind(
        "handover_all", _l("交办清单（全部）"), ".zip", _handover_all_total, _handover_all_write
    )
)
WEEKLY = register(ExportKind("weekly", _l("周报"), ".xlsx", _weekly_total, _weekly_write))
