"""The organs sector's assessment indicators (指标), each measured for every organisation of a
cycle with a fixed number of aggregate queries, whatever their number.

An organisation is measured on its own records, or — without them — on those of its organ
organisation (:mod:`plugins.organs.scope`: a 处室 branch shares its 机关党委's brand,
staffing, goals and dues finance); the evidence says whose records were read.

* ``organs.party_office_staffing`` (checklist) — 机关党务干部配备, from the attributes at
  the time of the run: full-time Party-work cadres reach ``ceil(staff × ratio %)`` (at least
  one from ``min_organ_size`` staff; the settings ``party_staff_ratio_percent`` 1 % and
  ``party_staff_min_organ_size`` 50), someone (full- or part-time) does Party work, a head of
  the Party office (党建办负责人) is named. No staff figure is "no data".
* ``organs.model_organ`` (checklist) — 模范机关创建: the self-assessment of the cycle's year
  over the tenant's criteria (setting ``model_organ_criteria``); a criterion not ticked, or
  no assessment at all, is not met.
* ``organs.brand`` (proportional) — 一机关一品牌: of the brand's milestones due in the period
  (and by today), the share done on time (by the due day plus ``grace_days``), in %; target
  100. A brand with nothing due scores 100; no brand scores 0.
* ``organs.business_integration`` (proportional) — 党建与业务融合: of the goals of the
  cycle's year (at least ``min_goals``), the share that has a Party measure and is done or on
  track, in %; target 100. No goals scores 0.
* ``organs.dues_finance`` (checklist) — 党费财务人员: at the period's end an accountant (会计)
  and a cashier (出纳) hold the posts, they are different people, both are qualified, and
  neither is the head of the Party office (会计、出纳由党建办人员兼任是“搞变通”, seed 000).
  Read from core's finance roles (set-based); core's ``dues.finance_roles_*`` warnings say
  the same day to day, this scores it.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import case, func, or_, select

from core.sdk import FinanceRole, Indicator, Measurement, Member, Organization, db
from plugins.organs import scope as scopes
from plugins.organs import staffing
from plugins.organs.attributes import ATTRIBUTE_KINDS
from plugins.organs.models import (
    BRAND_STATUS_LABELS,
    GOAL_MET_STATUSES,
    MODEL_STATUS_LABELS,
    Brand,
    BrandMilestone,
    BusinessGoal,
    ModelAssessment,
)
from plugins.organs.settings import PLUGIN, settings

SECTORS = (PLUGIN,)
KINDS = ATTRIBUTE_KINDS
TITLES_SHOWN = 5
NONE = "未录入"

RATIO_ITEM = "专职党务干部达到配备比例"
SOMEONE_ITEM = "配备党务干部"
HEAD_ITEM = "明确党建办负责人"
STAFFING_ITEMS = (RATIO_ITEM, SOMEONE_ITEM, HEAD_ITEM)

ACCOUNTANT_ITEM = "会计在岗"
CASHIER_ITEM = "出纳在岗"
SEPARATE_ITEM = "会计出纳分设"
QUALIFIED_ITEM = "具备财务资格"
NOT_OFFICE_ITEM = "非党建办负责人兼任"
FINANCE_ITEMS = (ACCOUNTANT_ITEM, CASHIER_ITEM, SEPARATE_ITEM, QUALIFIED_ITEM, NOT_OFFICE_ITEM)


def _weights(items=None) -> fields.Dict:
    """Item weights; ``items`` the fixed items (None: the tenant's 模范机关 criteria)."""
    described = "、".join(items) if items else "模范机关创建评价项（设置 model_organ_criteria）"
    return fields.Dict(keys=fields.Str(), values=fields.Float(validate=validate.Range(min=0, max=100)),
                       load_default=dict, metadata={"description": f"各项权重（默认均为 1），项：{described}"})


def _check_items(value: dict, allowed) -> None:
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise ValidationError(f"Unknown items {unknown}; items are {', '.join(allowed)}.")


def _from_settings(description: str, **kwargs) -> dict:
    return {"load_default": None, "allow_none": True,
            "metadata": {"description": f"{description}（不填：按插件设置）"}, **kwargs}


class StaffingParams(Schema):
    weights = _weights(STAFFING_ITEMS)
    ratio_percent = fields.Float(validate=validate.Range(min=0, max=100),
                                 **_from_settings("专职党务干部配备比例 %"))
    min_organ_size = fields.Int(validate=validate.Range(min=1, max=1_000_000),
                                **_from_settings("在编人数达到此数须配专职党务干部"))

    @validates("weights")
    def _known(self, value, **_):
        _check_items(value, STAFFING_ITEMS)


class ModelParams(Schema):
    weights = _weights()

    @validates("weights")
    def _known(self, value, **_):
        if value:  # the criteria are the tenant's setting: read only when weights are given
            _check_items(value, settings()["model_organ_criteria"])


class BrandParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=1, max=100))
    grace_days = fields.Int(validate=validate.Range(min=0, max=365),
                            **_from_settings("创建节点逾期宽限天数"))


