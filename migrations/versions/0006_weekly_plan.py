"""weekly plan: the secretary's 下周安排 kept per group and week

Revision ID: 0008_weekly_plan
Revises: 0004_figures_indexes

The file is named for its place in the apply order; the revision id keeps the name it
was first released with, because deployed databases store it in alembic_version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_weekly_plan"
down_revision = "0004_figures_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "weekly_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["inspection_group.id"],
            name=op.f("fk_weekly_plan_group_id_inspection_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_weekly_plan_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_plan")),
        sa.UniqueConstraint("group_id", "week_start", name=op.f("uq_weekly_plan_group_id")),
    )
    with op.batch_alter_table("weekly_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weekly_plan_group_id"), ["group_id"], unique=False)


def downgrade():
    with op.batch_alter_table("weekly_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_plan_group_id"))
    op.drop_table("weekly_plan")
