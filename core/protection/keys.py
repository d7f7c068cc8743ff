"""Rotating the keys that encrypt personal fields at rest (``dangjian keys``).

Personal fields are :class:`~core.db.encrypted.EncryptedString` columns, Fernet under
``DATA_KEYS`` (newest first; older keys still decrypt). Rotating a key is three steps:

1. put a new key first: ``DATA_KEYS="NEW,OLD"`` (``dangjian keys generate`` makes one) and
   restart — from then on every write is under NEW, and OLD still reads;
2. ``dangjian keys rotate`` re-encrypts every value still under an older key;
3. when ``dangjian keys check`` finds none left, drop OLD: ``DATA_KEYS="NEW"``.

:func:`scan` walks every EncryptedString column of every table — core's and the plugins',
found by column type in the metadata, not by a list — and, for a tenant-owned table, tenant by
tenant in that tenant's context (so PostgreSQL's row-level security binds, the tenant setting
being set per transaction). Rows are read in primary-key order, ``batch_size`` at a time, and
each batch is committed: an interrupted rotation resumes where it stopped when run again, and
a second run finds nothing to do (idempotent). A value is rewritten only if it is still the
one that was read (``WHERE col = <old ciphertext>``), so a user's concurrent edit — already
under the newest key — is never overwritten with the old value. The rewrite is Core SQL on the
tables: it bumps no row version and writes no per-row audit entry; one audit entry per tenant
and table says that the key rotation re-encrypted n rows.

Blind indexes (``<column>_index`` beside an encrypted ``<column>``: the HMAC under
``BLIND_INDEX_KEY`` that finds a member by ID number) are recomputed when ``rotate`` is given
a new blind-index key: each stored index is checked against the current key first (a row that
matches neither is reported and left alone), so this, too, is resumable. Unlike data keys,
an HMAC key cannot be tried "old or new": lookups use one key, so between the run and the
restart with ``BLIND_INDEX_KEY=NEW`` a search by ID number or a re-import misses the rows
already rewritten — run it in a maintenance window, with the web and the workers stopped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Column, Table, Text, and_, bindparam, inspect, select, tuple_, type_coerce
from sqlalchemy import update as sql_update

from core.audit.models import BULK_OBJECT_ID, AuditEntry
from core.auth.context import current_actor
from core.db import db, new_id
from core.db.encrypted import EncryptedString, _derive
from core.db.mixins import utcnow
from core.tenancy.context import tenant_context

DEFAULT_BATCH = 500
CURRENT, OLD, UNREADABLE = "current", "old", "unreadable"
INDEX_SUFFIX = "_index"


def data_fernets(config) -> list[Fernet]:
    """The configured data keys, newest first (as :func:`core.db.encrypted.build_keyring`
    reads them, including the key derived from SECRET_KEY when DATA_KEYS is unset)."""
    raw = [k.strip() for k in (config.get("DATA_KEYS") or "").split(",") if k.strip()]
    if raw:
        return [Fernet(k) for k in raw]
    secret = config.get("SECRET_KEY") or ""
    return [Fernet(base64.urlsafe_b64encode(_derive(secret, b"dangjian data key v1")))]


def index_key(config) -> bytes:
    raw = config.get("BLIND_INDEX_KEY")
    if raw:
        return raw.encode("utf-8")
    return _derive(config.get("SECRET_KEY") or "", b"dangjian blind index v1")


def hmac_index(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class Keys:
    fernets: list[Fernet]
    index_key: bytes
    new_index_key: bytes | None = None

    def __post_init__(self):
        self.multi = MultiFernet(self.fernets)

    def classify(self, token: str) -> str:
        """Under the newest key, an older one, or none of them (a signature check each: the
        value is not decrypted)."""
        try:
            data = token.encode("ascii")
        except UnicodeEncodeError:
            return UNREADABLE
        for position, fernet in enumerate(self.fernets):
            try:
                fernet.extract_timestamp(data)
            except InvalidToken:
                continue
            return CURRENT if position == 0 else OLD
        return UNREADABLE

    def rotate(self, token: str) -> str:
        return self.multi.rotate(token.encode("ascii")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.multi.decrypt(token.encode("ascii")).decode("utf-8")


def current_keys(new_index_key: str | None = None) -> Keys:
    config = current_app.config
    return Keys(
        fernets=data_fernets(config),
        index_key=index_key(config),
        new_index_key=new_index_key.encode("utf-8") if new_index_key else None,
    )


@dataclass
class Target:
    """A table with encrypted columns, and the blind index beside each where there is one."""

    table: Table
    columns: list[Column]
    indexes: dict[str, Column] = field(default_factory=dict)  # encrypted column -> its index

    @property
    def tenant_owned(self) -> bool:
        return "tenant_id" in self.table.c


def targets(metadata=None) -> list[Target]:
    """Every table of the database with EncryptedString columns (core and plugins)."""
    from core.models import load_all_models

    load_all_models()
    metadata = metadata if metadata is not None else db.metadata
    present = set(inspect(db.engine).get_table_names())
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedString)]
        if not columns or table.name not in present:
            continue  # a plugin's table whose migration has not run here is not a target
        indexes = {
            c.name: table.c[c.name + INDEX_SUFFIX]
            for c in columns
            if c.name + INDEX_SUFFIX in table.c
        }
        found.append(Target(table, columns, indexes))
    return found


@dataclass
class Report:
    """Counts per ``table.column`` (and ``table.column_index`` for blind indexes)."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, name: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(name, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())


def tenant_ids() -> list[int]:
    from core.tenancy.models import Tenant

    ids = list(db.session.scalars(select(Tenant.id).order_by(Tenant.id)))
    db.session.commit()
    return ids


