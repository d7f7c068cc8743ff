"""The audit recorder: every write to a tenant-owned row leaves an :class:`AuditEntry`.

Installed once on the SQLAlchemy ``Session`` class (:func:`install`, idempotent), it writes the
audit rows **in the same transaction** as the change, so a rolled-back write leaves no row and
a committed one always has its row. Who acted comes from :func:`core.auth.context.current_actor`
(``"system"`` when nobody is set); the request id from ``X-Request-Id`` or a fresh one per
request (:func:`request_id`).

What is recorded
----------------
* **The unit of work** (``session.add`` / attribute changes / ``session.delete``): in
  ``after_flush``, one entry per new, changed or deleted object of a tenant-owned model whose
  class does not set ``__audited__ = False``. A create stores the new row in ``after``; a delete
  the old row in ``before``; an update only the columns that really changed, in ``before``,
  ``after`` and ``changed`` (an update that changes nothing records nothing). The rows go out
  as one Core ``executemany`` per flush (no ORM recursion, no query per object). Old values
  the session never loaded (an object expired by a commit, then changed or deleted) are read
  in ``before_flush`` with one query per model and flush, not one per object.
* **ORM statements** (``session.execute(insert/update/delete(Model)…)``), in
  ``do_orm_execute``; they never pass through a flush, so they are recorded here:

  - bulk INSERT with parameter dicts (the shape of a bulk import): one ``create`` entry per
    row; a missing primary key is generated first so the entry can name the row;
  - bulk UPDATE by primary key (a list of parameter dicts): one ``update`` entry per row that
    really changed, with old values read in one query per statement;
  - anything else — UPDATE/DELETE with a WHERE clause, ``insert().values()``,
    ``from_select``, upserts: the rows touched are not known without re-reading them, and we
    refuse to pretend. One entry stands for the whole statement: ``object_id`` ``"*"``,
    ``before`` null, ``after`` ``{"bulk": true, "statement": <SQL with :placeholders>,
    "parameters": {...}, "rowcount": <n>}`` (the tenant criterion is part of the SQL).
    Parameters named after a masked column are shown as ``"***"``.
  - a statement run with ``execution_options(bookkeeping=True)`` is not recorded: it is for
    the system's own housekeeping (a token's ``last_used_at``), which no person changed.

  Core statements on ``Table`` objects and raw SQL are not seen (as for tenant scoping): the
  services use mapped classes. Nor are rows the database removes by itself (``ON DELETE
  CASCADE``): the entry of the row whose deletion caused it is the trace.

Values are stored JSON-safe (uuid → str, datetime → ISO 8601, Decimal → str, bytes →
``"<n bytes>"``). An encrypted column (:class:`~core.db.encrypted.EncryptedString`: ID numbers,
phones) never reaches the log in clear, and neither does a column declared with
``info={"audit": False}`` (password hashes, secrets)
is named in ``changed`` but its values are stored as ``"***"``.
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import g, has_request_context, request
from sqlalchemy import Column, DateTime, event, insert, select, tuple_
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlalchemy.orm.attributes import NO_VALUE, instance_state
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE

from core.audit.models import BULK_OBJECT_ID, AuditEntry
from core.auth.context import current_actor
from core.db import TenantOwned, new_id
from core.db.encrypted import EncryptedString
from core.db.mixins import utcnow
from core.tenancy.context import current_tenant_id_or_none

MASK = "***"
SYSTEM_ACTOR = "system"
REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID_ENVIRON = "dangjian.request_id"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
BOOKKEEPING = "bookkeeping"  # execution option: a housekeeping statement, not audited
_PREFETCH = "dangjian_audit_prefetch"  # session.info key: old values read in before_flush
_CHUNK = 500  # primary keys per IN list
_STATEMENT_TEXT_LIMIT = 4000
_MISSING = object()


# ---------------------------------------------------------------------------------------------
# request id and actor


def request_id() -> str | None:
    """The current request's id (also kept in ``flask.g.request_id``); ``None`` outside a request.

    A well-formed ``X-Request-Id`` header (1–128 of ``A-Z a-z 0-9 . _ : @ / + = -``) is taken
    as is, so a proxy's id links its log to ours; otherwise one is generated.
    """
    if not has_request_context():
        return None
    rid = request.environ.get(_REQUEST_ID_ENVIRON)
    if rid is None:
        given = request.headers.get(REQUEST_ID_HEADER, "").strip()
        rid = given if _VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        # Kept on the request itself too: in tests one app context (hence one ``g``) can
        # outlive several requests, and an id must never carry over to the next request.
        request.environ[_REQUEST_ID_ENVIRON] = rid
    g.request_id = rid
    return rid


@dataclass(frozen=True)
class _Context:
    at: datetime
    actor_label: str
    actor_user_id: uuid.UUID | None
    request_id: str | None


def _context() -> _Context:
    actor = current_actor()
    return _Context(
        at=utcnow(),
        actor_label=actor.label if actor is not None else SYSTEM_ACTOR,
        actor_user_id=actor.user_id if actor is not None else None,
        request_id=request_id(),
    )


# ---------------------------------------------------------------------------------------------
# what to record for a model (computed once per mapper)


@dataclass(frozen=True)
class _Col:
    key: str  # attribute key
    name: str  # column name: what the entry shows
    masked: bool
    aware: bool  # DateTime(timezone=True): a naive value read back from SQLite is UTC


@dataclass(frozen=True, eq=False)  # hashed by identity: one per mapper
class _Plan:
    mapper: Mapper
    object_type: str
    columns: tuple[_Col, ...]
    by_key: dict
    tenant_key: str
    pk_keys: tuple[str, ...]  # primary key attributes other than tenant_id
    pk_names: tuple[str, ...]
    pk_positions: tuple[int, ...]  # their positions in the identity tuple
    tenant_position: int


_plans: dict[Mapper, _Plan | None] = {}


def _plan(mapper: Mapper | None) -> _Plan | None:
    if mapper is None:
        return None
    try:
        return _plans[mapper]
    except KeyError:
        pass
    cls = mapper.class_
    plan = None
    if issubclass(cls, TenantOwned) and getattr(cls, "__audited__", True):
        tables = set(mapper.tables)
        columns = []
        for prop in mapper.column_attrs:
            col = prop.columns[0]
            if not isinstance(col, Column) or col.table not in tables or col.name == "tenant_id":
                continue
            columns.append(
                _Col(
                    key=prop.key,
                    name=col.name,
                    masked=col.info.get("audit") is False or isinstance(col.type, EncryptedString),
                    aware=isinstance(col.type, DateTime) and bool(col.type.timezone),
                )
            )
        pk_cols = list(mapper.primary_key)
        pk_props = [mapper.get_property_by_column(c) for c in pk_cols]
        tenant_position = next(i for i, c in enumerate(pk_cols) if c.name == "tenant_id")
        others = [i for i in range(len(pk_cols)) if i != tenant_position]
        plan = _Plan(
            mapper=mapper,
            object_type=mapper.base_mapper.local_table.name,
            columns=tuple(columns),
            by_key={c.key: c for c in columns},
            tenant_key=pk_props[tenant_position].key,
            pk_keys=tuple(pk_props[i].key for i in others),
            pk_names=tuple(pk_cols[i].name for i in others),
            pk_positions=tuple(others),
            tenant_position=tenant_position,
        )
    _plans[mapper] = plan
    return plan


def _plan_of(obj) -> _Plan | None:
    return _plan(instance_state(obj).mapper)


# ---------------------------------------------------------------------------------------------
# values


def json_safe(value, aware: bool = False):
    """``value`` as something ``json.dumps`` accepts, stable across backends."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if aware and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    return str(value)


