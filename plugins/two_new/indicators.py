"""The two_new plugin's assessment indicators, each set-based (a fixed number of queries for
any number of organisations), measured as of the end of the cycle's period.

* ``two_new.nine_haves`` (checklist) — the 九有 items the organisation meets (its
  ``nine_haves`` attribute); an organisation that never recorded them has no data.
* ``two_new.org_coverage`` (proportional, committees) — 党的组织覆盖（应建尽建）: of the
  registered units with Party members at or below the committee, the share covered as the
  rule asks — an own organisation, or a joint one while the unit has fewer full members than
  ``branch_min_full_members`` (3). Target 100 %.
* ``two_new.work_coverage`` (proportional, committees) — 党的工作覆盖: of all registered units,
  the share covered by an organisation or an instructor in post. Target 100 %.
* ``two_new.group_coverage`` (proportional, committees) — 新就业群体覆盖: of the registered
  new-employment groups, the share covered by an active comprehensive committee. Target 100 %.
* ``two_new.instructor`` (threshold, branches) — instructors (党建指导员、第一书记) in post at
  the period's end sent to the units the organisation covers; target ≥ 1. An organisation
  covering no registered unit has no data.
* ``two_new.joint_branch_size`` (deduction, branches) — units covered beyond
  ``joint_branch_max_units`` (5), ``per_unit`` points each (register units and core units
  counted once each).
* ``two_new.role_played`` (manual, branches) — 党组织作用发挥: the assessor's judgement of
  what the branch does for the enterprise and its employees (no figure measures it).

Committees' figures roll up their subtree's registers (a city committee counts its
districts' units). Units are counted while registered (not closed by the period's end).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from core.sdk import Indicator, Measurement, Organization, db, plugin_settings
from plugins.two_new import coverage
from plugins.two_new.attributes import NINE_HAVES, SECTOR
from plugins.two_new.models import TwoNewInstructor, TwoNewUnit

COMMITTEE_KINDS = ("committee", "general_branch")
BRANCH_KINDS = ("general_branch", "branch", "joint_branch")
NINE_HAVES_KINDS = ("committee", "general_branch", "branch", "joint_branch")


def _setting(ctx, param: str, setting: str) -> int:
    value = ctx.params.get(param)
    return plugin_settings(SECTOR)[setting] if value is None else value


def _percent(description: str):
    return fields.Float(load_default=100, validate=validate.Range(min=0, max=100),
                        metadata={"description": description})


class NineHavesParams(Schema):
    weights = fields.Dict(
        keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
        load_default=dict,
        metadata={"description": f"各项权重（默认均为 1），项：{'、'.join(NINE_HAVES)}"},
    )

    @validates("weights")
    def _known_items(self, value, **_):
        unknown = [k for k in value if k not in NINE_HAVES]
        if unknown:
            raise ValidationError(f"Unknown items {unknown}; items are {', '.join(NINE_HAVES)}.")


class OrgCoverageParams(Schema):
    target = _percent("目标覆盖率（%）")
    min_full_members = fields.Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000),
        metadata={"description": "正式党员达到此数须单独建立党组织；空：按两新插件设置（默认 3）"})


class CoverageParams(Schema):
    target = _percent("目标覆盖率（%）")


class InstructorParams(Schema):
    target = fields.Int(load_default=1, validate=validate.Range(min=0, max=100),
                        metadata={"description": "在岗党建指导员（第一书记）至少人数"})


class JointSizeParams(Schema):
    per_unit = fields.Float(load_default=5, validate=validate.Range(min=0, max=100),
                            metadata={"description": "每超出一个单位扣分"})
    max_units = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "一个党组织最多覆盖单位数；空：按两新插件设置（默认 5）"})


def measure_nine_haves(ctx) -> dict:
    """One query: the organisations' attributes; those without ``nine_haves`` have no data."""
    found = {}
    for org_id, attributes in db.session.execute(
            select(Organization.id, Organization.attributes).where(Organization.id.in_(ctx.orgs))):
        met = (attributes or {}).get("nine_haves")
        if met is None:
            continue
        items = {item: item in met for item in NINE_HAVES}
        missing = [item for item, ok in items.items() if not ok]
        found[org_id] = Measurement(
            value=sum(items.values()), items=items,
            evidence={"met": len(met), "missing": "、".join(missing) or "无"},
        )
    return found


def measure_org_coverage(ctx) -> dict:
    min_full = _setting(ctx, "min_full_members", "branch_min_full_members")
    found = {}
    for org_id, units in coverage.units_under(ctx.orgs, ctx.end).items():
        with_members = [u for u in units if u.party_members > 0]
        if not with_members:
            continue
        covered = [u for u in with_members if coverage.organisation_covered(u, min_full)]
        missing = [u.name for u in with_members if not coverage.organisation_covered(u, min_full)]
        found[org_id] = Measurement(
            value=coverage.rate(len(covered), len(with_members)),
            evidence={"units": len(with_members), "covered": len(covered),
                      "min_full_members": min_full, "missing": coverage.names(missing) or "无"},
        )
    return found


def measure_work_coverage(ctx) -> dict:
    found = {}
    for org_id, units in coverage.units_under(ctx.orgs, ctx.end).items():
        covered = [u for u in units if coverage.work_covered(u)]
        missing = [u.name for u in units if not coverage.work_covered(u)]
        found[org_id] = Measurement(
            value=coverage.rate(len(covered), len(units)),
            evidence={"units": len(units), "covered": len(covered),
                      "missing": coverage.names(missing) or "无"},
        )
    return found


