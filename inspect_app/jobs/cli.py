"""`flask jobs worker`: the queue consumer that runs export jobs and the periodic work."""

import logging

import click
from flask.cli import AppGroup, with_appcontext

from inspect_app.database import writing
from inspect_app.extensions import db, queue
from inspect_app.jobs import tasks  # noqa: F401 - registers the periodic tasks
from inspect_app.jobs.services import recover_interrupted


@click.command("worker")
@with_appcontext
@click.option("--workers", default=1, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--no-periodic", is_flag=True, help="Leave the periodic tasks to another worker process."
)
def worker_command(workers, no_periodic):
    """Run the job queue consumer (SQLite queue in the instance folder, or REDIS_URL)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with writing():
        report = recover_interrupted()
        db.session.commit()
    db.session.remove()
    click.echo(f"worker: interrupted jobs retried {report['retried']}, failed {report['failed']}")
    consumer = queue.create_consumer(
        workers=workers, periodic=not no_periodic, worker_type="thread"
    )
    consumer.run()


jobs_group = AppGroup("jobs", help="The background job queue (exports, periodic work).")
jobs_group.add_command(worker_command)
