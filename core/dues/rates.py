"""The dues rates: national brackets on monthly after-tax pay, overridable per tenant.

Boundaries: every bracket's upper bound is **inclusive** — "3000 以下（含3000）0.5%，
3000–5000（含5000）1%，5000–10000（含10000）1.5%，10000 以上 2%". So 3,000.00 pays 0.5%,
3,000.01 pays 1%. A bracket's rate applies to the whole base (not progressively), and the
amount is rounded half-up to the fen.

Which rates apply comes from the member's flags, first match wins:

1. a fixed amount on the member's dues base (a special case with a reason);
2. ``is_retired`` → the retiree brackets (on the pension);
3. ``is_farmer`` → ``farmer_amount`` a month;
4. ``is_student`` → ``student_amount``;
5. ``is_unemployed`` → ``unemployed_amount``;
6. otherwise in service → the in-service brackets.

Rates are percent (``"0.5"`` is 0.5%). The national defaults are the schema's
``load_default``s; a tenant administrator overrides any of them (``PUT /api/v1/dues/rates``),
the result is validated as a whole (bounds ascending, the last bracket open-ended, rates
0–100%) and stored in :class:`~core.dues.models.DuesSettings`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Range
from sqlalchemy import select

from core.api.errors import ApiError, describe_errors
from core.db import db, versioning
from core.dues.models import DuesSettings
from core.dues.schemas import Month

FEN = Decimal("0.01")
CATEGORIES = ("fixed", "retired", "farmer", "student", "unemployed", "in_service")


def _brackets(*pairs) -> list[dict]:
    return [{"up_to": None if up is None else Decimal(up), "rate": Decimal(rate)} for up, rate in pairs]


def _default_in_service():
    return _brackets(("3000", "0.5"), ("5000", "1"), ("10000", "1.5"), (None, "2"))


def _default_retired():
    return _brackets(("5000", "0.5"), (None, "1"))


class BracketSchema(Schema):
    """One bracket: pay up to ``up_to`` yuan (inclusive; null: no upper bound) pays ``rate`` %."""

    class Meta:
        unknown = RAISE

    up_to = fields.Decimal(required=True, allow_none=True, as_string=True,
                           validate=Range(min=0, min_inclusive=False))
    rate = fields.Decimal(required=True, as_string=True, validate=Range(min=0, max=100))


def _check_brackets(brackets: list[dict]) -> list[str]:
    """Why a bracket list is unusable (empty list: it is fine)."""
    if not brackets:
        return ["At least one bracket is needed."]
    if brackets[-1]["up_to"] is not None:
        return ["The last bracket must have no upper bound (up_to null)."]
    bounds = [b["up_to"] for b in brackets[:-1]]
    if any(b is None for b in bounds):
        return ["Only the last bracket may have no upper bound."]
    if any(lower >= upper for lower, upper in zip(bounds, bounds[1:], strict=False)):
        return ["Upper bounds must be strictly ascending."]
    return []


class DuesRatesSchema(Schema):
    """The effective rates of a tenant (national defaults unless overridden)."""

    class Meta:
        unknown = RAISE

    in_service = fields.List(fields.Nested(BracketSchema), load_default=_default_in_service)
    retired = fields.List(fields.Nested(BracketSchema), load_default=_default_retired)
    # 农民党员: 0.2–1 yuan a month (national range); default 0.20.
    farmer_amount = fields.Decimal(as_string=True, places=2, rounding=ROUND_HALF_UP, load_default=Decimal("0.20"),
                                   validate=Range(min=Decimal("0.2"), max=Decimal("1")))
    student_amount = fields.Decimal(as_string=True, places=2, rounding=ROUND_HALF_UP, load_default=Decimal("0.20"),
                                    validate=Range(min=0, max=1000))
    unemployed_amount = fields.Decimal(as_string=True, places=2, rounding=ROUND_HALF_UP, load_default=Decimal("0.20"),
                                       validate=Range(min=0, max=1000))
    # How many months back a payment may be recorded without a tenant_admin override.
    back_payment_months = fields.Int(load_default=6, validate=Range(min=0, max=120))
    # How many months ahead (after the current one) a member may pay in advance.
    advance_months = fields.Int(load_default=12, validate=Range(min=0, max=60))
    # Months before this one never count as arrears (when records start on the platform).
    arrears_from = Month(load_default=None, allow_none=True)

    @validates_schema
    def _brackets_usable(self, data, **kwargs):
        errors = {}
        for key in ("in_service", "retired"):
            if key in data:
                problems = _check_brackets(data[key])
                if problems:
                    errors[key] = problems
        if errors:
            raise ValidationError(errors)


def _load(values: dict) -> dict:
    try:
        loaded = DuesRatesSchema().load(values)
    except ValidationError as exc:
        raise ApiError(422, f"Invalid dues rates: {describe_errors(exc.messages)}", exc.messages) from None
    return loaded


def _settings_row() -> DuesSettings | None:
    return db.session.scalar(select(DuesSettings))


def effective_rates() -> dict:
    """The current tenant's rates: the national defaults with its overrides, validated."""
    row = _settings_row()
    return _load(dict(row.overrides or {}) if row is not None else {})


