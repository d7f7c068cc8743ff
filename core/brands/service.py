"""The brand library's and the model sites' operations.

Every function works in the current tenant and leaves the commit to its caller; each checks
everything before it changes anything, so a refusal writes nothing. Errors are
:class:`~core.api.errors.ApiError` naming the field: 422 for invalid input, 409 for what a
record's state or an existing record does not allow (a second brand of one organisation, a
second live application at one level, a stale ``version``), 403 for a decision the caller
may not take.

**Who decides.** A brand and its cases are written by the organisation's own secretary
(``branch_secretary`` on it, or above). A model-site application is made by the same; it is
reviewed, put on notice, awarded, re-reviewed and withdrawn by the level above: a user
holding ``org_manager`` on the organisation's *parent* (``tenant_admin`` for a root), never
by the organisation's own people (:func:`require_level_above`) — and for the city's
百佳示范单位 selection by the city itself (``tenant_admin``, :func:`require_decider`), within
the tenant's yearly ``hundred_best_quota``. The transitions' keyword
``check_role=False`` skips that check: for the demo data only, which runs without a user.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.api.errors import ApiError
from core.auth.context import current_actor
from core.auth.permissions import has_role
from core.brands.models import (
    APPLIED,
    AWARDED,
    DISMISSED,
    DUE,
    EVENT_KINDS,
    FAILED,
    HUNDRED_BEST,
    LAPSED,
    LEVEL_LABELS,
    LEVELS,
    LIVE_STATUSES,
    NOTICE,
    OPEN_OBJECTION,
    PASSED,
    REFUSED,
    STATUS_LABELS,
    UPHELD,
    WITHDRAWN,
    Brand,
    BrandCase,
    ModelSite,
    SiteEvent,
    SiteObjection,
    SiteReview,
)
from core.brands.settings import settings
from core.db import db
from core.db.versioning import check_version, touch
from core.db.versioning import flush as versioned_flush
from core.orgs import service as orgs
from core.orgs.models import Organization

BRAND_FIELDS = ("name", "theme", "concept", "theory", "methods", "carriers", "goals", "started_on",
                "parent_id")
CASE_FIELDS = ("title", "happened_on", "text")
SITE_FIELDS = ("brand_id", "year", "answers", "statement")
BRAND_TAKEN = "该党组织已有党建品牌（一个党组织只能有一个品牌），请修改原品牌。"


def _invalid(field: str, message: str):
    raise ApiError(422, f"{field}: {message}", {field: [message]})


def _conflict(field: str, message: str):
    raise ApiError(409, message, {field: [message]})


def _actor() -> tuple[str, uuid.UUID | None]:
    actor = current_actor()
    return (actor.label, actor.user_id) if actor is not None else ("system", None)


def _not_future(field: str, value: date | None) -> None:
    if value is not None and value > date.today():
        _invalid(field, "不能晚于今天。")


# -- who may ---------------------------------------------------------------------------------


def may_write_brand(org: Organization) -> bool:
    """A brand, its cases and a model-site application: the organisation's secretary."""
    return has_role("branch_secretary", org)


def parent_of(org: Organization) -> Organization | None:
    return orgs.get(org.parent_id) if org.parent_id is not None else None


def is_level_above(org: Organization) -> bool:
    """Does the current user act for the level above ``org``: ``org_manager`` on its parent,
    or ``tenant_admin`` for a root organisation?"""
    parent = parent_of(org)
    return has_role("org_manager", parent) if parent is not None else has_role("tenant_admin")


def require_level_above(org: Organization, doing: str) -> None:
    if not is_level_above(org):
        who = "上级党组织（对上级党组织具有 org_manager 权限的用户）" if org.parent_id else "租户管理员"
        raise ApiError(403, f"{doing}须由{who}办理，本组织不能自行{doing}。")


def may_decide(site: ModelSite, org: Organization) -> bool:
    """Who reviews, runs the notice, awards, re-reviews and withdraws: the level above for a
    党建示范点; the city (``tenant_admin``) for its 百佳示范单位 selection."""
    if site.level == HUNDRED_BEST:
        return has_role("tenant_admin")
    return is_level_above(org)


def require_decider(site: ModelSite, org: Organization, doing: str) -> None:
    if site.level == HUNDRED_BEST:
        if not has_role("tenant_admin"):
            raise ApiError(403, f"“基层党建百佳示范单位”由市委组织部评选，{doing}须由租户管理员办理。")
        return
    require_level_above(org, doing)


