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
