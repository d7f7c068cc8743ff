"""The points API (``/api/v1/points``) and the public card (``/api/v1/cards/<token>``).

Who may do what:

* rules: anyone signed in reads them; a tenant administrator adds the tenant's own rules
  and switches off or changes any rule;
* entries: recorded by a branch secretary of the member's organisation (or higher);
  approved or rejected by a branch secretary of the entry's organisation (or higher) who
  is not the recorder, unless the tenant allows ``self_approve``; listed for the
  organisations where the user is a branch secretary or higher;
* a member's points, rank and ledger: anyone who sees the member's organisation, and the
  member themself (their account linked with ``member_id``, see ``/api/v1/users``);
  ``/me`` is the signed-in member's own;
* cards and redemptions: a branch secretary of the member's organisation, or the member;
* partners and offers: organisation managers and tenant administrators; every signed-in
  user sees the active offers;
* merchants check and mark codes with their partner key (``X-Partner-Key``) or an
  organisation manager does it for them;
* settings and collecting: tenant administrators.

Anything outside the user's scope is a 404, like an unknown or another tenant's id.
"""

from __future__ import annotations

from datetime import date

from flask import Response, request, url_for
from sqlalchemy import false, func, or_, select, true

from core import files
from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, settings_docs
from core.auth import service as auth_service
from core.auth.permissions import (
    RANK,
    current_user,
    has_role,
    login_required,
    roles_required,
)
from core.db import db
from core.db.versioning import check_version, expect, pop_version
from core.jobs import service as jobs
from core.jobs.schemas import JobSchema
from core.members import service as members
from core.members.models import Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins.settings import set_overrides, settings_version
from core.points import cards, ledger, manage, ranking, redemption, registry
from core.points.collect import period
from core.points.models import (
    MemberCard,
    Offer,
    Partner,
    PointEntry,
    Redemption,
)
from core.points.plugin import COLLECT_JOB
from core.points.registry import EffectiveRule
from core.points.schemas import (
    CardIssuedSchema,
    CollectSchema,
    EntryAttachmentFileSchema,
    MemberPointsSchema,
    MerchantRedemptionSchema,
    OfferInputSchema,
    OfferQuerySchema,
    OfferSchema,
    OfferUpdateSchema,
    PartnerInputSchema,
    PartnerSchema,
    PartnerUpdateSchema,
    PartnerWithKeySchema,
    PointEntryCreateSchema,
    PointEntryQuerySchema,
    PointEntrySchema,
    PointRuleCreateSchema,
    PointRuleSchema,
    PointRuleUpdateSchema,
    PointsYearQuerySchema,
    PublicCardSchema,
    RankingQuerySchema,
    RedeemSchema,
    RedemptionQuerySchema,
    RedemptionSchema,
    RejectSchema,
    StandingSchema,
)
from core.points.settings import PLUGIN, PointsSettingsSchema, points_settings
from core.tenancy import current_tenant_id, current_tenant_id_or_none

bp = Blueprint("points", __name__, description="Member points (党员量化积分), cards and redemption.")
cards_bp = Blueprint("cards", __name__, description="Public member points cards (no login).")

WRITE_ROLE = "branch_secretary"
MANAGER_ROLE = "org_manager"


# -- scope helpers -------------------------------------------------------------------------


def _is_self(member: Member) -> bool:
    user = current_user()
    return user is not None and user.member_id is not None and user.member_id == member.id


def _member(member_id, role: str = "member", allow_self: bool = True,
            field: str | None = None) -> tuple[Member, Organization]:
    """The member and their organisation if the user may act on them with ``role`` (or is
    the member, with ``allow_self``). 404 when unseen (422 naming ``field`` for an id in a
    body), 403 when seen without the role."""
    parsed = parse_id(member_id)
    member = members.get_member(parsed) if parsed is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    if member is not None and org is not None and allow_self and _is_self(member):
        return member, org
    if member is None or org is None or not has_role("member", org):
        if field is not None:
            abort(422, f"{field}: unknown member.", {field: ["Unknown member."]})
        abort(404, f"member {member_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on the member's organization.")
    return member, org


