"""rural plugin tables

rural tables: village collective incomes, stationings (第一书记、驻村工作队), duty posts
(设岗定责) and contacts with mobile members (流动党员联系)

Revision ID: rural_0001
Revises: (none: the rural plugin's branch, on core's 0006_assessment)
Create Date: 2026-11-22 01:40:30.546545

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'rural_0001'
down_revision = None
branch_labels = ('rural',)
depends_on = '0006_assessment'


def upgrade():
    op.create_table('rural_collective_incomes',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('operating_income_wan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total_income_wan', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_rural_collective_incomes_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rural_collective_incomes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_rural_collective_incomes')),
    sa.UniqueConstraint('tenant_id', 'org_id', 'year', name='uq_rural_collective_incomes_org_year')
    )
    with op.batch_alter_table('rural_collective_incomes', schema=None) as batch_op:
        batch_op.create_index('ix_rural_collective_incomes_tenant_year', ['tenant_id', 'year'], unique=False)

    op.create_table('rural_stationings',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('dispatched_by', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_rural_stationings_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rural_stationings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_rural_stationings'))
    )
    with op.batch_alter_table('rural_stationings', schema=None) as batch_op:
        batch_op.create_index('ix_rural_stationings_tenant_org', ['tenant_id', 'org_id', 'role'], unique=False)
        batch_op.create_index('uq_rural_stationings_current_first_secretary', ['tenant_id', 'org_id'], unique=True, postgresql_where=sa.text("role = 'first_secretary' AND ended_on IS NULL"), sqlite_where=sa.text("role = 'first_secretary' AND ended_on IS NULL"))

    op.create_table('rural_member_duties',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('duty', sa.String(length=50), nullable=False),
    sa.Column('responsibilities', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_rural_member_duties_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_rural_member_duties_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rural_member_duties_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_rural_member_duties'))
    )
    with op.batch_alter_table('rural_member_duties', schema=None) as batch_op:
        batch_op.create_index('ix_rural_member_duties_tenant_member', ['tenant_id', 'member_id'], unique=False)
        batch_op.create_index('ix_rural_member_duties_tenant_org', ['tenant_id', 'org_id'], unique=False)

    op.create_table('rural_mobile_contacts',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('initiated_by', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_rural_mobile_contacts_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_rural_mobile_contacts_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rural_mobile_contacts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_rural_mobile_contacts'))
    )
    with op.batch_alter_table('rural_mobile_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_rural_mobile_contacts_tenant_member', ['tenant_id', 'member_id', 'contacted_on'], unique=False)
        batch_op.create_index('ix_rural_mobile_contacts_tenant_org', ['tenant_id', 'org_id', 'contacted_on'], unique=False)



def downgrade():
    with op.batch_alter_table('rural_mobile_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_rural_mobile_contacts_tenant_org')
        batch_op.drop_index('ix_rural_mobile_contacts_tenant_member')

    op.drop_table('rural_mobile_contacts')
    with op.batch_alter_table('rural_member_duties', schema=None) as batch_op:
        batch_op.drop_index('ix_rural_member_duties_tenant_org')
        batch_op.drop_index('ix_rural_member_duties_tenant_member')

    op.drop_table('rural_member_duties')
    with op.batch_alter_table('rural_stationings', schema=None) as batch_op:
        batch_op.drop_index('uq_rural_stationings_current_first_secretary', postgresql_where=sa.text("role = 'first_secretary' AND ended_on IS NULL"), sqlite_where=sa.text("role = 'first_secretary' AND ended_on IS NULL"))
        batch_op.drop_index('ix_rural_stationings_tenant_org')

    op.drop_table('rural_stationings')
    with op.batch_alter_table('rural_collective_incomes', schema=None) as batch_op:
        batch_op.drop_index('ix_rural_collective_incomes_tenant_year')

    op.drop_table('rural_collective_incomes')
