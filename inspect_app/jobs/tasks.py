"""The periodic work on the queue: the sweep of interrupted export jobs, the cleanup, the
outbox (e-mail and SMS notices) and the daily deadline reminders. (The export job's own task,
run_export, lives with the jobs in services.py.)

Periodic work is one line each (see inspect_app/task_queue.py). Huey's crontab is in UTC.
"""

from huey import crontab

from inspect_app.clock import today_local
from inspect_app.database import writing
from inspect_app.extensions import db, queue
from inspect_app.jobs import services
from inspect_app.notices.delivery import deliver_due
from inspect_app.notices.reminders import send_reminders as make_reminders


@queue.periodic(crontab(minute="*"))
def sweep_interrupted_jobs() -> dict:
    """Every minute: jobs whose worker died are queued again or marked 失败."""
    with writing():
        report = services.recover_interrupted()
        db.session.commit()
    return report


@queue.periodic(crontab(minute="17"))
def cleanup() -> dict:
    """Hourly: unsaved uploads, orphan photo files, expired and stray export files."""
    return services.run_cleanup()


@queue.periodic(crontab(minute="*/2"))
def send_notices() -> dict:
    """Every 2 minutes: e-mails and SMS waiting in the outbox, failed ones retried with back-off."""
    return deliver_due(limit=1000)


@queue.periodic(crontab(hour="0", minute="5"))
def send_reminders() -> int:
    """Daily at 08:05 Beijing time: deadline reminders (each reminder is made once)."""
    with writing():
        made = make_reminders(today_local())
        db.session.commit()
    deliver_due(limit=1000)
    return made
