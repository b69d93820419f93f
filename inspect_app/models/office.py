"""The office's own tables: settings, login throttling, notices and their delivery outbox."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.models.base import Base, utcnow
from inspect_app.models.people import User


class Setting(Base):
    """One office setting (see inspect_app.settings.office); unset keys fall back to the config."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoginThrottle(Base):
    """Failed logins counted per account or per address, shared by every app server."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class Notice(Base):
    """An in-app notice (提醒) for one user."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    # Set for notices that must exist once only (deadline reminders): running twice adds none.
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class OutboxMessage(Base):
    """An e-mail or SMS waiting to be sent, or the record of one sent or given up."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notice.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))  # email / sms
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    notice: Mapped[Notice | None] = relationship()
