"""The demo city's state-owned enterprise: 市城投集团 and its first branch, good on most counts
and short on a few, so the star rating and the warnings have something to show.

* 市城投集团党委 — the group's charter has Party building and the prior-review clause in it
  (amended 2018); its leaders are cross-appointed (the secretary chairs the board, the general
  manager is deputy secretary, a full-time deputy secretary sits on the board, a committee
  member is deputy general manager); this year's register holds six major matters, one of
  which — a bond issue — the board decided without the Party committee studying it first
  (→ ``soe.decision_without_review``), and one the committee withdrew; last year's
  Party-building assessment weighed only 8 % in the performance assessment
  (→ ``soe.performance_link_missing``), raised to 12 % this year.
* 市城投集团第一党支部 — three of its members hold a 先锋岗 or 责任区 (below the 60 % target),
  and three of them achieved a 党员攻关 result this year (points collected by the demo).
* 市国资委党委 is the regulator's committee, not an enterprise: it gets no enterprise
  attributes, and the enterprise indicators show "no data" for it.

Written through :mod:`plugins.soe.service` and :func:`core.sdk.set_org_attributes`, only what
is missing (a second run adds nothing), never committed. No committee posts (core's
``org_posts``) are written: the demo's own committees step fills those for branches.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.sdk import Member, Organization, db, set_org_attributes
from plugins.soe import service
from plugins.soe.models import CrossAppointment, Decision, Innovation, VanguardPost
from plugins.soe.settings import PLUGIN

GROUP, BRANCH = "市城投集团党委", "市城投集团第一党支部"

ATTRIBUTES = {
    "enterprise_name": "示范市城市建设投资集团有限公司", "enterprise_level": "group",
    "employees": 2600, "has_board": True, "charter_includes_party_building": True,
    "charter_prior_review_clause": True, "charter_amended_on": "2018-06-28",
}

# (person, party post, business post)
LEADERS = (
    ("张建华", "secretary", "chairman"),
    ("王立新", "deputy_secretary", "general_manager"),
    ("李秀梅", "full_time_deputy_secretary", "director"),
    ("赵国强", "committee_member", "deputy_general_manager"),
    ("孙海燕", "discipline_secretary", None),
    ("钱卫东", None, "chief_accountant"),
)

# (title, category, where in the year so far (0–1), outcome or None: not studied, decided)
DECISIONS = (
    ("集团“十五五”发展规划（草案）", "major_decision", 0.10, "agreed", True),
    ("城东片区棚户区改造项目投资方案", "major_project", 0.25, "amended", True),
    ("所属子公司领导班子调整", "key_appointment", 0.40, "agreed", True),
    ("发行 5 亿元中期票据", "large_fund", 0.55, None, True),
    ("收购城南商业综合体", "major_project", 0.70, "withdrawn", False),
    ("年度投资计划调整", "major_decision", 0.85, "agreed", True),
)

VANGUARD = (("vanguard_post", "管网抢修党员先锋岗"), ("responsibility_area", "城东项目部党员责任区"),
            ("vanguard_post", "安全生产党员先锋岗"))


def _orgs() -> dict[str, Organization]:
    rows = db.session.scalars(select(Organization).where(
        Organization.sector == PLUGIN, Organization.name.in_((GROUP, BRANCH))))
    return {org.name: org for org in rows}


def _count(model, org: Organization) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.org_id == org.id))


def _members(org: Organization) -> list[Member]:
    return list(db.session.scalars(
        select(Member).where(Member.org_id == org.id, Member.status.in_(service.WORKING_STATUSES))
        .order_by(Member.joined_on, Member.name, Member.id)))


def _group(org: Organization, today: date, added: dict) -> None:
    if not (org.attributes or {}).get("enterprise_level"):
        set_org_attributes(org, ATTRIBUTES)
        added["attributes"] += 1
    if not _count(CrossAppointment, org):
        started = date(today.year - 3, 3, 1)
        for person, party_post, business_post in LEADERS:
            service.appoint(org, {"person_name": person, "party_post": party_post,
                                  "business_post": business_post, "started_on": started}, today)
            added["appointments"] += 1
    if not _count(Decision, org):
        first = date(today.year, 1, 1)
        span = (today - first).days
        for n, (title, category, at, outcome, decided) in enumerate(DECISIONS, start=1):
            day = first + timedelta(days=int(span * at))
            service.record_decision(org, {
                "title": title, "category": category,
                "party_reviewed_on": day if outcome else None, "party_outcome": outcome,
                "decided_on": min(today, day + timedelta(days=7)) if decided else None,
                "decided_by": "board", "minutes_ref": f"城投党委〔{today.year}〕{n}号"}, today)
            added["decisions"] += 1
    for year, weight, score, business in ((today.year - 1, "8", "91.5", "96.2"), (today.year, "12", None, None)):
        if service.link_of(org.id, year) is None:
            service.record_link(org, {
                "year": year, "link_weight_pct": Decimal(weight), "salary_linked": True,
                "party_building_score": Decimal(score) if score else None,
                "business_score": Decimal(business) if business else None,
                "note": "依据市国资委年度经营业绩考核责任书"}, today)
            added["links"] += 1


def _branch(org: Organization, today: date, added: dict) -> None:
    people = _members(org)
    if not people:
        return
    if not _count(VanguardPost, org):
        for member, (kind, name) in zip(people[1:], VANGUARD, strict=False):
            started = min(today, max(member.joined_on, date(today.year - 1, 3, 1)))
            service.assign_vanguard(org, {"member_id": member.id, "kind": kind, "name": name,
                                          "duty": "带头攻坚克难、承诺践诺", "started_on": started}, today)
            added["vanguard"] += 1
    if not _count(Innovation, org):
        first = date(today.year, 1, 1)
        service.record_innovation(org, {
            "title": "老旧供水管网非开挖修复技术攻关", "kind": "tackling",
            "achieved_on": first + timedelta(days=(today - first).days // 2), "level": "group",
            "benefit": "缩短抢修工期四成，年节约成本约 120 万元",
            "member_ids": [m.id for m in people[:3]]}, today)
        added["innovations"] += 1


def demo_data(today: date) -> str | None:
    orgs = _orgs()
    added = {"attributes": 0, "appointments": 0, "decisions": 0, "links": 0, "vanguard": 0,
             "innovations": 0}
    if GROUP in orgs:
        _group(orgs[GROUP], today, added)
    if BRANCH in orgs:
        _branch(orgs[BRANCH], today, added)
    db.session.flush()
    if not any(added.values()):
        return None
    return (f"attributes of {added['attributes']} enterprise(s), "
            f"{added['appointments']} cross appointments, {added['decisions']} decisions, "
            f"{added['links']} performance links, {added['vanguard']} vanguard posts, "
            f"{added['innovations']} innovation(s)")
