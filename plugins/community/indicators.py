"""The community sector's assessment indicators (社区), measured set-based.

Each organisation is measured over its subtree (:mod:`plugins.community.figures`): a
community organisation over its own grids, companies, registrations and figures, a street
(街道党工委) over all its communities'. A fixed number of queries whatever the number of
organisations: one for the figures, or one aggregate over the records.

* ``community.grid_branches`` (proportional, %) — 网格党组织覆盖率: of the grids current at
  the end of the period, the share covered by an active branch or Party group (支部建在网格上);
  target 100. No grid recorded: no data.
* ``community.red_property`` (proportional, %) — 红色物业覆盖率: of the property companies
  serving at the end of the period, the share with their own Party organisation or a
  joint-building agreement in force that day; target 100. No company: no data.
* ``community.owners_committees`` (proportional, %) — 业主委员会组建率: owners' committees
  formed over residential compounds (attributes); target 80 (a city sets its own).
* ``community.worker_staffing`` (threshold, 人/万人) — 社区工作者配备: community workers per
  10,000 residents ≥ the setting (18).
* ``community.worker_pay`` (threshold, 元) — 社区工作者待遇保障: the workers' average monthly
  pay (weighted by workers for a street) ≥ the setting (4,000).
* ``community.venue_area`` (threshold, %) — 党群服务中心面积达标: the venue area as a share
  of the standard (30 m² per 100 households, at least 300 m²) ≥ 100 %.
* ``community.registered_service`` (proportional, %) — 在职党员报到服务率: of the
  registrations (双报到) running in the period, the share with at least the required
  services (the setting, 2 a year) in the period; those registered in the period's last
  days (90) are not counted yet. Target 100. No registration: no data.

Figures come from the attributes as they are now (attributes keep no history); records are
read as of the period's end.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from core.sdk import Indicator, IndicatorContext, Measurement, Organization, db
from plugins.community.attributes import COMMUNITY_KINDS
from plugins.community.figures import (
    agreement_valid,
    community_figures,
    company_serving,
    grid_current,
    holders,
    venue_standard,
)
from plugins.community.models import Grid, PropertyCompany, Registration, Service
from plugins.community.settings import setting_default

SECTORS = ("community",)
KINDS = COMMUNITY_KINDS
NAMES_SHOWN = 5


def _percent(part, whole) -> float:
    return round(part * 100 / whole, 1)


def _names(names) -> str:
    names = [n for n in names if n]
    more = f"等 {len(names)} 个" if len(names) > NAMES_SHOWN else ""
    return "、".join(names[:NAMES_SHOWN]) + more if names else "无"


# -- parameters ------------------------------------------------------------------------------------


def _target(default, description: str, maximum: float = 100):
    return fields.Float(load_default=default, validate=validate.Range(min=0, max=maximum),
                        metadata={"description": description})


class CoverageParams(Schema):
    target = _target(100, "目标覆盖率（%）")


class OwnersCommitteeParams(Schema):
    target = _target(80, "目标组建率（%），各地自定")


class StaffingParams(Schema):
    target = fields.Float(load_default=setting_default("workers_per_10k_population"),
                          validate=validate.Range(min=0, max=1000),
                          metadata={"description": "每万名常住人口社区工作者人数（默认取设置）"})


class PayParams(Schema):
    target = fields.Float(load_default=setting_default("worker_min_monthly_pay_yuan"),
                          validate=validate.Range(min=0, max=1_000_000),
                          metadata={"description": "社区工作者月平均工资下限（元，默认取设置）"})


class VenueParams(Schema):
    target = _target(100, "面积达到标准的比例（%）", maximum=1000)
    per_100_households_m2 = fields.Float(
        load_default=setting_default("venue_area_per_100_households_m2"),
        validate=validate.Range(min=0, max=10_000),
        metadata={"description": "每百户面积标准（平方米，默认取设置）"})
    min_area_m2 = fields.Float(
        load_default=setting_default("venue_min_area_m2"), validate=validate.Range(min=0, max=100_000),
        metadata={"description": "最低面积（平方米，默认取设置）"})


class ServiceParams(Schema):
    target = _target(100, "目标比例（%）")
    min_services = fields.Int(
        load_default=setting_default("registered_member_services_per_year"),
        validate=validate.Range(min=1, max=365),
        metadata={"description": "周期内每人至少服务次数（默认取设置的每年次数）"})
    new_registration_days = fields.Int(
        load_default=90, validate=validate.Range(min=0, max=366),
        metadata={"description": "周期最后若干天内报到的不计入（来不及服务）"})


# -- measures ---------------------------------------------------------------------------------------


def measure_grid_branches(ctx: IndicatorContext) -> dict:
    h = holders(ctx.orgs)
    branch = aliased(Organization, name="grid_branch")
    covered = case((and_(branch.id.is_not(None),
                         or_(branch.status == "active", branch.dissolved_on > ctx.end)), 1), else_=0)
    rows = db.session.execute(
        select(h.c.org_id, Grid.name, covered)
        .select_from(h)
        .join(Grid, Grid.org_id == h.c.holder_id)
        .outerjoin(branch, branch.id == Grid.branch_org_id)
        .where(grid_current(ctx.end))
        .order_by(h.c.org_id, Grid.name)
    ).all()
    covered_of: dict = {}
    missing_of: dict = {}
    for org_id, name, is_covered in rows:
        covered_of.setdefault(org_id, 0)
        missing_of.setdefault(org_id, [])
        if is_covered:
            covered_of[org_id] += 1
        else:
            missing_of[org_id].append(name)
    found = {}
    for org_id, done in covered_of.items():
        missing = missing_of[org_id]
        total = done + len(missing)
        found[org_id] = Measurement(_percent(done, total), evidence={
            "grids": total, "covered": done, "uncovered": len(missing), "missing": _names(missing)})
    return found


def measure_red_property(ctx: IndicatorContext) -> dict:
    h = holders(ctx.orgs)
    rows = db.session.execute(
        select(h.c.org_id, PropertyCompany.name,
               case((PropertyCompany.has_party_org.is_(True), 1), else_=0),
               case((agreement_valid(ctx.end), 1), else_=0))
        .select_from(h)
        .join(PropertyCompany, PropertyCompany.org_id == h.c.holder_id)
        .where(company_serving(ctx.end))
        .order_by(h.c.org_id, PropertyCompany.name)
    ).all()
    counted: dict = {}
    for org_id, name, own_org, agreement in rows:
        figures = counted.setdefault(org_id, {"companies": 0, "party_orgs": 0, "agreements": 0, "missing": []})
        figures["companies"] += 1
        figures["party_orgs"] += own_org
        figures["agreements"] += agreement if not own_org else 0
        if not own_org and not agreement:
            figures["missing"].append(name)
    found = {}
    for org_id, f in counted.items():
        red = f["party_orgs"] + f["agreements"]
        found[org_id] = Measurement(_percent(red, f["companies"]), evidence={
            "companies": f["companies"], "red": red, "party_orgs": f["party_orgs"],
            "agreements": f["agreements"], "missing": _names(f["missing"])})
    return found


def measure_owners_committees(ctx: IndicatorContext) -> dict:
    found = {}
    for org_id, figures in community_figures(ctx.orgs).items():
        known = [c for c in figures.known("residential_compounds", "owners_committees")
                 if c.get("residential_compounds") > 0]
        if not known:
            continue
        compounds = figures.total("residential_compounds", known)
        formed = figures.total("owners_committees", known)
        found[org_id] = Measurement(_percent(formed, compounds), evidence={
            "compounds": compounds, "formed": formed, "communities": len(known)})
    return found


def measure_worker_staffing(ctx: IndicatorContext) -> dict:
    found = {}
    for org_id, figures in community_figures(ctx.orgs).items():
        known = [c for c in figures.known("population", "community_workers") if c.get("population") > 0]
        if not known:
            continue
        population = figures.total("population", known)
        workers = figures.total("community_workers", known)
        found[org_id] = Measurement(round(workers * 10000 / population, 1), evidence={
            "population": population, "workers": workers, "communities": len(known)})
    return found


def measure_worker_pay(ctx: IndicatorContext) -> dict:
    found = {}
    for org_id, figures in community_figures(ctx.orgs).items():
        known = figures.known("worker_avg_monthly_pay")
        if not known:
            continue
        weights = [max(c.get("community_workers") or 0, 1) for c in known]
        paid = sum(c.get("worker_avg_monthly_pay") * w for c, w in zip(known, weights, strict=True))
        found[org_id] = Measurement(round(paid / sum(weights)), evidence={
            "workers": figures.total("community_workers", known), "communities": len(known)})
    return found


def measure_venue_area(ctx: IndicatorContext) -> dict:
    per_100, minimum = ctx.params["per_100_households_m2"], ctx.params["min_area_m2"]
    found = {}
    for org_id, figures in community_figures(ctx.orgs).items():
        known = figures.known("venue_area_m2", "households")
        if not known:
            continue
        area = sum(float(c.get("venue_area_m2")) for c in known)
        standard = sum(venue_standard(c.get("households"), per_100, minimum) for c in known)
        value = _percent(area, standard) if standard > 0 else 100.0
        found[org_id] = Measurement(value, evidence={
            "area": round(area, 1), "standard": round(standard, 1),
            "households": figures.total("households", known), "communities": len(known)})
    return found


def measure_registered_service(ctx: IndicatorContext) -> dict:
    p = ctx.params
    last_counted = ctx.end - timedelta(days=p["new_registration_days"])
    h = holders(ctx.orgs)
    served = (
        select(Service.registration_id, func.count().label("services"))
        .where(Service.served_on >= ctx.start, Service.served_on <= ctx.end)
        .group_by(Service.registration_id)
        .subquery("served")
    )
    running = and_(Registration.registered_on <= ctx.end,
                   or_(Registration.ended_on.is_(None), Registration.ended_on >= ctx.start))
    rows = db.session.execute(
        select(h.c.org_id, Registration.registered_on, func.coalesce(served.c.services, 0))
        .select_from(h)
        .join(Registration, Registration.org_id == h.c.holder_id)
        .outerjoin(served, served.c.registration_id == Registration.id)
        .where(running)
    ).all()
    counted: dict = {}
    for org_id, registered_on, services in rows:
        f = counted.setdefault(org_id, {"registered": 0, "counted": 0, "active": 0, "new": 0, "services": 0})
        f["registered"] += 1
        f["services"] += int(services)
        if registered_on > last_counted:
            f["new"] += 1
            continue
        f["counted"] += 1
        if int(services) >= p["min_services"]:
            f["active"] += 1
    return {
        org_id: Measurement(_percent(f["active"], f["counted"]), evidence={**f, "min_services": p["min_services"]})
        for org_id, f in counted.items() if f["counted"]
    }


def indicators() -> list[Indicator]:
    common = {"sectors": SECTORS, "kinds": KINDS}
    return [
        Indicator(
            key="community.grid_branches", name="网格党组织覆盖率", scoring="proportional",
            max_points=8, measure=measure_grid_branches, params=CoverageParams, unit="%",
            reads="社区网格台账", **common,
            description="期末在用网格中建有网格党支部（党小组）的比例，支部建在网格上。",
            explain="期末网格 {grids} 个，建有网格党组织 {covered} 个，未覆盖：{missing}；覆盖率 {value}{unit}",
        ),
        Indicator(
            key="community.red_property", name="红色物业覆盖率", scoring="proportional",
            max_points=8, measure=measure_red_property, params=CoverageParams, unit="%",
            reads="物业企业台账（党组织、共建协议）", **common,
            description="期末在服务的物业企业中，建有党组织或与社区党组织签订有效党建共建协议的比例。",
            explain="物业企业 {companies} 家，建有党组织 {party_orgs} 家、共建协议有效 {agreements} 家，"
                    "未达标：{missing}；红色物业覆盖率 {value}{unit}",
        ),
        Indicator(
            key="community.owners_committees", name="业主委员会组建率", scoring="proportional",
            max_points=5, measure=measure_owners_committees, params=OwnersCommitteeParams, unit="%",
            reads="社区基本情况（小区数、业委会数）", **common,
            description="已组建业主委员会（物业管理委员会）的住宅小区占小区总数的比例。",
            explain="住宅小区 {compounds} 个，已组建业主委员会 {formed} 个，组建率 {value}{unit}",
        ),
        Indicator(
            key="community.worker_staffing", name="社区工作者配备", scoring="threshold",
            max_points=6, measure=measure_worker_staffing, params=StaffingParams, unit="人/万人",
            reads="社区基本情况（常住人口、社区工作者）", **common,
            description="按社区人口规模配足社区工作者：每万名常住人口社区工作者人数达到标准即得分。",
            explain="常住人口 {population} 人，社区工作者 {workers} 人，每万人 {value} 人",
        ),
        Indicator(
            key="community.worker_pay", name="社区工作者待遇保障", scoring="threshold",
            max_points=4, measure=measure_worker_pay, params=PayParams, unit="元",
            reads="社区基本情况（社区工作者工资）", **common,
            description="社区工作者月平均工资不低于当地标准即得分。",
            explain="社区工作者 {workers} 人，月平均工资 {value} 元",
        ),
        Indicator(
            key="community.venue_area", name="党群服务中心面积达标", scoring="threshold",
            max_points=5, measure=measure_venue_area, params=VenueParams, unit="%",
            reads="社区基本情况（户数、党群服务中心面积）", **common,
            description="社区党群服务中心面积达到每百户 30 平方米、且不少于最低面积的标准即得分。",
            explain="户数 {households}，标准面积 {standard} 平方米，实有 {area} 平方米，达标率 {value}{unit}",
        ),
        Indicator(
            key="community.registered_service", name="在职党员报到服务率", scoring="proportional",
            max_points=8, measure=measure_registered_service, params=ServiceParams, unit="%",
            reads="双报到登记和服务记录", **common,
            description="到社区报到的在职党员中，周期内服务次数达到要求的比例（周期末新报到的不计）。",
            explain="报到 {registered} 人（新报到不计 {new} 人），服务 {services} 次，"
                    "达到 {min_services} 次的 {active}/{counted} 人，比例 {value}{unit}",
        ),
    ]
