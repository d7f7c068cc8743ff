"""The demo city's pairings (``dangjian_demo_data``): the city's finance bureau branch with
桃源村 (tasks, a joint study and a joint 主题党日 that counts for both branches), the city
investment group's first branch with 幸福社区 (tasks and activities), and 星光科技 with 李家村
— idle for months, so the idle pairing warning has something to show. Idempotent: nothing
is added once the demo has a pairing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.db import db
from core.life import service as life
from core.orgs import service as orgs
from core.pairings import service
from core.pairings.models import Pairing

# (initiating side, partner, days since it started, goals, contact)
PAIRINGS = (
    ("SZ-JG-CZ", "SZ-QS-TY-01", 420, "支部联建、产业帮扶、为民办实事：帮助桃源村发展村集体经济，共建党群服务阵地。", "王建国"),
    ("SZ-GZ-CT-01", "SZ-QS-XF-01", 300, "共建红色物业、网格联动：城投集团党员到社区报到，参与老旧小区改造。", "李明辉"),
    ("SZ-LX-XG", "SZ-QS-TY-02", 240, "两新组织结对帮村：技术培训、消费帮扶。", "陈晓东"),
)


def _joint_theme_day(host, today: date):
    """A 主题党日 the finance bureau branch held in 桃源村 this month, everyone eligible there."""
    held_on = today.replace(day=1) if today.day > 1 else today
    present = list(life.eligible_members(host, "theme_day", held_on))
    return life.record_meeting(host, {
        "kind": "theme_day", "held_on": held_on, "topic": "联合主题党日：走进桃源村，共话乡村振兴",
        "host": "王建国", "location": "桃源村党群服务中心",
        "minutes": "市财政局机关党支部与桃源村党支部共同开展主题党日，重温入党誓词，座谈村集体经济发展。",
        "present_member_ids": present,
    })


def _joint_meeting(host, pairing, today: date):
    """A 主题党日 the finance bureau branch held at least two months ago (the latest such) —
    the demo's year of work is made first (its meetings once, and only while there are
    no meetings at all) — or, early in the year when there is none, one held this month. Not a
    recent one: 桃源村's own 主题党日 warning stays open for the demo (and its browser test)
    to clear by recording a meeting."""
    from core.demo.assessment import ensure_year_of_work

    ensure_year_of_work(today)
    held = [m for m in life.recent_meetings([host.id], pairing.started_on)
            if m.kind == "theme_day" and m.held_on <= today - timedelta(days=60)]
    return held[0] if held else _joint_theme_day(host, today)


def ensure_demo(today: date) -> str | None:
    if db.session.scalar(select(func.count()).select_from(Pairing)):
        return None
    made = []
    for org_code, partner_code, days, goals, contact in PAIRINGS:
        org, partner = orgs.by_code(org_code), orgs.by_code(partner_code)
        if org is None or partner is None:
            continue
        made.append(service.create(org, partner, {
            "started_on": today - timedelta(days=days), "goals": goals, "contact": contact}))
    if not made:
        return None
    finance = next((p for p in made if orgs.get(p.org_id).code == "SZ-JG-CZ"), None)
    if finance is not None:
        service.add_task(finance, {"title": "协调资金建设桃源村党群服务中心", "due_on": today - timedelta(days=200),
                                   "done": True, "done_on": today - timedelta(days=210),
                                   "result": "党群服务中心已建成投用"})
        service.add_task(finance, {"title": "帮助引进特色种植项目 1 个", "due_on": today - timedelta(days=60),
                                   "done": True, "done_on": today - timedelta(days=75),
                                   "result": "引进高山茶种植项目，带动 20 户增收"})
        service.add_task(finance, {"title": "开展农村财务管理培训", "due_on": today + timedelta(days=60)})
        service.add_activity(finance, {
            "held_on": today - timedelta(days=40), "kind": "joint_study", "topic": "联学党的二十届三中全会精神",
            "org_participants": 8, "partner_participants": 10, "results": "形成共建项目清单 3 项"})
        meeting = _joint_meeting(orgs.get(finance.org_id), finance, today)
        service.add_activity(finance, {
            "held_on": meeting.held_on, "kind": "joint_meeting", "topic": "联合主题党日：走进桃源村，共话乡村振兴",
            "org_participants": meeting.present_count, "partner_participants": 9,
            "participants_note": "两支部党员共同参加", "results": "为村里解决灌溉水渠维修资金问题",
            "meeting_id": meeting.id})
    soe = next((p for p in made if orgs.get(p.org_id).code == "SZ-GZ-CT-01"), None)
    if soe is not None:
        service.add_task(soe, {"title": "完成幸福小区 2 栋楼道改造", "due_on": today - timedelta(days=30),
                               "done": True, "done_on": today - timedelta(days=35), "result": "已完成并验收"})
        service.add_task(soe, {"title": "组织党员志愿者每月到社区服务", "due_on": today - timedelta(days=10)})
        service.add_activity(soe, {
            "held_on": today - timedelta(days=20), "kind": "service", "topic": "党员志愿服务进网格",
            "org_participants": 12, "partner_participants": 6, "results": "走访独居老人 15 户"})
    idle = next((p for p in made if orgs.get(p.org_id).code == "SZ-LX-XG"), None)
    if idle is not None:
        service.add_activity(idle, {
            "held_on": today - timedelta(days=150), "kind": "visit", "topic": "结对走访困难党员",
            "org_participants": 4, "partner_participants": 3})
    return f"{len(made)} pairings with tasks and activities (one idle)"
