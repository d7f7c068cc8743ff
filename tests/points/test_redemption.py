"""Redemption (积分金银卡): points never go below zero, two concurrent redemptions cannot
overspend (real threads and connections on both databases), stock, card levels, validity,
codes checked and used by the merchant's key, permissions and tenant isolation."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.db import db
from core.members import service as members
from core.points import ledger, redemption
from core.points.models import Offer, Partner, Redemption
from core.tenancy import tenant_context
from tests.points.conftest import award, new_member

D = Decimal


def _shop(*offers):
    """A partner with offers given as dicts (name, cost, ...); returns (partner, [offers])."""
    partner = Partner(name=f"商家{len(offers)}-{time.monotonic_ns()}", active=True)
    key = redemption.new_partner_key(partner)
    db.session.add(partner)
    db.session.flush()
    rows = [Offer(partner_id=partner.id, **{"active": True, **o}) for o in offers]
    db.session.add_all(rows)
    db.session.flush()
    partner.test_key = key
    return partner, rows


def _member_with(tree, points: int):
    """A member of X with ``points`` (multiples of 5) approved this year."""
    m = new_member(tree["X"])
    for i in range(points // 5):
        award(m.id, "points.volunteering", date(date.today().year, 1, 1 + i))
    return m


def test_redeeming_deducts_and_never_goes_below_zero(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = _member_with(tree, 10)
        _, (tea, cup) = _shop({"name": "茶叶", "cost": D("7")}, {"name": "水杯", "cost": D("3.5")})
        db.session.commit()
        first = redemption.redeem(m, tea)
        db.session.commit()
        assert first.cost == D("7.00") and len(first.code) == 10 and first.status == "issued"
        assert ledger.account(m.id) == {"earned": D("10.00"), "redeemed": D("7.00"),
                                        "balance": D("3.00")}
        with pytest.raises(ApiError) as refused:
            redemption.redeem(m, tea)
        assert refused.value.status == 409 and "offer_id" in refused.value.errors
        assert "余额不足" in refused.value.message and "3.00" in refused.value.message
        db.session.rollback()
        with pytest.raises(ApiError):
            redemption.redeem(m, cup)  # 3.5 > 3
        db.session.rollback()
        assert ledger.account(m.id)["balance"] == D("3.00")
        assert len(db.session.scalars(select(Redemption)).all()) == 1


def test_stock_runs_out_and_a_refusal_leaves_the_stock(tenant, in_tenant, tree):
    with in_tenant(tenant):
        rich, poor = _member_with(tree, 20), _member_with(tree, 5)
        _, (limited,) = _shop({"name": "电影票", "cost": D("6"), "stock": 1})
        db.session.commit()
        with pytest.raises(ApiError) as refused:
            redemption.redeem(poor, limited)
        assert "余额不足" in refused.value.message
        db.session.commit()  # even committed, the refusal wrote nothing
        db.session.refresh(limited)
        assert limited.stock == 1 and ledger.account(poor.id)["redeemed"] == 0
        redemption.redeem(rich, limited)
        db.session.commit()
        db.session.refresh(limited)
        assert limited.stock == 0
        with pytest.raises(ApiError) as sold_out:
            redemption.redeem(rich, limited)
        assert "已兑完" in sold_out.value.message
        db.session.commit()
        assert ledger.account(rich.id)["redeemed"] == D("6.00")


def test_levels_validity_and_inactive_offers(tenant, in_tenant, tree):
    with in_tenant(tenant):
        m = _member_with(tree, 15)
        yesterday = date.today() - timedelta(days=1)
        _, (gold, old, off) = _shop(
            {"name": "金卡专享", "cost": D("1"), "min_level": "gold"},
            {"name": "过期", "cost": D("1"), "valid_until": yesterday},
            {"name": "下架", "cost": D("1"), "active": False},
        )
        db.session.commit()
        for offer, said in ((gold, "金卡"), (old, "截止"), (off, "下架")):
            with pytest.raises(ApiError) as refused:
                redemption.redeem(m, offer)
            assert refused.value.status == 409 and said in refused.value.message
            db.session.rollback()
        assert ledger.account(m.id)["redeemed"] == 0


def _race(app, tenant_id, member_id, offer_ids):
    """Redeem each offer for the member from its own thread, app context and connection,
    all at once; returns the outcomes ("ok" or the refusal's status)."""
    barrier = threading.Barrier(len(offer_ids))
    outcomes: list = []

    def attempt(offer_id):
        with app.app_context(), tenant_context(tenant_id):
            try:
                member = members.get_member(member_id)
                offer = db.session.scalar(select(Offer).where(Offer.id == offer_id))
                barrier.wait(timeout=10)
                redemption.redeem(member, offer)
                time.sleep(0.3)  # hold the lock: the other attempt must wait, not run after
                db.session.commit()
                outcomes.append("ok")
            except ApiError as exc:
                db.session.rollback()
                outcomes.append(exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(offer_id,)) for offer_id in offer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_redemptions_cannot_overspend(app, tenant, in_tenant, tree):
    tenant_id = tenant.id
    with in_tenant(tenant):
        m = _member_with(tree, 10)
        _, (one, two) = _shop({"name": "甲", "cost": D("7")}, {"name": "乙", "cost": D("7")})
        db.session.commit()
        member_id, offer_ids = m.id, [one.id, two.id]
    outcomes = _race(app, tenant_id, member_id, offer_ids)
    assert sorted(outcomes, key=str) == [409, "ok"]
    with in_tenant(tenant_id):
        assert ledger.account(member_id) == {"earned": D("10.00"), "redeemed": D("7.00"),
                                             "balance": D("3.00")}
        assert len(db.session.scalars(select(Redemption)).all()) == 1


def test_two_concurrent_redemptions_of_the_last_item(app, tenant, in_tenant, tree):
    tenant_id = tenant.id
    with in_tenant(tenant):
        a, b = _member_with(tree, 10), _member_with(tree, 10)
        _, (last,) = _shop({"name": "最后一件", "cost": D("5"), "stock": 1})
        db.session.commit()
        ids, offer_id = [a.id, b.id], last.id
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(member_id):
        with app.app_context(), tenant_context(tenant_id):
            try:
                member = members.get_member(member_id)
                offer = db.session.scalar(select(Offer).where(Offer.id == offer_id))
                barrier.wait(timeout=10)
                redemption.redeem(member, offer)
                time.sleep(0.3)
                db.session.commit()
                outcomes.append("ok")
            except ApiError as exc:
                db.session.rollback()
                outcomes.append(exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=str) == [409, "ok"]
    with in_tenant(tenant_id):
        assert db.session.scalar(select(Offer.stock).where(Offer.id == offer_id)) == 0
        assert sum(ledger.account(i)["redeemed"] for i in ids) == D("5.00")


def test_redemption_api_codes_and_partner_keys(client, tenant, tenant_b, in_tenant, tree,
                                               auth_headers):
    with in_tenant(tenant):
        m = _member_with(tree, 10)
        member_id = m.id
        db.session.commit()
    manager = auth_headers(tenant, role="org_manager", org=tree["C"])
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    other_secretary = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    assert client.post("/api/v1/points/partners", json={"name": "书店"},
                       headers=secretary).status_code == 403
    made = client.post("/api/v1/points/partners", json={"name": "书店", "phone": "123"},
                       headers=manager)
    assert made.status_code == 201 and made.get_json()["verify_key"]
    partner_id, key = made.get_json()["id"], made.get_json()["verify_key"]
    assert client.post("/api/v1/points/partners", json={"name": "书店"},
                       headers=manager).status_code == 409
    bad = client.post("/api/v1/points/offers", headers=manager,
                      json={"partner_id": partner_id, "name": "书", "cost": 0, "stock": -1,
                            "min_level": "platinum"})
    assert bad.status_code == 422
    assert {"cost", "stock", "min_level"} <= set(bad.get_json()["errors"])
    unknown = client.post("/api/v1/points/offers", headers=manager,
                          json={"partner_id": str(member_id), "name": "书", "cost": 3})
    assert unknown.status_code == 422 and "partner_id" in unknown.get_json()["errors"]
    offer = client.post("/api/v1/points/offers", headers=manager,
                        json={"partner_id": partner_id, "name": "书", "cost": "4.5", "stock": 5})
    assert offer.status_code == 201, offer.get_json()
    offer_id = offer.get_json()["id"]
    listed = client.get("/api/v1/points/offers", headers=secretary).get_json()
    assert [(o["name"], o["cost"], o["partner_name"]) for o in listed] == [("书", "4.50", "书店")]

    assert client.post("/api/v1/points/redemptions", headers=other_secretary,
                       json={"member_id": str(member_id), "offer_id": offer_id}).status_code == 422
    bad = client.post("/api/v1/points/redemptions", headers=secretary,
                      json={"member_id": str(member_id), "offer_id": "x"})
    assert bad.status_code == 422 and "offer_id" in bad.get_json()["errors"]
    done = client.post("/api/v1/points/redemptions", headers=secretary,
                       json={"member_id": str(member_id), "offer_id": offer_id})
    assert done.status_code == 201, done.get_json()
    code = done.get_json()["code"]
    again = client.post("/api/v1/points/redemptions", headers=secretary,
                        json={"member_id": str(member_id), "offer_id": offer_id})
    assert again.status_code == 201  # 4.5 + 4.5 <= 10
    third = client.post("/api/v1/points/redemptions", headers=secretary,
                        json={"member_id": str(member_id), "offer_id": offer_id})
    assert third.status_code == 409 and "offer_id" in third.get_json()["errors"]
    listed = client.get(f"/api/v1/points/redemptions?member_id={member_id}", headers=secretary)
    assert len(listed.get_json()) == 2
    assert client.get("/api/v1/points/redemptions", headers=other_secretary).get_json() == []

    merchant = {"X-Tenant": "alpha", "X-Partner-Key": key}
    checked = client.get(f"/api/v1/points/redemptions/code/{code.lower()}", headers=merchant)
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["status"] == "issued" and "member_id" not in checked.get_json()
    for headers in ({"X-Tenant": "alpha", "X-Partner-Key": "wrong"},
                    {"X-Tenant": "beta", "X-Partner-Key": key}):
        assert client.get(f"/api/v1/points/redemptions/code/{code}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/points/redemptions/code/{code}",
                      headers={"X-Tenant": "alpha"}).status_code == 401
    assert client.get(f"/api/v1/points/redemptions/code/{code}", headers=secretary).status_code == 403
    assert client.get(f"/api/v1/points/redemptions/code/{code}", headers=manager).status_code == 200
    used = client.post(f"/api/v1/points/redemptions/code/{code}/use", headers=merchant)
    assert used.status_code == 200 and used.get_json()["status"] == "used"
    assert client.post(f"/api/v1/points/redemptions/code/{code}/use",
                       headers=merchant).status_code == 409
    rotated = client.post(f"/api/v1/points/partners/{partner_id}/key", headers=manager).get_json()
    assert client.get(f"/api/v1/points/redemptions/code/{code}", headers=merchant).status_code == 404
    assert client.get(f"/api/v1/points/redemptions/code/{code}",
                      headers={**merchant, "X-Partner-Key": rotated["verify_key"]}).status_code == 200
    # another tenant sees none of it
    other = auth_headers(tenant_b, role="tenant_admin")
    assert client.get("/api/v1/points/offers", headers=other).get_json() == []
    assert client.patch(f"/api/v1/points/offers/{offer_id}", json={"active": False},
                        headers=other).status_code == 404
    assert client.get(f"/api/v1/points/redemptions/code/{code}", headers=other).status_code == 404
