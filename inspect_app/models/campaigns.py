"""Campaigns, their inspection groups, and the major projects they visit."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.models.base import Base, utcnow
from inspect_app.models.people import User


class CampaignKind(StrEnum):
    INSPECTION = "inspection"  # 视察
    RESEARCH = "research"  # 调研
    MONITORING = "monitoring"  # 监测
    INQUIRY = "inquiry"  # 询问


class CampaignStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    CLOSED = "closed"


class GroupLevel(StrEnum):
    CITY = "city"  # 市级
    TOWN = "town"  # 镇街


class ProjectStage(StrEnum):
    SIGNED = "signed"  # 签约
    LAND = "land"  # 拿地
    STARTED = "started"  # 开工
    BUILDING = "building"  # 在建
    OPERATING = "operating"  # 投产


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=CampaignKind.INSPECTION)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.ACTIVE)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    groups: Mapped[list["Group"]] = relationship(
        back_populates="campaign", order_by="Group.sort_order"
    )

    def __str__(self) -> str:
        return self.title


group_project = Table(
    "group_project",
    Base.metadata,
    Column("group_id", ForeignKey("inspection_group.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
)


class Group(Base):
    __tablename__ = "inspection_group"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), default=GroupLevel.TOWN)
    town: Mapped[str | None] = mapped_column(String(50))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sort_order: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="groups")
    leader: Mapped[User | None] = relationship()
    members: Mapped[list["GroupMember"]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )
    projects: Mapped[list["Project"]] = relationship(
        secondary=group_project, back_populates="groups", order_by="Project.name"
    )

    @property
    def secretaries(self) -> list[User]:
        return [m.user for m in self.members if m.is_secretary]

    def __str__(self) -> str:
        return self.name


class GroupMember(Base):
    __tablename__ = "group_member"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    is_secretary: Mapped[bool] = mapped_column(default=False)

    group: Mapped[Group] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    town: Mapped[str | None] = mapped_column(String(50), index=True)
    industry: Mapped[str | None] = mapped_column(String(50))
    owner: Mapped[str | None] = mapped_column(String(200))
    investment: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # 亿元
    stage: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    groups: Mapped[list[Group]] = relationship(secondary=group_project, back_populates="projects")

    def __str__(self) -> str:
        return self.name
