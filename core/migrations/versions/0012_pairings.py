"""pairings (双联结对共建): pairings, their tasks and joint activities; meeting credits

A joint org-life meeting counts for both paired organisations: meeting_credits says a
meeting also counts for another organisation than the one holding it (core.life).

Revision ID: 0012_pairings
Revises: 0011_brands
Create Date: 2026-11-22 13:12:38

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_pairings'
down_revision = "0011_brands"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pairings',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('partner_org_id', sa.Uuid(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=True),
    sa.Column('contact', sa.String(length=50), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('ended_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_pairings_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_pairings_tenant_id_partner_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pairings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_pairings'))
    )
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.create_index('ix_pairings_tenant_partner', ['tenant_id', 'partner_org_id'], unique=False)
        batch_op.create_index('ix_pairings_tenant_status', ['tenant_id', 'status'], unique=False)
        batch_op.create_index('uq_pairings_active_pair', ['tenant_id', 'org_id', 'partner_org_id'], unique=True, postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))

    op.create_table('meeting_credits',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('meeting_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meetings.tenant_id', 'meetings.id'], name=op.f('fk_meeting_credits_tenant_id_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_meeting_credits_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_meeting_credits_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_meeting_credits')),
    sa.UniqueConstraint('tenant_id', 'meeting_id', 'org_id', name='uq_meeting_credits_meeting_org')
    )
    with op.batch_alter_table('meeting_credits', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_credits_tenant_org', ['tenant_id', 'org_id'], unique=False)
        batch_op.create_index('ix_meeting_credits_tenant_source', ['tenant_id', 'source_id'], unique=False)

    op.create_table('pairing_activities',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pairing_id', sa.Uuid(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('org_participants', sa.Integer(), nullable=False),
    sa.Column('partner_participants', sa.Integer(), nullable=False),
    sa.Column('participants_note', sa.Text(), nullable=True),
    sa.Column('results', sa.Text(), nullable=True),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'pairing_id'], ['pairings.tenant_id', 'pairings.id'], name=op.f('fk_pairing_activities_tenant_id_pairing_id_pairings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pairing_activities_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_pairing_activities'))
    )
    with op.batch_alter_table('pairing_activities', schema=None) as batch_op:
        batch_op.create_index('ix_pairing_activities_tenant_held', ['tenant_id', 'held_on'], unique=False)
        batch_op.create_index('ix_pairing_activities_tenant_pairing_held', ['tenant_id', 'pairing_id', 'held_on'], unique=False)

    op.create_table('pairing_tasks',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pairing_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'pairing_id'], ['pairings.tenant_id', 'pairings.id'], name=op.f('fk_pairing_tasks_tenant_id_pairing_id_pairings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pairing_tasks_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_pairing_tasks'))
    )
    with op.batch_alter_table('pairing_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_pairing_tasks_tenant_pairing', ['tenant_id', 'pairing_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pairing_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_pairing_tasks_tenant_pairing')

    op.drop_table('pairing_tasks')
    with op.batch_alter_table('pairing_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_pairing_activities_tenant_pairing_held')
        batch_op.drop_index('ix_pairing_activities_tenant_held')

    op.drop_table('pairing_activities')
    with op.batch_alter_table('meeting_credits', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_credits_tenant_source')
        batch_op.drop_index('ix_meeting_credits_tenant_org')

    op.drop_table('meeting_credits')
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.drop_index('uq_pairings_active_pair', postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_pairings_tenant_status')
        batch_op.drop_index('ix_pairings_tenant_partner')

    op.drop_table('pairings')
