"""The soe API (``/api/v1/soe``): the prior-review register (前置研究讨论), cross appointments
(双向进入、交叉任职), performance links (党建考核与经营业绩挂钩), vanguard posts (党员先锋岗、
责任区、示范岗) and innovations (党员攻关、创新成果).

* Reading needs a grant covering the record's organisation; anything outside it is a 404,
  exactly like an unknown or another tenant's id. Lists show only what the user sees.
* The register, the appointments and the performance links are kept by the enterprise's
  Party committee office and the committee above it: ``org_manager`` on the organisation (a
  grant on the committee above covers it).
* Vanguard posts and innovations are the branch's own records: ``branch_secretary`` on it.
* A user who sees the organisation but lacks the role gets a 403.

Routes of this plugin answer 404 for a tenant that has not enabled it (core does that).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select

from core.sdk import (
    Blueprint,
    Member,
    Organization,
    db,
    expect_version,
    login_required,
    paged,
    seen_records,
    visible_org,
    visible_record,
)
from plugins.soe import service
from plugins.soe.checks import review_problem
from plugins.soe.models import (
    BODY_LABELS,
    BUSINESS_POST_LABELS,
    CATEGORY_LABELS,
    INNOVATION_LABELS,
    OUTCOME_LABELS,
    PARTY_POST_LABELS,
    VANGUARD_LABELS,
    CrossAppointment,
    Decision,
    Innovation,
    PerformanceLink,
    VanguardPost,
)
from plugins.soe.schemas import (
    SoeAppointmentInputSchema,
    SoeAppointmentPatchSchema,
    SoeAppointmentQuerySchema,
    SoeAppointmentSchema,
    SoeDecisionInputSchema,
    SoeDecisionPatchSchema,
    SoeDecisionQuerySchema,
    SoeDecisionSchema,
    SoeInnovationInputSchema,
    SoeInnovationPatchSchema,
    SoeInnovationQuerySchema,
    SoeInnovationSchema,
    SoeLinkInputSchema,
    SoeLinkPatchSchema,
    SoeLinkQuerySchema,
    SoeLinkSchema,
    SoeVanguardInputSchema,
    SoeVanguardPatchSchema,
    SoeVanguardQuerySchema,
    SoeVanguardSchema,
)
from plugins.soe.settings import settings

bp = Blueprint("soe", __name__,
               description="State-owned enterprises (国企): prior review of major decisions, cross "
                           "appointments, performance links, vanguard posts, innovations.")

SECRETARY = "branch_secretary"
MANAGER = "org_manager"


# -- lookups ------------------------------------------------------------------------------------


def _held(model, today: date):
    return (model.started_on <= today, or_(model.ended_on.is_(None), model.ended_on > today))


def _is_held(row, today: date) -> bool:
    return row.started_on <= today and (row.ended_on is None or row.ended_on > today)


def _base(row, org_name: str, keys) -> dict:
    values = {key: getattr(row, key) for key in ("id", "org_id", "created_at", "updated_at", "version", *keys)}
    values["org_name"] = org_name
    return values


# -- decisions (前置研究讨论) --------------------------------------------------------------------------


DECISION_KEYS = ("title", "category", "party_reviewed_on", "party_outcome", "decided_by",
                 "decided_on", "minutes_ref", "note")


def _decision(row: Decision, org_name: str, min_days: int) -> dict:
    values = _base(row, org_name, DECISION_KEYS)
    problem = review_problem(row.party_reviewed_on, row.decided_on, min_days)
    values.update(category_label=CATEGORY_LABELS[row.category],
                  outcome_label=OUTCOME_LABELS.get(row.party_outcome),
                  decided_by_label=BODY_LABELS[row.decided_by],
                  flagged=problem is not None, problem=problem)
    return values


def _min_days() -> int:
    return settings()["prior_review_min_days"]


@bp.route("/decisions", methods=["GET"])
@login_required
@bp.arguments(SoeDecisionQuerySchema, location="query")
@bp.response(200, SoeDecisionSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_decisions(filters, pagination_parameters):
    """The register of major matters (三重一大) and the Party committee's prior study of them,
    latest first: ``org_id``, ``subtree_of``, ``year`` (decided in, or studied in when not
    decided), ``flagged`` (decided without timely prior study)."""
    min_days = _min_days()
    stmt = seen_records(select(Decision, Organization.name), Decision, filters)
    if filters["year"] is not None:
        first, last = date(filters["year"], 1, 1), date(filters["year"], 12, 31)
        stmt = stmt.where(or_(Decision.decided_on.between(first, last),
                              and_(Decision.decided_on.is_(None),
                                   Decision.party_reviewed_on.between(first, last))))
    if filters["flagged"] is True:
        # Flagged is a rule on dates (reviewed ≥ min_days before decided), kept in Python
        # (checks.review_problem); the SQL narrows to decided matters first.
        stmt = stmt.where(Decision.decided_on.is_not(None))
    stmt = stmt.order_by(func.coalesce(Decision.decided_on, Decision.party_reviewed_on).desc(),
                         Decision.title, Decision.id)
    if filters["flagged"] is None:
        return [_decision(row, name, min_days) for row, name in paged(stmt, pagination_parameters)]
    rows = [_decision(row, name, min_days) for row, name in db.session.execute(stmt)]
    rows = [r for r in rows if r["flagged"] is filters["flagged"]]
    pagination_parameters.item_count = len(rows)
    first = pagination_parameters.first_item
    return rows[first:first + pagination_parameters.page_size]


@bp.route("/decisions", methods=["POST"])
@login_required
@bp.arguments(SoeDecisionInputSchema)
@bp.response(201, SoeDecisionSchema)
def create_decision(data):
    """Record a matter of the register (``org_manager``). A matter decided without the Party
    committee's prior study is accepted — the register must show it — and comes back
    ``flagged``."""
    org = visible_org(data["org_id"], role=MANAGER)
    row = service.record_decision(org, data)
    db.session.commit()
    return _decision(row, org.name, _min_days())


@bp.route("/decisions/<decision_id>", methods=["GET"])
@login_required
@bp.response(200, SoeDecisionSchema)
def get_decision(decision_id):
    """One matter of the register."""
    row, org = visible_record(Decision, decision_id, "decision")
    return _decision(row, org.name, _min_days())


@bp.route("/decisions/<decision_id>", methods=["PATCH"])
@login_required
@bp.arguments(SoeDecisionPatchSchema)
@bp.response(200, SoeDecisionSchema)
def update_decision(data, decision_id):
    """Correct a matter, or add its study or its decision when they happen."""
    row, org = visible_record(Decision, decision_id, "decision", MANAGER)
    service.update_decision(row, expect_version(row, data, "decision"))
    db.session.commit()
    return _decision(row, org.name, _min_days())


@bp.route("/decisions/<decision_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_decision(decision_id):
    """Remove a matter recorded by mistake (the audit log keeps what it was)."""
    row, _ = visible_record(Decision, decision_id, "decision", MANAGER)
    service.delete(row)
    db.session.commit()


# -- cross appointments (双向进入、交叉任职) -----------------------------------------------------------


APPOINTMENT_KEYS = ("person_name", "member_id", "party_post", "business_post", "started_on",
                    "ended_on", "note")


def _appointment(row: CrossAppointment, org_name: str, today: date) -> dict:
    values = _base(row, org_name, APPOINTMENT_KEYS)
    values.update(party_post_label=PARTY_POST_LABELS.get(row.party_post),
                  business_post_label=BUSINESS_POST_LABELS.get(row.business_post),
                  current=_is_held(row, today))
    return values


@bp.route("/appointments", methods=["GET"])
@login_required
@bp.arguments(SoeAppointmentQuerySchema, location="query")
@bp.response(200, SoeAppointmentSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_appointments(filters, pagination_parameters):
    """Leaders' Party and board or management posts (双向进入、交叉任职) the user sees, latest
    first: ``org_id``, ``subtree_of``, ``current`` (held today)."""
    today = date.today()
    stmt = seen_records(select(CrossAppointment, Organization.name), CrossAppointment, filters)
    if filters["current"] is True:
        stmt = stmt.where(*_held(CrossAppointment, today))
    elif filters["current"] is False:
        stmt = stmt.where(or_(CrossAppointment.started_on > today, CrossAppointment.ended_on <= today))
    stmt = stmt.order_by(CrossAppointment.started_on.desc(), CrossAppointment.person_name,
                         CrossAppointment.id)
    return [_appointment(row, name, today) for row, name in paged(stmt, pagination_parameters)]


@bp.route("/appointments", methods=["POST"])
@login_required
@bp.arguments(SoeAppointmentInputSchema)
@bp.response(201, SoeAppointmentSchema)
def create_appointment(data):
    """Someone holds a Party post, a board or management post, or both, from ``started_on``
    (``org_manager``). Secretary, 纪委书记, chairman, general manager and 监事会主席 have one
    holder at a time: an overlapping period is a 409."""
    org = visible_org(data["org_id"], role=MANAGER)
    row = service.appoint(org, data)
    db.session.commit()
    return _appointment(row, org.name, date.today())


@bp.route("/appointments/<appointment_id>", methods=["GET"])
@login_required
@bp.response(200, SoeAppointmentSchema)
def get_appointment(appointment_id):
    """One appointment."""
    row, org = visible_record(CrossAppointment, appointment_id, "appointment")
    return _appointment(row, org.name, date.today())


@bp.route("/appointments/<appointment_id>", methods=["PATCH"])
@login_required
@bp.arguments(SoeAppointmentPatchSchema)
@bp.response(200, SoeAppointmentSchema)
def update_appointment(data, appointment_id):
    """Correct an appointment, or end it (``ended_on``: the first day no longer held)."""
    row, org = visible_record(CrossAppointment, appointment_id, "appointment", MANAGER)
    service.update_appointment(row, expect_version(row, data, "appointment"))
    db.session.commit()
    return _appointment(row, org.name, date.today())


@bp.route("/appointments/<appointment_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_appointment(appointment_id):
    """Remove an appointment recorded by mistake (ending one is a PATCH)."""
    row, _ = visible_record(CrossAppointment, appointment_id, "appointment", MANAGER)
    service.delete(row)
    db.session.commit()


# -- performance links (党建考核与经营业绩挂钩) -----------------------------------------------------


LINK_KEYS = ("year", "link_weight_pct", "party_building_score", "business_score", "salary_linked", "note")


def _link(row: PerformanceLink, org_name: str, minimum: float) -> dict:
    values = _base(row, org_name, LINK_KEYS)
    values.update(min_weight_pct=minimum, met=float(row.link_weight_pct) >= minimum)
    return values


def _minimum() -> float:
    return settings()["performance_link_min_weight_pct"]


@bp.route("/performance-links", methods=["GET"])
@login_required
@bp.arguments(SoeLinkQuerySchema, location="query")
@bp.response(200, SoeLinkSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_links(filters, pagination_parameters):
    """How each year's Party-building assessment bears on the enterprise's performance
    assessment, newest year first: ``org_id``, ``subtree_of``, ``year``."""
    stmt = seen_records(select(PerformanceLink, Organization.name), PerformanceLink, filters)
    if filters["year"] is not None:
        stmt = stmt.where(PerformanceLink.year == filters["year"])
    stmt = stmt.order_by(PerformanceLink.year.desc(), Organization.name, PerformanceLink.id)
    minimum = _minimum()
    return [_link(row, name, minimum) for row, name in paged(stmt, pagination_parameters)]


@bp.route("/performance-links", methods=["POST"])
@login_required
@bp.arguments(SoeLinkInputSchema)
@bp.response(201, SoeLinkSchema)
def create_link(data):
    """Record a year's link (``org_manager``; not a future year; 409 when the year is
    recorded already — change it instead)."""
    org = visible_org(data["org_id"], role=MANAGER)
    row = service.record_link(org, data)
    db.session.commit()
    return _link(row, org.name, _minimum())


@bp.route("/performance-links/<link_id>", methods=["GET"])
@login_required
@bp.response(200, SoeLinkSchema)
def get_link(link_id):
    """One year's link."""
    row, org = visible_record(PerformanceLink, link_id, "performance link")
    return _link(row, org.name, _minimum())


