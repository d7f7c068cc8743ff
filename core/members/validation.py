"""What a member record must satisfy, in one schema the API and the Excel import share.

:class:`MemberInputSchema` loads one complete record (an API body, or one sheet row through
:class:`MemberImportSchema`, which first turns Chinese labels into codes). Field rules live on
the fields; rules between fields live in :func:`check_record`, which an update also runs on
the stored record merged with the change. Every error names the field it is about.

Decisions worth knowing:

* ``birth_date`` and ``gender`` may be left out: they are then read from the ID number. When
  given, they must agree with it (the error names ``birth_date`` / ``gender``).
* ``joined_on`` (入党, became probationary) must be at least 18 full years after birth — the
  Party Constitution's minimum age for an applicant, so the admission is necessarily later — and
  not in the future. Someone born on 29 February completes 18 years on 1 March.
* ``full_on`` (转正) may not precede ``joined_on``. Probation is normally one year, but old
  records hold other periods (earlier rules, extended probation), so any date on or after
  ``joined_on`` is accepted rather than guessed at. ``status`` ``full`` requires ``full_on``;
  ``probationary`` forbids it. Without a status, a record with ``full_on`` is ``full``, one
  without is ``probationary``.
* ``lost_contact_since`` and ``lost_contact_reason`` are required together when the status is
  ``lost_contact`` and refused otherwise (a member who is found again is no longer lost; the
  history keeps when they were). ``mobile_since`` / ``mobile_destination`` likewise for
  ``mobile``.
"""

from __future__ import annotations

import datetime as dt
import re

import marshmallow as ma
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from core.members.ethnicities import ETHNICITY_VALUES
from core.members.idcard import EARLIEST_BIRTH, IdNumberError, parse_id_number
from core.members.labels import codes_from_labels
from core.members.models import EDUCATION_LEVELS, GENDERS, LOST_CONTACT_REASONS, STATUSES

MIN_AGE = 18
NAME_MAX = 50
# Han characters (basic, extension A, compatibility, extensions B–G), Latin letters, the
# middle dot of transliterated names (阿依古丽·买买提) and spaces between Latin words.
_NAME_RE = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z·]"
    r"(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z· ]*"
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134fA-Za-z])?$"
)
_DOTS = re.compile(r"[•・．.]")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code (010 and 02x have three digits, every other one four), a 7–8 digit number, an
# optional extension.
LANDLINE_RE = re.compile(r"^(0[12]\d|0[3-9]\d{2})-?([2-9]\d{6,7})(?:-(\d{1,6}))?$")
_LATIN = "A-Za-z"


def normalize_name(raw: str) -> str:
    """Trimmed; whitespace kept only between two Latin letters (``John Smith``, but
    ``李 四`` → ``李四``); middle-dot variants unified to ``·``."""
    name = _DOTS.sub("·", re.sub(r"\s+", " ", raw.strip()))
    return re.sub(rf"(?<![{_LATIN}]) | (?![{_LATIN}])", "", name)


def normalize_phone(raw) -> str:
    """A mainland mobile ``13812345678`` or a landline ``025-83001234[-12]``; spaces, dots
    and a ``+86`` prefix are dropped. Raises ValidationError otherwise."""
    value = re.sub(r"[\s.()（）]", "", str(raw))
    value = re.sub(r"^(?:\+?86)(?=1\d{10}$)", "", value)
    if MOBILE_RE.match(value):
        return value
    landline = LANDLINE_RE.match(value)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        "Not a mainland mobile number (11 digits, 1[3-9]…) or a landline with its area code."
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 1 March in a common year (the
    anniversary has not passed on 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


class Text(fields.Str):
    """A trimmed string; blank means absent (None), refused where None is not allowed."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and not self.allow_none:
            raise ValidationError("Must not be blank.")
        return text or None

    def _validate(self, value):
        if value is not None:  # blank became None: nothing left to check
            super()._validate(value)


class Name(fields.Str):
    def _deserialize(self, value, attr, data, **kwargs):
        name = normalize_name(super()._deserialize(value, attr, data, **kwargs))
        if not name:
            raise ValidationError("Name is required.")
        if len(name) > NAME_MAX:
            raise ValidationError(f"Name must have at most {NAME_MAX} characters.")
        if not _NAME_RE.match(name):
            raise ValidationError("Name may contain Chinese characters, letters, spaces and ·.")
        return name


class Day(fields.Date):
    """An ISO date; a ``datetime`` (what a spreadsheet cell holds) is taken as its date."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        return super()._deserialize(value, attr, data, **kwargs)


class IdNumberField(fields.Str):
    """A resident ID number, normalised (upper-case ``X``); the error says what is wrong."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_id_number(raw).normalized
        except IdNumberError as exc:
            raise ValidationError(exc.reason) from None


class Phone(Text):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        raw = super()._deserialize(value, attr, data, **kwargs)
        return normalize_phone(raw) if raw else None


def _not_future(what: str):
    def check(value: dt.date) -> None:
        if value > dt.date.today():
            raise ValidationError(f"{what} cannot be in the future.")

    return check


def _not_before_1900(value: dt.date) -> None:
    if value < EARLIEST_BIRTH:
        raise ValidationError("Birth date cannot be before 1900.")


class MemberFieldsSchema(ma.Schema):
    """Each field's own rules (no rule between fields): the shape a PATCH is checked with."""

    org_id = fields.UUID(required=True)
    name = Name(required=True)
    gender = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(GENDERS))
    ethnicity = fields.Str(
        required=True,
        validate=validate.OneOf(
            sorted(ETHNICITY_VALUES), error="Not one of the 56 ethnic groups' standard names or 其他."
        ),
    )
    birth_date = Day(
        load_default=None, allow_none=True,
        validate=[_not_future("Birth date"), _not_before_1900],
    )
    id_number = IdNumberField(required=True)
    phone = Phone(load_default=None, allow_none=True)
    address = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    education = fields.Str(
        load_default=None, allow_none=True, validate=validate.OneOf(EDUCATION_LEVELS)
    )
    job = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))
    work_unit = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    joined_on = Day(required=True, validate=_not_future("Date of joining"))
    full_on = Day(load_default=None, allow_none=True, validate=_not_future("Date of becoming full member"))
    status = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    is_retired = fields.Bool(load_default=False)
    is_farmer = fields.Bool(load_default=False)
    is_student = fields.Bool(load_default=False)
    is_unemployed = fields.Bool(load_default=False)
    community_registered = fields.Bool(load_default=False)
    lost_contact_since = Day(load_default=None, allow_none=True, validate=_not_future("Lost-contact date"))
    lost_contact_reason = fields.Str(
        load_default=None, allow_none=True, validate=validate.OneOf(LOST_CONTACT_REASONS)
    )
    mobile_since = Day(load_default=None, allow_none=True, validate=_not_future("Mobile-since date"))
    mobile_destination = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))


