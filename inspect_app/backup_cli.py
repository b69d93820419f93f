"""`flask data backup OUT` and `flask data restore IN`: the database and photo files in one
checked archive."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from inspect_app.backup import BackupError, back_up, restore, verify
from inspect_app.extensions import db


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path):
    """Write OUT (.tar): a consistent copy of the database, the photos and a SHA-256 manifest.

    Safe while the app is serving; run it from cron and keep the archives elsewhere.
    """
    try:
        summary = back_up(db.engine, _photo_root(), out, current_app.config.get("PG_BIN_DIR"))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"backed up to {summary.archive}: database {summary.database_bytes:,} bytes, "
        f"{summary.photo_files} photo files ({summary.photo_bytes:,} bytes)"
    )


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check the archive's hashes; change nothing.")
def restore_command(archive: Path, check: bool):
    """Restore ARCHIVE (`flask data backup`) into this instance's empty database and photo folder.

    Every file is checked against the manifest first; a damaged archive is refused whole.
    """
    try:
        if check:
            manifest = verify(archive)
            click.echo(f"{archive}: intact, {len(manifest['files'])} files")
            return
        count = restore(archive, db.engine, _photo_root(), current_app.config.get("PG_BIN_DIR"))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored the database and {count} photo files from {archive}")


def _photo_root() -> Path:
    return Path(current_app.config["PHOTO_ROOT"])