def _shown(col: _Col, value):
    return MASK if col.masked else json_safe(value, col.aware)


def _object_id(plan: _Plan, values) -> str:
    """The primary key without ``tenant_id``: ``"<id>"``, or ``"a=1,b=2"`` when composite."""
    if len(values) == 1:
        return str(json_safe(values[0]))
    return ",".join(f"{n}={json_safe(v)}" for n, v in zip(plan.pk_names, values, strict=True))


def object_key(obj) -> tuple[str, str] | None:
    """``(object_type, object_id)`` under which changes to ``obj`` are recorded, or ``None``
    when its model is not audited."""
    state = instance_state(obj)
    plan = _plan(state.mapper)
    if plan is None:
        return None
    if state.identity is not None:
        values = [state.identity[i] for i in plan.pk_positions]
    else:
        values = [state.dict.get(k) for k in plan.pk_keys]
    return plan.object_type, _object_id(plan, values)


def _row(ctx: _Context, plan: _Plan, tenant_id, object_id, action, before, after, changed):
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "at": ctx.at,
        "actor_label": ctx.actor_label,
        "actor_user_id": ctx.actor_user_id,
        "action": action,
        "object_type": plan.object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "changed": changed,
        "request_id": ctx.request_id,
    }


def _write(session: Session, rows: list[dict]) -> None:
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def _diff(col: _Col, old, new, before: dict, after: dict, changed: list) -> None:
    """Add the column to the update's record if its value really changed."""
    if col.masked:
        if old is not _MISSING and old == new:
            return
        before[col.name] = after[col.name] = MASK
    else:
        shown_old = None if old is _MISSING else json_safe(old, col.aware)
        shown_new = json_safe(new, col.aware)
        if old is not _MISSING and shown_old == shown_new:
            return
        before[col.name], after[col.name] = shown_old, shown_new
    changed.append(col.name)


