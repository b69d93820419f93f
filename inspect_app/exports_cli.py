"""Command-line exports and imports: export-ledger, export-handover, export-weekly, import-*."""

from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.imports import services as imports
from inspect_app.ledger import services
from inspect_app.listing import Filters
from inspect_app.models import Campaign, Group, Role, User
from inspect_app.spreadsheets.handover import safe_file_name, unique_names
from inspect_app.spreadsheets.imports import ImportFileError
from inspect_app.templating import SHANGHAI

COMMON = [
    click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest)."),
    click.option("--group", "group_id", type=int, help="Only this group (id)."),
    click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Visits from."),
    click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Visits up to."),
    click.option("--out", type=click.Path(path_type=Path), help="Output file (default: exports/)."),
    click.option("--no-images", is_flag=True, help="Leave the thumbnails out (a light file)."),
]


def common_options(function):
    for option in reversed(COMMON):
        function = option(function)
    return with_appcontext(function)


def _context(no_images: bool) -> services.ExportContext:
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    config = current_app.config
    everyone = User(role=Role.STAFF, name="command line")  # staff scope: every group
    ctx = services.ExportContext(
        everyone, now.date(), now, config["PHOTO_ROOT"], config["EXTERNAL_URL"]
    )
    ctx.images = not no_images
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


@click.command("export-ledger")
@common_options
def export_ledger_command(campaign_id, group_id, date_from, date_to, out, no_images):
    """Write the problem ledger (问题台账) workbook."""
    filters, ctx = _filters(campaign_id, group_id, date_from, date_to), _context(no_images)
    path = _target(out, f"问题台账_{ctx.today:%Y%m%d}.xlsx")
    counted = {}
    _write(path, lambda f: counted.setdefault("n", services.export_ledger(f, ctx, filters)))
    click.echo(f"{path}: {counted['n']} problems")


@click.command("export-handover")
@common_options
def export_handover_command(campaign_id, group_id, date_from, date_to, out, no_images):
    """Write one handover workbook (交办清单) per department into a folder."""
    filters, ctx = _filters(campaign_id, group_id, date_from, date_to), _context(no_images)
    folder = out or Path(current_app.config["EXPORT_DIR"]) / f"交办清单_{ctx.today:%Y%m%d}"
    folder.mkdir(parents=True, exist_ok=True)
    departments = services.handover_departments(ctx.user, filters)
    names = unique_names(d.name for d in departments)
    for department, name in zip(departments, names, strict=True):
        path = folder / f"交办清单_{name}.xlsx"
        _write(path, lambda f, d=department: services.export_handover(f, ctx, filters, d))
        click.echo(str(path))


@click.command("export-weekly")
@common_options
def export_weekly_command(campaign_id, group_id, date_from, date_to, out, no_images):
    """Write a group's weekly workbook (周报); --group is required."""
    if group_id is None:
        raise click.UsageError("--group is required")
    group = db.session.get(Group, group_id)
    if group is None:
        raise click.ClickException(f"no group with id {group_id}")
    ctx = _context(no_images)
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    start = date_from.date() if date_from else monday
    end = date_to.date() if date_to else monday + timedelta(days=6)
    name = safe_file_name(group.name, "视察组")
    path = _target(out, f"周报_{name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    _write(path, lambda f: services.export_weekly(f, ctx, group, start, end))
    click.echo(str(path))


def _report(outcome) -> None:
    if not outcome.ok:
        for error in outcome.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"{len(outcome.errors)} errors; nothing was imported")
    click.echo(f"imported: {outcome.created} created, {outcome.updated} updated")
    for name, phone, password in outcome.passwords:
        click.echo(f"  new account {phone} {name}: initial password {password}")


@click.command("import-projects")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_projects_command(path: Path):
    """Import the project list (重大项目清单) from an .xlsx file."""
    with writing():
        try:
            outcome = imports.import_projects(None, path.read_bytes())
        except ImportFileError as error:
            raise click.ClickException(str(error)) from error
        _report(outcome)
        db.session.commit()


@click.command("import-deputies")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest).")
@with_appcontext
def import_deputies_command(path: Path, campaign_id):
    """Import the deputy roster (代表名单) from an .xlsx file."""
    campaign = (
        db.session.get(Campaign, campaign_id)
        if campaign_id
        else db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))
    )
    if campaign is None:
        raise click.ClickException("no campaign")
    with writing():
        try:
            outcome = imports.import_deputies(None, path.read_bytes(), campaign)
        except ImportFileError as error:
            raise click.ClickException(str(error)) from error
        _report(outcome)
        db.session.commit()


COMMANDS = (
    export_ledger_command,
    export_handover_command,
    export_weekly_command,
    import_projects_command,
    import_deputies_command,
)
