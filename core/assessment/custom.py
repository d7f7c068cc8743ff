"""A tenant's own simple indicators (自定义指标), added by a tenant administrator without code.

Two kinds:

* ``manual`` — an assessor enters the score during review (0 … the item's points, with a
  reason); nothing is measured.
* ``threshold`` — a number an organisation keeps in its sector attributes
  (``Organization.attributes[attribute]``, e.g. ``collective_income_wan``) compared with a
  target: ``>=`` ("at least") or ``<=`` ("at most"). Only numbers count (a JSON number or a
  numeric text); a missing or non-numeric value is "no data" and its evidence says which.

The key is ``custom.<slug>``. What an indicator measures — ``scoring``, ``attribute`` and
``op`` — is fixed once created, so a frozen standard version that uses it keeps meaning the
same thing; name, description, unit, default target and points may change, and an indicator
may be deactivated: it then stays resolvable for the versions that hold it but cannot be
added to a standard any more.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api.errors import ApiError, describe_errors
from core.assessment.indicators import CENT, ORG_KINDS, Indicator, Measurement
from core.assessment.models.standards import CustomIndicator
from core.db import db

PREFIX = "custom."
SCORINGS = ("manual", "threshold")
OPS = (">=", "<=")
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MUTABLE = ("name", "description", "unit", "active", "target", "max_points")
IMMUTABLE = ("slug", "key", "scoring", "attribute", "op", "sectors", "kinds")


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _number(raw) -> Decimal | None:
    """``raw`` as a finite Decimal when it is a number or numeric text, else ``None``."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float | Decimal | str):
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _attribute_measure(attribute: str):
    """A set-based ``measure``: one query reading every measured organisation's attributes."""

    def measure(ctx):
        from core.orgs.models import Organization

        rows = db.session.execute(
            select(Organization.id, Organization.attributes).where(Organization.id.in_(ctx.orgs))
        )
        found = {}
        for org_id, attributes in rows:
            raw = (attributes or {}).get(attribute)
            number = _number(raw)
            if number is not None:
                found[org_id] = Measurement(number, evidence={"attribute": attribute, "note": ""})
                continue
            if raw is None or raw == "":
                note = f"（未填写 {attribute}，无数据）"
            else:
                note = f"（{attribute} 的值“{str(raw)[:40]}”不是数值，无数据）"
            found[org_id] = Measurement(None, evidence={"attribute": attribute, "note": note})
        return found

    measure.__name__ = f"measure_attribute_{attribute}"
    return measure


def _params_schema(row: CustomIndicator) -> type[Schema]:
    target = Decimal(row.target) if row.target is not None else Decimal(0)
    return Schema.from_dict(
        {
            "target": fields.Decimal(load_default=target, as_string=True, allow_nan=False,
                                     metadata={"description": "目标值"}),
            "op": fields.Str(load_default=row.op, validate=validate.OneOf([row.op]),
                             metadata={"description": "比较方式（创建后不可更改）"}),
        },
        name="CustomThresholdParams",
    )


def indicator_for(row: CustomIndicator) -> Indicator:
    """The :class:`Indicator` a custom indicator row stands for."""
    common = dict(
        key=row.key, name=row.name, max_points=float(Decimal(row.max_points)),
        sectors=tuple(row.sectors or ()), kinds=tuple(row.kinds or ()), unit=row.unit or "",
        description=row.description or "",
    )
    if row.scoring == "manual":
        return Indicator(scoring="manual", reads="评分人评定", **common)
    return Indicator(
        scoring="threshold", measure=_attribute_measure(row.attribute), params=_params_schema(row),
        reads=f"党组织属性 {row.attribute}",
        explain=f"{_escape(row.name)}：{{value}}{{unit}}{{note}}", **common,
    )


def custom_indicators() -> dict[str, Indicator]:
    """The current tenant's custom indicators, active and inactive, by key (one query)."""
    rows = db.session.scalars(select(CustomIndicator).order_by(CustomIndicator.key))
    return {row.key: indicator_for(row) for row in rows}


def inactive_keys() -> set[str]:
    """Keys of the tenant's deactivated custom indicators (one query)."""
    return set(db.session.scalars(
        select(CustomIndicator.key).where(CustomIndicator.active.is_(False))
    ))


def list_custom(active_only: bool = False) -> list[CustomIndicator]:
    stmt = select(CustomIndicator).order_by(CustomIndicator.key)
    if active_only:
        stmt = stmt.where(CustomIndicator.active.is_(True))
    return list(db.session.scalars(stmt))


def get_custom(key: str) -> CustomIndicator | None:
    if not isinstance(key, str) or not key.startswith(PREFIX) or not SLUG.match(key[len(PREFIX):]):
        return None  # not a key that could exist (and nothing odd reaches the database)
    return db.session.scalar(select(CustomIndicator).where(CustomIndicator.key == key))


# -- validation ----------------------------------------------------------------------------