def _visible_org(org_id, field: str | None = None) -> Organization:
    parsed = parse_id(org_id)
    org = orgs.get(parsed) if parsed is not None else None
    if org is None or not has_role("member", org):
        if field is not None:
            abort(422, f"{field}: unknown organization.", {field: ["Unknown organization."]})
        abort(404, f"organization {org_id} not found")
    return org


def _orgs_with_role(role: str):
    """WHERE clause on :class:`Organization`: where the user holds ``role`` or higher."""
    user = current_user()
    if user is None:
        return false()
    paths = []
    for granted, path in auth_service.role_scopes(user.id):
        if RANK[granted] > RANK[role]:
            continue
        if path is None:
            return true()
        paths.append(path)
    return or_(*(orgs.subtree_filter(p) for p in paths)) if paths else false()


def _year(value: int | None) -> int:
    return value if value is not None else date.today().year


# -- rules ---------------------------------------------------------------------------------


def _rule_view(rule: EffectiveRule) -> dict:
    return {
        "key": rule.key, "name": rule.name, "points": rule.points, "category": rule.category,
        "yearly_cap": rule.yearly_cap, "evidence_required": rule.evidence_required,
        "description": rule.description, "active": rule.active, "source": rule.source,
        "plugin": rule.plugin, "collected": rule.collect is not None,
        "overridden": list(rule.overridden), "default_points": rule.default_points,
        "default_yearly_cap": rule.default_yearly_cap, "version": rule.version,
    }


@bp.route("/rules", methods=["GET"])
@login_required
@bp.response(200, PointRuleSchema(many=True))
def list_rules():
    """The tenant's point rules: plugins' (with the tenant's changes) and its own."""
    return [_rule_view(r) for r in registry.tenant_rules().values()]


