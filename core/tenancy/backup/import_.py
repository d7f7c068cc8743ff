"""``dangjian tenants import``: restore one tenant's backup, all of it or nothing.

In this order, and nothing is written before the checks pass:

1. the archive opens, its manifest has our format and version, and its members are exactly
   those the manifest lists;
2. the schema agrees: the same Alembic revisions (core's and each plugin's), and every
   table with the same columns of the same kinds — no table the file has that the database
   lacks, nor the reverse;
3. the keys agree: the blind-index key by its check value, ``DATA_KEYS`` by decrypting a
   sample of the file's encrypted fields;
4. the slug is free (or ``--slug`` names a free one) and the tenant's host names are not
   another tenant's;
5. every table and file is read once and its row count and SHA-256 compared with the
   manifest.

Then, in **one transaction**: the tenant row (the database gives it its own id), every table
in foreign-key order — each row's ``tenant_id`` set to the new id, on PostgreSQL with the
tenant set for row-level security (whose ``WITH CHECK`` refuses any other) and through
``COPY`` (:mod:`core.db.bulk`); integer sequences moved past the imported ids; then every
table's count and checksum computed again *from the database* and compared with the
manifest's. Any difference rolls everything back. Attachments are copied to a staging
folder first and moved into ``<instance>/files/<new id>/`` just before the commit (and
removed again if it fails).

Other tenants may be present: every restored row carries the new tenant's id, keys and
unique constraints all include ``tenant_id``, so nothing can collide with or land in
another city's data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from core import files as attachments
from core.db import bulk, db
from core.db.encrypted import KeyConfigError, keyring
from core.models import load_all_models
from core.tenancy.backup import manifest as mf
from core.tenancy.backup.canonical import RowDecoder
from core.tenancy.backup.export import check_classified, rows_of, tenant_row_line
from core.tenancy.backup.manifest import BackupError
from core.tenancy.backup.tables import (
    TENANTS,
    TableSpec,
    raw_table,
    tenant_row_spec,
    tenant_tables,
)
from core.tenancy.context import tenant_context
from core.tenancy.files import SLUG_RE
from core.tenancy.models import Tenant
from core.tenancy.resolve import tenant_by_slug

SAMPLES_PER_COLUMN = 3  # encrypted values per column decrypted before anything is written


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [SQLAlchemyError, sqlite3.Error]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - PostgreSQL's driver is optional
        return tuple(errors)
    return (*errors, psycopg.Error)


# What the database answers a row it will not take: SQLAlchemy's wrapper, or the driver's own
# from the COPY that core.db.bulk runs on the raw connection.
DRIVER_ERRORS = _driver_errors()


@dataclass
class TableCheck:
    name: str
    file_rows: int
    file_sha256: str
    db_rows: int = -1
    db_sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.file_rows == self.db_rows and self.file_sha256 == self.db_sha256


@dataclass
class ImportResult:
    slug: str
    tenant_id: int
    checks: list[TableCheck] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(c.db_rows for c in self.checks)


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise BackupError(
            f"{path} is not a readable backup (not a zip archive, or truncated): {exc}"
        ) from None


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        raw = archive.read(mf.MANIFEST)
    except KeyError:
        raise BackupError(
            "the archive has no manifest.json: not a dangjian tenant backup"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise BackupError(f"manifest.json cannot be read: {exc}") from None
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}") from None
    return mf.validate(manifest)


def _check_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise BackupError("the archive holds the same member twice: it was tampered with")
    expected = {mf.MANIFEST, mf.TENANT_MEMBER}
    expected |= {mf.table_member(t) for t in manifest["tables"]}
    expected |= {mf.file_member(f) for f in manifest["files"]}
    missing, extra = sorted(expected - set(names)), sorted(set(names) - expected)
    if missing or extra:
        raise BackupError(
            "the archive's members do not match its manifest"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not listed: {', '.join(extra)}" if extra else "")
        )


def _check_schema(
    manifest: dict, connection: Connection, metadata: MetaData, specs: list[TableSpec]
) -> None:
    here = mf.revisions(connection)
    if manifest["revisions"] != here:
        raise BackupError(
            f"schema revision mismatch: the backup was made at {manifest['revisions']}, this "
            f"database is at {here}; run the same dangjian version (and `dangjian db upgrade`) "
            "on both sides"
        )
    theirs = manifest["tables"]
    ours = {s.name: s for s in specs}
    problems = []
    for name in sorted(set(theirs) - set(ours)):
        problems.append(f"{name}: in the backup, not in this database")
    for name in sorted(set(ours) - set(theirs)):
        problems.append(f"{name}: in this database, not in the backup")
    for name in sorted(set(ours) & set(theirs)):
        if theirs[name]["columns"] != ours[name].fingerprint():
            problems.append(f"{name}: columns differ")
    if manifest["tenant_row"]["columns"] != tenant_row_spec(metadata).fingerprint():
        problems.append("tenants: columns differ")
    if problems:
        raise BackupError(
            "the backup's schema differs from this database's: " + "; ".join(problems)
        )


def _check_keys(manifest: dict) -> None:
    if manifest["encryption"]["blind_index_key_check"] != mf.blind_index_key_check():
        raise BackupError(
            "this deployment's BLIND_INDEX_KEY differs from the one the backup was made with "
            "(or, when it is not set, its SECRET_KEY): members could not be found by ID number. "
            "Restore with the source deployment's BLIND_INDEX_KEY and DATA_KEYS"
        )


def _check_decrypts(table: str, column: str, token: str) -> None:
    try:
        keyring().decrypt(token)
    except (KeyConfigError, ValueError, UnicodeError):
        raise BackupError(
            f"{table}.{column}: the backup's personal fields cannot be decrypted with this "
            "deployment's DATA_KEYS (or, when it is not set, its SECRET_KEY). Personal fields "
            "travel as ciphertext: add the source deployment's key to DATA_KEYS (an older key "
            "of the ring is enough) and try again"
        ) from None


def _lines(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    try:
        with archive.open(member) as source:
            yield from source
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise BackupError(f"{member} cannot be read (damaged archive): {exc}") from None


def _decoded(archive: zipfile.ZipFile, member: str, decoder: RowDecoder) -> Iterator[tuple]:
    for number, line in enumerate(_lines(archive, member), start=1):
        try:
            yield decoder.values(json.loads(line))
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError too
            raise BackupError(f"{member} line {number}: {exc}") from None


def _verify_member(archive: zipfile.ZipFile, member: str, spec: TableSpec, expected: dict) -> None:
    """Count and checksum every line; decrypt a sample of each encrypted column. (Each line
    is decoded while it is restored, and the restored table checked again by checksum.)"""
    decoder = RowDecoder(spec.columns)
    encrypted = [(i, c.name) for i, c in enumerate(spec.columns) if c.kind == "encrypted"]
    samples = {name: 0 for _, name in encrypted}
    digest, rows = hashlib.sha256(), 0
    for number, line in enumerate(_lines(archive, member), start=1):
        digest.update(line)
        rows += 1
        if not encrypted or min(samples.values()) >= SAMPLES_PER_COLUMN:
            continue
        try:
            values = decoder.values(json.loads(line))
        except ValueError as exc:
            raise BackupError(f"{member} line {number}: {exc}") from None
        for index, name in encrypted:
            if values[index] is not None and samples[name] < SAMPLES_PER_COLUMN:
                _check_decrypts(spec.name, name, values[index])
                samples[name] += 1
    if rows != expected["rows"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(
            f"{member}: {rows} rows with SHA-256 {digest.hexdigest()[:16]}…, the manifest says "
            f"{expected['rows']} rows with {expected['sha256'][:16]}…: the file is damaged or "
            "was changed"
        )


def _verify_file(archive: zipfile.ZipFile, name: str, expected: dict, staging: Path) -> None:
    """Copy attachment ``name`` into ``staging``, checking its size and SHA-256."""
    try:
        attachments.path_for(0, name)
    except ValueError:
        raise BackupError(f"files/{name}: not a stored attachment's name") from None
    digest, size = hashlib.sha256(), 0
    target = staging / name
    try:
        with archive.open(mf.file_member(name)) as source:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BackupError(f"files/{name} cannot be read (damaged archive): {exc}") from None
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"files/{name}: size or SHA-256 differs from the manifest")


def _tenant_values(archive: zipfile.ZipFile, manifest: dict, metadata: MetaData) -> dict:
    spec = tenant_row_spec(metadata)
    lines = list(_lines(archive, mf.TENANT_MEMBER))
    if len(lines) != 1 or hashlib.sha256(lines[0]).hexdigest() != manifest["tenant_row"]["sha256"]:
        raise BackupError(
            "tenant.json differs from the manifest: the file is damaged or was changed"
        )
    try:
        values = RowDecoder(spec.columns).values(json.loads(lines[0]))
    except ValueError as exc:
        raise BackupError(f"tenant.json: {exc}") from None
    return dict(zip([c.name for c in spec.columns], values, strict=True))


def _check_tenant(values: dict, slug: str, without_hosts: bool) -> None:
    if not SLUG_RE.match(slug):
        raise BackupError(
            f"slug {slug!r}: must be 2–63 of a-z, 0-9 and '-', starting with a letter"
        )
    if tenant_by_slug(slug) is not None:
        raise BackupError(
            f"a tenant {slug!r} already exists in this database; import it under another "
            "slug with --slug NEW"
        )
    if without_hosts:
        return
    wanted = set(values.get("hosts") or [])
    for other in db.session.scalars(select(Tenant)):
        taken = sorted(wanted & set(other.hosts or []))
        if taken:
            raise BackupError(
                f"host name(s) {', '.join(taken)} already select tenant {other.slug!r}; "
                "import with --without-hosts and give the city its hosts later"
            )


def _advance_sequences(connection: Connection, spec: TableSpec) -> None:
    """Move each integer key's sequence past the largest id now in the table (PostgreSQL)."""
    if connection.dialect.name != "postgresql":
        return  # SQLite numbers a new row after the largest id by itself
    for column in spec.sequences:
        sequence = connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{spec.name}"', "column": column},
        )
        if sequence is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(CAST(:sequence AS regclass), GREATEST("
                f'(SELECT COALESCE(max("{column}"), 0) FROM "{spec.name}"), '
                f"(SELECT last_value FROM {sequence})))"
            ),
            {"sequence": sequence},
        )


