"""Importing a sheet of members: the job ``imports.members``.

The sheet is read and every row validated as a stream of batches (:mod:`core.excel.parsing`;
for a large file in a child process, so reading and writing use two cores). Each batch is
then handled set-based: organisations are resolved by code or full name (one query for the
names and codes not seen before), rows repeating an ID number already seen are marked,
members already in the register are found by the blind index of their ID number (one query
per 1,000), and the batch is written — one bulk INSERT per 2,000 new members and one for
their ``admitted`` events, bulk UPDATEs by primary key for changed members (carrying the
``version`` they were read at, so a concurrent edit is not overwritten; it makes the job
retry), and ``moved`` / ``status_changed`` / ``converted`` events for what an update changed.
The job runner commits all of it together with the job's result, once.

Modes:

* ``all_or_nothing`` (default): any bad row and nothing is written — once an error is found
  writing stops, and at the end what was written is rolled back; every row is still
  checked, so the result lists every bad row.
* ``valid_rows_only``: the good rows are written, the bad ones reported and skipped. A row
  that turns out bad only later (its ID number comes again further down) after it was
  written makes the importer roll back and write the good rows again.

In either mode a sheet that cannot be read to its end (its XML breaks part-way, it has more
than ``IMPORT_MAX_ROWS`` rows) writes nothing: the rows after the break are unknown, so no
row is known to be all there is.

A re-import of the same sheet creates no duplicate: a person already in the register is
updated with the columns the sheet has (a column the sheet lacks leaves the stored value),
and a row that changes nothing writes nothing. Rows sharing one ID number are all errors:
which of them is right is for a person to decide.

Who may import where: the job acts for the user who started it. Rows go only to
organisations in which that user holds ``branch_secretary`` or higher (the role that keeps a
register); any other organisation is "unknown", like one that does not exist. A person
already registered outside that scope is refused. From the command line (no user) the whole
tenant is in scope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import false, insert, or_, select, true, update
from sqlalchemy.orm.exc import StaleDataError

from core.auth import service as auth_service
from core.auth.context import current_actor
from core.auth.permissions import RANK
from core.db import db, new_id
from core.db.encrypted import blind_index
from core.db.mixins import utcnow
from core.excel import parsing, uploads
from core.excel.columns import BY_FIELD, LOST, MOBILE, ORG, ORG_CODE
from core.excel.errors import ErrorLog, shown_value
from core.excel.rows import FIELD_HEADERS, record_dict
from core.jobs.context import JobContext, TransientJobError
from core.members.models import ACTIVE_STATUSES, Member, MemberEvent
from core.members.pinyin import name_initials
from core.members.service import FINAL_STATUSES
from core.members.validation import RECORD_FIELDS, check_record, effective_status
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.tenancy import current_tenant_id

log = logging.getLogger(__name__)

JOB_NAME = "imports.members"
ALL_OR_NOTHING, VALID_ROWS_ONLY = "all_or_nothing", "valid_rows_only"
MODES = (ALL_OR_NOTHING, VALID_ROWS_ONLY)
IMPORT_ROLE = "branch_secretary"  # the role that writes a register (as the member API)
ERROR_CAP = 1000
LOOKUP_CHUNK = 1000  # values per IN list
WRITE_CHUNK = 2000  # rows per bulk statement
DEFAULT_MAX_ROWS = 200_000  # IMPORT_MAX_ROWS
# Files from this size (IMPORT_CHILD_MIN_BYTES) are read in a child process; smaller ones
# here, where a process would cost more than it saves.
DEFAULT_CHILD_MIN_BYTES = 1024 * 1024
REASON = "Excel import"
ID_HEADER = BY_FIELD["id_number"].header
ORG_HEADER = BY_FIELD[ORG].header
ORG_CODE_HEADER = BY_FIELD[ORG_CODE].header
# Fields compared with (and written to) a stored member; the ID number is matched, not compared.
COMPARED = tuple(f for f in RECORD_FIELDS if f != "id_number")
ID_POSITION = RECORD_FIELDS.index("id_number")
ACTIVE_ORG = "active"
FLAGS = ("is_retired", "is_farmer", "is_student", "is_unemployed", "community_registered")

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class OrgRef:
    """What the importer needs of an organisation (plain values: they survive a rollback)."""

    id: object
    code: str
    name: str
    path: str
    status: str


@dataclass
class Pending:
    """A valid row on its way into the register."""

    row: int
    record: tuple  # rows.record_tuple
    org_code: str | None
    org_name: str | None
    org: OrgRef | None = None
    index: str | None = None  # blind index of the ID number


@dataclass
class Change:
    """A row that changes a registered member."""

    pending: Pending
    member_id: object
    version: int
    values: dict  # changed fields → new values
    old_org_id: object
    old_status: str
    new_status: str
    record: dict  # the merged record


@dataclass
class Scope:
    """Organisation paths the importing user may write to; ``None``: the whole tenant."""

    paths: list[str] | None

    @classmethod
    def for_current_actor(cls) -> Scope:
        actor = current_actor()
        if actor is None or actor.user_id is None:
            return cls(None)
        need = RANK[IMPORT_ROLE]
        paths = []
        for role, path in auth_service.role_scopes(actor.user_id):
            if RANK[role] > need:
                continue
            if path is None:
                return cls(None)
            paths.append(path)
        return cls(paths)

    def covers(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def clause(self):
        """A WHERE clause on :class:`Organization` for the organisations in scope."""
        if self.paths is None:
            return true()
        if not self.paths:
            return false()
        return or_(*(subtree_filter(p) for p in self.paths))

    def writable_orgs(self) -> list[Organization]:
        """The active organisations in scope, in tree order (for the template)."""
        return list(db.session.scalars(
            select(Organization)
            .where(self.clause(), Organization.status == ACTIVE_ORG)
            .order_by(Organization.path)
        ))


# -- the job ---------------------------------------------------------------------------------


def import_members_job(ctx: JobContext, *, upload: str, mode: str = ALL_OR_NOTHING,
                       filename: str | None = None) -> dict:
    """``imports.members``: import stored upload ``upload`` (a name from
    :func:`core.excel.uploads.store`). The upload is removed when the job ends for good."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    path = uploads.path_for(ctx.tenant_id, upload)
    final = True
    try:
        if not path.exists():
            raise FileNotFoundError(f"the uploaded file {upload} is no longer there")
        result = import_members(path, mode=mode, progress=ctx.progress)
    except StaleDataError:
        final = ctx.attempt >= ctx.max_attempts
        raise TransientJobError(
            "A member in the sheet was changed by someone else during the import; retrying."
        ) from None
    except Exception as exc:  # noqa: BLE001 - decide whether the upload is still needed
        from core.jobs.runner import is_transient

        final = not is_transient(exc) or ctx.attempt >= ctx.max_attempts
        raise
    finally:
        if final:
            uploads.discard(ctx.tenant_id, upload)
    result["filename"] = filename
    return result


