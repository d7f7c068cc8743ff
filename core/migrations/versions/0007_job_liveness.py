"""jobs: who runs an attempt and its heartbeat, so a dead attempt is found (core.jobs.liveness)

Revision ID: 0007_job_liveness
Revises: 0006_assessment
Create Date: 2026-11-23 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_job_liveness'
down_revision = '0006_assessment'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_jobs_tenant_state', ['tenant_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_tenant_state')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('runner')
