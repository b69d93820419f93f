"""Background export jobs: who asked for what, with which scope, and how far it has got."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.models.base import Base, utcnow
from inspect_app.models.people import User


class JobState(StrEnum):
    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 进行中
    DONE = "done"  # 完成
    FAILED = "failed"  # 失败


class ExportJob(Base):
    """One export asked for by one user; the file is offered only once it is complete."""

    __tablename__ = "export_job"
    __table_args__ = (UniqueConstraint("user_id", "client_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    # The requester's scope when he asked: role, group ids, 联络员 group ids, department id.
    scope: Mapped[dict] = mapped_column(JSON, default=dict)
    client_token: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED, index=True)
    phase: Mapped[str | None] = mapped_column(String(20))  # "packing" while the file is zipped
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(100))  # host:pid running it
    heartbeat_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)  # shown to the user, in Chinese
    filename: Mapped[str | None] = mapped_column(String(200))  # the name it downloads as
    file_path: Mapped[str | None] = mapped_column(String(500))  # set only once complete
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