@bp.route("/rules", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(PointRuleCreateSchema)
@bp.response(201, PointRuleSchema)
def create_rule(data):
    """Add a tenant rule (key ``tenant.<slug>``), recorded by hand. 409 naming ``key``
    when the key is taken."""
    rule = manage.create_rule(data)
    db.session.commit()
    return _rule_view(rule)


@bp.route("/rules/<key>", methods=["PATCH"])
@roles_required("tenant_admin")
@bp.arguments(PointRuleUpdateSchema)
@bp.response(200, PointRuleSchema)
def update_rule(data, key):
    """Change a rule. A tenant rule: any field. A plugin rule: ``active`` (switch it off),
    ``points`` (keeping its sign), ``yearly_cap`` (null: no cap), or ``reset`` (back to the
    plugin's numbers, switched on)."""
    rule = registry.get_rule(key) if isinstance(key, str) and len(key) <= 100 else None
    if rule is None:
        abort(404, f"point rule {key} not found")
    check_version(rule, data.pop("version", None), "point rule")
    rule = manage.update_rule(rule, data)
    db.session.commit()
    return _rule_view(rule)


# -- entries -------------------------------------------------------------------------------


def _entry_view(entry: PointEntry, member_name: str) -> dict:
    body = {key: getattr(entry, key) for key in PointEntrySchema().fields if hasattr(entry, key)}
    body["attachment_original_name"] = entry.attachment_original_name
    body["member_name"] = member_name
    return body


def _entry(entry_id, role: str = WRITE_ROLE) -> tuple[PointEntry, Member]:
    parsed = parse_id(entry_id)
    entry = (db.session.scalar(select(PointEntry).where(PointEntry.id == parsed))
             if parsed is not None else None)
    org = orgs.get(entry.org_id) if entry is not None else None
    if entry is None or org is None or not has_role("member", org):
        abort(404, f"entry {entry_id} not found")
    if not has_role(role, org):
        abort(403, f"This needs the {role} role on the entry's organization.")
    return entry, members.get_member(entry.member_id)


@bp.route("/entries", methods=["GET"])
@roles_required(WRITE_ROLE)
@bp.arguments(PointEntryQuerySchema, location="query")
@bp.response(200, PointEntrySchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_entries(filters, pagination_parameters):
    """Entries of the organisations where the user is a branch secretary or higher, newest
    first. Filters: ``member_id``, ``org_id`` (its subtree), ``status``, ``rule_key``,
    ``year`` (when the deed occurred)."""
    conditions = [_orgs_with_role(WRITE_ROLE)]
    if filters["member_id"] is not None:
        conditions.append(PointEntry.member_id == filters["member_id"])
    if filters["org_id"] is not None:
        conditions.append(orgs.subtree_filter(_visible_org(filters["org_id"]).path))
    if filters["status"] is not None:
        conditions.append(PointEntry.status == filters["status"])
    if filters["rule_key"] is not None:
        conditions.append(PointEntry.rule_key == filters["rule_key"])
    if filters["year"] is not None:
        start, end = ledger.year_bounds(filters["year"])
        conditions += [PointEntry.occurred_on >= start, PointEntry.occurred_on <= end]
    base = (select(PointEntry, Member.name)
            .join(Organization, Organization.id == PointEntry.org_id)
            .join(Member, Member.id == PointEntry.member_id)
            .where(*conditions))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        base.order_by(PointEntry.occurred_on.desc(), PointEntry.created_at.desc(), PointEntry.id)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    return [_entry_view(entry, name) for entry, name in rows]


@bp.route("/entries", methods=["POST"])
@login_required
@bp.arguments(PointEntryCreateSchema)
@bp.response(201, PointEntrySchema)
def create_entry(data):
    """Record a deed for a member under a rule (pending until another person approves it;
    ``approve: true`` approves at once where the tenant allows ``self_approve``)."""
    member, _org = _member(data["member_id"], WRITE_ROLE, allow_self=False, field="member_id")
    if data["approve"] and not points_settings()["self_approve"]:
        abort(422, "approve: entries are approved by another person here (self_approve is off).",
              {"approve": ["Not allowed: self_approve is off."]})
    rule = registry.get_rule(data["rule_key"])
    entry = ledger.record(member, rule, data["occurred_on"], data["evidence"],
                          rule_key=data["rule_key"])
    if data["approve"]:
        ledger.approve(entry)
    db.session.commit()
    return _entry_view(entry, member.name)


@bp.route("/entries/<entry_id>", methods=["GET"])
@login_required
@bp.response(200, PointEntrySchema)
def get_entry(entry_id):
    entry, member = _entry(entry_id)
    return _entry_view(entry, member.name)


@bp.route("/entries/<entry_id>/approve", methods=["POST"])
@login_required
@bp.response(200, PointEntrySchema)
def approve_entry(entry_id):
    """Approve a pending entry: its points are awarded, clamped to what is left of the
    rule's yearly cap (``cap_note`` says so). 403 for its own recorder unless
    ``self_approve``; 409 when it is no longer pending."""
    entry, member = _entry(entry_id)
    ledger.approve(entry)
    db.session.commit()
    return _entry_view(entry, member.name)


@bp.route("/entries/<entry_id>/reject", methods=["POST"])
@login_required
@bp.arguments(RejectSchema)
@bp.response(200, PointEntrySchema)
def reject_entry(data, entry_id):
    """Reject a pending entry, saying why."""
    entry, member = _entry(entry_id)
    ledger.reject(entry, data["reason"])
    db.session.commit()
    return _entry_view(entry, member.name)


@bp.route("/entries/<entry_id>/attachment", methods=["POST"])
@login_required
@bp.arguments(EntryAttachmentFileSchema, location="files")
@bp.response(200, PointEntrySchema)
def upload_attachment(files_in, entry_id):
    """Attach evidence to a pending entry (pdf, jpg/png, docx/xlsx; checked by content,
    size-limited); replaces an earlier one."""
    entry, member = _entry(entry_id)
    if entry.status != "pending":
        abort(409, f"The entry is already {entry.status}.", {"status": [entry.status]})
    upload = files_in["file"]
    if not hasattr(upload, "stream"):
        abort(422, "file: send the file as multipart.", {"file": ["Not a file."]})
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    previous = entry.attachment_name
    entry.attachment_name = stored.name
    entry.attachment_original_name = stored.original_name
    entry.attachment_type = stored.file_type
    entry.attachment_content_type = stored.content_type
    entry.attachment_size = stored.size
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        raise
    if previous:
        files.discard(tenant_id, previous)
    return _entry_view(entry, member.name)


@bp.route("/entries/<entry_id>/attachment", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="The file")
def download_attachment(entry_id):
    from flask import send_file

    entry, _member_row = _entry(entry_id)
    if not entry.attachment_name:
        abort(404, f"entry {entry_id} has no attachment")
    path = files.path_for(current_tenant_id(), entry.attachment_name)
    if not path.is_file():
        abort(404, f"entry {entry_id} has no attachment")
    return send_file(path, mimetype=entry.attachment_content_type, as_attachment=True,
                     download_name=entry.attachment_original_name or "file")


# -- a member's points ---------------------------------------------------------------------


def _member_points(member: Member, org: Organization, year: int,
                   subtree_of: Organization | None) -> dict:
    start, end = ledger.year_bounds(year)
    branch_id = ranking.branch_of(org)
    branch = orgs.get(branch_id) or org
    if subtree_of is not None:
        if not orgs.covers(subtree_of.path, branch.path):
            abort(422, "subtree_of: must contain the member's branch.",
                  {"subtree_of": ["Must contain the member's branch."]})
        root = subtree_of
    else:
        root = orgs.get(branch.parent_id) if branch.parent_id is not None else branch
    standing = ranking.standing_of(member.id, start, end, root)
    entries = db.session.scalars(
        select(PointEntry)
        .where(PointEntry.member_id == member.id, PointEntry.occurred_on >= start,
               PointEntry.occurred_on <= end)
        .order_by(PointEntry.occurred_on.desc(), PointEntry.created_at.desc())
    ).all()
    total = sum((e.points for e in entries if e.status == "approved"), ledger.ZERO)
    held = ledger.account(member.id)
    has_card = db.session.scalar(
        select(MemberCard.id).where(MemberCard.member_id == member.id)) is not None
    return {
        "member_id": member.id, "name": member.name, "org_id": member.org_id, "year": year,
        "total": total, "exempt": standing.exempt if standing else False,
        "rank_in_branch": ranking.rank_text(standing.branch_rank, standing.branch_ranked)
        if standing else None,
        "rank_in_subtree": ranking.rank_text(standing.subtree_rank, standing.subtree_ranked)
        if standing else None,
        "subtree_org_id": root.id,
        "account": {**held, "level": ledger.card_level(held["earned"])},
        "ledger": [_entry_view(e, member.name) for e in entries],
        "has_card": has_card,
    }


@bp.route("/members/<member_id>", methods=["GET"])
@login_required
@bp.arguments(PointsYearQuerySchema, location="query")
@bp.response(200, MemberPointsSchema)
def member_points(args, member_id):
    """A member's total for ``year`` (default this year), rank in the branch and in a
    subtree (``subtree_of``, default the branch's parent), that year's ledger and the
    account (earned, redeemed, balance, card level)."""
    member, org = _member(member_id)
    subtree = _visible_org(args["subtree_of"], "subtree_of") if args["subtree_of"] else None
    return _member_points(member, org, _year(args["year"]), subtree)


@bp.route("/me", methods=["GET"])
@login_required
@bp.arguments(PointsYearQuerySchema, location="query")
@bp.response(200, MemberPointsSchema)
def my_points(args):
    """The signed-in member's own points, ranks, ledger and balance (the account must be
    linked to a member: ``PATCH /api/v1/users/<id>``)."""
    user = current_user()
    member = members.get_member(user.member_id) if user.member_id is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    if member is None or org is None:
        abort(404, "This account is not linked to a member of the register.")
    subtree = _visible_org(args["subtree_of"], "subtree_of") if args["subtree_of"] else None
    return _member_points(member, org, _year(args["year"]), subtree)


@bp.route("/ranking", methods=["GET"])
@login_required
@bp.arguments(RankingQuerySchema, location="query")
@bp.response(200, StandingSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def get_ranking(args, pagination_parameters):
    """Every active member of ``org``'s subtree with their total for ``year``, rank in
    their branch and in the subtree; exempt members last, without a rank."""
    org = _visible_org(args["org"], "org")
    start, end = ledger.year_bounds(_year(args["year"]))
    rows, count = ranking.page(start, end, org, pagination_parameters.first_item,
                               pagination_parameters.page_size)
    pagination_parameters.item_count = count
    return [vars(row) for row in rows]


# -- cards ---------------------------------------------------------------------------------


def _card_body(card: MemberCard) -> dict:
    token = cards.token_for(card)
    return {
        "url": url_for("cards.show_card", token=token, _external=True),
        "png_url": url_for("points.card_png", member_id=str(card.member_id), _external=True),
        "issued_at": card.updated_at,
    }


@bp.route("/members/<member_id>/card", methods=["POST"])
@login_required
@bp.response(201, CardIssuedSchema)
def issue_card(member_id):
    """Issue the member's QR card, or rotate it (every earlier link stops working)."""
    member, _org = _member(member_id, WRITE_ROLE)
    card = cards.issue(member)
    db.session.commit()
    return _card_body(card)


@bp.route("/members/<member_id>/card", methods=["GET"])
@login_required
@bp.response(200, CardIssuedSchema)
def get_card(member_id):
    member, _org = _member(member_id, WRITE_ROLE)
    card = cards.card_of(member.id)
    if card is None:
        abort(404, "The member has no card.")
    return _card_body(card)


@bp.route("/members/<member_id>/card", methods=["DELETE"])
@login_required
@bp.response(204)
def revoke_card(member_id):
    """Revoke the member's card: its link then answers 404."""
    member, _org = _member(member_id, WRITE_ROLE)
    if not cards.revoke(member):
        abort(404, "The member has no card.")
    db.session.commit()


@bp.route("/members/<member_id>/card.png", methods=["GET"])
@login_required
@bp.response(200, content_type="image/png", description="The card's QR code")
def card_png(member_id):
    member, _org = _member(member_id, WRITE_ROLE)
    card = cards.card_of(member.id)
    if card is None:
        abort(404, "The member has no card.")
    png = cards.qr_png(_card_body(card)["url"])
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@cards_bp.route("/<token>", methods=["GET"])
@cards_bp.response(200, PublicCardSchema)
def show_card(token):
    """A member's card, opened by scanning its QR code: no login. Only the masked name,
    the branch, the year, the year's points and the rank in the branch ("n/m"; null for a
    member exempt from ranking). Any bad, forged, rotated or revoked link is 404."""
    body = cards.public_view(token)
    if body is None:
        abort(404, "card not found")
    return body, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


# -- partners and offers -------------------------------------------------------------------


def _partner(partner_id) -> Partner:
    parsed = parse_id(partner_id)
    row = (db.session.scalar(select(Partner).where(Partner.id == parsed))
           if parsed is not None else None)
    if row is None:
        abort(404, f"partner {partner_id} not found")
    return row


def _with_key(partner: Partner, key: str) -> dict:
    return {**{name: getattr(partner, name) for name in PartnerSchema().fields},
            "verify_key": key}


@bp.route("/partners", methods=["GET"])
@login_required
@bp.response(200, PartnerSchema(many=True))
def list_partners():
    """The tenant's partners (merchants); inactive ones for managers only."""
    stmt = select(Partner).order_by(Partner.name)
    if not has_role(MANAGER_ROLE):
        stmt = stmt.where(Partner.active.is_(True))
    return db.session.scalars(stmt).all()


@bp.route("/partners", methods=["POST"])
@roles_required(MANAGER_ROLE)
@bp.arguments(PartnerInputSchema)
@bp.response(201, PartnerWithKeySchema)
def create_partner(data):
    """Add a partner; the answer carries its verification key, shown only this once."""
    partner, key = manage.create_partner(data)
    db.session.commit()
    return _with_key(partner, key)


@bp.route("/partners/<partner_id>", methods=["PATCH"])
@roles_required(MANAGER_ROLE)
@bp.arguments(PartnerUpdateSchema)
@bp.response(200, PartnerSchema)
def update_partner(data, partner_id):
    partner = _partner(partner_id)
    partner = manage.update_partner(partner, expect(partner, data, "partner"))
    db.session.commit()
    return partner


@bp.route("/partners/<partner_id>/key", methods=["POST"])
@roles_required(MANAGER_ROLE)
@bp.response(200, PartnerWithKeySchema)
def rotate_partner_key(partner_id):
    """Replace the partner's verification key (the old one stops working)."""
    partner = _partner(partner_id)
    key = manage.rotate_key(partner)
    db.session.commit()
    return _with_key(partner, key)


def _offer_view(offer: Offer, partner_name: str) -> dict:
    body = {key: getattr(offer, key) for key in OfferSchema().fields if hasattr(offer, key)}
    body["partner_name"] = partner_name
    return body


def _offer(offer_id) -> tuple[Offer, Partner]:
    parsed = parse_id(offer_id)
    row = (db.session.execute(select(Offer, Partner).join(Partner, Partner.id == Offer.partner_id)
                              .where(Offer.id == parsed)).first()
           if parsed is not None else None)
    if row is None:
        abort(404, f"offer {offer_id} not found")
    return row[0], row[1]


@bp.route("/offers", methods=["GET"])
@login_required
@bp.arguments(OfferQuerySchema, location="query")
@bp.response(200, OfferSchema(many=True))
def list_offers(args):
    """Offers that can be redeemed now (managers may ask for inactive ones too)."""
    stmt = select(Offer, Partner.name).join(Partner, Partner.id == Offer.partner_id)
    if args["partner_id"] is not None:
        stmt = stmt.where(Offer.partner_id == args["partner_id"])
    if not (args["include_inactive"] and has_role(MANAGER_ROLE)):
        today = date.today()
        stmt = stmt.where(Offer.active.is_(True), Partner.active.is_(True),
                          or_(Offer.valid_until.is_(None), Offer.valid_until >= today))
    rows = db.session.execute(stmt.order_by(Partner.name, Offer.cost, Offer.name))
    return [_offer_view(offer, name) for offer, name in rows]


@bp.route("/offers", methods=["POST"])
@roles_required(MANAGER_ROLE)
@bp.arguments(OfferInputSchema)
@bp.response(201, OfferSchema)
def create_offer(data):
    offer, partner = manage.create_offer(data)
    db.session.commit()
    return _offer_view(offer, partner.name)


@bp.route("/offers/<offer_id>", methods=["PATCH"])
@roles_required(MANAGER_ROLE)
@bp.arguments(OfferUpdateSchema)
@bp.response(200, OfferSchema)
def update_offer(data, offer_id):
    offer, partner = _offer(offer_id)
    manage.update_offer(offer, expect(offer, data, "offer"))
    db.session.commit()
    return _offer_view(offer, partner.name)


# -- redemptions ---------------------------------------------------------------------------


def _redemption_view(row: Redemption, member_name: str) -> dict:
    body = {key: getattr(row, key) for key in RedemptionSchema().fields if hasattr(row, key)}
    body["member_name"] = member_name
    return body


@bp.route("/redemptions", methods=["POST"])
@login_required
@bp.arguments(RedeemSchema)
@bp.response(201, RedemptionSchema)
def redeem(data):
    """Spend a member's points on an offer (a branch secretary of the member's
    organisation, or the member). 409 naming ``offer_id`` with the reason when refused:
    too few points, sold out, expired, inactive, card level not reached."""
    member, _org = _member(data["member_id"], WRITE_ROLE, field="member_id")
    offer = db.session.scalar(select(Offer).where(Offer.id == data["offer_id"]))
    if offer is None:
        abort(422, "offer_id: unknown offer.", {"offer_id": ["Unknown offer."]})
    row = redemption.redeem(member, offer)
    db.session.commit()
    return _redemption_view(row, member.name)


@bp.route("/redemptions", methods=["GET"])
@login_required
@bp.arguments(RedemptionQuerySchema, location="query")
@bp.response(200, RedemptionSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_redemptions(args, pagination_parameters):
    """Redemptions of members where the user is a branch secretary or higher, and the
    user's own; newest first."""
    user = current_user()
    mine = Redemption.member_id == user.member_id if user.member_id is not None else false()
    conditions = [or_(_orgs_with_role(WRITE_ROLE), mine)]
    if args["member_id"] is not None:
        conditions.append(Redemption.member_id == args["member_id"])
    if args["status"] is not None:
        conditions.append(Redemption.status == args["status"])
    base = (select(Redemption, Member.name)
            .join(Organization, Organization.id == Redemption.org_id)
            .join(Member, Member.id == Redemption.member_id)
            .where(*conditions))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        base.order_by(Redemption.created_at.desc(), Redemption.id)
        .offset(pagination_parameters.first_item).limit(pagination_parameters.page_size))
    return [_redemption_view(row, name) for row, name in rows]


def _by_code(code) -> Redemption:
    """The redemption with ``code`` for a merchant holding its partner's key
    (``X-Partner-Key``) or an organisation manager; 404 for anything else that names a
    tenant (an unknown code and a wrong key look the same)."""
    if current_tenant_id_or_none() is None:
        abort(404, "redemption not found")
    row = redemption.find_by_code(code) if isinstance(code, str) else None
    key = request.headers.get("X-Partner-Key")
    if key is not None:
        partner = (db.session.scalar(select(Partner).where(Partner.id == row.partner_id))
                   if row is not None else None)
        if row is None or not redemption.partner_key_matches(partner, key):
            abort(404, "redemption not found")
        return row
    if current_user() is None:
        abort(401, "Send the partner's key (X-Partner-Key) or sign in.")
    if not has_role(MANAGER_ROLE):
        abort(403, f"This needs the {MANAGER_ROLE} role or the partner's key.")
    if row is None:
        abort(404, "redemption not found")
    return row


@bp.route("/redemptions/code/<code>", methods=["GET"])
@bp.response(200, MerchantRedemptionSchema)
def check_code(code):
    """What a code is for and whether it was used (merchant: ``X-Partner-Key``)."""
    return _by_code(code)


@bp.route("/redemptions/code/<code>/use", methods=["POST"])
@bp.response(200, MerchantRedemptionSchema)
def use_code(code):
    """Mark a code used (once; 409 the second time)."""
    row = _by_code(code)
    by_partner = request.headers.get("X-Partner-Key") is not None
    redemption.mark_used(row, by=f"partner:{row.partner_id}" if by_partner else None)
    db.session.commit()
    return row


# -- settings and collecting ---------------------------------------------------------------


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(PointsSettingsSchema, overridden=False)


@bp.route("/settings", methods=["GET"])
@roles_required("tenant_admin")
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's points settings (defaults unless changed) and their ``version``."""
    return {**points_settings(), "version": settings_version(PLUGIN)}


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides of the points settings; keys not sent return to the
    defaults. 422 naming the field for a bad value. ``version`` beside them is the one you
    read: a stale one is a 409 naming it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(422, "Send a JSON object of settings.", {"json": ["Not a JSON object."]})
    expected = pop_version(body)
    set_overrides(PLUGIN, body, expected_version=expected)
    db.session.commit()
    return {**points_settings(), "version": settings_version(PLUGIN)}


@bp.route("/collect", methods=["POST"])
@roles_required("tenant_admin")
@bp.arguments(CollectSchema)
@bp.response(202, JobSchema, description="The collect job (see GET /api/v1/jobs/<id>)")
def start_collect(data):
    """Collect attendance, dues and other collected deeds for ``year`` (default this
    year) as the ``points.collect`` job; collecting again adds nothing new."""
    period(data["year"])
    kwargs = {"year": _year(data["year"])}
    if data["rules"]:
        known = {k for k, r in registry.tenant_rules().items() if r.collect and r.active}
        unknown = sorted(set(data["rules"]) - known)
        if unknown:
            abort(422, f"rules: not active collecting rules: {', '.join(unknown)}",
                  {"rules": [f"unknown: {', '.join(unknown)}"]})
        kwargs["rules"] = data["rules"]
    job = jobs.enqueue(COLLECT_JOB, **kwargs)
    return job, 202, {"Location": url_for("jobs.get_job", job_id=str(job.id))}