def _read_old_values(session: Session, plan: _Plan, wanted: dict[tuple, set[str]]) -> dict:
    """Current database values of some columns of some rows, one query per chunk of keys.

    ``wanted`` maps a primary key (without tenant_id) to the attribute keys needed; returns
    ``{pk: {key: value}}``. The query is an ORM select, so it is tenant-scoped like any other.
    """
    cls = plan.mapper.class_
    keys = sorted(set().union(*wanted.values()))
    pk_attrs = [getattr(cls, k) for k in plan.pk_keys]
    pk_expr = pk_attrs[0] if len(pk_attrs) == 1 else tuple_(*pk_attrs)
    n = len(pk_attrs)
    found: dict[tuple, dict] = {}
    pks = list(wanted)
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        stmt = select(*pk_attrs, *[getattr(cls, k) for k in keys]).where(
            pk_expr.in_([pk[0] for pk in chunk] if n == 1 else chunk)
        )
        for row in session.execute(stmt):
            found[tuple(row[:n])] = dict(zip(keys, row[n:], strict=True))
    return found


# ---------------------------------------------------------------------------------------------
# the unit of work


def _before_flush(session: Session, flush_context, instances) -> None:
    """Read, in one query per model, the old values the flush will need but nobody loaded."""
    session.info.pop(_PREFETCH, None)
    wanted: dict[_Plan, dict[tuple, tuple]] = {}
    for obj, deleting in [(o, False) for o in session.dirty] + [(o, True) for o in session.deleted]:
        plan = _plan_of(obj)
        state = instance_state(obj)
        if plan is None or state.key is None:
            continue
        dict_ = state.dict
        if deleting:
            keys = {c.key for c in plan.columns if c.key not in dict_}
        else:
            committed = state.committed_state
            keys = {c.key for c in plan.columns if committed.get(c.key, _MISSING) is NO_VALUE}
        if keys:
            pk = tuple(state.identity[i] for i in plan.pk_positions)
            wanted.setdefault(plan, {})[pk] = (state, keys)
    if not wanted:
        return
    prefetched = {}
    for plan, by_pk in wanted.items():
        found = _read_old_values(session, plan, {pk: keys for pk, (_, keys) in by_pk.items()})
        for pk, (state, _) in by_pk.items():
            prefetched[state] = found.get(pk, {})
    session.info[_PREFETCH] = prefetched


