"""The community sector's warning rules (预警), set-based over a whole tenant.

Each check is one query over the tenant's active community organisations or their records
(thresholds computed in Python, so the same SQL runs on SQLite and PostgreSQL), and
returns findings on the community organisation that keeps the data:

* ``community.worker_staffing`` — fewer community workers than the staffing standard
  (18 per 10,000 residents, the setting): how many are missing.
* ``community.worker_pay`` — community workers' average monthly pay below the minimum.
* ``community.venue_area`` — the service venue (党群服务中心) smaller than the standard for
  the community's households.
* ``community.grid_uncovered`` — current grids without an active grid branch or group
  (one warning per community, with the count and the grids' names).
* ``community.property_agreement`` — property companies without their own Party
  organisation whose joint-building agreement has expired or expires within N days (30).
* ``community.registered_idle`` — a registered in-service member of the register (双报到)
  with no service in the last N months (6), once registered for a while (90 days): one
  warning per member, on the community.
* ``community.registered_idle_others`` — the same for people outside the register, counted
  per community (they have no member record to hang a warning on).

Figures not entered raise nothing: a missing number is no data, not a shortfall.
"""

from __future__ import annotations

import math
from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from core.sdk import (
    MEMBER_ACTIVE_STATUSES,
    Finding,
    Member,
    Organization,
    RuleContext,
    WarningRule,
    add_months,
    db,
)
from plugins.community.attributes import COMMUNITY_KINDS, SECTOR
from plugins.community.figures import company_serving, grid_current, venue_standard
from plugins.community.models import Grid, PropertyCompany, Registration, Service
from plugins.community.settings import setting_default

SECTORS = (SECTOR,)
NAMES_SHOWN = 5


def _names(names) -> str:
    names = [n for n in names if n]
    more = f"等 {len(names)} 个" if len(names) > NAMES_SHOWN else ""
    return "、".join(names[:NAMES_SHOWN]) + more


def _active_community():
    return and_(Organization.sector == SECTOR, Organization.status == "active")


def _communities():
    """``(id, attributes)`` of the tenant's active community organisations with attributes."""
    return db.session.execute(
        select(Organization.id, Organization.attributes)
        .where(_active_community(), Organization.kind.in_(COMMUNITY_KINDS))
    ).all()


# -- parameters ----------------------------------------------------------------------------------


class StaffingParams(Schema):
    per_10k_population = fields.Float(
        load_default=setting_default("workers_per_10k_population"),
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "每万名常住人口社区工作者人数（默认取设置）"})


class PayParams(Schema):
    min_monthly_pay = fields.Int(
        load_default=setting_default("worker_min_monthly_pay_yuan"),
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "月平均工资下限（元，默认取设置）"})


class VenueParams(Schema):
    per_100_households_m2 = fields.Float(
        load_default=setting_default("venue_area_per_100_households_m2"),
        validate=validate.Range(min=0, max=10_000))
    min_area_m2 = fields.Float(
        load_default=setting_default("venue_min_area_m2"), validate=validate.Range(min=0, max=100_000))


class AgreementParams(Schema):
    days = fields.Int(load_default=30, validate=validate.Range(min=0, max=365),
                      metadata={"description": "到期前多少天开始提醒"})


class IdleParams(Schema):
    months = fields.Int(load_default=6, validate=validate.Range(min=1, max=36),
                        metadata={"description": "连续多少个月未参加社区服务"})
    grace_days = fields.Int(load_default=90, validate=validate.Range(min=0, max=365),
                            metadata={"description": "报到后多少天内不提醒"})


# -- checks ----------------------------------------------------------------------------------------


def check_staffing(ctx: RuleContext) -> list[Finding]:
    per_10k = ctx.params["per_10k_population"]
    findings = []
    for org_id, attributes in _communities():
        attributes = attributes or {}
        population, workers = attributes.get("population"), attributes.get("community_workers")
        if not population or workers is None:
            continue
        needed = math.ceil(per_10k * population / 10000 - 1e-9)
        if workers < needed:
            findings.append(Finding(org_id, figures={
                "population": population, "workers": workers, "needed": needed,
                "short": needed - workers, "per_10k": round(workers * 10000 / population, 1),
                "standard": per_10k}))
    return findings


