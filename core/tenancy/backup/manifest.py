"""The backup file: a zip archive with a manifest that says what is in it and how to check it.

::

    manifest.json            what follows, with a row count and SHA-256 per table and file
    tenant.json              the tenant row (without its id), one canonical line
    tables/<table>.jsonl     one canonical line per row, in primary-key order, no tenant_id
    files/<stored name>      the tenant's attachments (<instance>/files/<tenant id>/…)

``manifest.json``::

    {"format": "dangjian-tenant-backup", "version": 1, "created_at": "…",
     "tenant": {"slug": "…", "source_id": 7},
     "database": "postgresql", "revisions": ["0006_assessment", "rural_0001", …] | null,
     "plugins": ["community", …],
     "encryption": {"mode": "ciphertext", "blind_index_key_check": "<hex>"},
     "tenant_row": {"columns": [[name, kind], …], "sha256": "…"},
     "tables": {"<table>": {"columns": [[name, kind], …], "rows": n, "sha256": "…"}, …},
     "files": {"<stored name>": {"size": n, "sha256": "…"}, …},
     "excluded": {"<table>": "<why>", …}}

Personal fields travel as the ciphertext stored in the database (``mode: ciphertext``): the
file never holds an ID number in clear, and the database that restores it must have the
same keys — ``DATA_KEYS`` that decrypt them (the source's key may be an older key of the
ring) and the same ``BLIND_INDEX_KEY``. ``blind_index_key_check`` is an HMAC of a fixed text
under the blind-index key: it tells whether two deployments share the key without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from core.db.encrypted import keyring

FORMAT = "dangjian-tenant-backup"
VERSION = 1
MANIFEST = "manifest.json"
TENANT_MEMBER = "tenant.json"
TABLES_DIR = "tables/"
FILES_DIR = "files/"
ENCRYPTION_MODE = "ciphertext"
_KEY_CHECK_TEXT = b"dangjian tenant backup: blind index key check v1"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why, for an operator."""


def table_member(name: str) -> str:
    return f"{TABLES_DIR}{name}.jsonl"


def file_member(name: str) -> str:
    return f"{FILES_DIR}{name}"


def blind_index_key_check() -> str:
    return hmac.new(keyring().index_key, _KEY_CHECK_TEXT, hashlib.sha256).hexdigest()


def revisions(connection: Connection) -> list[str] | None:
    """The schema revisions the database is at (core's and each plugin's branch head), or
    ``None`` when it was built without Alembic (``db.create_all``, as the tests do)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return sorted(r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version")))


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise BackupError(f"the manifest is not valid: {what}")


def _check_columns(columns: Any, where: str) -> None:
    _require(
        isinstance(columns, list)
        and all(
            isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c)
            for c in columns
        ),
        f"{where}: 'columns' must be a list of [name, kind]",
    )


def _check_digest(entry: Any, where: str, counted: str) -> None:
    _require(isinstance(entry, dict), f"{where} must be an object")
    _require(
        isinstance(entry.get(counted), int) and entry[counted] >= 0,
        f"{where}: '{counted}' must be a count",
    )
    _require(
        isinstance(entry.get("sha256"), str) and SHA256.match(entry["sha256"]),
        f"{where}: 'sha256' must be 64 hex digits",
    )


def validate(manifest: Any) -> dict:
    """Check the manifest's shape (not yet the data it describes); return it."""
    _require(isinstance(manifest, dict), "not a JSON object")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"not a dangjian tenant backup (format {manifest.get('format')!r}, expected {FORMAT!r})"
        )
    version = manifest.get("version")
    if version != VERSION:
        raise BackupError(
            f"backup format version {version!r} is not supported by this dangjian "
            f"(it reads version {VERSION})"
        )
    tenant = manifest.get("tenant")
    _require(
        isinstance(tenant, dict) and isinstance(tenant.get("slug"), str),
        "'tenant' must name the tenant's slug",
    )
    revs = manifest.get("revisions")
    _require(
        revs is None or (isinstance(revs, list) and all(isinstance(r, str) for r in revs)),
        "'revisions' must be a list of revision ids or null",
    )
    encryption = manifest.get("encryption")
    _require(isinstance(encryption, dict), "'encryption' is missing")
    if encryption.get("mode") != ENCRYPTION_MODE:
        raise BackupError(f"unknown encryption mode {encryption.get('mode')!r}")
    _require(
        isinstance(encryption.get("blind_index_key_check"), str),
        "'encryption.blind_index_key_check' is missing",
    )
    row = manifest.get("tenant_row")
    _require(isinstance(row, dict), "'tenant_row' is missing")
    _check_columns(row.get("columns"), "tenant_row")
    _require(
        isinstance(row.get("sha256"), str) and SHA256.match(row["sha256"]),
        "tenant_row: 'sha256' must be 64 hex digits",
    )
    tables = manifest.get("tables")
    _require(isinstance(tables, dict) and tables, "'tables' must list the tables")
    for name, entry in tables.items():
        _require(TABLE_NAME.match(name) is not None, f"table name {name!r}")
        _check_digest(entry, f"tables.{name}", "rows")
        _check_columns(entry.get("columns"), f"tables.{name}")
    files = manifest.get("files")
    _require(isinstance(files, dict), "'files' must be an object")
    for name, entry in files.items():
        _require(
            isinstance(name, str) and "/" not in name and name not in ("", ".", ".."),
            f"file name {name!r}",
        )
        _check_digest(entry, f"files.{name}", "size")
    return manifest
