"""Sector attributes of SOE Party organisations and of the enterprises they serve.

An organisation of the soe sector that is the Party organisation *of an enterprise* (the
group's 党委, a subsidiary's 党委, or the 党总支/党支部 of a small independent subsidiary)
keeps the enterprise's governance facts in its ``attributes``: which enterprise, its tier
(集团/二级/三级及以下), its headcount, whether it has a board (设董事会), and its charter
(党建入章: Party building written into the articles of association, the prior-review clause
in them, the date they were last amended). Every field is optional (an organisation fills in
what it knows); dates in the future are refused; the prior-review clause cannot be in a
charter that has no Party building.

Which organisations count as *enterprises* for the indicators and warnings
(:func:`is_enterprise`): those with ``enterprise_level`` set. A branch of a workshop or a
department (车间、部门党支部) leaves it empty, and so does the regulator's committee
(国资委党委), which is not an enterprise.

Who holds which post (书记、董事长…) is not an attribute: it is the cross-appointment register
(:class:`plugins.soe.models.CrossAppointment`), kept with dates, so the two never disagree.

A non-Party unit of type ``soe`` (the enterprise an organisation serves) records its
ownership (国有独资 / 国有全资 / 国有控股) and whether it is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugins.soe.settings import PLUGIN

LEVELS = ("group", "second", "third")
LEVEL_LABELS = {"group": "集团（一级）企业", "second": "二级企业", "third": "三级及以下企业"}
# Kinds of organisation that may carry enterprise attributes (a 党小组 has none).
ATTRIBUTE_KINDS = ("committee", "general_branch", "branch")

OWNERSHIPS = ("wholly_owned", "fully_owned", "controlled")
OWNERSHIP_LABELS = {"wholly_owned": "国有独资", "fully_owned": "国有全资", "controlled": "国有控股"}
UNIT_TYPES = ("soe",)


def _not_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("Must not be in the future.")


class EnterpriseOrgAttributes(Schema):
    """The enterprise facts of an SOE Party organisation (all optional)."""

    enterprise_name = fields.Str(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "企业全称 (the enterprise this is the Party organisation of)"})
    enterprise_level = fields.Str(
        validate=validate.OneOf(LEVELS),
        metadata={"description": "企业层级: group 集团（一级）, second 二级, third 三级及以下; set "
                                 "only on an enterprise's own Party organisation"})
    employees = fields.Int(
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "职工人数 (for the full-time deputy secretary rule)"})
    has_board = fields.Bool(metadata={"description": "设董事会 (the company has a board of directors)"})
    charter_includes_party_building = fields.Bool(
        metadata={"description": "党建工作要求写入公司章程 (党建入章)"})
    charter_prior_review_clause = fields.Bool(
        metadata={"description": "章程明确党组织研究讨论是董事会、经理层决策重大问题的前置程序"})
    charter_amended_on = fields.Date(
        validate=_not_future,
        metadata={"description": "公司章程最近一次修订日期"})

    @validates_schema
    def _clause_needs_party_building(self, data, **_):
        if data.get("charter_prior_review_clause") and data.get("charter_includes_party_building") is False:
            raise ValidationError(
                "The prior-review clause is part of Party building in the charter: set "
                "charter_includes_party_building too.", "charter_prior_review_clause")


class EnterpriseUnitAttributes(Schema):
    """The enterprise (unit of type ``soe``) an SOE organisation serves."""

    ownership = fields.Str(
        validate=validate.OneOf(OWNERSHIPS),
        metadata={"description": "出资关系: wholly_owned 国有独资, fully_owned 国有全资, "
                                 "controlled 国有控股"})
    listed = fields.Bool(metadata={"description": "上市公司"})


def org_schema(sector: str, kind: str):
    if sector == PLUGIN and kind in ATTRIBUTE_KINDS:
        return EnterpriseOrgAttributes
    return None


def unit_schema(sector: str, unit_type: str):
    if sector == PLUGIN and unit_type in UNIT_TYPES:
        return EnterpriseUnitAttributes
    return None


def is_enterprise(attributes: Mapping | None) -> bool:
    """Is the organisation with these attributes an enterprise's own Party organisation?"""
    return bool((attributes or {}).get("enterprise_level"))


def enterprise_label(name: str, attributes: Mapping | None) -> str:
    """The enterprise's name when recorded, else the organisation's."""
    return (attributes or {}).get("enterprise_name") or name


def amended_on(attributes: Mapping | None) -> date | None:
    raw = (attributes or {}).get("charter_amended_on")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
