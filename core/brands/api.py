"""The brands API (``/api/v1/brands``): the brand library (党建品牌库) with model cases and
sub-brands, model-site applications (示范点, 百佳示范单位) and brand coverage.

* Reading needs a grant covering the record's organisation; anything outside it is a 404,
  exactly like an unknown or another tenant's id. Lists show only what the user sees.
* A brand, its cases and an application are written by the organisation's secretary
  (``branch_secretary`` on it, or above). One brand per organisation: a second is a 409
  naming ``org_id``.
* Review (``pass``/``refuse``), objections, ``award``, re-review and ``withdraw`` are the
  level above's: ``org_manager`` on the organisation's parent (``tenant_admin`` for a root);
  for the city's 百佳示范单位 (``hundred_best``) the city's: ``tenant_admin``, within the
  yearly ``hundred_best_quota``.
* ``POST /model-sites/reviews`` opens a year's re-reviews for a subtree (``org_manager`` on
  it; the whole city: ``tenant_admin``); ``POST /model-sites/reviews/lapse`` withdraws the
  titles whose re-review is past due.
* Corrections (PATCH) carry the ``version`` read; transitions may. A stale one is a 409.
* ``GET /coverage?org=`` — 一村一亮点、一乡镇一特色、一支部一品牌 for the subtree.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, replace_settings, settings_answer, settings_docs
from core.auth.permissions import (
    has_role,
    login_required,
    roles_required,
    visible_org,
    visible_orgs_clause,
    visible_record,
)
from core.brands import coverage as coverage_figures
from core.brands import service
from core.brands.models import (
    EVENT_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    Brand,
    ModelSite,
)
from core.brands.schemas import (
    BrandCaseInputSchema,
    BrandCasePatchSchema,
    BrandCaseSchema,
    BrandCoverageQuerySchema,
    BrandCoverageSchema,
    BrandDetailSchema,
    BrandInputSchema,
    BrandPatchSchema,
    BrandQuerySchema,
    BrandSchema,
    SiteAwardSchema,
    SiteCountSchema,
    SiteDetailSchema,
    SiteInputSchema,
    SiteLapseSchema,
    SiteObjectionInputSchema,
    SiteObjectionSchema,
    SiteObjectionSettleSchema,
    SiteOpenReviewsSchema,
    SitePatchSchema,
    SiteQuerySchema,
    SiteReasonSchema,
    SiteReviewResultSchema,
    SiteSchema,
    SiteStepSchema,
)
from core.brands.settings import PLUGIN, BrandsSettingsSchema
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization

bp = Blueprint("brands", __name__,
               description="Party-building brands (党建品牌库), model sites (示范点、百佳示范单位) and brand coverage.")


# -- lookups -----------------------------------------------------------------------------------


def _brand(brand_id) -> tuple[Brand, Organization]:
    return visible_record(Brand, brand_id, "brand")


def _site(site_id) -> tuple[ModelSite, Organization]:
    return visible_record(ModelSite, site_id, "model site")


def _may_write(org: Organization) -> None:
    if not service.may_write_brand(org):
        abort(403, "党建品牌与示范点申报由本组织书记填写（需要 branch_secretary 权限）。")


def _own_brand(brand_id) -> tuple[Brand, Organization]:
    """A brand the user may correct: 404 as for reading, then 403 without the secretary's role."""
    brand, org = _brand(brand_id)
    _may_write(org)
    return brand, org


# -- presentation ------------------------------------------------------------------------------


def present_brand(brand: Brand, org_name: str | None, detail: bool = False) -> dict:
    values = {key: getattr(brand, key) for key in BrandSchema().fields if hasattr(Brand, key)}
    values["org_name"] = org_name
    if detail:
        parent = service.get_brand(brand.parent_id) if brand.parent_id else None
        parent_org = orgs.get(parent.org_id) if parent is not None else None
        values["parent"] = ({"id": parent.id, "name": parent.name, "org_id": parent.org_id,
                             "org_name": parent_org.name if parent_org else None}
                            if parent is not None else None)
        values["sub_brands"] = [{"id": b.id, "name": b.name, "org_id": b.org_id, "org_name": name}
                                for b, name in service.sub_brands(brand)]
        values["cases"] = list(service.cases_of(brand))
    return values