class IntegrationParams(Schema):
    target = fields.Float(load_default=100, validate=validate.Range(min=1, max=100))
    min_goals = fields.Int(load_default=1, validate=validate.Range(min=1, max=100),
                           metadata={"description": "每年至少应制定的融合目标数（不足按此数计算比例）"})


class FinanceParams(Schema):
    weights = _weights(FINANCE_ITEMS)

    @validates("weights")
    def _known(self, value, **_):
        _check_items(value, FINANCE_ITEMS)


# -- shared -------------------------------------------------------------------------------------


def _assessed(ctx) -> tuple[list[uuid.UUID], scopes.Scope]:
    """The ids measured and the sector's scope: two queries."""
    ids = list(db.session.scalars(select(Organization.id).where(Organization.id.in_(ctx.orgs))))
    return ids, scopes.load(ctx.orgs)


def _candidates(ids, found: scopes.Scope) -> set[uuid.UUID]:
    """Every organisation whose records may count for ``ids``: themselves and their organs."""
    return {source for org_id in ids for source in found.sources(org_id)}


def _pick(found: scopes.Scope, org_id, have) -> uuid.UUID | None:
    """The first of ``org_id``'s sources (itself, its organ) that has records in ``have``."""
    return next((s for s in found.sources(org_id) if s in have), None)


def _whose(found: scopes.Scope, org_id, source) -> str:
    if source is None or source == org_id:
        return ""
    row = found.rows.get(source)
    return f"（按所属机关党组织“{row.name if row else ''}”的记录）"


# -- 机关党务干部配备 ----------------------------------------------------------------------------


STAFFING_KEYS = ("staff_total", "party_office_full_time", "party_office_part_time", "party_office_head")


def measure_staffing(ctx) -> dict:
    ids, found = _assessed(ctx)
    ratio, size = staffing.rules(ctx.params)
    candidates = _candidates(ids, found)
    units = staffing.unit_staff(list(candidates)) if candidates else {}
    have = {i for i in candidates
            if any(found.rows[i].attributes.get(k) is not None for k in STAFFING_KEYS) or i in units}
    result = {}
    for org_id in ids:
        source = _pick(found, org_id, have)
        figures = staffing.of(found.rows[source].attributes if source else {}, units.get(source),
                              ratio, size)
        evidence = {
            "staff": figures.staff if figures.known else NONE, "full_time": figures.full_time,
            "part_time": figures.part_time, "required": figures.required if figures.known else "—",
            "head": figures.head or NONE, "ratio": f"{ratio:g}", "min_organ_size": size,
            "source": _whose(found, org_id, source),
        }
        if not figures.known:
            result[org_id] = Measurement(value=None, evidence=evidence)
            continue
        items = {RATIO_ITEM: figures.ratio_met, SOMEONE_ITEM: figures.someone,
                 HEAD_ITEM: figures.head is not None}
        result[org_id] = Measurement(value=sum(items.values()), items=items, evidence=evidence)
    return result


# -- 模范机关创建 ---------------------------------------------------------------------------------


def measure_model(ctx) -> dict:
    ids, found = _assessed(ctx)
    criteria = list(settings()["model_organ_criteria"])
    year = ctx.end.year
    candidates = _candidates(ids, found)
    rows = {
        a.org_id: a for a in db.session.scalars(select(ModelAssessment).where(
            ModelAssessment.org_id.in_(list(candidates)), ModelAssessment.year == year))
    } if candidates else {}
    result = {}
    for org_id in ids:
        source = _pick(found, org_id, rows)
        assessment = rows.get(source)
        ticked = dict(assessment.criteria or {}) if assessment is not None else {}
        items = {c: bool(ticked.get(c)) for c in criteria}
        met = sum(items.values())
        result[org_id] = Measurement(
            value=met if assessment is not None else None, items=items,
            evidence={"year": year, "met": met, "total": len(criteria),
                      "status": MODEL_STATUS_LABELS.get(assessment.status, assessment.status)
                      if assessment is not None else "未开展自评",
                      "source": _whose(found, org_id, source)})
    return result