def _insert_tenant(table, values: dict) -> int:
    """The tenant row as it was (its ``version`` too: the ORM would start it again at 1);
    the database gives it its id."""
    db.session.execute(insert(table).values(**values))
    return db.session.scalar(select(table.c.id).where(table.c.slug == values["slug"]))


def _place_files(staging: Path, names: list[str], tenant_id: int) -> list[Path]:
    if not names:
        return []
    folder = attachments.root() / str(int(tenant_id))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    placed = []
    try:
        for name in names:
            target = attachments.path_for(tenant_id, name)
            if target.exists():
                raise BackupError(f"{target} already exists")
            os.replace(staging / name, target)
            placed.append(target)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    return placed


def _refusal(exc: BaseException) -> BackupError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return BackupError(f"the database refused the backup's rows: {reason}")


def _restore(archive, manifest, metadata, specs, raw, tenant_id: int, result) -> bytes:
    """Every table's rows under ``tenant_id`` (in this transaction), then each table read
    back into ``result``'s checks; returns the tenant row as the database now holds it."""
    with tenant_context(tenant_id):  # joins this transaction: RLS is set for the new id
        try:
            connection = db.session.connection()
            postgres = connection.dialect.name == "postgresql"
            if not postgres:
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until COMMIT
            for spec in specs:
                if manifest["tables"][spec.name]["rows"]:
                    decoder = RowDecoder(spec.columns, as_text=postgres)
                    rows = _decoded(archive, mf.table_member(spec.name), decoder)
                    table = raw_table(metadata, spec.name, raw)
                    bulk.write(table, rows, [c.name for c in spec.columns])
                    _advance_sequences(connection, spec)
            for spec in specs:  # read back from the database, as an export would
                digest, rows = hashlib.sha256(), 0
                for line in rows_of(connection, raw, metadata, spec, tenant_id):
                    digest.update(line)
                    rows += 1
                entry = manifest["tables"][spec.name]
                check = TableCheck(
                    spec.name, entry["rows"], entry["sha256"], rows, digest.hexdigest()
                )
                result.checks.append(check)
            return tenant_row_line(connection, raw, metadata, tenant_id)
        except DRIVER_ERRORS as exc:
            # PostgreSQL has aborted the transaction: end it before the tenant context would
            # reset its setting on it (which would fail and hide this error)
            db.session.rollback()
            raise _refusal(exc) from None


