"""Sector attributes of village Party organisations and of the villages they serve.

An organisation of the rural sector (a 村党支部, 村党总支 or 村党委 — and the 乡镇党委 above
them, which has the same sector) keeps the facts of its village work in its ``attributes``:
whether it is a village organisation at all, the village's size, its 党群服务中心, the
villagers' committee's term, 书记主任“一肩挑” and whether it is a key village that needs a
第一书记. Every field is optional (a village fills in what it knows); dates in the future
are refused.

A non-Party unit of type ``village`` (a joint branch or a 联村党委 serves several) keeps the
village's size in the same fields, so each village of a joint organisation has its own.

Which organisations count as *villages* for the indicators and warnings
(:func:`is_village`): the ``village`` attribute when it is set, otherwise every branch,
general branch and joint branch of the sector — a committee (乡镇党委; a large 村党委 sets
``village: true``) and a 党小组 never by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from plugins.rural.settings import PLUGIN

# The functions a 党群服务中心 may offer (功能室、服务点), a fixed list so cities can compare.
SERVICE_CENTRE_FUNCTIONS = (
    "党员活动", "便民服务", "群众说事", "文化活动", "农家书屋", "卫生室", "养老服务",
    "电商服务", "远程教育", "矛盾调解", "农技服务", "代收代缴",
)
# Kinds of organisation that carry village attributes (a 党小组 has none).
ATTRIBUTE_KINDS = ("committee", "general_branch", "branch", "joint_branch")
# Kinds that are villages unless ``village: false`` says otherwise.
VILLAGE_KINDS = ("general_branch", "branch", "joint_branch")


def _not_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("Must not be in the future.")


def _distinct(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Functions must not repeat.")


def _count(description: str) -> fields.Int:
    return fields.Int(validate=validate.Range(min=0, max=10_000_000),
                      metadata={"description": description})


class VillageSize(Schema):
    """How big a village is (户数、人口、村民小组)."""

    households = _count("户数 (households)")
    population = _count("户籍人口 (registered population)")
    village_groups = _count("村民小组数 (villagers' groups)")


class VillageOrgAttributes(VillageSize):
    """A rural organisation's village facts."""

    village = fields.Bool(metadata={
        "description": "村级党组织: true for a village organisation (default: branches, general "
                       "and joint branches are, committees are not)"})
    key_village = fields.Bool(metadata={
        "description": "重点村 (脱贫村、乡村振兴重点帮扶村、软弱涣散村…): needs a 第一书记"})
    service_centre_area_m2 = fields.Float(
        validate=validate.Range(min=0, max=100_000),
        metadata={"description": "党群服务中心面积 (m²)"})
    service_centre_functions = fields.List(
        fields.Str(validate=validate.OneOf(SERVICE_CENTRE_FUNCTIONS)),
        validate=_distinct,
        metadata={"description": f"党群服务中心功能: {'、'.join(SERVICE_CENTRE_FUNCTIONS)}"})
    village_committee_term_started_on = fields.Date(
        validate=_not_future,
        metadata={"description": "村民委员会本届任期开始日期 (term length: the setting "
                                 "village_committee_term_years)"})
    secretary_is_director = fields.Bool(metadata={
        "description": "村党组织书记兼任村委会主任 (书记、主任“一肩挑”)"})


def org_schema(sector: str, kind: str):
    """The attribute schema for a rural organisation of ``kind`` (None for another sector
    or a 党小组)."""
    if sector == PLUGIN and kind in ATTRIBUTE_KINDS:
        return VillageOrgAttributes
    return None


def unit_schema(sector: str, unit_type: str):
    """The attribute schema for a village served by a rural organisation."""
    if sector == PLUGIN and unit_type == "village":
        return VillageSize
    return None


def is_village(kind: str, attributes: Mapping | None) -> bool:
    """Is an organisation of the rural sector a village organisation?"""
    flag = (attributes or {}).get("village")
    if flag is not None:
        return bool(flag)
    return kind in VILLAGE_KINDS