# -- brands ----------------------------------------------------------------------------------


def get_brand(brand_id: uuid.UUID) -> Brand | None:
    return db.session.scalar(select(Brand).where(Brand.id == brand_id))


def brand_of(org_id: uuid.UUID) -> Brand | None:
    return db.session.scalar(select(Brand).where(Brand.org_id == org_id))


def cases_of(brand: Brand) -> Sequence[BrandCase]:
    return db.session.scalars(
        select(BrandCase).where(BrandCase.brand_id == brand.id)
        .order_by(BrandCase.happened_on.desc(), BrandCase.created_at.desc())
    ).all()


def sub_brands(brand: Brand) -> Sequence[tuple[Brand, str]]:
    return db.session.execute(
        select(Brand, Organization.name).join(Organization, Organization.id == Brand.org_id)
        .where(Brand.parent_id == brand.id).order_by(Organization.path)
    ).all()


def _check_parent(org: Organization, parent_id: uuid.UUID | None, brand: Brand | None = None) -> None:
    """A sub-brand's parent is the brand of an organisation above ``org`` (an organ's brand
    guiding its field's units; the organisation need not see it), and not itself a sub-brand; a brand with sub-brands of its
    own cannot become one."""
    if parent_id is None:
        return
    parent = get_brand(parent_id)
    parent_org = orgs.get(parent.org_id) if parent is not None else None
    # One answer for an unknown id and a brand not above: nothing is learnt of brands elsewhere
    # (a brand above is one the organisation may name even without a grant up there).
    if parent is None or parent_org is None or parent_org.id == org.id \
            or not orgs.covers(parent_org.path, org.path):
        _invalid("parent_id", "子品牌须挂在上级党组织的品牌之下。")
    if parent.parent_id is not None:
        _invalid("parent_id", "该品牌本身是子品牌，不能再设子品牌。")
    if brand is not None and db.session.scalar(
            select(func.count()).select_from(Brand).where(Brand.parent_id == brand.id)):
        _invalid("parent_id", "本品牌已有子品牌，不能再挂到其他品牌之下。")


