"""What runs on the queue: export jobs, and the periodic sweep and cleanup.

Periodic work is one line each (see inspect_app/jobs/queue.py). Reminders and notices plug
in here once they exist, e.g. `queue.periodic(crontab(hour="8", minute="0"))(send_reminders)`.
"""

from huey import crontab

from inspect_app.database import writing
from inspect_app.extensions import db, queue
from inspect_app.jobs import services


@queue.app_task()
def run_export(job_id: int) -> str:
    return services.run_export_job(job_id)


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
