"""Indexes for the lists' filters and sorts and for the figures (migration 0004).

Kept apart from the table definitions: they serve the ledger, the dashboard and the
department table, which read problems by many columns at once.
"""

from sqlalchemy import Index

from inspect_app.models.audit import AuditEvent
from inspect_app.models.records import Problem, Suggestion, Visit

# Every figure of inspect_app.dashboard.stats reads only these columns: an index-only scan.
Index(
    "ix_problem_figures",
    Problem.campaign_id,
    Problem.group_id,
    Problem.status,
    Problem.category,
    Problem.lead_department_id,
    Problem.deadline,
    Problem.answered_at,
    Problem.satisfaction,
)
# The weekly trend reads problems by visit (for its date): covering on the problem side.
Index(
    "ix_problem_visit_figures",
    Problem.campaign_id,
    Problem.visit_id,
    Problem.status,
    Problem.deadline,
    Problem.answered_at,
    Problem.satisfaction,
)
Index("ix_problem_category", Problem.category)
Index("ix_problem_deadline", Problem.deadline)
Index("ix_visit_campaign_group", Visit.campaign_id, Visit.group_id)
Index("ix_visit_project_campaign", Visit.project_id, Visit.campaign_id)
Index("ix_suggestion_campaign_group", Suggestion.campaign_id, Suggestion.group_id)
Index("ix_audit_event_action", AuditEvent.entity, AuditEvent.action, AuditEvent.entity_id)