@bp.route("/performance-links/<link_id>", methods=["PATCH"])
@login_required
@bp.arguments(SoeLinkPatchSchema)
@bp.response(200, SoeLinkSchema)
def update_link(data, link_id):
    """Correct a year's link, or add the scores once assessed."""
    row, org = visible_record(PerformanceLink, link_id, "performance link", MANAGER)
    service.update_link(row, expect_version(row, data, "performance link"))
    db.session.commit()
    return _link(row, org.name, _minimum())


@bp.route("/performance-links/<link_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_link(link_id):
    """Remove a year recorded by mistake."""
    row, _ = visible_record(PerformanceLink, link_id, "performance link", MANAGER)
    service.delete(row)
    db.session.commit()


# -- vanguard posts (党员先锋岗、责任区、示范岗) ---------------------------------------------------------


VANGUARD_KEYS = ("member_id", "kind", "name", "duty", "started_on", "ended_on")


def _vanguard(row: VanguardPost, org_name: str, member_name: str, today: date) -> dict:
    values = _base(row, org_name, VANGUARD_KEYS)
    values.update(member_name=member_name, kind_label=VANGUARD_LABELS[row.kind],
                  current=_is_held(row, today))
    return values


def _member_name(member_id) -> str:
    return db.session.scalar(select(Member.name).where(Member.id == member_id)) or ""


@bp.route("/vanguard-posts", methods=["GET"])
@login_required
@bp.arguments(SoeVanguardQuerySchema, location="query")
@bp.response(200, SoeVanguardSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_vanguard(filters, pagination_parameters):
    """Members' 先锋岗, 责任区 and 示范岗 the user sees, latest first: ``org_id``,
    ``subtree_of``, ``current`` (held today)."""
    today = date.today()
    stmt = seen_records(select(VanguardPost, Organization.name, Member.name), VanguardPost, filters)
    stmt = stmt.join(Member, Member.id == VanguardPost.member_id)
    if filters["current"] is True:
        stmt = stmt.where(*_held(VanguardPost, today))
    elif filters["current"] is False:
        stmt = stmt.where(or_(VanguardPost.started_on > today, VanguardPost.ended_on <= today))
    stmt = stmt.order_by(VanguardPost.started_on.desc(), Member.name, VanguardPost.id)
    return [_vanguard(row, org_name, member_name, today)
            for row, org_name, member_name in paged(stmt, pagination_parameters)]


@bp.route("/vanguard-posts", methods=["POST"])
@login_required
@bp.arguments(SoeVanguardInputSchema)
@bp.response(201, SoeVanguardSchema)
def create_vanguard(data):
    """Give a member of the branch a 先锋岗, 责任区 or 示范岗 (``branch_secretary``); a member
    holds one post of a kind at a time (409)."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.assign_vanguard(org, data)
    db.session.commit()
    return _vanguard(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/vanguard-posts/<post_id>", methods=["GET"])
@login_required
@bp.response(200, SoeVanguardSchema)
def get_vanguard(post_id):
    """One vanguard post."""
    row, org = visible_record(VanguardPost, post_id, "vanguard post")
    return _vanguard(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/vanguard-posts/<post_id>", methods=["PATCH"])
@login_required
@bp.arguments(SoeVanguardPatchSchema)
@bp.response(200, SoeVanguardSchema)
def update_vanguard(data, post_id):
    """Correct a vanguard post, or end it (``ended_on``: the first day no longer held)."""
    row, org = visible_record(VanguardPost, post_id, "vanguard post", SECRETARY)
    service.update_vanguard(row, expect_version(row, data, "vanguard post"))
    db.session.commit()
    return _vanguard(row, org.name, _member_name(row.member_id), date.today())


@bp.route("/vanguard-posts/<post_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_vanguard(post_id):
    """Remove a vanguard post recorded by mistake (ending one is a PATCH)."""
    row, _ = visible_record(VanguardPost, post_id, "vanguard post", SECRETARY)
    service.delete(row)
    db.session.commit()


# -- innovations (党员攻关、创新成果) --------------------------------------------------------------------


INNOVATION_KEYS = ("title", "kind", "achieved_on", "level", "benefit")


def _innovation(row: Innovation, org_name: str, member_ids: list) -> dict:
    values = _base(row, org_name, INNOVATION_KEYS)
    values.update(kind_label=INNOVATION_LABELS[row.kind], member_ids=member_ids)
    return values


@bp.route("/innovations", methods=["GET"])
@login_required
@bp.arguments(SoeInnovationQuerySchema, location="query")
@bp.response(200, SoeInnovationSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_innovations(filters, pagination_parameters):
    """党员攻关项目, innovation results and 合理化建议 the user sees, latest first: ``org_id``,
    ``subtree_of``, ``year`` (achieved in)."""
    stmt = seen_records(select(Innovation, Organization.name), Innovation, filters)
    if filters["year"] is not None:
        stmt = stmt.where(Innovation.achieved_on >= date(filters["year"], 1, 1),
                          Innovation.achieved_on <= date(filters["year"], 12, 31))
    stmt = stmt.order_by(Innovation.achieved_on.desc(), Innovation.title, Innovation.id)
    rows = paged(stmt, pagination_parameters)
    members = service.members_of(row.id for row, _ in rows)
    return [_innovation(row, name, members.get(row.id, [])) for row, name in rows]


@bp.route("/innovations", methods=["POST"])
@login_required
@bp.arguments(SoeInnovationInputSchema)
@bp.response(201, SoeInnovationSchema)
def create_innovation(data):
    """Record a result of the branch's members (``branch_secretary``); ``member_ids`` are the
    branch's working members who took part."""
    org = visible_org(data["org_id"], role=SECRETARY)
    row = service.record_innovation(org, data)
    db.session.commit()
    return _innovation(row, org.name, service.members_of([row.id]).get(row.id, []))


@bp.route("/innovations/<innovation_id>", methods=["GET"])
@login_required
@bp.response(200, SoeInnovationSchema)
def get_innovation(innovation_id):
    """One innovation, with who took part."""
    row, org = visible_record(Innovation, innovation_id, "innovation")
    return _innovation(row, org.name, service.members_of([row.id]).get(row.id, []))


@bp.route("/innovations/<innovation_id>", methods=["PATCH"])
@login_required
@bp.arguments(SoeInnovationPatchSchema)
@bp.response(200, SoeInnovationSchema)
def update_innovation(data, innovation_id):
    """Correct an innovation; ``member_ids`` replaces who took part."""
    row, org = visible_record(Innovation, innovation_id, "innovation", SECRETARY)
    service.update_innovation(row, org, expect_version(row, data, "innovation"))
    db.session.commit()
    return _innovation(row, org.name, service.members_of([row.id]).get(row.id, []))


@bp.route("/innovations/<innovation_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_innovation(innovation_id):
    """Remove an innovation recorded by mistake (its points already awarded stay in the
    ledger, where an administrator reverses them)."""
    row, _ = visible_record(Innovation, innovation_id, "innovation", SECRETARY)
    service.delete(row)
    db.session.commit()
