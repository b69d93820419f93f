"""Saving the office settings, with an AuditEvent of what changed."""

from dataclasses import asdict

from inspect_app.auditing import record_event
from inspect_app.extensions import db
from inspect_app.models import Setting, User
from inspect_app.settings.office import office_settings


def _plain(values: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def save_settings(actor: User, values: dict) -> None:
    """Store each value; the audit log records the before and after of those that changed."""
    before = _plain(asdict(office_settings()))
    after = _plain(values)
    for key, value in after.items():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        elif row.value != value:
            row.value = value
    db.session.flush()
    holder = db.session.get(Setting, "office_name")
    record_event(actor, "update", holder, before=before, after=after)
