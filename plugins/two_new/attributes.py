"""Sector attributes of two_new organisations and of the units they serve.

Organisations (``dangjian_org_attributes``), every kind but 党小组:

* ``nine_haves`` — the items of the 九有 checklist the organisation meets, from the fixed
  list :data:`NINE_HAVES` in the seeds' wording (有党员活动室、有图书阅览室、有职工说事室、
  有会议桌椅、有电教设备、有党旗、有党建制度、有党组织网络图、有党员群像图); an unknown item is
  refused naming ``attributes.nine_haves.<n>``. Missing: not recorded yet.
* ``secretary_source`` — where the secretary comes from (企业出资人、中层以上管理人员、
  驻点党员干部、其他), as the seeds ask: the owner when a member, else a manager, else a
  stationed cadre.

Committees also say whether they are a comprehensive committee (``comprehensive``, 综合党委:
a 行业综合党委 or a “小个专” 综合党委) and which new-employment groups they cover
(``covers_groups``, kinds of :data:`plugins.two_new.models.GROUP_KINDS`).

Units (``dangjian_unit_attributes``) that two_new organisations serve in core's unit list
(enterprises and social organisations): ``employees``, ``party_members``, ``industry``.

All fields are optional: the register is filled in over time.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugins.two_new.models import GROUP_KIND_LABELS, GROUP_KINDS

SECTOR = "two_new"

NINE_HAVES = (
    "有党员活动室",
    "有图书阅览室",
    "有职工说事室",
    "有会议桌椅",
    "有电教设备",
    "有党旗",
    "有党建制度",
    "有党组织网络图",
    "有党员群像图",
)
SECRETARY_SOURCES = ("owner", "manager", "stationed_cadre", "other")
SECRETARY_SOURCE_LABELS = {
    "owner": "企业出资人（业主）",
    "manager": "中层以上管理人员",
    "stationed_cadre": "驻点党员干部",
    "other": "其他",
}
ORG_KINDS = ("committee", "general_branch", "branch", "joint_branch")
UNIT_TYPES = ("enterprise", "social_organisation")


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("Items must be unique.")


class OrgAttributes(Schema):
    nine_haves = fields.List(
        fields.Str(validate=validate.OneOf(NINE_HAVES)),
        validate=_unique,
        metadata={"description": f"九有 items met, of: {'、'.join(NINE_HAVES)}"},
    )
    secretary_source = fields.Str(
        validate=validate.OneOf(SECRETARY_SOURCES),
        metadata={"description": "书记来源: " + ", ".join(f"{k} {v}" for k, v in SECRETARY_SOURCE_LABELS.items())},
    )


class CommitteeAttributes(OrgAttributes):
    comprehensive = fields.Bool(metadata={"description": "综合党委 (行业综合党委, “小个专” 综合党委)"})
    covers_groups = fields.List(
        fields.Str(validate=validate.OneOf(GROUP_KINDS)),
        validate=_unique,
        metadata={"description": "new-employment groups it covers: "
                                 + ", ".join(f"{k} {v}" for k, v in GROUP_KIND_LABELS.items())},
    )

    @validates_schema
    def _groups_need_comprehensive(self, data, **_):
        if data.get("covers_groups") and not data.get("comprehensive"):
            raise ValidationError("Only a comprehensive committee (comprehensive: true) covers "
                                  "new-employment groups.", "covers_groups")


class UnitAttributes(Schema):
    employees = fields.Int(validate=validate.Range(min=0, max=10_000_000),
                           metadata={"description": "从业人员"})
    party_members = fields.Int(validate=validate.Range(min=0, max=1_000_000),
                               metadata={"description": "党员人数"})
    industry = fields.Str(validate=validate.Length(min=1, max=50), metadata={"description": "所属行业"})


def org_attributes(sector: str, kind: str):
    if sector != SECTOR or kind not in ORG_KINDS:
        return None
    return CommitteeAttributes if kind == "committee" else OrgAttributes


def unit_attributes(sector: str, unit_type: str):
    if sector != SECTOR or unit_type not in UNIT_TYPES:
        return None
    return UnitAttributes
