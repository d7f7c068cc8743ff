"""two_new plugin tables

two_new tables: the register behind 两个覆盖 — non-public enterprises and social
organisations (two_new_units), 党建指导员 and 第一书记 (two_new_instructors) and
new-employment groups (two_new_groups)

Revision ID: two_new_0001
Revises: (none: the two_new plugin's branch, on core's 0006_assessment)
Create Date: 2026-11-22 01:41:15.139117

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'two_new_0001'
down_revision = None
branch_labels = ('two_new',)
depends_on = '0006_assessment'


def upgrade():
    op.create_table('two_new_groups',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('party_members', sa.Integer(), nullable=False),
    sa.Column('covering_org_id', sa.Uuid(), nullable=True),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'covering_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_two_new_groups_tenant_id_covering_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_two_new_groups_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_two_new_groups_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_two_new_groups'))
    )
    with op.batch_alter_table('two_new_groups', schema=None) as batch_op:
        batch_op.create_index('ix_two_new_groups_tenant_covering', ['tenant_id', 'covering_org_id'], unique=False)
        batch_op.create_index('ix_two_new_groups_tenant_org', ['tenant_id', 'org_id'], unique=False)

    op.create_table('two_new_instructors',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_two_new_instructors_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_two_new_instructors_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_two_new_instructors_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_two_new_instructors'))
    )
    with op.batch_alter_table('two_new_instructors', schema=None) as batch_op:
        batch_op.create_index('ix_two_new_instructors_tenant_member', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_two_new_instructors_tenant_org', ['tenant_id', 'org_id', 'ended_on'], unique=False)

    op.create_table('two_new_units',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('industry', sa.String(length=50), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('party_members', sa.Integer(), nullable=False),
    sa.Column('full_members', sa.Integer(), nullable=False),
    sa.Column('covered_by_org_id', sa.Uuid(), nullable=True),
    sa.Column('instructor_id', sa.Uuid(), nullable=True),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'covered_by_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_two_new_units_tenant_id_covered_by_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'instructor_id'], ['two_new_instructors.tenant_id', 'two_new_instructors.id'], name=op.f('fk_two_new_units_tenant_id_instructor_id_two_new_instructors')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_two_new_units_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_two_new_units_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_two_new_units')),
    sa.UniqueConstraint('tenant_id', 'credit_code', name='uq_two_new_units_credit_code')
    )
    with op.batch_alter_table('two_new_units', schema=None) as batch_op:
        batch_op.create_index('ix_two_new_units_tenant_covered_by', ['tenant_id', 'covered_by_org_id'], unique=False)
        batch_op.create_index('ix_two_new_units_tenant_instructor', ['tenant_id', 'instructor_id'], unique=False)
        batch_op.create_index('ix_two_new_units_tenant_org', ['tenant_id', 'org_id'], unique=False)



def downgrade():
    with op.batch_alter_table('two_new_units', schema=None) as batch_op:
        batch_op.drop_index('ix_two_new_units_tenant_org')
        batch_op.drop_index('ix_two_new_units_tenant_instructor')
        batch_op.drop_index('ix_two_new_units_tenant_covered_by')

    op.drop_table('two_new_units')
    with op.batch_alter_table('two_new_instructors', schema=None) as batch_op:
        batch_op.drop_index('ix_two_new_instructors_tenant_org')
        batch_op.drop_index('ix_two_new_instructors_tenant_member')

    op.drop_table('two_new_instructors')
    with op.batch_alter_table('two_new_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_two_new_groups_tenant_org')
        batch_op.drop_index('ix_two_new_groups_tenant_covering')

    op.drop_table('two_new_groups')
