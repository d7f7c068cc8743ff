"""What the isolation suite (``test_isolation_api.py``, ``test_isolation_web.py``) found, each
pinned by a small test of its own.

* Closing out, sending back and reopening a problem, and de-listing a weak organisation,
  checked the record's state before the role: a branch secretary (or a member) asking about an
  open problem got 409 naming its state instead of 403. The role is checked first now.
* Saving an offer's page with a form that leaves out a field answered 500: the field kept
  the offer's Decimal cost and the form helper called ``.strip()`` on it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.db import db
from core.orgs import service as orgs
from core.points.models import Offer, Partner
from tests.web.conftest import web_as  # noqa: F401 - the web tests' login fixture


def test_who_may_not_close_out_learns_nothing_of_the_state(client, tenant, in_tenant, auth_headers):
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        branch = orgs.create(name="一支部", code="B1", kind="branch", parent=root)
        db.session.commit()
        branch_id = str(branch.id)
    admin = auth_headers(tenant)
    problem = client.post(
        "/api/v1/problems",
        headers=admin,
        json={
            "org_id": branch_id,
            "source": "inspection",
            "category": "组织建设",
            "title": "台账不全",
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
        },
    ).get_json()
    designation = client.post(
        "/api/v1/problems/weak-orgs",
        headers=admin,
        json={"org_id": branch_id, "year": date.today().year, "reason_category": "班子不健全"},
    ).get_json()
    # the branch's own secretary: sees both, acts for the branch, not for the level above
    secretary = auth_headers(tenant, role="branch_secretary", org=branch)
    for step, body in (
        ("approve", {}),
        ("reject", {"reason": "退回"}),
        ("reopen", {"reason": "重开"}),
    ):
        answer = client.post(
            f"/api/v1/problems/{problem['id']}/{step}", headers=secretary, json=body
        )
        assert answer.status_code == 403, (step, answer.get_json())
        assert "待整改" not in answer.get_json()["message"]  # the state is not named
    answer = client.post(
        f"/api/v1/problems/weak-orgs/{designation['id']}/delist", headers=secretary, json={}
    )
    assert answer.status_code == 403, answer.get_json()
    # the level above still gets the state's 409 for the wrong step
    answer = client.post(f"/api/v1/problems/{problem['id']}/approve", headers=admin, json={})
    assert answer.status_code == 409


def test_an_offer_saved_from_a_partial_form_is_no_500(tenant, in_tenant, web_as):  # noqa: F811
    with in_tenant(tenant):
        partner = Partner(name="红星超市", active=True)
        db.session.add(partner)
        db.session.flush()
        offer = Offer(partner_id=partner.id, name="洗衣液", cost=30, active=True)
        db.session.add(offer)
        db.session.commit()
        path = f"/admin/partners/{partner.id}/offers/{offer.id}"
    admin = web_as(tenant, "admin")
    answer = admin.post(path, {"description": "每人限兑一次"}, form_page="/admin/partners")
    assert answer.status_code < 500
    with in_tenant(tenant):
        saved = db.session.scalars(select(Offer)).one()
        assert saved.cost == 30 and saved.name == "洗衣液"  # what the form left out is kept
