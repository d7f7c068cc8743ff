"""The demo city's villages: 桃源村 does well, 李家村 falls short, so the star rating and the
warnings have something to tell apart.

* 桃源村党支部 — a key village with a 党群服务中心 of 320 m² and most functions, a villagers'
  committee elected this spring, collective operating income above the target for three
  years, a first secretary and two work team members stationed (and the one before them),
  and a duty post for every member but the secretary.
* 李家村党支部 — also a key village, but its first secretary left last year and nobody
  replaced them, its income stays under the target, its service centre is small, its
  villagers' committee's term has run out and only two members hold duty posts.

Written through :mod:`plugins.rural.service` and :func:`core.sdk.set_org_attributes`, only
what is missing (a second run adds nothing), never committed. The demo tree is core's: the
villages are found by their names under the rural sector; without them nothing is added.
Core's demo sends a few villagers away to work (流动党员): 桃源村 keeps in touch with its one
every month or so, and some of the calls come from the member; 李家村 phoned one of its two
once, months ago, and never reached the other — so the mobile-member warning fires there.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.sdk import Member, Organization, db, set_org_attributes
from plugins.rural import service
from plugins.rural.models import (
    FIRST_SECRETARY,
    TEAM_MEMBER,
    MemberDuty,
    MobileContact,
    Stationing,
)
from plugins.rural.settings import PLUGIN

STRONG, WEAK = "桃源村党支部", "李家村党支部"


def _villages() -> dict[str, Organization]:
    rows = db.session.scalars(select(Organization).where(
        Organization.sector == PLUGIN, Organization.name.in_((STRONG, WEAK))))
    return {org.name: org for org in rows}


def _attributes(today: date) -> dict[str, dict]:
    return {
        STRONG: {
            "village": True, "key_village": True, "households": 612, "population": 2150,
            "village_groups": 8, "service_centre_area_m2": 320.0,
            "service_centre_functions": ["党员活动", "便民服务", "群众说事", "文化活动", "农家书屋",
                                         "卫生室", "电商服务"],
            "village_committee_term_started_on": date(today.year, 3, 15).isoformat(),
            "secretary_is_director": True,
        },
        WEAK: {
            "village": True, "key_village": True, "households": 380, "population": 1260,
            "village_groups": 5, "service_centre_area_m2": 120.0,
            "service_centre_functions": ["党员活动", "便民服务"],
            "village_committee_term_started_on": date(today.year - 5, 3, 20).isoformat(),
            "secretary_is_director": False,
        },
    }


def _incomes(today: date) -> dict[str, list[tuple[int, str, str | None, str]]]:
    y = today.year
    return {
        STRONG: [(y - 2, "5.60", "38.20", "村集体茶园入股分红、门面出租"),
                 (y - 1, "6.30", "41.50", "茶园分红、乡村旅游停车场"),
                 (y, "7.10", None, "截至本月，含电商服务站代销佣金")],
        WEAK: [(y - 2, "2.80", "19.60", "集体鱼塘发包"),
               (y - 1, "3.20", "21.00", "集体鱼塘发包、闲置校舍出租"),
               (y, "3.90", None, "截至本月")],
    }


def _stationings(today: date) -> dict[str, list[dict]]:
    y = today.year
    return {
        STRONG: [
            {"person_name": "陈立", "role": FIRST_SECRETARY, "dispatched_by": "市财政局",
             "started_on": date(y - 5, 6, 1), "ended_on": date(y - 2, 5, 31), "phone": None,
             "note": "期满轮换"},
            {"person_name": "周明", "role": FIRST_SECRETARY, "dispatched_by": "市农业农村局",
             "started_on": date(y - 2, 6, 1), "ended_on": None, "phone": "0731-8866001",
             "note": "兼任驻村工作队队长"},
            {"person_name": "吴芳", "role": TEAM_MEMBER, "dispatched_by": "市农业农村局",
             "started_on": date(y - 2, 6, 1), "ended_on": None, "phone": None, "note": None},
            {"person_name": "郑凯", "role": TEAM_MEMBER, "dispatched_by": "青山县农商银行",
             "started_on": date(y - 1, 3, 1), "ended_on": None, "phone": None, "note": None},
        ],
        WEAK: [
            {"person_name": "刘强", "role": FIRST_SECRETARY, "dispatched_by": "青山县交通运输局",
             "started_on": date(y - 3, 3, 1), "ended_on": date(y - 1, 2, 28), "phone": None,
             "note": "期满离任，尚未轮换"},
        ],
    }


DUTY_POSTS = ("政策宣传岗", "纠纷调解岗", "村务监督岗", "环境监督岗", "民意报告岗", "治安巡逻岗",
              "科普辅导岗", "扶贫济困岗")


def _members(org: Organization) -> list[Member]:
    return list(db.session.scalars(
        select(Member).where(Member.org_id == org.id, Member.status.in_(("full", "probationary")))
        .order_by(Member.joined_on, Member.name, Member.id)))


def demo_data(today: date) -> str | None:
    villages = _villages()
    if not villages:
        return None
    added = {"attributes": 0, "incomes": 0, "stationings": 0, "duties": 0, "contacts": 0}
    for name, attributes in _attributes(today).items():
        org = villages.get(name)
        if org is not None and not any(key in (org.attributes or {}) for key in attributes):
            set_org_attributes(org, attributes)
            added["attributes"] += 1
    db.session.flush()
    for name, rows in _incomes(today).items():
        org = villages.get(name)
        for year, operating, total, note in rows if org is not None else ():
            if service.income_of(org.id, year) is None:
                service.record_income(org, {
                    "year": year, "operating_income_wan": Decimal(operating),
                    "total_income_wan": Decimal(total) if total else None, "note": note}, today)
                added["incomes"] += 1
    for name, rows in _stationings(today).items():
        org = villages.get(name)
        if org is None or db.session.scalar(
                select(func.count()).select_from(Stationing).where(Stationing.org_id == org.id)):
            continue
        for row in rows:
            service.station(org, row)
            added["stationings"] += 1
    for name, how_many in ((STRONG, None), (WEAK, 2)):
        org = villages.get(name)
        if org is None or db.session.scalar(
                select(func.count()).select_from(MemberDuty).where(MemberDuty.org_id == org.id)):
            continue
        people = _members(org)
        # the member who joined first is the demo's secretary; the rest take a post each
        chosen = people[1:] if how_many is None else people[-how_many:]
        for n, member in enumerate(chosen):
            started = max(member.joined_on, date(today.year - 1, 4, 1))
            service.assign_duty(org, {"member_id": member.id, "duty": DUTY_POSTS[n % len(DUTY_POSTS)],
                                      "responsibilities": None, "started_on": started,
                                      "ended_on": None})
            added["duties"] += 1
    added["contacts"] = _contacts(villages, today)
    db.session.flush()
    if not any(added.values()):
        return None
    return (f"{added['attributes']} villages' attributes, {added['incomes']} yearly incomes, "
            f"{added['stationings']} stationings, {added['duties']} duty posts, "
            f"{added['contacts']} contacts with mobile members")


def _contacts(villages: dict[str, Organization], today: date) -> int:
    """Contacts with the villages' mobile members: monthly for the strong village (every
    third call made by the member), one old call for the weak one's first (once)."""
    if db.session.scalar(select(func.count()).select_from(MobileContact)):
        return 0
    added = 0
    for name, org in villages.items():
        away = db.session.scalars(
            select(Member).where(Member.org_id == org.id, Member.status == "mobile",
                                 Member.mobile_since.is_not(None))
            .order_by(Member.mobile_since, Member.id)).all()
        for position, member in enumerate(away):
            if name == STRONG:
                days = list(range(20, (today - member.mobile_since).days, 30))
            else:
                days = [(today - member.mobile_since).days // 2] if position == 0 else []
            for n, back in enumerate(sorted(days, reverse=True)):
                service.record_contact(org, {
                    "member_id": member.id, "contacted_on": date.fromordinal(today.toordinal() - back),
                    "channel": "wechat" if n % 2 else "phone",
                    "initiated_by": "member" if name == STRONG and n % 3 == 2 else "branch",
                    "note": "了解务工近况，传达支部学习安排" if name == STRONG else "电话联系，了解近况",
                }, today)
                added += 1
    return added
