"""member archives (党员档案): archive_documents

Revision ID: 0013_archives
Revises: 0012_pairings
Create Date: 2026-11-22 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_archives'
down_revision = "0012_pairings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('archive_documents',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('dated_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=200), nullable=True),
    sa.Column('removed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('member_id IS NOT NULL OR person_id IS NOT NULL', name=op.f('ck_archive_documents_owner')),
    sa.ForeignKeyConstraint(['tenant_id', 'member_id'], ['members.tenant_id', 'members.id'], name=op.f('fk_archive_documents_tenant_id_member_id_members')),
    sa.ForeignKeyConstraint(['tenant_id', 'person_id'], ['development_people.tenant_id', 'development_people.id'], name=op.f('fk_archive_documents_tenant_id_person_id_development_people')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_archive_documents_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_archive_documents'))
    )
    with op.batch_alter_table('archive_documents', schema=None) as batch_op:
        batch_op.create_index('ix_archive_documents_tenant_member', ['tenant_id', 'member_id', 'doc_type'], unique=False)
        batch_op.create_index('ix_archive_documents_tenant_person', ['tenant_id', 'person_id', 'doc_type'], unique=False)


def downgrade():
    with op.batch_alter_table('archive_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_archive_documents_tenant_person')
        batch_op.drop_index('ix_archive_documents_tenant_member')

    op.drop_table('archive_documents')