def _compare(archive: zipfile.ZipFile, result: ImportResult, tenant_line: bytes, ignore) -> None:
    """Refuse (the caller rolls back) when any table, or the tenant row, came back different."""
    expected, got = json.loads(archive.read(mf.TENANT_MEMBER)), json.loads(tenant_line)
    for name in ignore:  # what the import was asked to change
        expected.pop(name, None)
        got.pop(name, None)
    wrong = [c.name for c in result.checks if not c.ok] + (["tenants"] if expected != got else [])
    if wrong:
        raise BackupError(
            f"after restoring, the database differs from the backup in: {', '.join(wrong)}; "
            "nothing was kept"
        )


def _prepare(
    archive: zipfile.ZipFile,
    slug: str | None,
    without_hosts: bool,
    metadata: MetaData,
    specs,
    staging: Path,
):
    """Every check that comes before writing; returns the manifest, the tenant row's values
    and the slug to restore under."""
    manifest = _read_manifest(archive)
    _check_members(archive, manifest)
    _check_schema(manifest, db.session.connection(), metadata, specs)
    _check_keys(manifest)
    slug = slug or manifest["tenant"]["slug"]
    values = _tenant_values(archive, manifest, metadata)
    _check_tenant(values, slug, without_hosts)
    for spec in specs:
        _verify_member(archive, mf.table_member(spec.name), spec, manifest["tables"][spec.name])
    for name, expected in sorted(manifest["files"].items()):
        _verify_file(archive, name, expected, staging)
    return manifest, values, slug


