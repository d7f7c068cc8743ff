"""Party-work staffing (机关党务干部配备): the figures of an organ and what it needs.

An organ needs ``ceil(staff × ratio %)`` full-time Party-work cadres (专职党务干部) once its
staff reaches the minimum organ size, and at least one then; a smaller organ needs none
full-time (part-time cadres do the work). The staff is the organisation's ``staff_total``
attribute or, without one, the sum of its organ units' ``staff_total``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from core.sdk import OrgUnit, db
from plugins.organs.attributes import UNIT_TYPES
from plugins.organs.settings import settings


@dataclass(frozen=True)
class Staffing:
    staff: int | None
    full_time: int
    part_time: int
    head: str | None
    required: int | None  # None: the staff is not known

    @property
    def known(self) -> bool:
        return self.staff is not None

    @property
    def ratio_met(self) -> bool:
        return self.required is not None and self.full_time >= self.required

    @property
    def someone(self) -> bool:
        return self.full_time + self.part_time >= 1


def rules(params: dict | None = None) -> tuple[float, int]:
    """``(ratio_percent, min_organ_size)``: the parameters given, else the settings."""
    params = params or {}
    current = None
    ratio, size = params.get("ratio_percent"), params.get("min_organ_size")
    if ratio is None or size is None:
        current = settings()
    return (float(ratio if ratio is not None else current["party_staff_ratio_percent"]),
            int(size if size is not None else current["party_staff_min_organ_size"]))


def required(staff: int | None, ratio_percent: float, min_organ_size: int) -> int | None:
    if staff is None:
        return None
    if staff < min_organ_size:
        return 0
    # Round away float noise before rounding up (120 × 1 % is 1.2, not 1.2000000000000002).
    return max(1, math.ceil(round(staff * ratio_percent / 100, 6)))


def unit_staff(org_ids) -> dict[uuid.UUID, int]:
    """The summed ``staff_total`` of the organ units of ``org_ids`` (ids or a SELECT): one
    query."""
    totals: dict[uuid.UUID, int] = {}
    for org_id, attributes in db.session.execute(
        select(OrgUnit.org_id, OrgUnit.attributes)
        .where(OrgUnit.org_id.in_(org_ids), OrgUnit.unit_type.in_(UNIT_TYPES))
    ):
        staff = (attributes or {}).get("staff_total")
        if isinstance(staff, int):
            totals[org_id] = totals.get(org_id, 0) + staff
    return totals


def of(attributes: dict, units_total: int | None, ratio_percent: float, min_organ_size: int) -> Staffing:
    staff = attributes.get("staff_total")
    if staff is None:
        staff = units_total
    return Staffing(
        staff=staff,
        full_time=int(attributes.get("party_office_full_time") or 0),
        part_time=int(attributes.get("party_office_part_time") or 0),
        head=attributes.get("party_office_head") or None,
        required=required(staff, ratio_percent, min_organ_size),
    )
