"""Demo data of the brand library and the model sites (``dangjian demo``).

Brands: the organs committee's 条线 brand with the finance bureau branch's sub-brand (the
name the organs plugin's 一机关一品牌 plan uses for it), a township's 特色, a village's 亮点
and a grid branch's brand, each with model cases. Model-site applications in every state:
awaiting review (a 百佳示范单位 application), on public notice (with an objection dismissed), awarded last year (its
re-review of this year due), refused, and a title withdrawn after a failed re-review.

Everything goes through :mod:`core.brands.service`; each part is added only when missing
(brands by organisation, applications by organisation and level), so a second run adds
nothing. Dates follow the demo's ``today``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.brands import service
from core.brands.models import ModelSite
from core.brands.settings import settings
from core.db import db
from core.orgs.models import Organization

# org code → (name, theme, concept, theory, methods, carriers, goals, parent org code)
BRANDS = {
    "SZ-JG": ("红色引擎·机关先锋", "围绕中心建设队伍，服务大局当好表率",
              "机关党建走在前、作表率，以“一机关一品牌”带动条线系统党建。",
              "习近平新时代中国特色社会主义思想关于机关党建的重要论述；《中国共产党党和国家机关基层组织工作条例》。",
              "统一主题、分类创建、条线指导、年度评估。",
              "机关党员先锋岗、“书记讲堂”、条线联学联建。",
              "三年内市直机关支部品牌全覆盖，形成有统有分、统分结合的条线品牌体系。", None),
    "SZ-JG-CZ": ("财政为民·红色账本", "算好民生账 守好百姓钱",
                 "以“红色账本”记录党员为民理财的承诺与实绩，把党建融入财政主业。",
                 "以人民为中心的发展思想；党建与业务深度融合。",
                 "党员领办攻坚项目，支部每季度晾晒账本。",
                 "党员先锋岗、政策明白账、“红色账本”进社区进企业。",
                 "惠企资金直达率 100%，群众满意度逐年提升。", "SZ-JG"),
    "SZ-QS-TY": ("桃源同心", "党建引领乡村振兴",
                 "一镇一特色：以产业党建联盟把村、企、合作社拧成一股绳。",
                 "抓党建促乡村振兴；“支部+合作社+农户”模式。",
                 "联村党委统筹、强村带弱村、党员包户。",
                 "桃花节党员服务队、田间夜校、产业联盟联席会。",
                 "三年内所辖村集体经济经营性收入全部超过 10 万元。", None),
    "SZ-QS-TY-01": ("田间党课", "把党课开到田间地头",
                    "一村一亮点：党员在田间讲政策、教技术、解难题。",
                    "理论联系实际、服务群众。", "每月一次田间党课，党员技术员结对农户。",
                    "田间党课、党员示范田。", "示范田亩产提高一成，带动 50 户增收。", None),
    "SZ-QS-XF-01-1": ("网格红管家", "小网格里的大服务",
                      "一支部一品牌：网格党支部做居民身边的“红管家”。",
                      "党建引领基层治理。", "党员认领楼栋，事项清单化办理。",
                      "楼栋议事会、红色代办、邻里节。", "居民诉求办结率 95% 以上。", None),
}
CASES = {
    "SZ-JG-CZ": [("惠企资金“一键直达”", 60, "党员先锋岗连续加班两周，梳理 1,200 家企业名单，惠企资金全部按时直达。")],
    "SZ-QS-TY-01": [("田间党课助秋收", 120, "党员技术员在田间讲解晚稻防倒伏技术，示范田减损明显。"),
                    ("党员示范田迎观摩", 30, "全县组织部长在示范田现场观摩，推介“田间党课”做法。")],
    "SZ-QS-XF-01-1": [("红管家代办老旧小区加装电梯", 45, "网格党员逐户协商，三个月完成两部电梯加装。")],
}


def _answers(prefix: str) -> dict:
    return {c: f"{prefix}：{c}，有制度、有台账、有成效。" for c in settings()["criteria"]}


def _brands(by_code: dict, today: date) -> int:
    added = 0
    for code, (name, theme, concept, theory, methods, carriers, goals, parent_code) in BRANDS.items():
        org = by_code.get(code)
        if org is None or service.brand_of(org.id) is not None:
            continue
        parent = service.brand_of(by_code[parent_code].id) if parent_code and parent_code in by_code else None
        brand = service.create_brand(org, {
            "name": name, "theme": theme, "concept": concept, "theory": theory, "methods": methods,
            "carriers": carriers, "goals": goals, "started_on": date(today.year - 2, 3, 1),
            "parent_id": parent.id if parent is not None else None})
        for title, days_ago, text in CASES.get(code, []):
            service.add_case(brand, {"title": title, "happened_on": today - timedelta(days=days_ago), "text": text})
        added += 1
    return added


def _has_site(org: Organization, level: str) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(ModelSite).where(
        ModelSite.org_id == org.id, ModelSite.level == level)))


def _apply(org: Organization, level: str, year: int, applied_on: date) -> ModelSite:
    brand = service.brand_of(org.id)
    site = service.apply(org, {"level": level, "year": year, "answers": _answers(org.name),
                               "brand_id": brand.id if brand else None,
                               "statement": f"{org.name}党建工作事迹材料"})
    site.applied_on = applied_on
    return site


def _sites(by_code: dict, today: date) -> int:
    added = 0
    year = today.year
    plan = [
        # (org code, level, what happens to it)
        ("SZ-LX-XG", "hundred_best", "applied"),  # the city's 百佳 selection: decided by the city
        ("SZ-QS-XF-01-1", "model_site", "notice"),
        ("SZ-QS-TY-01", "model_site", "awarded"),
        ("SZ-QS-TY-02", "model_site", "refused"),
        ("SZ-GZ-CT-01", "model_site", "withdrawn"),
    ]
    for code, level, state in plan:
        org = by_code.get(code)
        if org is None or _has_site(org, level):
            continue
        if state == "applied":
            _apply(org, level, year, today - timedelta(days=5))
        elif state == "notice":
            site = _apply(org, level, year, today - timedelta(days=20))
            service.pass_review(site, org, "材料齐全，符合申报条件。", today=today - timedelta(days=2), check_role=False)
            objection = service.add_objection(site, org, "反映该支部去年一次主题党日未按时开展。",
                                              today - timedelta(days=1), check_role=False)
            service.settle_objection(site, org, objection, False, "经核查，该次主题党日因防汛顺延一周开展，记录完整。",
                                     check_role=False)
        elif state == "awarded":
            site = _apply(org, level, year - 1, date(year - 1, 5, 10))
            service.pass_review(site, org, "同意推荐。", today=date(year - 1, 6, 1), check_role=False)
            service.award(site, org, None, year - 1, today=date(year - 1, 6, 20), check_role=False)
            service.open_reviews(year, org)
        elif state == "refused":
            site = _apply(org, level, year, today - timedelta(days=40))
            service.refuse(site, org, "近三年未发展党员，组织建设基础薄弱，暂不具备示范条件。", check_role=False)
        elif state == "withdrawn":
            site = _apply(org, level, year - 2, date(year - 2, 5, 8))
            service.pass_review(site, org, "同意推荐。", today=date(year - 2, 6, 1), check_role=False)
            service.award(site, org, None, year - 2, today=date(year - 2, 6, 20), check_role=False)
            service.open_reviews(year - 1, org)
            service.record_review(site, org, False, "组织生活记录不全，示范带动作用减弱。", check_role=False)
        added += 1
    return added


def ensure(today: date) -> str | None:
    by_code = {o.code: o for o in db.session.scalars(select(Organization).where(Organization.status == "active"))}
    brands = _brands(by_code, today)
    sites = _sites(by_code, today)
    db.session.flush()
    if not brands and not sites:
        return None
    return f"{brands} brands, {sites} model-site applications"
