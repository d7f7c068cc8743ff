"""secretaries' yearly review (书记抓基层党建述职评议考核)

Tables review_cycles, review_entries, review_items, review_attachments, review_ratings.

Revision ID: 0010_reviews
Revises: 0009_audit_append_only
Create Date: 2026-11-22 13:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_reviews'
down_revision = '0009_audit_append_only'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_cycles',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('root_org_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reporting_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'root_org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_review_cycles_tenant_id_root_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_cycles_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_cycles')),
    sa.UniqueConstraint('tenant_id', 'root_org_id', 'year', name='uq_review_cycles_root_year')
    )
    with op.batch_alter_table('review_cycles', schema=None) as batch_op:
        batch_op.create_index('ix_review_cycles_tenant_year', ['tenant_id', 'year'], unique=False)

    op.create_table('review_entries',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('secretary_member_id', sa.Uuid(), nullable=True),
    sa.Column('secretary_name', sa.String(length=50), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=200), nullable=True),
    sa.Column('problem_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'cycle_id'], ['review_cycles.tenant_id', 'review_cycles.id'], name=op.f('fk_review_entries_tenant_id_cycle_id_review_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_review_entries_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'problem_id'], ['problems.tenant_id', 'problems.id'], name=op.f('fk_review_entries_tenant_id_problem_id_problems')),
    sa.ForeignKeyConstraint(['tenant_id', 'secretary_member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_review_entries_tenant_id_secretary_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_entries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_entries')),
    sa.UniqueConstraint('tenant_id', 'cycle_id', 'org_id', name='uq_review_entries_cycle_org')
    )
    with op.batch_alter_table('review_entries', schema=None) as batch_op:
        batch_op.create_index('ix_review_entries_tenant_org', ['tenant_id', 'org_id'], unique=False)

    op.create_table('review_attachments',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['review_entries.tenant_id', 'review_entries.id'], name=op.f('fk_review_attachments_tenant_id_entry_id_review_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_attachments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_attachments'))
    )
    with op.batch_alter_table('review_attachments', schema=None) as batch_op:
        batch_op.create_index('ix_review_attachments_tenant_entry', ['tenant_id', 'entry_id'], unique=False)

    op.create_table('review_items',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('carried_from_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['review_entries.tenant_id', 'review_entries.id'], name=op.f('fk_review_items_tenant_id_entry_id_review_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_items'))
    )
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.create_index('ix_review_items_tenant_entry', ['tenant_id', 'entry_id'], unique=False)

    op.create_table('review_ratings',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('rater_user_id', sa.Uuid(), nullable=False),
    sa.Column('rater_label', sa.String(length=200), nullable=False),
    sa.Column('rater_group', sa.String(length=16), nullable=False),
    sa.Column('rating', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['review_entries.tenant_id', 'review_entries.id'], name=op.f('fk_review_ratings_tenant_id_entry_id_review_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'rater_user_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_review_ratings_tenant_id_rater_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_ratings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_ratings')),
    sa.UniqueConstraint('tenant_id', 'entry_id', 'rater_user_id', name='uq_review_ratings_rater')
    )
    with op.batch_alter_table('review_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_review_ratings_tenant_entry', ['tenant_id', 'entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_review_ratings_tenant_entry')

    op.drop_table('review_ratings')
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_items_tenant_entry')

    op.drop_table('review_items')
    with op.batch_alter_table('review_attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_review_attachments_tenant_entry')

    op.drop_table('review_attachments')
    with op.batch_alter_table('review_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_review_entries_tenant_org')

    op.drop_table('review_entries')
    with op.batch_alter_table('review_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_review_cycles_tenant_year')

    op.drop_table('review_cycles')
