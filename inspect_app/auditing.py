"""Write AuditEvents: who did what to which record, with before/after values."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, User

SKIPPED = {"password_hash", "created_at", "updated_at"}


def snapshot(obj, **extra) -> dict:
    """The column values of a model instance as JSON-safe values, plus any extras."""
    values = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key not in SKIPPED:
            values[column.key] = _plain(getattr(obj, column.key))
    values.update({key: _plain(value) for key, value in extra.items()})
    return values


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record_event(
    actor: User | None, action: str, obj, before: dict | None = None, after: dict | None = None
) -> AuditEvent | None:
    """Add an AuditEvent for `obj` (flushed so that a new object has its id).

    An update that changed nothing writes nothing.
    """
    if obj is not None and inspect(obj).pending:
        db.session.flush()
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
        if not changed:
            return None
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity=obj.__tablename__ if obj is not None else "",
        entity_id=getattr(obj, "id", None),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