def check_pay(ctx: RuleContext) -> list[Finding]:
    minimum = ctx.params["min_monthly_pay"]
    findings = []
    for org_id, attributes in _communities():
        pay = (attributes or {}).get("worker_avg_monthly_pay")
        if pay is not None and pay < minimum:
            findings.append(Finding(org_id, figures={"pay": pay, "minimum": minimum, "short": minimum - pay}))
    return findings


def check_venue(ctx: RuleContext) -> list[Finding]:
    findings = []
    for org_id, attributes in _communities():
        attributes = attributes or {}
        area, households = attributes.get("venue_area_m2"), attributes.get("households")
        if area is None or households is None:
            continue
        standard = venue_standard(households, ctx.params["per_100_households_m2"], ctx.params["min_area_m2"])
        if area < standard:
            findings.append(Finding(org_id, figures={
                "area": round(float(area), 1), "standard": round(standard, 1),
                "households": households, "short": round(standard - float(area), 1)}))
    return findings


def check_grids(ctx: RuleContext) -> list[Finding]:
    branch = aliased(Organization, name="grid_branch")
    rows = db.session.execute(
        select(Grid.org_id, Grid.name)
        .join(Organization, Organization.id == Grid.org_id)
        .outerjoin(branch, and_(branch.id == Grid.branch_org_id, branch.status == "active"))
        .where(_active_community(), grid_current(ctx.today), branch.id.is_(None))
        .order_by(Grid.org_id, Grid.name)
    ).all()
    by_org: dict = {}
    for org_id, name in rows:
        by_org.setdefault(org_id, []).append(name)
    return [Finding(org_id, figures={"count": len(names), "grids": _names(names)})
            for org_id, names in by_org.items()]


def check_agreements(ctx: RuleContext) -> list[Finding]:
    horizon = ctx.today + timedelta(days=ctx.params["days"])
    rows = db.session.execute(
        select(PropertyCompany.org_id, PropertyCompany.name, PropertyCompany.agreement_ends_on)
        .join(Organization, Organization.id == PropertyCompany.org_id)
        .where(_active_community(), company_serving(ctx.today),
               PropertyCompany.has_party_org.is_(False),
               PropertyCompany.agreement_ends_on.is_not(None),
               PropertyCompany.agreement_ends_on <= horizon)
        .order_by(PropertyCompany.org_id, PropertyCompany.agreement_ends_on, PropertyCompany.name)
    ).all()
    by_org: dict = {}
    for org_id, name, ends_on in rows:
        f = by_org.setdefault(org_id, {"expired": 0, "expiring": 0, "names": [], "first_end": ends_on.isoformat()})
        f["expired" if ends_on < ctx.today else "expiring"] += 1
        f["names"].append(name)
    return [Finding(org_id, figures={**{k: v for k, v in f.items() if k != "names"},
                                     "companies": _names(f["names"]), "days": ctx.params["days"]})
            for org_id, f in by_org.items()]


