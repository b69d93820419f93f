"""The command line: `flask create-user`, `flask seed-demo` and the groups `flask data`,
`flask export`, `flask import`, `flask jobs` and `flask notices` (each feature keeps its
own commands; this module puts them together).

The names before the groups (export-ledger, import-projects, worker, send-notices, cleanup,
backup, …) still work for one release: hidden from `flask --help`, they say their new name.
"""

import copy

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from inspect_app.backup_cli import backup_command, restore_command
from inspect_app.database import writing
from inspect_app.exports.cli import export_group
from inspect_app.extensions import db
from inspect_app.imports.cli import import_group
from inspect_app.jobs.cli import jobs_group
from inspect_app.jobs.services import run_cleanup
from inspect_app.models import Department, Group, GroupMember, Role, User
from inspect_app.notices.cli import notices_group

data_group = AppGroup("data", help="The instance's data: backup, restore, cleanup.")

# old name -> (group, command name in the group), kept for one release
OLD_NAMES = {
    "export-ledger": ("export", "ledger"),
    "export-handover": ("export", "handover"),
    "export-weekly": ("export", "weekly"),
    "export-report": ("export", "report"),
    "import-projects": ("import", "projects"),
    "import-deputies": ("import", "deputies"),
    "worker": ("jobs", "worker"),
    "send-notices": ("notices", "send"),
    "send-reminders": ("notices", "remind"),
    "backup": ("data", "backup"),
    "restore": ("data", "restore"),
    "cleanup": ("data", "cleanup"),
}


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    groups = (data_group, export_group, import_group, jobs_group, notices_group)
    for group in groups:
        app.cli.add_command(group)
    by_name = {group.name: group for group in groups}
    for old, (group, name) in OLD_NAMES.items():
        app.cli.add_command(old_name(by_name[group].commands[name], old, f"{group} {name}"))


def old_name(command: click.Command, old: str, new: str) -> click.Command:
    """`command` under its name from before the groups: hidden from help, says the new one."""
    alias = copy.copy(command)
    alias.name = old
    alias.hidden = True
    alias.deprecated = f"Use `flask {new}`; `flask {old}` goes away in the next release."
    return alias


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", required=True, help="Display name (姓名).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.DEPUTY.value)
@click.option("--phone", default=None, help="Mobile number, also usable to log in.")
@click.option("--department", default=None, help="Department name, for the department role.")
@click.option("--group-id", type=int, default=None, help="Add the user to this group.")
@click.option("--secretary", is_flag=True, help="Make the user a secretary of --group-id.")
@click.password_option(help="Password (asked twice if not given).")
def create_user_command(username, name, role, phone, department, group_id, secretary, password):
    """Create an account."""
    from inspect_app.auth.passwords import password_problem
    from inspect_app.auth.services import create_user

    problem = password_problem(password, names=(username, phone))
    if problem:
        raise click.ClickException(problem)
    with writing():
        if db.session.scalar(select(User).where(User.username == username)):
            raise click.ClickException(f"user {username!r} already exists")
        fields = {"phone": phone}
        if department:
            dept = db.session.scalar(select(Department).where(Department.name == department))
            if dept is None:
                raise click.ClickException(f"no department named {department!r}")
            fields["department_id"] = dept.id
        user = create_user(username, name, password, role, **fields)
        if group_id:
            group = db.session.get(Group, group_id)
            if group is None:
                raise click.ClickException(f"no group with id {group_id}")
            group.members.append(GroupMember(user=user, is_secretary=secretary))
        db.session.commit()
    click.echo(f"created {role} {username} ({name})")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(if_empty):
    """Load the demo campaign (2025 major-project inspection) into an empty database."""
    from inspect_app.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

    if db.session.scalar(select(func.count(User.id))):
        if if_empty:
            click.echo("database already has data; demo data not loaded")
            return
        raise click.ClickException("the database is not empty; seed-demo only fills an empty one")
    with writing():
        counts = seed_demo(current_app.config["PHOTO_ROOT"])
        db.session.commit()
    click.echo("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    banner = "!" * 72
    click.secho(banner, fg="red", bold=True)
    click.secho(
        f"DEMO ACCOUNTS — every one has the PUBLIC password {DEMO_PASSWORD!r}.",
        fg="red",
        bold=True,
    )
    click.secho("Never load demo data into a real deployment.", fg="red", bold=True)
    for username, role in DEMO_ACCOUNTS:
        click.secho(f"  {username:<18} {role}", fg="red")
    click.secho(banner, fg="red", bold=True)


@data_group.command("cleanup")
@with_appcontext
def cleanup_command():
    """Remove uploads never saved (older than a day), photo files with no row, temp leftovers,
    and export files past their keeping time (the worker also runs this every hour)."""
    report = run_cleanup()
    click.echo(
        f"cleanup: {report['pending_rows']} unsaved uploads, {report['orphan_files']} files "
        f"without a photo row, {report['temp_files']} temporary files removed; "
        f"{report['exports_expired']} expired and {report['exports_stray']} stray export files"
    )


data_group.add_command(backup_command)
data_group.add_command(restore_command)