def _flush_unique(field: str, message: str) -> None:
    """Flush; a unique key another request took meanwhile is the same 409 as one seen."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _conflict(field, message)


def create_brand(org: Organization, data: dict) -> Brand:
    """A brand for ``org`` (one per organisation: 409 naming ``org_id``)."""
    orgs.require_active(org)
    if brand_of(org.id) is not None:
        _conflict("org_id", BRAND_TAKEN)
    values = {k: data.get(k) for k in BRAND_FIELDS}
    if not (values["name"] or "").strip():
        _invalid("name", "不能为空。")
    values["name"] = values["name"].strip()
    _not_future("started_on", values["started_on"])
    _check_parent(org, values["parent_id"])
    brand = Brand(org_id=org.id, **values)
    db.session.add(brand)
    _flush_unique("org_id", BRAND_TAKEN)
    return brand


def update_brand(brand: Brand, org: Organization, changes: dict, expected_version: int | None) -> Brand:
    check_version(brand, expected_version, "brand")
    values = {k: v for k, v in changes.items() if k in BRAND_FIELDS and getattr(brand, k) != v}
    if "name" in values:
        if not (values["name"] or "").strip():
            _invalid("name", "不能为空。")
        values["name"] = values["name"].strip()
    if "started_on" in values:
        _not_future("started_on", values["started_on"])
    if "parent_id" in values:
        _check_parent(org, values["parent_id"], brand)
    for key, value in values.items():
        setattr(brand, key, value)
    versioned_flush("brand")
    return brand


def delete_brand(brand: Brand) -> None:
    """Remove a brand (with its cases) that no sub-brand and no model site names."""
    if db.session.scalar(select(func.count()).select_from(Brand).where(Brand.parent_id == brand.id)):
        _conflict("id", "该品牌下有子品牌，不能删除。")
    if db.session.scalar(select(func.count()).select_from(ModelSite).where(ModelSite.brand_id == brand.id)):
        _conflict("id", "该品牌已用于示范点申报（申报记录永久保留），不能删除。")
    db.session.delete(brand)
    db.session.flush()


def add_case(brand: Brand, data: dict) -> BrandCase:
    _not_future("happened_on", data["happened_on"])
    case = BrandCase(brand_id=brand.id, **{k: data[k] for k in CASE_FIELDS})
    db.session.add(case)
    db.session.flush()
    return case


def get_case(brand: Brand, case_id: uuid.UUID | None) -> BrandCase | None:
    if case_id is None:
        return None
    return db.session.scalar(select(BrandCase).where(BrandCase.id == case_id, BrandCase.brand_id == brand.id))


def update_case(case: BrandCase, changes: dict, expected_version: int | None) -> BrandCase:
    check_version(case, expected_version, "case")
    if "happened_on" in changes:
        _not_future("happened_on", changes["happened_on"])
    for key in CASE_FIELDS:
        if key in changes:
            setattr(case, key, changes[key])
    versioned_flush("case")
    return case


def delete_case(case: BrandCase) -> None:
    db.session.delete(case)
    db.session.flush()


def search_brands(visible, *, root: Organization | None = None, q: str | None = None,
                  parent_id: uuid.UUID | None = None, sub: bool | None = None):
    """A SELECT of ``(Brand, Organization.name)`` for the organisations ``visible`` sees,
    by tree order: ``root`` (its subtree), ``q`` (in the name, theme or concept),
    ``parent_id`` (the sub-brands of one brand), ``sub`` (only sub-brands / only not)."""
    stmt = (select(Brand, Organization.name).join(Organization, Organization.id == Brand.org_id)
            .where(visible))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    if q:
        words = q.strip()  # taken literally: % and _ are no wildcards here
        stmt = stmt.where(or_(Brand.name.icontains(words, autoescape=True),
                              Brand.theme.icontains(words, autoescape=True),
                              Brand.concept.icontains(words, autoescape=True)))
    if parent_id is not None:
        stmt = stmt.where(Brand.parent_id == parent_id)
    if sub is True:
        stmt = stmt.where(Brand.parent_id.is_not(None))
    elif sub is False:
        stmt = stmt.where(Brand.parent_id.is_(None))
    return stmt.order_by(Organization.path, Brand.id)


# -- model sites -----------------------------------------------------------------------------


def record_event(site: ModelSite, kind: str, *, from_status: str | None = None,
                 to_status: str | None = None, comment: str | None = None) -> SiteEvent:
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown model site event kind {kind!r}")
    label, user_id = _actor()
    event = SiteEvent(site_id=site.id, kind=kind, from_status=from_status, to_status=to_status,
                      comment=comment, actor_label=label, actor_user_id=user_id)
    db.session.add(event)
    return event


def get_site(site_id: uuid.UUID) -> ModelSite | None:
    return db.session.scalar(select(ModelSite).where(ModelSite.id == site_id))


def events_of(site: ModelSite) -> Sequence[SiteEvent]:
    return db.session.scalars(select(SiteEvent).where(SiteEvent.site_id == site.id)
                              .order_by(SiteEvent.created_at, SiteEvent.id)).all()


def objections_of(site: ModelSite) -> Sequence[SiteObjection]:
    return db.session.scalars(select(SiteObjection).where(SiteObjection.site_id == site.id)
                              .order_by(SiteObjection.received_on, SiteObjection.created_at)).all()


def reviews_of(site: ModelSite) -> Sequence[SiteReview]:
    return db.session.scalars(select(SiteReview).where(SiteReview.site_id == site.id)
                              .order_by(SiteReview.year.desc())).all()


def history(org_id: uuid.UUID) -> Sequence[ModelSite]:
    """Every application and title of an organisation, withdrawn and refused ones included,
    newest first."""
    return db.session.scalars(select(ModelSite).where(ModelSite.org_id == org_id)
                              .order_by(ModelSite.applied_on.desc(), ModelSite.created_at.desc())).all()


def _check_answers(answers: dict | None) -> dict:
    """Every criterion of the tenant answered (non-empty text); nothing else."""
    answers = answers or {}
    criteria = settings()["criteria"]
    unknown = [k for k in answers if k not in criteria]
    if unknown:
        _invalid("answers", f"不是本地的申报条件：{'、'.join(unknown)}。")
    missing = [c for c in criteria if not str(answers.get(c) or "").strip()]
    if missing:
        _invalid("answers", f"须逐条说明申报条件的达到情况，缺：{'、'.join(missing)}。")
    return {c: str(answers[c]).strip() for c in criteria}


def _check_site_brand(org: Organization, brand_id: uuid.UUID | None) -> None:
    if brand_id is None:
        return
    brand = get_brand(brand_id)
    if brand is None or brand.org_id != org.id:
        _invalid("brand_id", "须为本组织自己的党建品牌。")


def _live_taken(level: str) -> str:
    return f"该党组织已有进行中的“{LEVEL_LABELS[level]}”申报或称号，不能重复申报。"


def apply(org: Organization, data: dict) -> ModelSite:
    """申报: a new application of ``org`` at ``level`` answering every criterion."""
    orgs.require_active(org)
    level = data.get("level")
    if level not in LEVELS:
        _invalid("level", f"须为以下之一：{', '.join(LEVELS)}。")
    answers = _check_answers(data.get("answers"))
    _check_site_brand(org, data.get("brand_id"))
    live = db.session.scalar(select(func.count()).select_from(ModelSite).where(
        ModelSite.org_id == org.id, ModelSite.level == level, ModelSite.status.in_(LIVE_STATUSES)))
    if live:
        _conflict("level", _live_taken(level))
    label, _user = _actor()
    site = ModelSite(org_id=org.id, brand_id=data.get("brand_id"), level=level,
                     year=data.get("year") or date.today().year, answers=answers,
                     statement=data.get("statement"), status=APPLIED, applied_on=date.today(),
                     applied_by=label)
    db.session.add(site)
    _flush_unique("level", _live_taken(level))
    record_event(site, "applied", to_status=APPLIED)
    return site


def _require_status(site: ModelSite, allowed: tuple[str, ...], doing: str) -> None:
    if site.status not in allowed:
        names = "、".join(f"“{STATUS_LABELS[s]}”" for s in allowed)
        _conflict("status", f"申报当前为“{STATUS_LABELS[site.status]}”，只有{names}的申报可以{doing}。")


def _move(site: ModelSite, to_status: str, kind: str, comment: str | None = None) -> ModelSite:
    record_event(site, kind, from_status=site.status, to_status=to_status, comment=comment)
    site.status = to_status
    versioned_flush("model site")
    return site


def update_application(site: ModelSite, org: Organization, changes: dict,
                       expected_version: int | None) -> ModelSite:
    """Correct an application still awaiting review."""
    check_version(site, expected_version, "model site")
    _require_status(site, (APPLIED,), "修改")
    values = {k: v for k, v in changes.items() if k in SITE_FIELDS}
    if "answers" in values:
        values["answers"] = _check_answers(values["answers"])
    if "brand_id" in values:
        _check_site_brand(org, values["brand_id"])
    if "year" in values and values["year"] is None:
        _invalid("year", "不能为空。")
    for key, value in values.items():
        setattr(site, key, value)
    if values:
        record_event(site, "updated", comment="、".join(sorted(values)))
    versioned_flush("model site")
    return site


def _reason(reason: str | None) -> str:
    if not (reason or "").strip():
        _invalid("reason", "须说明理由。")
    return reason.strip()


def pass_review(site: ModelSite, org: Organization, comment: str | None = None,
                expected_version: int | None = None, today: date | None = None, check_role: bool = True) -> ModelSite:
    """审核通过: applied → notice; the notice runs ``notice_days`` from today."""
    if check_role:
        require_decider(site, org, "审核")
    check_version(site, expected_version, "model site")
    _require_status(site, (APPLIED,), "审核")
    today = today or date.today()
    site.reviewed_on = today
    site.review_comment = comment
    site.notice_starts_on = today
    site.notice_ends_on = today + timedelta(days=settings()["notice_days"] - 1)
    return _move(site, NOTICE, "passed", comment)


def refuse(site: ModelSite, org: Organization, reason: str | None,
           expected_version: int | None = None, check_role: bool = True) -> ModelSite:
    """不予通过: applied or on notice → refused, with a reason (kept in the history)."""
    if check_role:
        require_decider(site, org, "审核")
    check_version(site, expected_version, "model site")
    _require_status(site, (APPLIED, NOTICE), "不予通过")
    reason = _reason(reason)
    if site.reviewed_on is None:
        site.reviewed_on = date.today()
    site.refusal_reason = reason
    return _move(site, REFUSED, "refused", reason)


def add_objection(site: ModelSite, org: Organization, text: str | None,
                  received_on: date | None = None, check_role: bool = True) -> SiteObjection:
    """Record an objection received during the notice (by the level above, who runs it)."""
    if check_role:
        require_decider(site, org, "登记公示异议")
    _require_status(site, (NOTICE,), "登记公示异议")
    if not (text or "").strip():
        _invalid("text", "不能为空。")
    received_on = received_on or date.today()
    _not_future("received_on", received_on)
    objection = SiteObjection(site_id=site.id, received_on=received_on, text=text.strip())
    db.session.add(objection)
    db.session.flush()
    record_event(site, "objection", comment=text.strip())
    return objection


def get_objection(site: ModelSite, objection_id: uuid.UUID | None) -> SiteObjection | None:
    if objection_id is None:
        return None
    return db.session.scalar(select(SiteObjection).where(
        SiteObjection.id == objection_id, SiteObjection.site_id == site.id))


def settle_objection(site: ModelSite, org: Organization, objection: SiteObjection, upheld: bool,
                     resolution: str | None, expected_version: int | None = None, check_role: bool = True) -> SiteObjection:
    """异议核查: an objection found right (``upheld``: the title cannot be awarded, refuse
    the application) or not, with what was found."""
    if check_role:
        require_decider(site, org, "处理公示异议")
    check_version(objection, expected_version, "objection")
    if objection.status != OPEN_OBJECTION:
        _conflict("status", "该异议已处理。")
    _require_status(site, (NOTICE,), "处理公示异议")
    if not (resolution or "").strip():
        _invalid("resolution", "须说明核查结果。")
    resolution = resolution.strip()
    objection.status = UPHELD if upheld else DISMISSED
    objection.resolution = resolution
    objection.settled_on = date.today()
    record_event(site, "objection_settled", comment=f"{'异议成立' if upheld else '异议不成立'}：{resolution}")
    versioned_flush("objection")
    return objection


def award(site: ModelSite, org: Organization, title: str | None, award_year: int | None = None,
          comment: str | None = None, expected_version: int | None = None,
          today: date | None = None, check_role: bool = True) -> ModelSite:
    """授予称号: notice → awarded, once the notice has ended with no objection open or
    upheld; the first re-review falls in the year after ``award_year``."""
    if check_role:
        require_decider(site, org, "授予称号")
    check_version(site, expected_version, "model site")
    _require_status(site, (NOTICE,), "授予称号")
    today = today or date.today()
    if site.notice_ends_on is not None and today <= site.notice_ends_on:
        _conflict("notice_ends_on", f"公示期至 {site.notice_ends_on.isoformat()} 结束，公示期满后方可授予称号。")
    states = {o.status for o in objections_of(site)}
    if OPEN_OBJECTION in states:
        _conflict("objections", "还有公示异议未处理。")
    if UPHELD in states:
        _conflict("objections", "公示异议成立，不能授予称号，请作不予通过处理。")
    award_year = award_year or site.year
    if site.level == HUNDRED_BEST:
        quota = settings()["hundred_best_quota"]
        awarded = db.session.scalar(select(func.count()).select_from(ModelSite).where(
            ModelSite.level == HUNDRED_BEST, ModelSite.award_year == award_year, ModelSite.status == AWARDED))
        if awarded >= quota:
            _conflict("award_year", f"{award_year}年度“基层党建百佳示范单位”已评定 {awarded} 个，达到名额 {quota} 个。")
    title = (title or "").strip() or f"{award_year}年度{LEVEL_LABELS[site.level]}"
    site.title = title
    site.award_year = award_year
    site.awarded_on = today
    return _move(site, AWARDED, "awarded", comment or title)


def withdraw(site: ModelSite, org: Organization, reason: str | None,
             expected_version: int | None = None, kind: str = "withdrawn", check_role: bool = True) -> ModelSite:
    """撤销称号: awarded → withdrawn (kept in the history, never deleted)."""
    if check_role:
        require_decider(site, org, "撤销称号")
    check_version(site, expected_version, "model site")
    _require_status(site, (AWARDED,), "撤销称号")
    return _withdraw(site, _reason(reason), kind)


def _withdraw(site: ModelSite, reason: str, kind: str = "withdrawn") -> ModelSite:
    site.withdrawn_on = date.today()
    site.withdrawal_reason = reason
    return _move(site, WITHDRAWN, kind, reason)


# -- yearly re-review (复核) ---------------------------------------------------------------------


def due_on(year: int) -> date:
    """The day a re-review of ``year`` is due: the end of the tenant's ``rereview_month``."""
    month = settings()["rereview_month"]
    return date(year, month, calendar.monthrange(year, month)[1])