# -- 一机关一品牌 ---------------------------------------------------------------------------------


def measure_brand(ctx) -> dict:
    ids, found = _assessed(ctx)
    grace = ctx.params["grace_days"]
    if grace is None:
        grace = settings()["brand_milestone_grace_days"]
    until = min(ctx.end, date.today())
    candidates = _candidates(ids, found)
    brands = {b.org_id: b for b in db.session.scalars(
        select(Brand).where(Brand.org_id.in_(list(candidates))))} if candidates else {}
    due: dict = {}
    if brands:
        for brand_id, title, due_on, done_on in db.session.execute(
            select(BrandMilestone.brand_id, BrandMilestone.title, BrandMilestone.due_on,
                   BrandMilestone.done_on)
            .where(BrandMilestone.brand_id.in_([b.id for b in brands.values()]),
                   BrandMilestone.due_on >= ctx.start, BrandMilestone.due_on <= until)
            .order_by(BrandMilestone.due_on, BrandMilestone.title)
        ):
            on_time = done_on is not None and done_on <= due_on + timedelta(days=grace)
            due.setdefault(brand_id, []).append((title, on_time))
    result = {}
    for org_id in ids:
        source = _pick(found, org_id, brands)
        brand = brands.get(source)
        if brand is None:
            result[org_id] = Measurement(value=0, evidence={
                "brand": "未创建党建品牌（一机关一品牌）", "status": "—", "due": 0, "on_time": 0,
                "late": "无", "source": ""})
            continue
        milestones = due.get(brand.id, [])
        on_time = sum(1 for _, ok in milestones if ok)
        late = [t for t, ok in milestones if not ok]
        rate = round(on_time * 100 / len(milestones), 2) if milestones else 100.0
        result[org_id] = Measurement(value=rate, evidence={
            "brand": f"“{brand.name}”", "status": BRAND_STATUS_LABELS.get(brand.status, brand.status),
            "due": len(milestones), "on_time": on_time,
            "late": "、".join(late[:TITLES_SHOWN]) or "无", "source": _whose(found, org_id, source)})
    return result


# -- 党建与业务融合 --------------------------------------------------------------------------------


def measure_integration(ctx) -> dict:
    ids, found = _assessed(ctx)
    year = ctx.end.year
    candidates = _candidates(ids, found)
    with_measure = func.length(func.trim(func.coalesce(BusinessGoal.party_measure, ""))) > 0
    counts = {
        org_id: (int(total), int(met or 0), int(measured or 0))
        for org_id, total, met, measured in db.session.execute(
            select(BusinessGoal.org_id, func.count(),
                   func.sum(_when(BusinessGoal.status.in_(GOAL_MET_STATUSES) & with_measure)),
                   func.sum(_when(with_measure)))
            .where(BusinessGoal.org_id.in_(list(candidates)), BusinessGoal.year == year)
            .group_by(BusinessGoal.org_id))
    } if candidates else {}
    result = {}
    for org_id in ids:
        source = _pick(found, org_id, counts)
        total, met, measured = counts.get(source, (0, 0, 0))
        base = max(total, ctx.params["min_goals"])
        rate = round(met * 100 / base, 2) if total else 0
        result[org_id] = Measurement(value=rate, evidence={
            "year": year, "goals": total, "with_measure": measured, "met": met,
            "source": _whose(found, org_id, source)})
    return result


def _when(condition):
    return case((condition, 1), else_=0)


# -- 党费财务人员 ----------------------------------------------------------------------------------


