"""The member's QR card (党员码) in the browser: the signed-in member's own page
(``/me/card``, made for a phone) and a branch secretary's view of a member's card.

The rules are the points API's (:mod:`core.points.api`): a card is read, issued and
rotated by the member themself or by a branch secretary (or higher) of the member's
organisation. The QR image is drawn here by the points slice's own
:func:`core.points.cards.qr_png` and served from this site; it encodes the card's public
link, the same one the API's ``card.png`` encodes.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from core.api.smorest import parse_id
from core.auth.permissions import has_role
from core.db import db
from core.members import service as members
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.points import cards
from core.web.blueprint import bp, page
from core.web.screens import member_labels, member_reads
from core.web.screens.members import visible_member
from core.web.session import current_web_user


class IssueForm(FlaskForm):
    """Issue the card, or rotate it (a new link: every earlier QR code stops working)."""


def _own_member() -> tuple[Member, Organization] | None:
    user = current_web_user()
    member = members.get_member(user.member_id) if user.member_id is not None else None
    org = orgs.get(member.org_id) if member is not None else None
    return (member, org) if org is not None else None


def _kept_member(member_id) -> tuple[Member, Organization]:
    """A member whose card the user may handle: themself, or one they keep the register
    of (404 unseen, 403 seen without the role — as the API answers)."""
    if parse_id(member_id) is not None and parse_id(member_id) == current_web_user().member_id:
        own = _own_member()
        if own is not None:
            return own
    member, org = visible_member(member_id)
    if not has_role(member_reads.KEEPER_ROLE, org):
        abort(403)
    return member, org


def card_link(card) -> str:
    """The card's public link (what its QR code says), on this site's address."""
    return url_for("cards.show_card", token=cards.token_for(card), _external=True)


def _png(member: Member) -> Response:
    card = cards.card_of(member.id)
    if card is None:
        abort(404)
    return Response(cards.qr_png(card_link(card)), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})


def _issue(member: Member) -> None:
    renewed = cards.card_of(member.id) is not None
    cards.issue(member)
    db.session.commit()
    flash(_("A new card link is ready; earlier QR codes no longer work.") if renewed
          else _("The card is ready."), "success")


def _render(member, org, *, own: bool, png_url: str, action: str):
    card = cards.card_of(member.id)
    return render_template(
        "web/my_card.html", member=member, org=org, own=own,
        branch=member_reads.branch_of(org), points=member_reads.points(member, org, recent=0),
        card=card, link=card_link(card) if card is not None else None, png_url=png_url,
        action=action, form=IssueForm(), works=member.status in ACTIVE_STATUSES,
        names=member_labels,
    )


@bp.route("/me/card", methods=["GET", "POST"])
@page
def my_card():
    """The signed-in member's card: name, branch, this year's points and the QR code."""
    own = _own_member()
    if own is None:
        return render_template("web/my_card.html", member=None, form=IssueForm())
    member, org = own
    form = IssueForm()
    if form.validate_on_submit():
        _issue(member)
        return redirect(url_for("web.my_card"))
    return _render(member, org, own=True, png_url=url_for("web.my_card_png"),
                   action=url_for("web.my_card"))


@bp.route("/me/card.png")
@page
def my_card_png():
    own = _own_member()
    if own is None:
        abort(404)
    return _png(own[0])


@bp.route("/members/<member_id>/card", methods=["GET", "POST"])
@page
def member_card(member_id):
    """A member's card as their branch secretary sees it: issue it, or rotate it."""
    member, org = _kept_member(member_id)
    if IssueForm().validate_on_submit():
        _issue(member)
        return redirect(url_for("web.member_card", member_id=member.id))
    return _render(member, org, own=False,
                   png_url=url_for("web.member_card_png", member_id=member.id),
                   action=url_for("web.member_card", member_id=member.id))


@bp.route("/members/<member_id>/card.png")
@page
def member_card_png(member_id):
    member, _org = _kept_member(member_id)
    return _png(member)
