"""soe plugin tables

soe tables: the prior-review register (前置研究讨论), cross appointments (双向进入、交叉任职),
performance links (党建考核与经营业绩挂钩), vanguard posts (党员先锋岗、责任区) and innovations
(党员攻关、创新成果) with their members

Revision ID: soe_0001
Revises: (none: the soe plugin's branch, on core's 0006_assessment)

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'soe_0001'
down_revision = None
branch_labels = ('soe',)
depends_on = '0006_assessment'


def upgrade():
    op.create_table('soe_decisions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('party_reviewed_on', sa.Date(), nullable=True),
    sa.Column('party_outcome', sa.String(length=12), nullable=True),
    sa.Column('decided_by', sa.String(length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('minutes_ref', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_soe_decisions_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_decisions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_decisions'))
    )
    with op.batch_alter_table('soe_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_soe_decisions_tenant_decided', ['tenant_id', 'decided_on'], unique=False)
        batch_op.create_index('ix_soe_decisions_tenant_org_decided', ['tenant_id', 'org_id', 'decided_on'], unique=False)

    op.create_table('soe_innovations',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('benefit', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_soe_innovations_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_innovations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_innovations'))
    )
    with op.batch_alter_table('soe_innovations', schema=None) as batch_op:
        batch_op.create_index('ix_soe_innovations_tenant_achieved', ['tenant_id', 'achieved_on'], unique=False)
        batch_op.create_index('ix_soe_innovations_tenant_org_achieved', ['tenant_id', 'org_id', 'achieved_on'], unique=False)

    op.create_table('soe_performance_links',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('link_weight_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('party_building_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('business_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('salary_linked', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_soe_performance_links_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_performance_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_performance_links')),
    sa.UniqueConstraint('tenant_id', 'org_id', 'year', name='uq_soe_performance_links_org_year')
    )
    with op.batch_alter_table('soe_performance_links', schema=None) as batch_op:
        batch_op.create_index('ix_soe_performance_links_tenant_year', ['tenant_id', 'year'], unique=False)

    op.create_table('soe_cross_appointments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('party_post', sa.String(length=32), nullable=True),
    sa.Column('business_post', sa.String(length=32), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_soe_cross_appointments_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_soe_cross_appointments_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_cross_appointments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_cross_appointments'))
    )
    with op.batch_alter_table('soe_cross_appointments', schema=None) as batch_op:
        batch_op.create_index('ix_soe_cross_appointments_tenant_member', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_soe_cross_appointments_tenant_org', ['tenant_id', 'org_id', 'ended_on'], unique=False)

    op.create_table('soe_innovation_members',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('innovation_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'innovation_id'], ['soe_innovations.tenant_id', 'soe_innovations.id'], name=op.f('fk_soe_innovation_members_tenant_id_innovation_id_soe_innovations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_soe_innovation_members_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_innovation_members_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_innovation_members')),
    sa.UniqueConstraint('tenant_id', 'innovation_id', 'member_id', name='uq_soe_innovation_members_innovation_member')
    )
    with op.batch_alter_table('soe_innovation_members', schema=None) as batch_op:
        batch_op.create_index('ix_soe_innovation_members_tenant_member', ['tenant_id', 'member_id'], unique=False)

    op.create_table('soe_vanguard_posts',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('duty', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_soe_vanguard_posts_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_soe_vanguard_posts_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_soe_vanguard_posts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_soe_vanguard_posts'))
    )
    with op.batch_alter_table('soe_vanguard_posts', schema=None) as batch_op:
        batch_op.create_index('ix_soe_vanguard_posts_tenant_member', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_soe_vanguard_posts_tenant_org', ['tenant_id', 'org_id', 'ended_on'], unique=False)



def downgrade():
    with op.batch_alter_table('soe_vanguard_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_vanguard_posts_tenant_org')
        batch_op.drop_index('ix_soe_vanguard_posts_tenant_member')

    op.drop_table('soe_vanguard_posts')
    with op.batch_alter_table('soe_innovation_members', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_innovation_members_tenant_member')

    op.drop_table('soe_innovation_members')
    with op.batch_alter_table('soe_cross_appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_cross_appointments_tenant_org')
        batch_op.drop_index('ix_soe_cross_appointments_tenant_member')

    op.drop_table('soe_cross_appointments')
    with op.batch_alter_table('soe_performance_links', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_performance_links_tenant_year')

    op.drop_table('soe_performance_links')
    with op.batch_alter_table('soe_innovations', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_innovations_tenant_org_achieved')
        batch_op.drop_index('ix_soe_innovations_tenant_achieved')

    op.drop_table('soe_innovations')
    with op.batch_alter_table('soe_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_soe_decisions_tenant_org_decided')
        batch_op.drop_index('ix_soe_decisions_tenant_decided')

    op.drop_table('soe_decisions')
