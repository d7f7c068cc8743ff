"""The non-Party units an organisation serves (村、社区、企业、社会组织、机关、国企、学校…).

A unit may carry its 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character
alphabet with a check character, checked here so a mistyped code is caught at entry.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.orgs import attributes as org_attributes
from core.orgs.models import UNIT_TYPES, Organization, OrgUnit

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character (the 18th) of a code whose first 17 characters are ``first17``."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or ``None`` when it is."""
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        return f"Characters not allowed in a unified social credit code: {''.join(bad)}."
    if not code[2:8].isdigit():
        return "Characters 3–8 (the administrative division code) must be digits."
    if code[17] != credit_code_check_char(code[:17]):
        return "The check character does not match (a character is mistyped)."
    return None


def normalise_credit_code(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().upper()
    return code or None


def create(org: Organization, *, name: str, unit_type: str, credit_code: str | None = None,
           attributes: dict | None = None) -> OrgUnit:
    """Record a unit ``org`` serves; the caller commits."""
    if unit_type not in UNIT_TYPES:
        raise ApiError(422, f"unit_type must be one of {', '.join(UNIT_TYPES)}.",
                       {"unit_type": ["Unknown unit type."]})
    credit_code = normalise_credit_code(credit_code)
    if credit_code is not None:
        problem = credit_code_problem(credit_code)
        if problem:
            raise ApiError(422, f"credit_code: {problem}", {"credit_code": [problem]})
    if org.status != "active":
        raise ApiError(422, f"The organization is {org.status}.", {"org_id": [org.status]})
    stored = org_attributes.validate_unit(org.sector, unit_type, attributes or {})
    unit = OrgUnit(org_id=org.id, name=name, unit_type=unit_type, credit_code=credit_code,
                   attributes=stored)
    db.session.add(unit)
    return unit


def update(org: Organization, unit: OrgUnit, changes: dict) -> OrgUnit:
    """Apply ``changes`` (name, unit_type, credit_code, attributes) to ``unit``; the caller
    commits. ``attributes`` replaces the object (a disabled plugin's keys are kept); a new
    unit type re-checks the stored attributes."""
    unit_type = changes.get("unit_type", unit.unit_type)
    if unit_type not in UNIT_TYPES:
        raise ApiError(422, f"unit_type must be one of {', '.join(UNIT_TYPES)}.",
                       {"unit_type": ["Unknown unit type."]})
    if "credit_code" in changes:
        code = normalise_credit_code(changes["credit_code"])
        problem = credit_code_problem(code) if code is not None else None
        if problem:
            raise ApiError(422, f"credit_code: {problem}", {"credit_code": [problem]})
        unit.credit_code = code
    retyped = unit_type != unit.unit_type
    if "attributes" in changes or (retyped and unit.attributes):
        unit.attributes = org_attributes.validate_unit(
            org.sector, unit_type, changes.get("attributes", unit.attributes) or {},
            keep=None if retyped else unit.attributes,
        )
    if "name" in changes:
        unit.name = changes["name"]
    unit.unit_type = unit_type
    return unit


def view(unit: OrgUnit, org: Organization) -> dict:
    """What the API shows of ``unit``: its attributes limited to the enabled plugins' keys."""
    return {
        "id": unit.id, "org_id": unit.org_id, "name": unit.name, "unit_type": unit.unit_type,
        "credit_code": unit.credit_code, "created_at": unit.created_at, "version": unit.version,
        "attributes": org_attributes.visible_unit(unit, org.sector),
    }


def units_of(org: Organization) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.org_id == org.id).order_by(OrgUnit.name)
        )
    )


def get(org: Organization, unit_id: uuid.UUID) -> OrgUnit | None:
    return db.session.scalar(
        select(OrgUnit).where(OrgUnit.org_id == org.id, OrgUnit.id == unit_id)
    )


def delete(unit: OrgUnit) -> None:
    """Remove a unit the organisation no longer serves (the audit log keeps the row)."""
    db.session.delete(unit)
