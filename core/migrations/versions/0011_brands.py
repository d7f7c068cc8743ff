"""brands: the brand library (党建品牌库) with cases and sub-brands, model-site applications
(示范点, 百佳示范单位) with objections, yearly re-reviews and events

Revision ID: 0011_brands
Revises: 0010_reviews
Create Date: 2026-11-22 13:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_brands"
down_revision = "0010_reviews"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('brands',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=True),
    sa.Column('concept', sa.Text(), nullable=True),
    sa.Column('theory', sa.Text(), nullable=True),
    sa.Column('methods', sa.Text(), nullable=True),
    sa.Column('carriers', sa.Text(), nullable=True),
    sa.Column('goals', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_brands_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['brands.tenant_id', 'brands.id'], name=op.f('fk_brands_tenant_id_parent_id_brands')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_brands_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_brands')),
    sa.UniqueConstraint('tenant_id', 'org_id', name='uq_brands_tenant_org')
    )
    op.create_index('ix_brands_tenant_name', 'brands', ['tenant_id', 'name'], unique=False)
    op.create_index('ix_brands_tenant_parent', 'brands', ['tenant_id', 'parent_id'], unique=False)
    op.create_table('brand_cases',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('brand_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'brand_id'], ['brands.tenant_id', 'brands.id'], name=op.f('fk_brand_cases_tenant_id_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_brand_cases_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_brand_cases'))
    )
    op.create_index('ix_brand_cases_tenant_brand', 'brand_cases', ['tenant_id', 'brand_id', 'happened_on'], unique=False)
    op.create_table('model_sites',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('brand_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('applied_by', sa.String(length=200), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('notice_starts_on', sa.Date(), nullable=True),
    sa.Column('notice_ends_on', sa.Date(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('award_year', sa.Integer(), nullable=True),
    sa.Column('awarded_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'brand_id'], ['brands.tenant_id', 'brands.id'], name=op.f('fk_model_sites_tenant_id_brand_id_brands')),
    sa.ForeignKeyConstraint(['tenant_id', 'org_id'], ['organizations.tenant_id', 'organizations.id'], name=op.f('fk_model_sites_tenant_id_org_id_organizations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_sites_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_model_sites'))
    )
    op.create_index('ix_model_sites_tenant_org', 'model_sites', ['tenant_id', 'org_id', 'applied_on'], unique=False)
    op.create_index('ix_model_sites_tenant_status', 'model_sites', ['tenant_id', 'status'], unique=False)
    op.create_index('uq_model_sites_live_org_level', 'model_sites', ['tenant_id', 'org_id', 'level'], unique=True, postgresql_where=sa.text("status IN ('applied', 'notice', 'awarded')"), sqlite_where=sa.text("status IN ('applied', 'notice', 'awarded')"))
    op.create_table('model_site_events',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('actor_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'site_id'], ['model_sites.tenant_id', 'model_sites.id'], name=op.f('fk_model_site_events_tenant_id_site_id_model_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_site_events_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_model_site_events'))
    )
    op.create_index('ix_model_site_events_tenant_site', 'model_site_events', ['tenant_id', 'site_id', 'created_at'], unique=False)
    op.create_table('model_site_objections',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'site_id'], ['model_sites.tenant_id', 'model_sites.id'], name=op.f('fk_model_site_objections_tenant_id_site_id_model_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_site_objections_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_model_site_objections'))
    )
    op.create_index('ix_model_site_objections_tenant_site', 'model_site_objections', ['tenant_id', 'site_id'], unique=False)
    op.create_table('model_site_reviews',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'site_id'], ['model_sites.tenant_id', 'model_sites.id'], name=op.f('fk_model_site_reviews_tenant_id_site_id_model_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_site_reviews_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_model_site_reviews')),
    sa.UniqueConstraint('tenant_id', 'site_id', 'year', name='uq_model_site_reviews_site_year')
    )
    op.create_index('ix_model_site_reviews_tenant_status_due', 'model_site_reviews', ['tenant_id', 'status', 'due_on'], unique=False)


def downgrade():
    op.drop_table("model_site_reviews")
    op.drop_table("model_site_objections")
    op.drop_table("model_site_events")
    op.drop_table("model_sites")
    op.drop_table("brand_cases")
    op.drop_table("brands")