def _error(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(raw, field: str, errors: dict) -> Decimal | None:
    number = _number(raw)
    if number is None:
        _error(errors, field, "Not a valid number.")
    return number


def _points(raw, errors: dict) -> str | None:
    points = _decimal(raw, "max_points", errors)
    if points is None:
        return None
    if points <= 0 or points > 100:
        _error(errors, "max_points", "Must be greater than 0 and at most 100.")
    elif points != points.quantize(CENT):
        _error(errors, "max_points", "At most two decimal places.")
    else:
        return str(points.quantize(CENT))
    return None


def _text(raw, field: str, errors: dict, *, required: bool, limit: int) -> str | None:
    if raw is None:
        if required:
            _error(errors, field, "Missing data for required field.")
        return None
    if not isinstance(raw, str) or (required and not raw.strip()):
        _error(errors, field, "Not a valid string." if not isinstance(raw, str)
               else "Missing data for required field.")
        return None
    raw = raw.strip()
    if "\x00" in raw:
        _error(errors, field, "Contains a NUL character.")
        return None
    if len(raw) > limit:
        _error(errors, field, f"Longer than maximum length {limit}.")
        return None
    return raw


def _refuse_if(errors: dict, message: str) -> None:
    if errors:
        raise ApiError(422, f"{message}: {describe_errors(errors)}", errors)


def create_custom(*, slug, name, scoring, max_points, attribute=None, op=">=", target=None,
                  sectors=(), kinds=(), unit="", description=None) -> CustomIndicator:
    """A new custom indicator ``custom.<slug>`` (422 naming each bad field; 409 ``slug``
    when the key exists). Flushed; the caller commits."""
    errors: dict[str, list] = {}
    if not isinstance(slug, str) or not SLUG.match(slug):
        _error(errors, "slug", "2–60 lowercase letters, digits or _, starting with a letter.")
    name = _text(name, "name", errors, required=True, limit=200)
    unit = _text(unit if unit is not None else "", "unit", errors, required=False, limit=16) or ""
    if description is not None:
        description = _text(description, "description", errors, required=False, limit=5000)
    if scoring not in SCORINGS:
        _error(errors, "scoring", f"Must be one of: {', '.join(SCORINGS)}.")
    points = _points(max_points, errors)
    stored_target = None
    if scoring == "threshold":
        if not isinstance(attribute, str) or not ATTRIBUTE.match(attribute):
            _error(errors, "attribute", "The name of a sector attribute (letters, digits, _).")
        if op not in OPS:
            _error(errors, "op", f"Must be one of: {', '.join(OPS)}.")
        if target is None:
            _error(errors, "target", "Missing data for required field.")
        else:
            number = _decimal(target, "target", errors)
            stored_target = str(number) if number is not None else None
    elif scoring == "manual":
        for field, value in (("attribute", attribute), ("target", target)):
            if value is not None:
                _error(errors, field, "A manual indicator measures nothing: leave it out.")
        op = ">="
    sector_list = _sectors(sectors, errors)
    kind_list = _kinds(kinds, errors)
    _refuse_if(errors, "Invalid custom indicator")
    key = PREFIX + slug
    from core.assessment.registry import all_indicators

    if get_custom(key) is not None or key in all_indicators():
        raise ApiError(409, f"Indicator {key} already exists.", {"slug": ["This key is taken."]})
    row = CustomIndicator(
        key=key, name=name, scoring=scoring, attribute=attribute if scoring == "threshold" else None,
        op=op, target=stored_target, max_points=points, sectors=sector_list, kinds=kind_list,
        unit=unit, description=description, active=True,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _sectors(sectors, errors: dict) -> list[str]:
    if sectors is None:
        return []
    if isinstance(sectors, str) or not isinstance(sectors, list | tuple):
        _error(errors, "sectors", "Not a valid list.")
        return []
    from core.orgs.sectors import enabled_sector_keys

    known = enabled_sector_keys()
    for n, sector in enumerate(sectors):
        if not isinstance(sector, str) or sector not in known:
            _error(errors, f"sectors.{n}", "Unknown sector (not provided by an enabled plugin).")
    return list(dict.fromkeys(s for s in sectors if isinstance(s, str)))


def _kinds(kinds, errors: dict) -> list[str]:
    if kinds is None:
        return []
    if isinstance(kinds, str) or not isinstance(kinds, list | tuple):
        _error(errors, "kinds", "Not a valid list.")
        return []
    for n, kind in enumerate(kinds):
        if kind not in ORG_KINDS:
            _error(errors, f"kinds.{n}", f"Must be one of: {', '.join(ORG_KINDS)}.")
    return list(dict.fromkeys(k for k in kinds if k in ORG_KINDS))


def update_custom(key: str, **changes) -> CustomIndicator:
    """Change a custom indicator's name, description, unit, default target or points, or
    (de)activate it. What it measures cannot change (422 naming the field). 404 when the
    tenant has no such indicator. Flushed; the caller commits."""
    row = get_custom(key)
    if row is None:
        raise ApiError(404, f"custom indicator {key} not found")
    errors: dict[str, list] = {}
    for field in changes:
        if field in IMMUTABLE:
            _error(errors, field, "Cannot be changed after creation.")
        elif field not in MUTABLE:
            _error(errors, field, "Unknown field.")
    values: dict = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], "name", errors, required=True, limit=200)
    if "description" in changes:
        values["description"] = _text(changes["description"], "description", errors,
                                      required=False, limit=5000)
    if "unit" in changes:
        values["unit"] = _text(changes["unit"] if changes["unit"] is not None else "", "unit",
                               errors, required=False, limit=16) or ""
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            _error(errors, "active", "Not a valid boolean.")
        else:
            values["active"] = changes["active"]
    if "max_points" in changes:
        values["max_points"] = _points(changes["max_points"], errors)
    if "target" in changes:
        if row.scoring != "threshold":
            _error(errors, "target", "A manual indicator has no target.")
        else:
            number = _decimal(changes["target"], "target", errors)
            values["target"] = str(number) if number is not None else None
    _refuse_if(errors, "Invalid change")
    for field, value in values.items():
        setattr(row, field, value)
    db.session.flush()
    return row