def _after_flush(session: Session, flush_context) -> None:
    prefetched = session.info.pop(_PREFETCH, None) or {}
    rows: list[dict] = []
    ctx = None

    for obj in session.new:
        plan = _plan_of(obj)
        if plan is None:
            continue
        state = instance_state(obj)
        dict_, expired = state.dict, state.expired_attributes
        after = {}
        for col in plan.columns:
            if col.key in dict_:
                after[col.name] = _shown(col, dict_[col.key])
            elif col.key not in expired:  # never set: inserted as NULL
                after[col.name] = _shown(col, None)
            # expired: a server-generated value we would have to query for; left out
        ctx = ctx or _context()
        object_id = _object_id(plan, [dict_.get(k) for k in plan.pk_keys])
        rows.append(_row(ctx, plan, dict_[plan.tenant_key], object_id, "create", None, after, None))

    for obj in session.dirty:
        plan = _plan_of(obj)
        state = instance_state(obj)
        if plan is None or state.key is None:
            continue
        old_values = prefetched.get(state, {})
        before, after, changed = {}, {}, []
        for col in plan.columns:
            history = state.get_history(col.key, PASSIVE_NO_INITIALIZE)
            if not history.added and not history.deleted:
                continue
            new = history.added[0] if history.added else None
            old = history.deleted[0] if history.deleted else old_values.get(col.key, _MISSING)
            _diff(col, old, new, before, after, changed)
        if changed:
            ctx = ctx or _context()
            identity = state.identity
            object_id = _object_id(plan, [identity[i] for i in plan.pk_positions])
            tenant_id = identity[plan.tenant_position]
            rows.append(_row(ctx, plan, tenant_id, object_id, "update", before, after, changed))

    for obj in session.deleted:
        plan = _plan_of(obj)
        state = instance_state(obj)
        if plan is None or state.key is None:
            continue
        dict_, old_values = state.dict, prefetched.get(state, {})
        before = {}
        for col in plan.columns:
            value = dict_.get(col.key, old_values.get(col.key, _MISSING))
            if value is not _MISSING:
                before[col.name] = _shown(col, value)
        ctx = ctx or _context()
        identity = state.identity
        object_id = _object_id(plan, [identity[i] for i in plan.pk_positions])
        tenant_id = identity[plan.tenant_position]
        rows.append(_row(ctx, plan, tenant_id, object_id, "delete", before, None, None))

    _write(session, rows)


# ---------------------------------------------------------------------------------------------
# ORM statements (bulk insert / update / delete)

_ACTIONS = {"insert": "create", "update": "update", "delete": "delete"}


def _on_orm_execute(state: ORMExecuteState):
    if not (state.is_insert or state.is_update or state.is_delete) or not state.is_orm_statement:
        return None
    if state.execution_options.get(BOOKKEEPING) is True:
        return None
    plan = _plan(state.bind_mapper)
    if plan is None:
        return None
    tenant_id = current_tenant_id_or_none()  # tenant scoping has already refused "none"
    params = state.parameters
    statement = state.statement
    if state.is_insert and params and getattr(statement, "_post_values_clause", None) is None:
        return _bulk_insert(state, plan, tenant_id)
    if state.is_update and state.is_executemany and params:
        return _bulk_update_by_pk(state, plan, tenant_id)
    return _statement_summary(state, plan, tenant_id)


def _fill_primary_key(plan: _Plan, row: dict) -> None:
    """Generate a missing primary key the way its column default would, so the entry can
    name the row."""
    for key in plan.pk_keys:
        if row.get(key) is not None:
            continue
        default = plan.mapper.attrs[key].columns[0].default
        if default is None:
            continue
        try:
            if default.is_scalar:
                row[key] = default.arg
            elif default.is_callable:
                row[key] = default.arg(None)
        except Exception:  # noqa: BLE001 - a context-dependent default: let Core compute it
            continue


