"""The demo city's secretaries' reviews (``dangjian_demo_data``), under 青山县委 (``SZ-QS``,
managed by the demo user ``qingshan``):

* last year's review, published: every secretary's report with their commitments done or
  not, next year's commitments, ratings by the county (``qingshan``, ``admin``), the 桃源村
  member ``dangyuan`` and the 桃源村 secretary ``taoyuan`` as a peer of 李家村; 李家村's
  一般 grade opened a problem in the ledger. No star rating was published that year, so the
  grades come from the ratings (and open warnings) alone.
* this year's review, in the rating stage: last year's commitments carried over, a task
  the county assigned (点题), reports submitted, some ratings given. Publishing it (the
  cycle page, as ``qingshan``) grades it with this year's published star rating, which the
  demo runs after this hook.

Idempotent: a year whose cycle exists is left alone. Does not commit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.db.mixins import utcnow
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.reviews import service
from core.reviews.models import (
    ASSIGNED,
    AVERAGE,
    FAIRLY_GOOD,
    GOOD,
    HIGHER,
    MEMBERS,
    NEXT,
    PEERS,
    RATING,
    REPORTING,
    SUBMITTED,
    ReviewCycle,
    ReviewItem,
    ReviewRating,
)

ROOT = "SZ-QS"
# Commitments each secretary made for the coming year (carried into the next cycle).
PROMISES = {
    "SZ-QS-TY": ["推动全镇村集体经济收入全部达到5万元以上", "每季度到联系村讲一次党课"],
    "SZ-QS-TY-01": ["建成村党群服务中心“红色议事厅”", "发展1名35岁以下青年入党积极分子"],
    "SZ-QS-TY-02": ["落实“三会一课”制度，做到按月记录", "三年内发展至少1名年轻党员"],
    "SZ-QS-XF": ["推进网格党支部全覆盖", "开展“双报到”服务不少于12次"],
    "SZ-QS-XF-01": ["红色物业覆盖全部小区", "建立社区“两委”联席会议制度"],
    "SZ-QS-XF-01-1": ["每月开展一次主题党日", "网格内党员亮身份全覆盖"],
}
# How last year's ratings went: organisation → (higher, member/peer) ratings.
LAST_YEAR = {
    "SZ-QS-TY": (GOOD, GOOD),
    "SZ-QS-TY-01": (GOOD, FAIRLY_GOOD),
    "SZ-QS-TY-02": (AVERAGE, AVERAGE),
    "SZ-QS-XF": (FAIRLY_GOOD, GOOD),
    "SZ-QS-XF-01": (GOOD, GOOD),
    "SZ-QS-XF-01-1": (FAIRLY_GOOD, FAIRLY_GOOD),
}
ASSIGNED_TASK = "抓好软弱涣散村党组织整顿和村级后备力量培养（县委点题）"


def _users() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_(("admin", "qingshan", "taoyuan", "dangyuan"))))}


def _rate(entry, user: User | None, group: str, rating: str, comment: str | None = None) -> None:
    if user is None:
        return
    db.session.add(ReviewRating(entry_id=entry.id, rater_user_id=user.id, rater_label=f"user:{user.username}",
                                rater_group=group, rating=rating, comment=comment))


def _report(org_name: str, year: int) -> str:
    return (f"{year}年，{org_name}书记认真履行抓基层党建第一责任人职责，落实“三会一课”、主题党日等"
            f"组织生活制度，推进党建责任清单落实。存在的不足：党员教育方式还不够丰富，青年党员发展"
            f"需加强。下一步将对照责任清单逐项整改。")


def _fill(cycle: ReviewCycle, codes: dict, done_ratio: int) -> None:
    """Reports, the outcome of every item and next year's promises, submitted."""
    for position, (entry, org) in enumerate(service.entries_of(cycle)):
        for index, item in enumerate(service.items_of(entry)):
            item.done = (index + position) % done_ratio != 0 or item.kind == ASSIGNED
            item.note = "已完成，有会议记录和照片佐证" if item.done else "未完成：受资金和人员所限，转入下年度继续推进"
        for promise in PROMISES.get(codes.get(org.id), ()):
            db.session.add(ReviewItem(entry_id=entry.id, kind=NEXT, title=promise, created_by="demo"))
        entry.report = _report(org.name, cycle.year)
        entry.status = SUBMITTED
        entry.submitted_at = utcnow()
        entry.submitted_by = "demo"
    db.session.flush()


def ensure_demo(today: date) -> str | None:
    root = orgs.by_code(ROOT)
    if root is None:
        return None
    codes = {o.id: o.code for o in db.session.scalars(select(Organization).where(
        orgs.subtree_filter(root.path)))}
    users = _users()
    if not {"admin", "qingshan"} <= set(users):
        return None  # the higher level's raters: `dangjian demo` makes its users first
    added = []
    last_year, this_year = today.year - 1, today.year
    existing = set(db.session.scalars(select(ReviewCycle.year).where(ReviewCycle.root_org_id == root.id)))
    if last_year not in existing:
        cycle = service.open_cycle(root, last_year)
        _fill(cycle, codes, done_ratio=3)
        cycle.state = RATING
        for entry, org in service.entries_of(cycle):
            higher, other = LAST_YEAR.get(codes.get(org.id), (GOOD, GOOD))
            _rate(entry, users.get("qingshan"), HIGHER, higher, "履职尽责，成效明显" if higher == GOOD else None)
            _rate(entry, users.get("admin"), HIGHER, higher)
            if codes.get(org.id) in ("SZ-QS-TY", "SZ-QS-TY-01"):
                _rate(entry, users.get("dangyuan"), MEMBERS, other)
            if codes.get(org.id) == "SZ-QS-TY-02":
                _rate(entry, users.get("taoyuan"), PEERS, other, "组织生活不够经常，发展党员滞后")
        db.session.flush()
        service.publish(cycle, root)
        added.append(f"{last_year} review published")
    if this_year not in existing:
        cycle = service.open_cycle(root, this_year)
        cycle.state = REPORTING
        for entry, org in service.entries_of(cycle):
            if codes.get(org.id, "").startswith("SZ-QS-TY"):
                db.session.add(ReviewItem(entry_id=entry.id, kind=ASSIGNED, title=ASSIGNED_TASK,
                                          created_by="user:qingshan"))
        db.session.flush()
        _fill(cycle, codes, done_ratio=4)
        cycle.state = RATING
        for entry, org in service.entries_of(cycle):
            _rate(entry, users.get("qingshan"), HIGHER, GOOD if codes.get(org.id) != "SZ-QS-TY-02" else FAIRLY_GOOD)
            if codes.get(org.id) == "SZ-QS-TY-01":
                _rate(entry, users.get("dangyuan"), MEMBERS, GOOD)
        db.session.flush()
        added.append(f"{this_year} review in rating")
    return ", ".join(added) or None