def import_tenant(
    path: Path,
    slug: str | None = None,
    *,
    without_hosts: bool = False,
    say: Callable[[str], None] = lambda _line: None,
) -> ImportResult:
    """Restore the backup at ``path`` as a new tenant (``slug``, default the backup's)."""
    started = time.perf_counter()
    load_all_models()
    metadata = db.metadata
    check_classified(metadata)
    specs = tenant_tables(metadata)
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise BackupError("cannot import with unsaved changes in the session")
    session.rollback()
    archive = _open(path)
    staging = attachments.root() / f".import-{uuid.uuid4().hex}"
    staging.mkdir(mode=0o700, parents=True)
    placed: list[Path] = []
    raw = MetaData()
    try:
        manifest, values, slug = _prepare(archive, slug, without_hosts, metadata, specs, staging)
        say(f"{path}: checks passed; restoring {manifest['tenant']['slug']!r} as {slug!r}")
        values = {**values, "slug": slug, **({"hosts": []} if without_hosts else {})}
        try:
            tenant_id = _insert_tenant(raw_table(metadata, TENANTS, raw), values)
            result = ImportResult(slug, tenant_id)
            tenant_line = _restore(archive, manifest, metadata, specs, raw, tenant_id, result)
            _compare(
                archive,
                result,
                tenant_line,
                ignore=("slug", "hosts") if without_hosts else ("slug",),
            )
            placed = _place_files(staging, sorted(manifest["files"]), tenant_id)
            result.files = len(placed)
            db.session.commit()
        except DRIVER_ERRORS as exc:  # e.g. a foreign key SQLite checks at COMMIT
            raise _refusal(exc) from None
    except BaseException:
        db.session.rollback()
        for placed_path in placed:
            placed_path.unlink(missing_ok=True)
        raise
    finally:
        archive.close()
        shutil.rmtree(staging, ignore_errors=True)
    _analyze([c.name for c in result.checks if c.db_rows])
    result.seconds = time.perf_counter() - started
    return result


def _analyze(tables: list[str]) -> None:
    """Statistics for the restored rows (PostgreSQL), as after any bulk load: the city's
    first queries are planned on its rows, not on an empty table's guesses."""
    if db.engine.dialect.name != "postgresql" or not tables:
        return
    for table in tables:
        db.session.execute(text(f'ANALYZE "{table}"'))
    db.session.commit()
