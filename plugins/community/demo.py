"""The community sector's demo data (``dangjian demo``): 幸福社区 under 幸福街道.

The demo tree has one street (幸福街道党工委), one community (幸福社区党委) and one grid
branch (幸福社区第一网格党支部). The community gets plausible figures and records chosen so
the star rating and the warnings have something to show, good and bad:

* about 9,200 residents in 3,150 households and 6 compounds (4 owners' committees);
  15 community workers — short of 18 per 10,000 (a warning, the staffing item lost) — paid
  4,300 yuan a month (meets the minimum); a 1,000 m² venue (meets 30 m² per 100 households);
* three grids, only the first covered by the grid branch (a warning naming the other two);
* three property companies: one with its own Party branch, one with a joint-building
  agreement in force, one whose agreement expired 40 days ago (a warning);
* registrations (双报到) of in-service members of the city's organ and SOE branches, most
  serving regularly, one idle for months (a member warning), one just registered, and one
  person from a provincial department outside the register who has not served yet.

Everything goes through the plugin's services and ``set_org_attributes``, and is added
only when missing, so running the demo again adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.sdk import (
    MEMBER_ACTIVE_STATUSES,
    Member,
    Organization,
    credit_code_check_char,
    db,
    set_org_attributes,
)
from plugins.community import service
from plugins.community.attributes import COMMUNITY_KINDS, SECTOR
from plugins.community.models import Grid, PropertyCompany, Registration

FIGURES = {
    "population": 9200, "households": 3150, "residential_compounds": 6, "owners_committees": 4,
    "community_workers": 15, "worker_avg_monthly_pay": 4300, "venue_area_m2": 1000.0,
}
# (name, code, households, grid worker, covered by the grid branch)
GRIDS = (
    ("第一网格（幸福里小区）", "XF-01", 1080, "张敏", True),
    ("第二网格（阳光花园）", "XF-02", 1040, "李娟", False),
    ("第三网格（和平新村）", "XF-03", 1030, "王芳", False),
)
# (registration's member source sector, services this year, last service days ago or None)
SERVING = (("organs", 4), ("organs", 3), ("organs", 2), ("organs", 0), ("soe", 0))
OUTSIDE = ("赵强", "省交通运输厅")
ACTIVITIES = (("volunteer", "社区卫生大扫除志愿服务"), ("policy", "入户宣传防范电信诈骗"),
              ("assistance", "走访慰问独居老人"), ("safety", "小区夜间平安巡逻"))


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def _orgs():
    """The community organisations (parent also of the sector) and their branches."""
    rows = db.session.scalars(
        select(Organization).where(Organization.sector == SECTOR, Organization.status == "active")
        .order_by(Organization.depth, Organization.code)
    ).all()
    by_id = {o.id: o for o in rows}
    communities = [o for o in rows if o.kind in ("committee", "general_branch")
                   and o.parent_id in by_id]
    branches = [o for o in rows if o.kind in ("branch", "joint_branch", "group")
                and any(o.path.startswith(c.path) for c in communities)]
    return communities, branches


def _members_of(sector: str, count: int) -> list[Member]:
    return list(db.session.scalars(
        select(Member).join(Organization, Organization.id == Member.org_id)
        .where(Organization.sector == sector, Organization.kind.in_(COMMUNITY_KINDS),
               Member.status.in_(MEMBER_ACTIVE_STATUSES))
        .order_by(Member.joined_on, Member.name).limit(count)
    ))


def _ensure_figures(community: Organization, branches: list[Organization]) -> bool:
    missing = {k: v for k, v in FIGURES.items() if (community.attributes or {}).get(k) is None}
    if missing:
        set_org_attributes(community, missing)
    for branch in branches:
        if branch.path.startswith(community.path) and "branch_setting" not in (branch.attributes or {}):
            set_org_attributes(branch, {"branch_setting": "grid"})
    return bool(missing)


def _ensure_grids(community: Organization, branches: list[Organization]) -> int:
    have = set(db.session.scalars(select(Grid.name).where(Grid.org_id == community.id)))
    branch = next((b for b in branches if b.parent_id == community.id and b.kind != "group"), None)
    added = 0
    for name, code, households, worker, covered in GRIDS:
        if name in have:
            continue
        service.create_grid(community, {
            "name": name, "code": code, "households": households, "grid_worker_name": worker,
            "branch_org_id": branch.id if covered and branch is not None else None})
        added += 1
    return added


def _ensure_companies(community: Organization, today: date) -> int:
    have = set(db.session.scalars(select(PropertyCompany.name).where(PropertyCompany.org_id == community.id)))
    companies = (
        {"name": "幸福物业服务有限公司", "credit_code": _credit_code("91320102MA1QX8K2B"),
         "compounds_served": 3, "has_party_org": True, "started_on": date(2018, 5, 1),
         "note": "公司党支部 2021 年成立，与社区党委开展“红色物业”联建。"},
        {"name": "阳光物业管理有限公司", "credit_code": _credit_code("91320102MA1R2D7L4"),
         "compounds_served": 2, "has_party_org": False, "started_on": date(2020, 1, 1),
         "agreement_signed_on": date(today.year - 1, 3, 1), "agreement_ends_on": date(today.year + 1, 2, 28)},
        {"name": "安居物业有限公司", "compounds_served": 1, "has_party_org": False,
         "started_on": date(2016, 7, 1), "agreement_signed_on": date(today.year - 3, 1, 10),
         "agreement_ends_on": today - timedelta(days=40)},
    )
    added = 0
    for data in companies:
        if data["name"] not in have:
            service.create_company(community, data)
            added += 1
    return added


def _dates(count: int, today: date, registered_on: date) -> list[date]:
    """``count`` service days this year, about a month apart, latest a week ago."""
    first = max(date(today.year, 1, 1), registered_on)
    return [max(first, today - timedelta(days=7 + 30 * n)) for n in range(count)]


def _serve(registration: Registration, days: list[date]) -> int:
    for n, served_on in enumerate(days):
        category, activity = ACTIVITIES[n % len(ACTIVITIES)]
        service.create_service(registration, {"served_on": served_on, "hours": 2, "category": category,
                                              "activity": activity})
    return len(days)


def _ensure_registrations(community: Organization, grids: list[Grid], today: date) -> int:
    registered = set(db.session.scalars(select(Registration.member_id).where(Registration.member_id.is_not(None))))
    outsiders = set(db.session.scalars(select(Registration.person_name).where(Registration.org_id == community.id)))
    long_ago = date(today.year - 1, 3, 1)
    added = 0
    wanted: dict[str, int] = {}
    for sector, _ in SERVING:
        wanted[sector] = wanted.get(sector, 0) + 1
    pools = {sector: _members_of(sector, n) for sector, n in wanted.items()}
    for n, (sector, services) in enumerate(SERVING):
        pool = pools[sector]
        if not pool:
            continue
        member = pool.pop(0)
        if member.id in registered:
            continue
        recent = sector == "soe"  # just registered: not counted yet, no warning
        registered_on = today - timedelta(days=30) if recent else long_ago
        registration = service.create_registration(community, {
            "member_id": member.id, "registered_on": registered_on,
            "grid_id": grids[n % len(grids)].id if grids else None})
        if services:
            _serve(registration, _dates(services, today, registered_on))
        elif not recent:  # the idle one: served once, long ago
            _serve(registration, [today - timedelta(days=250)])
        added += 1
    name, unit = OUTSIDE
    if name not in outsiders:
        service.create_registration(community, {"person_name": name, "work_unit": unit,
                                                "registered_on": long_ago})
        added += 1
    return added


def demo_data(today: date) -> str | None:
    today = min(today, date.today())  # services are never recorded in the future
    communities, branches = _orgs()
    said = []
    for community in communities:
        if _ensure_figures(community, branches):
            said.append(f"{community.name}基本情况")
        grids_added = _ensure_grids(community, branches)
        companies_added = _ensure_companies(community, today)
        grids = list(db.session.scalars(
            select(Grid).where(Grid.org_id == community.id, Grid.ended_on.is_(None)).order_by(Grid.name)))
        registrations_added = _ensure_registrations(community, grids, today)
        if grids_added:
            said.append(f"{grids_added} 个网格")
        if companies_added:
            said.append(f"{companies_added} 家物业企业")
        if registrations_added:
            said.append(f"{registrations_added} 名报到党员")
    db.session.flush()
    return "、".join(said) if said else None
