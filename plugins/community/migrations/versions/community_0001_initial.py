"""community plugin tables

community tables: grids (网格), property companies (红色物业), registrations of in-service
members (双报到) and their services

Revision ID: community_0001
Revises: (none: the community plugin's branch, on core's 0006_assessment)
Create Date: 2026-11-22 01:42:41.267799

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'community_0001'
down_revision = None
branch_labels = ('community',)
depends_on = '0006_assessment'


def upgrade():
    op.create_table('community_grids',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('grid_worker_name', sa.String(length=50), nullable=True),
    sa.Column('branch_org_id', sa.Uuid(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'branch_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_grids_tenant_id_branch_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_grids_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_community_grids_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_community_grids'))
    )
    with op.batch_alter_table('community_grids', schema=None) as batch_op:
        batch_op.create_index('ix_community_grids_tenant_branch', ['tenant_id', 'branch_org_id'], unique=False)
        batch_op.create_index('ix_community_grids_tenant_org', ['tenant_id', 'org_id'], unique=False)
        batch_op.create_index('uq_community_grids_current_name', ['tenant_id', 'org_id', 'name'], unique=True, postgresql_where=sa.text('ended_on IS NULL'), sqlite_where=sa.text('ended_on IS NULL'))

    op.create_table('community_property_companies',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('compounds_served', sa.Integer(), nullable=True),
    sa.Column('has_party_org', sa.Boolean(), nullable=False),
    sa.Column('party_org_id', sa.Uuid(), nullable=True),
    sa.Column('agreement_signed_on', sa.Date(), nullable=True),
    sa.Column('agreement_ends_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_property_companies_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'party_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_property_companies_tenant_id_party_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_community_property_companies_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_community_property_companies'))
    )
    with op.batch_alter_table('community_property_companies', schema=None) as batch_op:
        batch_op.create_index('ix_community_property_companies_tenant_agreement', ['tenant_id', 'agreement_ends_on'], unique=False)
        batch_op.create_index('ix_community_property_companies_tenant_org', ['tenant_id', 'org_id'], unique=False)
        batch_op.create_index('uq_community_property_companies_current_name', ['tenant_id', 'org_id', 'name'], unique=True, postgresql_where=sa.text('left_on IS NULL'), sqlite_where=sa.text('left_on IS NULL'))

    op.create_table('community_registrations',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('person_name', sa.String(length=50), nullable=True),
    sa.Column('work_unit', sa.String(length=200), nullable=True),
    sa.Column('grid_id', sa.Uuid(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'grid_id'], ['community_grids.tenant_id', 'community_grids.id'], name=op.f('fk_community_registrations_tenant_id_grid_id_community_grids')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_community_registrations_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_registrations_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_community_registrations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_community_registrations'))
    )
    with op.batch_alter_table('community_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_community_registrations_tenant_grid', ['tenant_id', 'grid_id'], unique=False)
        batch_op.create_index('ix_community_registrations_tenant_org', ['tenant_id', 'org_id', 'registered_on'], unique=False)
        batch_op.create_index('uq_community_registrations_current_member', ['tenant_id', 'member_id'], unique=True, postgresql_where=sa.text('ended_on IS NULL'), sqlite_where=sa.text('ended_on IS NULL'))

    op.create_table('community_services',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('registration_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_community_services_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'registration_id'], ['community_registrations.tenant_id', 'community_registrations.id'], name=op.f('fk_community_services_tenant_id_registration_id_community_registrations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_community_services_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_community_services'))
    )
    with op.batch_alter_table('community_services', schema=None) as batch_op:
        batch_op.create_index('ix_community_services_tenant_org', ['tenant_id', 'org_id', 'served_on'], unique=False)
        batch_op.create_index('ix_community_services_tenant_registration', ['tenant_id', 'registration_id', 'served_on'], unique=False)



def downgrade():
    with op.batch_alter_table('community_services', schema=None) as batch_op:
        batch_op.drop_index('ix_community_services_tenant_registration')
        batch_op.drop_index('ix_community_services_tenant_org')

    op.drop_table('community_services')
    with op.batch_alter_table('community_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_community_registrations_current_member', postgresql_where=sa.text('ended_on IS NULL'), sqlite_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index('ix_community_registrations_tenant_org')
        batch_op.drop_index('ix_community_registrations_tenant_grid')

    op.drop_table('community_registrations')
    with op.batch_alter_table('community_property_companies', schema=None) as batch_op:
        batch_op.drop_index('uq_community_property_companies_current_name', postgresql_where=sa.text('left_on IS NULL'), sqlite_where=sa.text('left_on IS NULL'))
        batch_op.drop_index('ix_community_property_companies_tenant_org')
        batch_op.drop_index('ix_community_property_companies_tenant_agreement')

    op.drop_table('community_property_companies')
    with op.batch_alter_table('community_grids', schema=None) as batch_op:
        batch_op.drop_index('uq_community_grids_current_name', postgresql_where=sa.text('ended_on IS NULL'), sqlite_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index('ix_community_grids_tenant_org')
        batch_op.drop_index('ix_community_grids_tenant_branch')

    op.drop_table('community_grids')
