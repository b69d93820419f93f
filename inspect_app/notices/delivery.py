"""Sending the outbox: e-mail by SMTP, SMS by an HTTP gateway, with bounded retries.

A message is claimed atomically (two senders never send it twice), sent with a timeout,
then marked sent, or put back with an exponential back-off, or given up after
NOTICE_MAX_ATTEMPTS. Every outcome stays in the table as the record of what was sent.
"""

import smtplib
import urllib.parse
import urllib.request
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import OutboxMessage, utcnow

LEASE = timedelta(minutes=10)  # a claimed message another sender may retry after this


def send_email(config, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    timeout = int(config["NOTICE_TIMEOUT_SECONDS"])
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def sms_url(config, phone: str, text: str) -> str:
    """The gateway URL template filled in, every value URL-encoded."""
    values = {
        "phone": phone,
        "text": text,
        "user": config.get("SMS_USER") or "",
        "password": config.get("SMS_PASSWORD") or "",
    }
    quoted = {k: urllib.parse.quote(str(v), safe="") for k, v in values.items()}
    return config["SMS_URL"].format(**quoted)


def send_sms(config, message: OutboxMessage) -> None:
    url = sms_url(config, message.recipient, message.body)
    timeout = int(config["NOTICE_TIMEOUT_SECONDS"])
    request = urllib.request.Request(url, method="GET")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"gateway answered {response.status}")


SENDERS = {"email": send_email, "sms": send_sms}


def due_ids(limit: int = 100) -> list[int]:
    now = utcnow()
    query = (
        select(OutboxMessage.id)
        .where(
            or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    db.session.commit()  # end the read; each claim is its own short write
    return ids


def _claim(message_id: int) -> bool:
    now = utcnow()
    with writing():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + LEASE,
            )
        )
        db.session.commit()
    return result.rowcount == 1


def deliver_one(message_id: int) -> str:
    """Try to send one message; returns its status afterwards."""
    if not _claim(message_id):
        return "skipped"
    config = current_app.config
    message = db.session.get(OutboxMessage, message_id)
    db.session.expunge(message)
    db.session.commit()  # no transaction stays open while the server or gateway answers
    try:
        SENDERS[message.channel](config, message)
    except Exception as error:  # any failure of the server or gateway: retry later
        error_text = f"{type(error).__name__}: {error}"[:1000]
    else:
        error_text = None
    with writing():
        message = db.session.get(OutboxMessage, message_id)
        if error_text is None:
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
        else:
            message.last_error = error_text
            if message.attempts >= int(config["NOTICE_MAX_ATTEMPTS"]):
                message.status = "failed"
            else:
                message.status = "pending"
                message.next_attempt_at = utcnow() + timedelta(minutes=2**message.attempts)
        db.session.commit()
        return message.status


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Send every message that is due; counts by outcome."""
    counts: dict[str, int] = {}
    for message_id in due_ids(limit):
        status = deliver_one(message_id)
        counts[status] = counts.get(status, 0) + 1
    db.session.remove()
    return counts