# Every field a stored member record has that the schema loads.
RECORD_FIELDS = tuple(MemberFieldsSchema().fields)


def effective_status(values: dict) -> str:
    """The given status, or the one the dates imply (``full`` once ``full_on`` is known)."""
    return values.get("status") or ("full" if values.get("full_on") else "probationary")


def check_record(values: dict) -> dict[str, list[str]]:
    """Rules between fields, on a record whose fields each passed their own rules.

    ``values`` maps field names to loaded values (absent keys count as None). Returns the
    errors by field name; empty when the record is consistent.
    """
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    birth = values.get("birth_date")
    if values.get("id_number"):
        try:
            parsed = parse_id_number(values["id_number"])
        except IdNumberError as exc:
            error("id_number", exc.reason)
        else:
            if birth is not None and birth != parsed.birth_date:
                error("birth_date", f"Does not agree with the ID number ({parsed.birth_date.isoformat()}).")
            birth = parsed.birth_date
            gender = values.get("gender")
            if gender is not None and gender != parsed.gender:
                error("gender", f"Does not agree with the ID number ({parsed.gender}).")
    if birth is None and "id_number" not in errors:
        error("birth_date", "Birth date is required (or an ID number to read it from).")

    joined = values.get("joined_on")
    if joined is not None and birth is not None and joined < add_years(birth, MIN_AGE):
        error("joined_on", f"A member joins at {MIN_AGE} or older: not before {add_years(birth, MIN_AGE).isoformat()}.")

    status = effective_status(values)
    full_on = values.get("full_on")
    if full_on is not None and joined is not None and full_on < joined:
        error("full_on", "Cannot be before the date of joining.")
    if status == "full" and full_on is None:
        error("full_on", "A full member needs the date of becoming full member.")
    if status == "probationary" and full_on is not None:
        error("full_on", "A probationary member has no date of becoming full member yet.")

    _paired(values, status, "lost_contact", ("lost_contact_since", "lost_contact_reason"), error)
    _paired(values, status, "mobile", ("mobile_since", "mobile_destination"), error)
    for name in ("lost_contact_since", "mobile_since"):
        since = values.get(name)
        if since is not None and joined is not None and since < joined:
            error(name, "Cannot be before the date of joining.")
    return errors


def _paired(values, status, needs_status, names, error) -> None:
    for name in names:
        if status == needs_status and values.get(name) is None:
            error(name, f"Required when the status is {needs_status}.")
        if status != needs_status and values.get(name) is not None:
            error(name, f"Only for a member whose status is {needs_status}.")


def complete_record(values: dict) -> dict:
    """``values`` with what the record implies filled in: birth date and gender from the ID
    number, and the status from the dates."""
    parsed = parse_id_number(values["id_number"])
    if values.get("birth_date") is None:
        values["birth_date"] = parsed.birth_date
    if values.get("gender") is None:
        values["gender"] = parsed.gender
    values["status"] = effective_status(values)
    return values


class MemberInputSchema(MemberFieldsSchema):
    """One complete member record (create). Loads to a dict ready for
    :func:`core.members.service.create_member`; errors name the field."""

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = check_record(data)
        if errors:
            raise ValidationError(errors)

    @post_load
    def _complete(self, data, **kwargs):
        return complete_record(data)


class MemberImportSchema(MemberInputSchema):
    """The same record from a spreadsheet row: Chinese labels (男, 大学本科, 正式党员, 是/否,
    汉 …) become codes first, blank cells count as empty. Dates in cells may be
    ``datetime`` values or ISO strings; anything else is the importer's to convert."""

    @pre_load
    def _codes(self, data, **kwargs):
        return codes_from_labels(data) if isinstance(data, dict) else data


class MemberPatchSchema(MemberFieldsSchema):
    """A change to a stored record: any subset of its fields, plus the ``version`` it was
    read at (optimistic lock). Organisation and status change through their own actions
    (move, status change), which leave history."""

    class Meta:
        exclude = ("org_id", "status")

    version = fields.Int(required=True, validate=validate.Range(min=1))


PATCHABLE_FIELDS = tuple(f for f in RECORD_FIELDS if f not in ("org_id", "status"))
