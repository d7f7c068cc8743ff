"""two_new record versions: optimistic locking for the two_new records people edit

Each table gets ``version`` (NOT NULL, server default 1: existing rows start at 1), the
counter the plugin's PATCH routes check through core.sdk (expect_version).

Revision ID: two_new_0002
Revises: two_new_0001
Create Date: 2026-11-23 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "two_new_0002"
down_revision = "two_new_0001"
branch_labels = None
depends_on = None

TABLES = (
    "two_new_groups",
    "two_new_instructors",
    "two_new_units",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
