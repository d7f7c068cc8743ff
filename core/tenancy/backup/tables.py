"""Which tables a tenant backup carries, and how each column travels.

The tables are *enumerated* from the models' metadata (core's and every installed plugin's,
after :func:`core.models.load_all_models`), never listed by hand: every table with a
``tenant_id`` column is the tenant's and is exported, so a table a plugin adds tomorrow is
in tomorrow's backups. Every other table is either ``tenants`` (the tenant row itself, carried
on its own) or named in :data:`EXCLUDED` with the reason it is not the tenant's; a table that
is neither stops the export (:func:`unclassified`), because a backup that silently leaves a
table behind is worse than none.

Rows are read and written through *raw* copies of the tables (:func:`raw_table`): the same
column names and types, except that an encrypted personal field is plain ``Text``, so its
ciphertext is read and written exactly as stored — never decrypted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.types import TypeDecorator

from core.db.encrypted import EncryptedString

TENANT_COLUMN = "tenant_id"
TENANTS = "tenants"

# Global tables that hold no single tenant's data, and why they stay behind.
EXCLUDED: dict[str, str] = {
    "transfer_envelopes": (
        "a transfer between two cities belongs to both (from_tenant_id, to_tenant_id); the "
        "tenant's own record of each transfer is its transfer_letters row, which is exported"
    ),
    "alembic_version": "the schema's bookkeeping, recorded in the manifest as 'revisions'",
}


class ColumnKindError(ValueError):
    """A column whose type has no backup encoding yet (add one to :func:`kind_of`)."""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str  # how the value is written in a backup line (see core.tenancy.backup.canonical)
    scale: int | None = None  # decimals: places kept
    timezone: bool = True  # datetimes: aware (UTC) or naive


def kind_of(column: Column) -> ColumnSpec:
    """How ``column``'s values travel. Encrypted fields first (they are ``Text`` underneath,
    and travel as the stored ciphertext); unknown types are refused, so a new type is a
    decision, not a silent ``str()``."""
    kind = column.type
    if isinstance(kind, EncryptedString):
        return ColumnSpec(column.name, "encrypted")
    if isinstance(kind, TypeDecorator):
        kind = kind.impl  # an instance once the decorator is built
    checks = (
        (JSON, "json"),
        (Uuid, "uuid"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (Boolean, "bool"),
        (Float, "float"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (String, "str"),  # also Text
    )
    for base, name in checks:
        if isinstance(kind, base):
            if name == "decimal":
                return ColumnSpec(column.name, name, scale=kind.scale)
            if name == "datetime":
                return ColumnSpec(column.name, name, timezone=bool(kind.timezone))
            return ColumnSpec(column.name, name)
    raise ColumnKindError(
        f"{column.table.name}.{column.name}: type {type(column.type).__name__} has no backup "
        "encoding (core/tenancy/backup/tables.py kind_of)"
    )


@dataclass(frozen=True)
class TableSpec:
    """One table as a backup sees it: its data columns (all but ``tenant_id``), in name order,
    and the key the rows are sorted by."""

    name: str
    columns: tuple[ColumnSpec, ...]
    order_by: tuple[str, ...]
    sequences: tuple[str, ...]  # integer key columns the database may number from a sequence

    def fingerprint(self) -> list[list[str]]:
        """What must agree between the file and the database: names and kinds."""
        return [[c.name, c.kind] for c in self.columns]


def _spec(table: Table, skip: tuple[str, ...]) -> TableSpec:
    columns = tuple(
        kind_of(c) for c in sorted(table.columns, key=lambda c: c.name) if c.name not in skip
    )
    key = tuple(c.name for c in table.primary_key.columns if c.name not in skip)
    if not key and table.name != TENANTS:
        raise ColumnKindError(f"{table.name}: a table without a primary key cannot be exported")
    sequences = tuple(
        c.name
        for c in table.primary_key.columns
        if c.name not in skip and isinstance(c.type, Integer) and c.autoincrement is not False
    )
    return TableSpec(table.name, columns, key, sequences)


def tenant_tables(metadata: MetaData) -> list[TableSpec]:
    """Every table with a ``tenant_id`` column, parents before children (foreign keys)."""
    return [_spec(t, (TENANT_COLUMN,)) for t in metadata.sorted_tables if TENANT_COLUMN in t.c]


def tenant_row_spec(metadata: MetaData) -> TableSpec:
    """The ``tenants`` row without its id (the target database gives it one)."""
    return _spec(metadata.tables[TENANTS], ("id",))


def unclassified(metadata: MetaData) -> list[str]:
    """Tables that are neither the tenant's, nor ``tenants``, nor excluded with a reason."""
    return [
        t.name
        for t in metadata.sorted_tables
        if TENANT_COLUMN not in t.c and t.name != TENANTS and t.name not in EXCLUDED
    ]


def raw_table(metadata: MetaData, name: str, raw: MetaData) -> Table:
    """A copy of table ``name`` in ``raw`` with encrypted columns as plain ``Text``, no
    constraints: for reading and writing stored values exactly as they are."""
    if name in raw.tables:
        return raw.tables[name]
    source = metadata.tables[name]
    columns = [
        Column(
            c.name,
            Text() if isinstance(c.type, EncryptedString) else c.type,
            primary_key=c.primary_key,
            autoincrement=c.autoincrement,
        )
        for c in source.columns
    ]
    return Table(name, raw, *columns)