def open_reviews(year: int, root: Organization | None = None) -> int:
    """启动年度复核: a due re-review of ``year`` for every title awarded before that year
    (in ``root``'s subtree) that has none yet; returns how many were opened."""
    stmt = (select(ModelSite).join(Organization, Organization.id == ModelSite.org_id)
            .where(ModelSite.status == AWARDED, ModelSite.award_year < year,
                   ~select(SiteReview.id).where(SiteReview.site_id == ModelSite.id,
                                                SiteReview.year == year).exists()))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    sites = db.session.scalars(stmt).all()
    due = due_on(year)
    for site in sites:
        db.session.add(SiteReview(site_id=site.id, year=year, due_on=due, status=DUE))
        record_event(site, "review_opened", comment=f"{year}年度复核，{due.isoformat()} 前完成")
    _flush_unique("year", "该年度复核已由他人启动，请刷新。")
    return len(sites)


def due_review(site: ModelSite) -> SiteReview | None:
    return db.session.scalar(select(SiteReview).where(SiteReview.site_id == site.id, SiteReview.status == DUE)
                             .order_by(SiteReview.year).limit(1))


def record_review(site: ModelSite, org: Organization, passed: bool, comment: str | None,
                  expected_version: int | None = None, check_role: bool = True) -> SiteReview:
    """复核结果: the site's due re-review passes (the title stays) or fails (withdrawn)."""
    if check_role:
        require_decider(site, org, "复核")
    check_version(site, expected_version, "model site")
    _require_status(site, (AWARDED,), "复核")
    review = due_review(site)
    if review is None:
        _conflict("year", "该示范点没有待复核的年度复核，请先启动年度复核。")
    if not passed:
        comment = _reason(comment)
    label, _user = _actor()
    review.status = PASSED if passed else FAILED
    review.reviewed_on = date.today()
    review.comment = comment
    review.reviewed_by = label
    if passed:
        record_event(site, "review_passed", comment=comment)
        touch(site)  # the re-review counts as a change of the site (its version moves)
        versioned_flush("model site")
    else:
        record_event(site, "review_failed", comment=comment)
        _withdraw(site, f"{review.year}年度复核未通过：{comment}", "withdrawn")
    return review