def measure_group_coverage(ctx) -> dict:
    found = {}
    for org_id, groups in coverage.groups_under(ctx.orgs).items():
        covered = sum(1 for _, ok in groups if ok)
        missing = [name for (name, _, _), ok in groups if not ok]
        found[org_id] = Measurement(
            value=coverage.rate(covered, len(groups)),
            evidence={"groups": len(groups), "covered": covered,
                      "workers": sum(g[2] for g, _ in groups),
                      "missing": coverage.names(missing) or "无"},
        )
    return found


def measure_instructor(ctx) -> dict:
    """One query: the registered units each organisation covers, with their instructor."""
    rows = db.session.execute(
        select(TwoNewUnit.covered_by_org_id, TwoNewUnit.name, TwoNewInstructor.id,
               TwoNewInstructor.person_name, TwoNewInstructor.started_on, TwoNewInstructor.ended_on)
        .outerjoin(TwoNewInstructor, TwoNewInstructor.id == TwoNewUnit.instructor_id)
        .where(TwoNewUnit.covered_by_org_id.in_(ctx.orgs), coverage.registered_on(ctx.end))
    ).all()
    by_org: dict = {}
    for org_id, unit_name, instructor_id, name, started, ended in rows:
        entry = by_org.setdefault(org_id, {"units": set(), "instructors": {}})
        entry["units"].add(unit_name)
        if instructor_id is not None and coverage.in_post(started, ended, ctx.end):
            entry["instructors"][instructor_id] = name
    return {
        org_id: Measurement(
            value=len(entry["instructors"]),
            evidence={"units": len(entry["units"]),
                      "instructors": "、".join(sorted(entry["instructors"].values())) or "无"},
        )
        for org_id, entry in by_org.items()
    }


def measure_joint_size(ctx) -> dict:
    most = _setting(ctx, "max_units", "joint_branch_max_units")
    return {
        org_id: Measurement(
            value=max(0, len(names) - most),
            evidence={"units": len(names), "max_units": most, "names": coverage.names(names)},
        )
        for org_id, names in coverage.covered_units(ctx.orgs, ctx.end).items()
    }


def indicators() -> list[Indicator]:
    sector = (SECTOR,)
    return [
        Indicator(
            key="two_new.nine_haves", name="党建阵地“九有”", scoring="checklist", max_points=15,
            measure=measure_nine_haves, params=NineHavesParams, sectors=sector,
            kinds=NINE_HAVES_KINDS, unit="项", reads="党组织的“九有”登记（组织属性 nine_haves）",
            description="有党员活动室、有图书阅览室、有职工说事室、有会议桌椅、有电教设备、有党旗、"
                        "有党建制度、有党组织网络图、有党员群像图，按达标项数计分。",
            explain="“九有”达标 {value} 项（共 9 项）",
        ),
        Indicator(
            key="two_new.org_coverage", name="党的组织覆盖率（应建尽建）", scoring="proportional",
            max_points=15, measure=measure_org_coverage, params=OrgCoverageParams, sectors=sector,
            kinds=COMMITTEE_KINDS, unit="%", reads="两新组织名录（党员人数、覆盖党组织）",
            description="有党员的两新组织中，正式党员达到规定人数的单独建立党组织、其余单独或联合建立"
                        "党组织的比例。",
            explain="有党员的两新组织 {units} 个，已按要求建立党组织 {covered} 个（正式党员 "
                    "{min_full_members} 人以上须单独组建），未覆盖：{missing}",
        ),
        Indicator(
            key="two_new.work_coverage", name="党的工作覆盖率", scoring="proportional",
            max_points=12, measure=measure_work_coverage, params=CoverageParams, sectors=sector,
            kinds=COMMITTEE_KINDS, unit="%", reads="两新组织名录、党建指导员选派",
            description="全部两新组织中，已建立党组织或选派在岗党建指导员（第一书记）的比例。",
            explain="两新组织 {units} 个，党的工作已覆盖 {covered} 个，未覆盖：{missing}",
        ),
        Indicator(
            key="two_new.group_coverage", name="新就业群体党建覆盖率", scoring="proportional",
            max_points=10, measure=measure_group_coverage, params=CoverageParams, sectors=sector,
            kinds=COMMITTEE_KINDS, unit="%", reads="新就业群体名录、综合党委",
            description="快递员、外卖配送员、网约车司机、货车司机等新就业群体中，已由综合党委覆盖的比例。",
            explain="新就业群体 {groups} 个（从业人员 {workers} 人），综合党委已覆盖 {covered} 个，"
                    "未覆盖：{missing}",
        ),
        Indicator(
            key="two_new.instructor", name="党建指导员（第一书记）在岗", scoring="threshold",
            max_points=8, measure=measure_instructor, params=InstructorParams, sectors=sector,
            kinds=BRANCH_KINDS, unit="人", reads="党建指导员选派记录、两新组织名录",
            description="党组织覆盖的两新组织有在岗的党建指导员或党建第一书记。",
            explain="覆盖两新组织 {units} 个，在岗党建指导员（第一书记）{value} 人：{instructors}",
        ),
        Indicator(
            key="two_new.joint_branch_size", name="联合党支部覆盖单位数", scoring="deduction",
            max_points=6, measure=measure_joint_size, params=JointSizeParams, sectors=sector,
            kinds=BRANCH_KINDS, unit="个", reads="两新组织名录、党组织服务单位",
            description="一个（联合）党支部覆盖的单位一般不超过规定数量，每超出一个扣分。",
            explain="覆盖单位 {units} 个（{names}），上限 {max_units} 个，超出 {value} 个",
        ),
        Indicator(
            key="two_new.role_played", name="党组织作用发挥", scoring="manual", max_points=8,
            sectors=sector, kinds=BRANCH_KINDS, reads="考核人员评定",
            description="党组织在引领企业（社会组织）健康发展、团结凝聚职工群众、服务新就业群体中发挥作用"
                        "的情况，由考核人员评定。",
        ),
    ]
