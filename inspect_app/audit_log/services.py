"""Finding AuditEvents by person, record, action and dates."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from inspect_app.audit_log.describe import Describer
from inspect_app.clock import SHANGHAI
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Problem, Project, User, Visit

EXPORT_LIMIT = 50_000


@dataclass
class LogFilters:
    person: str = ""  # a name, phone or user name
    record: str = ""  # a problem's code, or words of a visited project's name
    entity: str = ""
    entity_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC).replace(tzinfo=None)


def log_query(filters: LogFilters) -> Select:
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    person = "".join(filters.person.split())
    if person:
        people = select(User.id).where(
            or_(User.name.contains(person), User.phone == person, User.username == person)
        )
        query = query.where(AuditEvent.actor_id.in_(people))
    record = filters.record.strip()
    if record:
        problem_ids = select(Problem.id).where(Problem.code == record)
        visit_ids = (
            select(Visit.id)
            .join(Project, Project.id == Visit.project_id)
            .where(Project.name.contains(record))
        )
        query = query.where(
            or_(
                and_(AuditEvent.entity == "problem", AuditEvent.entity_id.in_(problem_ids)),
                and_(AuditEvent.entity == "visit", AuditEvent.entity_id.in_(visit_ids)),
            )
        )
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
        if filters.entity_id is not None:
            query = query.where(AuditEvent.entity_id == filters.entity_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= _utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.created_at < _utc(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def export_rows(filters: LogFilters):
    """The filtered events as plain rows for the spreadsheet, in chunks of 500."""
    query = log_query(filters).limit(EXPORT_LIMIT)
    events = db.session.scalars(query).all()
    for start in range(0, len(events), 500):
        for entry in Describer(events[start : start + 500]).entries():
            yield {
                "when": entry.when,
                "actor": entry.actor,
                "action": entry.action,
                "record_kind": entry.record_kind,
                "record": entry.record,
                "changes": [(c.field, c.before, c.after) for c in entry.changes],
            }
