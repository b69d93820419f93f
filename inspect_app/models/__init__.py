"""All models, importable from one place (Alembic autogenerate reads Base.metadata)."""

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
from inspect_app.models.jobs import ExportJob, JobState
from inspect_app.models.people import Department, Role, User
from inspect_app.models.records import (
    OPEN_STATUSES,
    Adoption,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatus,
    ProgressNote,
    Satisfaction,
    Suggestion,
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
    "ExportJob",
    "Group",
    "GroupLevel",
    "GroupMember",
    "JobState",
    "Photo",
    "Problem",
    "ProblemCategory",
    "ProblemStatus",
    "ProgressNote",
    "Project",
    "ProjectStage",
    "Role",
    "Satisfaction",
    "Suggestion",
    "User",
    "Visit",
    "VisitStatus",
    "group_project",
    "utcnow",
]
