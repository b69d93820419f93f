"""All models, importable from one place (Alembic autogenerate reads Base.metadata)."""

from inspect_app.models import indexes  # noqa: F401  (registers the indexes of migration 0004)
from inspect_app.models.audit import AuditEvent
from inspect_app.models.base import Base, utcnow
from inspect_app.models.campaigns import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Group,
    GroupLevel,
    GroupMember,
    Project,
    ProjectStage,
    group_project,
)
from inspect_app.models.documents import WeeklyPlan
from inspect_app.models.jobs import ExportJob, JobState
from inspect_app.models.office import LoginThrottle, Notice, OutboxMessage, Setting
from inspect_app.models.people import Department, Role, User
from inspect_app.models.records import (
    OPEN_STATUSES,
    Adoption,
    ExtensionRequest,
    ExtensionStatus,
    NoteKind,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatus,
    ProgressNote,
    Rating,
    ReplyLetter,
    Satisfaction,
    Suggestion,
    Urge,
    Visit,
    VisitStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Adoption",
    "AuditEvent",
    "Base",
    "Campaign",
    "CampaignKind",
    "CampaignStatus",
    "Department",
    "ExtensionRequest",
    "ExtensionStatus",
    "ExportJob",
    "Group",
    "GroupLevel",
    "GroupMember",
    "JobState",
    "LoginThrottle",
    "Notice",
    "OutboxMessage",
    "NoteKind",
    "Photo",
    "Problem",
    "ProblemCategory",
    "ProblemStatus",
    "ProgressNote",
    "Project",
    "ProjectStage",
    "Rating",
    "ReplyLetter",
    "Role",
    "Satisfaction",
    "Setting",
    "Suggestion",
    "Urge",
    "User",
    "Visit",
    "VisitStatus",
    "group_project",
    "utcnow",
    "WeeklyPlan",
]
