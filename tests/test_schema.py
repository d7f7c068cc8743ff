"""Every tenant-owned table has the shape a database distributed by ``tenant_id`` needs, and
the shape that lets the database itself refuse a cross-tenant reference."""

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

from core.db import db
from core.models import load_all_models


def _tenant_tables():
    load_all_models()
    return [t for t in db.metadata.sorted_tables if "tenant_id" in t.c]


def test_there_are_tenant_tables():
    assert {"organizations", "users", "audit_entries", "jobs"} <= {t.name for t in _tenant_tables()}


def test_primary_keys_lead_with_tenant_id():
    for table in _tenant_tables():
        assert list(table.primary_key.columns.keys())[0] == "tenant_id", table.name


def test_unique_constraints_include_tenant_id():
    for table in _tenant_tables():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                assert "tenant_id" in constraint.columns.keys(), (table.name, constraint.name)
        for index in table.indexes:
            if index.unique:
                assert "tenant_id" in index.columns.keys(), (table.name, index.name)


def test_foreign_keys_between_tenant_tables_include_tenant_id():
    tenant_table_names = {t.name for t in _tenant_tables()}
    for table in _tenant_tables():
        for fk in table.constraints:
            if not isinstance(fk, ForeignKeyConstraint):
                continue
            target = fk.referred_table.name
            if target == "tenants":
                assert fk.column_keys == ["tenant_id"], (table.name, fk.name)
                continue
            assert target in tenant_table_names, f"{table.name} references non-tenant table {target}"
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            assert ("tenant_id", "tenant_id") in pairs, (table.name, fk.name)


def test_every_table_is_distributed_by_tenant_or_classified():
    """A table without ``tenant_id`` must be named a reference or a coordinator table
    (core.db.distribution): a new global table is a decision for the sharded deployment."""
    from core.db import distribution

    load_all_models()
    assert distribution.unclassified(db.metadata) == []
    for name in (*distribution.REFERENCE_TABLES, *distribution.COORDINATOR_TABLES):
        assert name in db.metadata.tables and "tenant_id" not in db.metadata.tables[name].c


def test_the_citus_statements_distribute_every_tenant_table_once(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from core.cli import build_cli
    from core.db import distribution

    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/plan.sqlite3")
    result = CliRunner().invoke(build_cli(), ["db", "citus-sql"], prog_name="dangjian")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "SELECT create_reference_table('tenants');"
    distributed = [line.split("'")[1] for line in lines if "create_distributed_table" in line]
    assert sorted(distributed) == sorted(t.name for t in _tenant_tables())
    assert distributed[0] == distribution.ANCHOR
    assert all("colocate_with => 'organizations'" in line for line in lines
               if "create_distributed_table" in line and distribution.ANCHOR not in line.split(",")[0])
