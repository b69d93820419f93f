"""Notices (提醒): in-app rows, each copied to the e-mail and SMS outbox when configured."""

from flask import current_app, g
from sqlalchemy import func, select, update

from inspect_app.extensions import db
from inspect_app.models import Notice, OutboxMessage, User, utcnow


def email_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def sms_configured() -> bool:
    return bool(current_app.config.get("SMS_URL"))


def notify(
    users: list[User],
    kind: str,
    text: str,
    link: str | None = None,
    *,
    actor: User | None = None,
    once_key: str | None = None,
) -> list[Notice]:
    """One notice per user (never to the actor himself), queued for e-mail and SMS."""
    notices = []
    seen = set()
    for user in users:
        if user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        key = f"{once_key}:{user.id}" if once_key else None
        if key and db.session.scalar(select(Notice.id).where(Notice.once_key == key)):
            continue
        notice = Notice(user=user, kind=kind, text=text, link=link, once_key=key)
        db.session.add(notice)
        notices.append(notice)
        _queue(notice, user)
    if notices:
        db.session.flush()
    return notices


def _queue(notice: Notice, user: User) -> None:
    link = ""
    if notice.link:
        link = "\n" + current_app.config["EXTERNAL_URL"].rstrip("/") + notice.link
    if email_configured() and user.email:
        db.session.add(
            OutboxMessage(
                notice=notice,
                channel="email",
                recipient=user.email,
                subject=f"【人大代表视察】{notice.text[:60]}",
                body=notice.text + link,
            )
        )
        g.notices_queued = True
    if sms_configured() and user.phone:
        db.session.add(
            OutboxMessage(notice=notice, channel="sms", recipient=user.phone, body=notice.text)
        )
        g.notices_queued = True


def unread_count(user: User) -> int:
    query = select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    return db.session.scalar(query) or 0


def notices_of(user: User):
    return select(Notice).where(Notice.user_id == user.id).order_by(Notice.id.desc())


def mark_read(user: User, notice_id: int | None = None) -> None:
    query = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    db.session.execute(query.values(read_at=utcnow()))
