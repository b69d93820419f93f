"""What the secretary types on the export page and expects to find again next time."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.models.base import Base, utcnow


class WeeklyPlan(Base):
    """下周安排 of a group's 周报 for the week starting on `week_start`."""

    __tablename__ = "weekly_plan"
    __table_args__ = (UniqueConstraint("group_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_group.id", ondelete="CASCADE"), index=True
    )
    week_start: Mapped[date]
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
