"""How the schema spreads over a sharded PostgreSQL (Citus), by tenant.

Every table is one of three kinds, and a table nobody classified fails a test
(``tests/test_schema.py``), so a new global table is a decision, not an accident:

* **distributed by ``tenant_id``** — every tenant-owned table (its primary key, unique
  constraints and foreign keys all include ``tenant_id``, tested), co-located with
  ``organizations``: one tenant's rows live on one shard, so every query the app makes (always
  within one tenant) runs on one node and its joins stay local;
* **reference** — :data:`REFERENCE_TABLES`, small and read everywhere (the tenants themselves),
  copied to every node;
* **coordinator** — :data:`COORDINATOR_TABLES`, global tables that belong to no single tenant
  and are never joined with tenant tables (the envelopes of transfers *between* cities), kept
  on the coordinator.

:func:`citus_statements` gives the SQL a database administrator runs once after
``dangjian db upgrade`` on a Citus cluster (``dangjian db citus-sql`` prints it).
"""

from __future__ import annotations

from sqlalchemy import MetaData

REFERENCE_TABLES = ("tenants",)
COORDINATOR_TABLES = ("transfer_envelopes",)
ANCHOR = "organizations"  # the distributed table the others are co-located with
BOOKKEEPING = ("alembic_version",)  # Alembic's own, not in the models' metadata


def tenant_tables(metadata: MetaData) -> list[str]:
    return [t.name for t in metadata.sorted_tables if "tenant_id" in t.c]


def unclassified(metadata: MetaData) -> list[str]:
    """Tables without ``tenant_id`` that are neither reference nor coordinator tables."""
    known = set(REFERENCE_TABLES) | set(COORDINATOR_TABLES)
    return [t.name for t in metadata.sorted_tables if "tenant_id" not in t.c and t.name not in known]


def citus_statements(metadata: MetaData) -> list[str]:
    """``create_reference_table`` / ``create_distributed_table`` calls, in an order Citus
    accepts (referenced tables first; the anchor before the tables co-located with it)."""
    statements = [f"SELECT create_reference_table('{name}');" for name in REFERENCE_TABLES]
    statements += [f"SELECT citus_add_local_table_to_metadata('{name}');" for name in COORDINATOR_TABLES]
    ordered = tenant_tables(metadata)
    ordered.remove(ANCHOR)
    statements.append(f"SELECT create_distributed_table('{ANCHOR}', 'tenant_id');")
    statements += [f"SELECT create_distributed_table('{name}', 'tenant_id', colocate_with => '{ANCHOR}');"
                   for name in ordered]
    return statements