def measure_finance(ctx) -> dict:
    ids, found = _assessed(ctx)
    candidates = _candidates(ids, found)
    held: dict = {}
    if candidates:
        for role, member_id, person_name, qualified, org_id, name in db.session.execute(
            select(FinanceRole.role, FinanceRole.member_id, FinanceRole.person_name,
                   FinanceRole.qualified, FinanceRole.org_id, Member.name)
            .outerjoin(Member, Member.id == FinanceRole.member_id)
            .where(FinanceRole.org_id.in_(list(candidates)), FinanceRole.since <= ctx.end,
                   or_(FinanceRole.until.is_(None), FinanceRole.until > ctx.end))
            .order_by(FinanceRole.since)
        ):
            who = ("member", str(member_id)) if member_id is not None else ("name", (person_name or "").strip())
            held.setdefault(org_id, {})[role] = (who, (name or person_name or "").strip(), bool(qualified))
    result = {}
    for org_id in ids:
        source = _pick(found, org_id, held)
        roles = held.get(source, {})
        accountant, cashier = roles.get("accountant"), roles.get("cashier")
        head = (found.rows[source].attributes.get("party_office_head") or "").strip() \
            if source in found.rows else ""
        holders = [h for h in (accountant, cashier) if h is not None]
        items = {
            ACCOUNTANT_ITEM: accountant is not None,
            CASHIER_ITEM: cashier is not None,
            SEPARATE_ITEM: accountant is not None and cashier is not None and accountant[0] != cashier[0],
            QUALIFIED_ITEM: bool(holders) and all(h[2] for h in holders),
            NOT_OFFICE_ITEM: bool(holders) and not (head and any(h[1] == head for h in holders)),
        }
        result[org_id] = Measurement(value=sum(items.values()), items=items, evidence={
            "accountant": accountant[1] if accountant else "未配备",
            "cashier": cashier[1] if cashier else "未配备",
            "source": _whose(found, org_id, source)})
    return result


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="organs.party_office_staffing", name="机关党务干部配备", scoring="checklist",
            max_points=5, measure=measure_staffing, params=StaffingParams, sectors=SECTORS,
            kinds=KINDS, unit="项", reads="党组织的机关党务干部配备信息（在编人数、专兼职党务干部、党建办负责人）",
            description="专职党务干部按在编人数的比例配备（达到规模的机关至少 1 名）、有党务干部承担党建工作、"
                        "明确党建办负责人。",
            explain="在编 {staff} 人，专职党务干部 {full_time} 人（应配 {required} 人，比例 {ratio}%），"
                    "兼职 {part_time} 人，党建办负责人：{head}{source}",
        ),
        Indicator(
            key="organs.model_organ", name="模范机关创建", scoring="checklist", max_points=10,
            measure=measure_model, params=ModelParams, sectors=SECTORS, kinds=KINDS, unit="项",
            reads="模范机关创建自评",
            description="当年模范机关创建自评中达到的评价项（政治建设、理论武装、贯彻落实三个表率及组织、作风、"
                        "纪律、制度建设和党建业务融合），未自评的各项均不达标。",
            explain="{year} 年模范机关创建：{status}，达到 {met}/{total} 项{source}",
        ),
        Indicator(
            key="organs.brand", name="一机关一品牌创建", scoring="proportional", max_points=10,
            measure=measure_brand, params=BrandParams, sectors=SECTORS, kinds=KINDS, unit="%",
            reads="机关党建品牌及其创建节点",
            description="本期到期（截至今日）的品牌创建节点中按期完成的比例；有品牌而本期无到期节点的按 100% 计，"
                        "未创建品牌的得 0 分。",
            explain="党建品牌{brand}（{status}）：本期到期节点 {due} 个，按期完成 {on_time} 个，"
                    "按期完成率 {value}{unit}；未按期：{late}{source}",
        ),
        Indicator(
            key="organs.business_integration", name="党建与业务融合", scoring="proportional",
            max_points=10, measure=measure_integration, params=IntegrationParams, sectors=SECTORS,
            kinds=KINDS, unit="%", reads="党建与业务融合目标",
            description="当年业务工作目标中有对应党建举措且已完成或推进顺利的比例（目标数不足 min_goals 的按 "
                        "min_goals 计）；未制定目标的得 0 分。",
            explain="{year} 年融合目标 {goals} 个（有党建举措 {with_measure} 个），完成或推进顺利 {met} 个，"
                    "融合率 {value}{unit}{source}",
        ),
        Indicator(
            key="organs.dues_finance", name="党费财务人员配备", scoring="checklist", max_points=5,
            measure=measure_finance, params=FinanceParams, sectors=SECTORS, kinds=KINDS, unit="项",
            reads="党费会计、出纳任职记录",
            description="期末党费会计、出纳在岗，两者分设，均具备财务资格，且不由党建办负责人兼任。",
            explain="会计：{accountant}，出纳：{cashier}{source}",
        ),
    ]