def present_site(site: ModelSite, org_name: str | None, detail: bool = False) -> dict:
    values = {key: getattr(site, key) for key in SiteSchema().fields if hasattr(ModelSite, key)}
    values["org_name"] = org_name
    values["level_label"] = LEVEL_LABELS.get(site.level, site.level)
    values["status_label"] = STATUS_LABELS.get(site.status, site.status)
    if detail:
        values["events"] = [
            {"id": e.id, "kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind),
             "from_status": e.from_status, "to_status": e.to_status, "comment": e.comment,
             "actor_label": e.actor_label, "created_at": e.created_at}
            for e in service.events_of(site)]
        values["objections"] = list(service.objections_of(site))
        values["reviews"] = list(service.reviews_of(site))
        values["history"] = [present_site(s, org_name) for s in service.history(site.org_id) if s.id != site.id]
    return values


def _paged(stmt, pagination_parameters):
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery()))
    return db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)).all()


# -- brands ------------------------------------------------------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(BrandQuerySchema, location="query")
@bp.response(200, BrandSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_brands(filters, pagination_parameters):
    """The brand library of the organisations the user sees, in tree order: ``org``
    (subtree), ``q`` (name, theme, concept), ``parent_id`` (its sub-brands), ``sub``."""
    root = visible_org(filters["org"]) if filters["org"] is not None else None
    stmt = service.search_brands(visible_orgs_clause(), root=root, q=filters["q"],
                                 parent_id=filters["parent_id"], sub=filters["sub"])
    return [present_brand(b, name) for b, name in _paged(stmt, pagination_parameters)]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(BrandInputSchema)
@bp.response(201, BrandDetailSchema)
def create_brand(data):
    """Create an organisation's brand (one per organisation: 409 naming ``org_id``); a
    ``parent_id`` makes it a sub-brand of an organisation above's brand."""
    org = visible_org(data["org_id"])
    _may_write(org)
    brand = service.create_brand(org, data)
    db.session.commit()
    return present_brand(brand, org.name, detail=True)


@bp.route("/<brand_id>", methods=["GET"])
@login_required
@bp.response(200, BrandDetailSchema)
def get_brand(brand_id):
    """One brand with its model cases, its parent and its sub-brands."""
    brand, org = _brand(brand_id)
    return present_brand(brand, org.name, detail=True)


@bp.route("/<brand_id>", methods=["PATCH"])
@login_required
@bp.arguments(BrandPatchSchema)
@bp.response(200, BrandDetailSchema)
def update_brand(data, brand_id):
    """Correct a brand; send the ``version`` you read."""
    brand, org = _own_brand(brand_id)
    version = data.pop("version")
    service.update_brand(brand, org, data, version)
    db.session.commit()
    return present_brand(brand, org.name, detail=True)


@bp.route("/<brand_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_brand(brand_id):
    """Remove a brand and its cases (409 while sub-brands or model-site applications name it)."""
    brand, org = _own_brand(brand_id)
    service.delete_brand(brand)
    db.session.commit()


@bp.route("/<brand_id>/cases", methods=["POST"])
@login_required
@bp.arguments(BrandCaseInputSchema)
@bp.response(201, BrandCaseSchema)
def add_case(data, brand_id):
    """Add a model case (典型个案): ``title``, ``happened_on``, ``text``."""
    brand, org = _own_brand(brand_id)
    case = service.add_case(brand, data)
    db.session.commit()
    return case


def _case(brand: Brand, case_id):
    case = service.get_case(brand, parse_id(case_id))
    if case is None:
        abort(404, f"case {case_id} not found")
    return case


@bp.route("/<brand_id>/cases/<case_id>", methods=["PATCH"])
@login_required
@bp.arguments(BrandCasePatchSchema)
@bp.response(200, BrandCaseSchema)
def update_case(data, brand_id, case_id):
    """Correct a model case; send the ``version`` you read."""
    brand, org = _own_brand(brand_id)
    case = _case(brand, case_id)
    version = data.pop("version")
    service.update_case(case, data, version)
    db.session.commit()
    return case


@bp.route("/<brand_id>/cases/<case_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_case(brand_id, case_id):
    brand, org = _own_brand(brand_id)
    service.delete_case(_case(brand, case_id))
    db.session.commit()


# -- coverage ----------------------------------------------------------------------------------


def present_coverage(result: dict) -> dict:
    root = result["root"]
    return {
        "org_id": root.id, "org_name": root.name, "figures": result["figures"],
        "children": [{"org_id": c["org"].id, "org_name": c["org"].name, "figures": c["figures"]}
                     for c in result["children"]],
    }


@bp.route("/coverage", methods=["GET"])
@login_required
@bp.arguments(BrandCoverageQuerySchema, location="query")
@bp.response(200, BrandCoverageSchema)
def get_coverage(query):
    """Brand coverage of a subtree — 一村一亮点 (villages), 一乡镇一特色 (townships), 一支部一品牌
    (branches): how many there are, how many have a brand, the share; and the same for each
    organisation directly below the root."""
    root = visible_org(query["org"]) if query["org"] is not None else coverage_figures.default_root()
    if root is None:
        abort(404, "no organization to show")
    return present_coverage(coverage_figures.coverage(root))


# -- model sites -------------------------------------------------------------------------------


@bp.route("/model-sites", methods=["GET"])
@login_required
@bp.arguments(SiteQuerySchema, location="query")
@bp.response(200, SiteSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_sites(filters, pagination_parameters):
    """Applications and titles of the organisations the user sees, newest first: ``org``
    (subtree), ``status``, ``level``, ``year``, ``review_due``."""
    root = visible_org(filters["org"]) if filters["org"] is not None else None
    stmt = service.search_sites(visible_orgs_clause(), root=root, status=filters["status"],
                                level=filters["level"], year=filters["year"],
                                review_due=filters["review_due"])
    return [present_site(s, name) for s, name in _paged(stmt, pagination_parameters)]


@bp.route("/model-sites", methods=["POST"])
@login_required
@bp.arguments(SiteInputSchema)
@bp.response(201, SiteDetailSchema)
def apply_site(data):
    """申报: an application at ``level`` answering every one of the tenant's criteria
    (``answers``; 422 naming ``answers`` when one is missing). 409 naming ``level`` while
    the organisation has a live application or title at that level."""
    org = visible_org(data["org_id"])
    _may_write(org)
    site = service.apply(org, data)
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/history/<org_id>", methods=["GET"])
@login_required
@bp.response(200, SiteSchema(many=True))
def site_history(org_id):
    """An organisation's applications and titles, refused and withdrawn ones included."""
    org = visible_org(org_id)
    return [present_site(s, org.name) for s in service.history(org.id)]


def _subtree_for_sweep(org_id) -> Organization | None:
    if org_id is None:
        if not has_role("tenant_admin"):
            abort(403, "不指定党组织时须为租户管理员。")
        return None
    root = visible_org(org_id)
    if not has_role("org_manager", root):
        abort(403, "需要对该党组织具有 org_manager 权限。")
    return root


@bp.route("/model-sites/reviews", methods=["POST"])
@login_required
@bp.arguments(SiteOpenReviewsSchema)
@bp.response(200, SiteCountSchema)
def open_reviews(data):
    """启动年度复核: a due re-review of ``year`` for every title in the subtree awarded
    before that year (due by the end of the tenant's ``rereview_month``)."""
    root = _subtree_for_sweep(data["org_id"])
    count = service.open_reviews(data["year"], root)
    db.session.commit()
    return {"count": count}


@bp.route("/model-sites/reviews/lapse", methods=["POST"])
@login_required
@bp.arguments(SiteLapseSchema)
@bp.response(200, SiteCountSchema)
def lapse_reviews(data):
    """Re-reviews past their due day lapse and their titles are withdrawn (kept in the
    history); returns how many."""
    root = _subtree_for_sweep(data["org_id"])
    count = service.lapse_overdue(root=root)
    db.session.commit()
    return {"count": count}


@bp.route("/model-sites/<site_id>", methods=["GET"])
@login_required
@bp.response(200, SiteDetailSchema)
def get_site(site_id):
    """One application with its steps, objections, re-reviews and the organisation's history."""
    site, org = _site(site_id)
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>", methods=["PATCH"])
@login_required
@bp.arguments(SitePatchSchema)
@bp.response(200, SiteDetailSchema)
def update_site(data, site_id):
    """Correct an application awaiting review; send the ``version`` you read."""
    site, org = _site(site_id)
    _may_write(org)
    version = data.pop("version")
    service.update_application(site, org, data, version)
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>/pass", methods=["POST"])
@login_required
@bp.arguments(SiteStepSchema)
@bp.response(200, SiteDetailSchema)
def pass_site(data, site_id):
    """审核通过: applied → notice (公示 for the tenant's ``notice_days``), by the level above."""
    site, org = _site(site_id)
    service.pass_review(site, org, data["comment"], data["version"])
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>/refuse", methods=["POST"])
@login_required
@bp.arguments(SiteReasonSchema)
@bp.response(200, SiteDetailSchema)
def refuse_site(data, site_id):
    """不予通过: applied or on notice → refused, with a ``reason``, by the level above."""
    site, org = _site(site_id)
    service.refuse(site, org, data["reason"], data["version"])
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>/objections", methods=["POST"])
@login_required
@bp.arguments(SiteObjectionInputSchema)
@bp.response(201, SiteObjectionSchema)
def add_objection(data, site_id):
    """Record an objection received during the notice (the level above)."""
    site, org = _site(site_id)
    objection = service.add_objection(site, org, data["text"], data["received_on"])
    db.session.commit()
    return objection


@bp.route("/model-sites/<site_id>/objections/<objection_id>/settle", methods=["POST"])
@login_required
@bp.arguments(SiteObjectionSettleSchema)
@bp.response(200, SiteObjectionSchema)
def settle_objection(data, site_id, objection_id):
    """异议核查: ``upheld`` (the title cannot be awarded) or not, with the ``resolution``."""
    site, org = _site(site_id)
    objection = service.get_objection(site, parse_id(objection_id))
    if objection is None:
        abort(404, f"objection {objection_id} not found")
    service.settle_objection(site, org, objection, data["upheld"], data["resolution"], data["version"])
    db.session.commit()
    return objection


@bp.route("/model-sites/<site_id>/award", methods=["POST"])
@login_required
@bp.arguments(SiteAwardSchema)
@bp.response(200, SiteDetailSchema)
def award_site(data, site_id):
    """授予称号: notice → awarded once the notice has ended (409 naming ``notice_ends_on``
    before) with no objection open or upheld (409 naming ``objections``)."""
    site, org = _site(site_id)
    service.award(site, org, data["title"], data["award_year"], data["comment"], data["version"])
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>/review", methods=["POST"])
@login_required
@bp.arguments(SiteReviewResultSchema)
@bp.response(200, SiteDetailSchema)
def review_site(data, site_id):
    """复核结果: ``passed`` keeps the title; a failure (with a ``comment``) withdraws it."""
    site, org = _site(site_id)
    service.record_review(site, org, data["passed"], data["comment"], data["version"])
    db.session.commit()
    return present_site(site, org.name, detail=True)


@bp.route("/model-sites/<site_id>/withdraw", methods=["POST"])
@login_required
@bp.arguments(SiteReasonSchema)
@bp.response(200, SiteDetailSchema)
def withdraw_site(data, site_id):
    """撤销称号: awarded → withdrawn with a ``reason`` (kept in the history)."""
    site, org = _site(site_id)
    service.withdraw(site, org, data["reason"], data["version"])
    db.session.commit()
    return present_site(site, org.name, detail=True)


# -- settings ----------------------------------------------------------------------------------


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(BrandsSettingsSchema, overridden=True)


@bp.route("/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's settings (``criteria``, ``notice_days``, ``rereview_month``,
    ``rural_category_codes``); ``overridden`` lists what the tenant changed."""
    return settings_answer(PLUGIN, BrandsSettingsSchema)


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (tenant administrators); keys not sent return to the
    defaults. ``version`` beside them is the one you read: a stale one is a 409."""
    return replace_settings(PLUGIN, BrandsSettingsSchema)
