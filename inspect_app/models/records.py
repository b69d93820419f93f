"""What deputies log: visits, problems, suggestions and photos."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.models.base import Base, utcnow
from inspect_app.models.campaigns import Campaign, Group, Project
from inspect_app.models.people import Department, User


class VisitStatus(StrEnum):
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class ProblemStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    MERGED = "merged"


OPEN_STATUSES = (
    ProblemStatus.ASSIGNED,
    ProblemStatus.IN_PROGRESS,
    ProblemStatus.REOPENED,
)


class ProblemCategory(StrEnum):
    APPROVAL = "approval"  # 审批
    LAND = "land"  # 用地
    FUNDING = "funding"  # 资金
    TALENT = "talent"  # 人才
    INFRASTRUCTURE = "infrastructure"  # 基础设施
    SUPPORTING = "supporting"  # 配套
    POLICY = "policy"  # 政策落实
    BUSINESS = "business"  # 营商环境
    OTHER = "other"  # 其他


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY = "basically"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class Adoption(StrEnum):
    ADOPTED = "adopted"  # 采纳
    PARTIAL = "partial"  # 部分采纳
    NOT_ADOPTED = "not_adopted"  # 暂不采纳


visit_attendee = Table(
    "visit_attendee",
    Base.metadata,
    Column("visit_id", ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

problem_raiser = Table(
    "problem_raiser",
    Base.metadata,
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

problem_co_department = Table(
    "problem_co_department",
    Base.metadata,
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)


class Visit(Base):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("inspection_group.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    visited_on: Mapped[date] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=VisitStatus.SUBMITTED)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    sent_back_reason: Mapped[str | None] = mapped_column(Text)  # 退回修改, until resubmitted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    group: Mapped[Group] = relationship()
    project: Mapped[Project] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    attendees: Mapped[list[User]] = relationship(secondary=visit_attendee, order_by=User.id)
    problems: Mapped[list["Problem"]] = relationship(
        back_populates="visit", order_by="Problem.id", cascade="all, delete-orphan"
    )
    suggestions: Mapped[list["Suggestion"]] = relationship(
        back_populates="visit", order_by="Suggestion.id", cascade="all, delete-orphan"
    )
    photos: Mapped[list["Photo"]] = relationship(
        order_by="Photo.id",
        primaryjoin="and_(Photo.visit_id == Visit.id, Photo.problem_id.is_(None))",
        viewonly=True,
    )

    @property
    def is_reviewed(self) -> bool:
        return self.status == VisitStatus.REVIEWED


class Problem(Base):
    __tablename__ = "problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("inspection_group.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    category: Mapped[str] = mapped_column(String(20), default=ProblemCategory.OTHER)
    description: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProblemStatus.SUBMITTED, index=True)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    deadline: Mapped[date | None]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rated_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    sent_back_reason: Mapped[str | None] = mapped_column(Text)  # 退回修改, until resubmitted
    merged_from_status: Mapped[str | None] = mapped_column(String(20))
    assign_note: Mapped[str | None] = mapped_column(Text)  # 交办意见
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)  # 申请退回, until reassigned
    signed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    group: Mapped[Group] = relationship()
    visit: Mapped[Visit] = relationship(back_populates="problems")
    project: Mapped[Project] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    rated_by: Mapped[User | None] = relationship(foreign_keys=[rated_by_id])
    raised_by: Mapped[list[User]] = relationship(secondary=problem_raiser, order_by=User.id)
    lead_department: Mapped[Department | None] = relationship()
    co_departments: Mapped[list[Department]] = relationship(
        secondary=problem_co_department, order_by=Department.sort_order
    )
    merged_into: Mapped["Problem | None"] = relationship(remote_side=[id])
    photos: Mapped[list["Photo"]] = relationship(back_populates="problem", order_by="Photo.id")
    suggestions: Mapped[list["Suggestion"]] = relationship(
        back_populates="problem", order_by="Suggestion.id"
    )
    progress_notes: Mapped[list["ProgressNote"]] = relationship(
        back_populates="problem", order_by="ProgressNote.id", cascade="all, delete-orphan"
    )
    urges: Mapped[list["Urge"]] = relationship(
        back_populates="problem", order_by="Urge.id", cascade="all, delete-orphan"
    )
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="problem", order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )
    ratings: Mapped[list["Rating"]] = relationship(
        back_populates="problem", order_by="Rating.id", cascade="all, delete-orphan"
    )
    reply_letters: Mapped[list["ReplyLetter"]] = relationship(
        back_populates="problem", order_by="ReplyLetter.id", cascade="all, delete-orphan"
    )

    def is_overdue(self, today: date) -> bool:
        """Overdue is derived from the deadline, never stored."""
        return bool(self.deadline and self.deadline < today and self.status in OPEN_STATUSES)


class NoteKind(StrEnum):
    PROGRESS = "progress"  # 办理进展
    CO_OPINION = "co_opinion"  # 协办意见


class ProgressNote(Base):
    __tablename__ = "progress_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[str] = mapped_column(String(20), default=NoteKind.PROGRESS)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="progress_notes")
    author: Mapped[User] = relationship()
    department: Mapped[Department | None] = relationship()


class Urge(Base):
    """督办: staff press the lead department with a message."""

    __tablename__ = "urge"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None]  # the department acted after it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="urges")
    author: Mapped[User] = relationship()
    department: Mapped[Department | None] = relationship()


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class ExtensionRequest(Base):
    """申请延期: the lead department asks for a later deadline; staff decide."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    old_deadline: Mapped[date | None]
    new_deadline: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ExtensionStatus.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="extension_requests")
    department: Mapped[Department] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Rating(Base):
    """满意度: one deputy's rating of one answer (the first one decides)."""

    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    satisfaction: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    on_paper: Mapped[bool] = mapped_column(default=False)
    decisive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="ratings")
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class ReplyLetter(Base):
    """The answer's attached letter (PDF, Word or photo), stored under the instance folder."""

    __tablename__ = "reply_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="reply_letters")
    uploaded_by: Mapped[User] = relationship()


class Suggestion(Base):
    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("inspection_group.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    adoption: Mapped[str | None] = mapped_column(String(20))
    adoption_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    visit: Mapped[Visit] = relationship(back_populates="suggestions")
    problem: Mapped[Problem | None] = relationship(back_populates="suggestions")
    group: Mapped[Group] = relationship()
    author: Mapped[User] = relationship()
    department: Mapped[Department | None] = relationship()


class Photo(Base):
    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    captured_at: Mapped[datetime | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    original_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User] = relationship()
    visit: Mapped[Visit | None] = relationship(foreign_keys=[visit_id])
    problem: Mapped[Problem | None] = relationship(back_populates="photos")