def _bulk_insert(state: ORMExecuteState, plan: _Plan, tenant_id):
    params = state.parameters if isinstance(state.parameters, list) else [state.parameters]
    for row in params:
        _fill_primary_key(plan, row)
    result = state.invoke_statement()
    ctx = _context()
    rows = []
    for row in params:
        after = {col.name: _shown(col, row[col.key]) for col in plan.columns if col.key in row}
        pk = [row.get(k) for k in plan.pk_keys]
        object_id = BULK_OBJECT_ID if None in pk else _object_id(plan, pk)
        rows.append(
            _row(ctx, plan, row.get(plan.tenant_key) or tenant_id, object_id, "create", None,
                 after, None)
        )
    _write(state.session, rows)
    return result


def _bulk_update_by_pk(state: ORMExecuteState, plan: _Plan, tenant_id):
    params = state.parameters
    wanted = {}
    for row in params:
        pk = tuple(row.get(k) for k in plan.pk_keys)
        keys = {k for k in row if k in plan.by_key and k not in plan.pk_keys}
        if None not in pk and keys:
            wanted.setdefault(pk, set()).update(keys)
    old_rows = _read_old_values(state.session, plan, wanted) if wanted else {}
    result = state.invoke_statement()
    ctx = _context()
    rows = []
    for row in params:
        pk = tuple(row.get(k) for k in plan.pk_keys)
        old_row = old_rows.get(pk)
        if old_row is None:  # no such row in this tenant: nothing was updated
            continue
        before, after, changed = {}, {}, []
        for key, new in row.items():
            col = plan.by_key.get(key)
            if col is not None and key not in plan.pk_keys:
                _diff(col, old_row.get(key, _MISSING), new, before, after, changed)
        if changed:
            rows.append(
                _row(ctx, plan, row.get(plan.tenant_key) or tenant_id, _object_id(plan, pk),
                     "update", before, after, changed)
            )
    _write(state.session, rows)
    return result


def _statement_record(state: ORMExecuteState, plan: _Plan) -> dict:
    """The statement as SQL with named placeholders, and its parameters.

    Compiled with SQLAlchemy's neutral dialect so the text reads the same on every backend.
    Values computed at execution (Python-side defaults such as ``updated_at``) show as
    ``"<default>"``. Parameters named after a masked column (``password_hash``,
    ``password_hash_1``) show as ``"***"``.
    """
    compiled = state.statement.compile()
    text = " ".join(str(compiled).split())
    if len(text) > _STATEMENT_TEXT_LIMIT:
        text = text[: _STATEMENT_TEXT_LIMIT - 1] + "…"
    params = dict(compiled.params)
    if isinstance(state.parameters, dict):
        params.update(state.parameters)
    computed = {c.key for c in [*compiled.insert_prefetch, *compiled.update_prefetch]}
    masked = {c.name for c in plan.columns if c.masked} | {c.key for c in plan.columns if c.masked}
    shown = {}
    for name, value in params.items():
        if name in masked or name.rsplit("_", 1)[0] in masked:
            shown[name] = MASK
        elif name in computed and value is None:
            shown[name] = "<default>"
        else:
            shown[name] = json_safe(value)
    return {"statement": text, "parameters": shown}


def _statement_summary(state: ORMExecuteState, plan: _Plan, tenant_id):
    kind = "insert" if state.is_insert else "update" if state.is_update else "delete"
    record = _statement_record(state, plan)
    result = state.invoke_statement()
    try:
        rowcount = result.rowcount
    except Exception:  # noqa: BLE001 - some results carry no row count
        rowcount = None
    if rowcount is not None and rowcount < 0:
        rowcount = None
    after = {"bulk": True, **record, "rowcount": rowcount}
    row = _row(_context(), plan, tenant_id, BULK_OBJECT_ID, _ACTIONS[kind], None, after, None)
    _write(state.session, [row])
    return result


# ---------------------------------------------------------------------------------------------


def install() -> None:
    """Attach the listeners to every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_orm_execute)
