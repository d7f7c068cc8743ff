"""Sector attributes of community organisations and of the communities they serve.

A community's figures (常住人口, 户数, 小区数, 业主委员会, 社区工作者, 党群服务中心面积) are
entered on the Party organisation that leads the community — the 社区党委, 党总支 or, in a
small community, 党支部 — and read from there by the indicators and warnings. A street
(街道党工委) records none of its own: its figures are the sum of its communities'. All fields
are optional: a figure not entered is "no data", never a zero.

Branches and groups inside a community say where they are set up (``branch_setting``: in a
grid, a residential compound, a building, a business district, a property company), the
"支部建在网格上" the seeds ask for; which grids a branch covers is recorded on the grids
(``community_grids.branch_org_id``).

The community itself as a unit (社区居民委员会, unit type ``community``) carries the
"两委" facts: the committee's size, whether the Party secretary is also its director
(书记、主任“一肩挑”) and how many people sit on both committees (交叉任职).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

SECTOR = "community"
# Kinds that may lead a community (carry its figures); a group never does.
COMMUNITY_KINDS = ("committee", "general_branch", "branch", "joint_branch")
# Kinds that may be set up in a grid, compound or building.
SUB_KINDS = ("branch", "joint_branch", "group")

BRANCH_SETTINGS = ("grid", "compound", "building", "business_district", "property_company", "other")
BRANCH_SETTING_LABELS = {
    "grid": "网格党支部（党小组）",
    "compound": "小区党支部（党小组）",
    "building": "楼栋党支部（党小组）",
    "business_district": "商圈党支部（党小组）",
    "property_company": "物业企业党支部（党小组）",
    "other": "其他",
}


def _count(description: str, maximum: int = 10_000_000):
    return fields.Int(validate=validate.Range(min=0, max=maximum), metadata={"description": description})


class CommunityAttributes(Schema):
    """What a community organisation records about its community."""

    population = _count("常住人口（人）")
    households = _count("户数")
    residential_compounds = _count("住宅小区数", 100_000)
    owners_committees = _count("已组建业主委员会（物业管理委员会）的小区数", 100_000)
    community_workers = _count("社区工作者人数（专职）", 100_000)
    worker_avg_monthly_pay = fields.Int(
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "社区工作者月平均工资（元）"},
    )
    venue_area_m2 = fields.Float(
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "社区党群服务中心面积（平方米）"},
    )

    @validates_schema
    def _compounds(self, data, **_):
        formed, compounds = data.get("owners_committees"), data.get("residential_compounds")
        if formed is not None and compounds is not None and formed > compounds:
            raise ValidationError(
                f"More owners' committees ({formed}) than residential compounds ({compounds}).",
                "owners_committees",
            )


class SubOrganisationAttributes(Schema):
    """A branch or group inside a community: where it is set up."""

    branch_setting = fields.Str(
        validate=validate.OneOf(BRANCH_SETTINGS),
        metadata={"description": "设置方式：" + "、".join(f"{k} {v}" for k, v in BRANCH_SETTING_LABELS.items())},
    )


class BranchAttributes(CommunityAttributes, SubOrganisationAttributes):
    """A community branch: a small community's only branch carries the figures, a grid
    branch says where it is set up."""


class ResidentsCommitteeAttributes(Schema):
    """The community (社区居民委员会) a community organisation serves."""

    committee_members = _count("居民委员会成员人数", 1000)
    secretary_is_director = fields.Bool(
        metadata={"description": "社区党组织书记通过法定程序担任居委会主任（“一肩挑”）"})
    cross_appointed = _count("“两委”交叉任职人数", 1000)

    @validates_schema
    def _cross(self, data, **_):
        cross, members = data.get("cross_appointed"), data.get("committee_members")
        if cross is not None and members is not None and cross > members:
            raise ValidationError(
                f"More cross-appointed people ({cross}) than committee members ({members}).",
                "cross_appointed",
            )


def org_attributes(sector: str, kind: str):
    if sector != SECTOR:
        return None
    if kind in ("committee", "general_branch"):
        return CommunityAttributes
    if kind in ("branch", "joint_branch"):
        return BranchAttributes
    if kind == "group":
        return SubOrganisationAttributes
    return None


def unit_attributes(sector: str, unit_type: str):
    if sector == SECTOR and unit_type == "community":
        return ResidentsCommitteeAttributes
    return None
