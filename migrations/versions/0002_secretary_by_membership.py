"""A 联络员 is a group membership (GroupMember.is_secretary), not an account role

Revision ID: 0002_secretary_by_membership
Revises: 0001_initial
Create Date: 2026-11-26 13:40:00

Accounts with role 'secretary' become 'deputy'; the groups they are 联络员 of keep their
is_secretary flag, which is now the only place the fact lives. No table changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_secretary_by_membership"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("UPDATE \"user\" SET role = 'deputy' WHERE role = 'secretary'"))


def downgrade():
    op.execute(
        sa.text(
            "UPDATE \"user\" SET role = 'secretary' WHERE role = 'deputy' AND id IN "
            "(SELECT user_id FROM group_member WHERE is_secretary)"
        )
    )