def _idle_rows(ctx: RuleContext, in_register: bool):
    """Open registrations older than the grace days with no service in the last months:
    ``(org_id, registration id, member id, name, registered_on, last service)``."""
    since = add_months(ctx.today, -ctx.params["months"])
    registered_before = ctx.today - timedelta(days=ctx.params["grace_days"])
    last = (select(Service.registration_id, func.max(Service.served_on).label("last_served_on"))
            .where(Service.served_on <= ctx.today)
            .group_by(Service.registration_id).subquery("last_service"))
    stmt = (
        select(Registration.org_id, Registration.id, Registration.member_id,
               (Member.name if in_register else Registration.person_name).label("name"),
               Registration.registered_on, last.c.last_served_on)
        .join(Organization, Organization.id == Registration.org_id)
        .outerjoin(last, last.c.registration_id == Registration.id)
        .where(_active_community(),
               or_(Registration.ended_on.is_(None), Registration.ended_on > ctx.today),
               Registration.registered_on <= registered_before,
               or_(last.c.last_served_on.is_(None), last.c.last_served_on < since))
    )
    if in_register:
        stmt = stmt.join(Member, Member.id == Registration.member_id).where(
            Member.status.in_(MEMBER_ACTIVE_STATUSES))
    else:
        stmt = stmt.where(Registration.member_id.is_(None))
    return db.session.execute(stmt.order_by(Registration.org_id, Registration.registered_on)).all()


def check_idle_members(ctx: RuleContext) -> list[Finding]:
    return [
        Finding(r.org_id, r.member_id, figures={
            "name": r.name, "registered_on": r.registered_on.isoformat(),
            "last_served_on": r.last_served_on.isoformat() if r.last_served_on else "报到以来从未参加",
            "months": ctx.params["months"]})
        for r in _idle_rows(ctx, in_register=True)
    ]


def check_idle_others(ctx: RuleContext) -> list[Finding]:
    by_org: dict = {}
    for r in _idle_rows(ctx, in_register=False):
        by_org.setdefault(r.org_id, []).append(r.name)
    return [Finding(org_id, figures={"count": len(names), "names": _names(names),
                                     "months": ctx.params["months"]})
            for org_id, names in by_org.items()]


def rules() -> list[WarningRule]:
    return [
        WarningRule(
            key="community.worker_staffing", name="社区工作者配备不足", severity="warning",
            message="常住人口 {population} 人，社区工作者 {workers} 人（每万人 {per_10k} 人），"
                    "按每万人 {standard} 人的标准应配 {needed} 人，缺 {short} 人，请配齐。",
            check=check_staffing, params=StaffingParams, sectors=SECTORS,
        ),
        WarningRule(
            key="community.worker_pay", name="社区工作者待遇偏低", severity="warning",
            message="社区工作者月平均工资 {pay} 元，低于 {minimum} 元的标准 {short} 元，请落实待遇保障。",
            check=check_pay, params=PayParams, sectors=SECTORS,
        ),
        WarningRule(
            key="community.venue_area", name="党群服务中心面积不达标", severity="info",
            message="社区 {households} 户，党群服务中心应不少于 {standard} 平方米，现有 {area} 平方米，"
                    "差 {short} 平方米。",
            check=check_venue, params=VenueParams, sectors=SECTORS,
        ),
        WarningRule(
            key="community.grid_uncovered", name="网格未建立党组织", severity="warning",
            message="有 {count} 个网格尚未建立网格党支部（党小组）：{grids}，请推动支部建在网格上。",
            check=check_grids, sectors=SECTORS,
        ),
        WarningRule(
            key="community.property_agreement", name="物业党建共建协议到期", severity="warning",
            message="物业企业党建共建协议已到期 {expired} 家、{days} 天内到期 {expiring} 家（{companies}），"
                    "最早 {first_end} 到期，请及时续签或推动物业企业建立党组织。",
            check=check_agreements, params=AgreementParams, sectors=SECTORS,
        ),
        WarningRule(
            key="community.registered_idle", name="报到党员长期未参加社区服务", severity="info",
            message="{name} 于 {registered_on} 到社区报到，近 {months} 个月未参加社区服务"
                    "（最近一次：{last_served_on}），请联系其所在党组织督促。",
            check=check_idle_members, params=IdleParams, subject="member", sectors=SECTORS,
        ),
        WarningRule(
            key="community.registered_idle_others", name="报到人员长期未参加社区服务", severity="info",
            message="有 {count} 名系统外报到党员近 {months} 个月未参加社区服务：{names}。",
            check=check_idle_others, params=IdleParams, sectors=SECTORS,
        ),
    ]
