"""Demo data for the two_new sector (``dangjian demo``): the register of the demo city's
市非公有制经济组织和社会组织党委, so 两个覆盖 has something to show.

The demo tree has one two_new committee and one branch (星光科技有限公司党支部); plugins may
not add organisations to it, so the committee doubles as the comprehensive committee for
couriers. What is added (once; a second run finds it by name and adds nothing):

* six units: 星光科技 covered by its own branch; 恒通物流 (4 full members) and 仁爱养老服务中心
  (3) with no organisation (应建尽建); 绿源餐饮 reached by an instructor only; 青年创业协会
  whose instructor left three months ago without a successor; 博远教育 covered by nothing and
  surveyed more than a year ago;
* two instructors: 周建华 in post (a member of the register, so the instructor point rule
  collects for them) and 刘志刚, whose stationing ended;
* two new-employment groups: couriers covered by the committee, delivery riders not;
* the committee's attributes (comprehensive, covering couriers) and the branch's 九有 (six of
  nine) and secretary source.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.sdk import Member, Organization, credit_code_check_char, db, set_org_attributes
from plugins.two_new import service
from plugins.two_new.attributes import NINE_HAVES, SECTOR
from plugins.two_new.models import TwoNewGroup, TwoNewInstructor, TwoNewUnit

BRANCH_NINE_HAVES = list(NINE_HAVES[:5]) + ["有党建制度"]


def _code(serial: int) -> str:
    # 91 (enterprise, 工商) + 320102 (the demo's region) + a 9-character organisation code.
    first17 = f"91320102MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def _instructors(committee: Organization, today: date) -> tuple[TwoNewInstructor, TwoNewInstructor, int]:
    existing = {row.person_name: row for row in db.session.scalars(
        select(TwoNewInstructor).where(TwoNewInstructor.org_id == committee.id))}
    added = 0
    zhou = existing.get("周建华")
    if zhou is None:
        cadre = db.session.scalar(
            select(Member.id).join(Organization, Organization.id == Member.org_id)
            .where(Organization.sector == "organs", Member.status == "full")
            .order_by(Member.joined_on, Member.id).limit(1))
        zhou = service.create_instructor(committee, {
            "person_name": "周建华", "member_id": cadre, "role": "instructor",
            "employer": "示范市市场监督管理局", "phone": "0510-81234567",
            "started_on": date(today.year - 1, 3, 1),
        })
        added += 1
    liu = existing.get("刘志刚")
    if liu is None:
        liu = service.create_instructor(committee, {
            "person_name": "刘志刚", "role": "first_secretary", "employer": "示范市工商业联合会",
            "started_on": date(today.year - 2, 9, 1),
        })
        added += 1
    return zhou, liu, added


def _units(committee: Organization, branch: Organization | None, zhou: TwoNewInstructor,
           liu: TwoNewInstructor, today: date) -> int:
    have = set(db.session.scalars(select(TwoNewUnit.name).where(TwoNewUnit.org_id == committee.id)))
    plan = [
        dict(name="星光科技有限公司", kind="enterprise", industry="软件和信息技术服务业", employees=120,
             party_members=8, full_members=7, covered_by_org_id=branch.id if branch else None,
             instructor_id=zhou.id),
        dict(name="恒通物流有限公司", kind="enterprise", industry="交通运输、仓储和邮政业", employees=260,
             party_members=5, full_members=4, instructor_id=zhou.id),
        dict(name="示范市仁爱养老服务中心", kind="social_organisation", industry="社会工作",
             employees=45, party_members=3, full_members=3),
        dict(name="绿源餐饮管理有限公司", kind="enterprise", industry="住宿和餐饮业", employees=30,
             party_members=1, full_members=1, instructor_id=zhou.id),
        dict(name="示范市青年创业协会", kind="social_organisation", industry="社会团体", employees=12,
             party_members=2, full_members=1, instructor_id=liu.id),
        dict(name="博远教育咨询有限公司", kind="enterprise", industry="教育", employees=18,
             party_members=0, surveyed_on=date(today.year - 1, today.month, 1) - timedelta(days=62)),
    ]
    added = 0
    for serial, values in enumerate(plan, 1):
        if values["name"] in have:
            continue
        if values.get("instructor_id") == liu.id and liu.ended_on is not None:
            del values["instructor_id"]  # a later run: his stationing has ended meanwhile
        if values["kind"] == "enterprise":
            values["credit_code"] = _code(serial)
        service.create_unit(committee, values)
        added += 1
    return added


def _groups(committee: Organization, today: date) -> int:
    have = set(db.session.scalars(select(TwoNewGroup.name).where(TwoNewGroup.org_id == committee.id)))
    plan = [
        dict(kind="courier", name="顺丰、中通、圆通等快递企业快递员", workers=860, party_members=23,
             covering_org_id=committee.id),
        dict(kind="delivery_rider", name="美团、饿了么外卖配送员", workers=1250, party_members=17),
    ]
    added = 0
    for values in plan:
        if values["name"] not in have:
            service.create_group(committee, values)
            added += 1
    return added


def ensure(today: date) -> str | None:
    committee = db.session.scalar(
        select(Organization).where(Organization.sector == SECTOR, Organization.kind == "committee",
                                   Organization.status == "active")
        .order_by(Organization.depth, Organization.code).limit(1))
    if committee is None:
        return None
    branch = db.session.scalar(
        select(Organization).where(Organization.sector == SECTOR, Organization.kind == "branch",
                                   Organization.status == "active", Organization.parent_id == committee.id)
        .order_by(Organization.code).limit(1))
    if not (committee.attributes or {}).get("comprehensive"):
        set_org_attributes(committee, {"comprehensive": True, "covers_groups": ["courier"]})
    if branch is not None and "nine_haves" not in (branch.attributes or {}):
        set_org_attributes(branch, {"nine_haves": BRANCH_NINE_HAVES, "secretary_source": "manager"})
    zhou, liu, instructors = _instructors(committee, today)
    units = _units(committee, branch, zhou, liu, today)
    groups = _groups(committee, today)
    if liu.ended_on is None:
        service.update_instructor(liu, {"ended_on": today - timedelta(days=90),
                                        "end_reason": "挂职期满返回原单位"})
    db.session.flush()
    if not (instructors or units or groups):
        return None
    return f"{units} units, {instructors} instructors, {groups} new-employment groups in the 两新 register"