def set_overrides(overrides: dict, expected_version: int | None = None) -> dict:
    """Replace the current tenant's overrides (keys not given fall back to the national
    defaults) after validating the result; returns the effective rates. Callers commit.

    ``expected_version`` is the rates' ``version`` the caller read (0: never overridden):
    another one — someone changed the rates since — is a 409 naming ``version``."""
    loaded = _load(overrides)
    stored = DuesRatesSchema(only=tuple(overrides)).dump(loaded) if overrides else {}
    row = _settings_row()
    versioning.check_row_version(row, expected_version, "dues rates")
    if row is None:
        row = DuesSettings(overrides=stored)
        db.session.add(row)
    else:
        row.overrides = stored
    versioning.flush_first_write("dues rates")
    return loaded


def rates_version() -> int:
    """The version of the tenant's overrides (0: never set), for a compare-and-set."""
    return versioning.current_version(_settings_row())


def category(member, fixed: bool = False) -> str:
    """Which rates apply to ``member`` (see the module docstring for the precedence)."""
    if fixed:
        return "fixed"
    if member.is_retired:
        return "retired"
    if member.is_farmer:
        return "farmer"
    if member.is_student:
        return "student"
    if member.is_unemployed:
        return "unemployed"
    return "in_service"


def needs_base(kind: str) -> bool:
    return kind in ("retired", "in_service")


def bracket_rate(brackets: list[dict], base: Decimal) -> Decimal:
    """The rate (percent) of the bracket ``base`` falls in (upper bounds inclusive)."""
    for bracket in brackets:
        if bracket["up_to"] is None or base <= bracket["up_to"]:
            return bracket["rate"]
    raise ValueError("brackets without an open-ended last bracket")


def amount(kind: str, base: Decimal | None, rates: dict, fixed: Decimal | None = None) -> Decimal:
    """The monthly dues for rates category ``kind`` on ``base``, rounded half-up to the fen."""
    if kind == "fixed":
        return Decimal(fixed).quantize(FEN, ROUND_HALF_UP)
    if kind in ("farmer", "student", "unemployed"):
        return Decimal(rates[f"{kind}_amount"]).quantize(FEN, ROUND_HALF_UP)
    if base is None:
        raise ValueError("a base is needed for this category")
    base = Decimal(base)
    brackets = rates["retired" if kind == "retired" else "in_service"]
    return (base * bracket_rate(brackets, base) / Decimal(100)).quantize(FEN, ROUND_HALF_UP)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from ``first`` to ``last`` (0 for the same month; negative if before)."""
    return (last.year - first.year) * 12 + last.month - first.month
