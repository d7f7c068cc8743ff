"""record versions: optimistic locking for every record people edit

Each table gets ``version`` (NOT NULL, server default 1, so every existing row starts at
version 1): the counter core.db.versioning checks, so two people editing the same record
cannot silently overwrite each other. ``warnings.version`` counts acknowledgements only.

Revision ID: 0008_record_versions
Revises: 0007_job_liveness
Create Date: 2026-11-23 12:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_record_versions"
down_revision = "0007_job_liveness"
branch_labels = None
depends_on = None

TABLES = (
    "assessment_custom_indicators",
    "assessment_manual_scores",
    "assessment_standards",
    "assessment_vetoes",
    "development_people",
    "development_settings",
    "dues_bases",
    "dues_finance_roles",
    "dues_settings",
    "meetings",
    "org_posts",
    "org_units",
    "organizations",
    "point_offers",
    "point_partners",
    "point_rule_overrides",
    "point_tenant_rules",
    "tenant_plugins",
    "tenants",
    "users",
    "warning_rule_settings",
    "warnings",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