def scan(
    *, rotate: bool, keys: Keys | None = None, batch_size: int = DEFAULT_BATCH, progress=None
) -> Report:
    """Check (``rotate=False``) or re-encrypt every encrypted value of every tenant.

    Outcomes counted: ``current`` (already under the newest key), ``old`` (under an older
    key; with ``rotate`` it is rewritten and counted ``rotated`` instead), ``unreadable``
    (under no configured key: left alone), ``changed`` (edited concurrently: left to the
    editor's write). Blind indexes, with ``keys.new_index_key``: ``current``, ``rotated``
    (``old`` when only checking), ``mismatch``. ``progress(message)`` hears each table done.
    """
    keys = keys or current_keys()
    report = Report()
    found = targets()
    if any(t.tenant_owned for t in found):
        for tenant_id in tenant_ids():
            with tenant_context(tenant_id):
                for target in (t for t in found if t.tenant_owned):
                    _scan_table(target, tenant_id, keys, rotate, batch_size, report, progress)
    for target in (t for t in found if not t.tenant_owned):
        _scan_table(target, None, keys, rotate, batch_size, report, progress)
    return report


def _scan_table(
    target: Target, tenant_id, keys: Keys, rotate: bool, batch_size: int, report: Report, progress
) -> None:
    table = target.table
    pk = list(table.primary_key.columns)
    index_columns = list(target.indexes.values()) if keys.new_index_key else []
    raw = [type_coerce(c, Text()).label(c.name) for c in target.columns]
    base = select(*pk, *raw, *index_columns).order_by(*pk).limit(batch_size)
    if tenant_id is not None:
        base = base.where(table.c.tenant_id == tenant_id)
    before = Counter({name: sum(c.values()) for name, c in report.counts.items()})
    rotated_rows = 0
    last = None
    while True:
        stmt = base if last is None else base.where(tuple_(*pk) > tuple_(*last))
        rows = db.session.execute(stmt).all()
        if not rows:
            break
        last = tuple(rows[-1][: len(pk)])
        groups: dict[tuple, list[dict]] = {}
        for row in rows:
            values = row._mapping
            change = {}
            for column in target.columns:
                token = values[column.name]
                if token is None:
                    continue
                name = f"{table.name}.{column.name}"
                state = keys.classify(token)
                if state == OLD and rotate:
                    change[column.name] = (token, keys.rotate(token))
                else:
                    report.add(name, state)
                index = target.indexes.get(column.name) if keys.new_index_key else None
                if index is not None and state != UNREADABLE:
                    fresh = _reindex(
                        keys,
                        token,
                        values[index.name],
                        rotate,
                        report,
                        f"{table.name}.{index.name}",
                    )
                    if fresh is not None:
                        change[index.name] = (values[index.name], fresh)
            if change:
                params = {f"pk_{c.name}": values[c.name] for c in pk}
                for name, (old, new) in change.items():
                    params[f"old_{name}"], params[f"new_{name}"] = old, new
                groups.setdefault(tuple(sorted(change)), []).append(params)
        for names, params in groups.items():
            done = _rewrite(table, pk, names, params)
            rotated_rows += done
            for name in names:
                label = f"{table.name}.{name}"
                report.add(label, "rotated", done)
                report.add(label, "changed", len(params) - done)
        db.session.commit()
    if rotate and rotated_rows and tenant_id is not None:
        _audit(tenant_id, target, rotated_rows, bool(keys.new_index_key))
        db.session.commit()
    if progress is not None:
        after = {name: sum(c.values()) for name, c in report.counts.items()}
        seen = sum(after.values()) - sum(before.values())
        scope = f"tenant {tenant_id}" if tenant_id is not None else "all tenants"
        progress(f"{table.name} ({scope}): {seen} values, {rotated_rows} rows rewritten")


def _reindex(
    keys: Keys, token: str, stored: str | None, rotate: bool, report: Report, name: str
) -> str | None:
    """The new blind index for a row, or ``None`` when nothing is to be written."""
    plain = keys.decrypt(token)
    fresh = hmac_index(keys.new_index_key, plain)
    if stored == fresh:
        report.add(name, CURRENT)
        return None
    if stored != hmac_index(keys.index_key, plain):
        report.add(name, "mismatch")  # not this column's index under the current key
        return None
    if not rotate:
        report.add(name, OLD)
        return None
    return fresh


def _rewrite(table: Table, pk: list[Column], names: tuple, params: list[dict]) -> int:
    """One UPDATE per batch and set of changed columns; a row whose value is no longer the one
    read is left alone. Returns the rows rewritten."""
    where = [c == bindparam(f"pk_{c.name}") for c in pk]
    where += [table.c[n] == bindparam(f"old_{n}", type_=Text()) for n in names]
    values = {n: bindparam(f"new_{n}", type_=Text()) for n in names}
    stmt = sql_update(table).where(and_(*where)).values(values)
    if db.session.get_bind().dialect.supports_sane_multi_rowcount:
        return db.session.execute(stmt, params).rowcount
    return sum(db.session.execute(stmt, row).rowcount for row in params)


def _audit(tenant_id: int, target: Target, rows: int, blind_index: bool) -> None:
    """One entry per tenant and table: which columns the rotation rewrote, how many rows."""
    actor = current_actor()
    columns = [c.name for c in target.columns]
    if blind_index:
        columns += [c.name for c in target.indexes.values()]
    db.session.add(
        AuditEntry(
            tenant_id=tenant_id,
            id=new_id(),
            at=utcnow(),
            actor_label=actor.label if actor is not None else "system",
            actor_user_id=actor.user_id if actor is not None else None,
            action="update",
            object_type=target.table.name,
            object_id=BULK_OBJECT_ID,
            after={"bulk": True, "key_rotation": True, "columns": columns, "rowcount": rows},
        )
    )
