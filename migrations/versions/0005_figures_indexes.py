"""Indexes for the lists' filters and sorts and for the dashboard's figures

Revision ID: 0004_figures_indexes
Revises: 0003_problem_loop

The file is named for its place in the apply order; the revision id keeps the name it
was first released with, because deployed databases store it in alembic_version.
"""

from alembic import op

revision = "0004_figures_indexes"
down_revision = "0003_problem_loop"
branch_labels = None
depends_on = None

INDEXES = {
    "problem": [
        (
            "ix_problem_figures",
            [
                "campaign_id",
                "group_id",
                "status",
                "category",
                "lead_department_id",
                "deadline",
                "answered_at",
                "satisfaction",
            ],
        ),
        (
            "ix_problem_visit_figures",
            ["campaign_id", "visit_id", "status", "deadline", "answered_at", "satisfaction"],
        ),
        ("ix_problem_category", ["category"]),
        ("ix_problem_deadline", ["deadline"]),
    ],
    "visit": [
        ("ix_visit_campaign_group", ["campaign_id", "group_id"]),
        ("ix_visit_project_campaign", ["project_id", "campaign_id"]),
    ],
    "suggestion": [("ix_suggestion_campaign_group", ["campaign_id", "group_id"])],
    "audit_event": [("ix_audit_event_action", ["entity", "action", "entity_id"])],
}


def upgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes:
                batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _columns in indexes:
                batch_op.drop_index(name)
