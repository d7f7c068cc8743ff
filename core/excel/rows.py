"""One sheet row → one member record, or the reasons it is not one.

:func:`read_row` converts each cell (:mod:`core.excel.cells`), turns 是否失联 / 是否流动党员
into the status, and loads the result through
:class:`~core.members.validation.MemberImportSchema` — the same rules the API applies — so an
import accepts exactly what a person could enter by hand. Errors name the column by its
Chinese header and quote the cell's value (:func:`core.excel.errors.shown_value`: ID
numbers, phones and addresses masked). A cell that cannot be read is reported once, by its
own reason, not again by the schema.

The organisation is resolved later for all rows at once (:mod:`core.excel.importer`), so the
schema sees a placeholder ``org_id`` here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from marshmallow import ValidationError

from core.excel import cells
from core.excel.columns import (
    BY_FIELD,
    CHOICE,
    DATE,
    FLAG,
    ID_NUMBER,
    LOST,
    MOBILE,
    ORG,
    ORG_CODE,
    PHONE,
    Column,
)
from core.excel.errors import shown_value
from core.members.validation import RECORD_FIELDS, MemberImportSchema

PLACEHOLDER_ORG = uuid.UUID(int=0)
# Which column a schema error about a record field is shown under.
FIELD_HEADERS = {field: column.header for field, column in BY_FIELD.items()}
FIELD_HEADERS["org_id"] = BY_FIELD[ORG].header
STATUS_HEADER = BY_FIELD["status"].header
_NOT_FIELDS = {ORG, ORG_CODE, LOST, MOBILE}
_schema = MemberImportSchema()


@dataclass
class RowResult:
    values: dict | None  # the loaded record (org_id still the placeholder), or None when bad
    org_code: str | None
    org_name: str | None
    errors: list[tuple[str, str, str | None]]  # (header, reason, the cell as quoted)


def _cell(column: Column, raw):
    if column.kind == DATE:
        return cells.parse_date(raw)
    if column.kind == FLAG:
        return cells.flag(raw)
    if column.kind == ID_NUMBER:
        return cells.id_number(raw)
    if column.kind == PHONE:
        return cells.phone(raw)
    if column.field == ORG_CODE:
        return cells.code(raw)
    value = cells.text(raw, max_length=column.max_length)
    if column.kind == CHOICE and value is not None and column.vocabulary.code(value) is None:
        allowed = "、".join(column.vocabulary.labels.values())
        raise cells.CellError(f"{value!r} is not one of: {allowed}.")
    return value


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for nested in value.values() for m in _messages(nested)]
    if isinstance(value, (list, tuple)):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def read_row(raw: dict) -> RowResult:
    """Validate one row (``{field: raw cell}`` for the columns the sheet has)."""
    result = _read_row(raw)
    if result.errors:
        cell = {BY_FIELD[field].header: value for field, value in raw.items()}
        result.errors = [(header, reason, shown_value(header, cell.get(header)))
                         for header, reason in result.errors]
    return result


def _read_row(raw: dict) -> RowResult:
    errors: list[tuple[str, str]] = []
    failed: set[str] = set()
    values: dict = {}
    for field, value in raw.items():
        column = BY_FIELD[field]
        try:
            values[field] = _cell(column, value)
        except cells.CellError as exc:
            errors.append((column.header, exc.reason))
            failed.add(field)

    org_code = values.pop(ORG_CODE, None)
    org_name = values.pop(ORG, None)
    if org_code is None and org_name is None and not failed & {ORG, ORG_CODE}:
        errors.append((BY_FIELD[ORG].header, "Required; give the organisation's code or full name."))
    _status_from_flags(values, errors, failed)

    # A blank 是/否 cell means 否 (the schema's default), not "unknown".
    record = {
        k: v for k, v in values.items()
        if k not in _NOT_FIELDS and not (v is None and BY_FIELD[k].kind == FLAG)
    }
    for column_field in ("name", "id_number", "ethnicity", "joined_on"):
        if column_field not in failed and record.get(column_field) is None:
            errors.append((BY_FIELD[column_field].header, "Required; the cell is empty."))
            failed.add(column_field)
    if "status" in failed:  # their consistency depends on the status, which is not known
        failed |= {"lost_contact_since", "lost_contact_reason", "mobile_since", "mobile_destination"}
    for field in failed:
        record.pop(field, None)
    record["org_id"] = PLACEHOLDER_ORG
    try:
        loaded = _schema.load(record)
    except ValidationError as exc:
        for field, reasons in sorted(exc.normalized_messages().items()):
            if field in failed or field == "org_id":
                continue
            header = FIELD_HEADERS.get(field, STATUS_HEADER if field == "_schema" else field)
            for reason in _messages(reasons):
                errors.append((header, reason))
        loaded = None
    if errors:
        return RowResult(None, org_code, org_name, errors)
    return RowResult(loaded, org_code, org_name, errors)


def _status_from_flags(values: dict, errors: list, failed: set) -> None:
    """是否失联 = 是 makes the status ``lost_contact``, 是否流动党员 = 是 ``mobile``; the
    党籍状态 cell may then say 预备/正式党员 (the standing before), or the same status."""
    lost, mobile = values.pop(LOST, None), values.pop(MOBILE, None)
    if "status" in failed:
        return
    stated = BY_FIELD["status"].vocabulary.code(values["status"]) if values.get("status") else None
    if lost and mobile:
        errors.append((BY_FIELD[MOBILE].header, "A member cannot be both lost contact (是否失联) and mobile."))
        failed.add("status")
        return
    for flag_value, status, column in ((lost, "lost_contact", LOST), (mobile, "mobile", MOBILE)):
        header = BY_FIELD[column].header
        if flag_value:
            if stated not in (None, "probationary", "full", status):
                errors.append((STATUS_HEADER, f"Conflicts with {header} = 是."))
                failed.add("status")
                return
            values["status"] = status
            full_on = BY_FIELD["full_on"].header
            if stated == "full" and values.get("full_on") is None and "full_on" not in failed:
                errors.append((full_on, "A full member needs the date of becoming full member."))
            if stated == "probationary" and values.get("full_on") is not None:
                errors.append((full_on, "A probationary member has no date of becoming full member yet."))
            return
        if flag_value is False and stated == status:
            errors.append((header, f"Says 否, but 党籍状态 is {BY_FIELD['status'].vocabulary.label(status)}."))
            failed.add("status")
            return


def record_tuple(values: dict) -> tuple:
    """A loaded record in :data:`RECORD_FIELDS` order (compact, for holding many rows)."""
    return tuple(values.get(name) for name in RECORD_FIELDS)


def record_dict(row: tuple) -> dict:
    return dict(zip(RECORD_FIELDS, row, strict=True))
