"""The task queue: Huey, on SQLite in the instance folder, or on Redis when REDIS_URL is set.

Created unbound in extensions.py (tasks and periodic tasks are declared at import time) and
bound by create_app, like every other extension: `init_app` picks the storage from the app
config and every task runs inside an app context of that app. It knows nothing of the app's
features or its database: Flask-SQLAlchemy ends a task's session with its app context.

Adding periodic work is one line, e.g. in inspect_app/jobs/tasks.py:

    queue.periodic(crontab(minute="*/5"))(send_reminders)
"""

import functools
from pathlib import Path

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage


class TaskQueue(Huey):
    """A Huey instance configured from the Flask app (the extension style of the project)."""

    def __init__(self, name: str = "inspect"):
        super().__init__(name, results=False, storage_class=MemoryStorage)
        self.flask_app: Flask | None = None

    def init_app(self, app: Flask) -> None:
        self.name = app.config.get("QUEUE_NAME") or "inspect"
        url = app.config.get("REDIS_URL")
        if url:
            self.storage_class, self.storage_kwargs = RedisStorage, {"url": url}
        else:
            path = app.config.get("QUEUE_DATABASE") or Path(app.instance_path) / "queue.sqlite"
            self.storage_class, self.storage_kwargs = SqliteStorage, {"filename": str(path)}
        self.storage = self.create_storage()
        self.flask_app = app
        app.extensions["queue"] = self

    def in_app(self, func):
        """Run `func` inside an app context of the bound app (a fresh session each time)."""

        @functools.wraps(func)
        def run(*args, **kwargs):
            with self.flask_app.app_context():  # Flask-SQLAlchemy ends the session with it
                return func(*args, **kwargs)

        return run

    def app_task(self, **options):
        """@queue.app_task(): a Huey task that runs inside an app context."""
        return lambda func: self.task(name=func.__name__, **options)(self.in_app(func))

    def periodic(self, schedule, **options):
        """queue.periodic(crontab(...))(func): run func on schedule, in an app context."""
        return lambda func: self.periodic_task(schedule, name=func.__name__, **options)(
            self.in_app(func)
        )

    def run_pending(self) -> int:
        """Execute every task waiting in the queue here and now (tests, `flask jobs worker`)."""
        count = 0
        while (task := self.dequeue()) is not None:
            self.execute(task)
            count += 1
        return count
