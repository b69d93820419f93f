"""`flask export ledger|handover|weekly|report`: the exports from the command line, with staff
scope, written into EXPORT_DIR (exports/ in a checkout)."""

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from inspect_app.clock import SHANGHAI
from inspect_app.exports import report, services
from inspect_app.exports import weekly as weekly_reports
from inspect_app.extensions import db
from inspect_app.listing.filters import Filters
from inspect_app.models import Campaign, Group, Role, User
from inspect_app.spreadsheets.handover import safe_file_name, unique_names

COMMON = [
    click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest)."),
    click.option("--group", "group_id", type=int, help="Only this group (id)."),
    click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Visits from."),
    click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Visits up to."),
    click.option("--out", type=click.Path(path_type=Path), help="Output file (default: exports/)."),
    click.option("--no-images", is_flag=True, help="Leave the thumbnails out (a light file)."),
    click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", help="Printed paper."),
]


def common_options(function):
    for option in reversed(COMMON):
        function = option(function)
    return with_appcontext(function)


def _context(no_images: bool, paper: str = "A4") -> services.ExportContext:
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    config = current_app.config
    everyone = User(role=Role.STAFF, name="command line")  # staff scope: every group
    ctx = services.ExportContext(
        everyone, now.date(), now, config["PHOTO_ROOT"], config["EXTERNAL_URL"]
    )
    ctx.images = not no_images
    ctx.paper = paper
    return ctx


def _filters(campaign_id, group_id, date_from, date_to) -> Filters:
    if campaign_id is None:
        latest = services.latest_campaign()
        campaign_id = latest.id if latest else None
    return Filters(
        campaign_id=campaign_id,
        group_id=group_id,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )


def _target(out: Path | None, name: str) -> Path:
    path = out or Path(current_app.config["EXPORT_DIR"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write(path: Path, write) -> None:
    partial = path.with_name(path.name + ".part")
    with force_locale("zh_Hans_CN"), partial.open("wb") as handle:
        write(handle)
    partial.replace(path)


@click.command("ledger")
@common_options
def export_ledger_command(campaign_id, group_id, date_from, date_to, out, no_images, paper):
    """Write the problem ledger (问题台账) workbook."""
    filters = _filters(campaign_id, group_id, date_from, date_to)
    ctx = _context(no_images, paper)
    path = _target(out, f"问题台账_{ctx.today:%Y%m%d}.xlsx")
    counted = {}
    _write(path, lambda f: counted.setdefault("n", services.export_ledger(f, ctx, filters)))
    click.echo(f"{path}: {counted['n']} problems")


def _day(value):
    return value.date() if value else None


@click.command("handover")
@click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest).")
@click.option("--assigned-from", type=click.DateTime(["%Y-%m-%d"]), help="交办日期 from.")
@click.option("--assigned-to", type=click.DateTime(["%Y-%m-%d"]), help="交办日期 up to.")
@click.option("--ids", default="", help="Or these problem ids, comma-separated.")
@click.option("--number", type=int, default=1, help="文号 n of the first department.")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: exports/).")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4")
@with_appcontext
def export_handover_command(campaign_id, assigned_from, assigned_to, ids, number, out, paper):
    """Write each department's 交办单 (.xlsx) and 交办函 (.docx) for one batch into a folder.

    Without dates or ids the batch is the latest day anything was assigned.
    """
    ctx = _context(True, paper)
    if campaign_id is None:
        latest = services.latest_campaign()
        campaign_id = latest.id if latest else None
    problem_ids = tuple(int(p) for p in ids.split(",") if p.strip().isdigit())
    start, end = _day(assigned_from), _day(assigned_to)
    if not (problem_ids or start or end):
        start = end = services.latest_assignment_day(ctx.user)
    batch = services.HandoverBatch(start, end, problem_ids, number, campaign_id)
    folder = out or Path(current_app.config["EXPORT_DIR"]) / f"交办单_{ctx.today:%Y%m%d}"
    folder.mkdir(parents=True, exist_ok=True)
    departments = services.handover_departments(ctx.user, batch)
    names = unique_names(d.name for d in departments)
    for department, name in zip(departments, names, strict=True):
        for kind, suffix, export in (
            ("交办单", "xlsx", services.export_handover),
            ("交办函", "docx", services.export_handover_letter),
        ):
            path = folder / f"{kind}_{name}.{suffix}"
            _write(path, lambda f, d=department, e=export: e(f, ctx, batch, d))
            click.echo(str(path))


@click.command("weekly")
@common_options
@click.option("--word", is_flag=True, help="Write the Word document instead of the workbook.")
def export_weekly_command(campaign_id, group_id, date_from, date_to, out, no_images, paper, word):
    """Write a group's 周报 (.xlsx, or .docx with --word); --group is required.

    The default week is this one, or last week on Monday and Tuesday.
    """
    if group_id is None:
        raise click.UsageError("--group is required")
    group = db.session.get(Group, group_id)
    if group is None:
        raise click.ClickException(f"no group with id {group_id}")
    ctx = _context(no_images, paper)
    default_start, default_end = weekly_reports.default_week(ctx.today)
    start = date_from.date() if date_from else default_start
    end = date_to.date() if date_to else default_end
    name = safe_file_name(group.name, "视察组")
    suffix = "docx" if word else "xlsx"
    path = _target(out, f"周报_{name}_{start:%Y%m%d}-{end:%Y%m%d}.{suffix}")
    write = weekly_reports.export_weekly_document if word else weekly_reports.export_weekly
    _write(path, lambda f: write(f, ctx, group, start, end))
    click.echo(str(path))


@click.command("report")
@click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest).")
@click.option("--out", type=click.Path(path_type=Path), help="Output file (default: exports/).")
@with_appcontext
def export_report_command(campaign_id, out):
    """Write the campaign's 视察报告 (.docx) for the standing committee."""
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else services.latest_campaign()
    if campaign is None:
        raise click.ClickException("no campaign")
    ctx = _context(True)
    title = safe_file_name(campaign.title, "视察")
    path = _target(out, f"视察报告_{title}_{ctx.today:%Y%m%d}.docx")
    _write(path, lambda f: report.export_report(f, ctx, campaign))
    click.echo(str(path))


export_group = AppGroup(
    "export", help="Write the ledger, 交办单/交办函, 周报 or 视察报告 (into exports/)."
)
for command in (
    export_ledger_command,
    export_handover_command,
    export_weekly_command,
    export_report_command,
):
    export_group.add_command(command)
