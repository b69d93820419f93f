"""`flask notices send|remind`: the outbox and the deadline reminders, by hand or from cron
(the worker does both on its own schedule)."""

import click
from flask.cli import AppGroup, with_appcontext

from inspect_app.clock import today_local
from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.notices.delivery import deliver_due
from inspect_app.notices.reminders import send_reminders


@click.command("send")
@with_appcontext
def send_notices_command():
    """Send the e-mails and SMS waiting in the outbox (retries those that failed earlier)."""
    counts = deliver_due(limit=10_000)
    click.echo("notices: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none due"))


@click.command("remind")
@with_appcontext
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="For testing.")
def send_reminders_command(today):
    """Remind departments of deadlines (for cron); running it twice sends nothing twice."""
    with writing():
        made = send_reminders(today.date() if today else today_local())
        db.session.commit()
    counts = deliver_due(limit=10_000)
    sent = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing to send"
    click.echo(f"reminders: {made} new notices; outbox: {sent}")


notices_group = AppGroup("notices", help="E-mail and SMS notices: the outbox, the reminders.")
notices_group.add_command(send_notices_command)
notices_group.add_command(send_reminders_command)
