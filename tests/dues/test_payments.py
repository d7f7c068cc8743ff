"""Payments through the API: one row per month, twice is a 409, the back-payment window,
advance payments, arrears, scope and tenant isolation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.db import db
from core.dues import service
from core.dues.rates import add_months
from core.members.models import Member
from tests.support.auth import error_fields

THIS_MONTH = date.today().replace(day=1)


def _month(n: int) -> str:
    """The month ``n`` months from this one, as YYYY-MM."""
    return f"{add_months(THIS_MONTH, n):%Y-%m}"


def _pay(client, headers, member_id, month, **extra):
    body = {"member_id": str(member_id), "month": month, "channel": "wechat", **extra}
    return client.post("/api/v1/dues/payments", json=body, headers=headers)


def _with_base(tenant, in_tenant, member_id, base="4000"):
    with in_tenant(tenant):
        member = db.session.get(Member, (tenant.id if hasattr(tenant, "id") else tenant, member_id))
        service.set_base(member, effective_from=date(2000, 1, 1), base=Decimal(base))
        db.session.commit()


def test_pay_a_month_and_not_twice(client, tree, tenant, in_tenant, add_member, auth_headers):
    member_id = add_member(tenant, tree["X"])
    _with_base(tenant, in_tenant, member_id)
    headers = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    first = _pay(client, headers, member_id, _month(0))
    assert first.status_code == 201, first.get_json()
    [row] = first.get_json()
    assert row["amount"] == "40.00" and row["month"] == f"{THIS_MONTH.isoformat()}"
    again = _pay(client, headers, member_id, _month(0), amount="40")
    assert again.status_code == 409
    assert error_fields(again.get_json()) == {"month"}
    # a range overlapping a paid month is refused as a whole
    overlap = _pay(client, headers, member_id, _month(-1), through=_month(0))
    assert overlap.status_code == 409
    listed = client.get(f"/api/v1/dues/payments?member_id={member_id}", headers=headers).get_json()
    assert [p["month"][:7] for p in listed] == [_month(0)]


def test_back_payment_window_is_six_months(client, tree, tenant, in_tenant, add_member, auth_headers):
    member_id = add_member(tenant, tree["X"], is_student=True)
    secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    assert _pay(client, secretary, member_id, _month(-6)).status_code == 201
    seven = _pay(client, secretary, member_id, _month(-7))
    assert seven.status_code == 422
    assert error_fields(seven.get_json()) == {"month"}
    # a reason does not help a branch secretary; a tenant administrator needs one
    assert _pay(client, secretary, member_id, _month(-7), override_reason="补交").status_code == 422
    admin = auth_headers(tenant)
    no_reason = _pay(client, admin, member_id, _month(-7))
    assert no_reason.status_code == 422 and error_fields(no_reason.get_json()) == {"override_reason"}
    ok = _pay(client, admin, member_id, _month(-8), through=_month(-7), override_reason="经党委研究同意补交")
    assert ok.status_code == 201
    assert [p["override_reason"] for p in ok.get_json()] == ["经党委研究同意补交"] * 2
    # a month before the member joined is never payable
    joined_late = add_member(tenant, tree["X"], is_student=True, joined_on=THIS_MONTH)
    before = _pay(client, admin, joined_late, _month(-1), override_reason="x")
    assert before.status_code == 422 and error_fields(before.get_json()) == {"month"}


def test_advance_payment_is_one_row_per_month(client, tree, tenant, in_tenant, add_member, auth_headers):
    member_id = add_member(tenant, tree["X"], is_farmer=True)
    headers = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    paid = _pay(client, headers, member_id, _month(0), through=_month(11), channel="cash")
    assert paid.status_code == 201
    rows = paid.get_json()
    assert len(rows) == 12 and {r["amount"] for r in rows} == {"0.20"}
    assert [r["month"][:7] for r in rows] == [_month(i) for i in range(12)]
    too_far = _pay(client, headers, member_id, _month(12), through=_month(13))
    assert too_far.status_code == 422 and error_fields(too_far.get_json()) == {"through"}
    bad = _pay(client, headers, member_id, _month(-1), through=_month(-2))
    assert bad.status_code == 422 and error_fields(bad.get_json()) == {"through"}
    junk = _pay(client, headers, member_id, "2024-13", channel="bitcoin", amount="-1")
    assert junk.status_code == 422
    assert {"month", "channel", "amount"} <= error_fields(junk.get_json())


def test_arrears_per_member_and_branch(client, tree, tenant, in_tenant, add_member, auth_headers):
    as_of = date(2024, 6, 15)
    # joined in January 2024: six months due (Jan–Jun) as of mid-June
    late = add_member(tenant, tree["X"], joined_on=date(2024, 1, 10), is_student=True, name="欠费甲")
    paid_up = add_member(tenant, tree["X"], joined_on=date(2024, 1, 10), is_student=True, name="按时乙")
    add_member(tenant, tree["Y"], joined_on=date(2024, 5, 2), is_student=True, name="新党员丙")
    with in_tenant(tenant):
        for member_id, months in ((late, (1, 2)), (paid_up, (1, 2, 3, 4, 5, 6, 7))):
            member = db.session.get(Member, (tenant.id, member_id))
            for m in months:
                service.record_payments(member, month=date(2024, m, 1), channel="cash",
                                        paid_on=date(2024, m, 1), today=date(2024, m, 1))
        db.session.commit()
    admin = auth_headers(tenant)
    body = client.get("/api/v1/dues/arrears?as_of=2024-06-15", headers=admin).get_json()
    by_name = {m["name"]: m for m in body["members"]}
    assert set(by_name) == {"欠费甲", "新党员丙"}  # paid-up members are not listed
    assert by_name["欠费甲"]["months_due"] == 6 and by_name["欠费甲"]["months_unpaid"] == 4
    assert by_name["欠费甲"]["consecutive_unpaid"] == 3  # Mar–May; June is not over yet
    assert by_name["欠费甲"]["last_paid_month"] == "2024-02-01"
    assert by_name["新党员丙"]["months_unpaid"] == 2 and by_name["新党员丙"]["consecutive_unpaid"] == 1
    branches = {b["org_name"]: b for b in body["branches"]}
    assert branches["X支部"] == {"org_id": str(tree["X"]), "org_name": "X支部", "members": 2,
                                 "members_in_arrears": 1, "months_unpaid": 4}
    assert branches["Y支部"]["months_unpaid"] == 2
    assert body["months_unpaid"] == 6
    # a secretary of Y sees only Y
    y = auth_headers(tenant, role="branch_secretary", org=tree["Y"])
    scoped = client.get(f"/api/v1/dues/arrears?as_of={as_of}", headers=y).get_json()
    assert {m["name"] for m in scoped["members"]} == {"新党员丙"}
    assert client.get(f"/api/v1/dues/arrears?subtree_of={tree['X']}", headers=y).status_code == 404
    # the tenant's arrears_from moves the start of what counts
    rates = client.put("/api/v1/dues/rates", json={"arrears_from": "2024-03"}, headers=admin)
    assert rates.status_code == 200, rates.get_json()
    moved = client.get("/api/v1/dues/arrears?as_of=2024-06-15", headers=admin).get_json()
    assert {m["name"]: m["months_unpaid"] for m in moved["members"]} == {"欠费甲": 4, "新党员丙": 2}
    rates = client.put("/api/v1/dues/rates", json={"arrears_from": "2024-05"}, headers=admin)
    moved = client.get("/api/v1/dues/arrears?as_of=2024-06-15", headers=admin).get_json()
    assert {m["name"]: m["months_unpaid"] for m in moved["members"]} == {"欠费甲": 2, "新党员丙": 2}


def test_scope_roles_and_tenant_isolation(client, tree, tenant, tenant_b, in_tenant, add_member,
                                          auth_headers):
    x_member = add_member(tenant, tree["X"], is_student=True)
    y_member = add_member(tenant, tree["Y"], is_student=True)
    _with_base(tenant, in_tenant, x_member, "12000")
    x_secretary = auth_headers(tenant, role="branch_secretary", org=tree["X"])
    x_member_role = auth_headers(tenant, role="member", org=tree["X"])
    other_city = auth_headers(tenant_b)
    # out of scope and another tenant: 404, like an unknown id
    assert _pay(client, x_secretary, y_member, _month(0)).status_code == 404
    assert _pay(client, other_city, x_member, _month(0)).status_code == 404
    assert client.get(f"/api/v1/dues/bases/{x_member}", headers=other_city).status_code == 404
    assert client.get(f"/api/v1/dues/bases/{y_member}", headers=x_secretary).status_code == 404
    # a plain member sees the branch but may not write, nor read anyone's pay
    assert _pay(client, x_member_role, x_member, _month(0)).status_code == 403
    assert client.get(f"/api/v1/dues/bases/{x_member}", headers=x_member_role).status_code == 403
    bases = client.get(f"/api/v1/dues/bases/{x_member}", headers=x_secretary).get_json()
    assert bases["category"] == "student"  # the flag wins over a recorded base
    assert bases["amount"] == "0.20"
    assert _pay(client, x_secretary, x_member, _month(0)).status_code == 201
    assert client.get("/api/v1/dues/payments", headers=other_city).get_json() == []
    assert client.get("/api/v1/dues/arrears", headers=other_city).get_json()["members"] == []
    # rates: read by anyone signed in, changed only by a tenant administrator
    assert client.get("/api/v1/dues/rates", headers=x_member_role).status_code == 200
    assert client.put("/api/v1/dues/rates", json={}, headers=x_secretary).status_code == 403


def test_bases_api_and_rates_api(client, tree, tenant, add_member, auth_headers):
    member_id = add_member(tenant, tree["X"])
    admin = auth_headers(tenant)
    empty = client.get(f"/api/v1/dues/bases/{member_id}", headers=admin).get_json()
    assert empty["amount"] is None and empty["category"] == "in_service"
    put = client.put(f"/api/v1/dues/bases/{member_id}", json={"effective_from": "2020-01", "base": "3000.01"},
                     headers=admin)
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["amount"] == "30.00"
    bad = client.put(f"/api/v1/dues/bases/{member_id}", json={"effective_from": "2020-01", "fixed_amount": "5"},
                     headers=admin)
    assert bad.status_code == 422 and error_fields(bad.get_json()) == {"fixed_reason"}
    rates = client.get("/api/v1/dues/rates", headers=admin).get_json()
    assert rates["in_service"][0] == {"up_to": "3000", "rate": "0.5"}
    assert rates["overridden"] == []
    changed = client.put("/api/v1/dues/rates", json={"in_service": [{"up_to": "3000.01", "rate": "0.5"},
                                                                    {"up_to": None, "rate": "1"}]},
                         headers=admin)
    assert changed.status_code == 200 and changed.get_json()["overridden"] == ["in_service"]
    assert client.get(f"/api/v1/dues/bases/{member_id}", headers=admin).get_json()["amount"] == "15.00"
    refused = client.put("/api/v1/dues/rates", json={"in_service": [{"up_to": "1", "rate": "200"}]},
                         headers=admin)
    assert refused.status_code == 422 and "in_service" in error_fields(refused.get_json())