def _discard_upload(tenant_id: int, kwargs: dict) -> None:
    """The workbook of an import whose worker died and that will not run again (recovery)."""
    uploads.discard(tenant_id, kwargs.get("upload"))


import_members_job.on_abandoned = _discard_upload


# -- the import ------------------------------------------------------------------------------


def _no_progress(percent: float, message: str) -> None:
    return None


def _messages(path) -> Iterator[tuple]:
    """The sheet's messages (core.excel.parsing), read here or by a child process.

    Settings: ``IMPORT_MAX_ROWS`` (data rows a sheet may have), ``IMPORT_CHILD_MIN_BYTES``
    (from this file size on, a child process reads), ``IMPORT_BATCH_ROWS`` (rows per batch),
    ``IMPORT_MAX_UNPACKED_BYTES`` / ``IMPORT_MAX_SHARED_STRINGS`` (:mod:`core.excel.archive`).
    """
    config = current_app.config
    options = {
        "max_rows": int(config.get("IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS),
        "batch_rows": int(config.get("IMPORT_BATCH_ROWS") or parsing.BATCH_ROWS),
        "limits": uploads.limits(),
    }
    child_min = config.get("IMPORT_CHILD_MIN_BYTES")
    child_min = DEFAULT_CHILD_MIN_BYTES if child_min is None else int(child_min)
    if path.stat().st_size >= child_min:
        return parsing.messages_from_child(path, **options)
    return parsing.messages(path, **options)


def import_members(path, *, mode: str = ALL_OR_NOTHING, progress: Progress = _no_progress,
                   scope: Scope | None = None) -> dict:
    """Import the member sheet at ``path`` into the current tenant; returns the result
    (see :func:`_result`). Writes through the session; the caller commits."""
    errors = ErrorLog(ERROR_CAP)
    started = time.perf_counter()
    progress(1, "Opening the workbook")
    stream = _messages(path)
    try:
        return _import(stream, mode, progress, scope, errors, started)
    finally:
        stream.close()  # a child process reading the sheet is ended with it


def _import(stream: Iterator[tuple], mode: str, progress: Progress, scope: Scope | None,
            errors: ErrorLog, started: float) -> dict:
    first = next(stream)
    if first[0] == "invalid":
        _, row, problems, message = first
        for column, reason in problems:
            errors.add(row, column, reason)
        return _result(mode, errors, sheet=None, rows=0, message=message)
    _, title, present, header_row, declared = first
    expected = max((declared or 0) - header_row, 0)
    importer = _Importer(mode, scope or Scope.for_current_actor(), errors, present)
    total = 0
    file_error = None
    for message in stream:
        if message[0] == "rows":
            _, valid, bad, total = message
            for row, column, reason, value in bad:
                errors.add(row, column, reason, value)
            importer.add([Pending(*item) for item in valid])
            share = min(total / expected, 1) if expected else 0.5
            progress(2 + 90 * share, f"Read, checked and matched {total} rows")
        elif message[0] == "end":
            _, total, file_error = message
            if file_error:
                errors.add(None, None, file_error)
    progress(93, "Finishing")
    if file_error:
        importer.abandon()
        return _result(ALL_OR_NOTHING, errors, sheet=title, rows=total, mode_asked=mode,
                       message=f"Nothing was imported: {file_error}")
    importer.finish()
    log.info("import of %d rows (%s): %d new, %d updated, %d unchanged, %d errors in %.1f s",
             total, mode, importer.created, importer.updated, importer.unchanged, errors.count,
             time.perf_counter() - started)
    return _result(mode, errors, sheet=title, rows=total, created=importer.created,
                   updated=importer.updated, unchanged=importer.unchanged)


def _result(mode, errors: ErrorLog, *, sheet, rows, created=0, updated=0, unchanged=0,
            message=None, mode_asked=None) -> dict:
    written = not errors or mode == VALID_ROWS_ONLY
    if message is None:
        if not errors:
            message = f"Imported {rows} rows: {created} new, {updated} updated, {unchanged} unchanged."
        elif written:
            message = (f"Imported the valid rows: {created} new, {updated} updated, "
                       f"{unchanged} unchanged; {len(errors.bad_rows)} rows skipped "
                       f"({errors.count} errors).")
        else:
            bad = len(errors.bad_rows)
            what = "the file has errors" if not bad else f"{bad} row{'s have' if bad != 1 else ' has'} errors"
            message = f"Nothing was imported: {what} ({errors.count} in all)."
    return {
        "status": "imported" if written else "rejected",
        "mode": mode_asked or mode,
        "sheet": sheet,
        "rows": rows,
        "created": created if written else 0,
        "updated": updated if written else 0,
        "unchanged": unchanged if written else 0,
        "skipped_rows": len(errors.bad_rows),
        "error_count": errors.count,
        "errors": errors.entries(),
        "errors_truncated": errors.truncated,
        "errors_by_column": errors.columns(),
        "message": message,
    }


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Importer:
    """Takes batches of valid rows; matches and writes them (see the module docstring)."""

    def __init__(self, mode: str, scope: Scope, errors: ErrorLog, present: set[str]):
        self.mode, self.scope, self.errors = mode, scope, errors
        self.given = _given_fields(present)
        self.status_given = bool(present & {"status", LOST, MOBILE})
        self.first_row: dict[str, int] = {}  # ID number → the first row that had it
        self.by_code: dict[str, OrgRef] = {}
        self.by_name: dict[str, list[OrgRef]] = {}
        self.looked_up: set[str] = set()  # codes and names already queried
        # Kept for a rewrite (valid_rows_only only: all_or_nothing never writes again).
        self.creates: list[Pending] = []
        self.changes: list[Change] = []
        self.written: set[int] = set()  # rows written so far (valid_rows_only)
        self.wrote = False
        self.redo = False  # a written row turned bad: roll back and write again at the end
        self.outcomes: dict[int, str] = {}  # row → "created" / "updated" / "unchanged"
        self.created = self.updated = self.unchanged = 0
        self.now = utcnow()

    # -- per batch

    def add(self, batch: list[Pending]) -> None:
        batch = self._without_duplicates(batch)
        self._resolve_orgs(batch)
        batch = [p for p in batch if p.org is not None]
        creates, changes = self._match_existing(batch)
        self.outcomes.update((p.row, "created") for p in creates)
        self.outcomes.update((c.pending.row, "updated") for c in changes)
        keep = self.mode == VALID_ROWS_ONLY
        if keep:
            self.creates += creates
            self.changes += changes
        if self._writing():
            _insert(creates, self.now)
            _update(changes, self.now)
            self.wrote = self.wrote or bool(creates or changes)
            if keep:
                self.written.update(p.row for p in creates)
                self.written.update(c.pending.row for c in changes)

    def _writing(self) -> bool:
        return not (self.errors and self.mode == ALL_OR_NOTHING)

    def _without_duplicates(self, batch: list[Pending]) -> list[Pending]:
        for p in batch:
            number = p.record[ID_POSITION]
            first = self.first_row.get(number)
            if first is None:
                self.first_row[number] = p.row
                continue
            self.errors.add(p.row, ID_HEADER, f"The same ID number is also in row {first}.")
            self.errors.add(first, ID_HEADER, f"The same ID number is also in row {p.row}.")
            if first in self.written:
                self.redo = True
        return [p for p in batch if p.row not in self.errors.bad_rows]

    def _resolve_orgs(self, batch: list[Pending]) -> None:
        """Set ``p.org``: the code first, then the exact full name (an ambiguous name is an
        error). Organisations outside the scope are not found."""
        codes = {p.org_code for p in batch if p.org_code} | {p.org_name for p in batch if p.org_name}
        names = {p.org_name for p in batch if p.org_name}
        for values, column, target in ((codes, Organization.code, "code"), (names, Organization.name, "name")):
            todo = sorted(v for v in values if (target, v) not in self.looked_up)
            self.looked_up.update((target, v) for v in todo)
            for chunk in _chunks(todo):
                stmt = select(Organization.id, Organization.code, Organization.name,
                              Organization.path, Organization.status).where(column.in_(chunk))
                for row in db.session.execute(stmt):
                    org = OrgRef(*row)
                    if not self.scope.covers(org.path):
                        continue
                    if target == "code":
                        self.by_code[org.code] = org
                    else:
                        self.by_name.setdefault(org.name, []).append(org)
        for p in batch:
            p.org = self._org_for(p)

    def _org_for(self, p: Pending) -> OrgRef | None:
        errors = self.errors
        if p.org_code is not None:
            org = self.by_code.get(p.org_code)
            if org is None:
                errors.add(p.row, ORG_CODE_HEADER, f"Unknown organisation code {p.org_code!r}.",
                           shown_value(ORG_CODE_HEADER, p.org_code))
                return None
            if p.org_name is not None and p.org_name not in (org.name, org.code):
                errors.add(p.row, ORG_HEADER, f"Does not match {ORG_CODE_HEADER} {org.code} ({org.name}).",
                           shown_value(ORG_HEADER, p.org_name))
                return None
        else:
            org = self.by_code.get(p.org_name)
        if org is None:
            matches = self.by_name.get(p.org_name, [])
            active = [o for o in matches if o.status == ACTIVE_ORG]
            matches = active or matches  # a dissolved namesake does not make a name ambiguous
            if len(matches) > 1:
                errors.add(p.row, ORG_HEADER, f"{len(matches)} organisations are named "
                                              f"{p.org_name!r}; give the code ({ORG_CODE_HEADER}) instead.",
                           shown_value(ORG_HEADER, p.org_name))
                return None
            if not matches:
                errors.add(p.row, ORG_HEADER,
                           f"Unknown organisation {p.org_name!r} (neither a code nor a full name).",
                           shown_value(ORG_HEADER, p.org_name))
                return None
            org = matches[0]
        if org.status != ACTIVE_ORG:
            errors.add(p.row, ORG_HEADER if p.org_code is None else ORG_CODE_HEADER,
                       f"Organisation {org.code} ({org.name}) is {org.status}; members cannot join it.")
            return None
        return org

    def _match_existing(self, batch: list[Pending]) -> tuple[list[Pending], list[Change]]:
        """Split the rows into new members and changes to registered ones."""
        by_index: dict[str, Pending] = {}
        for p in batch:
            p.index = blind_index(p.record[ID_POSITION])
            by_index[p.index] = p
        # By the unique (tenant_id, id_number_index) index alone: joined to organisations,
        # the planner may walk every member of every organisation and test each against
        # the list.
        stmt = select(Member.id, Member.version, Member.id_number_index,
                      *[getattr(Member, f) for f in COMPARED])
        found: dict[str, tuple] = {}
        for chunk in _chunks(list(by_index)):
            for row in db.session.execute(stmt.where(Member.id_number_index.in_(chunk))):
                found[row.id_number_index] = row
        paths = {}
        for chunk in _chunks(sorted({row.org_id for row in found.values()})):
            paths.update(db.session.execute(
                select(Organization.id, Organization.path).where(Organization.id.in_(chunk))
            ).all())

        creates: list[Pending] = []
        changes: list[Change] = []
        for index, p in by_index.items():
            row = found.get(index)
            if row is None:
                creates.append(p)
                continue
            if not self.scope.covers(paths[row.org_id]):
                self.errors.add(p.row, ID_HEADER,
                                "This person is registered in an organisation outside your scope.")
                continue
            change = self._change(p, row)
            if change is None:
                self.outcomes[p.row] = "unchanged"
            elif change is not False:
                changes.append(change)
        return creates, changes

    def _change(self, p: Pending, row) -> Change | None | bool:
        """The change ``p`` makes to the stored ``row``; None: none; False: a bad change."""
        stored = {f: getattr(row, f) for f in COMPARED}
        loaded = record_dict(p.record)
        loaded["org_id"] = p.org.id
        merged = dict(stored)
        for f in self.given:
            merged[f] = loaded[f]
        if self.status_given:
            merged["status"] = loaded["status"]
        elif stored["status"] in ("probationary", "full"):
            merged["status"] = effective_status({**merged, "status": None})
        merged["id_number"] = loaded["id_number"]
        changed = {f: merged[f] for f in COMPARED if merged[f] != stored[f]}
        if not changed:
            return None
        problems = _change_problems(stored, merged, changed)
        if problems:
            for field, reasons in problems.items():
                for reason in reasons:
                    self.errors.add(p.row, FIELD_HEADERS.get(field, field), reason)
            return False
        return Change(p, row.id, row.version, changed, stored["org_id"], stored["status"],
                      merged["status"], merged)

    # -- at the end

    def abandon(self) -> None:
        """Write nothing after all (the sheet could not be read to its end)."""
        if self.wrote:
            db.session.rollback()  # the job's own writes only: the job row is committed

    def finish(self) -> None:
        bad = self.errors.bad_rows
        if self.errors and self.mode == ALL_OR_NOTHING:
            if self.wrote:
                db.session.rollback()  # the job's own writes only: the job row is committed
            return
        if self.redo:
            db.session.rollback()
            self.creates = [p for p in self.creates if p.row not in bad]
            self.changes = [c for c in self.changes if c.pending.row not in bad]
            self.now = utcnow()
            _insert(self.creates, self.now)
            _update(self.changes, self.now)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row, outcome in self.outcomes.items():
            if row not in bad:
                counts[outcome] += 1
        self.created, self.updated, self.unchanged = counts["created"], counts["updated"], counts["unchanged"]


def _given_fields(present: set[str]) -> set[str]:
    """Record fields a sheet with these columns sets on a stored member."""
    given = {f for f in present if f in RECORD_FIELDS}
    given |= {"birth_date", "gender"}  # always consistent with the (matched) ID number
    if present & {ORG, ORG_CODE}:
        given.add("org_id")
    if LOST in present:
        given |= {"lost_contact_since", "lost_contact_reason"}
    if MOBILE in present:
        given |= {"mobile_since", "mobile_destination"}
    given.discard("id_number")
    return given


def _change_problems(stored: dict, merged: dict, changed: dict) -> dict[str, list[str]]:
    """What is wrong with changing ``stored`` into ``merged``: the record's own rules, and
    those of the status and move actions (core.members.service)."""
    problems = check_record(merged)
    if "status" in changed and stored["status"] in FINAL_STATUSES:
        problems.setdefault("status", []).append(
            f"A {stored['status']} member's status cannot change."
        )
    if "org_id" in changed and stored["status"] not in ACTIVE_STATUSES:
        problems.setdefault("org_id", []).append(
            f"A {stored['status']} member cannot be moved to another organisation."
        )
    return problems


# -- writing ---------------------------------------------------------------------------------

# render_nulls: a None is sent as NULL instead of leaving the column out, so every row has the
# same columns and a chunk goes out as one executemany (not one statement per column set).
_BULK_INSERT_MEMBERS = insert(Member).execution_options(render_nulls=True)
_BULK_INSERT_EVENTS = insert(MemberEvent).execution_options(render_nulls=True)


def _actor() -> tuple[str, object]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor is not None else ("system", None)


def _event(member_id, kind: str, occurred_on: date, now, *, row: int, from_org_id=None,
           to_org_id=None, from_status=None, to_status=None) -> dict:
    label, user_id = _actor()
    return {
        "id": new_id(),
        "member_id": member_id,
        "kind": kind,
        "occurred_on": occurred_on,
        "reason": REASON,
        "from_org_id": from_org_id,
        "to_org_id": to_org_id,
        "from_status": from_status,
        "to_status": to_status,
        "details": {"source": "excel_import", "row": row},
        "actor_label": label,
        "actor_user_id": user_id,
        "created_at": now,
        "updated_at": now,
    }


def _insert(creates: list[Pending], now) -> None:
    """New members and their ``admitted`` events, in bulk."""
    tenant_id = current_tenant_id()
    for chunk in _chunks(creates, WRITE_CHUNK):
        members, events = [], []
        for p in chunk:
            values = record_dict(p.record)
            member_id = new_id()
            values.update(
                tenant_id=tenant_id,
                id=member_id,
                org_id=p.org.id,
                id_number_index=p.index,
                name_initials=name_initials(values["name"]),
                version=1,
                created_at=now,
                updated_at=now,
            )
            for flag in FLAGS:
                values[flag] = bool(values[flag])
            members.append(values)
            events.append(_event(member_id, "admitted", values["joined_on"], now, row=p.row,
                                 to_org_id=p.org.id, to_status=values["status"]))
        db.session.execute(_BULK_INSERT_MEMBERS, members)
        db.session.execute(_BULK_INSERT_EVENTS, events)


def _status_event_day(change: Change, today: date) -> tuple[str, date]:
    record, new = change.record, change.new_status
    if change.old_status == "probationary" and new == "full" and record.get("full_on"):
        return "converted", record["full_on"]
    if new == "lost_contact" and record.get("lost_contact_since"):
        return "status_changed", record["lost_contact_since"]
    if new == "mobile" and record.get("mobile_since"):
        return "status_changed", record["mobile_since"]
    return "status_changed", today


def _update(changes: list[Change], now) -> None:
    """Changed members by primary key (with their version), and events for moves and
    status changes."""
    if not changes:
        return
    tenant_id = current_tenant_id()
    today = date.today()
    params, events = [], []
    for change in changes:
        values = dict(change.values)
        if "name" in values:
            values["name_initials"] = name_initials(values["name"])
        values.update(tenant_id=tenant_id, id=change.member_id, version=change.version,
                      updated_at=now)
        params.append(values)
        row = change.pending.row
        if "org_id" in change.values:
            events.append(_event(change.member_id, "moved", today, now, row=row,
                                 from_org_id=change.old_org_id, to_org_id=change.values["org_id"],
                                 from_status=change.old_status, to_status=change.new_status))
        if "status" in change.values:
            kind, day = _status_event_day(change, today)
            org_id = change.record["org_id"]
            events.append(_event(change.member_id, kind, day, now, row=row,
                                 from_org_id=org_id, to_org_id=org_id,
                                 from_status=change.old_status, to_status=change.new_status))
    # Rows with the same changed columns go out as one executemany.
    params.sort(key=lambda p: tuple(sorted(p)))
    for chunk in _chunks(params, WRITE_CHUNK):
        db.session.execute(update(Member), chunk)
    for chunk in _chunks(events, WRITE_CHUNK):
        db.session.execute(_BULK_INSERT_EVENTS, chunk)
