"""An app factory for a test's queue consumer (`FLASK_APP=job_worker:paused_app flask jobs worker`).

The configuration comes from INSPECT_* variables like any deployment. `paused_app` holds every
export once it has written a few rows, so that a test can kill the worker in the middle.
"""

import threading

from inspect_app import create_app
from inspect_app.jobs import services

PAUSE_AFTER_ROWS = 5


def paused_app():
    app = create_app()
    report = services.ProgressReporter.__call__

    def report_then_hold(self, done, total):
        report(self, done, total)
        if done >= PAUSE_AFTER_ROWS and self.saved >= PAUSE_AFTER_ROWS:
            threading.Event().wait()  # until the test kills this process

    services.ProgressReporter.__call__ = report_then_hold
    return app
