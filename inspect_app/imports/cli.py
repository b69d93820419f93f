"""`flask import projects|deputies`: the 重大项目清单 and the 代表名单 from .xlsx files, with the
same checks as the 导入 page (a file with any bad row is refused whole)."""

from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.imports import services as imports
from inspect_app.models import Campaign
from inspect_app.spreadsheets.imports import ImportFileError


def _report(outcome) -> None:
    if not outcome.ok:
        for error in outcome.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"{len(outcome.errors)} errors; nothing was imported")
    click.echo(f"imported: {outcome.created} created, {outcome.updated} updated")
    for name, phone, password in outcome.passwords:
        click.echo(f"  new account {phone} {name}: initial password {password}")


@click.command("projects")
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


@click.command("deputies")
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


import_group = AppGroup("import", help="Import the project list or the deputy roster (.xlsx).")
import_group.add_command(import_projects_command)
import_group.add_command(import_deputies_command)
