"""audit log append-only: PostgreSQL refuses UPDATE and DELETE of an entry

A trigger refuses UPDATE and DELETE on ``audit_entries`` for every role, except the
deletion a tenant's own deletion cascades to (its tenant row is gone by then); UPDATE and
TRUNCATE are revoked from the role running the migration (the table's owner). The same
statements are in core.audit.append_only, which installs them when ``create_all`` builds the
table; they are repeated here as they were, because a migration must not change with the code.
Nothing on SQLite (the ORM refuses there, core.audit.append_only.install).

Revision ID: 0009_audit_append_only
Revises: 0008_record_versions
Create Date: 2026-11-23 14:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0009_audit_append_only"
down_revision = "0008_record_versions"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN OLD;  -- the tenant itself is being deleted (ON DELETE CASCADE)
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
    op.execute(
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
    )
    op.execute("REVOKE UPDATE, TRUNCATE ON audit_entries FROM CURRENT_USER")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("GRANT UPDATE, TRUNCATE ON audit_entries TO CURRENT_USER")
    op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
    op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
