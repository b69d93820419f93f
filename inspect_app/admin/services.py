"""Staff maintenance of reference data, audited."""

from inspect_app.auditing import record_event, snapshot
from inspect_app.extensions import db
from inspect_app.models import Group, GroupMember, User


def save_record(user: User, record, form) -> None:
    """Copy a form onto a new or existing record, with an AuditEvent."""
    is_new = record.id is None
    before = None if is_new else snapshot(record)
    form.populate_obj(record)
    if is_new:
        db.session.add(record)
        db.session.flush()
        record_event(user, "create", record, after=snapshot(record))
    else:
        db.session.flush()
        record_event(user, "update", record, before=before, after=snapshot(record))


def add_member(user: User, group: Group, member: User, is_secretary: bool) -> None:
    existing = next((m for m in group.members if m.user_id == member.id), None)
    before = {"member_ids": [m.user_id for m in group.members]}
    if existing is None:
        group.members.append(GroupMember(user=member, is_secretary=is_secretary))
    else:
        existing.is_secretary = is_secretary
    db.session.flush()
    after = {"member_ids": [m.user_id for m in group.members], "secretary": is_secretary}
    record_event(user, "update", group, before=before, after=after)


def remove_member(user: User, group: Group, member_id: int) -> None:
    before = {"member_ids": [m.user_id for m in group.members]}
    group.members = [m for m in group.members if m.user_id != member_id]
    db.session.flush()
    record_event(
        user,
        "update",
        group,
        before=before,
        after={"member_ids": [m.user_id for m in group.members]},
    )