def lapse_overdue(today: date | None = None, root: Organization | None = None) -> int:
    """Due re-reviews past their day lapse, and their titles are withdrawn (未按期复核);
    returns how many."""
    today = today or date.today()
    stmt = (select(SiteReview, ModelSite).join(ModelSite, ModelSite.id == SiteReview.site_id)
            .join(Organization, Organization.id == ModelSite.org_id)
            .where(SiteReview.status == DUE, SiteReview.due_on < today))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    rows = db.session.execute(stmt).all()
    for review, site in rows:
        review.status = LAPSED
        if site.status == AWARDED:
            record_event(site, "review_lapsed", comment=f"{review.year}年度复核逾期（{review.due_on.isoformat()}）")
            _withdraw(site, f"{review.year}年度复核逾期未完成", "withdrawn")
    versioned_flush("model site")
    return len(rows)


def search_sites(visible, *, root: Organization | None = None, status: str | None = None,
                 level: str | None = None, year: int | None = None, org_id: uuid.UUID | None = None,
                 review_due: bool | None = None):
    """A SELECT of ``(ModelSite, Organization.name)`` for the organisations ``visible``
    sees, newest first, with the filters (``review_due``: awarded sites with a re-review
    due)."""
    stmt = (select(ModelSite, Organization.name).join(Organization, Organization.id == ModelSite.org_id)
            .where(visible))
    if root is not None:
        stmt = stmt.where(orgs.subtree_filter(root.path))
    if org_id is not None:
        stmt = stmt.where(ModelSite.org_id == org_id)
    if status is not None:
        stmt = stmt.where(ModelSite.status == status)
    if level is not None:
        stmt = stmt.where(ModelSite.level == level)
    if year is not None:
        stmt = stmt.where(ModelSite.year == year)
    if review_due is not None:
        due = select(SiteReview.id).where(SiteReview.site_id == ModelSite.id, SiteReview.status == DUE).exists()
        stmt = stmt.where(due if review_due else ~due)
    return stmt.order_by(ModelSite.applied_on.desc(), ModelSite.created_at.desc(), ModelSite.id)
