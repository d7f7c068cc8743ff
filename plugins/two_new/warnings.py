"""The two_new plugin's warning rules (预警), set-based over the whole tenant (a fixed
number of queries, whatever the size of the register).

A warning's subject is an organisation, never a unit (as in core), so the unit-level rules
raise one warning on the supervising organisation listing its units, refreshed while the
list changes and resolved when it is empty. Only active two_new organisations are checked.

* ``two_new.should_form_branch`` (serious) — 应建尽建: units with ``branch_min_full_members``
  (3) full members or more and no Party organisation of their own (党章: 正式党员三人以上的
  都应当成立党的基层组织).
* ``two_new.uncovered`` — units covered neither by an organisation nor by an instructor in
  post (党的工作空白点).
* ``two_new.joint_branch_oversize`` — on a branch-level organisation covering more than
  ``joint_branch_max_units`` (5) units (register units and core units, each once).
* ``two_new.group_uncovered`` — new-employment groups no active comprehensive committee
  (综合党委) covers.
* ``two_new.instructor_no_successor`` — units whose instructor's stationing ended
  ``grace_days`` (30) days ago or more and who still name them: no successor was sent
  (clearing the unit's instructor also ends it: it needs none).
* ``two_new.register_stale`` (info) — units and groups whose figures were last surveyed more
  than ``survey_interval_months`` (12) months ago (摸清底数).
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.sdk import Finding, Organization, WarningRule, add_months, db, plugin_settings
from plugins.two_new import coverage
from plugins.two_new.attributes import SECTOR
from plugins.two_new.models import TwoNewGroup, TwoNewUnit
from plugins.two_new.service import COVERING_KINDS


def _setting(ctx, param: str, setting: str) -> int:
    value = ctx.params.get(param)
    return plugin_settings(SECTOR)[setting] if value is None else value


def _checked_orgs(*kinds: str):
    """SELECT of the active two_new organisations (of ``kinds``, when given)."""
    conditions = [Organization.status == "active", Organization.sector == SECTOR]
    if kinds:
        conditions.append(Organization.kind.in_(kinds))
    return select(Organization.id).where(*conditions)


class ShouldFormParams(Schema):
    min_full_members = fields.Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000),
        metadata={"description": "正式党员达到此数须单独建立党组织；空：按两新插件设置（默认 3）"})


class OversizeParams(Schema):
    max_units = fields.Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000),
        metadata={"description": "一个党组织最多覆盖单位数；空：按两新插件设置（默认 5）"})


class SuccessorParams(Schema):
    grace_days = fields.Int(load_default=30, validate=validate.Range(min=0, max=365),
                            metadata={"description": "离任后多少天内应选派接任"})


class StaleParams(Schema):
    months = fields.Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=120),
        metadata={"description": "超过多少个月未摸排更新；空：按两新插件设置（默认 12）"})


def _by_org(items) -> dict:
    grouped: dict = {}
    for org_id, item in items:
        grouped.setdefault(org_id, []).append(item)
    return grouped


def check_should_form(ctx) -> list[Finding]:
    min_full = _setting(ctx, "min_full_members", "branch_min_full_members")
    units = coverage.units(ctx.today, TwoNewUnit.org_id.in_(_checked_orgs()))
    flagged = _by_org((u.org_id, u) for u in units if coverage.should_form_own(u, min_full))
    return [
        Finding(org_id=org_id, figures={
            "count": len(items), "min_full_members": min_full,
            "units": coverage.names(f"{u.name}（正式党员 {u.full_members} 人）" for u in items),
        })
        for org_id, items in flagged.items()
    ]


def check_uncovered(ctx) -> list[Finding]:
    units = coverage.units(ctx.today, TwoNewUnit.org_id.in_(_checked_orgs()))
    bare = _by_org((u.org_id, u.name) for u in units if not coverage.work_covered(u))
    return [Finding(org_id=org_id, figures={"count": len(names), "units": coverage.names(names)})
            for org_id, names in bare.items()]


def check_oversize(ctx) -> list[Finding]:
    most = _setting(ctx, "max_units", "joint_branch_max_units")
    covering_kinds = [k for k in COVERING_KINDS if k != "committee"]
    covered = coverage.covered_units(_checked_orgs(*covering_kinds), ctx.today)
    return [
        Finding(org_id=org_id, figures={"units": len(names), "max_units": most,
                                        "names": coverage.names(names)})
        for org_id, names in covered.items() if len(names) > most
    ]


def check_group_uncovered(ctx) -> list[Finding]:
    rows = coverage.group_rows(TwoNewGroup.org_id.in_(_checked_orgs()))
    bare = _by_org(
        (group.org_id, group) for group, status, sector, kind, attributes in rows
        if not coverage.group_covered(group.kind, status, sector, kind, attributes)
    )
    return [
        Finding(org_id=org_id, figures={
            "count": len(groups), "workers": sum(g.workers for g in groups),
            "groups": coverage.names(f"{g.name}（{g.workers} 人）" for g in groups),
        })
        for org_id, groups in bare.items()
    ]


def check_no_successor(ctx) -> list[Finding]:
    grace = ctx.params["grace_days"]
    cutoff = ctx.today - timedelta(days=grace)
    units = coverage.units(ctx.today, TwoNewUnit.org_id.in_(_checked_orgs()))
    orphaned = _by_org(
        (u.org_id, u) for u in units
        if u.instructor_id is not None and u.instructor_ended_on is not None
        and u.instructor_ended_on <= cutoff
    )
    return [
        Finding(org_id=org_id, figures={
            "count": len(items), "grace_days": grace,
            "units": coverage.names(f"{u.name}（{u.instructor_name} {u.instructor_ended_on:%Y-%m-%d} 离任）"
                                    for u in items),
        })
        for org_id, items in orphaned.items()
    ]


def check_stale(ctx) -> list[Finding]:
    months = _setting(ctx, "months", "survey_interval_months")
    cutoff = add_months(ctx.today, -months)
    checked = _checked_orgs()
    found: dict = {}
    for model, key in ((TwoNewUnit, "units"), (TwoNewGroup, "groups")):
        conditions = [model.org_id.in_(checked), model.surveyed_on < cutoff]
        if model is TwoNewUnit:
            conditions.append(coverage.registered_on(ctx.today))
        for org_id, count, oldest in db.session.execute(
                select(model.org_id, func.count(), func.min(model.surveyed_on))
                .where(*conditions).group_by(model.org_id)):
            entry = found.setdefault(org_id, {"units": 0, "groups": 0, "months": months, "oldest": oldest})
            entry[key] = count
            entry["oldest"] = min(entry["oldest"], oldest)
    return [Finding(org_id=org_id, figures={**figures, "oldest": figures["oldest"].isoformat()})
            for org_id, figures in found.items()]


def rules() -> list[WarningRule]:
    sector = (SECTOR,)
    return [
        WarningRule(
            key="two_new.should_form_branch", name="两新组织应建未建党组织", severity="serious",
            message="{count} 个两新组织有正式党员 {min_full_members} 人以上但未单独建立党组织："
                    "{units}。请按“应建尽建”要求指导组建。",
            check=check_should_form, params=ShouldFormParams, sectors=sector,
        ),
        WarningRule(
            key="two_new.uncovered", name="两新组织党的工作未覆盖", severity="warning",
            message="{count} 个两新组织既未建立党组织，也未选派在岗的党建指导员：{units}。"
                    "请通过联合组建或选派党建指导员实现覆盖。",
            check=check_uncovered, sectors=sector,
        ),
        WarningRule(
            key="two_new.joint_branch_oversize", name="联合党支部覆盖单位过多", severity="warning",
            message="覆盖 {units} 个单位（{names}），超过一个联合党支部一般不超过 {max_units} 个单位"
                    "的要求，请适当调整组建。",
            check=check_oversize, params=OversizeParams, sectors=sector,
        ),
        WarningRule(
            key="two_new.group_uncovered", name="新就业群体未纳入综合党委覆盖", severity="warning",
            message="{count} 个新就业群体（从业人员 {workers} 人）未由综合党委覆盖：{groups}。"
                    "请依托行业主管部门或综合党委把党的工作做到新就业群体中去。",
            check=check_group_uncovered, sectors=sector,
        ),
        WarningRule(
            key="two_new.instructor_no_successor", name="党建指导员离任未接续", severity="warning",
            message="{count} 个两新组织的党建指导员（第一书记）离任已超过 {grace_days} 天，仍未选派接任："
                    "{units}。",
            check=check_no_successor, params=SuccessorParams, sectors=sector,
        ),
        WarningRule(
            key="two_new.register_stale", name="两新组织底数未及时更新", severity="info",
            message="{units} 个两新组织、{groups} 个新就业群体的信息超过 {months} 个月未摸排更新"
                    "（最早 {oldest}），请组织摸排，摸清底数。",
            check=check_stale, params=StaleParams, sectors=sector,
        ),
    ]
