"""Sector attributes of organs' Party organisations (机关党组织) and of the organs they serve.

An organisation of the organs sector (a 机关党委, 党总支 or 党支部 — and the 机关工委 above
them, which has the same sector) keeps its organ's Party-work staffing in its
``attributes``; every field is optional (an organ fills in what it knows):

* ``organ_name`` — 机关全称, the organ this organisation is the Party organisation of. Set
  on a 机关党委 it marks the committee as the one keeping the organ's work (brand, staffing,
  goals) for the branches below it (:mod:`plugins.organs.scope`);
* ``staff_total`` — 在编人数, the organ's staff the staffing ratio applies to;
* ``party_office_full_time`` / ``party_office_part_time`` — 专职 / 兼职党务干部;
* ``party_office_head`` — 党建办（机关党办）负责人, by name.

Full-time plus part-time Party-work staff cannot exceed the staff (422 naming
``attributes.party_office_full_time``).

A non-Party unit of type ``government_organ`` or ``public_institution`` (参照公务员法管理的
事业单位) keeps ``staff_total`` and ``internal_departments`` (内设机构数); an organisation
without its own ``staff_total`` is measured on the sum of its units' staff.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugins.organs.settings import PLUGIN

ATTRIBUTE_KINDS = ("committee", "general_branch", "branch", "joint_branch")
UNIT_TYPES = ("government_organ", "public_institution")
STAFF_MAX = 1_000_000


def _count(description: str) -> fields.Int:
    return fields.Int(validate=validate.Range(min=0, max=STAFF_MAX), metadata={"description": description})


class OrganOrgAttributes(Schema):
    """An organs-sector organisation's organ and Party-work staffing."""

    organ_name = fields.Str(validate=validate.Length(min=1, max=200),
                            metadata={"description": "机关全称: the organ this is the Party organisation of"})
    staff_total = _count("在编人数: the organ's staff")
    party_office_full_time = _count("专职党务干部人数")
    party_office_part_time = _count("兼职党务干部人数")
    party_office_head = fields.Str(validate=validate.Length(min=1, max=50),
                                   metadata={"description": "党建办（机关党办）负责人姓名"})

    @validates_schema
    def _within_staff(self, data, **_):
        staff = data.get("staff_total")
        party = (data.get("party_office_full_time") or 0) + (data.get("party_office_part_time") or 0)
        if staff is not None and party > staff:
            raise ValidationError("Full-time plus part-time Party-work staff exceed the staff total.",
                                  "party_office_full_time")


class OrganUnitAttributes(Schema):
    """An organ (机关) or a public institution managed like one, served by an organs-sector
    organisation."""

    staff_total = _count("在编人数")
    internal_departments = fields.Int(validate=validate.Range(min=0, max=10_000),
                                      metadata={"description": "内设机构数"})


def org_schema(sector: str, kind: str):
    """The attribute schema of an organs-sector organisation of ``kind`` (None for another
    sector or a 党小组)."""
    if sector == PLUGIN and kind in ATTRIBUTE_KINDS:
        return OrganOrgAttributes
    return None


def unit_schema(sector: str, unit_type: str):
    """The attribute schema of an organ served by an organs-sector organisation."""
    if sector == PLUGIN and unit_type in UNIT_TYPES:
        return OrganUnitAttributes
    return None
