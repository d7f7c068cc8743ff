"""organs plugin tables

organs tables: brands and their milestones (一机关一品牌), 模范机关 self-assessments,
business goals with their Party measures (党建与业务融合)

Revision ID: organs_0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "organs_0001"
down_revision = None
branch_labels = ("organs",)
depends_on = "0006_assessment"


def upgrade():
    op.create_table('organs_brands',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('slogan', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('plan', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recognition', sa.String(length=100), nullable=True),
    sa.Column('recognised_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_organs_brands_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_organs_brands_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_organs_brands')),
    sa.UniqueConstraint('tenant_id', 'org_id', name='uq_organs_brands_tenant_org')
    )
    with op.batch_alter_table('organs_brands', schema=None) as batch_op:
        batch_op.create_index('ix_organs_brands_tenant_status', ['tenant_id', 'status'], unique=False)

    op.create_table('organs_business_goals',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('business_goal', sa.String(length=500), nullable=False),
    sa.Column('party_measure', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_organs_business_goals_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_organs_business_goals_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_organs_business_goals'))
    )
    with op.batch_alter_table('organs_business_goals', schema=None) as batch_op:
        batch_op.create_index('ix_organs_business_goals_tenant_org_year', ['tenant_id', 'org_id', 'year'], unique=False)
        batch_op.create_index('ix_organs_business_goals_tenant_year_status', ['tenant_id', 'year', 'status'], unique=False)

    op.create_table('organs_model_assessments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_organs_model_assessments_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_organs_model_assessments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_organs_model_assessments')),
    sa.UniqueConstraint('tenant_id', 'org_id', 'year', name='uq_organs_model_assessments_tenant_org_year')
    )
    with op.batch_alter_table('organs_model_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_organs_model_assessments_tenant_year', ['tenant_id', 'year'], unique=False)

    op.create_table('organs_brand_milestones',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('brand_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('responsible_member_id', sa.Uuid(), nullable=True),
    sa.Column('responsible_name', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'brand_id'], ['organs_brands.tenant_id', 'organs_brands.id'], name=op.f('fk_organs_brand_milestones_tenant_id_brand_id_organs_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'responsible_member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_organs_brand_milestones_tenant_id_responsible_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_organs_brand_milestones_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_organs_brand_milestones'))
    )
    with op.batch_alter_table('organs_brand_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_organs_brand_milestones_tenant_brand', ['tenant_id', 'brand_id', 'due_on'], unique=False)
        batch_op.create_index('ix_organs_brand_milestones_tenant_due', ['tenant_id', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('organs_brand_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_organs_brand_milestones_tenant_due')
        batch_op.drop_index('ix_organs_brand_milestones_tenant_brand')

    op.drop_table('organs_brand_milestones')
    with op.batch_alter_table('organs_model_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_organs_model_assessments_tenant_year')

    op.drop_table('organs_model_assessments')
    with op.batch_alter_table('organs_business_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_organs_business_goals_tenant_year_status')
        batch_op.drop_index('ix_organs_business_goals_tenant_org_year')

    op.drop_table('organs_business_goals')
    with op.batch_alter_table('organs_brands', schema=None) as batch_op:
        batch_op.drop_index('ix_organs_brands_tenant_status')

    op.drop_table('organs_brands')
