"""Redemption partners (积分兑换合作商家) and their offers, through :mod:`core.points.manage`
as ``/api/v1/points/partners`` and ``/offers`` do. A partner's verification key (the
merchant's ``X-Partner-Key``) is shown once, on the page answering its creation or rotation,
and is never stored anywhere it could be shown again (only its hash is kept)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from core.api.errors import ApiError, abort
from core.api.smorest import parse_id
from core.db import db, versioning
from core.points import manage
from core.points.models import Offer, Partner
from core.points.schemas import (
    OfferInputSchema,
    OfferUpdateSchema,
    PartnerInputSchema,
    PartnerUpdateSchema,
)
from core.web import versions
from core.web.blueprint import bp
from core.web.paging import paginate
from core.web.screens.admin.hub import admin_page
from core.web.screens.admin.plugins import ActionForm
from core.web.screens.admin.point_rules import load, refused, text

LEVELS = [("", _l("Anyone")), ("silver", _l("Silver card")), ("gold", _l("Gold card"))]


class PartnerForm(FlaskForm):
    version = versions.version_field()
    name = StringField(_l("Partner name"))
    contact = StringField(_l("Contact person"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Shop address"))
    description = TextAreaField(_l("Remarks"))
    active = BooleanField(_l("Redeemable"), default=True)


class OfferForm(FlaskForm):
    version = versions.version_field()
    name = StringField(_l("Offer"))
    cost = StringField(_l("Cost in points"))
    stock = StringField(_l("Stock"), description=_l("Empty: unlimited."))
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    min_level = SelectField(_l("Who may redeem"), choices=LEVELS, validate_choice=False)
    description = TextAreaField(_l("Remarks"))
    active = BooleanField(_l("Redeemable"), default=True)


def _partner_data(form: PartnerForm) -> dict:
    return {"name": (form.name.data or "").strip(), "contact": text(form.contact.data),
            "phone": text(form.phone.data), "address": text(form.address.data),
            "description": text(form.description.data), "active": form.active.data}


def _offer_data(form: OfferForm) -> dict:
    valid_until = form.valid_until.data
    return {"name": (form.name.data or "").strip(), "cost": text(form.cost.data),
            "stock": text(form.stock.data), "min_level": form.min_level.data or None,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "description": text(form.description.data), "active": form.active.data}


def _partner(partner_id) -> Partner:
    parsed = parse_id(partner_id)
    row = db.session.scalar(select(Partner).where(Partner.id == parsed)) if parsed else None
    if row is None:
        abort(404, f"partner {partner_id} not found")
    return row


def _offer(partner: Partner, offer_id) -> Offer:
    parsed = parse_id(offer_id)
    row = (db.session.scalar(select(Offer).where(Offer.id == parsed, Offer.partner_id == partner.id))
           if parsed else None)
    if row is None:
        abort(404, f"offer {offer_id} not found")
    return row


@bp.route("/admin/partners")
@admin_page
def admin_partners():
    offers = (select(Offer.partner_id, func.count().label("n")).group_by(Offer.partner_id)
              .subquery())
    page = paginate(select(Partner, func.coalesce(offers.c.n, 0))
                    .outerjoin(offers, offers.c.partner_id == Partner.id)
                    .order_by(Partner.name), scalars=False)
    return render_template("web/admin/partners.html", page=page)


def _show_key(partner: Partner, key: str, created: bool):
    return render_template("web/admin/partners_key.html", partner=partner, key=key, created=created)


@bp.route("/admin/partners/new", methods=["GET", "POST"])
@admin_page
def admin_partner_new():
    form = PartnerForm()
    if form.validate_on_submit():
        data = load(PartnerInputSchema(), form, _partner_data(form))
        if data is not None:
            try:
                partner, key = manage.create_partner(data)
            except ApiError as exc:
                db.session.rollback()
                refused(form, exc)
            else:
                db.session.commit()
                return _show_key(partner, key, created=True)
        return render_template("web/admin/partners_form.html", form=form, partner=None), 422
    return render_template("web/admin/partners_form.html", form=form, partner=None)


def _partner_page(partner, form, offer_form, status=200):
    offers = db.session.scalars(select(Offer).where(Offer.partner_id == partner.id)
                                .order_by(Offer.active.desc(), Offer.cost, Offer.name)).all()
    return render_template("web/admin/partners_page.html", partner=partner, form=form,
                           offer_form=offer_form, offers=offers, action=ActionForm()), status


@bp.route("/admin/partners/<partner_id>", methods=["GET", "POST"])
@admin_page
def admin_partner(partner_id):
    partner = _partner(partner_id)
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        data = load(PartnerUpdateSchema(), form, _partner_data(form))
        if data is not None:
            try:
                versioning.check_version(partner, versions.read(form), "partner")
                manage.update_partner(partner, data)
            except ApiError as exc:
                db.session.rollback()
                refused(form, exc)
                if versions.is_conflict(exc):
                    return _partner_page(_partner(partner_id), form,
                                         OfferForm(formdata=None, prefix="offer"), exc.status)
            else:
                db.session.commit()
                flash(_("Partner “%(name)s” saved.", name=partner.name))
                return redirect(url_for("web.admin_partner", partner_id=partner.id))
        db.session.rollback()
        return _partner_page(_partner(partner_id), form, OfferForm(formdata=None, prefix="offer"), 422)
    return _partner_page(partner, form, OfferForm(formdata=None, prefix="offer"))


@bp.route("/admin/partners/<partner_id>/key", methods=["POST"])
@admin_page
def admin_partner_key(partner_id):
    partner = _partner(partner_id)
    key = manage.rotate_key(partner)
    db.session.commit()
    return _show_key(partner, key, created=False)


@bp.route("/admin/partners/<partner_id>/offers", methods=["POST"])
@admin_page
def admin_partner_offer_new(partner_id):
    partner = _partner(partner_id)
    offer_form = OfferForm(prefix="offer")
    if offer_form.validate_on_submit():
        data = load(OfferInputSchema(), offer_form, {**_offer_data(offer_form), "partner_id": str(partner.id)})
        if data is not None:
            offer, _partner_row = manage.create_offer(data)
            db.session.commit()
            flash(_("Offer “%(name)s” added.", name=offer.name))
            return redirect(url_for("web.admin_partner", partner_id=partner.id))
    return _partner_page(partner, PartnerForm(formdata=None, obj=partner), offer_form, 422)


@bp.route("/admin/partners/<partner_id>/offers/<offer_id>", methods=["GET", "POST"])
@admin_page
def admin_partner_offer(partner_id, offer_id):
    partner = _partner(partner_id)
    offer = _offer(partner, offer_id)
    form = OfferForm(obj=offer)
    status = 200
    if form.validate_on_submit():
        data = load(OfferUpdateSchema(), form, _offer_data(form))
        if data is not None:
            try:
                versioning.check_version(offer, versions.read(form), "offer")
                manage.update_offer(offer, data)
            except ApiError as exc:
                db.session.rollback()
                refused(form, exc)
                return render_template("web/admin/partners_offer.html", partner=_partner(partner_id),
                                       offer=_offer(_partner(partner_id), offer_id),
                                       form=form), exc.status
            db.session.commit()
            flash(_("Offer “%(name)s” saved.", name=offer.name))
            return redirect(url_for("web.admin_partner", partner_id=partner.id))
        status = 422
    return render_template("web/admin/partners_offer.html", partner=partner, offer=offer,
                           form=form), status
