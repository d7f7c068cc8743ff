"""``dangjian tenants export``: one tenant's complete data in one file.

Every tenant table (core's and every installed plugin's, enumerated from the metadata) is
read in primary-key order in chunks — a server-side cursor on PostgreSQL — and written as it
is read into its zip member, so memory stays flat whatever the tenant's size. On PostgreSQL
all tables are read in one ``REPEATABLE READ`` transaction: the file is one consistent
snapshot even while the city keeps working. The file is written next to its destination as
``….part`` (mode 0600: it holds password hashes and the city's whole record) and renamed
only when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Connection

from core import files as attachments
from core.db import db
from core.models import load_all_models
from core.plugins.manager import installed_plugins
from core.tenancy.backup import manifest as mf
from core.tenancy.backup.canonical import RowEncoder
from core.tenancy.backup.manifest import BackupError
from core.tenancy.backup.tables import (
    EXCLUDED,
    TENANT_COLUMN,
    TENANTS,
    TableSpec,
    raw_table,
    tenant_row_spec,
    tenant_tables,
    unclassified,
)
from core.tenancy.context import tenant_context
from core.tenancy.resolve import tenant_by_slug

CHUNK_ROWS = 2_000  # rows fetched per round trip
COPY_BYTES = 1024 * 1024
WRITE_BYTES = 256 * 1024  # written to the archive (and hashed) at once


@dataclass
class Digest:
    rows: int = 0
    sha256: str = ""


@dataclass
class ExportResult:
    path: Path
    tables: dict[str, Digest] = field(default_factory=dict)
    files: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.tables.values())


def check_classified(metadata: MetaData) -> None:
    """Refuse when a table is neither the tenant's nor excluded with a reason."""
    left = unclassified(metadata)
    if left:
        raise BackupError(
            f"table(s) {', '.join(left)} belong to no tenant and are not excluded with a "
            "reason (core/tenancy/backup/tables.py EXCLUDED): a backup would leave them behind"
        )


def rows_of(
    connection: Connection, raw: MetaData, metadata: MetaData, spec: TableSpec, tenant_id: int
) -> Iterator[bytes]:
    """The canonical lines of ``spec``'s rows of one tenant, in key order, fetched in chunks.
    Used to write a backup and, after an import, to check what the database now holds."""
    table = raw_table(metadata, spec.name, raw)
    postgres = connection.dialect.name == "postgresql"
    kinds = {c.name: c.kind for c in spec.columns}
    order = [
        table.c[name].collate("C") if postgres and kinds[name] == "str" else table.c[name]
        for name in spec.order_by
    ]
    statement = (
        select(*[table.c[c.name] for c in spec.columns])
        .where(table.c[TENANT_COLUMN] == tenant_id)
        .order_by(*order)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    encoder = RowEncoder(spec.columns)
    for row in connection.execute(statement):
        yield encoder.line(row)


def tenant_row_line(
    connection: Connection, raw: MetaData, metadata: MetaData, tenant_id: int
) -> bytes:
    spec = tenant_row_spec(metadata)
    table = raw_table(metadata, TENANTS, raw)
    row = connection.execute(
        select(*[table.c[c.name] for c in spec.columns]).where(table.c.id == tenant_id)
    ).one()
    return RowEncoder(spec.columns).line(row)


def _write_member(archive: zipfile.ZipFile, name: str, pieces) -> Digest:
    """Write ``pieces`` (lines, or a file's chunks) as member ``name``, a few hundred
    kilobytes at a time; their count and the SHA-256 of their bytes."""
    digest, count, buffer, size = hashlib.sha256(), 0, [], 0
    with archive.open(name, "w", force_zip64=True) as out:
        for piece in pieces:
            buffer.append(piece)
            count += 1
            size += len(piece)
            if size >= WRITE_BYTES:
                data = b"".join(buffer)
                digest.update(data)
                out.write(data)
                buffer, size = [], 0
        data = b"".join(buffer)
        digest.update(data)
        out.write(data)
    return Digest(count, digest.hexdigest())


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(COPY_BYTES):
            yield chunk


def _attachments(tenant_id: int) -> list[Path]:
    """The tenant's stored attachments (not an upload's half-written ``.part``)."""
    folder = attachments.root() / str(int(tenant_id))
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        try:
            attachments.path_for(tenant_id, path.name)
        except ValueError:
            continue
        if path.is_file():
            found.append(path)
    return found


def _begin_snapshot() -> Connection:
    """The session's connection in a transaction that sees one snapshot (PostgreSQL)."""
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise BackupError("cannot export with unsaved changes in the session")
        session.rollback()
    if db.engine.dialect.name == "postgresql":
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        connection.execute(text("SET TRANSACTION READ ONLY"))
        return connection
    return session.connection()


def export_tenant(
    slug: str, destination: Path, say: Callable[[str], None] = lambda _line: None
) -> ExportResult:
    """Write tenant ``slug``'s backup to ``destination`` (which must not exist yet)."""
    started = time.perf_counter()
    load_all_models()
    check_classified(db.metadata)
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise BackupError(f"no tenant {slug!r}")
    tenant_id = tenant.id
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another file name")
    partial = destination.with_name(destination.name + ".part")
    result = ExportResult(destination)
    try:
        with tenant_context(tenant_id):
            connection = _begin_snapshot()
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                    _write_archive(archive, connection, slug, tenant_id, result, say)
                handle.flush()
                os.fsync(handle.fileno())
            db.session.rollback()  # a read: nothing to keep
        os.replace(partial, destination)
    except BaseException:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


def _write_archive(
    archive: zipfile.ZipFile,
    connection: Connection,
    slug: str,
    tenant_id: int,
    result: ExportResult,
    say: Callable[[str], None],
) -> None:
    metadata, raw = db.metadata, MetaData()
    specs = tenant_tables(metadata)
    tenant_line = tenant_row_line(connection, raw, metadata, tenant_id)
    tenant_digest = _write_member(archive, mf.TENANT_MEMBER, [tenant_line])
    for spec in specs:
        lines = rows_of(connection, raw, metadata, spec, tenant_id)
        digest = result.tables[spec.name] = _write_member(
            archive, mf.table_member(spec.name), lines
        )
        if digest.rows:
            say(f"{spec.name:<32} {digest.rows:>10,}")
    files = {}
    for path in _attachments(tenant_id):
        size = path.stat().st_size
        digest = _write_member(archive, mf.file_member(path.name), _file_chunks(path))
        files[path.name] = {"size": size, "sha256": digest.sha256}
    result.files = len(files)
    manifest = {
        "format": mf.FORMAT,
        "version": mf.VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tenant": {"slug": slug, "source_id": tenant_id},
        "database": connection.dialect.name,
        "revisions": mf.revisions(connection),
        "plugins": sorted(installed_plugins()),
        "encryption": {
            "mode": mf.ENCRYPTION_MODE,
            "blind_index_key_check": mf.blind_index_key_check(),
        },
        "tenant_row": {
            "columns": tenant_row_spec(metadata).fingerprint(),
            "sha256": tenant_digest.sha256,
        },
        "tables": {
            spec.name: {
                "columns": spec.fingerprint(),
                "rows": result.tables[spec.name].rows,
                "sha256": result.tables[spec.name].sha256,
            }
            for spec in specs
        },
        "files": files,
        "excluded": dict(EXCLUDED),
        "not_included": {
            "uploads": "Excel workbooks waiting for their import job (<instance>/uploads): "
            "transient, deleted once the job ran; re-upload them after a restore",
        },
    }
    archive.writestr(mf.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
